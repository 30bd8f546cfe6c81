import mxnet as mx
