import mxnet as mx
import mxnet.optimizer as optimizer
      for i in xrange(len(cvd.split(','))):
      for i in xrange(len(ver_list)):
      for l in xrange(len(lr_steps)):
