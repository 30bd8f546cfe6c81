import torch
from torch.utils.cpp_extension import BuildExtension, CUDAExtension
        CUDAExtension('correlation_cuda', [
        'build_ext': BuildExtension
