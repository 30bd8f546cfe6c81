import torch
from trak.projectors import BasicProjector, CudaProjector, ProjectionType
        import fast_jl
