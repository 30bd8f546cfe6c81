import tensorflow as tf
            return tf.layers.dense(x, 4, kernel_initializer=tf.glorot_normal_initializer())
        xt_in = tf.placeholder(tf.float32, [batch] + hwc, 'xt')  # For training
