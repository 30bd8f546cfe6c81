import tensorflow as tf
        lod_in = tf.placeholder(tf.float32, name='lod_in', shape=[])
