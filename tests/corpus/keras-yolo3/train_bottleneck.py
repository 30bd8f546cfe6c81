import keras.backend as K
