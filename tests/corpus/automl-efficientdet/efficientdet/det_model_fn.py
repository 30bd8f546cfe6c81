import tensorflow.compat.v1 as tf
      saver = tf.train.Saver(restore_vars_dict)
