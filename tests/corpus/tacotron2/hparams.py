import tensorflow as tf
    hparams = tf.contrib.training.HParams(
