import tensorflow as tf
    tf.compat.v1.logging.warn(
