#include <c10/util/Half.h>
#include "bias_act.h"
