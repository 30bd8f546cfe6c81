from torch.utils.cpp_extension import CUDAExtension, BuildExtension
        CUDAExtension(
        'build_ext': BuildExtension
