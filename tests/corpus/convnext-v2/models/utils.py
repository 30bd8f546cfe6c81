import torch
from MinkowskiEngine import SparseTensor
