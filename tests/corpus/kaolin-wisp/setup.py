import torch
from torch.utils.cpp_extension import BuildExtension, CppExtension, CUDAExtension, CUDA_HOME
        extension = CUDAExtension
        python_requires='>=3.8',
            'build_ext': BuildExtension.with_options(no_python_abi_suffix=True)
