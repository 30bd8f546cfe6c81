import tensorflow as tf
    mtx_in = tf.placeholder(tf.float32, [4, 4])
    lr_in = tf.placeholder(tf.float32, [])
