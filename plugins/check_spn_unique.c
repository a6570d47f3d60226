/* check_spn_unique.c — the service's SPN is registered exactly once, on the right account.
 *
 * Targeted mode (default): one LDAP search (an OR of escaped equality filters) for the main
 * SPN and its variants, then check_spn_unique_eval.c judges the owners. Audit mode (--all):
 * a paged scan of every servicePrincipalName into a hash table keyed by the case-folded SPN,
 * what `setspn -X -F` does. The check module (check_spn_unique.h: spn_cfg, spn_check): its
 * options and LDAP I/O live here; the pure parts in check_spn_unique_spn.c and
 * check_spn_unique_eval.c; main() in check_spn_unique_main.c. */
#include "check_spn_unique.h"
#include "budget.h"
#include "plugin.h"
#include "directory.h"
#include "dns.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PAGE_SIZE 1000
/* Targeted mode: the most objects the search may return (each holds one of a few SPNs; a
 * real directory has one, a duplicate a handful). Past it the search stops (IWA_ELIMIT). */
#define OWNERS_MAX 1000
/* Audit mode: the default of --max-spns, the most SPN values one audit keeps (about 115
 * bytes each measured: 2,000,000 = 230 MB peak RSS). Past it the scan stops (UNKNOWN: no
 * verdict); a larger forest is audited in parts with -b, or with a larger --max-spns. */
#define AUDIT_SPNS_MAX 2000000UL
#define STR_(x) #x
#define STR(x) STR_(x)

enum {
	OPT_ALL = IWA_OPT_PLUGIN,
	OPT_PORT_VARIANT,
	OPT_EXCLUDE,
	OPT_MAX_LIST,
	OPT_MAX_SPNS,
	OPT_ALLOW_RC4,
	OPT_RC4,
};

static const struct option spn_longopts[] = {
	IWA_LDAP_LONGOPTS_ENTRIES,
	{"spn", required_argument, NULL, 's'},
	{"fqdn", required_argument, NULL, 'f'},
	{"port-variant", required_argument, NULL, OPT_PORT_VARIANT},
	{"expect-account", required_argument, NULL, 'e'},
	{"all", no_argument, NULL, OPT_ALL},
	{"exclude", required_argument, NULL, OPT_EXCLUDE},
	{"max-list", required_argument, NULL, OPT_MAX_LIST},
	{"max-spns", required_argument, NULL, OPT_MAX_SPNS},
	{"allow-rc4", no_argument, NULL, OPT_ALLOW_RC4},
	{"rc4", no_argument, NULL, OPT_RC4},
	{"warning", required_argument, NULL, 'w'},
	{"critical", required_argument, NULL, 'c'},
	{NULL, 0, NULL, 0},
};

/* Defaults: GC port 3268, port variant 443, --max-list 20, critical at 1 duplicate. */
void spn_cfg_init(void *vc)
{
	struct spn_cfg *c = vc;

	memset(c, 0, sizeof *c);
	iwa_ldap_opts_init(&c->ldap, 3268);
	c->ports[0] = 443;
	c->nports = 1;
	c->max_list = 20;
	c->max_spns = AUDIT_SPNS_MAX;
	c->th.has_crit = true;
	(void)iwa_range_parse("0", &c->th.crit, NULL);
}

void spn_cfg_free(void *vc)
{
	struct spn_cfg *c = vc;
	size_t i;

	spn_list_free(&c->spns);
	for (i = 0; i < c->nexcl; i++)
		regfree(&c->excl[i]);
}

/* One option of ours (the directory options go to iwa_ldap_opt). */
static int spn_opt(void *vcfg, int opt, const char *arg, struct iwa_err *err)
{
	struct spn_cfg *c = vcfg;
	unsigned long long v;
	int rc;

	rc = iwa_ldap_opt(&c->ldap, opt, arg, err);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	switch (opt) {
	case 's':
		rc = spn_validate(arg, "-s/--spn", err);
		if (rc < 0)
			return rc;
		if (spn_list_add(&c->spns, arg) < 0)
			return iwa_err_set(err, IWA_ENOMEM, "out of memory");
		return 0;
	case 'f':
		rc = spn_validate_fqdn(arg, err);
		if (rc < 0)
			return rc;
		c->fqdn = arg;
		return 0;
	case OPT_PORT_VARIANT:
		if (!c->ports_given) {
			c->nports = 0;
			c->ports_given = true;
		}
		if (strcmp(arg, "none") == 0)
			return 0;
		rc = iwa_parse_uint(arg, 1, 65535, "--port-variant", &v, err);
		if (rc < 0)
			return rc;
		if (c->nports == MAX_PORTS)
			return iwa_err_set(err, IWA_EINVAL, "--port-variant: at most %d ports",
					   MAX_PORTS);
		c->ports[c->nports++] = (unsigned)v;
		return 0;
	case 'e':
		if (arg[0] == '\0')
			return iwa_err_set(err, IWA_EINVAL, "-e/--expect-account: empty account");
		c->expect = arg;
		return 0;
	case OPT_ALLOW_RC4:
		c->allow_rc4 = true;
		return 0;
	case OPT_RC4:
		c->rc4 = true;
		return 0;
	case OPT_ALL:
		c->all = true;
		return 0;
	case OPT_EXCLUDE: {
		char msg[256];

		if (c->nexcl == MAX_EXCLUDES)
			return iwa_err_set(err, IWA_EINVAL, "--exclude: at most %d patterns",
					   MAX_EXCLUDES);
		rc = regcomp(&c->excl[c->nexcl], arg, REG_EXTENDED | REG_ICASE | REG_NOSUB);
		if (rc != 0) {
			regerror(rc, &c->excl[c->nexcl], msg, sizeof msg);
			regfree(&c->excl[c->nexcl]);
			return iwa_err_set(err, IWA_EINVAL, "--exclude '%s': %s", arg, msg);
		}
		c->nexcl++;
		return 0;
	}
	case OPT_MAX_LIST:
		rc = iwa_parse_uint(arg, 0, 100000, "--max-list", &v, err);
		if (rc == 0)
			c->max_list = (unsigned)v;
		return rc;
	case OPT_MAX_SPNS:
		rc = iwa_parse_uint(arg, 1, 100000000, "--max-spns", &v, err);
		if (rc == 0)
			c->max_spns = (unsigned long)v;
		c->max_spns_given = true;
		return rc;
	case 'w':
	case 'c': {
		struct iwa_range *r = opt == 'w' ? &c->th.warn : &c->th.crit;

		rc = iwa_range_parse(arg, r, err);
		if (rc < 0) {
			iwa_err_prefix(err, opt == 'w' ? "-w/--warning" : "-c/--critical");
			return rc;
		}
		if (opt == 'w')
			c->th.has_warn = true;
		c->th_given = true;
		return 0;
	}
	default:
		return iwa_err_set(err, IWA_EINVAL, "unhandled option");
	}
}

