from torch.utils.cpp_extension import BuildExtension, CUDAExtension
        CUDAExtension(
        'build_ext': BuildExtension,
