import tensorflow as tf
slim = tf.contrib.slim
    variables = tf.contrib.framework.get_variables(vs)
