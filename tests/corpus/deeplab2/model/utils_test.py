import tensorflow as tf
        expected_tensor = tf.compat.v1.image.resize(
            method=tf.compat.v1.image.ResizeMethod.BILINEAR)
