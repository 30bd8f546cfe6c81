import tensorflow.compat.v1 as tf
    logits = tf.layers.dense(reprs, n_classes)
