import tensorflow.compat.v1 as tf
      input_tensor = tf.layers.dense(
  input_ids = tf.placeholder(tf.int32, [None, None], "input_ids")
