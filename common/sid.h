/* sid.h — Windows security identifiers (MS-DTYP 2.4.2): binary <-> "S-1-..." text, and the
 * well-known SIDs a GPO's user-rights lists use (S-1-5-32-568 = IIS_IUSRS ...).
 * Pure functions, no I/O, no global state. */
#ifndef IWA_SID_H
#define IWA_SID_H

#include "iwa.h"
#include <stdint.h>

#define IWA_SID_MAX_SUB 15
/* Longest text form: "S-255-" + 48-bit authority (15 digits) + 15 * "-4294967295" + NUL. */
#define IWA_SID_STR_MAX 192

struct iwa_sid {
	uint8_t revision;
	uint8_t nsub;
	uint64_t authority; /* 48 bits */
	uint32_t sub[IWA_SID_MAX_SUB];
};

/* Parses a binary SID at the start of buf (len bytes available). *used_out (may be NULL)
 * receives its size (8 + 4 * nsub). IWA_EPARSE when short or revision != 1. */
int iwa_sid_from_bin(const uint8_t *buf, size_t len, struct iwa_sid *out, size_t *used_out,
		     struct iwa_err *err);
/* Writes the binary form into buf (cap bytes); *len_out = bytes written. IWA_EINVAL if short. */
int iwa_sid_to_bin(const struct iwa_sid *sid, uint8_t *buf, size_t cap, size_t *len_out,
		   struct iwa_err *err);
/* Parses "S-1-5-21-1-2-3-1105" (case-insensitive 's', decimal parts, 0..15 sub-authorities,
 * authority < 2^48, optional "0x" hex authority as MS-DTYP allows). IWA_EPARSE otherwise. */
int iwa_sid_from_str(const char *s, struct iwa_sid *out, struct iwa_err *err);
/* Formats into buf (IWA_SID_STR_MAX is always enough); returns buf. */
char *iwa_sid_to_str(const struct iwa_sid *sid, char *buf, size_t cap);
bool iwa_sid_equal(const struct iwa_sid *a, const struct iwa_sid *b);
/* Name of a well-known SID ("IIS_IUSRS", "Authenticated Users", "Domain Computers" for
 * S-1-5-21-*-515 ...), or NULL. */
const char *iwa_sid_wellknown_name(const struct iwa_sid *sid);
/* Reverse lookup of a well-known, domain-independent name ("BUILTIN\\IIS_IUSRS",
 * "NT AUTHORITY\\NETWORK SERVICE", "Administrators"; case-insensitive). 0 or IWA_ENOTFOUND. */
int iwa_sid_from_wellknown_name(const char *name, struct iwa_sid *out);

#endif
