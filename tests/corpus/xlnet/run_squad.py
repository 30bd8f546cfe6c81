import tensorflow as tf
          tf.contrib.data.parallel_interleave(
        tf.contrib.data.map_and_batch(
