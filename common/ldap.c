/* ldap.c — not implemented yet */
#include "ldap.h"
