import tensorflow.compat.v1 as tf
    predictions = tf.layers.dense(reprs, 1)
    logits = tf.layers.dense(reprs, num_labels)
