from tensorflow.python.ops import custom_gradient # pylint:disable=g-direct-tensorflow-import
    tf.Session.reset(tpu_grpc_url)
