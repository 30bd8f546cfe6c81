import tensorflow as tf
            self.y= tf.placeholder(tf.float32, [self.batch_size, self.y_dim], name='y')
        self.images = tf.placeholder(tf.float32, [self.batch_size] + [self.output_size, self.output_size, self.c_dim],
        self.d_loss_real = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(self.D_logits, tf.ones_like(self.D)))
            tf.initialize_all_variables().run()
            init_op = tf.global_variables_initializer()
                h1 = tf.concat(1, [h1, y])
                h2 = tf.concat(1, [h2, y])
                z = tf.concat(1, [z, y])
                h0 = tf.concat(1, [h0, y])
                z = tf.concat(1, [z, y])
                h0 = tf.concat(1, [h0, y])
