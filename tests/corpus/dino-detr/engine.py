import torch
    scaler = torch.cuda.amp.GradScaler(enabled=args.amp)
        with torch.cuda.amp.autocast(enabled=args.amp):
        with torch.cuda.amp.autocast(enabled=args.amp):
