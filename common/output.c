/* output.c — not implemented yet */
#include "output.h"
