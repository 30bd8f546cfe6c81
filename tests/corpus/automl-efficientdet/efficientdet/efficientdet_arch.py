import tensorflow.compat.v1 as tf
      feat = tf.layers.conv2d(
      feat = tf.layers.max_pooling2d(
