import tensorflow as tf
      output_spec = tf.contrib.tpu.TPUEstimatorSpec(
      output_spec = tf.contrib.tpu.TPUEstimatorSpec(
