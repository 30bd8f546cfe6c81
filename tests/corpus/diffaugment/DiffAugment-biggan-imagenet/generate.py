import tensorflow as tf
    y_in = tf.placeholder(tf.int32, [FLAGS.batch_size])
    with tf.Session() as sess:
