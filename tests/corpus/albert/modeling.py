import tensorflow.compat.v1 as tf
        self.pooled_output = tf.layers.dense(
