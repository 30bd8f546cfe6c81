import torch
from torch.utils.cpp_extension import CUDA_HOME, CppExtension, CUDAExtension
assert torch_ver >= [1, 3], "Requires PyTorch >= 1.3"
    extension = CppExtension
        extension = CUDAExtension
    python_requires=">=3.6",
    install_requires=[
        "termcolor>=1.1",
        "Pillow>=6.0",
        "yacs>=0.1.6",
        "tabulate",
        "cloudpickle",
        "matplotlib",
        "tqdm>4.29.0",
        "tensorboard",
        "fvcore",
    ],
    extras_require={"all": ["shapely", "psutil"], "dev": ["flake8", "isort", "black==19.3b0"]},
