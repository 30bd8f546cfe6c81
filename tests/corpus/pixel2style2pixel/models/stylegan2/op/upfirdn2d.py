import torch
from torch.utils.cpp_extension import load
upfirdn2d_op = load(
