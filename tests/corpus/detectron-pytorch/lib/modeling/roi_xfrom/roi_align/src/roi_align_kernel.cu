#include <stdio.h>
#include <math.h>
#include <float.h>
#include "roi_align_kernel.h"
    __global__ void ROIAlignForward(const int nthreads, const float* bottom_data, const float spatial_scale, const int height, const int width,
    __global__ void ROIAlignBackward(const int nthreads, const float* top_diff, const float spatial_scale, const int height, const int width,
