import torch
    BuildExtension,
    CppExtension,
        CUDAExtension(
    install_requires=[
        "torch",
        "packaging",
        "ninja",
    ],
