from torch.utils.data import Dataset
