import tensorflow as tf
        restorer_fc = tf.train.Saver({self._scope + "/fc6/weights": fc6_conv,
