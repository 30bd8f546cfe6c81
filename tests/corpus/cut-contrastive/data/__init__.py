import torch.utils.data
