import tensorflow as tf
      piece_pixel_mask_logits = tf.compat.v1.image.resize_bilinear(
