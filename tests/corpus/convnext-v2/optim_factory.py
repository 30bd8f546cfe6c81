import torch
    from apex.optimizers import FusedNovoGrad, FusedAdam, FusedLAMB, FusedSGD
