import tensorflow as tf
    mtx_in = tf.placeholder(tf.float32, [4, 4])
    vtxc_opt_in = tf.placeholder(tf.float32, vtxc.shape)
