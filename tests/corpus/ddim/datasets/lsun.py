from torchvision.datasets.utils import verify_str_arg, iterable_to_str
