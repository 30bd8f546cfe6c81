from tensorflow.contrib.data import prefetch_to_device, shuffle_and_repeat, map_and_batch
            self.lr = tf.placeholder(tf.float32, name='learning_rate')
            self.test_domain_A = tf.placeholder(tf.float32, [1, self.img_size, self.img_size, self.img_ch], name='test_domain_A')
