import tensorflow.compat.v1 as tf
    start_logits = tf.layers.dense(
      end_logits = tf.layers.dense(
