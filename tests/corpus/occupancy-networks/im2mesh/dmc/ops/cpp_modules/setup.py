import torch
        CppExtension('pred2mesh', [
        'build_ext': BuildExtension
