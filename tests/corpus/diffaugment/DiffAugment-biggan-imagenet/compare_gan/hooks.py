import tensorflow as tf
class AsyncCheckpointSaverHook(tf.contrib.tpu.AsyncCheckpointSaverHook):
  This is the same as tf.contrib.tpu.AsyncCheckpointSaverHook but guarantees
