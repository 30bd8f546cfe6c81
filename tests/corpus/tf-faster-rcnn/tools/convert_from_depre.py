import tensorflow as tf
  sess = tf.Session(config=tfconfig)
    restorer = tf.train.Saver(name2var)
