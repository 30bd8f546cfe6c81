import tensorflow as tf
        self.pooled_output = tf.layers.dense(
  return tf.contrib.layers.layer_norm(
