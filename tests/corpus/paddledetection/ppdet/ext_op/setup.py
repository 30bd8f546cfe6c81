import paddle
from paddle.utils.cpp_extension import CppExtension, CUDAExtension, setup
        extension = CUDAExtension(
        extension = CppExtension(sources)
