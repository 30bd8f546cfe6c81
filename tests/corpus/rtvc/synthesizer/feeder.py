import tensorflow as tf
				tf.placeholder(tf.int32, shape=(None, None), name="inputs"),
				tf.placeholder(tf.int32, shape=(None, ), name="input_lengths"),
