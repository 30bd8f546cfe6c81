import tensorflow.compat.v2 as tf
    with tf.compat.v1.variable_scope(name):
