import paddle.nn as nn
