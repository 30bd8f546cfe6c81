import tensorflow as tf
      tf.compat.v1.image.resize_bilinear(
    label = tf.compat.v1.image.resize(
