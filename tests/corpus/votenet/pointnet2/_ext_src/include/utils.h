#include <ATen/cuda/CUDAContext.h>
#include <torch/extension.h>
    AT_CHECK(x.type().is_cuda(), #x " must be a CUDA tensor"); \
    AT_CHECK(x.is_contiguous(), #x " must be a contiguous tensor"); \
    AT_CHECK(x.scalar_type() == at::ScalarType::Int, \
    AT_CHECK(x.scalar_type() == at::ScalarType::Float, \
