import torch.optim as optim
