/* check_batch_logon_gpo_text.c — the words of check_batch_logon_gpo: names for SIDs and rights
 * lists, why a GPO does not apply (with the fix), one long-output line per GPO link, the
 * wrong-OU sentence, and the causes collected for the summary (merged across computers). */
#include "check_batch_logon_gpo.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *blg_gpo_label(const struct blg_gpo *g)
{
	return g->name && *g->name ? g->name : g->guid;
}

/* Short computer name: sAMAccountName without '$', else the query. */
void blg_short_name(const struct blg_principal *p, char *buf, size_t cap)
{
	const char *s = p->sam ? p->sam : p->query;
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] == '$')
		n--;
	snprintf(buf, cap, "%.*s", (int)n, s);
}

int blg_cause_add(struct blg_causes *cs, enum iwa_state st, bool names, const char *who,
		  const char *fmt, ...)
{
	struct iwa_buf b;
	struct blg_cause *nv;
	va_list ap;
	char *text;

	iwa_buf_init(&b, 8192);
	va_start(ap, fmt);
	if (iwa_buf_vaddf(&b, fmt, ap) != 0) {
		va_end(ap);
		iwa_buf_free(&b);
		return IWA_ENOMEM;
	}
	va_end(ap);
	text = iwa_buf_take(&b);
	if (text == NULL)
		return IWA_ENOMEM;
	for (size_t i = 0; i < cs->n; i++)
		if (cs->v[i].state == st && strcmp(cs->v[i].text, text) == 0) {
			size_t l = strlen(cs->v[i].who);
			if (who && *who)
				snprintf(cs->v[i].who + l, sizeof(cs->v[i].who) - l, "%s%s",
					 l ? ", " : "", who);
			free(text);
			return 0;
		}
	nv = realloc(cs->v, (cs->n + 1) * sizeof(*nv));
	if (nv == NULL) {
		free(text);
		return IWA_ENOMEM;
	}
	cs->v = nv;
	memset(&nv[cs->n], 0, sizeof(*nv));
	nv[cs->n].state = st;
	nv[cs->n].text = text;
	nv[cs->n].names_computers = names;
	snprintf(nv[cs->n].who, sizeof(nv[cs->n].who), "%s", who ? who : "");
	cs->n++;
	return 0;
}

void blg_causes_free(struct blg_causes *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		free(cs->v[i].text);
	free(cs->v);
}

/* SID of a rights-list entry (names through the resolved table); false if unknown. */
bool blg_entry_sid(const struct blg_ctx *c, const struct iwa_right_entry *e, struct iwa_sid *out)
{
	if (e->is_sid) {
		*out = e->sid;
		return true;
	}
	for (size_t i = 0; i < c->nnames; i++)
		if (!c->names[i].by_sid && c->names[i].resolved &&
		    strcasecmp(c->names[i].name, e->text) == 0) {
			*out = c->names[i].sid;
			return true;
		}
	return false;
}

/* Human form of a SID: the account's name, a well-known name, else the SID. */
void blg_sid_words(const struct blg_ctx *c, const struct iwa_sid *s, char *buf, size_t cap)
{
	const char *wk;
	char t[IWA_SID_STR_MAX];

	if (c->account.found && iwa_sid_equal(s, &c->account.sid)) {
		snprintf(buf, cap, "%s", c->account.sam ? c->account.sam : c->account.query);
		return;
	}
	for (size_t i = 0; i < c->ncomp; i++)
		if (c->comp[i].found && iwa_sid_equal(s, &c->comp[i].sid)) {
			snprintf(buf, cap, "%s",
				 c->comp[i].sam ? c->comp[i].sam : c->comp[i].query);
			return;
		}
	for (size_t i = 0; i < c->nnames; i++)
		if (c->names[i].by_sid && c->names[i].resolved &&
		    iwa_sid_equal(s, &c->names[i].sid)) {
			snprintf(buf, cap, "%s", c->names[i].name);
			return;
		}
	wk = iwa_sid_wellknown_name(s);
	iwa_sid_to_str(s, t, sizeof(t));
	if (wk)
		snprintf(buf, cap, "%s", wk);
	else
		snprintf(buf, cap, "*%s", t);
}

/* "cam-svc, IIS_IUSRS, *S-1-5-..." or "nobody (empty value)". */
int blg_list_words(const struct blg_ctx *c, const struct iwa_right_list *l, struct iwa_buf *b)
{
	if (l->n == 0)
		return iwa_buf_adds(b, "nobody (empty value)");
	for (size_t i = 0; i < l->n; i++) {
		char w[256];
		struct iwa_sid s;
		if (l->v[i].is_sid) {
			s = l->v[i].sid;
			blg_sid_words(c, &s, w, sizeof(w));
		} else
			snprintf(w, sizeof(w), "%s%s", l->v[i].text,
				 blg_entry_sid(c, &l->v[i], &s) ? "" : " (unresolved name)");
		if (iwa_buf_addf(b, "%s%s", i ? ", " : "", w) != 0)
			return IWA_ENOMEM;
	}
	return 0;
}

