import tensorflow as tf
    dset = files.apply(tf.contrib.data.parallel_interleave(
