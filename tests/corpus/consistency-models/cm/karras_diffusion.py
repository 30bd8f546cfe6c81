import torch as th
