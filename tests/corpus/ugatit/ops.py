import tensorflow as tf
            x = tf.layers.conv2d(inputs=x, filters=channels,
            x = tf.layers.dense(x, units=units, kernel_initializer=weight_init, kernel_regularizer=weight_regularizer, use_bias=use_bias)
