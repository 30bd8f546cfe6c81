import tensorflow.compat.v1 as tf
  serialized_example = tf.placeholder(
