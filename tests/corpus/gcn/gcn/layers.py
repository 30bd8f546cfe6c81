import tensorflow as tf
flags = tf.app.flags
