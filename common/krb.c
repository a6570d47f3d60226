/* krb.c — not implemented yet */
#include "krb.h"
