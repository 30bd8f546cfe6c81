import torch
print "Init..."
import tensorflow as tf
    for i in xrange(0, NUM_SAMPLES, BATCH_SIZE):
    with tf.Session(config=config) as sess:
