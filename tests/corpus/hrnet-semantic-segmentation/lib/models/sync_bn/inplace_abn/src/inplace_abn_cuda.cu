#include <ATen/ATen.h>
#ifndef AT_CHECK
  #define AT_CHECK AT_ASSERT
#endif
#define CHECK_CUDA(x) AT_CHECK(x.type().is_cuda(), #x " must be a CUDA tensor")
