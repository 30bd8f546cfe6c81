import torch
    from apex import amp
