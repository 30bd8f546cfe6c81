    import tensorflow as tf
