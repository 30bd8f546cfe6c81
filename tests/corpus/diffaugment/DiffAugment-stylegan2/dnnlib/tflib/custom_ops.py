import tensorflow as tf
    nvcc_path = 'nvcc'
