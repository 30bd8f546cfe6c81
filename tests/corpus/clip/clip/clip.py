import torch
if packaging.version.parse(torch.__version__) < packaging.version.parse("1.7.1"):
