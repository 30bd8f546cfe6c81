import tensorflow as tf
        inputs = tf.placeholder(tf.int32, (None, None), name="inputs")
        input_lengths = tf.placeholder(tf.int32, (None,), name="input_lengths")
