from paddle.inference import Config
