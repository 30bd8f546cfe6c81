import torch
import kaolin.ops.spc as spc_ops
