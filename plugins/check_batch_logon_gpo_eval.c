/* check_batch_logon_gpo_eval.c — per computer: the GPOs that apply to its computer settings in
 * MS-GPOL precedence, which of them carries the winning definition of the right, whether that
 * list names the account (or one of its groups), and the causes in an admin's words. */
#include "check_batch_logon_gpo.h"
#include "budget.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum gstat {
	GS_APPLIES = 0,
	GS_LINK_DISABLED,
	GS_BLOCKED,
	GS_NOT_FOUND,
	GS_COMPUTER_DISABLED,
	GS_EMPTY,
	GS_SD_UNREADABLE,
	GS_FILTERED,
};

struct row {
	const struct iwa_link_eval *e;
	const struct iwa_gplink *link;
	const struct blg_container *som;
	int gi; /* index in c->gpos, -1 if unknown */
	enum gstat st;
	bool no_cse;
	struct iwa_gpo_access acc;
};

/* One cause for the summary; identical texts of several computers are merged. */
struct cause {
	enum iwa_state state;
	char *text;
	bool names_computers; /* the text already names the computers: no "SERVER1: " prefix */
	char who[512];
};

struct causes {
	struct cause *v;
	size_t n;
};

const char *blg_gpo_label(const struct blg_gpo *g)
{
	return g->name && *g->name ? g->name : g->guid;
}

/* Short computer name: sAMAccountName without '$', else the query. */
static void short_name(const struct blg_principal *p, char *buf, size_t cap)
{
	const char *s = p->sam ? p->sam : p->query;
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] == '$')
		n--;
	snprintf(buf, cap, "%.*s", (int)n, s);
}

/* Adds a cause for computer `who` (merged with an identical text). */
static int cause_add(struct causes *cs, enum iwa_state st, bool names, const char *who,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int cause_add(struct causes *cs, enum iwa_state st, bool names, const char *who,
		     const char *fmt, ...)
{
	struct iwa_buf b;
	struct cause *nv;
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

static void causes_free(struct causes *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		free(cs->v[i].text);
	free(cs->v);
}

/* The SIDs in a computer's (or the account's) token as a DC sees it over the network. */
static struct iwa_sid *token_sids(const struct blg_principal *p, size_t *n_out)
{
	static const char *const extra[] = {"S-1-1-0", "S-1-5-11", "S-1-5-15"};
	struct iwa_sid *v = calloc(p->ngroups + 4, sizeof(*v));
	size_t n = 0;

	if (v == NULL)
		return NULL;
	v[n++] = p->sid;
	for (size_t i = 0; i < p->ngroups; i++)
		v[n++] = p->groups[i];
	for (size_t i = 0; i < 3; i++)
		if (iwa_sid_from_str(extra[i], &v[n], NULL) == 0)
			n++;
	*n_out = n;
	return v;
}

static bool sid_in(const struct iwa_sid *s, const struct iwa_sid *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (iwa_sid_equal(s, &v[i]))
			return true;
	return false;
}

/* SID of a rights-list entry (names through the resolved table); false if unknown. */
static bool entry_sid(const struct blg_ctx *c, const struct iwa_right_entry *e, struct iwa_sid *out)
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
static void sid_words(const struct blg_ctx *c, const struct iwa_sid *s, char *buf, size_t cap)
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
static int list_words(const struct blg_ctx *c, const struct iwa_right_list *l, struct iwa_buf *b)
{
	if (l->n == 0)
		return iwa_buf_adds(b, "nobody (empty value)");
	for (size_t i = 0; i < l->n; i++) {
		char w[256];
		struct iwa_sid s;
		if (l->v[i].is_sid) {
			s = l->v[i].sid;
			sid_words(c, &s, w, sizeof(w));
		} else
			snprintf(w, sizeof(w), "%s%s", l->v[i].text,
				 entry_sid(c, &l->v[i], &s) ? "" : " (unresolved name)");
		if (iwa_buf_addf(b, "%s%s", i ? ", " : "", w) != 0)
			return IWA_ENOMEM;
	}
	return 0;
}

/* Does the list name the account or one of its groups? *via_out = index of the entry. */
static bool list_grants(const struct blg_ctx *c, const struct iwa_right_list *l,
			const struct iwa_sid *acct, size_t nacct, int *via_out)
{
	for (size_t i = 0; i < l->n; i++) {
		struct iwa_sid s;
		if (entry_sid(c, &l->v[i], &s) && sid_in(&s, acct, nacct)) {
			*via_out = (int)i;
			return true;
		}
	}
	return false;
}

static bool has_security_cse(const struct blg_gpo *g)
{
	return g->machine_ext && strcasestr(g->machine_ext, BLG_SECURITY_CSE) != NULL;
}

/* Classifies one link for one computer. */
static void classify(const struct blg_ctx *c, const struct blg_principal *p,
		     const struct iwa_sid *tok, size_t ntok, struct row *r)
{
	const struct blg_gpo *g;

	r->gi = blg_gpo_find(c, r->link->guid);
	g = r->gi >= 0 ? &c->gpos[r->gi] : NULL;
	if (r->e->status == IWA_LINK_DISABLED)
		r->st = GS_LINK_DISABLED;
	else if (r->e->status == IWA_LINK_BLOCKED)
		r->st = GS_BLOCKED;
	else if (g == NULL || !g->found)
		r->st = GS_NOT_FOUND;
	else if (g->flags & 2)
		r->st = GS_COMPUTER_DISABLED;
	else if ((g->version & 0xFFFF) == 0)
		r->st = GS_EMPTY;
	else if (g->sd == NULL)
		r->st = GS_SD_UNREADABLE;
	else {
		iwa_secdesc_gpo_access(g->sd, tok, ntok, &r->acc);
		r->st = r->acc.read && r->acc.apply ? GS_APPLIES : GS_FILTERED;
	}
	r->no_cse = g && g->found && !has_security_cse(g);
	(void)p;
}

/* Does GPO g (SYSVOL read) define the right? */
static bool defines(const struct blg_gpo *g)
{
	return g && g->has_tmpl && !g->tmpl_error && g->right.defined;
}

/* Why a row does not apply (or does not count), in words; state for it. */
static enum iwa_state why_not(const struct blg_ctx *c, const struct blg_principal *p,
			      const struct row *r, const struct iwa_sid *tok, struct iwa_buf *b)
{
	const struct blg_gpo *g = r->gi >= 0 ? &c->gpos[r->gi] : NULL;
	const char *name = g ? blg_gpo_label(g) : r->link->guid;
	char cn[128], w[256];

	short_name(p, cn, sizeof(cn));
	switch (r->st) {
	case GS_LINK_DISABLED:
		iwa_buf_addf(b,
			     "the link of %s on %s is disabled (gPLink option %u): enable the link",
			     name, r->som->dn, r->link->options);
		return IWA_CRITICAL;
	case GS_BLOCKED:
		iwa_buf_addf(b,
			     "%s is linked at %s, but %s blocks inheritance (gPOptions=1): enforce "
			     "that link or link the GPO to %s",
			     name, r->som->dn, c->cont[p->chain[r->e->blocked_at]].dn,
			     c->cont[p->chain[p->nchain - 1]].dn);
		return IWA_CRITICAL;
	case GS_NOT_FOUND:
		iwa_buf_addf(
			b,
			"%s linked at %s does not exist in CN=Policies,CN=System,%s (deleted, or "
			"a link into another domain)",
			r->link->guid, r->som->dn, c->base);
		return IWA_CRITICAL;
	case GS_COMPUTER_DISABLED:
		iwa_buf_addf(b,
			     "%s has its computer settings disabled (flags=%u): enable them (GPMC: "
			     "GPO Status)",
			     name, g->flags);
		return IWA_CRITICAL;
	case GS_EMPTY:
		iwa_buf_addf(b,
			     "%s has computer version 0 in the directory (versionNumber %lu): "
			     "clients skip it as empty",
			     name, (unsigned long)g->version);
		return IWA_CRITICAL;
	case GS_SD_UNREADABLE:
		iwa_buf_addf(b, "cannot evaluate security filtering of %s: %s", name,
			     g && g->sd_error ? g->sd_error : "no DACL");
		return IWA_UNKNOWN;
	case GS_FILTERED:
		if (r->acc.apply_denied || r->acc.read_denied) {
			int who = r->acc.apply_denied ? r->acc.apply_denied_by
						      : r->acc.read_denied_by;
			sid_words(c, &tok[who], w, sizeof(w));
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
	case GS_APPLIES:
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

static const char *status_words(const struct row *r)
{
	switch (r->st) {
	case GS_APPLIES:
		return r->no_cse ? "applies, but no Security CSE" : "applies";
	case GS_LINK_DISABLED:
		return "link disabled";
	case GS_BLOCKED:
		return "blocked by inheritance blocking";
	case GS_NOT_FOUND:
		return "GPO not found";
	case GS_COMPUTER_DISABLED:
		return "computer settings disabled";
	case GS_EMPTY:
		return "computer version 0 (empty)";
	case GS_SD_UNREADABLE:
		return "DACL unreadable";
	case GS_FILTERED:
		return "filtered out by its DACL";
	}
	return "?";
}

/* One long-output line for a row. */
static void row_line(const struct blg_ctx *c, const struct row *r, const struct iwa_sid *tok,
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
	if (r->st == GS_APPLIES && r->acc.apply_by >= 0) {
		char w[256];
		sid_words(c, &tok[r->acc.apply_by], w, sizeof(w));
		iwa_buf_addf(&b, " (Apply Group Policy via %s)", w);
	}
	if (g && g->wmi)
		iwa_buf_adds(&b, "; WMI filter (not evaluated)");
	if (g && g->read_done) {
		if (g->tmpl_error)
			iwa_buf_addf(&b, "; GptTmpl.inf unreadable: %s", g->tmpl_error);
		else if (defines(g)) {
			iwa_buf_addf(&b, "; %s = ", c->cfg->right);
			list_words(c, &g->right, &b);
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
static int wrong_ou_text(struct blg_ctx *c, const bool *affected, struct iwa_buf *b,
			 struct iwa_err *err)
{
	const struct blg_gpo *g = &c->gpos[c->expected_gpo];
	bool any_users = false, any_computers = false;
	int rc = blg_dir_expected_links(c, err);

	if (rc != 0)
		return rc;
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
	/* "link it to OU=X (where A, B live)", one clause per parent container */
	iwa_buf_adds(b, ": link it to ");
	for (size_t i = 0, nparents = 0; i < c->ncomp; i++) {
		size_t parent, members = 0;
		bool seen = false;
		if (!affected[i])
			continue;
		parent = c->comp[i].chain[c->comp[i].nchain - 1];
		for (size_t k = 0; k < i; k++)
			seen |= affected[k] && c->comp[k].chain[c->comp[k].nchain - 1] == parent;
		if (seen)
			continue;
		iwa_buf_addf(b, "%s%s (where ", nparents++ ? " and " : "", c->cont[parent].dn);
		for (size_t k = i; k < c->ncomp; k++) {
			char n[128];
			if (!affected[k] || c->comp[k].chain[c->comp[k].nchain - 1] != parent)
				continue;
			short_name(&c->comp[k], n, sizeof(n));
			iwa_buf_addf(b, "%s%s", members++ ? ", " : "", n);
		}
		iwa_buf_addf(b, " %s)", members > 1 ? "live" : "lives");
	}
	return 0;
}

/* Evaluates one computer: adds its node and causes; *granted_by_out = winner index or -1. */
static int eval_computer(struct blg_ctx *c, struct blg_principal *p, struct iwa_check *root,
			 struct causes *cs, bool *wrong_ou, int *winner_out, struct iwa_err *err)
{
	struct iwa_sid *tok = NULL, *acct = NULL;
	size_t ntok = 0, nacct = 0;
	struct row *rows = NULL;
	struct iwa_check *node;
	char cn[128];
	int winner = -1, exp_row = -1, rc = 0;
	enum iwa_state st = IWA_OK;
	bool exp_missing;
	struct iwa_buf b;
	size_t napplying = 0;

	*winner_out = -1;
	exp_missing = c->cfg->gpo && (c->expected_gpo < 0 || !c->gpos[c->expected_gpo].found);
	short_name(p, cn, sizeof(cn));
	iwa_buf_init(&b, 16384);
	node = iwa_check_add(root, IWA_OK, "%s", cn);
	if (node == NULL)
		goto nomem;
	iwa_check_set_name(node, cn);
	p->soms = calloc(p->nchain + 1, sizeof(*p->soms));
	if (p->soms == NULL)
		goto nomem;
	for (size_t i = 0; i < p->nchain; i++) {
		const struct blg_container *k = &c->cont[p->chain[i]];
		p->soms[i] =
			(struct iwa_som){k->dn, &k->links, (k->gpoptions & 1) != 0, k->is_site};
	}
	rc = iwa_gpo_order_compute(p->soms, p->nchain, &p->order, err);
	if (rc != 0)
		goto cleanup;
	tok = token_sids(p, &ntok);
	acct = token_sids(&c->account, &nacct);
	rows = calloc(p->order.n + 1, sizeof(*rows));
	if (!tok || !acct || !rows)
		goto nomem;
	for (size_t i = 0; i < p->order.n; i++) {
		struct row *r = &rows[i];
		r->e = &p->order.v[i];
		r->som = &c->cont[p->chain[r->e->som]];
		r->link = &r->som->links.v[r->e->link];
		classify(c, p, tok, ntok, r);
		if (r->st == GS_APPLIES) {
			r->e = &p->order.v[i];
			napplying++;
			if (winner < 0 && !r->no_cse && defines(&c->gpos[r->gi]))
				winner = (int)i;
		}
		if (exp_row < 0 && r->gi >= 0 && r->gi == c->expected_gpo)
			exp_row = (int)i;
	}
	/* precedence numbers count only the GPOs that really apply */
	{
		unsigned prec = 0;
		for (size_t i = 0; i < p->order.n; i++)
			p->order.v[i].precedence = rows[i].st == GS_APPLIES ? ++prec : 0;
	}
	/* GPOs above the winner that define the right but do not count: no Security CSE
	 * (WARNING), DACL unreadable (UNKNOWN: the winner may be another one) */
	for (int i = 0; winner >= 0 && i < winner && rc == 0; i++) {
		const struct row *r = &rows[i];
		enum iwa_state ws;
		char *t;
		if (r->gi < 0 || !defines(&c->gpos[r->gi]) ||
		    !(r->st == GS_SD_UNREADABLE || (r->st == GS_APPLIES && r->no_cse)))
			continue;
		iwa_buf_init(&b, 8192);
		ws = why_not(c, p, r, tok, &b);
		t = iwa_buf_take(&b);
		st = iwa_state_worst(st, ws);
		rc = t ? cause_add(cs, ws, false, cn, "%s", t) : IWA_ENOMEM;
		free(t);
	}
	if (rc != 0)
		goto cleanup;
	if (winner >= 0) {
		const struct blg_gpo *w = &c->gpos[rows[winner].gi];
		int via = -1;
		char lw[64], vw[256];
		iwa_buf_init(&b, 16384);
		list_words(c, &w->right, &b);
		if (list_grants(c, &w->right, acct, nacct, &via)) {
			*winner_out = rows[winner].gi;
			if (w->right.v[via].is_sid)
				sid_words(c, &w->right.v[via].sid, vw, sizeof(vw));
			else
				snprintf(vw, sizeof(vw), "%s", w->right.v[via].text);
			iwa_check_set_text(node, "%s: %s granted to %s by %s (listed as %s)", cn,
					   c->cfg->right, c->account.sam, blg_gpo_label(w), vw);
			/* IIS_IUSRS dropped from the server's list */
			{
				struct iwa_sid iis;
				bool has = false;
				iwa_sid_from_str("S-1-5-32-568", &iis, NULL);
				for (size_t k = 0; k < w->right.n; k++) {
					struct iwa_sid s;
					has |= entry_sid(c, &w->right.v[k], &s) &&
					       iwa_sid_equal(&s, &iis);
				}
				if (!has) {
					st = iwa_state_worst(st, IWA_WARNING);
					rc = cause_add(
						cs, IWA_WARNING, false, cn,
						"%s's %s list drops IIS_IUSRS (S-1-5-32-568), "
						"which a domain GPO definition replaces on the "
						"server",
						blg_gpo_label(w), c->cfg->right);
				}
			}
			if (w->wmi) {
				st = iwa_state_worst(st, IWA_WARNING);
				rc = cause_add(
					cs, IWA_WARNING, false, cn,
					"%s has a WMI filter (%.120s) that cannot be evaluated "
					"remotely: it may not apply",
					blg_gpo_label(w), w->wmi);
			}
			if (exp_missing) {
				st = iwa_state_worst(st, IWA_WARNING);
				rc = cause_add(
					cs, IWA_WARNING, false, cn,
					"GPO %s (--gpo) not found in CN=Policies,CN=System,%s "
					"(the right comes from %s)",
					c->cfg->gpo, c->base, blg_gpo_label(w));
			} else if (c->expected_gpo >= 0 && rows[winner].gi != c->expected_gpo) {
				struct iwa_buf e;
				char *t;
				iwa_buf_init(&e, 8192);
				if (exp_row < 0)
					iwa_buf_addf(&e, "%s (--gpo) is not linked on %s's path",
						     blg_gpo_label(&c->gpos[c->expected_gpo]), cn);
				else if (rows[exp_row].st != GS_APPLIES || rows[exp_row].no_cse)
					why_not(c, p, &rows[exp_row], tok, &e);
				else
					iwa_buf_addf(&e, "%s (--gpo) is overridden by %s",
						     blg_gpo_label(&c->gpos[c->expected_gpo]),
						     blg_gpo_label(w));
				t = iwa_buf_take(&e);
				st = iwa_state_worst(st, IWA_WARNING);
				rc = cause_add(cs, IWA_WARNING, false, cn,
					       "%s (the right comes from %s)", t ? t : "",
					       blg_gpo_label(w));
				free(t);
			}
		} else {
			char *t = iwa_buf_take(&b);
			st = IWA_CRITICAL;
			snprintf(lw, sizeof(lw), "%u", rows[winner].e->precedence);
			iwa_check_set_text(node, "%s: %s NOT granted to %s: %s wins and grants %s",
					   cn, c->cfg->right, c->account.sam, blg_gpo_label(w),
					   t ? t : "");
			rc = cause_add(
				cs, IWA_CRITICAL, false, cn,
				"%s (precedence %s, linked at %s) defines %s without %s or its "
				"groups: it grants %s",
				blg_gpo_label(w), lw, rows[winner].som->dn, c->cfg->right,
				c->account.sam, t ? t : "");
			free(t);
		}
		iwa_buf_free(&b);
	} else {
		/* No applying GPO defines the right: is one excluded that would? */
		bool blamed = false;
		for (size_t i = 0; i < p->order.n; i++) {
			const struct row *r = &rows[i];
			enum iwa_state ws;
			char *t;
			bool dup = false;
			if (r->gi < 0 || !defines(&c->gpos[r->gi]))
				continue;
			if (r->st == GS_APPLIES && !r->no_cse)
				continue;
			for (size_t k = 0; k < i; k++)
				dup |= rows[k].gi == r->gi;
			if (dup)
				continue;
			iwa_buf_init(&b, 8192);
			ws = why_not(c, p, r, tok, &b);
			t = iwa_buf_take(&b);
			if (ws != IWA_OK && t) {
				st = iwa_state_worst(st, ws);
				rc = cause_add(cs, ws, false, cn, "%s", t);
				blamed = true;
			}
			free(t);
			if (rc != 0)
				goto cleanup;
		}
		if (!blamed && exp_missing) {
			st = IWA_CRITICAL;
			rc = cause_add(cs, IWA_CRITICAL, false, cn,
				       "GPO %s (--gpo) not found in CN=Policies,CN=System,%s",
				       c->cfg->gpo, c->base);
			blamed = true;
		} else if (!blamed && c->expected_gpo >= 0) {
			const struct blg_gpo *e = &c->gpos[c->expected_gpo];
			if (!e->found) {
				st = IWA_CRITICAL;
				rc = cause_add(
					cs, IWA_CRITICAL, false, cn,
					"GPO %s (--gpo) not found in CN=Policies,CN=System,%s",
					c->cfg->gpo, c->base);
			} else if (exp_row < 0) {
				*wrong_ou = true; /* one sentence for all such computers, below */
				st = IWA_CRITICAL;
			} else if (rows[exp_row].st != GS_APPLIES) {
				iwa_buf_init(&b, 8192);
				enum iwa_state ws = why_not(c, p, &rows[exp_row], tok, &b);
				char *t = iwa_buf_take(&b);
				st = iwa_state_worst(st, ws);
				rc = cause_add(cs, ws, false, cn, "%s", t ? t : "");
				free(t);
			} else {
				st = IWA_CRITICAL;
				rc = cause_add(
					cs, IWA_CRITICAL, false, cn,
					"%s applies but %s: its GptTmpl.inf does not define %s",
					blg_gpo_label(e),
					e->tmpl_error ? e->tmpl_error
					: e->has_tmpl ? "[Privilege Rights] lacks the right"
						      : "it has no GptTmpl.inf",
					c->cfg->right);
			}
			blamed = true;
		}
		if (!blamed) {
			st = iwa_state_worst(st, IWA_WARNING);
			rc = cause_add(cs, IWA_WARNING, false, cn,
				       "no applying GPO defines %s: the local policy of the server "
				       "decides, which the directory cannot show",
				       c->cfg->right);
		}
		if (*wrong_ou)
			iwa_check_set_text(node,
					   "%s: no applying GPO grants %s to %s (%s is not linked "
					   "on %s's OU chain)",
					   cn, c->cfg->right, c->account.sam,
					   blg_gpo_label(&c->gpos[c->expected_gpo]), cn);
		else
			iwa_check_set_text(node, "%s: no applying GPO grants %s to %s", cn,
					   c->cfg->right, c->account.sam);
	}
	if (rc != 0)
		goto cleanup;
	/* SYSVOL and directory out of step, on every GPO that applies */
	for (size_t i = 0; i < p->order.n; i++) {
		const struct row *r = &rows[i];
		const struct blg_gpo *g = r->gi >= 0 ? &c->gpos[r->gi] : NULL;
		if (r->st != GS_APPLIES || g == NULL || !g->read_done)
			continue;
		if (g->has_gptini && g->gpt_version != g->version) {
			st = iwa_state_worst(st, IWA_WARNING);
			rc = cause_add(
				cs, IWA_WARNING, false, cn,
				"%s: GPT.INI Version %lu (computer %lu) differs from the "
				"directory's versionNumber %lu (computer %lu): SYSVOL and AD "
				"disagree (replication lag or a half-saved edit)",
				blg_gpo_label(g), (unsigned long)g->gpt_version,
				(unsigned long)(g->gpt_version & 0xFFFF), (unsigned long)g->version,
				(unsigned long)(g->version & 0xFFFF));
		} else if (g->gptini_error) {
			st = iwa_state_worst(st, IWA_WARNING);
			rc = cause_add(cs, IWA_WARNING, false, cn, "%s: %s", blg_gpo_label(g),
				       g->gptini_error);
		}
		if (rc == 0 && g->tmpl_error) {
			st = iwa_state_worst(st, IWA_WARNING);
			rc = cause_add(cs, IWA_WARNING, false, cn, "%s: GptTmpl.inf unreadable: %s",
				       blg_gpo_label(g), g->tmpl_error);
		}
		if (rc != 0)
			goto cleanup;
	}
	/* long output: the ordered list */
	iwa_check_add_line(node,
			   "computer account %s; %zu GPO(s) apply to computer settings, "
			   "highest precedence first:",
			   p->dn, napplying);
	for (size_t i = 0; i < p->order.n; i++)
		if (rows[i].st == GS_APPLIES)
			row_line(c, &rows[i], tok, (int)i == winner, node);
	for (size_t i = 0; i < p->order.n; i++)
		if (rows[i].st != GS_APPLIES)
			row_line(c, &rows[i], tok, false, node);
	if (!c->cfg->site)
		iwa_check_add_line(node, "site-linked GPOs were not evaluated (give --site NAME)");
	else if (p->nchain > 0 && c->cont[p->chain[0]].is_site)
		iwa_check_add_line(node, "site %s: %s", c->cont[p->chain[0]].dn,
				   c->cont[p->chain[0]].found
					   ? "its links were evaluated"
					   : "not found, no site links evaluated");
	{
		char label[160];
		double zero = 0;
		snprintf(label, sizeof(label), "applying_gpos_%s", cn);
		rc = iwa_check_perf(node, label, (double)napplying, "", NULL, &zero, NULL);
	}
	iwa_check_set_state(node, st);
	goto cleanup;
nomem:
	rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
cleanup:
	free(tok);
	free(acct);
	free(rows);
	iwa_buf_free(&b);
	return rc;
}

/* Appends the causes of one state to the summary, most severe first. */
static int summary_add(struct iwa_buf *sum, const struct causes *cs, enum iwa_state st,
		       size_t ncomp)
{
	for (size_t i = 0; i < cs->n; i++) {
		const struct cause *k = &cs->v[i];
		if (k->state != st)
			continue;
		if (sum->len && iwa_buf_adds(sum, "; ") != 0)
			return IWA_ENOMEM;
		if (!k->names_computers && k->who[0] && ncomp > 1 &&
		    iwa_buf_addf(sum, "%s: ", k->who) != 0)
			return IWA_ENOMEM;
		if (iwa_buf_adds(sum, k->text) != 0)
			return IWA_ENOMEM;
	}
	return 0;
}

/* Evaluates every computer and fills the root: state, summary, perfdata, long output. */
int blg_evaluate(struct blg_ctx *c, struct iwa_check *root, struct iwa_err *err)
{
	struct causes cs = {NULL, 0};
	struct iwa_buf sum;
	bool wrong_ou[BLG_MAX_COMPUTERS] = {false}, any_wrong = false;
	int winners[BLG_MAX_COMPUTERS];
	enum iwa_state worst = IWA_OK;
	char *s = NULL;
	int rc = 0;
	double zero = 0;

	iwa_buf_init(&sum, 16384);
	if (!c->account.found) {
		rc = cause_add(
			&cs, IWA_CRITICAL, true, NULL,
			"account %s not found in %s (as sAMAccountName, userPrincipalName or "
			"DN)",
			c->cfg->account, c->base);
		if (rc != 0)
			goto nomem;
	}
	for (size_t i = 0; i < c->ncomp; i++) {
		struct blg_principal *p = &c->comp[i];
		winners[i] = -1;
		if (!p->found) {
			rc = cause_add(&cs, IWA_CRITICAL, true, NULL,
				       "computer account %s not found in %s", p->query, c->base);
			if (rc != 0)
				goto nomem;
			iwa_check_add(root, IWA_CRITICAL, "%s: computer account not found",
				      p->query);
			continue;
		}
		if (!c->account.found)
			continue;
		rc = eval_computer(c, p, root, &cs, &wrong_ou[i], &winners[i], err);
		if (rc != 0)
			goto cleanup;
		any_wrong |= wrong_ou[i];
	}
	for (size_t i = 0; i < c->ncont; i++)
		if (c->cont[i].is_site && !c->cont[i].found) {
			rc = cause_add(&cs, IWA_WARNING, true, NULL,
				       "site %s not found (%s): site-linked GPOs not evaluated",
				       c->cfg->site, c->cont[i].dn);
			if (rc != 0)
				goto nomem;
		}
	if (any_wrong) {
		struct iwa_buf b;
		char *t;
		iwa_buf_init(&b, 16384);
		rc = wrong_ou_text(c, wrong_ou, &b, err);
		t = iwa_buf_take(&b);
		if (rc == 0 && t)
			rc = cause_add(&cs, IWA_CRITICAL, true, NULL, "%s", t);
		free(t);
		if (rc != 0)
			goto cleanup;
	}
	for (size_t i = 0; i < cs.n; i++)
		worst = iwa_state_worst(worst, cs.v[i].state);
	if (worst == IWA_OK) {
		/* OK: name the GPO(s) that grant the right */
		rc = iwa_buf_addf(&sum, "%s holds %s on ", c->account.sam, c->cfg->right);
		for (size_t i = 0; rc == 0 && i < c->ncomp; i++) {
			char n[128];
			short_name(&c->comp[i], n, sizeof(n));
			rc = iwa_buf_addf(&sum, "%s%s", i ? ", " : "", n);
		}
		for (size_t i = 0; rc == 0 && i < c->ncomp; i++) {
			bool seen = false;
			for (size_t k = 0; k < i; k++)
				seen |= winners[k] == winners[i];
			if (!seen && winners[i] >= 0)
				rc = iwa_buf_addf(&sum, "%s%s", i ? " and " : " via ",
						  blg_gpo_label(&c->gpos[winners[i]]));
		}
	} else {
		static const enum iwa_state order[] = {IWA_CRITICAL, IWA_UNKNOWN, IWA_WARNING};
		for (size_t i = 0; rc == 0 && i < 3; i++)
			rc = summary_add(&sum, &cs, order[i], c->ncomp);
	}
	if (rc != 0)
		goto nomem;
	s = iwa_buf_take(&sum);
	if (s == NULL || iwa_check_set_text(root, "%s", s) != 0)
		goto nomem;
	iwa_check_set_state(root, worst);
	/* perfdata (per computer already on their nodes) */
	iwa_check_perf(root, "gpos_read", (double)c->gpos_read, "", NULL, &zero, NULL);
	iwa_check_perf(root, "sysvol_time", c->sysvol_seconds, "s", NULL, &zero, NULL);
	iwa_check_perf(root, "time", iwa_budget_elapsed(), "s", NULL, &zero, NULL);
	if (c->account.found)
		iwa_check_add_line(root,
				   "account %s (%s): objectSid and %zu group SID(s) from "
				   "tokenGroups",
				   c->account.sam, c->account.dn, c->account.ngroups);
	if (c->verbose > 0)
		iwa_check_add_line(root,
				   "LDAP: %u searches in %u round trips (%.3f s); SYSVOL: %u file "
				   "reads for %u GPO(s) via %s in %.3f s",
				   c->ldap_searches, c->ldap_round_trips, c->ldap_seconds,
				   c->smb_files, c->gpos_read,
				   c->cfg->sysvol_path ? "--sysvol-path" : "SMB",
				   c->sysvol_seconds);
	iwa_check_add_line(root, "The directory cannot show what a server has applied: after a "
				 "change run gpupdate /force on the servers (or wait for the next "
				 "policy refresh).");
	rc = 0;
	goto cleanup;
nomem:
	rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
cleanup:
	free(s);
	iwa_buf_free(&sum);
	causes_free(&cs);
	return rc;
}
