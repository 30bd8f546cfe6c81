#include <torch/serialize/tensor.h>
#include <THC/THC.h>
extern THCState *state;
