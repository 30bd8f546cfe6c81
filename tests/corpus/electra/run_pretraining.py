import tensorflow.compat.v1 as tf
      hidden = tf.layers.dense(
      logits = tf.squeeze(tf.layers.dense(hidden, units=1), -1)
