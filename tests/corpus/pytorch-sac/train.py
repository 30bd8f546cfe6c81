import torch
@hydra.main(config_path='config/train.yaml', strict=True)
