import tensorflow as tf
DEVICES = ['/gpu:{}'.format(i) for i in xrange(N_GPUS)]
with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as session:
    all_real_data_conv = tf.placeholder(tf.int32, shape=[BATCH_SIZE, 3, 64, 64])
