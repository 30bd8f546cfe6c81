        import tensorflow as tf
