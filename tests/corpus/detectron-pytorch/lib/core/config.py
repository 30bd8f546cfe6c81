import torch
import torch.nn as nn
    if version.parse(torch.__version__) < version.parse('0.4.0'):
