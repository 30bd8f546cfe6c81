import tensorflow.compat.v1 as tf
class BatchNormalization(tf.layers.BatchNormalization):
        tf.layers.BatchNormalization.
