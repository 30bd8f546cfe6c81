import tensorflow.compat.v1 as tf
        self.embedding_output = tf.layers.dense(
  query_layer = tf.layers.dense(
