import tensorflow as tf
from tensorflow.keras import mixed_precision as prec
