import tensorflow.compat.v1 as tf
    with tf.Session(target=self.resolver.master(), config=config) as sess:
      saver = tf.train.Saver()
