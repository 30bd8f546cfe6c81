#include <stdio.h>
#include <vector>
#include <math.h>
#include <float.h>
#include "roi_pooling_kernel.h"
