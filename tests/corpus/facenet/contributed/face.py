import tensorflow as tf
        self.sess = tf.Session()
            sess = tf.Session(config=tf.ConfigProto(gpu_options=gpu_options, log_device_placement=False))
