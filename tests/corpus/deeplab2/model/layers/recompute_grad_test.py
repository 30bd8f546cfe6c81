import tensorflow as tf
          if tf.executing_eagerly() else tf.compat.v1.tpu.rewrite(f, (x,)))
        self.evaluate(tf.compat.v1.tpu.initialize_system())