/* Cross-option rules. */
static int spn_validate_cfg(void *vcfg, const struct iwa_common_opts *common, struct iwa_err *err)
{
	struct spn_cfg *c = vcfg;
	int rc;

	(void)common;
	rc = iwa_ldap_validate(&c->ldap, err);
	if (rc < 0)
		return rc;
	if (c->all) {
		if (c->spns.n > 0 || c->fqdn != NULL || c->expect != NULL)
			return iwa_err_set(err, IWA_EINVAL,
					   "--all audits every SPN: it takes no -s, -f or -e");
		return 0;
	}
	if (c->max_spns_given)
		return iwa_err_set(err, IWA_EINVAL, "--max-spns only applies to --all");
	if (c->rc4)
		return iwa_err_set(err, IWA_EINVAL,
				   "--rc4 only applies to --all (the targeted mode always checks "
				   "the owner's keys)");
	if (c->spns.n == 0 && c->fqdn == NULL)
		return iwa_err_set(err, IWA_EINVAL,
				   "-s/--spn or -f/--fqdn is required (or --all for an audit)");
	if (c->nexcl > 0)
		return iwa_err_set(err, IWA_EINVAL, "--exclude only applies to --all");
	if (c->th_given)
		return iwa_err_set(
			err, IWA_EINVAL,
			"-w/-c are thresholds on duplicates found by --all; the targeted "
			"mode has fixed states");
	return 0;
}

/* The kind of an entry from its objectClass values. */
static enum spn_kind entry_kind(LDAP *ld, LDAPMessage *e)
{
	struct berval **v = ldap_get_values_len(ld, e, "objectClass");
	const char *cls[64];
	char buf[64][64];
	size_t n = 0;
	enum spn_kind k;

	for (; v != NULL && v[n] != NULL && n < 64; n++) {
		size_t len = v[n]->bv_len < 63 ? v[n]->bv_len : 63;

		memcpy(buf[n], v[n]->bv_val, len);
		buf[n][len] = '\0';
		cls[n] = buf[n];
	}
	k = spn_kind_from_classes(cls, n);
	ldap_value_free_len(v);
	return k;
}

/* Orders owners by account name, case-insensitively (DN when there is none), so messages and
 * JSON list them the same way whatever order the directory returned them in. */
static int owner_cmp(const void *a, const void *b)
{
	const struct spn_owner *x = a, *y = b;
	int r = strcasecmp(spn_owner_name(x), spn_owner_name(y));

	return r != 0 ? r : strcasecmp(x->dn != NULL ? x->dn : "", y->dn != NULL ? y->dn : "");
}

/* Growable array of owners. */
struct owners {
	struct spn_owner *v;
	size_t n, cap;
};

static struct spn_owner *owners_push(struct owners *o)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 64;
		struct spn_owner *v = realloc(o->v, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		o->v = v;
		o->cap = cap;
	}
	memset(&o->v[o->n], 0, sizeof o->v[o->n]);
	return &o->v[o->n++];
}

static void owners_free(struct owners *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		spn_owner_clear(&o->v[i]);
	free(o->v);
}

/* Targeted mode's search state: the owners, and why the callback stopped the search. */
struct collect {
	struct owners os;
	struct iwa_err err; /* set when the callback returns non-zero */
	int code;           /* IWA_ENOMEM or IWA_ELIMIT */
};

/* What the directory says about an owner's keys (RC4 retirement). */
static void read_key_attrs(LDAP *ld, LDAPMessage *e, struct spn_owner *o)
{
	char *s = iwa_ldap_first_value(ld, e, "msDS-SupportedEncryptionTypes");

	if (s != NULL && spn_parse_uac(s, strlen(s), &o->set) == 0)
		o->has_set = true;
	free(s);
	s = iwa_ldap_first_value(ld, e, "pwdLastSet");
	if (s != NULL && spn_parse_lockout(s, strlen(s), &o->pwdlastset) == 0)
		o->has_pwdlastset = true;
	free(s);
	s = iwa_ldap_first_value(ld, e, "msDS-KeyVersionNumber");
	if (s != NULL && spn_parse_uac(s, strlen(s), &o->kvno) == 0)
		o->has_kvno = true;
	free(s);
	o->has_sid = iwa_ldap_entry_sid(ld, e, &o->sid);
}

/* Targeted mode: each returned entry becomes an owner with all its SPN values (at most
 * IWA_LDAP_VALUES_MAX of them; at most OWNERS_MAX owners). Returns 0, or 1 to stop with
 * c->code/c->err set. */
static int collect_owner(LDAP *ld, LDAPMessage *e, void *ctx)
{
	struct collect *c = ctx;
	struct owners *os = &c->os;
	struct spn_owner *o;
	struct berval **v = NULL;
	char *s;
	size_t n = 0, i;

	if (os->n >= OWNERS_MAX) {
		c->code = iwa_err_set(&c->err, IWA_ELIMIT,
				      "the directory returned more than %d objects holding these "
				      "SPNs (the search was stopped there) — a broken or hostile "
				      "directory server, or SPNs registered on a mass of objects",
				      OWNERS_MAX);
		return 1;
	}
	c->code = iwa_ldap_entry_values(ld, e, "servicePrincipalName", IWA_LDAP_VALUES_MAX, &v, &n,
					&c->err);
	if (c->code < 0)
		return 1;
	o = owners_push(os);
	if (o == NULL) {
		ldap_value_free_len(v);
		goto oom;
	}
	s = ldap_get_dn(ld, e);
	o->dn = iwa_strdup(s);
	ldap_memfree(s);
	o->sam = iwa_ldap_first_value(ld, e, "sAMAccountName");
	o->upn = iwa_ldap_first_value(ld, e, "userPrincipalName");
	o->kind = entry_kind(ld, e);
	s = iwa_ldap_first_value(ld, e, "userAccountControl");
	if (s != NULL && spn_parse_uac(s, strlen(s), &o->uac) == 0)
		o->has_uac = true;
	free(s);
	s = iwa_ldap_first_value(ld, e, "lockoutTime");
	if (s != NULL && spn_parse_lockout(s, strlen(s), &o->lockout) < 0)
		o->lockout = 0;
	free(s);
	read_key_attrs(ld, e, o);
	o->spns = calloc(n + 1, sizeof *o->spns);
	if (o->dn == NULL || o->spns == NULL) {
		ldap_value_free_len(v);
		goto oom;
	}
	for (i = 0; i < n; i++) {
		o->spns[i] = malloc(v[i]->bv_len + 1);
		if (o->spns[i] == NULL) {
			ldap_value_free_len(v);
			goto oom;
		}
		memcpy(o->spns[i], v[i]->bv_val, v[i]->bv_len);
		o->spns[i][v[i]->bv_len] = '\0';
		o->nspns++;
	}
	ldap_value_free_len(v);
	return 0;
oom:
	c->code = iwa_err_set(&c->err, IWA_ENOMEM, "out of memory reading the search results");
	return 1;
}

/* Searches under base, or when no -b was given, the GC's empty base (forest-wide) and, on
 * a server that has no such base (not a Global Catalog), the domain's naming context. */
static int search(struct iwa_ldap *l, const struct spn_cfg *c, const char *filter, char **attrs,
		  iwa_ldap_entry_fn fn, void *ctx, char **base_used_out, struct iwa_err *err)
{
	char *dnc = NULL;
	int rc;

	if (c->ldap.base != NULL) {
		*base_used_out = iwa_strdup(c->ldap.base);
		return iwa_ldap_search(l, c->ldap.base, LDAP_SCOPE_SUBTREE, filter, attrs,
				       PAGE_SIZE, NULL, fn, ctx, err);
	}
	rc = iwa_ldap_search(l, "", LDAP_SCOPE_SUBTREE, filter, attrs, PAGE_SIZE, NULL, fn, ctx,
			     err);
	if (rc != IWA_ENOTFOUND) {
		*base_used_out = iwa_strdup("");
		return rc;
	}
	rc = iwa_ldap_root_dse_attr(l, "defaultNamingContext", &dnc, err);
	if (rc < 0)
		return rc;
	rc = iwa_ldap_search(l, dnc, LDAP_SCOPE_SUBTREE, filter, attrs, PAGE_SIZE, NULL, fn, ctx,
			     err);
	*base_used_out = dnc;
	return rc;
}

/* The filter for -v; the text output turns '|' into '/' (it would start perfdata), so an OR
 * is shown as "A OR B OR C". */
static int add_filter_line(struct iwa_check *root, const char *filter)
{
	struct iwa_buf b;
	const char *p;
	int rc = 0;

	if (strncmp(filter, "(|", 2) != 0)
		return iwa_check_add_line(root, "filter: %s", filter);
	iwa_buf_init(&b, 64 * 1024);
	for (p = filter + 2; rc == 0 && *p == '(';) {
		size_t n = strcspn(p, ")") + 1;

		rc = iwa_buf_addf(&b, "%s%.*s", p == filter + 2 ? "" : " OR ", (int)n, p);
		p += n;
	}
	if (rc == 0)
		rc = iwa_check_add_line(root, "filter: %s", b.data);
	iwa_buf_free(&b);
	return rc;
}

/* -v lines: server, bind, base, filter, timings. */
static int verbose_lines(struct iwa_check *root, struct iwa_ldap *l, const char *base,
			 const char *filter, double search_s, unsigned long entries)
{
	const struct iwa_krb *k = iwa_ldap_krb(l);

	if (iwa_check_add_line(root, "LDAP server: %s", iwa_ldap_server(l)) < 0)
		return IWA_ENOMEM;
	if (k != NULL) {
		if (iwa_check_add_line(
			    root, "bind: SASL GSSAPI as %s (%s) in %.3f s", iwa_krb_client(k),
			    iwa_krb_tgt_reused(k) ? "TGT reused from the cache" : "new TGT",
			    iwa_ldap_bind_seconds(l)) < 0)
			return IWA_ENOMEM;
	} else if (iwa_check_add_line(root, "bind: %s in %.3f s", iwa_ldap_mech(l),
				      iwa_ldap_bind_seconds(l)) < 0) {
		return IWA_ENOMEM;
	}
	if (iwa_check_add_line(root, "search base: '%s'%s", base,
			       base[0] == '\0' ? " (the whole forest through the Global Catalog)"
					       : "") < 0 ||
	    add_filter_line(root, filter) < 0 ||
	    iwa_check_add_line(root, "search: %lu entries in %.3f s", entries, search_s) < 0)
		return IWA_ENOMEM;
	return 0;
}

/* ---- RC4 retirement: the main SPN's single owner ---- */

struct aes_date {
	bool has;
	long long ft;
};

static int collect_aes_date(LDAP *ld, LDAPMessage *e, void *vctx)
{
	struct aes_date *d = vctx;
	char *s = iwa_ldap_first_value(ld, e, "whenCreated");

	if (s != NULL && spn_parse_gentime(s, strlen(s), &d->ft) == 0)
		d->has = true;
	free(s);
	return 0;
}

/* "CN=x,OU=y,DC=camtest,DC=test" -> "CAMTEST.TEST" (AD's realm is its DNS domain). */
static void realm_of_dn(const char *dn, char *buf, size_t n)
{
	size_t off = 0;
	const char *p = dn;

	buf[0] = '\0';
	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncasecmp(p, "DC=", 3) == 0) {
			size_t l = strcspn(p + 3, ",");
			if (off > 0 && off + 1 < n)
				buf[off++] = '.';
			for (size_t i = 0; i < l && off + 1 < n; i++) {
				char c = p[3 + i];
				buf[off++] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
			}
			buf[off] = '\0';
		}
		p = strchr(p, ',');
	}
}

/* The domain's AES date: whenCreated of the group with RID 521 (Read-only Domain
 * Controllers, made when the domain reached functional level 2008), found by objectSid (the
 * owner's domain SID + 521): one more search on the same connection. */
static int read_aes_date(const struct spn_cfg *c, struct iwa_ldap *l, const struct spn_owner *o,
			 struct aes_date *d, struct iwa_err *err)
{
	static char *attrs[] = {"whenCreated", NULL};
	struct iwa_sid sid = o->sid;
	uint8_t bin[8 + 4 * IWA_SID_MAX_SUB];
	size_t len;
	char filter[300], *base = NULL;
	size_t off;
	int rc;

	if (!o->has_sid || sid.nsub < 2)
		return 0;
	sid.sub[sid.nsub - 1] = 521;
	if (iwa_sid_to_bin(&sid, bin, sizeof bin, &len, err) < 0)
		return 0;
	off = (size_t)snprintf(filter, sizeof filter, "(objectSid=");
	for (size_t i = 0; i < len && off + 4 < sizeof filter; i++)
		off += (size_t)snprintf(filter + off, sizeof filter - off, "\\%02x", bin[i]);
	snprintf(filter + off, sizeof filter - off, ")");
	rc = search(l, c, filter, attrs, collect_aes_date, d, &base, err);
	free(base);
	return rc < 0 ? rc : 0;
}

