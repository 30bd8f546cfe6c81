import tensorflow as tf
import tensorflow_probability as tfp
    return self._opt.variables()
      self._opt.apply_gradients(
