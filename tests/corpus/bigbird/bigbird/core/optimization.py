import tensorflow.compat.v2 as tf
  global_step = tf.compat.v1.train.get_or_create_global_step()
  learning_rate = tf.compat.v1.train.polynomial_decay(
