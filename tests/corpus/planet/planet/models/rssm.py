import tensorflow as tf
    self._cell = tf.contrib.rnn.GRUBlockCell(self._belief_size)
      hidden = tf.layers.dense(hidden, **self._kwargs)
