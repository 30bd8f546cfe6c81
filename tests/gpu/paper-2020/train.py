import torch

print(torch.zeros(1).cuda() + 1)
