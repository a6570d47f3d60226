/* check_batch_logon_gpo_dir.c — what the directory says: the account and computers
 * (objectSid, tokenGroups), the containers above each computer (gPLink, gPOptions), the GPOs
 * (groupPolicyContainer attributes, DACL via the SD flags control).
 *
 * Round trips (healthy run): rootDSE; account + computers in one subtree search; one batch of
 * base searches sent together (tokenGroups of the account and of each computer, gPLink/gPOptions
 * of every container on the computers' paths); the GPOs in one one-level search. Then one
 * search to resolve account NAMES found in rights lists (only when a list holds names) and,
 * for the wrong-OU diagnosis only, where the expected GPO is linked. */
#include "check_batch_logon_gpo.h"
#include "budget.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ batched searches */

/* directory.c's batched searches with the plugin's counters (the callbacks get c as owner). */
int blg_search_batch(struct blg_ctx *c, struct iwa_ldap_req *r, size_t n, struct iwa_err *err)
{
	struct iwa_ldap_batch_stats st = {0, 0, 0.0};
	int rc = iwa_ldap_search_batch(c->ldap, c, r, n, &st, err);

	c->ldap_searches += st.searches;
	c->ldap_round_trips += st.round_trips;
	c->ldap_seconds += st.seconds;
	return rc;
}

/* Parses a decimal attribute value (0 when absent or malformed). */
static unsigned long long get_num(LDAP *ld, LDAPMessage *e, const char *attr, bool *present)
{
	char *s = iwa_ldap_first_value(ld, e, attr);
	unsigned long long v = 0;
	long long sv;
	char *end;

	if (present)
		*present = s != NULL;
	if (s) {
		/* flags/versionNumber are INTEGER syntax (signed 32 bits on the wire) */
		sv = strtoll(s, &end, 10);
		if (*end == '\0' && end != s)
			v = sv < 0 ? (unsigned long long)(uint32_t)sv : (unsigned long long)sv;
	}
	free(s);
	return v;
}

/* ------------------------------------------------------------------ DN helpers */

/* Offset just past the first unescaped ',' of dn, or 0 when there is none. */
static size_t dn_parent_off(const char *dn)
{
	for (size_t i = 0; dn[i]; i++) {
		if (dn[i] == '\\' && dn[i + 1]) {
			i++;
			continue;
		}
		if (dn[i] == ',') {
			size_t j = i + 1;
			while (dn[j] == ' ')
				j++;
			return j;
		}
	}
	return 0;
}

/* True when dn consists of DC= components only (a domain root). */
static bool dn_is_domain_root(const char *dn)
{
	const char *p = dn;

	while (*p) {
		size_t off;
		if (strncasecmp(p, "DC=", 3) != 0)
			return false;
		off = dn_parent_off(p);
		if (off == 0)
			return true;
		p += off;
	}
	return false;
}

/* Index of the container with this DN (case-insensitive), added when absent. */
static int container_add(struct blg_ctx *c, const char *dn, bool site, size_t *idx_out)
{
	struct blg_container *nv;

	for (size_t i = 0; i < c->ncont; i++)
		if (strcasecmp(c->cont[i].dn, dn) == 0) {
			*idx_out = i;
			return 0;
		}
	nv = realloc(c->cont, (c->ncont + 1) * sizeof(*nv));
	if (nv == NULL)
		return IWA_ENOMEM;
	c->cont = nv;
	memset(&nv[c->ncont], 0, sizeof(*nv));
	nv[c->ncont].dn = strdup(dn);
	nv[c->ncont].is_site = site;
	if (nv[c->ncont].dn == NULL)
		return IWA_ENOMEM;
	*idx_out = c->ncont++;
	return 0;
}

/* The computer's scopes of management, top-down: [site], domain root, OUs..., parent. */
static int build_chain(struct blg_ctx *c, struct blg_principal *p)
{
	size_t idx[64], n = 0, site_idx = 0;
	const char *q = p->dn;
	bool have_site = false;

	if (c->cfg->site && c->config_nc) {
		char *sdn = NULL;
		/* validate() refuses site names with DN special characters */
		if (asprintf(&sdn, "CN=%s,CN=Sites,%s", c->cfg->site, c->config_nc) < 0)
			return IWA_ENOMEM;
		if (container_add(c, sdn, true, &site_idx) != 0) {
			free(sdn);
			return IWA_ENOMEM;
		}
		free(sdn);
		have_site = true;
	}
	for (;;) {
		size_t off = dn_parent_off(q);
		if (off == 0 || n == 64)
			break;
		q += off;
		if (container_add(c, q, false, &idx[n]) != 0)
			return IWA_ENOMEM;
		n++;
		if (dn_is_domain_root(q))
			break;
	}
	p->chain = calloc(n + 1, sizeof(*p->chain));
	if (p->chain == NULL)
		return IWA_ENOMEM;
	if (have_site)
		p->chain[p->nchain++] = site_idx;
	for (size_t i = n; i-- > 0;)
		p->chain[p->nchain++] = idx[i];
	return 0;
}

/* ------------------------------------------------------------------ entry handlers */

static int on_rootdse(void *owner, LDAP *ld, LDAPMessage *e, void *arg)
{
	struct blg_ctx *c = owner;
	(void)arg;
	free(c->config_nc);
	c->config_nc = iwa_ldap_first_value(ld, e, "configurationNamingContext");
	if (c->base == NULL)
		c->base = iwa_ldap_first_value(ld, e, "defaultNamingContext");
	return 0;
}

/* Does entry e answer query q (the account when is_account, else a computer)? */
static bool matches(const char *q, bool is_account, const char *dn, const char *sam,
		    const char *upn, const char *dns)
{
	const char *bs = strchr(q, '\\');
	size_t ql = strlen(q);

	if (strchr(q, '=') != NULL)
		return dn && strcasecmp(q, dn) == 0;
	if (bs && strchr(q, '=') == NULL)
		q = bs + 1, ql = strlen(q);
	if (is_account && strchr(q, '@'))
		return upn && strcasecmp(q, upn) == 0;
	if (!is_account && strchr(q, '.') && dns && strcasecmp(q, dns) == 0)
		return true;
	if (sam == NULL)
		return false;
	if (strcasecmp(q, sam) == 0)
		return true;
	/* SERVER1 matches SERVER1$ */
	return !is_account && strlen(sam) == ql + 1 && sam[ql] == '$' &&
	       strncasecmp(q, sam, ql) == 0;
}

static int fill_principal(struct blg_principal *p, LDAP *ld, LDAPMessage *e, char *dn, char *sam,
			  char *upn, char *dns)
{
	int rc = 0;

	if (p->found) {
		p->ambiguous = true;
		goto out;
	}
	if (!iwa_ldap_entry_sid(ld, e, &p->sid))
		goto out; /* no readable objectSid: not a security principal */
	p->found = true;
	p->dn = dn, p->sam = sam, p->upn = upn, p->dns = dns;
	dn = sam = upn = dns = NULL;
out:
	free(dn), free(sam), free(upn), free(dns);
	return rc;
}

static int on_principal(void *owner, LDAP *ld, LDAPMessage *e, void *arg)
{
	struct blg_ctx *c = owner;
	char *dn = iwa_ldap_entry_dn(ld, e), *sam = iwa_ldap_first_value(ld, e, "sAMAccountName");
	char *upn = iwa_ldap_first_value(ld, e, "userPrincipalName"),
	     *dns = iwa_ldap_first_value(ld, e, "dNSHostName");
	int rc = 0;

	(void)arg;
	if (dn == NULL)
		goto out;
	if (matches(c->cfg->account, true, dn, sam, upn, dns)) {
		rc = fill_principal(&c->account, ld, e, strdup(dn), iwa_strdup(sam),
				    iwa_strdup(upn), iwa_strdup(dns));
		if (rc)
			goto out;
	}
	for (size_t i = 0; i < c->ncomp; i++)
		if (matches(c->comp[i].query, false, dn, sam, upn, dns)) {
			rc = fill_principal(&c->comp[i], ld, e, strdup(dn), iwa_strdup(sam),
					    iwa_strdup(upn), iwa_strdup(dns));
			if (rc)
				goto out;
		}
out:
	free(dn), free(sam), free(upn), free(dns);
	return rc;
}

