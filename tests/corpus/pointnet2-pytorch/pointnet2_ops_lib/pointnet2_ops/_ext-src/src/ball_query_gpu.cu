#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "cuda_utils.h"
