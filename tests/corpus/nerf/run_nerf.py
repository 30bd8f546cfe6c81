import tensorflow as tf
tf.compat.v1.enable_eager_execution()
        tf.compat.v1.set_random_seed(args.random_seed)
