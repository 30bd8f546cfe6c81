import tensorflow as tf
  tf_string = tf.placeholder(tf.string)
  with tf.Session() as sess:
