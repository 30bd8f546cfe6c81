import tensorflow as tf
    with tf.contrib.summary.create_file_writer(
      with tf.contrib.summary.always_record_summaries():
