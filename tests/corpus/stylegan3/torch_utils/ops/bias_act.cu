#include <c10/util/Half.h>
