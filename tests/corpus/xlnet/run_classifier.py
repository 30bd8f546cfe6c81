import tensorflow as tf
        tf.contrib.data.map_and_batch(
        pearsonr = tf.contrib.metrics.streaming_pearson_correlation(
