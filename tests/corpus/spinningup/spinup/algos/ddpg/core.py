import tensorflow as tf
    return tf.placeholder(dtype=tf.float32, shape=(None,dim) if dim else (None,))
        x = tf.layers.dense(x, units=h, activation=activation)
