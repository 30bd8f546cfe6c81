#include <ATen/ATen.h>
#include <c10/cuda/CUDAGuard.h>
