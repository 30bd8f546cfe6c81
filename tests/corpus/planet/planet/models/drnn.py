import tensorflow as tf
    self._encoder_cell = tf.contrib.rnn.GRUBlockCell(self._belief_size)
    self._decoder_cell = tf.contrib.rnn.GRUBlockCell(self._belief_size)
