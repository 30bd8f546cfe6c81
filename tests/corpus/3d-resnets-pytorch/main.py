import torch
        model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
        from torch.utils.tensorboard import SummaryWriter
