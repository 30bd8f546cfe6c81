import tensorflow as tf
    with tf.Session(graph=tf.Graph()) as sess:
        saver = tf.train.Saver()
