import torch
from torch.utils.cpp_extension import (
    BuildExtension,
    CppExtension,
    CUDAExtension,
        if bare_metal_version < Version("11.6"):
                f"{PACKAGE_NAME} is only supported on CUDA 11.6 and above.  "
        CUDAExtension(
    python_requires=">=3.7",
    install_requires=[
        "torch",
        "packaging",
        "ninja",
        "einops",
        "triton",
        "transformers",
        "causal_conv1d>=1.1.0",
    ],
