import tensorflow as tf
  tf.config.experimental.set_visible_devices([], "GPU")
