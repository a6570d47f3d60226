/* util.c — not implemented yet */
#include "util.h"
