import tensorflow as tf
    return tf.placeholder(dtype=tf.float32, shape=combined_shape(None,dim))
        return tf.placeholder(dtype=tf.int32, shape=(None,))
