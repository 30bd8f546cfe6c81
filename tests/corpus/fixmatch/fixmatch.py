import tensorflow as tf
        scaffold = tf.train.Scaffold(saver=tf.train.Saver(max_to_keep=FLAGS.keep_ckpt,
        with tf.Session(config=utils.get_config()) as sess:
