import tensorflow as tf
        self.writer = tf.summary.FileWriter(log_dir)
