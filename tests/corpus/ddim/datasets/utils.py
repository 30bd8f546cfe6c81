from torch.utils.model_zoo import tqdm
