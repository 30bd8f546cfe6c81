from torch.utils.cpp_extension import load
_backend = load(name='_raymarching',
