/* budget.c — not implemented yet */
#include "budget.h"
