import tensorflow as tf
            print "--- Get model and loss"
