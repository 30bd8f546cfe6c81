flags = tf.app.flags
        saver = tf.train.Saver(self.vars)
        saver = tf.train.Saver(self.vars)
