import torch
from torch.utils.cpp_extension import CUDA_HOME, CppExtension, CUDAExtension
    extension = CppExtension
        extension = CUDAExtension
        install_requires=parse_requirements("requirements.txt"),
