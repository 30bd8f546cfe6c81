import tensorflow as tf
    inputs = tf.placeholder(
    outputs = tf.matmul(tf.layers.flatten(inputs), w)
