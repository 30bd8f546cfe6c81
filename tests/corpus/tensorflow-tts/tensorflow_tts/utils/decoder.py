import tensorflow as tf
            tf.compat.v1.get_default_graph()
