from mpi4py import MPI
import torch as th
import torch.distributed as dist
