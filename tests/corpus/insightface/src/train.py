import mxnet as mx
import mxnet.optimizer as optimizer
    for i in xrange(args.per_identities):
