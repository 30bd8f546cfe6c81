import tensorflow as tf
flags = tf.app.flags
    'labels': tf.placeholder(tf.float32, shape=(None, y_train.shape[1])),
