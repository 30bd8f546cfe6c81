import torch
    import flash_attn_interface
    import flash_attn
        assert FLASH_ATTN_2_AVAILABLE
