import tensorflow.compat.v2 as tf
    text = tf.compat.v1.placeholder(tf.string, [batch_size], name="input_text")
    tvars = tf.compat.v1.trainable_variables()
