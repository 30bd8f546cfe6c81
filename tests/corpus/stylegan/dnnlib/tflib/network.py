import tensorflow as tf
                self.input_templates = [tf.placeholder(tf.float32, name=name) for name in self.input_names]
                    in_expr = [tf.placeholder(tf.float32, name=name) for name in self.input_names]
