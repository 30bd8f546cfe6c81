from keras import layers, models, optimizers
