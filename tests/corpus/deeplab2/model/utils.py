import tensorflow as tf
  This returns the same output as tf.compat.v1.image.resize(input_tensor,
    tf_method = tf.compat.v1.image.ResizeMethod.BILINEAR
