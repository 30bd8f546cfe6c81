from torchvision.datasets.utils import download_url
