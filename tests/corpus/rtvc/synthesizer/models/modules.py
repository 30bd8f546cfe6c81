import tensorflow as tf
        self.H_layer = tf.layers.Dense(units=self.units, activation=tf.nn.relu, name="H")
        self.T_layer = tf.layers.Dense(units=self.units, activation=tf.nn.sigmoid, name="T",
