import tensorflow as tf
            is_training_pl = tf.placeholder(tf.bool, shape=())
            saver = tf.train.Saver()
