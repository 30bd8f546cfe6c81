    with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
