#include <stdio.h>
#include <vector>
#include <math.h>
#include <float.h>
#include "roi_pooling_kernel.h"
__global__ void ROIPoolForward(const int nthreads, const float* bottom_data,
__global__ void ROIPoolBackward(const int nthreads, const float* top_diff,
