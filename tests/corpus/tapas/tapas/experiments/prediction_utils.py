import tensorflow.compat.v1 as tf
  with tf.Session() as sess:
