        is_training_pl = tf.placeholder(tf.bool, shape=())
        saver = tf.train.Saver()
    sess = tf.Session(config=config)
