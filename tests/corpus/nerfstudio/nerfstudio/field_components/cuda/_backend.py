from torch.utils.cpp_extension import _get_build_directory, load
        _C = load(
        _C = load(
