#include <stdbool.h>
#include <stdio.h>
#include <vector>
#include <iostream>
#include "nms_cuda_kernel.h"
__global__ void nms_kernel(int n_boxes, float nms_overlap_thresh,
