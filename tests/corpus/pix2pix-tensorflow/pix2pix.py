import tensorflow as tf
    global_step = tf.contrib.framework.get_or_create_global_step()
        input = tf.placeholder(tf.string, shape=[1])
