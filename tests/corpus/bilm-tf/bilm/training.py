import tensorflow as tf
        self.token_ids = tf.placeholder(DTYPE_INT,
            self.token_ids_reverse = tf.placeholder(DTYPE_INT,
