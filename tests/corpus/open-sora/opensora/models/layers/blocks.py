import torch
import xformers.ops
            from apex.normalization import FusedLayerNorm
            from flash_attn import flash_attn_func
