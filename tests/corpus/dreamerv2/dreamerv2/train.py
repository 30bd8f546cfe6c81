  import tensorflow as tf
