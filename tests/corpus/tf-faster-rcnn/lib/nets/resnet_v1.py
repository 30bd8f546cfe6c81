import tensorflow as tf
import tensorflow.contrib.slim as slim
        restorer_fc = tf.train.Saver({self._scope + "/conv1/weights": conv1_rgb})
