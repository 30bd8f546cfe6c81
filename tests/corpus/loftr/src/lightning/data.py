from torch.utils.data.dataset import Dataset
