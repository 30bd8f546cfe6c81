import tensorflow as tf
    hidden = tf.layers.dense(hidden, units, activation)
  mean = tf.layers.dense(
