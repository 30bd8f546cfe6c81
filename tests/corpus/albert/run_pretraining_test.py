import tensorflow.compat.v1 as tf
FLAGS = tf.app.flags.FLAGS
