from torchvision import transforms
