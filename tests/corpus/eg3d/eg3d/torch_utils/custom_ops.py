import torch.utils.cpp_extension
            build_top_dir = torch.utils.cpp_extension._get_build_directory(module_name, verbose=verbose_build) # pylint: disable=protected-access
            torch.utils.cpp_extension.load(name=module_name, build_directory=cached_build_dir,
            torch.utils.cpp_extension.load(name=module_name, verbose=verbose_build, sources=sources, **build_kwargs)
