#include "cuda_utils.h"
