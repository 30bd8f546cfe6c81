#include "common.h"
#include "rasterize.h"