/* Does GPO g (SYSVOL read) define the right? */
bool blg_defines(const struct blg_gpo *g)
{
	return g && g->has_tmpl && !g->tmpl_error && g->right.defined;
}

/* Why a row does not apply (or does not count), in words; state for it. */
enum iwa_state blg_why_not(const struct blg_ctx *c, const struct blg_principal *p,
			   const struct blg_row *r, const struct iwa_sid *tok, struct iwa_buf *b)
{
	const struct blg_gpo *g = r->gi >= 0 ? &c->gpos[r->gi] : NULL;
	const char *name = g ? blg_gpo_label(g) : r->link->guid;
	char cn[128], w[256];

	blg_short_name(p, cn, sizeof(cn));
	switch (r->st) {
	case BLG_GS_LINK_DISABLED:
		iwa_buf_addf(b,
			     "the link of %s on %s is disabled (gPLink option %u): enable the link",
			     name, r->som->dn, r->link->options);
		return IWA_CRITICAL;
	case BLG_GS_BLOCKED:
		iwa_buf_addf(b,
			     "%s is linked at %s, but %s blocks inheritance (gPOptions=1): enforce "
			     "that link or link the GPO to %s",
			     name, r->som->dn, c->cont[p->chain[r->e->blocked_at]].dn,
			     c->cont[p->chain[p->nchain - 1]].dn);
		return IWA_CRITICAL;
	case BLG_GS_NOT_FOUND:
		iwa_buf_addf(
			b,
			"%s linked at %s does not exist in CN=Policies,CN=System,%s (deleted, or "
			"a link into another domain)",
			r->link->guid, r->som->dn, c->base);
		return IWA_CRITICAL;
	case BLG_GS_COMPUTER_DISABLED:
		iwa_buf_addf(b,
			     "%s has its computer settings disabled (flags=%u): enable them (GPMC: "
			     "GPO Status)",
			     name, g->flags);
		return IWA_CRITICAL;
	case BLG_GS_EMPTY:
		iwa_buf_addf(b,
			     "%s has computer version 0 in the directory (versionNumber %lu): "
			     "clients skip it as empty",
			     name, (unsigned long)g->version);
		return IWA_CRITICAL;
	case BLG_GS_SD_UNREADABLE:
		iwa_buf_addf(b, "cannot evaluate security filtering of %s: %s", name,
			     g && g->sd_error ? g->sd_error : "no DACL");
		return IWA_UNKNOWN;
	case BLG_GS_FILTERED:
		if (r->acc.apply_denied || r->acc.read_denied) {
			int who = r->acc.apply_denied ? r->acc.apply_denied_by
						      : r->acc.read_denied_by;
			blg_sid_words(c, &tok[who], w, sizeof(w));
			iwa_buf_addf(
				b,
				"security filtering excludes %s: a deny ACE for %s refuses %s on "
				"%s",
				cn, w, r->acc.apply_denied ? "Apply Group Policy" : "Read", name);
		} else if (!r->acc.apply)
			iwa_buf_addf(b,
				     "security filtering excludes %s: neither %s$ nor its groups "
				     "have Apply Group Policy on %s (grant Read and Apply Group "
				     "Policy to Domain Computers or %s$)",
				     cn, cn, name, cn);
		else
			iwa_buf_addf(b,
				     "security filtering excludes %s: neither %s$ nor its groups "
				     "have Read on %s",
				     cn, cn, name);
		return IWA_CRITICAL;
	case BLG_GS_APPLIES:
		if (r->no_cse) {
			iwa_buf_addf(b,
				     "%s defines %s, but its gPCMachineExtensionNames lacks the "
				     "Security CSE %s: clients skip its security settings",
				     name, c->cfg->right, BLG_SECURITY_CSE);
			return IWA_WARNING;
		}
		break;
	}
	return IWA_OK;
}

static const char *status_words(const struct blg_row *r)
{
	switch (r->st) {
	case BLG_GS_APPLIES:
		return r->no_cse ? "applies, but no Security CSE" : "applies";
	case BLG_GS_LINK_DISABLED:
		return "link disabled";
	case BLG_GS_BLOCKED:
		return "blocked by inheritance blocking";
	case BLG_GS_NOT_FOUND:
		return "GPO not found";
	case BLG_GS_COMPUTER_DISABLED:
		return "computer settings disabled";
	case BLG_GS_EMPTY:
		return "computer version 0 (empty)";
	case BLG_GS_SD_UNREADABLE:
		return "DACL unreadable";
	case BLG_GS_FILTERED:
		return "filtered out by its DACL";
	}
	return "?";
}

/* One long-output line for a row. */
void blg_row_line(const struct blg_ctx *c, const struct blg_row *r, const struct iwa_sid *tok,
		  bool winner, struct iwa_check *node)
{
	const struct blg_gpo *g = r->gi >= 0 ? &c->gpos[r->gi] : NULL;
	struct iwa_buf b;
	char *s;

	iwa_buf_init(&b, 8192);
	if (r->e->precedence)
		iwa_buf_addf(&b, "%u. ", r->e->precedence);
	else
		iwa_buf_adds(&b, "-  ");
	iwa_buf_addf(&b, "%s %s: linked at %s (link order %u%s), %s", g ? blg_gpo_label(g) : "?",
		     r->link->guid, r->som->dn, r->link->link_order,
		     r->link->enforced ? ", enforced" : "", status_words(r));
	if (r->st == BLG_GS_APPLIES && r->acc.apply_by >= 0) {
		char w[256];
		blg_sid_words(c, &tok[r->acc.apply_by], w, sizeof(w));
		iwa_buf_addf(&b, " (Apply Group Policy via %s)", w);
	}
	if (g && g->wmi)
		iwa_buf_adds(&b, "; WMI filter (not evaluated)");
	if (g && g->read_done) {
		if (g->tmpl_error)
			iwa_buf_addf(&b, "; GptTmpl.inf unreadable: %s", g->tmpl_error);
		else if (blg_defines(g)) {
			iwa_buf_addf(&b, "; %s = ", c->cfg->right);
			blg_list_words(c, &g->right, &b);
		} else
			iwa_buf_addf(&b, "; does not define %s", c->cfg->right);
		if (g->has_gptini)
			iwa_buf_addf(&b, "; version AD %lu / GPT.INI %lu",
				     (unsigned long)g->version, (unsigned long)g->gpt_version);
	}
	if (winner)
		iwa_buf_adds(&b, "  <= WINNER");
	s = iwa_buf_take(&b);
	if (s)
		iwa_check_add_line(node, "%s", s);
	free(s);
}

/* The wrong-OU sentence for all computers the expected GPO does not reach. */
int blg_wrong_ou_text(struct blg_ctx *c, const bool *affected, struct iwa_buf *b,
		      struct iwa_err *err)
{
	const struct blg_gpo *g = &c->gpos[c->expected_gpo];
	bool any_users = false, any_computers = false;

	(void)err;
	if (c->nexpected_links == 0)
		iwa_buf_addf(b,
			     "%s is not linked to any container; computer settings apply from the "
			     "computer's own OU chain",
			     blg_gpo_label(g));
	else {
		iwa_buf_addf(b, "%s is linked only to ", blg_gpo_label(g));
		for (size_t i = 0; i < c->nexpected_links; i++) {
			iwa_buf_addf(b, "%s%s", i ? ", " : "", c->expected_links[i]);
			any_users |= c->expected_links_have_users[i];
			any_computers |= c->expected_links_have_computers[i];
		}
		iwa_buf_addf(b,
			     ", which %s %s; computer settings apply from the computer's own OU "
			     "chain",
			     c->nexpected_links > 1 ? "hold" : "holds",
			     any_computers ? "other computers"
			     : any_users   ? "user accounts"
					   : "no computer accounts");
	}
	/* ": link it to OU=X (where A, B live)", one clause per parent container; a CN=
	 * container (CN=Computers) cannot carry GPO links: the computers must move to an OU */
	for (size_t i = 0, nparents = 0; i < c->ncomp; i++) {
		size_t parent, members = 0;
		bool seen = false, container;
		const char *pdn;
		if (!affected[i])
			continue;
		parent = c->comp[i].chain[c->comp[i].nchain - 1];
		pdn = c->cont[parent].dn;
		container = strncasecmp(pdn, "CN=", 3) == 0;
		for (size_t k = 0; k < i; k++)
			seen |= affected[k] && c->comp[k].chain[c->comp[k].nchain - 1] == parent;
		if (seen)
			continue;
		iwa_buf_adds(b, nparents++ ? "; " : ": ");
		if (container)
			iwa_buf_adds(b, "move ");
		else
			iwa_buf_addf(b, "link it to %s (where ", pdn);
		for (size_t k = i; k < c->ncomp; k++) {
			char n[128];
			if (!affected[k] || c->comp[k].chain[c->comp[k].nchain - 1] != parent)
				continue;
			blg_short_name(&c->comp[k], n, sizeof(n));
			iwa_buf_addf(b, "%s%s", members++ ? ", " : "", n);
		}
		if (container)
			iwa_buf_addf(b,
				     " out of %s (a container: GPOs cannot be linked to it) into "
				     "an OU that has the link",
				     pdn);
		else
			iwa_buf_addf(b, " %s)", members > 1 ? "live" : "lives");
	}
	return 0;
}
