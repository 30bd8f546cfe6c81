import tensorflow as tf
class DeepLab(tf.keras.Model):
          tf.keras.layers.experimental.SyncBatchNormalization,
