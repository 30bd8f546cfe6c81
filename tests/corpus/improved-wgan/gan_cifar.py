import tensorflow as tf
real_data_int = tf.placeholder(tf.int32, shape=[BATCH_SIZE, OUTPUT_DIM])
with tf.Session() as session:
