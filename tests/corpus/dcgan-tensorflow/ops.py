import tensorflow as tf
    image_summary = tf.image_summary
    SummaryWriter = tf.train.SummaryWriter
    image_summary = tf.summary.image
    SummaryWriter = tf.summary.FileWriter
        return tf.contrib.layers.batch_norm(x,
    return tf.concat(3, [x, y*tf.ones([x_shapes[0], x_shapes[1], x_shapes[2], y_shapes[3]])])
