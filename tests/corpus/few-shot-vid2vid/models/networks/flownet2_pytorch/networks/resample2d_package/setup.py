import torch
from torch.utils.cpp_extension import BuildExtension, CUDAExtension
        CUDAExtension('resample2d_cuda', [
        'build_ext': BuildExtension
