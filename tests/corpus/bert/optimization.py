import tensorflow as tf
    optimizer = tf.contrib.tpu.CrossShardOptimizer(optimizer)
