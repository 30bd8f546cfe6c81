import tensorflow as tf
        self._noise_in = tf.placeholder(tf.float32, [], name='noise_in')
        self._lrate_in = tf.placeholder(tf.float32, [], name='lrate_in')