/* Probes the owner's keys and the SPN's ticket at the KDC (at most 2 exchanges, none with a
 * warm --ccache) and adds the "encryption" subcheck. */
static int check_rc4(const struct spn_cfg *c, const struct iwa_ctx *ctx, struct iwa_ldap *l,
		     const struct spn_list *variants, const struct spn_owner *o,
		     struct iwa_check *root, struct iwa_err *err)
{
	struct spn_rc4_in in;
	struct aes_date d = {false, 0};
	struct iwa_err perr = {0, ""}, terr = {0, ""};
	char realm[256], princ[600], spn_princ[700], acct[300];
	const char *cc = ctx->krb != NULL ? iwa_krb_ccache_name(ctx->krb) : NULL;
	unsigned long ex0 = iwa_kdc_exchanges();
	double zero = 0, t0 = iwa_now();
	int rc;

	memset(&in, 0, sizeof in);
	in.spn = variants->v[0];
	in.owner = o;
	in.allow_rc4 = c->allow_rc4;
	rc = read_aes_date(c, l, o, &d, err);
	if (rc < 0)
		return rc;
	in.has_aes_date = d.has;
	in.aes_date = d.ft;
	realm_of_dn(o->dn, realm, sizeof realm);
	if (o->sam == NULL || realm[0] == '\0') {
		in.kdc_err = "the owner has no sAMAccountName or its DN names no domain";
		return spn_eval_rc4(&in, root);
	}
	snprintf(acct, sizeof acct, "%s", o->sam);
	snprintf(princ, sizeof princ, "%s@%s", acct, realm);
	snprintf(spn_princ, sizeof spn_princ, "%s@%s", variants->v[0], realm);
	rc = iwa_kdc_probe_keys_cached(cc, princ, false, ctx->deadline, &in.probe, &perr);
	if (rc == IWA_ENOMEM)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	if (rc == 0)
		in.probed = true;
	else
		in.probe_err = in.kdc_err = perr.msg;
	if (rc == IWA_ETIMEOUT) {
		/* the run's time is gone: the ticket is not asked for */
	} else if (cc == NULL) {
		in.tkt_err =
			"no Kerberos credentials (simple bind): use --keytab or --ccache for the "
			"ticket check";
	} else {
		in.tkt_aes_only = !(o->has_set && spn_set_rc4_only(o->set));
		rc = iwa_kdc_restricted_ticket(cc, spn_princ, in.tkt_aes_only, false, ctx->deadline,
					       &in.tkt, &terr);
		if (rc == IWA_ENOMEM)
			return iwa_err_set(err, IWA_ENOMEM, "out of memory");
		if (rc == 0)
			in.ticketed = true;
		else
			in.tkt_err = in.kdc_err = terr.msg;
	}
	if (spn_eval_rc4(&in, root) < 0 ||
	    iwa_check_perf(root, "kdc_exchanges", (double)(iwa_kdc_exchanges() - ex0), "", NULL,
			   &zero, NULL) < 0 ||
	    iwa_check_perf(root, "kdc_time", iwa_now() - t0, "s", NULL, &zero, NULL) < 0)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	return 0;
}

/* Targeted mode. */
static int run_targeted(const struct spn_cfg *c, const struct iwa_ctx *ctx, struct iwa_ldap *l,
			struct iwa_check *root, struct iwa_err *err)
{
	static char *attrs[] = {"servicePrincipalName",
				"sAMAccountName",
				"objectClass",
				"userAccountControl",
				"lockoutTime",
				"distinguishedName",
				"userPrincipalName",
				"msDS-SupportedEncryptionTypes",
				"pwdLastSet",
				"msDS-KeyVersionNumber",
				"objectSid",
				NULL};
	struct spn_list variants = {0}, judged = {0};
	const struct spn_list *main_list = &variants;
	struct iwa_dns_chain chain;
	struct spn_alias alias;
	char chain_text[2048] = "";
	bool alias_on = false, canon_main = false;
	double dns_s = 0;
	struct collect col;
	struct owners *osp = &col.os;
	struct iwa_buf filter;
	char *base = NULL;
	double t0, search_s;
	double zero = 0;
	size_t i;
	unsigned main_owners = 0;
	int rc;

	memset(&col, 0, sizeof col);
	iwa_buf_init(&filter, 64 * 1024);
	for (i = 0; i < c->spns.n; i++)
		if (spn_list_add(&variants, c->spns.v[i]) < 0)
			goto oom;
	if (c->fqdn != NULL && spn_expand_fqdn(c->fqdn, c->ports, c->nports, &variants) < 0)
		goto oom;
	if (c->fqdn != NULL) { /* the name's CNAME chain: browsers may ask for the canonical name */
		t0 = iwa_now();
		rc = iwa_dns_resolve(c->fqdn, ctx->deadline, &chain, err);
		dns_s = iwa_now() - t0;
		if (rc == IWA_EIO ||
		    rc == IWA_EPARSE) { /* the site's DNS is broken: browsers too */
			iwa_check_set_state(root, IWA_CRITICAL);
			rc = iwa_check_set_text(root, "%s: browsers cannot resolve the name either",
						err->msg) < 0
				     ? IWA_ENOMEM
				     : 0;
			goto cleanup;
		}
		if (rc < 0)
			goto cleanup;
		iwa_dns_chain_text(&chain, chain_text, sizeof chain_text);
		alias_on = iwa_dns_is_alias(&chain);
		alias.typed = c->fqdn;
		alias.canonical = iwa_dns_canonical(&chain);
		alias.chain_text = chain_text;
		if (alias_on &&
		    spn_expand_fqdn(alias.canonical, c->ports, c->nports, &variants) < 0)
			goto oom;
	}
	if (spn_build_filter(&variants, &filter) < 0)
		goto oom;
	t0 = iwa_now();
	rc = search(l, c, filter.data, attrs, collect_owner, &col, &base, err);
	search_s = iwa_now() - t0;
	if (rc > 0) { /* the callback's own failure */
		*err = col.err;
		rc = col.code;
	}
	if (rc < 0)
		goto cleanup;
	if (osp->n > 1)
		qsort(osp->v, osp->n, sizeof *osp->v, owner_cmp);
	if (alias_on) { /* one search for both names; the main SPN is the registered one */
		for (i = 0; i < c->spns.n; i++)
			if (spn_list_add(&judged, c->spns.v[i]) < 0)
				goto oom;
		if (spn_alias_variants(&alias, c->ports, c->nports, osp->v, osp->n, &judged,
				       &canon_main) < 0)
			goto oom;
		main_list = &judged;
		rc = spn_eval_targeted(&judged, osp->v, osp->n, c->expect, root, &main_owners,
				       NULL);
		if (rc == 0)
			rc = spn_eval_alias(&alias, osp->v, osp->n, c->expect, root);
	} else {
		rc = spn_eval_targeted(&variants, osp->v, osp->n, c->expect, root, &main_owners,
				       NULL);
	}
	if (rc < 0)
		goto oom;
	if (c->findings != NULL)
		spn_findings_fill(variants.v[0], osp->v, osp->n, c->expect, c->findings);
	if (iwa_check_perf(root, "bind_time", iwa_ldap_bind_seconds(l), "s", NULL, &zero, NULL) <
		    0 ||
	    iwa_check_perf(root, "search_time", search_s, "s", NULL, &zero, NULL) < 0)
		goto oom;
	if (ctx->verbose > 0 &&
	    verbose_lines(root, l, base != NULL ? base : "", filter.data, search_s, osp->n) < 0)
		goto oom;
	if (ctx->verbose > 0 && c->fqdn != NULL &&
	    iwa_check_add_line(root, "DNS: %s (%.3f s)%s", chain_text, dns_s,
			       alias_on ? (canon_main ? "; main SPN: the canonical name's "
							"(the typed one is registered nowhere)"
						      : "")
					: "; no alias: browsers ask for the name as typed") < 0)
		goto oom;
	if (main_owners == 1) {
		const struct spn_owner *o = NULL;
		for (i = 0; i < osp->n && o == NULL; i++)
			for (size_t k = 0; k < osp->v[i].nspns; k++)
				if (spn_equal(osp->v[i].spns[k], main_list->v[0])) {
					o = &osp->v[i];
					break;
				}
		if (o != NULL) {
			rc = check_rc4(c, ctx, l, main_list, o, root, err);
			if (rc < 0)
				goto cleanup;
		}
	}
	rc = 0;
	goto cleanup;
oom:
	rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
cleanup:
	free(base);
	iwa_buf_free(&filter);
	spn_list_free(&variants);
	spn_list_free(&judged);
	owners_free(osp);
	return rc;
}

