import tensorflow as tf
def create_session(config_dict: dict = None, force_as_default: bool = False) -> tf.Session:
