import torch
import triton
