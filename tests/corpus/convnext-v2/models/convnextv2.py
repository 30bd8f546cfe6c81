import torch
from timm.models.layers import trunc_normal_, DropPath
