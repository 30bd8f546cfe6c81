import tensorflow as tf
  with tf.Session(config=config) as sess:
  with tf.Session(config=config) as sess:
