#include "paddle/extension.h"
#include "rbox_iou_utils.h"
