import tensorflow as tf
      self.saver = tf.train.Saver(max_to_keep=100000)
    restorer = tf.train.Saver(variables_to_restore)
