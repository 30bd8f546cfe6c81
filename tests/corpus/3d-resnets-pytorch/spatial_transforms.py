from torchvision.transforms import transforms
class Scale(transforms.Scale):
