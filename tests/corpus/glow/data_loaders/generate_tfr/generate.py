import tensorflow as tf
    with tf.Session() as sess:
            dset = files.apply(tf.contrib.data.parallel_interleave(
