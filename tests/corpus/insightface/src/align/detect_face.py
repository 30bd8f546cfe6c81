import tensorflow as tf
        data = tf.placeholder(tf.float32, (None,None,None,3), 'input')
        data = tf.placeholder(tf.float32, (None,24,24,3), 'input')
