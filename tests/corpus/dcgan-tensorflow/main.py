import tensorflow as tf
flags = tf.app.flags
    with tf.Session() as sess:
