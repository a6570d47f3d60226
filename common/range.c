/* range.c — not implemented yet */
#include "range.h"
