#include <ATen/cuda/CUDAContext.h>
#include <torch/extension.h>
