import torch.cuda
from torch.utils.cpp_extension import CppExtension, CUDAExtension, BuildExtension
    extension = CUDAExtension(
            'cauchy_cuda.cu',
    cmdclass={'build_ext': BuildExtension})
