import torch
    extension = CppExtension
        extension = CUDAExtension
