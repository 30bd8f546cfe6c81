import torch
from torch.utils.cpp_extension import CUDA_HOME
from torch.utils.cpp_extension import CppExtension
from torch.utils.cpp_extension import CUDAExtension
    extension = CppExtension
        extension = CUDAExtension
    # install_requires=requirements,
