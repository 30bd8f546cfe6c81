import tensorflow as tf
    return ds.prefetch(tf.contrib.data.AUTOTUNE)
    return ds.prefetch(tf.contrib.data.AUTOTUNE)
