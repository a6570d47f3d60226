/* iwa.c — not implemented yet */
#include "iwa.h"
