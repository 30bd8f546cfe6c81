from tensorflow.contrib.tpu.proto import compilation_result_pb2 as tpu_compilation_result
  summaries with `tf.contrib.summary.create_file_writer`.
      return tf.contrib.tpu.TPUEstimatorSpec(
