from mxnet import gluon
