    import torch
