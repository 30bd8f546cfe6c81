import tensorflow.compat.v1 as tf
        self.pooled_output = tf.layers.dense(
    flat_extra_embeddings = tf.layers.dense(
