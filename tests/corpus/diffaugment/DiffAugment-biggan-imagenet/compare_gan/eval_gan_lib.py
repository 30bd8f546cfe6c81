import tensorflow as tf
    sess: `tf.Session` object. Checkpoint should already be loaded.
    with tf.Session() as sess:
