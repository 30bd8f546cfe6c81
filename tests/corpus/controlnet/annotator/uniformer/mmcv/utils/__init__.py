    import torch
        TORCH_VERSION, BuildExtension, CppExtension, CUDAExtension, DataLoader,
        'get_build_config', 'BuildExtension', 'CppExtension', 'CUDAExtension',
