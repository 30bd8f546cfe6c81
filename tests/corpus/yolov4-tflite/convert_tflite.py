import tensorflow as tf
    converter.target_spec.supported_types = [tf.compat.v1.lite.constants.FLOAT16]
