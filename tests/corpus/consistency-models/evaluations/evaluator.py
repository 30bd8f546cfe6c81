import tensorflow.compat.v1 as tf
    evaluator = Evaluator(tf.Session(config=config))
            self.image_input = tf.placeholder(tf.float32, shape=[None, None, None, 3])
