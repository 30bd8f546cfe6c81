from torch.utils.cpp_extension import BuildExtension, CUDA_HOME
from torch.utils.cpp_extension import CppExtension, CUDAExtension
    CppExtension('torchsearchsorted.cpu',
        CUDAExtension('torchsearchsorted.cuda',
        'build_ext': BuildExtension
