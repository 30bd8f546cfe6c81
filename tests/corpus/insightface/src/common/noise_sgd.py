import mxnet.optimizer as optimizer
