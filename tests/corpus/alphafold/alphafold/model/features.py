import tensorflow.compat.v1 as tf
    tf.compat.v1.set_random_seed(random_seed)
  with tf.Session(graph=tf_graph) as sess:
