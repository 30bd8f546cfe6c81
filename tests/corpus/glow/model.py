import tensorflow as tf
    saver = tf.train.Saver()
    saver_ema = tf.train.Saver(ema.variables_to_restore())
