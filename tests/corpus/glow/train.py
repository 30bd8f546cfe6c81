import tensorflow as tf
learn = tf.contrib.learn
    sess = tf.Session(config=config)