/* Audit state: the table, the owners (objects with at least one kept SPN), counters. */
/* Audit mode keeps every object that holds an SPN, but shows only the owners of duplicates:
 * per object 12 bytes, its RDN and (unless it is the RDN's value, or that and "$") its
 * sAMAccountName in one string arena, and its parent DN once per parent (objects share OUs).
 * The owner structs (64 bytes) with their DN and name in two mallocs were ~180 bytes an
 * object: 18 MiB at 100,000 objects, ~5 here. */
enum { SAM_NONE, SAM_STORED, SAM_RDN, SAM_RDN_DOLLAR };
struct audit_obj {
	uint32_t off;    /* "RDN\0" (then "sAMAccountName\0" when SAM_STORED) at strs + off */
	uint32_t parent; /* index into poff, UINT32_MAX when the DN is one RDN */
	uint8_t kind;    /* enum spn_kind */
	uint8_t sam;     /* SAM_* */
};

struct audit {
	const struct spn_cfg *cfg;
	struct spn_table *t;
	struct audit_obj *objs;
	size_t nobjs, capobjs;
	char *strs;
	size_t nstrs, capstrs;
	uint32_t *poff; /* parent DN i at strs + poff[i] */
	size_t nparents, capparents;
	uint32_t *pslots; /* hash set of parents: index + 1, 0 = free */
	size_t pcap;      /* power of two */
	char **made;      /* strings audit_owners() built */
	size_t nmade;
	struct owners rc4; /* --rc4: every account's key attributes (spn_owner without SPNs) */
	struct spn_audit_stats st;
	int err;             /* IWA_ENOMEM or IWA_ELIMIT from the callback */
	struct iwa_err emsg; /* its message */
};

/* true when an --exclude pattern matches spn. */
static bool excluded(const struct spn_cfg *c, const char *spn)
{
	size_t i;

	for (i = 0; i < c->nexcl; i++)
		if (regexec(&c->excl[i], spn, 0, NULL, 0) == 0)
			return true;
	return false;
}

/* Appends n bytes and a NUL to the string arena; *off where they start. IWA_ENOMEM. */
static int strs_put(struct audit *a, const char *p, size_t n, uint32_t *off)
{
	if (a->nstrs + n + 1 > UINT32_MAX)
		return IWA_ENOMEM;
	if (a->capstrs - a->nstrs < n + 1) {
		size_t cap = a->capstrs ? a->capstrs * 2 : 65536;
		char *v;
		while (cap - a->nstrs < n + 1)
			cap *= 2;
		v = realloc(a->strs, cap);
		if (v == NULL)
			return IWA_ENOMEM;
		a->strs = v;
		a->capstrs = cap;
	}
	memcpy(a->strs + a->nstrs, p, n);
	a->strs[a->nstrs + n] = '\0';
	*off = (uint32_t)a->nstrs;
	a->nstrs += n + 1;
	return 0;
}

