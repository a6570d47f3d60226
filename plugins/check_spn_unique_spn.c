/* check_spn_unique_spn.c — pure helpers of check_spn_unique (no I/O, no global state):
 * SPN lists and variants, case-insensitive comparison, filters, account matching,
 * userAccountControl, and the audit hash table. */
#include "check_spn_unique.h"
#include "directory.h" /* iwa_ldap_escape */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SPN_MAX_LEN 512

static char fold(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive equality of two SPNs (ASCII folding, like AD for these names). */
bool spn_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return false;
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (fold(*a) != fold(*b))
			return false;
	return *a == *b;
}

/* FNV-1a over the folded bytes. */
uint32_t spn_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)fold(*s);
		h *= 16777619u;
	}
	return h;
}

/* Adds a copy of spn unless present (case-insensitive). Returns 1 added, 0 present, or
 * IWA_ENOMEM. */
int spn_list_add(struct spn_list *l, const char *spn)
{
	size_t i;
	char *copy;

	for (i = 0; i < l->n; i++)
		if (spn_equal(l->v[i], spn))
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **v = realloc(l->v, cap * sizeof *v);

		if (v == NULL)
			return IWA_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	copy = iwa_strdup(spn);
	if (copy == NULL)
		return IWA_ENOMEM;
	l->v[l->n++] = copy;
	return 1;
}

void spn_list_free(struct spn_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* Checks "class/host[...]" shape; see the header. */
int spn_validate(const char *spn, const char *what, struct iwa_err *err)
{
	const char *slash;
	size_t len;
	const unsigned char *p;

	if (spn == NULL || spn[0] == '\0')
		return iwa_err_set(err, IWA_EINVAL, "%s: empty SPN", what);
	len = strlen(spn);
	if (len > SPN_MAX_LEN)
		return iwa_err_set(err, IWA_EINVAL, "%s: SPN longer than %d bytes", what,
				   SPN_MAX_LEN);
	for (p = (const unsigned char *)spn; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f)
			return iwa_err_set(err, IWA_EINVAL,
					   "%s: '%s' holds a space or control character", what,
					   spn);
	slash = strchr(spn, '/');
	if (slash == NULL || slash == spn || slash[1] == '\0' || slash[1] == '/' || slash[1] == ':')
		return iwa_err_set(err, IWA_EINVAL,
				   "%s: '%s' is not an SPN (expected CLASS/HOST, e.g. "
				   "HTTP/sso.example.com)",
				   what, spn);
	return 0;
}

/* Checks a DNS name for --fqdn. */
int spn_validate_fqdn(const char *fqdn, struct iwa_err *err)
{
	const char *p;
	size_t label = 0;

	if (fqdn == NULL || fqdn[0] == '\0')
		return iwa_err_set(err, IWA_EINVAL, "-f/--fqdn: empty name");
	if (strlen(fqdn) > 253)
		return iwa_err_set(err, IWA_EINVAL, "-f/--fqdn: name longer than 253 characters");
	for (p = fqdn; *p != '\0'; p++) {
		char c = *p;

		if (c == '.') {
			if (label == 0)
				return iwa_err_set(err, IWA_EINVAL,
						   "-f/--fqdn: '%s' has an empty label", fqdn);
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return iwa_err_set(err, IWA_EINVAL,
					   "-f/--fqdn: '%s' is not a DNS name (character '%c')",
					   fqdn, c);
		if (++label > 63)
			return iwa_err_set(err, IWA_EINVAL,
					   "-f/--fqdn: a label of '%s' is too long", fqdn);
	}
	if (label == 0)
		return iwa_err_set(err, IWA_EINVAL, "-f/--fqdn: '%s' ends with a dot", fqdn);
	return 0;
}

/* Adds "cls/host[:port]" to l. */
static int add_form(struct spn_list *l, const char *cls, const char *host, size_t hostlen,
		    unsigned port)
{
	char buf[SPN_MAX_LEN + 32];
	int rc;

	if (port != 0)
		snprintf(buf, sizeof buf, "%s/%.*s:%u", cls, (int)hostlen, host, port);
	else
		snprintf(buf, sizeof buf, "%s/%.*s", cls, (int)hostlen, host);
	rc = spn_list_add(l, buf);
	return rc < 0 ? rc : 0;
}

/* The variants of a browser's request for fqdn (see the header for the order). */
int spn_expand_fqdn(const char *fqdn, const unsigned *ports, size_t nports, struct spn_list *l)
{
	size_t flen = strlen(fqdn);
	size_t slen = strcspn(fqdn, ".");
	bool has_short = slen < flen && slen > 0;
	size_t i;
	int rc;

	if ((rc = add_form(l, "HTTP", fqdn, flen, 0)) < 0)
		return rc;
	if (has_short && (rc = add_form(l, "HTTP", fqdn, slen, 0)) < 0)
		return rc;
	if ((rc = add_form(l, "HOST", fqdn, flen, 0)) < 0)
		return rc;
	if (has_short && (rc = add_form(l, "HOST", fqdn, slen, 0)) < 0)
		return rc;
	for (i = 0; i < nports; i++)
		if ((rc = add_form(l, "HTTP", fqdn, flen, ports[i])) < 0)
			return rc;
	return 0;
}

/* The filter for all SPNs of l (see the header). */
int spn_build_filter(const struct spn_list *l, struct iwa_buf *out)
{
	size_t i;
	int rc = 0;

	if (l->n == 0)
		return IWA_EINVAL;
	if (l->n > 1)
		rc = iwa_buf_adds(out, "(|");
	for (i = 0; rc == 0 && i < l->n; i++) {
		rc = iwa_buf_adds(out, "(servicePrincipalName=");
		if (rc == 0)
			rc = iwa_ldap_escape(out, l->v[i]);
		if (rc == 0)
			rc = iwa_buf_adds(out, ")");
	}
	if (rc == 0 && l->n > 1)
		rc = iwa_buf_adds(out, ")");
	return rc;
}

size_t spn_class_len(const char *spn)
{
	return strcspn(spn, "/");
}

/* ------------------------------------------------------------------ accounts */

enum spn_kind spn_kind_from_classes(const char *const *classes, size_t n)
{
	enum spn_kind k = SPN_KIND_OTHER;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcasecmp(classes[i], "computer") == 0)
			return SPN_KIND_COMPUTER;
		if (strcasecmp(classes[i], "user") == 0)
			k = SPN_KIND_USER;
	}
	return k;
}

