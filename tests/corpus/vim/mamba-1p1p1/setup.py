import torch
    BuildExtension,
    CppExtension,
    CUDAExtension,
        CUDAExtension(
    install_requires=[
        "torch",
        "packaging",
        "ninja",
        "einops",
        "triton",
        "transformers",
        "causal_conv1d>=1.1.0",
    ],
