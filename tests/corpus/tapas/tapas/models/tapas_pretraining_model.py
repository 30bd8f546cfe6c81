import tensorflow.compat.v1 as tf
      input_tensor = tf.layers.dense(
