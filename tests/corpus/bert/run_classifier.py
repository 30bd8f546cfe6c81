import tensorflow as tf
        tf.contrib.data.map_and_batch(
      output_spec = tf.contrib.tpu.TPUEstimatorSpec(
