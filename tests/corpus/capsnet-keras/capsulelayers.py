import keras.backend as K
import tensorflow as tf
from keras import initializers, layers
            c = tf.nn.softmax(b, dim=1)
