import tensorflow as tf
    initializer = tf.contrib.layers.xavier_initializer()
