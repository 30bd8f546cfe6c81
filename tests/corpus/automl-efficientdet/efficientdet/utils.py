import tensorflow.compat.v1 as tf
  tf.compat.v1.keras.layers.enable_v2_dtype_behavior()
