#include "common.h"
#include "bsdf.h"
