import tensorflow as tf
set_session(tf.Session(config=config))
