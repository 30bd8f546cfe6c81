    import spconv.pytorch as spconv
    import spconv as spconv
import torch.nn as nn
