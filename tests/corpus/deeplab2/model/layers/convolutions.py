import tensorflow as tf
      inputs = tf.compat.v1.pad(inputs, self._compute_causal_padding(inputs))
        inner_shape = tf.compat.v1.shape(inp)[-inner_rank:]
