#include "MsDeformAttn/ms_deform_attn.h"
