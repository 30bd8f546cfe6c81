import tensorflow as tf
        tf.contrib.data.map_and_batch(
        eval_spec = tf.contrib.tpu.TPUEstimatorSpec(
