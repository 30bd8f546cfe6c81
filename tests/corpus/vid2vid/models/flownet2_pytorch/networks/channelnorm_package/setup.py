import torch
        CUDAExtension('channelnorm_cuda', [
        'build_ext': BuildExtension
