import tensorflow as tf
with tf.Session() as session:
    _iteration = tf.placeholder(tf.int32, shape=None)
