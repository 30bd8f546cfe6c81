import tensorflow as tf
    session = tf.Session(config=config)
                    setter = tf.assign(var, tf.placeholder(var.dtype, var.shape, 'new_value'), name='setter') # create new setter
