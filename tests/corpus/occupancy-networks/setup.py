from torch.utils.cpp_extension import BuildExtension, CppExtension, CUDAExtension
dmc_pred2mesh_module = CppExtension(
dmc_cuda_module = CUDAExtension(
        'im2mesh/dmc/ops/src/curvature_constraint_kernel.cu',
        'im2mesh/dmc/ops/src/grid_pooling_kernel.cu',
        'im2mesh/dmc/ops/src/occupancy_to_topology_kernel.cu',
        'im2mesh/dmc/ops/src/occupancy_connectivity_kernel.cu',
        'im2mesh/dmc/ops/src/point_triangle_distance_kernel.cu',
