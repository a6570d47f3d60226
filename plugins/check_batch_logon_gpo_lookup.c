/* check_batch_logon_gpo_lookup.c — the searches that depend on what was read: account NAMES
 * found in rights lists (resolved to SIDs in one search, only when a list holds names), and,
 * for the wrong-OU diagnosis only, where the expected GPO is linked and what those containers
 * hold. */
#include "check_batch_logon_gpo.h"
#include "budget.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ names in rights lists */

static int on_name(void *owner, LDAP *ld, LDAPMessage *e, void *arg)
{
	struct blg_ctx *c = owner;
	char *sam = iwa_ldap_first_value(ld, e, "sAMAccountName"),
	     *upn = iwa_ldap_first_value(ld, e, "userPrincipalName");
	struct iwa_sid sid;
	int rc = 0;

	(void)arg;
	if (iwa_ldap_entry_sid(ld, e, &sid))
		for (size_t i = 0; i < c->nnames && rc == 0; i++) {
			struct blg_name *nm = &c->names[i];
			const char *n = nm->name, *bs;
			if (nm->resolved)
				continue;
			if (nm->by_sid) {
				if (sam && iwa_sid_equal(&sid, &nm->sid)) {
					nm->name = strdup(sam);
					nm->resolved = nm->name != NULL;
					rc = nm->name ? 0 : IWA_ENOMEM;
				}
				continue;
			}
			bs = strchr(n, '\\');
			if (bs)
				n = bs + 1;
			if ((sam && strcasecmp(n, sam) == 0) || (upn && strcasecmp(n, upn) == 0)) {
				nm->resolved = true;
				nm->sid = sid;
			}
		}
	free(sam), free(upn);
	return rc;
}

/* Adds a table entry; returns it, NULL on out of memory. */
static struct blg_name *name_add(struct blg_ctx *c)
{
	struct blg_name *nv = realloc(c->names, (c->nnames + 1) * sizeof(*nv));

	if (nv == NULL)
		return NULL;
	c->names = nv;
	memset(&nv[c->nnames], 0, sizeof(*nv));
	return &nv[c->nnames++];
}

/* Is this SID known without the directory (the account, a computer, a well-known SID)? */
static bool sid_known(const struct blg_ctx *c, const struct iwa_sid *s)
{
	if (iwa_sid_wellknown_name(s) != NULL)
		return true;
	if (c->account.found && iwa_sid_equal(s, &c->account.sid))
		return true;
	for (size_t i = 0; i < c->ncomp; i++)
		if (c->comp[i].found && iwa_sid_equal(s, &c->comp[i].sid))
			return true;
	for (size_t i = 0; i < c->nnames; i++)
		if (c->names[i].by_sid && iwa_sid_equal(s, &c->names[i].sid))
			return true;
	return false;
}

/* Collects the table: NAMES (well-known ones resolved at once) and unknown domain SIDs of
 * every rights list read. Returns the number of entries the directory must answer, or -1. */
static int collect_names(struct blg_ctx *c)
{
	int ask = 0;

	for (size_t i = 0; i < c->ngpos; i++) {
		const struct iwa_right_list *l = &c->gpos[i].right;
		for (size_t k = 0; k < l->n; k++) {
			struct blg_name *nm;
			bool dup = false;
			if (l->v[k].is_sid) {
				if (sid_known(c, &l->v[k].sid))
					continue;
				if ((nm = name_add(c)) == NULL)
					return -1;
				nm->by_sid = true;
				nm->sid = l->v[k].sid;
				ask++;
				continue;
			}
			for (size_t j = 0; j < c->nnames; j++)
				dup |= !c->names[j].by_sid &&
				       strcasecmp(c->names[j].name, l->v[k].text) == 0;
			if (dup)
				continue;
			if ((nm = name_add(c)) == NULL || (nm->name = strdup(l->v[k].text)) == NULL)
				return -1;
			if (iwa_sid_from_wellknown_name(l->v[k].text, &nm->sid) == 0)
				nm->resolved = true;
			else
				ask++;
		}
	}
	return ask;
}

/* Resolves the table with one directory search: sAMAccountName/userPrincipalName for names,
 * objectSid (binary, escaped byte by byte) for SIDs. */
