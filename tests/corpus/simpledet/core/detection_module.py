import mxnet
