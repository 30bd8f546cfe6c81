import torchvision.transforms as transforms
