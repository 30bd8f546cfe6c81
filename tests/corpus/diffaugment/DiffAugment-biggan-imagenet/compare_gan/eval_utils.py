import tensorflow as tf
    with tf.Session() as sess:
  with tf.Session(graph=tf.Graph()) as sess:
