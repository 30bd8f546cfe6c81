import tensorflow as tf
    out_max = tf.concat(axis=3, values=[out_max, one_hot_label_expand])
    concat = tf.concat(axis=3, values=[expand, out1, out2, out3, out4, out5])
