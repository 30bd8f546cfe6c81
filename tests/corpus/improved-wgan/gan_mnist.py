import tensorflow as tf
real_data = tf.placeholder(tf.float32, shape=[BATCH_SIZE, OUTPUT_DIM])
with tf.Session() as session:
