import tensorflow as tf
    tpu_cluster = tf.contrib.cluster_resolver.TPUClusterResolver(
    strategy = tf.contrib.distribute.MirroredStrategy(
