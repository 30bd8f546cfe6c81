import tensorflow as tf
from tensorflow.keras.mixed_precision import experimental as prec
