import tensorflow as tf
summary = tf.contrib.summary  # TensorFlow Summary API v2.