const char *spn_kind_name(enum spn_kind k)
{
	switch (k) {
	case SPN_KIND_USER:
		return "user";
	case SPN_KIND_COMPUTER:
		return "computer";
	default:
		return "object";
	}
}

/* Parses a decimal of len bytes (optional '-') into a signed 64-bit value within [lo, hi]. */
static int parse_decimal(const char *s, size_t len, long long lo, long long hi, long long *out)
{
	bool neg = false;
	unsigned long long v = 0;
	size_t i = 0;

	if (s == NULL || len == 0 || len > 20)
		return IWA_EPARSE;
	if (s[0] == '-') {
		neg = true;
		i = 1;
		if (len == 1)
			return IWA_EPARSE;
	}
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return IWA_EPARSE;
		if (v > (9223372036854775807ULL - (unsigned)(s[i] - '0')) / 10)
			return IWA_EPARSE;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (neg) {
		if ((long long)-(long long)v < lo)
			return IWA_EPARSE;
		*out = -(long long)v;
	} else {
		if (v > (unsigned long long)hi)
			return IWA_EPARSE;
		*out = (long long)v;
	}
	return 0;
}

/* userAccountControl: a 32-bit INTEGER, possibly sent signed. */
int spn_parse_uac(const char *s, size_t len, uint32_t *out)
{
	long long v;

	if (parse_decimal(s, len, -2147483648LL, 4294967295LL, &v) < 0)
		return IWA_EPARSE;
	*out = (uint32_t)(v < 0 ? v + 4294967296LL : v);
	return 0;
}

/* lockoutTime: a non-negative FILETIME. */
int spn_parse_lockout(const char *s, size_t len, long long *out)
{
	long long v;

	if (parse_decimal(s, len, 0, 9223372036854775807LL, &v) < 0)
		return IWA_EPARSE;
	*out = v;
	return 0;
}

/* Names of the set userAccountControl bits, comma separated. */
void spn_uac_describe(uint32_t uac, char *buf, size_t n)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{0x0001, "SCRIPT"},
		{0x0002, "ACCOUNTDISABLE"},
		{0x0008, "HOMEDIR_REQUIRED"},
		{0x0010, "LOCKOUT"},
		{0x0020, "PASSWD_NOTREQD"},
		{0x0040, "PASSWD_CANT_CHANGE"},
		{0x0080, "ENCRYPTED_TEXT_PWD_ALLOWED"},
		{0x0100, "TEMP_DUPLICATE_ACCOUNT"},
		{0x0200, "NORMAL_ACCOUNT"},
		{0x0800, "INTERDOMAIN_TRUST_ACCOUNT"},
		{0x1000, "WORKSTATION_TRUST_ACCOUNT"},
		{0x2000, "SERVER_TRUST_ACCOUNT"},
		{0x10000, "DONT_EXPIRE_PASSWORD"},
		{0x20000, "MNS_LOGON_ACCOUNT"},
		{0x40000, "SMARTCARD_REQUIRED"},
		{0x80000, "TRUSTED_FOR_DELEGATION"},
		{0x100000, "NOT_DELEGATED"},
		{0x200000, "USE_DES_KEY_ONLY"},
		{0x400000, "DONT_REQ_PREAUTH"},
		{0x800000, "PASSWORD_EXPIRED"},
		{0x1000000, "TRUSTED_TO_AUTH_FOR_DELEGATION"},
		{0x4000000, "PARTIAL_SECRETS_ACCOUNT"},
	};
	uint32_t rest = uac;
	size_t used = 0, i;

	if (n == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if ((uac & names[i].bit) == 0)
			continue;
		rest &= ~names[i].bit;
		int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", names[i].name);
		if (w < 0 || (size_t)w >= n - used)
			return;
		used += (size_t)w;
	}
	if (rest != 0)
		(void)snprintf(buf + used, n - used, "%s0x%x", used ? ", " : "", (unsigned)rest);
	else if (used == 0)
		(void)snprintf(buf, n, "none");
}

void spn_owner_clear(struct spn_owner *o)
{
	size_t i;

	if (o == NULL)
		return;
	free(o->dn);
	free(o->sam);
	free(o->upn);
	for (i = 0; i < o->nspns; i++)
		free(o->spns[i]);
	free(o->spns);
	memset(o, 0, sizeof *o);
}

/* Compares two DNs case-insensitively, ignoring spaces right after ',' and '='. */
static bool dn_equal(const char *a, const char *b)
{
	bool after_sep = true;

	for (;;) {
		if (after_sep) {
			while (*a == ' ')
				a++;
			while (*b == ' ')
				b++;
		}
		if (*a == '\0' || *b == '\0')
			return *a == *b;
		if (fold(*a) != fold(*b))
			return false;
		after_sep = *a == ',' || *a == '=';
		a++;
		b++;
	}
}

/* Case-insensitive equality of sAMAccountName and name, accepting "SERVER1" for "SERVER1$". */
static bool sam_matches(const char *sam, const char *name, size_t nlen)
{
	size_t slen;

	if (sam == NULL)
		return false;
	slen = strlen(sam);
	if (slen == nlen && strncasecmp(sam, name, nlen) == 0)
		return true;
	return slen == nlen + 1 && sam[nlen] == '$' && strncasecmp(sam, name, nlen) == 0;
}

bool spn_account_matches(const char *expect, const struct spn_owner *o)
{
	const char *bs, *at;

	if (expect == NULL || o == NULL || expect[0] == '\0')
		return false;
	if (strchr(expect, '=') != NULL)
		return o->dn != NULL && dn_equal(expect, o->dn);
	bs = strrchr(expect, '\\');
	if (bs != NULL)
		return sam_matches(o->sam, bs + 1, strlen(bs + 1));
	at = strchr(expect, '@');
	if (at != NULL) {
		if (o->upn != NULL)
			return strcasecmp(o->upn, expect) == 0;
		return sam_matches(o->sam, expect, (size_t)(at - expect));
	}
	return sam_matches(o->sam, expect, strlen(expect));
}

const char *spn_owner_name(const struct spn_owner *o)
{
	if (o->sam != NULL && o->sam[0] != '\0')
		return o->sam;
	return o->dn != NULL ? o->dn : "(unknown)";
}

void spn_setspn_account(const struct spn_owner *o, char *buf, size_t n)
{
	size_t len;

	if (o->sam == NULL || o->sam[0] == '\0') {
		snprintf(buf, n, "\"%s\"", o->dn != NULL ? o->dn : "");
		return;
	}
	len = strlen(o->sam);
	if (o->kind == SPN_KIND_COMPUTER && len > 1 && o->sam[len - 1] == '$')
		snprintf(buf, n, "%.*s", (int)(len - 1), o->sam);
	else
		snprintf(buf, n, "%s", o->sam);
}

void spn_expect_setspn_name(const char *expect, char *buf, size_t n)
{
	const char *p;

	if (expect == NULL) {
		snprintf(buf, n, "<service account>");
		return;
	}
	if (strchr(expect, '=') != NULL) {
		/* RDN value of a DN: "CN=cam-svc,OU=..." -> "cam-svc" */
		p = strchr(expect, '=') + 1;
		snprintf(buf, n, "%.*s", (int)strcspn(p, ","), p);
		return;
	}
	p = strrchr(expect, '\\');
	if (p != NULL) {
		snprintf(buf, n, "%s", p + 1);
		return;
	}
	snprintf(buf, n, "%.*s", (int)strcspn(expect, "@"), expect);
}

/* ------------------------------------------------------------------ audit table */

/* Entries and their strings are carved from 1 MiB chunks (no malloc header per entry and per
 * string: 200,000 SPNs took 96 bytes each in two mallocs, 72 here). */
#define CHUNK_BYTES ((size_t)1 << 20)
struct spn_chunk {
	struct spn_chunk *next;
	size_t used;
	_Alignas(8) unsigned char data[];
};

struct spn_table {
	struct spn_entry **slots; /* open addressing, linear probing */
	size_t cap;               /* power of two */
	size_t n;
	size_t bytes;
	struct spn_chunk *chunks; /* newest first */
};

/* size bytes (8-aligned) from the newest chunk, or a new one; NULL when out of memory. */
static void *table_alloc(struct spn_table *t, size_t size)
{
	struct spn_chunk *c = t->chunks;
	size_t room = CHUNK_BYTES - sizeof *c;

	size = (size + 7) & ~(size_t)7;
	if (size > room)
		return NULL; /* an SPN is at most 1023 bytes here */
	if (c == NULL || room - c->used < size) {
		c = malloc(CHUNK_BYTES);
		if (c == NULL)
			return NULL;
		c->next = t->chunks;
		c->used = 0;
		t->chunks = c;
		t->bytes += sizeof *c;
	}
	c->used += size;
	return c->data + c->used - size;
}

uint32_t spn_entry_owner(const struct spn_entry *e, uint32_t i)
{
	return i == 0 ? e->owner0 : e->more[i - 1];
}

struct spn_table *spn_table_new(void)
{
	struct spn_table *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->cap = 1024;
	t->slots = calloc(t->cap, sizeof *t->slots);
	if (t->slots == NULL) {
		free(t);
		return NULL;
	}
	t->bytes = sizeof *t + t->cap * sizeof *t->slots;
	return t;
}

/* Doubles the slot array and re-inserts every entry. */
static int grow(struct spn_table *t)
{
	size_t cap = t->cap * 2, i;
	struct spn_entry **slots = calloc(cap, sizeof *slots);

	if (slots == NULL)
		return IWA_ENOMEM;
	for (i = 0; i < t->cap; i++) {
		struct spn_entry *e = t->slots[i];
		size_t j;

		if (e == NULL)
			continue;
		for (j = e->hash & (cap - 1); slots[j] != NULL; j = (j + 1) & (cap - 1))
			;
		slots[j] = e;
	}
	free(t->slots);
	t->bytes += (cap - t->cap) * sizeof *slots;
	t->slots = slots;
	t->cap = cap;
	return 0;
}

/* Adds owner to e (once: consecutive values of one object come together, so a repeat of the
 * last owner is the same object). */
static int entry_add_owner(struct spn_table *t, struct spn_entry *e, uint32_t owner)
{
	uint32_t last = spn_entry_owner(e, e->n_owners - 1);

	if (last == owner)
		return 0;
	if (e->n_owners - 1 == e->more_cap) {
		uint32_t cap = e->more_cap ? e->more_cap * 2 : 2;
		uint32_t *m = realloc(e->more, cap * sizeof *m);

		if (m == NULL)
			return IWA_ENOMEM;
		t->bytes += (cap - e->more_cap) * sizeof *m;
		e->more = m;
		e->more_cap = cap;
	}
	e->more[e->n_owners - 1] = owner;
	e->n_owners++;
	return 0;
}

int spn_table_add(struct spn_table *t, const char *spn, uint32_t owner)
{
	uint32_t h = spn_hash(spn);
	struct spn_entry *e;
	size_t i, len;
	int rc;

	for (i = h & (t->cap - 1); t->slots[i] != NULL; i = (i + 1) & (t->cap - 1)) {
		e = t->slots[i];
		if (e->hash == h && spn_equal(e->spn, spn)) {
			/* Show one spelling whatever order the directory returns the owners in:
			 * the smallest byte-wise (spellings of one SPN differ only in case). */
			len = strlen(spn);

			if (strcmp(spn, e->spn) < 0 && strlen(e->spn) == len)
				memcpy(e->spn, spn, len);
			return entry_add_owner(t, e, owner);
		}
	}
	if ((t->n + 1) * 10 > t->cap * 7) {
		rc = grow(t);
		if (rc < 0)
			return rc;
		for (i = h & (t->cap - 1); t->slots[i] != NULL; i = (i + 1) & (t->cap - 1))
			;
	}
	len = strlen(spn);
	e = table_alloc(t, sizeof *e + len + 1);
	if (e == NULL)
		return IWA_ENOMEM;
	memset(e, 0, sizeof *e);
	e->spn = (char *)(e + 1);
	memcpy(e->spn, spn, len + 1);
	e->hash = h;
	e->n_owners = 1;
	e->owner0 = owner;
	t->slots[i] = e;
	t->n++;
	t->bytes += ((sizeof *e + len + 1 + 7) & ~(size_t)7);
	return 0;
}

size_t spn_table_distinct(const struct spn_table *t)
{
	return t != NULL ? t->n : 0;
}

size_t spn_table_bytes(const struct spn_table *t)
{
	return t != NULL ? t->bytes : 0;
}

/* Case-insensitive order of two entries (for qsort). */
static int entry_cmp(const void *a, const void *b)
{
	const struct spn_entry *x = *(const struct spn_entry *const *)a;
	const struct spn_entry *y = *(const struct spn_entry *const *)b;
	int c = strcasecmp(x->spn, y->spn);

	return c != 0 ? c : strcmp(x->spn, y->spn);
}

int spn_table_duplicates(const struct spn_table *t, const struct spn_entry ***dups_out,
			 size_t *n_out)
{
	const struct spn_entry **d = NULL;
	size_t n = 0, cap = 0, i;

	for (i = 0; i < t->cap; i++) {
		const struct spn_entry *e = t->slots[i];

		if (e == NULL || e->n_owners < 2)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			const struct spn_entry **nd = realloc(d, nc * sizeof *nd);

			if (nd == NULL) {
				free(d);
				return IWA_ENOMEM;
			}
			d = nd;
			cap = nc;
		}
		d[n++] = e;
	}
	if (n > 1)
		qsort(d, n, sizeof *d, entry_cmp);
	*dups_out = d;
	*n_out = n;
	return 0;
}

void spn_table_free(struct spn_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->cap; i++)
		if (t->slots[i] != NULL)
			free(t->slots[i]->more);
	while (t->chunks != NULL) {
		struct spn_chunk *c = t->chunks;
		t->chunks = c->next;
		free(c);
	}
	free(t->slots);
	free(t);
}

/* ------------------------------------------------------------------ RC4 retirement */

#define FILETIME_UNIX_EPOCH 116444736000000000LL /* 1970-01-01 in 100 ns since 1601 */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

int spn_parse_gentime(const char *s, size_t len, long long *out)
{
	int v[6];
	static const int width[6] = {4, 2, 2, 2, 2, 2};
	static const int lo[6] = {1601, 1, 1, 0, 0, 0}, hi[6] = {9999, 12, 31, 23, 59, 60};
	size_t p = 0;
	long long days;

	if (s == NULL || len < 15)
		return IWA_EPARSE;
	for (int i = 0; i < 6; i++) {
		v[i] = 0;
		for (int k = 0; k < width[i]; k++, p++) {
			if (s[p] < '0' || s[p] > '9')
				return IWA_EPARSE;
			v[i] = v[i] * 10 + (s[p] - '0');
		}
		if (v[i] < lo[i] || v[i] > hi[i])
			return IWA_EPARSE;
	}
	if (s[p] == '.') { /* fraction: ignored */
		p++;
		while (p < len && s[p] >= '0' && s[p] <= '9')
			p++;
	}
	if (p != len - 1 || s[p] != 'Z')
		return IWA_EPARSE;
	days = days_from_civil(v[0], (unsigned)v[1], (unsigned)v[2]);
	*out = ((days * 86400LL + v[3] * 3600LL + v[4] * 60LL + v[5]) * 10000000LL) +
	       FILETIME_UNIX_EPOCH;
	return 0;
}

void spn_filetime_date(long long ft, char *buf, size_t n)
{
	time_t t = (time_t)((ft - FILETIME_UNIX_EPOCH) / 10000000LL);
	struct tm tm;

	if (ft <= 0 || gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, n, "never");
		return;
	}
	strftime(buf, n, "%Y-%m-%d", &tm);
}

bool spn_set_rc4_only(uint32_t set)
{
	return (set & SPN_SET_RC4) != 0 && (set & SPN_SET_AES) == 0;
}

/* A domain made at level 2008 or later creates its first accounts (krbtgt, Administrator, ...)
 * with AES keys seconds BEFORE the RID-521 group (whose whenCreated also drops the fraction of a
 * second): a password set in the hour before the AES date is not judged as predating it. An
 * upgrade from level 2003 is a later, separate moment. */
#define SPN_AES_DATE_SLACK (10000000LL * 3600) /* FILETIME: 1 hour */

bool spn_pwd_predates_aes(const struct spn_owner *o, bool has_aes_date, long long aes_date)
{
	return has_aes_date && o->has_pwdlastset && o->pwdlastset > 0 &&
	       o->pwdlastset < aes_date - SPN_AES_DATE_SLACK;
}

enum spn_rc4_audit spn_rc4_audit_owner(const struct spn_owner *o, bool has_aes_date,
				       long long aes_date)
{
	if (spn_pwd_predates_aes(o, has_aes_date, aes_date))
		return SPN_RC4_NO_AES;
	if (o->has_set && spn_set_rc4_only(o->set))
		return SPN_RC4_ONLY;
	return SPN_RC4_FINE;
}
