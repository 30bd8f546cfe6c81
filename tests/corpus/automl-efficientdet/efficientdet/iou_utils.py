import tensorflow as tf
    if tf.compat.v1.executing_eagerly_outside_functions():
