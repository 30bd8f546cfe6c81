import tensorflow.compat.v1 as tf
    p = tf.placeholder(tf.float32, shape=[None, None, 1, 4, 4])
