import tensorflow as tf
    output_spec = tf.contrib.tpu.TPUEstimatorSpec(
  is_per_host = tf.contrib.tpu.InputPipelineConfig.PER_HOST_V2
