import torch
        from apex import amp
        with amp.scale_loss(loss, optimizer) as scaled_loss:
