/* sid.c — Windows SIDs: binary and text forms, well-known names. */
#include "sid.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Domain-independent well-known SIDs (MS-DTYP 2.4.2.4). */
static const struct {
	const char *sid;
	const char *name;
	const char *prefix; /* the authority Windows shows before the name */
} wellknown[] = {
	{"S-1-1-0", "Everyone", NULL},
	{"S-1-3-0", "CREATOR OWNER", NULL},
	{"S-1-5-2", "NETWORK", "NT AUTHORITY"},
	{"S-1-5-3", "BATCH", "NT AUTHORITY"},
	{"S-1-5-4", "INTERACTIVE", "NT AUTHORITY"},
	{"S-1-5-6", "SERVICE", "NT AUTHORITY"},
	{"S-1-5-9", "ENTERPRISE DOMAIN CONTROLLERS", "NT AUTHORITY"},
	{"S-1-5-11", "Authenticated Users", "NT AUTHORITY"},
	{"S-1-5-18", "SYSTEM", "NT AUTHORITY"},
	{"S-1-5-19", "LOCAL SERVICE", "NT AUTHORITY"},
	{"S-1-5-20", "NETWORK SERVICE", "NT AUTHORITY"},
	{"S-1-5-32-544", "Administrators", "BUILTIN"},
	{"S-1-5-32-545", "Users", "BUILTIN"},
	{"S-1-5-32-546", "Guests", "BUILTIN"},
	{"S-1-5-32-551", "Backup Operators", "BUILTIN"},
	{"S-1-5-32-559", "Performance Log Users", "BUILTIN"},
	{"S-1-5-32-568", "IIS_IUSRS", "BUILTIN"},
	{"S-1-5-82-0", "IIS APPPOOL", NULL},
};

/* Domain-relative RIDs (S-1-5-21-a-b-c-RID). */
static const struct {
	uint32_t rid;
	const char *name;
} domain_rids[] = {
	{500, "Administrator"},
	{501, "Guest"},
	{502, "krbtgt"},
	{512, "Domain Admins"},
	{513, "Domain Users"},
	{514, "Domain Guests"},
	{515, "Domain Computers"},
	{516, "Domain Controllers"},
	{517, "Cert Publishers"},
	{518, "Schema Admins"},
	{519, "Enterprise Admins"},
	{520, "Group Policy Creator Owners"},
};

/* Parses a binary SID: revision(1) count(1) authority(6, big endian) sub(4 * count, LE). */
int iwa_sid_from_bin(const uint8_t *buf, size_t len, struct iwa_sid *out, size_t *used_out,
		     struct iwa_err *err)
{
	struct iwa_sid s;
	size_t need;

	if (buf == NULL || len < 8)
		return iwa_err_set(err, IWA_EPARSE, "SID shorter than 8 bytes");
	if (buf[0] != 1)
		return iwa_err_set(err, IWA_EPARSE, "SID revision %u (only 1 exists)", buf[0]);
	if (buf[1] > IWA_SID_MAX_SUB)
		return iwa_err_set(err, IWA_EPARSE, "SID with %u sub-authorities (at most 15)",
				   buf[1]);
	need = 8 + 4 * (size_t)buf[1];
	if (len < need)
		return iwa_err_set(err, IWA_EPARSE, "SID truncated (%zu of %zu bytes)", len, need);
	memset(&s, 0, sizeof(s));
	s.revision = 1;
	s.nsub = buf[1];
	for (int i = 0; i < 6; i++)
		s.authority = (s.authority << 8) | buf[2 + i];
	for (unsigned i = 0; i < s.nsub; i++) {
		const uint8_t *p = buf + 8 + 4 * i;
		s.sub[i] = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			   (uint32_t)p[3] << 24;
	}
	*out = s;
	if (used_out)
		*used_out = need;
	return 0;
}

/* Writes the binary form of sid. */
int iwa_sid_to_bin(const struct iwa_sid *sid, uint8_t *buf, size_t cap, size_t *len_out,
		   struct iwa_err *err)
{
	size_t need = 8 + 4 * (size_t)sid->nsub;

	if (sid->nsub > IWA_SID_MAX_SUB || cap < need)
		return iwa_err_set(err, IWA_EINVAL, "SID buffer too small");
	buf[0] = sid->revision;
	buf[1] = sid->nsub;
	for (int i = 0; i < 6; i++)
		buf[2 + i] = (uint8_t)(sid->authority >> (8 * (5 - i)));
	for (unsigned i = 0; i < sid->nsub; i++) {
		uint8_t *p = buf + 8 + 4 * i;
		p[0] = (uint8_t)sid->sub[i];
		p[1] = (uint8_t)(sid->sub[i] >> 8);
		p[2] = (uint8_t)(sid->sub[i] >> 16);
		p[3] = (uint8_t)(sid->sub[i] >> 24);
	}
	*len_out = need;
	return 0;
}

/* Reads one unsigned decimal (or 0x hex when hex_ok) number up to max at *p; advances *p. */
static int read_num(const char **p, uint64_t max, bool hex_ok, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int base = 10, digits = 0;

	if (hex_ok && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = tolower((unsigned char)*s) - 'a' + 10;
		else
			break;
		if (v > (max - (uint64_t)d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + (uint64_t)d;
		digits++;
	}
	if (digits == 0)
		return -1;
	*p = s;
	*out = v;
	return 0;
}

/* Parses the text form "S-1-<authority>-<sub>...". */
int iwa_sid_from_str(const char *str, struct iwa_sid *out, struct iwa_err *err)
{
	struct iwa_sid s;
	const char *p = str;
	uint64_t v;

	if (str == NULL || (p[0] != 'S' && p[0] != 's') || p[1] != '-')
		goto bad;
	p += 2;
	if (read_num(&p, 255, false, &v) != 0 || v != 1 || *p != '-')
		goto bad;
	p++;
	memset(&s, 0, sizeof(s));
	s.revision = 1;
	if (read_num(&p, 0xFFFFFFFFFFFFULL, true, &v) != 0)
		goto bad;
	s.authority = v;
	while (*p == '-') {
		p++;
		if (s.nsub == IWA_SID_MAX_SUB || read_num(&p, 0xFFFFFFFFULL, false, &v) != 0)
			goto bad;
		s.sub[s.nsub++] = (uint32_t)v;
	}
	if (*p != '\0')
		goto bad;
	*out = s;
	return 0;
bad:
	return iwa_err_set(err, IWA_EPARSE, "not a SID: \"%.80s\"", str ? str : "(null)");
}

/* Formats a SID as text (authority in hex when >= 2^32, as Windows does). */
char *iwa_sid_to_str(const struct iwa_sid *sid, char *buf, size_t cap)
{
	size_t off;
	int n;

	if (cap == 0)
		return buf;
	if (sid->authority >= (1ULL << 32))
		n = snprintf(buf, cap, "S-%u-0x%012llX", sid->revision,
			     (unsigned long long)sid->authority);
	else
		n = snprintf(buf, cap, "S-%u-%llu", sid->revision,
			     (unsigned long long)sid->authority);
	off = n < 0 ? 0 : (size_t)n;
	for (unsigned i = 0; i < sid->nsub && i < IWA_SID_MAX_SUB && off < cap; i++) {
		n = snprintf(buf + off, cap - off, "-%lu", (unsigned long)sid->sub[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	return buf;
}

bool iwa_sid_equal(const struct iwa_sid *a, const struct iwa_sid *b)
{
	if (a->revision != b->revision || a->nsub != b->nsub || a->authority != b->authority)
		return false;
	for (unsigned i = 0; i < a->nsub && i < IWA_SID_MAX_SUB; i++)
		if (a->sub[i] != b->sub[i])
			return false;
	return true;
}

/* Looks the SID up in the well-known tables. */
const char *iwa_sid_wellknown_name(const struct iwa_sid *sid)
{
	char buf[IWA_SID_STR_MAX];

	iwa_sid_to_str(sid, buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(wellknown) / sizeof(wellknown[0]); i++)
		if (strcmp(buf, wellknown[i].sid) == 0)
			return wellknown[i].name;
	if (sid->authority == 5 && sid->nsub == 5 && sid->sub[0] == 21)
		for (size_t i = 0; i < sizeof(domain_rids) / sizeof(domain_rids[0]); i++)
			if (sid->sub[4] == domain_rids[i].rid)
				return domain_rids[i].name;
	return NULL;
}

/* Finds a domain-independent well-known SID by name, with or without its authority prefix. */
int iwa_sid_from_wellknown_name(const char *name, struct iwa_sid *out)
{
	const char *bs;

	if (name == NULL)
		return IWA_ENOTFOUND;
	bs = strchr(name, '\\');
	for (size_t i = 0; i < sizeof(wellknown) / sizeof(wellknown[0]); i++) {
		const char *n = name;
		if (bs != NULL) {
			size_t plen = (size_t)(bs - name);
			if (wellknown[i].prefix == NULL || strlen(wellknown[i].prefix) != plen ||
			    strncasecmp(wellknown[i].prefix, name, plen) != 0)
				continue;
			n = bs + 1;
		}
		if (strcasecmp(n, wellknown[i].name) == 0)
			return iwa_sid_from_str(wellknown[i].sid, out, NULL) == 0 ? 0
										  : IWA_ENOTFOUND;
	}
	return IWA_ENOTFOUND;
}
