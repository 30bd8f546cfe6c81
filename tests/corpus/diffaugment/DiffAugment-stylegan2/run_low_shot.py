from dnnlib import tflib
