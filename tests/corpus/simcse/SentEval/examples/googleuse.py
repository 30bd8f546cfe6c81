import tensorflow as tf
session = tf.Session()
    sentences = tf.placeholder(tf.string)
