import tensorflow as tf
                    update_value = tf.placeholder(_dtype)