int blg_dir_resolve_names(struct blg_ctx *c, struct iwa_err *err)
{
	static char *attrs[] = {"sAMAccountName", "userPrincipalName", "objectSid", NULL};
	struct iwa_buf f;
	char *filter = NULL;
	int ask = collect_names(c), rc = 0;

	if (ask < 0)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	if (ask == 0)
		return 0;
	iwa_buf_init(&f, 64 * 1024);
	rc = iwa_buf_adds(&f, "(|");
	for (size_t i = 0; rc == 0 && i < c->nnames; i++) {
		const struct blg_name *nm = &c->names[i];
		if (nm->resolved)
			continue;
		if (nm->by_sid) {
			uint8_t bin[8 + 4 * IWA_SID_MAX_SUB];
			size_t len = 0;
			rc = iwa_sid_to_bin(&nm->sid, bin, sizeof(bin), &len, NULL);
			if (rc == 0)
				rc = iwa_buf_adds(&f, "(objectSid=");
			for (size_t k = 0; rc == 0 && k < len; k++)
				rc = iwa_buf_addf(&f, "\\%02x", bin[k]);
			if (rc == 0)
				rc = iwa_buf_adds(&f, ")");
		} else {
			const char *n = nm->name, *bs = strchr(n, '\\');
			if (bs)
				n = bs + 1;
			rc = blg_add_eq(&f, strchr(n, '@') ? "userPrincipalName" : "sAMAccountName",
					n);
		}
	}
	if (rc == 0)
		rc = iwa_buf_adds(&f, ")");
	if (rc != 0) {
		iwa_buf_free(&f);
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	}
	filter = iwa_buf_take(&f);
	{
		struct iwa_ldap_req r = {
			c->base, LDAP_SCOPE_SUBTREE, filter, attrs, NULL, 0, on_name, NULL, 0,
			false};
		rc = blg_search_batch(c, &r, 1, err);
	}
	free(filter);
	return rc;
}

/* ------------------------------------------------------------------ where --gpo is linked */

static int on_linked(void *owner, LDAP *ld, LDAPMessage *e, void *arg)
{
	struct blg_ctx *c = owner;
	char *dn = iwa_ldap_entry_dn(ld, e), *gpl = iwa_ldap_first_value(ld, e, "gPLink"), **nv;
	struct iwa_gplink_list l = {NULL, 0};
	const struct blg_gpo *g = &c->gpos[c->expected_gpo];
	bool linked = false;

	(void)arg;
	if (dn && gpl && iwa_gplink_parse(gpl, &l, NULL) == 0)
		for (size_t i = 0; i < l.n; i++)
			linked |= strcmp(l.v[i].guid, g->guid) == 0;
	iwa_gplink_list_free(&l);
	free(gpl);
	if (!linked || c->nexpected_links >= 16) {
		free(dn);
		return 0;
	}
	nv = realloc(c->expected_links, (c->nexpected_links + 1) * sizeof(*nv));
	if (nv == NULL) {
		free(dn);
		return IWA_ENOMEM;
	}
	c->expected_links = nv;
	nv[c->nexpected_links++] = dn;
	return 0;
}

static int on_member(void *owner, LDAP *ld, LDAPMessage *e, void *arg)
{
	struct blg_ctx *c = owner;
	size_t i = (size_t)(uintptr_t)arg;
	struct berval **v = ldap_get_values_len(ld, e, "objectClass");
	bool computer = false;

	for (size_t k = 0; v && v[k]; k++)
		computer |= v[k]->bv_len == 8 && strncasecmp(v[k]->bv_val, "computer", 8) == 0;
	ldap_value_free_len(v);
	if (computer)
		c->expected_links_have_computers[i] = true;
	else
		c->expected_links_have_users[i] = true;
	return 0;
}

/* Where is the expected GPO linked (a substring search on gPLink: only in the failure case),
 * and do those containers hold computer accounts at all? */
int blg_dir_expected_links(struct blg_ctx *c, struct iwa_err *err)
{
	static char *attrs[] = {"gPLink", NULL};
	static char *m_attrs[] = {"objectClass", NULL};
	char *filter = NULL, bare[37];
	struct iwa_ldap_req *reqs = NULL;
	int rc;

	if (c->expected_links_searched || c->expected_gpo < 0)
		return 0;
	c->expected_links_searched = true;
	memcpy(bare, c->gpos[c->expected_gpo].guid + 1, 36);
	bare[36] = '\0';
	if (asprintf(&filter, "(gPLink=*%s*)", bare) < 0)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	{
		struct iwa_ldap_req r = {c->base, LDAP_SCOPE_SUBTREE, filter, attrs, NULL,
					 0,       on_linked,          NULL,   0,     false};
		rc = blg_search_batch(c, &r, 1, err);
	}
	free(filter);
	if (rc != 0 || c->nexpected_links == 0)
		return rc;
	c->expected_links_have_computers = calloc(c->nexpected_links, sizeof(bool));
	c->expected_links_have_users = calloc(c->nexpected_links, sizeof(bool));
	reqs = calloc(c->nexpected_links, sizeof(*reqs));
	if (!c->expected_links_have_computers || !c->expected_links_have_users || !reqs) {
		free(reqs);
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < c->nexpected_links; i++)
		reqs[i] = (struct iwa_ldap_req){c->expected_links[i],
						LDAP_SCOPE_SUBTREE,
						"(|(objectClass=user)(objectClass=computer))",
						m_attrs,
						NULL,
						20,
						on_member,
						(void *)(uintptr_t)i,
						0,
						false};
	rc = blg_search_batch(c, reqs, c->nexpected_links, err);
	free(reqs);
	return rc;
}
