import paddle.nn.functional as F
