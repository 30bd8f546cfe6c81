import os
from setuptools import setup
from torch.utils.cpp_extension import BuildExtension, CUDAExtension
        import glob
    name='gridencoder', # package name, import this to use python API
        CUDAExtension(
            name='_gridencoder', # extension name, import this to use CUDA API
        'build_ext': BuildExtension,
