import tensorflow as tf
  sess = tf.Session(config=tfconfig)
    saver = tf.train.Saver()
