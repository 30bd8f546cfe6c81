import torch
from diff_gaussian_rasterization import (
from simple_knn._C import distCUDA2
