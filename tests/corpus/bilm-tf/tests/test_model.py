import tensorflow as tf
        self.sess = tf.Session()
        character_ids = tf.placeholder('int32', (None, None, 50))
