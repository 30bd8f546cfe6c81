import tensorflow as tf
    cmd = 'nvcc ' + opts.strip()
