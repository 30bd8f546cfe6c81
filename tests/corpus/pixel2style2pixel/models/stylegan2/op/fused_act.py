import torch
from torch.utils.cpp_extension import load
fused = load(
