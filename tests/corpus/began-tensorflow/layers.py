import tensorflow as tf
        self.variables = tf.contrib.framework.get_variables(vs)
        self.variables = tf.contrib.framework.get_variables(vs)
