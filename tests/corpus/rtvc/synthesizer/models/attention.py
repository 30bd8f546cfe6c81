import tensorflow as tf
		initializer=tf.contrib.layers.xavier_initializer())
		self.location_convolution = tf.layers.Conv1D(filters=hparams.attention_filters,
