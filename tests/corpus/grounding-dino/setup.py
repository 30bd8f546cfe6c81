        import torch
import torch
from torch.utils.cpp_extension import CUDA_HOME, CppExtension, CUDAExtension
    extension = CppExtension
    if CUDA_HOME is not None and (torch.cuda.is_available() or "TORCH_CUDA_ARCH_LIST" in os.environ):
        extension = CUDAExtension
        install_requires=parse_requirements("requirements.txt"),
