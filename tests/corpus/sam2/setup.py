REQUIRED_PACKAGES = [
    "torch>=2.5.1",
    "torchvision>=0.20.1",
    "numpy>=1.24.4",
    "tqdm>=4.66.1",
    "hydra-core>=1.3.2",
    "iopath>=0.1.10",
    "pillow>=9.4.0",
]
        from torch.utils.cpp_extension import CUDAExtension
        srcs = ["sam2/csrc/connected_components.cu"]
        ext_modules = [CUDAExtension("sam2._C", srcs, extra_compile_args=compile_args)]
    class BuildExtensionIgnoreErrors(BuildExtension):
    install_requires=REQUIRED_PACKAGES,
