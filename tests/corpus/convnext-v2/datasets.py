from torchvision import datasets, transforms
