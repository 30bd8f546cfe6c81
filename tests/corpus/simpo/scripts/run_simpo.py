import torch
        use_flash_attention_2=model_args.use_flash_attention_2,
