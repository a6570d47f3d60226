/* perfdata.c — not implemented yet */
#include "perfdata.h"
