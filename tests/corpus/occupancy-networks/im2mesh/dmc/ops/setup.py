import torch
        CUDAExtension('_cuda_ext', [
        'build_ext': BuildExtension
