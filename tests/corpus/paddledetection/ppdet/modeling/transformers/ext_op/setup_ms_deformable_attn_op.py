from paddle.utils.cpp_extension import CUDAExtension, setup
        ext_modules=CUDAExtension(
