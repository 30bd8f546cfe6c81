import torch, random
