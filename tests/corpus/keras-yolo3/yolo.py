from keras import backend as K
