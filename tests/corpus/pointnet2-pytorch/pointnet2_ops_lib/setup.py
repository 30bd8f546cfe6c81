from torch.utils.cpp_extension import BuildExtension, CUDAExtension
requirements = ["torch>=1.4"]
os.environ["TORCH_CUDA_ARCH_LIST"] = "3.7+PTX;5.0;6.0;6.1;6.2;7.0;7.5"
    install_requires=requirements,
        CUDAExtension(
    cmdclass={"build_ext": BuildExtension},
