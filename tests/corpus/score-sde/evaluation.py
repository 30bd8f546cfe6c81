import jax
    return tf.nest.map_structure(tf.compat.v1.layers.flatten, output)
