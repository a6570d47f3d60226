/* check_batch_logon_gpo_eval.c — per computer: the GPOs that apply to its computer settings in
 * MS-GPOL precedence, which of them carries the winning definition of the right, whether that
 * list names the account (or one of its groups), and the causes (words in _text.c). */
#include "check_batch_logon_gpo.h"
#include "budget.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* Does the list name the account or one of its groups? *via_out = index of the entry. */
static bool list_grants(const struct blg_ctx *c, const struct iwa_right_list *l,
			const struct iwa_sid *acct, size_t nacct, int *via_out)
{
	for (size_t i = 0; i < l->n; i++) {
		struct iwa_sid s;
		if (blg_entry_sid(c, &l->v[i], &s) && sid_in(&s, acct, nacct)) {
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
		     const struct iwa_sid *tok, size_t ntok, struct blg_row *r)
{
	const struct blg_gpo *g;

	r->gi = blg_gpo_find(c, r->link->guid);
	g = r->gi >= 0 ? &c->gpos[r->gi] : NULL;
	if (r->e->status == IWA_LINK_DISABLED)
		r->st = BLG_GS_LINK_DISABLED;
	else if (r->e->status == IWA_LINK_BLOCKED)
		r->st = BLG_GS_BLOCKED;
	else if (g == NULL || !g->found)
		r->st = BLG_GS_NOT_FOUND;
	else if (g->flags & 2)
		r->st = BLG_GS_COMPUTER_DISABLED;
	else if ((g->version & 0xFFFF) == 0)
		r->st = BLG_GS_EMPTY;
	else if (g->sd == NULL)
		r->st = BLG_GS_SD_UNREADABLE;
	else {
		iwa_secdesc_gpo_access(g->sd, tok, ntok, &r->acc);
		r->st = r->acc.read && r->acc.apply ? BLG_GS_APPLIES : BLG_GS_FILTERED;
	}
	r->no_cse = g && g->found && !has_security_cse(g);
	(void)p;
}

/* The evaluation of one computer, passed between its steps. */
struct ev {
	struct blg_ctx *c;
	struct blg_principal *p;
	struct blg_causes *cs;
	struct iwa_check *node;
	char cn[128];
	struct iwa_sid *tok, *acct; /* the computer's and the account's SIDs */
	size_t ntok, nacct;
	struct blg_row *rows; /* p->order.n rows, in p->order's order */
	size_t napplying;
	int winner, exp_row; /* row indexes, -1 = none */
	bool exp_missing;    /* --gpo given but not in the directory */
	bool wrong_ou;       /* --gpo exists but is not linked on this computer's path */
	enum iwa_state st;
};

/* Adds a cause for this computer and raises its state. */
static int ev_cause(struct ev *e, enum iwa_state s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int ev_cause(struct ev *e, enum iwa_state s, const char *fmt, ...)
{
	struct iwa_buf b;
	va_list ap;
	char *t;
	int rc;

	iwa_buf_init(&b, 8192);
	va_start(ap, fmt);
	rc = iwa_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	t = rc == 0 ? iwa_buf_take(&b) : NULL;
	iwa_buf_free(&b);
	if (t == NULL)
		return IWA_ENOMEM;
	e->st = iwa_state_worst(e->st, s);
	rc = blg_cause_add(e->cs, s, false, e->cn, "%s", t);
	free(t);
	return rc;
}

/* Adds "why row r does not count" as a cause (when it is a problem at all). */
static int ev_why(struct ev *e, const struct blg_row *r)
{
	struct iwa_buf b;
	enum iwa_state ws;
	char *t;
	int rc = 0;

	iwa_buf_init(&b, 8192);
	ws = blg_why_not(e->c, e->p, r, e->tok, &b);
	t = iwa_buf_take(&b);
	if (t == NULL)
		return IWA_ENOMEM;
	if (ws != IWA_OK)
		rc = ev_cause(e, ws, "%s", t);
	free(t);
	return rc;
}

/* Orders the links (MS-GPOL), classifies each, finds the winner and the --gpo row. */
static int ev_rows(struct ev *e, struct iwa_err *err)
{
	struct blg_ctx *c = e->c;
	struct blg_principal *p = e->p;
	unsigned prec = 0;
	int rc;

	p->soms = calloc(p->nchain + 1, sizeof(*p->soms));
	if (p->soms == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->nchain; i++) {
		const struct blg_container *k = &c->cont[p->chain[i]];
		p->soms[i] =
			(struct iwa_som){k->dn, &k->links, (k->gpoptions & 1) != 0, k->is_site};
	}
	rc = iwa_gpo_order_compute(p->soms, p->nchain, &p->order, err);
	if (rc != 0)
		return rc;
	e->tok = token_sids(p, &e->ntok);
	e->acct = token_sids(&c->account, &e->nacct);
	e->rows = calloc(p->order.n + 1, sizeof(*e->rows));
	if (!e->tok || !e->acct || !e->rows)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->order.n; i++) {
		struct blg_row *r = &e->rows[i];
		r->e = &p->order.v[i];
		r->som = &c->cont[p->chain[r->e->som]];
		r->link = &r->som->links.v[r->e->link];
		classify(c, p, e->tok, e->ntok, r);
		if (r->st == BLG_GS_APPLIES) {
			e->napplying++;
			if (e->winner < 0 && !r->no_cse && blg_defines(&c->gpos[r->gi]))
				e->winner = (int)i;
		}
		if (e->exp_row < 0 && r->gi >= 0 && r->gi == c->expected_gpo)
			e->exp_row = (int)i;
	}
	/* precedence numbers count only the GPOs that really apply */
	for (size_t i = 0; i < p->order.n; i++)
		p->order.v[i].precedence = e->rows[i].st == BLG_GS_APPLIES ? ++prec : 0;
	return 0;
}

/* GPOs above the winner that define the right but do not count: no Security CSE
 * (WARNING), DACL unreadable (UNKNOWN: the real winner may be another one). */
static int ev_above_winner(struct ev *e)
{
	int rc = 0;

	for (int i = 0; i < e->winner && rc == 0; i++) {
		const struct blg_row *r = &e->rows[i];
		if (r->gi < 0 || !blg_defines(&e->c->gpos[r->gi]))
			continue;
		if (r->st == BLG_GS_SD_UNREADABLE || (r->st == BLG_GS_APPLIES && r->no_cse))
			rc = ev_why(e, r);
	}
	return rc;
}

/* Warnings when the right is granted: IIS_IUSRS dropped, WMI filter, --gpo not the one. */
static int ev_granted_extras(struct ev *e, const struct blg_gpo *w)
{
	struct blg_ctx *c = e->c;
	struct iwa_sid iis, s;
	bool has_iis = false;
	int rc = 0;

	if (iwa_sid_from_str("S-1-5-32-568", &iis, NULL) != 0)
		return IWA_EINVAL;
	for (size_t k = 0; k < w->right.n; k++)
		has_iis |= blg_entry_sid(c, &w->right.v[k], &s) && iwa_sid_equal(&s, &iis);
	/* IIS_IUSRS holds SeBatchLogonRight in the local policy of an IIS server (and no other
	 * right we would be asked about) */
	if (!has_iis && strcasecmp(c->cfg->right, "SeBatchLogonRight") == 0)
		rc = ev_cause(e, IWA_WARNING,
			      "%s's %s list drops IIS_IUSRS (S-1-5-32-568), which a domain GPO "
			      "definition replaces on the server",
			      blg_gpo_label(w), c->cfg->right);
	if (rc == 0 && w->wmi)
		rc = ev_cause(e, IWA_WARNING,
			      "%s has a WMI filter (%.120s) that cannot be evaluated remotely: it "
			      "may not apply",
			      blg_gpo_label(w), w->wmi);
	if (rc != 0)
		return rc;
	if (e->exp_missing)
		return ev_cause(e, IWA_WARNING,
				"GPO %s (--gpo) not found in CN=Policies,CN=System,%s (the right "
				"comes from %s)",
				c->cfg->gpo, c->base, blg_gpo_label(w));
	if (c->expected_gpo >= 0 && e->rows[e->winner].gi != c->expected_gpo) {
		const char *x = blg_gpo_label(&c->gpos[c->expected_gpo]);
		struct iwa_buf b;
		char *t;
		iwa_buf_init(&b, 8192);
		if (e->exp_row < 0)
			iwa_buf_addf(&b, "%s (--gpo) is not linked on %s's path", x, e->cn);
		else if (e->rows[e->exp_row].st != BLG_GS_APPLIES || e->rows[e->exp_row].no_cse)
			blg_why_not(c, e->p, &e->rows[e->exp_row], e->tok, &b);
		else
			iwa_buf_addf(&b, "%s (--gpo) is overridden by %s", x, blg_gpo_label(w));
		t = iwa_buf_take(&b);
		if (t == NULL)
			return IWA_ENOMEM;
		rc = ev_cause(e, IWA_WARNING, "%s (the right comes from %s)", t, blg_gpo_label(w));
		free(t);
	}
	return rc;
}

/* A winning definition exists: does it name the account? */
static int ev_winner(struct ev *e, int *granted_by_out)
{
	struct blg_ctx *c = e->c;
	const struct blg_row *wr = &e->rows[e->winner];
	const struct blg_gpo *w = &c->gpos[wr->gi];
	struct iwa_buf b;
	char *list, vw[256];
	int via = -1, rc;

	iwa_buf_init(&b, 16384);
	blg_list_words(c, &w->right, &b);
	list = iwa_buf_take(&b);
	if (list == NULL)
		return IWA_ENOMEM;
	if (list_grants(c, &w->right, e->acct, e->nacct, &via)) {
		*granted_by_out = wr->gi;
		if (w->right.v[via].is_sid)
			blg_sid_words(c, &w->right.v[via].sid, vw, sizeof(vw));
		else
			snprintf(vw, sizeof(vw), "%s", w->right.v[via].text);
		iwa_check_set_text(e->node, "%s: %s granted to %s by %s (listed as %s)", e->cn,
				   c->cfg->right, c->account.sam, blg_gpo_label(w), vw);
		rc = ev_granted_extras(e, w);
	} else {
		iwa_check_set_text(e->node, "%s: %s NOT granted to %s: %s wins and grants %s",
				   e->cn, c->cfg->right, c->account.sam, blg_gpo_label(w), list);
		rc = ev_cause(
			e, IWA_CRITICAL,
			"%s (precedence %u, linked at %s) defines %s without %s or its groups: "
			"it grants %s",
			blg_gpo_label(w), wr->e->precedence, wr->som->dn, c->cfg->right,
			c->account.sam, list);
	}
	free(list);
	return rc;
}

/* No applying GPO defines the right: blame a GPO that would (and does not apply), else
 * --gpo, else say the local policy decides. */
static int ev_no_winner(struct ev *e)
{
	struct blg_ctx *c = e->c;
	size_t before = e->cs->n;
	int rc = 0;

	for (size_t i = 0; i < e->p->order.n && rc == 0; i++) {
		const struct blg_row *r = &e->rows[i];
		bool dup = false;
		if (r->gi < 0 || !blg_defines(&c->gpos[r->gi]))
			continue;
		if (r->st == BLG_GS_APPLIES && !r->no_cse)
			continue;
		for (size_t k = 0; k < i; k++)
			dup |= e->rows[k].gi == r->gi;
		if (!dup)
			rc = ev_why(e, r);
	}
	if (rc != 0 || e->st != IWA_OK || e->cs->n != before)
		goto text;
	if (e->exp_missing) {
		rc = ev_cause(e, IWA_CRITICAL,
			      "GPO %s (--gpo) not found in CN=Policies,CN=System,%s", c->cfg->gpo,
			      c->base);
	} else if (c->expected_gpo >= 0) {
		const struct blg_gpo *x = &c->gpos[c->expected_gpo];
		if (e->exp_row < 0) {
			e->wrong_ou = true; /* one sentence for all such computers: blg_evaluate */
			e->st = IWA_CRITICAL;
		} else if (e->rows[e->exp_row].st != BLG_GS_APPLIES) {
			rc = ev_why(e, &e->rows[e->exp_row]);
		} else {
			rc = ev_cause(e, IWA_CRITICAL,
				      "%s applies but %s: its GptTmpl.inf does not define %s",
				      blg_gpo_label(x),
				      x->tmpl_error ? x->tmpl_error
				      : x->has_tmpl ? "[Privilege Rights] lacks the right"
						    : "it has no GptTmpl.inf",
				      c->cfg->right);
		}
	} else {
		rc = ev_cause(e, IWA_WARNING,
			      "no applying GPO defines %s: the local policy of the server decides, "
			      "which the directory cannot show",
			      c->cfg->right);
	}
text:
	if (e->wrong_ou)
		iwa_check_set_text(
			e->node,
			"%s: no applying GPO grants %s to %s (%s is not linked on %s's OU "
			"chain)",
			e->cn, c->cfg->right, c->account.sam,
			blg_gpo_label(&c->gpos[c->expected_gpo]), e->cn);
	else
		iwa_check_set_text(e->node, "%s: no applying GPO grants %s to %s", e->cn,
				   c->cfg->right, c->account.sam);
	return rc;
}

/* SYSVOL and the directory out of step, on every GPO that applies. */
static int ev_versions(struct ev *e)
{
	int rc = 0;

	for (size_t i = 0; i < e->p->order.n && rc == 0; i++) {
		const struct blg_row *r = &e->rows[i];
		const struct blg_gpo *g = r->gi >= 0 ? &e->c->gpos[r->gi] : NULL;
		if (r->st != BLG_GS_APPLIES || g == NULL || !g->read_done)
			continue;
		if (g->has_gptini && g->gpt_version != g->version)
			rc = ev_cause(e, IWA_WARNING,
				      "%s: GPT.INI Version %lu (computer %lu) differs from the "
				      "directory's versionNumber %lu (computer %lu): SYSVOL and AD "
				      "disagree (replication lag or a half-saved edit)",
				      blg_gpo_label(g), (unsigned long)g->gpt_version,
				      (unsigned long)(g->gpt_version & 0xFFFF),
				      (unsigned long)g->version,
				      (unsigned long)(g->version & 0xFFFF));
		else if (g->gptini_error)
			rc = ev_cause(e, IWA_WARNING, "%s: %s", blg_gpo_label(g), g->gptini_error);
		if (rc == 0 && g->tmpl_error)
			rc = ev_cause(e, IWA_WARNING, "%s: GptTmpl.inf unreadable: %s",
				      blg_gpo_label(g), g->tmpl_error);
	}
	return rc;
}

/* Long output (the ordered list, then the links that do not apply) and perfdata. */
static int ev_output(struct ev *e)
{
	struct blg_ctx *c = e->c;
	struct blg_principal *p = e->p;
	char label[160];
	double zero = 0;

	iwa_check_add_line(e->node,
			   "computer account %s; %zu GPO(s) apply to computer settings, highest "
			   "precedence first:",
			   p->dn, e->napplying);
	for (size_t i = 0; i < p->order.n; i++)
		if (e->rows[i].st == BLG_GS_APPLIES)
			blg_row_line(c, &e->rows[i], e->tok, (int)i == e->winner, e->node);
	for (size_t i = 0; i < p->order.n; i++)
		if (e->rows[i].st != BLG_GS_APPLIES)
			blg_row_line(c, &e->rows[i], e->tok, false, e->node);
	if (!c->cfg->site)
		iwa_check_add_line(e->node,
				   "site-linked GPOs were not evaluated (give --site NAME)");
	else if (p->nchain > 0 && c->cont[p->chain[0]].is_site)
		iwa_check_add_line(e->node, "site %s: %s", c->cont[p->chain[0]].dn,
				   c->cont[p->chain[0]].found
					   ? "its links were evaluated"
					   : "not found, no site links evaluated");
	snprintf(label, sizeof(label), "applying_gpos_%s", e->cn);
	for (char *q = label; *q; q++) /* perfdata labels: no quotes, '=' or spaces */
		if (!((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
		      (*q >= '0' && *q <= '9') || *q == '_' || *q == '-' || *q == '.'))
			*q = '_';
	return iwa_check_perf(e->node, label, (double)e->napplying, "", NULL, &zero, NULL);
}

/* Evaluates one computer: adds its node and causes; *granted_by_out = the granting GPO's
 * index or -1; *wrong_ou_out when --gpo is not linked on its path and nothing grants. */
static int eval_computer(struct blg_ctx *c, struct blg_principal *p, struct iwa_check *root,
			 struct blg_causes *cs, bool *wrong_ou_out, int *granted_by_out,
			 struct iwa_err *err)
{
	struct ev e;
	int rc;

	memset(&e, 0, sizeof(e));
	e.c = c, e.p = p, e.cs = cs;
	e.winner = e.exp_row = -1;
	e.st = IWA_OK;
	e.exp_missing = c->cfg->gpo && (c->expected_gpo < 0 || !c->gpos[c->expected_gpo].found);
	*granted_by_out = -1;
	blg_short_name(p, e.cn, sizeof(e.cn));
	e.node = iwa_check_add(root, IWA_OK, "%s", e.cn);
	if (e.node == NULL || iwa_check_set_name(e.node, e.cn) != 0) {
		rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
		goto cleanup;
	}
	rc = ev_rows(&e, err);
	if (rc != 0)
		goto cleanup;
	rc = ev_above_winner(&e);
	if (rc == 0)
		rc = e.winner >= 0 ? ev_winner(&e, granted_by_out) : ev_no_winner(&e);
	if (rc == 0)
		rc = ev_versions(&e);
	if (rc == 0)
		rc = ev_output(&e);
	if (rc != 0) {
		rc = iwa_err_set(err, rc, "out of memory");
		goto cleanup;
	}
	*wrong_ou_out = e.wrong_ou;
	iwa_check_set_state(e.node, e.st);
cleanup:
	free(e.tok);
	free(e.acct);
	free(e.rows);
	return rc;
}

static int summary_add(struct iwa_buf *sum, const struct blg_causes *cs, enum iwa_state st,
		       size_t ncomp)
{
	for (size_t i = 0; i < cs->n; i++) {
		const struct blg_cause *k = &cs->v[i];
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

/* Pure: is any computer in the wrong-OU case (--gpo defines the right but is linked only where
 * it does not reach the computer)? Then the load step must also read where that GPO is linked
 * (blg_dir_expected_links) before blg_evaluate words the cause. Evaluates into a scratch tree
 * that is thrown away. [out] need_out. */
int blg_needs_expected_links(struct blg_ctx *c, bool *need_out, struct iwa_err *err)
{
	struct blg_causes cs = {NULL, 0};
	struct iwa_check *scratch;
	bool need = false;
	int rc = 0;

	if (c->expected_gpo < 0 || c->expected_links_searched || !c->account.found) {
		*need_out = false;
		return 0;
	}
	scratch = iwa_check_new();
	if (scratch == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	for (size_t i = 0; i < c->ncomp && rc == 0 && !need; i++) {
		bool wrong = false;
		int winner = -1;

		if (!c->comp[i].found)
			continue;
		rc = eval_computer(c, &c->comp[i], scratch, &cs, &wrong, &winner, err);
		need = wrong;
		/* what eval_computer keeps on the principal: blg_evaluate computes it again */
		free(c->comp[i].soms);
		c->comp[i].soms = NULL;
		iwa_gpo_order_free(&c->comp[i].order);
		memset(&c->comp[i].order, 0, sizeof c->comp[i].order);
	}
	blg_causes_free(&cs);
	iwa_check_free(scratch);
	if (rc == 0)
		*need_out = need;
	return rc;
}

/* Evaluates every computer and fills the root: state, summary, perfdata, long output. */
int blg_evaluate(struct blg_ctx *c, struct iwa_check *root, struct iwa_err *err)
{
	struct blg_causes cs = {NULL, 0};
	struct iwa_buf sum;
	bool wrong_ou[BLG_MAX_COMPUTERS] = {false}, any_wrong = false;
	int winners[BLG_MAX_COMPUTERS];
	enum iwa_state worst = IWA_OK;
	char *s = NULL;
	int rc = 0;
	double zero = 0;

	iwa_buf_init(&sum, 16384);
	if (!c->account.found) {
		rc = blg_cause_add(
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
			rc = blg_cause_add(&cs, IWA_CRITICAL, true, NULL,
					   "computer account %s not found in %s", p->query,
					   c->base);
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
			rc = blg_cause_add(&cs, IWA_WARNING, true, NULL,
					   "site %s not found (%s): site-linked GPOs not evaluated",
					   c->cfg->site, c->cont[i].dn);
			if (rc != 0)
				goto nomem;
		}
	if (any_wrong) {
		struct iwa_buf b;
		char *t;
		iwa_buf_init(&b, 16384);
		rc = blg_wrong_ou_text(c, wrong_ou, &b, err);
		t = iwa_buf_take(&b);
		if (rc == 0 && t)
			rc = blg_cause_add(&cs, IWA_CRITICAL, true, NULL, "%s", t);
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
			blg_short_name(&c->comp[i], n, sizeof(n));
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
	if (c->cfg->findings != NULL) {
		struct blg_findings *f = c->cfg->findings;
		memset(f, 0, sizeof *f);
		f->done = true;
		f->account_found = c->account.found;
		f->state = worst;
		snprintf(f->cause, sizeof f->cause, "%s", worst == IWA_OK ? "" : s);
		f->ncomp = c->ncomp;
		for (size_t i = 0; i < c->ncomp; i++) {
			blg_short_name(&c->comp[i], f->comp[i].name, sizeof f->comp[i].name);
			f->comp[i].found = c->comp[i].found;
			f->comp[i].holds_right = winners[i] >= 0;
			f->comp[i].wrong_ou = wrong_ou[i];
		}
	}
	/* perfdata (per computer already on their nodes) */
	iwa_check_perf(root, "gpos_read", (double)c->gpos_read, "", NULL, &zero, NULL);
	iwa_check_perf(root, "sysvol_time", c->sysvol_seconds, "s", NULL, &zero, NULL);
	iwa_check_perf(root, "time", c->seconds, "s", NULL, &zero, NULL);
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
	blg_causes_free(&cs);
	return rc;
}
