import tensorflow as tf
real_data = tf.placeholder(tf.float32, shape=[None, 2])
with tf.Session() as session:
