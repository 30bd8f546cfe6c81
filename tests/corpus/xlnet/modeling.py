import tensorflow as tf
    output = tf.layers.dense(output, d_inner, activation=activation,
    output = tf.layers.dropout(output, dropout, training=is_training,
