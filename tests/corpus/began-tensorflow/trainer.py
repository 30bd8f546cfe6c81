        self.saver = tf.train.Saver()
        test_variables = tf.contrib.framework.get_variables(vs)
