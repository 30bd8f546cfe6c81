import tensorflow as tf
real_inputs_discrete = tf.placeholder(tf.int32, shape=[BATCH_SIZE, SEQ_LEN])
with tf.Session() as session:
