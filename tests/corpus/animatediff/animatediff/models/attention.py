import torch
if is_xformers_available():
    import xformers
    import xformers.ops
