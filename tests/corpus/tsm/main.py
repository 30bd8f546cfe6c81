import torch.nn.parallel
