import torch
from torch.utils.cpp_extension import BuildExtension, CUDAExtension
        CUDAExtension('channelnorm_cuda', [
        'build_ext': BuildExtension
