import torch
    import flash_attn
    mode="flash",
