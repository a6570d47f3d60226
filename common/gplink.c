/* gplink.c — gPLink parsing and MS-GPOL link precedence. */
#include "gplink.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Normalizes a GUID string (braces optional) to "{UPPER}". */
int iwa_gpo_guid_normalize(const char *s, char out[39])
{
	static const int dash[4] = {8, 13, 18, 23};
	char tmp[39];
	size_t len, j = 0;

	if (s == NULL)
		return IWA_EINVAL;
	len = strlen(s);
	if (len == 38 && s[0] == '{' && s[37] == '}') {
		s++;
		len = 36;
	}
	if (len != 36)
		return IWA_EINVAL;
	tmp[j++] = '{';
	for (size_t i = 0; i < 36; i++) {
		bool is_dash = false;
		for (int k = 0; k < 4; k++)
			is_dash |= (int)i == dash[k];
		if (is_dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return IWA_EINVAL;
		tmp[j++] = (char)toupper((unsigned char)s[i]);
	}
	tmp[j++] = '}';
	tmp[j] = '\0';
	memcpy(out, tmp, 39);
	return 0;
}

/* Extracts the GUID of "cn={GUID},..." (first RDN). */
static int dn_guid(const char *dn, size_t len, char out[39])
{
	char buf[40];

	if (len < 3 + 38 || strncasecmp(dn, "cn=", 3) != 0)
		return IWA_EINVAL;
	if (len > 41 && dn[41] != ',')
		return IWA_EINVAL;
	memcpy(buf, dn + 3, 38);
	buf[38] = '\0';
	return iwa_gpo_guid_normalize(buf, out);
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Parses "[LDAP://dn;N]..." strictly; see header. */
int iwa_gplink_parse(const char *s, struct iwa_gplink_list *out, struct iwa_err *err)
{
	struct iwa_gplink_list l = {NULL, 0};
	size_t cap = 0;
	const char *p = s;
	int rc;

	if (s == NULL)
		goto done;
	for (;;) {
		const char *close, *semi, *dn;
		unsigned long opt = 0;
		size_t dnlen;
		struct iwa_gplink *g;

		while (blank(*p))
			p++;
		if (*p == '\0')
			break;
		close = strchr(p, ']');
		if (*p != '[' || close == NULL) {
			rc = iwa_err_set(err, IWA_EPARSE,
					 "gPLink: expected \"[LDAP://...;N]\" at \"%.60s\"", p);
			goto fail;
		}
		if ((size_t)(close - p) < 8 || strncasecmp(p + 1, "LDAP://", 7) != 0) {
			rc = iwa_err_set(err, IWA_EPARSE,
					 "gPLink: link without LDAP:// in \"%.*s\"",
					 (int)(close - p + 1 > 80 ? 80 : close - p + 1), p);
			goto fail;
		}
		dn = p + 8;
		semi = NULL;
		for (const char *q = close - 1; q >= dn; q--)
			if (*q == ';') {
				semi = q;
				break;
			}
		if (semi == NULL || semi + 1 == close || semi - dn > 4096) {
			rc = iwa_err_set(err, IWA_EPARSE,
					 "gPLink: link without ;options in \"%.*s\"",
					 (int)(close - p + 1 > 80 ? 80 : close - p + 1), p);
			goto fail;
		}
		for (const char *q = semi + 1; q < close; q++) {
			if (!isdigit((unsigned char)*q) || opt > 0xFFFFFFFFul / 10) {
				rc = iwa_err_set(
					err, IWA_EPARSE,
					"gPLink: link options \"%.*s\" are not a number",
					(int)(close - semi - 1 > 20 ? 20 : close - semi - 1),
					semi + 1);
				goto fail;
			}
			opt = opt * 10 + (unsigned long)(*q - '0');
		}
		if (opt > 0xFFFFFFFFul) {
			rc = iwa_err_set(err, IWA_EPARSE, "gPLink: link options out of range");
			goto fail;
		}
		dnlen = (size_t)(semi - dn);
		if (l.n == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct iwa_gplink *nv = realloc(l.v, ncap * sizeof(*nv));
			if (nv == NULL) {
				rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
				goto fail;
			}
			l.v = nv;
			cap = ncap;
		}
		g = &l.v[l.n];
		memset(g, 0, sizeof(*g));
		if (dn_guid(dn, dnlen, g->guid) != 0) {
			rc = iwa_err_set(err, IWA_EPARSE,
					 "gPLink: \"%.*s\" does not start with cn={GUID}",
					 (int)(dnlen > 80 ? 80 : dnlen), dn);
			goto fail;
		}
		g->dn = strndup(dn, dnlen);
		if (g->dn == NULL) {
			rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
			goto fail;
		}
		g->options = (unsigned)opt;
		g->disabled = (opt & IWA_GPLINK_DISABLED) != 0;
		g->enforced = (opt & IWA_GPLINK_ENFORCED) != 0;
		l.n++;
		p = close + 1;
	}
	for (size_t i = 0; i < l.n; i++)
		l.v[i].link_order = (unsigned)(l.n - i);
done:
	*out = l;
	return 0;
fail:
	iwa_gplink_list_free(&l);
	return rc;
}

void iwa_gplink_list_free(struct iwa_gplink_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].dn);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Appends one evaluation record. */
static int push(struct iwa_gpo_order *o, size_t *cap, struct iwa_link_eval e)
{
	if (o->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct iwa_link_eval *nv = realloc(o->v, ncap * sizeof(*nv));
		if (nv == NULL)
			return IWA_ENOMEM;
		o->v = nv;
		*cap = ncap;
	}
	o->v[o->n++] = e;
	return 0;
}

/* Index of the first container below `som` (towards the computer) that blocks inheritance,
 * or nsoms when none does. */
static size_t blocked_below(const struct iwa_som *soms, size_t nsoms, size_t som)
{
	for (size_t j = som + 1; j < nsoms; j++)
		if (soms[j].block_inheritance && !soms[j].is_site)
			return j;
	return nsoms;
}

/* See header: enforced top-down, then non-enforced bottom-up; link order inside a container
 * (the gPLink string read backwards). */
int iwa_gpo_order_compute(const struct iwa_som *soms, size_t nsoms, struct iwa_gpo_order *out,
			  struct iwa_err *err)
{
	struct iwa_gpo_order o = {NULL, 0, 0};
	size_t cap = 0;
	unsigned prec = 0;

	/* Pass 1: enforced links, farthest container first. */
	for (size_t s = 0; s < nsoms; s++) {
		const struct iwa_gplink_list *l = soms[s].links;
		for (size_t k = l ? l->n : 0; k-- > 0;) {
			struct iwa_link_eval e = {s, k, IWA_LINK_APPLIES, 0, 0};
			if (!l->v[k].enforced || l->v[k].disabled)
				continue;
			e.precedence = ++prec;
			if (push(&o, &cap, e) != 0)
				goto nomem;
		}
	}
	/* Pass 2: non-enforced links, closest container first, unless blocked below them. */
	for (size_t s = nsoms; s-- > 0;) {
		const struct iwa_gplink_list *l = soms[s].links;
		size_t blk = blocked_below(soms, nsoms, s);
		for (size_t k = l ? l->n : 0; k-- > 0;) {
			struct iwa_link_eval e = {s, k, IWA_LINK_APPLIES, 0, 0};
			if (l->v[k].enforced || l->v[k].disabled || blk < nsoms)
				continue;
			e.precedence = ++prec;
			if (push(&o, &cap, e) != 0)
				goto nomem;
		}
	}
	o.napply = o.n;
	/* Pass 3: links that do not apply, top-down, for the report. */
	for (size_t s = 0; s < nsoms; s++) {
		const struct iwa_gplink_list *l = soms[s].links;
		size_t blk = blocked_below(soms, nsoms, s);
		for (size_t k = l ? l->n : 0; k-- > 0;) {
			struct iwa_link_eval e = {s, k, IWA_LINK_APPLIES, 0, 0};
			if (l->v[k].disabled)
				e.status = IWA_LINK_DISABLED;
			else if (!l->v[k].enforced && blk < nsoms) {
				e.status = IWA_LINK_BLOCKED;
				e.blocked_at = blk;
			} else
				continue;
			if (push(&o, &cap, e) != 0)
				goto nomem;
		}
	}
	*out = o;
	return 0;
nomem:
	free(o.v);
	return iwa_err_set(err, IWA_ENOMEM, "out of memory");
}

void iwa_gpo_order_free(struct iwa_gpo_order *o)
{
	if (o == NULL)
		return;
	free(o->v);
	o->v = NULL;
	o->n = o->napply = 0;
}
