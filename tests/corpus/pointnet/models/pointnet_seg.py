import tensorflow as tf
    pointclouds_pl = tf.placeholder(tf.float32,
    labels_pl = tf.placeholder(tf.int32,
    concat_feat = tf.concat(3, [point_feat, global_feat_expand])
