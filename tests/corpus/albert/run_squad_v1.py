import tensorflow.compat.v1 as tf
    input_ids = tf.placeholder(
    input_mask = tf.placeholder(
