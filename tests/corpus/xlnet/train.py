import tensorflow as tf
    train_spec = tf.contrib.tpu.TPUEstimatorSpec(
