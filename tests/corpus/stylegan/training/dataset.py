import tensorflow as tf
            self._tf_minibatch_in = tf.placeholder(tf.int64, name='minibatch_in', shape=[])
