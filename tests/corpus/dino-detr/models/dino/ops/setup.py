import torch
from torch.utils.cpp_extension import CUDAExtension
    extension = CppExtension
        extension = CUDAExtension
