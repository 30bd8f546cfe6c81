import tensorflow.compat.v2 as tf
  graph = tf.compat.v1.get_default_graph() if graph is None else graph
