/* plugin.c — not implemented yet */
#include "plugin.h"
