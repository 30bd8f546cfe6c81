import tensorflow.compat.v1 as tf
    start_logits = tf.squeeze(tf.layers.dense(final_hidden, 1), -1)
      final_repr = tf.layers.dense(final_repr, 512, activation=modeling.gelu,
