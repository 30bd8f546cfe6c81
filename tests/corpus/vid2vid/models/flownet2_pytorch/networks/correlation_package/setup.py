import torch
        CUDAExtension('correlation_cuda', [
        'build_ext': BuildExtension