static uint32_t fnv1a(const char *p)
{
	uint32_t h = 2166136261u;

	for (; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

/* The index of parent DN p (added when new); IWA_ENOMEM. */
static int parent_id(struct audit *a, const char *p, uint32_t *id)
{
	uint32_t h = fnv1a(p), off;
	size_t i;

	if ((a->nparents + 1) * 2 > a->pcap) { /* grow: load <= 1/2 */
		size_t cap = a->pcap ? a->pcap * 2 : 256, k;
		uint32_t *slots = calloc(cap, sizeof *slots);
		if (slots == NULL)
			return IWA_ENOMEM;
		for (k = 0; k < a->nparents; k++) {
			for (i = fnv1a(a->strs + a->poff[k]) & (cap - 1); slots[i] != 0;
			     i = (i + 1) & (cap - 1))
				;
			slots[i] = (uint32_t)k + 1;
		}
		free(a->pslots);
		a->pslots = slots;
		a->pcap = cap;
	}
	for (i = h & (a->pcap - 1); a->pslots[i] != 0; i = (i + 1) & (a->pcap - 1))
		if (strcmp(a->strs + a->poff[a->pslots[i] - 1], p) == 0) {
			*id = a->pslots[i] - 1;
			return 0;
		}
	if (a->nparents == a->capparents) {
		size_t cap = a->capparents ? a->capparents * 2 : 64;
		uint32_t *v = realloc(a->poff, cap * sizeof *v);
		if (v == NULL)
			return IWA_ENOMEM;
		a->poff = v;
		a->capparents = cap;
	}
	if (a->nparents >= UINT32_MAX - 1 || strs_put(a, p, strlen(p), &off) < 0)
		return IWA_ENOMEM;
	a->poff[a->nparents] = off;
	a->pslots[i] = (uint32_t)++a->nparents;
	*id = (uint32_t)a->nparents - 1;
	return 0;
}

/* Appends one object (its DN and sAMAccountName) to a's arrays; IWA_ENOMEM. */
static int audit_obj_push(struct audit *a, const char *dn, const char *sam, enum spn_kind kind)
{
	const char *comma = dn, *val;
	struct audit_obj o = {0, UINT32_MAX, (uint8_t)kind, SAM_NONE};
	uint32_t soff;
	size_t nrdn, nval;
	int rc;

	while (*comma != '\0' && *comma != ',') /* the first unescaped comma ends the RDN */
		comma += comma[0] == '\\' && comma[1] != '\0' ? 2 : 1;
	nrdn = (size_t)(comma - dn);
	val = memchr(dn, '=', nrdn);
	val = val != NULL ? val + 1 : dn;
	nval = nrdn - (size_t)(val - dn);
	if (sam != NULL && strncmp(sam, val, nval) == 0 && sam[nval] == '\0')
		o.sam = SAM_RDN;
	else if (sam != NULL && strncmp(sam, val, nval) == 0 && strcmp(sam + nval, "$") == 0)
		o.sam = SAM_RDN_DOLLAR;
	else if (sam != NULL)
		o.sam = SAM_STORED;
	if (*comma == ',' && (rc = parent_id(a, comma + 1, &o.parent)) < 0)
		return rc;
	if (a->nobjs == a->capobjs) {
		size_t cap = a->capobjs ? a->capobjs * 2 : 1024;
		struct audit_obj *v = realloc(a->objs, cap * sizeof *v);
		if (v == NULL)
			return IWA_ENOMEM;
		a->objs = v;
		a->capobjs = cap;
	}
	if ((rc = strs_put(a, dn, nrdn, &o.off)) < 0 ||
	    (o.sam == SAM_STORED && (rc = strs_put(a, sam, strlen(sam), &soff)) < 0))
		return rc;
	a->objs[a->nobjs++] = o;
	return 0;
}

/* A new string joining a (na bytes), sep (may be "") and b; kept in a->made. NULL: no memory. */
static char *audit_made(struct audit *au, const char *a, size_t na, const char *sep, const char *b)
{
	size_t ns = strlen(sep), nb = strlen(b);
	char *p = malloc(na + ns + nb + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, a, na);
	memcpy(p + na, sep, ns);
	memcpy(p + na + ns, b, nb + 1);
	au->made[au->nmade++] = p;
	return p;
}

/* The owner array spn_eval_audit() reads: one slot per object, filled only for the owners of
 * duplicates (the only ones it shows), with their DN and name rebuilt (kept in a->made).
 * calloc'd: the slots never written stay untouched zero pages. NULL when out of memory. */
static struct spn_owner *audit_owners(struct audit *a)
{
	struct spn_owner *v = calloc(a->nobjs > 0 ? a->nobjs : 1, sizeof *v);
	const struct spn_entry **d = NULL;
	size_t nd = 0, i, total = 0;
	uint32_t j;

	if (v == NULL || spn_table_duplicates(a->t, &d, &nd) < 0)
		goto oom;
	for (i = 0; i < nd; i++)
		total += d[i]->n_owners;
	a->made = calloc(2 * total + 1, sizeof *a->made);
	if (a->made == NULL)
		goto oom;
	for (i = 0; i < nd; i++)
		for (j = 0; j < d[i]->n_owners; j++) {
			uint32_t k = spn_entry_owner(d[i], j);
			const struct audit_obj *o = &a->objs[k];
			const char *rdn = a->strs + o->off, *val;
			size_t nrdn = strlen(rdn);

			if (v[k].dn != NULL)
				continue;
			v[k].dn = o->parent == UINT32_MAX
					  ? audit_made(a, rdn, nrdn, "", "")
					  : audit_made(a, rdn, nrdn, ",",
						       a->strs + a->poff[o->parent]);
			val = strchr(rdn, '=');
			val = val != NULL ? val + 1 : rdn;
			if (o->sam == SAM_STORED)
				v[k].sam = a->strs + o->off + nrdn + 1;
			else if (o->sam == SAM_RDN || o->sam == SAM_RDN_DOLLAR)
				v[k].sam = audit_made(a, val, strlen(val), "",
						      o->sam == SAM_RDN_DOLLAR ? "$" : "");
			v[k].kind = (enum spn_kind)o->kind;
			if (v[k].dn == NULL || (o->sam >= SAM_RDN && v[k].sam == NULL))
				goto oom;
		}
	free(d);
	return v;
oom:
	free(d);
	free(v);
	return NULL;
}

/* --rc4: an account's key attributes, kept whole (an spn_owner without SPNs, ~180 bytes: only
 * with --rc4) until the domain's AES date is known after the scan. IWA_ENOMEM. */
static int audit_rc4_push(struct audit *a, LDAP *ld, LDAPMessage *e, const char *dn,
			  const char *sam, enum spn_kind kind)
{
	struct spn_owner *o = owners_push(&a->rc4);

	if (o == NULL)
		return IWA_ENOMEM;
	o->dn = iwa_strdup(dn);
	o->sam = sam != NULL ? iwa_strdup(sam) : NULL;
	o->kind = kind;
	read_key_attrs(ld, e, o);
	return o->dn == NULL || (sam != NULL && o->sam == NULL) ? IWA_ENOMEM : 0;
}

/* Audit mode: streams each entry's SPN values into the table. */
static int audit_entry(LDAP *ld, LDAPMessage *e, void *ctx)
{
	struct audit *a = ctx;
	struct berval **v = NULL;
	bool pushed = false;
	char buf[1024];
	size_t i, n = 0;
	int rc;

	rc = iwa_ldap_entry_values(ld, e, "servicePrincipalName", IWA_LDAP_VALUES_MAX, &v, &n,
				   &a->emsg);
	if (rc < 0) {
		a->err = rc;
		return 1;
	}
	for (i = 0; i < n; i++) {
		size_t len = v[i]->bv_len < sizeof buf - 1 ? v[i]->bv_len : sizeof buf - 1;

		memcpy(buf, v[i]->bv_val, len);
		buf[len] = '\0';
		if (excluded(a->cfg, buf)) {
			a->st.excluded++;
			continue;
		}
		if (a->st.spns >= a->cfg->max_spns) {
			ldap_value_free_len(v);
			a->err = iwa_err_set(&a->emsg, IWA_ENOMEM,
					     "--all stopped after %lu SPNs on %lu objects: that "
					     "is the --max-spns cap (about 115 bytes each); audit "
					     "the forest in parts with -b, or raise --max-spns",
					     a->st.spns, a->st.objects);
			return 1;
		}
		if (!pushed) {
			char *dn = ldap_get_dn(ld, e);
			char *sam = iwa_ldap_first_value(ld, e, "sAMAccountName");
			enum spn_kind kind = entry_kind(ld, e);

			rc = dn != NULL ? audit_obj_push(a, dn, sam, kind) : IWA_ENOMEM;
			if (rc == 0 && a->cfg->rc4 && kind != SPN_KIND_OTHER)
				rc = audit_rc4_push(a, ld, e, dn, sam, kind);
			ldap_memfree(dn);
			free(sam);
			if (rc < 0)
				break;
			pushed = true;
			a->st.objects++;
		}
		rc = spn_table_add(a->t, buf, (uint32_t)(a->nobjs - 1));
		if (rc < 0)
			break;
		a->st.spns++;
	}
	ldap_value_free_len(v);
	if (rc < 0) {
		a->err = iwa_err_set(&a->emsg, rc,
				     "out of memory during the scan (%lu SPNs so far)", a->st.spns);
		return 1;
	}
	return 0;
}

/* Audit mode (--all). */
static int run_audit(const struct spn_cfg *c, const struct iwa_ctx *ctx, struct iwa_ldap *l,
		     struct iwa_check *root, struct iwa_err *err)
{
	/* no distinguishedName: every entry carries its DN (ldap_get_dn); asking for it as an
	 * attribute made the DC send it twice per entry */
	static char *attrs[] = {"servicePrincipalName", "sAMAccountName", "objectClass", NULL};
	static char *attrs_rc4[] = {"servicePrincipalName",
				    "sAMAccountName",
				    "objectClass",
				    "msDS-SupportedEncryptionTypes",
				    "pwdLastSet",
				    "objectSid",
				    NULL};
	const char *filter = "(servicePrincipalName=*)";
	struct audit a;
	struct spn_owner *owners = NULL;
	char *base = NULL;
	double t0;
	int rc;

	memset(&a, 0, sizeof a);
	a.cfg = c;
	a.t = spn_table_new();
	if (a.t == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	t0 = iwa_now();
	rc = search(l, c, filter, c->rc4 ? attrs_rc4 : attrs, audit_entry, &a, &base, err);
	a.st.scan_seconds = iwa_now() - t0;
	if (rc > 0) { /* the callback's own failure */
		*err = a.emsg;
		rc = a.err;
	}
	if (rc < 0)
		goto cleanup;
	owners = audit_owners(&a);
	rc = owners != NULL ? spn_eval_audit(a.t, owners, a.nobjs, &a.st, &c->th, c->max_list, root)
			    : -1;
	if (rc < 0) {
		rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
		goto cleanup;
	}
	if (c->rc4) {
		struct aes_date d = {false, 0};
		for (size_t i = 0; i < a.rc4.n; i++) /* the domain of the first account */
			if (a.rc4.v[i].has_sid) {
				rc = read_aes_date(c, l, &a.rc4.v[i], &d, err);
				break;
			}
		if (rc < 0)
			goto cleanup;
		if (spn_eval_audit_rc4(a.rc4.v, a.rc4.n, d.has, d.ft, c->allow_rc4, c->max_list,
				       root) < 0) {
			rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	if (ctx->verbose > 0) {
		if (verbose_lines(root, l, base != NULL ? base : "", filter, a.st.scan_seconds,
				  a.st.objects) < 0 ||
		    iwa_check_add_line(
			    root, "%zu distinct SPNs, %lu excluded by --exclude, table %zu KiB",
			    spn_table_distinct(a.t), a.st.excluded,
			    spn_table_bytes(a.t) / 1024) < 0) {
			rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	rc = 0;
cleanup:
	free(base);
	spn_table_free(a.t);
	free(owners);
	for (size_t k = 0; k < a.nmade; k++)
		free(a.made[k]);
	free(a.made);
	free(a.objs);
	free(a.strs);
	free(a.poff);
	free(a.pslots);
	owners_free(&a.rc4);
	return rc;
}

int spn_run(struct iwa_ctx *ctx, void *vcfg, struct iwa_check *root, struct iwa_err *err)
{
	const struct spn_cfg *c = vcfg;
	struct iwa_ldap *l = NULL;
	int rc;

	rc = iwa_ctx_ldap(ctx, &c->ldap, &l, err);
	if (rc < 0)
		return rc;
	if (c->all)
		rc = run_audit(c, ctx, l, root, err);
	else
		rc = run_targeted(c, ctx, l, root, err);
	if (rc == IWA_ELIMIT) {
		/* the monitored directory misbehaves: CRITICAL with the cap named */
		iwa_check_set_state(root, IWA_CRITICAL);
		rc = iwa_check_set_text(root, "%s", err->msg) < 0 ? IWA_ENOMEM : 0;
	}
	return rc;
}

const struct iwa_plugin spn_check = {
	.name = "check_spn_unique",
	.service = "SPN_UNIQUE",
	.shortopts = IWA_LDAP_SHORTOPTS "s:f:e:w:c:",
	.longopts = spn_longopts,
	.purpose = "Checks that the service principal name (SPN) of a Kerberos web service is\n"
		   "registered exactly once in the forest, on the right account: a duplicate or a\n"
		   "missing SPN makes the KDC refuse tickets and browsers silently fall back to\n"
		   "NTLM; an SPN on the wrong account gives tickets the servers cannot decrypt.\n"
		   "With --all, audits every SPN of the forest for duplicates (setspn -X -F).\n"
		   "Read-only: it only searches the directory.\n",
	.usage = "Usage: check_spn_unique -H DC (-f FQDN | -s SPN...) [-e ACCOUNT]\n"
		 "                        [--keytab FILE [--principal NAME]] [options]\n"
		 "       check_spn_unique -H DC --all [--exclude REGEX] [--max-list N]\n"
		 "                        [-w RANGE] [-c RANGE] [options]\n",
	.options_help =
		"Targeted mode (default):\n"
		" -f, --fqdn NAME        the name browsers use; checks HTTP/NAME, HTTP/SHORT,\n"
		"                        HOST/NAME, HOST/SHORT, HTTP/NAME:PORT (default: none).\n"
		"                        NAME is resolved (one DNS query, resolv.conf): when it\n"
		"                        is an alias (CNAME), the same search also checks the\n"
		"                        canonical name's SPNs, which Chrome and Edge ask for\n"
		" -s, --spn SPN          an SPN to check, repeatable; the first one is the main\n"
		"                        SPN (default: HTTP/NAME of -f)\n"
		" --port-variant PORT    port for the HTTP/NAME:PORT variant, repeatable, or\n"
		"                        'none' (default: 443)\n"
		" -e, --expect-account ACCOUNT\n"
		"                        the account that must hold the main SPN:\n"
		"                        sAMAccountName, DOMAIN\\name, name@upn or a DN\n"
		"                        (default: none; then a single owner is accepted, a\n"
		"                        computer account with a warning)\n"
		"Audit mode:\n"
		" --all                  scan every SPN (forest through the GC, or under -b) and\n"
		"                        report each one held by more than one object\n"
		" --exclude REGEX        drop matching SPNs from the audit (POSIX extended,\n"
		"                        case-insensitive), repeatable (default: none)\n"
		" --max-list N           list at most N duplicates (default: 20)\n"
		" --max-spns N           stop the audit (UNKNOWN) past N SPN values, about\n"
		"                        115 bytes of memory each (default: 2000000)\n"
		" -w, --warning RANGE    range on the number of duplicates (default: none)\n"
		" -c, --critical RANGE   range on the number of duplicates (default: 0, i.e.\n"
		"                        CRITICAL at 1 or more)\n"
		" --rc4                  also list every SPN owner that allows only RC4 or\n"
		"                        whose password predates the domain's AES keys\n"
		"                        (perfdata rc4_only, no_aes_keys)\n"
		"RC4 retirement (both modes):\n"
		" --allow-rc4            RC4-only owners and RC4 tickets are OK, not WARNING\n"
		"                        (missing AES keys stay CRITICAL) (default: "
		"warn)\n" IWA_LDAP_OPTIONS_HELP
		" (-b default: the Global Catalog's empty base = the whole forest; on a port\n"
		"  that is no Global Catalog, the domain's defaultNamingContext)\n",
	.notes =
		"States (targeted mode):\n"
		"  CRITICAL  the main SPN is held by no object, by more than one, or by another\n"
		"            account than -e\n"
		"  WARNING   a variant (HOST/, short name, port) is held by another account than\n"
		"            the main SPN's owner (or -e); without -e: the main SPN on a\n"
		"            computer account; the owner is disabled or locked out\n"
		"  CRITICAL  the main SPN's owner has no AES keys (key probe: an AS-REQ without\n"
		"            pre-authentication, no secret; or its password predates the\n"
		"            domain's AES keys), or the KDC refuses its ticket (ETYPE_NOSUPP)\n"
		"  WARNING   the owner allows only RC4 (msDS-SupportedEncryptionTypes 0x4\n"
		"            without 0x18) or the KDC still issues an RC4 ticket for the SPN\n"
		"            (OK with --allow-rc4)\n"
		"  UNKNOWN   bad options, our own credentials unusable, DC unreachable\n"
		"-f NAME that is a DNS alias (NAME CNAME CANONICAL): Chrome and Edge ask for\n"
		"HTTP/CANONICAL (DisableAuthNegotiateCnameLookup unset), Firefox for HTTP/NAME:\n"
		"  WARNING   only one of the two is registered (the browsers that fall back to\n"
		"            NTLM named; fix: register both on the same account, or make NAME\n"
		"            an A record)\n"
		"  CRITICAL  HTTP/CANONICAL is on another account than HTTP/NAME (or -e), or on\n"
		"            several\n"
		"  a nameserver that does not answer ends the run within -t (stage DNS named);\n"
		"  SERVFAIL/REFUSED is CRITICAL. /etc/hosts is not read: the DNS chain counts.\n"
		"The key probe and the ticket asked with an AES session key only are at most 2\n"
		"KDC exchanges (perfdata kdc_exchanges, kdc_time), none with a kept --ccache:\n"
		"the ticket, the probe's answer and a refusal are kept in that cache until its\n"
		"TGT is renewed.\n"
		"Perfdata: targeted: owners, spns_checked, conflicts, bind_time, search_time,\n"
		"  kdc_exchanges, kdc_time; --all: objects, spns, duplicates, scan_time (and\n"
		"  rc4_only, no_aes_keys with --rc4).\n"
		"SPNs are compared case-insensitively, as AD does. Characters such as * ( ) \\ in\n"
		"-s are escaped (RFC 4515): they match only themselves.\n"
		"Caps against a broken or hostile directory server (CRITICAL, the cap named):\n"
		"  one LDAP message larger than " IWA_LDAP_MESSAGE_MAX_TEXT
		", an attribute with more than " STR(
			IWA_LDAP_VALUES_MAX) "\n"
					     "  values (AD returns at most 1500), more than " STR(
						     OWNERS_MAX) " objects holding the SPNs\n"
								 "  of the targeted mode. --all "
								 "keeps at most --max-spns SPN "
								 "values.\n",
	.examples =
		"  check_spn_unique -H dc1.camtest.test -f sso.camtest.test -e cam-svc \\\n"
		"      --keytab /etc/iwa/monitor.keytab\n"
		"  SPN_UNIQUE OK - HTTP/sso.camtest.test is registered once, on cam-svc (user);\n"
		"  5 SPNs checked | owners=1;;;0 spns_checked=5;;;0 conflicts=0;;;0 ...\n"
		"\n"
		"  (the same SPN also on SERVER1$:)\n"
		"  SPN_UNIQUE CRITICAL - HTTP/sso.camtest.test is also registered on SERVER1$\n"
		"  (computer): the KDC cannot pick one key; remove it with\n"
		"  `setspn -D HTTP/sso.camtest.test SERVER1` | owners=2;;;0 ...\n"
		"\n"
		"  check_spn_unique -H dc1.camtest.test --all --keytab /etc/iwa/monitor.keytab\n"
		"  SPN_UNIQUE OK - no duplicate SPNs: 26 SPNs on 5 objects scanned in 0.02 s\n"
		"  | objects=5;;;0 spns=26;;;0 duplicates=0;;0;0 scan_time=0.019s;;;0\n"
		"\n"
		"  check_spn_unique --ldap-uri ldaps://dc1.camtest.test:3269 --ca-file ca.pem \\\n"
		"      --bind-dn CN=monitor,CN=Users,DC=camtest,DC=test --password-file pw \\\n"
		"      -s HTTP/sso.camtest.test -e cam-svc\n",
	.handle_opt = spn_opt,
	.validate = spn_validate_cfg,
	.run = spn_run,
	.cfg_size = sizeof(struct spn_cfg),
	.cfg_init = spn_cfg_init,
	.cfg_free = spn_cfg_free,
};
