import tensorflow.compat.v1 as tf
  saver = tf.train.Saver(var_dict, max_to_keep=1)
    saver = tf.train.Saver(max_to_keep=1, save_relative_paths=True)