static int on_token_groups(void *owner, LDAP *ld, LDAPMessage *e, void *arg)
{
	struct blg_ctx *c = owner;
	struct blg_principal *p = arg;
	struct berval **v = ldap_get_values_len(ld, e, "tokenGroups");
	size_t n = v ? (size_t)ldap_count_values_len(v) : 0;

	(void)c;
	free(p->groups);
	p->groups = calloc(n + 1, sizeof(*p->groups));
	p->ngroups = 0;
	if (p->groups == NULL) {
		ldap_value_free_len(v);
		return IWA_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		if (iwa_sid_from_bin((const uint8_t *)v[i]->bv_val, v[i]->bv_len,
				     &p->groups[p->ngroups], NULL, NULL) == 0)
			p->ngroups++;
	ldap_value_free_len(v);
	return 0;
}

static int on_container(void *owner, LDAP *ld, LDAPMessage *e, void *arg)
{
	struct blg_ctx *c = owner;
	struct blg_container *k = &c->cont[(size_t)(uintptr_t)arg];
	struct iwa_err perr = {0};

	k->found = true;
	k->gplink_raw = iwa_ldap_first_value(ld, e, "gPLink");
	k->gpoptions = (unsigned)get_num(ld, e, "gPOptions", NULL);
	if (iwa_gplink_parse(k->gplink_raw, &k->links, &perr) != 0) {
		k->parse_error = strdup(perr.msg);
		memset(&k->links, 0, sizeof(k->links));
	}
	return 0;
}

/* Index of gpo guid in c->gpos, added when absent (-1 on out of memory). */
static int gpo_add(struct blg_ctx *c, const char *guid)
{
	struct blg_gpo *nv;
	int i = blg_gpo_find(c, guid);

	if (i >= 0)
		return i;
	nv = realloc(c->gpos, (c->ngpos + 1) * sizeof(*nv));
	if (nv == NULL)
		return -1;
	c->gpos = nv;
	memset(&nv[c->ngpos], 0, sizeof(*nv));
	memcpy(nv[c->ngpos].guid, guid, 39);
	return (int)c->ngpos++;
}

static int on_gpo(void *owner, LDAP *ld, LDAPMessage *e, void *arg)
{
	struct blg_ctx *c = owner;
	char *cn = iwa_ldap_first_value(ld, e, "cn"), guid[39];
	char *name = iwa_ldap_first_value(ld, e, "displayName");
	struct berval **sd;
	struct blg_gpo *g;
	int i;

	(void)arg;
	if (cn == NULL || iwa_gpo_guid_normalize(cn, guid) != 0) {
		free(cn), free(name);
		return 0;
	}
	free(cn);
	i = blg_gpo_find(c, guid);
	if (i < 0 && c->cfg->gpo && name && strcasecmp(c->cfg->gpo, name) == 0)
		i = gpo_add(c, guid);
	if (i < 0) {
		free(name);
		return 0;
	}
	g = &c->gpos[i];
	if (g->found) {
		free(name);
		return 0;
	}
	g->found = true;
	g->name = name;
	g->dn = iwa_ldap_entry_dn(ld, e);
	g->fspath = iwa_ldap_first_value(ld, e, "gPCFileSysPath");
	g->machine_ext = iwa_ldap_first_value(ld, e, "gPCMachineExtensionNames");
	g->wmi = iwa_ldap_first_value(ld, e, "gPCWMIFilter");
	g->flags = (unsigned)get_num(ld, e, "flags", NULL);
	g->version = (uint32_t)get_num(ld, e, "versionNumber", NULL);
	if (c->cfg->gpo && c->expected_gpo < 0 && name && strcasecmp(c->cfg->gpo, name) == 0) {
		c->expected_gpo = i;
		g->expected = true;
	}
	sd = ldap_get_values_len(ld, e, "nTSecurityDescriptor");
	if (sd && sd[0]) {
		struct iwa_err perr = {0};
		if (iwa_secdesc_parse((const uint8_t *)sd[0]->bv_val, sd[0]->bv_len, &g->sd,
				      &perr) != 0)
			g->sd_error = strdup(perr.msg);
	} else
		g->sd_error = strdup("nTSecurityDescriptor not readable with our credentials");
	ldap_value_free_len(sd);
	return 0;
}

/* ------------------------------------------------------------------ filters */

/* Appends "(attr=value)" with value escaped. */
int blg_add_eq(struct iwa_buf *b, const char *attr, const char *value)
{
	if (iwa_buf_addf(b, "(%s=", attr) != 0 || iwa_ldap_escape(b, value) != 0)
		return IWA_ENOMEM;
	return iwa_buf_adds(b, ")");
}

/* The equality term(s) for one account/computer query. */
static int add_principal_terms(struct iwa_buf *b, const char *q, bool is_account)
{
	const char *bs = strchr(q, '\\');
	int rc;

	if (strchr(q, '=') != NULL)
		return blg_add_eq(b, "distinguishedName", q);
	if (bs)
		q = bs + 1;
	if (is_account) {
		if (strchr(q, '@'))
			return blg_add_eq(b, "userPrincipalName", q);
		return blg_add_eq(b, "sAMAccountName", q);
	}
	if (strchr(q, '.'))
		return blg_add_eq(b, "dNSHostName", q);
	if (q[0] && q[strlen(q) - 1] == '$')
		return blg_add_eq(b, "sAMAccountName", q);
	rc = iwa_buf_adds(b, "(sAMAccountName=");
	if (rc == 0)
		rc = iwa_ldap_escape(b, q);
	if (rc == 0)
		rc = iwa_buf_adds(b, "$)");
	return rc;
}

/* ------------------------------------------------------------------ loading */

/* A base-scope request for dn. */
static struct iwa_ldap_req base_req(const char *dn, char **attrs, iwa_ldap_req_fn fn, void *arg)
{
	struct iwa_ldap_req r = {
		dn, LDAP_SCOPE_BASE, "(objectClass=*)", attrs, NULL, 0, fn, arg, 0, false};
	return r;
}

/* 1. rootDSE: defaultNamingContext (unless -b), configurationNamingContext (for --site). */
static int load_root(struct blg_ctx *c, struct iwa_err *err)
{
	static char *attrs[] = {"defaultNamingContext", "configurationNamingContext", NULL};
	struct iwa_ldap_req r = base_req("", attrs, on_rootdse, NULL);
	int rc;

	if (c->cfg->ldap.base && (c->base = strdup(c->cfg->ldap.base)) == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	rc = blg_search_batch(c, &r, 1, err);
	if (rc == 0 && c->base == NULL)
		rc = iwa_err_set(err, IWA_EIO, "%s did not name its defaultNamingContext: give -b",
				 iwa_ldap_server(c->ldap));
	return rc;
}

/* 2. The account and the computers in one subtree search. */
static int load_principals(struct blg_ctx *c, struct iwa_err *err)
{
	static char *attrs[] = {"sAMAccountName", "userPrincipalName", "dNSHostName", "objectSid",
				NULL};
	struct iwa_buf f;
	struct iwa_ldap_req r;
	char *filter;
	int rc;

	iwa_buf_init(&f, 256 * 1024);
	rc = iwa_buf_adds(&f, "(|");
	if (rc == 0)
		rc = add_principal_terms(&f, c->cfg->account, true);
	for (size_t i = 0; rc == 0 && i < c->ncomp; i++)
		rc = add_principal_terms(&f, c->comp[i].query, false);
	if (rc == 0)
		rc = iwa_buf_adds(&f, ")");
	filter = rc == 0 ? iwa_buf_take(&f) : NULL;
	iwa_buf_free(&f);
	if (filter == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	r = (struct iwa_ldap_req){c->base, LDAP_SCOPE_SUBTREE, filter, attrs, NULL,
				  0,       on_principal,       NULL,   0,     false};
	rc = blg_search_batch(c, &r, 1, err);
	if (rc == 0 && r.no_such_object)
		rc = iwa_err_set(err, IWA_EINVAL, "search base %s does not exist", c->base);
	free(filter);
	return rc;
}

/* 3. One batch of base searches: tokenGroups of the account and of each computer, and
 * gPLink/gPOptions of every container on the computers' paths. */
static int load_batch(struct blg_ctx *c, struct iwa_err *err)
{
	static char *tg_attrs[] = {"tokenGroups", NULL};
	static char *c_attrs[] = {"gPLink", "gPOptions", NULL};
	struct iwa_ldap_req *reqs;
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < c->ncomp; i++)
		if (c->comp[i].found && build_chain(c, &c->comp[i]) != 0)
			return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	reqs = calloc(1 + c->ncomp + c->ncont, sizeof(*reqs));
	if (reqs == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	if (c->account.found)
		reqs[n++] = base_req(c->account.dn, tg_attrs, on_token_groups, &c->account);
	for (size_t i = 0; i < c->ncomp; i++)
		if (c->comp[i].found)
			reqs[n++] = base_req(c->comp[i].dn, tg_attrs, on_token_groups, &c->comp[i]);
	for (size_t i = 0; i < c->ncont; i++)
		reqs[n++] = base_req(c->cont[i].dn, c_attrs, on_container, (void *)(uintptr_t)i);
	if (n > 0)
		rc = blg_search_batch(c, reqs, n, err);
	free(reqs);
	return rc;
}

/* 4. The GPOs linked on those containers (and --gpo) in one one-level search under
 * CN=Policies,CN=System, with the SD flags control so the DACL comes along. */
static int load_gpos(struct blg_ctx *c, struct iwa_err *err)
{
	static char *attrs[] = {"cn",           "displayName",          "gPCFileSysPath",
				"flags",        "versionNumber",        "gPCMachineExtensionNames",
				"gPCWMIFilter", "nTSecurityDescriptor", NULL};
	/* LDAP_SERVER_SD_FLAGS_OID, value BER SEQUENCE { INTEGER 4 } = DACL only */
	static char sd_flags_ber[] = {0x30, 0x03, 0x02, 0x01, 0x04};
	LDAPControl sdc = {"1.2.840.113556.1.4.801", {5, sd_flags_ber}, 1};
	LDAPControl *ctrls[] = {&sdc, NULL};
	struct iwa_buf f;
	struct iwa_ldap_req r;
	char *filter = NULL, *pol_base = NULL, g[39];
	int rc = 0;

	for (size_t i = 0; i < c->ncont; i++) {
		if (c->cont[i].parse_error)
			return iwa_err_set(err, IWA_EPARSE, "cannot evaluate: %s on %s",
					   c->cont[i].parse_error, c->cont[i].dn);
		for (size_t k = 0; k < c->cont[i].links.n; k++)
			if (gpo_add(c, c->cont[i].links.v[k].guid) < 0)
				return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	}
	if (c->cfg->gpo && iwa_gpo_guid_normalize(c->cfg->gpo, g) == 0) {
		int i = gpo_add(c, g);
		if (i < 0)
			return iwa_err_set(err, IWA_ENOMEM, "out of memory");
		c->expected_gpo = i;
		c->gpos[i].expected = true;
	}
	if (c->ngpos == 0 && c->cfg->gpo == NULL)
		return 0;
	iwa_buf_init(&f, 256 * 1024);
	rc = iwa_buf_adds(&f, "(&(objectClass=groupPolicyContainer)(|");
	for (size_t i = 0; rc == 0 && i < c->ngpos; i++)
		rc = blg_add_eq(&f, "cn", c->gpos[i].guid);
	if (rc == 0 && c->cfg->gpo && c->expected_gpo < 0)
		rc = blg_add_eq(&f, "displayName", c->cfg->gpo);
	if (rc == 0)
		rc = iwa_buf_adds(&f, "))");
	filter = rc == 0 ? iwa_buf_take(&f) : NULL;
	iwa_buf_free(&f);
	if (filter == NULL || asprintf(&pol_base, "CN=Policies,CN=System,%s", c->base) < 0) {
		free(filter);
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	}
	r = (struct iwa_ldap_req){
		pol_base, LDAP_SCOPE_ONELEVEL, filter, attrs, ctrls, 0, on_gpo, NULL, 0, false};
	rc = blg_search_batch(c, &r, 1, err);
	free(filter);
	free(pol_base);
	return rc;
}

/* See the file comment: 4 round trips. */
int blg_dir_load(struct blg_ctx *c, struct iwa_err *err)
{
	int rc;

	c->expected_gpo = -1;
	rc = load_root(c, err);
	if (rc == 0)
		rc = load_principals(c, err);
	if (rc == 0)
		rc = load_batch(c, err);
	if (rc == 0)
		rc = load_gpos(c, err);
	return rc;
}
