import tensorflow as tf
conv1d = tf.layers.conv1d
        seq_fts = tf.layers.conv1d(seq, out_sz, 1, use_bias=False)
        ret = tf.contrib.layers.bias_add(vals)
        ret = tf.contrib.layers.bias_add(vals)
