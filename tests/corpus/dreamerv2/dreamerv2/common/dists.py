import tensorflow as tf
import tensorflow_probability as tfp
