import torch.cuda
    extension = CUDAExtension(
    cmdclass={'build_ext': BuildExtension})
