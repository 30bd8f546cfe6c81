#include "searchsorted_cuda_kernel.h"
