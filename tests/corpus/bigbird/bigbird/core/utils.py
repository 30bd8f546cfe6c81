import tensorflow.compat.v2 as tf
    scope_name = tf.compat.v1.get_variable_scope().name
  return tf.compat.v1.truncated_normal_initializer(stddev=initializer_range)
