import tensorflow as tf
        ids_placeholder: a tf.placeholder of type int32.
    ids_placeholder = tf.placeholder('int32',
