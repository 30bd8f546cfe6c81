        import tensorflow as tf
                sess = tf.Session(graph=graph)
