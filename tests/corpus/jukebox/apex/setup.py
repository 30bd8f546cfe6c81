import torch
    cmdclass['build_ext'] = BuildExtension
        CppExtension('apex_C',
    from torch.utils.cpp_extension import CUDAExtension
            CUDAExtension(name='amp_C',
            CUDAExtension(name='fused_adam_cuda',
            CUDAExtension(name='syncbn',
            CUDAExtension(name='fused_layer_norm_cuda',
