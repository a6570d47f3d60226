/* check_iwa_farm_rules.c — the correlation of the farm check, pure: the facts the three layers
 * found -> root causes (layer, object, cause, fix) and the consequences they explain. A table
 * of rules applied in order; each rule marks what it explained, so a consequence is never also
 * listed as a cause. tests/unit/test_iwa_farm_rules.c exercises every rule. */
#include "check_iwa_farm.h"
#include "check_negotiate_backend.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

__attribute__((format(printf, 3, 4))) static void sfmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* Appends to the text in buf (*len bytes so far, kept < n: cut at the end). */
__attribute__((format(printf, 4, 5))) static void lappend(char *buf, size_t n, size_t *len,
							  const char *fmt, ...)
{
	va_list ap;
	if (*len + 1 >= n)
		return;
	va_start(ap, fmt);
	int k = vsnprintf(buf + *len, n - *len, fmt, ap);
	va_end(ap);
	if (k > 0)
		*len = *len + (size_t)k < n ? *len + (size_t)k : n - 1;
}

/* A target's line "cause — fix" into c: the cause before the dash, the fix after it (or
 * no_dash_fix, and the whole line as the cause, when it has none). */
static void cause_fix(struct farm_cause *c, const char *text, const char *no_dash_fix)
{
	const char *dash = strstr(text, " — ");
	size_t cl = dash ? (size_t)(dash - text) : strlen(text);
	sfmt(c->cause, sizeof c->cause, "%.*s", (int)cl, text);
	sfmt(c->fix, sizeof c->fix, "%s", dash ? dash + strlen(" — ") : no_dash_fix);
}

static struct farm_cause *add_cause(struct farm_result *r, const char *rule, enum iwa_state st,
				    const char *layer, const char *object)
{
	if (r->ncauses == FARM_MAX_CAUSES)
		return NULL;
	struct farm_cause *c = &r->cause[r->ncauses++];
	memset(c, 0, sizeof *c);
	c->state = st;
	sfmt(c->rule, sizeof c->rule, "%s", rule);
	sfmt(c->layer, sizeof c->layer, "%s", layer);
	sfmt(c->object, sizeof c->object, "%s", object);
	return c;
}

__attribute__((format(printf, 2, 3))) static void add_cons(struct farm_result *r, const char *fmt,
							   ...)
{
	va_list ap;
	if (r->ncons == FARM_MAX_CAUSES)
		return;
	va_start(ap, fmt);
	vsnprintf(r->consequence[r->ncons++], sizeof r->consequence[0], fmt, ap);
	va_end(ap);
}

static const char *code_words(enum farm_nb_code c)
{
	switch (c) {
	case FARM_NB_OK:
		return "OK";
	case FARM_NB_503:
		return "HTTP 503";
	case FARM_NB_WRONG_KEY:
		return "401 after the Kerberos token (wrong key)";
	case FARM_NB_NO_TICKET:
		return "not tested";
	case FARM_NB_DOWN:
		return "unreachable";
	case FARM_NB_NTLM_ONLY:
		return "NTLM only";
	case FARM_NB_SKEW:
		return "clock skew";
	case FARM_NB_NO_KEY:
		return "401 (no key for the ticket)";
	case FARM_NB_EPA:
		return "channel binding refused";
	case FARM_NB_OTHER:
		break;
	}
	return "failing";
}

/* Marks every not yet explained target with one of the codes in mask as a consequence. */
static void explain_targets(const struct farm_facts *f, struct farm_result *r, unsigned mask,
			    const char *because)
{
	for (size_t i = 0; i < f->nt; i++) {
		if (r->target_done[i] || f->t[i].state == IWA_OK || !(mask & (1u << f->t[i].code)))
			continue;
		r->target_done[i] = true;
		add_cons(r, "%s %s (%s)", f->t[i].label, code_words(f->t[i].code), because);
	}
}

#define M(c) (1u << (c))
/* What follows when Kerberos cannot get or use the ticket. */
#define KRB_FAILURES (M(FARM_NB_NO_TICKET) | M(FARM_NB_WRONG_KEY) | M(FARM_NB_NO_KEY))

static int setspn_name(const char *acct, char *buf, size_t n)
{
	const char *s = strchr(acct, '\\');
	s = s ? s + 1 : acct;
	size_t l = strcspn(s, "@");
	if (l >= n)
		l = n - 1;
	memcpy(buf, s, l);
	buf[l] = '\0';
	return 0;
}

/* The name setspn wants for an owner: "SERVER1" for "SERVER1$". */
static void owner_setspn(const struct farm_spn_owner *o, char *buf, size_t n)
{
	sfmt(buf, n, "%s", o->name);
	size_t l = strlen(buf);
	if (l > 0 && buf[l - 1] == '$')
		buf[l - 1] = '\0';
}

/* Did the SPN layer find an owner problem of the main SPN? (missing, several, wrong one) */
static bool spn_ok_on_account(const struct farm_facts *f)
{
	return f->spn_run && f->spn_nowners == 1 && f->spn_nlisted == 1 && f->spn_owner[0].expected;
}

/* spn-missing: the SPN is on no account -> the KDC has no key for it, no ticket, every
 * backend untested: ONE cause, the SPN. */
static int rule_spn_missing(const struct farm_facts *f, struct farm_result *r)
{
	char acct[256];
	if (!f->spn_run || r->spn_done || f->spn_nowners != 0)
		return 0;
	setspn_name(f->account, acct, sizeof acct);
	struct farm_cause *c = add_cause(r, "spn-missing", IWA_CRITICAL, "spn", f->spn);
	if (c == NULL)
		return IWA_ELIMIT;
	sfmt(c->cause, sizeof c->cause, "%s is registered on no account", f->spn);
	sfmt(c->fix, sizeof c->fix, "setspn -S %s %s", f->spn, acct);
	r->spn_done = true;
	if (f->nb_run && !f->ticket_ok) {
		r->ticket_done = true;
		add_cons(r, "no Kerberos ticket for %s (browsers fall back to NTLM)", f->spn);
	}
	explain_targets(f, r, KRB_FAILURES, "no key for the SPN");
	return 0;
}

/* dup-spn: the SPN is on several accounts -> the KDC cannot pick a key: ONE cause, the
 * duplicate, fixed by removing it from every account but the expected one. */
static int rule_spn_duplicate(const struct farm_facts *f, struct farm_result *r)
{
	char fix[FARM_TEXT] = "", n[256], owners[600] = "";
	if (!f->spn_run || r->spn_done || f->spn_nowners < 2)
		return 0;
	size_t lf = 0, lo = 0;
	for (size_t i = 0; i < f->spn_nlisted; i++) {
		lappend(owners, sizeof owners, &lo, "%s%s%s",
			i ? (i + 1 == f->spn_nlisted ? " and " : ", ") : "", f->spn_owner[i].name,
			f->spn_owner[i].computer ? " (computer)" : "");
		if (f->spn_owner[i].expected)
			continue;
		owner_setspn(&f->spn_owner[i], n, sizeof n);
		lappend(fix, sizeof fix, &lf, "%ssetspn -D %s %s", lf ? "; " : "", f->spn, n);
	}
	struct farm_cause *c = add_cause(r, "spn-duplicate", IWA_CRITICAL, "spn", f->spn);
	if (c == NULL)
		return IWA_ELIMIT;
	sfmt(c->cause, sizeof c->cause, "%s is registered on %zu accounts (%s): duplicate SPN",
	     f->spn, f->spn_nowners, owners);
	sfmt(c->fix, sizeof c->fix, "%s", fix[0] ? fix : "keep the SPN on the pool's account only");
	r->spn_done = true;
	if (f->nb_run && !f->ticket_ok) {
		r->ticket_done = true;
		add_cons(r, "no Kerberos ticket for %s (the KDC cannot pick one key)", f->spn);
	}
	explain_targets(f, r, KRB_FAILURES, "duplicate SPN");
	return 0;
}

/* spn-on-computer / wrong account: ONE owner, not -a -> tickets encrypted with that
 * account's key: the backends fail with the wrong key; cause = the SPN's place. */
static int rule_spn_wrong_account(const struct farm_facts *f, struct farm_result *r)
{
	char acct[256], n[256];
	if (!f->spn_run || r->spn_done || f->spn_nowners != 1 || f->spn_nlisted != 1 ||
	    f->spn_owner[0].expected)
		return 0;
	setspn_name(f->account, acct, sizeof acct);
	owner_setspn(&f->spn_owner[0], n, sizeof n);
	struct farm_cause *c = add_cause(r, "spn-wrong-account", IWA_CRITICAL, "spn", f->spn);
	if (c == NULL)
		return IWA_ELIMIT;
	sfmt(c->cause, sizeof c->cause, "%s is registered on %s%s instead of %s", f->spn,
	     f->spn_owner[0].name, f->spn_owner[0].computer ? " (computer account)" : "", acct);
	sfmt(c->fix, sizeof c->fix, "setspn -D %s %s; setspn -S %s %s", f->spn, n, f->spn, acct);
	r->spn_done = true;
	if (f->nb_run && !f->ticket_ok)
		r->ticket_done = true;
	explain_targets(f, r, KRB_FAILURES,
			"ticket encrypted with the key of the SPN's owner; a backend's own key "
			"setting can only be judged once the SPN is fixed");
	return 0;
}

/* No service ticket while the SPN sits correctly (clock skew, KDC refusal): the ticket is the
 * cause, every untested backend its consequence. */
static int rule_ticket(const struct farm_facts *f, struct farm_result *r)
{
	if (!f->nb_run || f->ticket_ok || r->ticket_done)
		return 0;
	struct farm_cause *c = add_cause(r, "ticket", IWA_CRITICAL, "kerberos", f->spn);
	if (c == NULL)
		return IWA_ELIMIT;
	sfmt(c->cause, sizeof c->cause, "%s", f->ticket_text);
	sfmt(c->fix, sizeof c->fix, "%s",
	     strstr(f->ticket_text, "clock") ? "synchronize the clocks (NTP)"
					     : "see the KDC's answer above; run check_spn_unique");
	r->ticket_done = true;
	explain_targets(f, r, M(FARM_NB_NO_TICKET), "no ticket");
	return 0;
}

static int comp_index(const struct farm_facts *f, const char *server)
{
	for (size_t i = 0; i < f->ncomp; i++)
		if (strcasecmp(f->comp[i].name, server) == 0)
			return (int)i;
	return -1;
}

/* backend 503 + the account lacks the batch logon right on that server (whatever the GPO
 * mistake) -> cause = the GPO finding, the 503s its symptoms. */
static int rule_503_no_right(const struct farm_facts *f, struct farm_result *r)
{
	char servers[512] = "";
	size_t l = 0;
	bool any = false;
	if (!f->gpo_run || !f->nb_run || r->gpo_done)
		return 0;
	for (size_t i = 0; i < f->nt; i++) {
		int k = f->t[i].vip ? -1 : comp_index(f, f->t[i].server);
		if (r->target_done[i] || f->t[i].code != FARM_NB_503 || k < 0 ||
		    f->comp[k].holds_right)
			continue;
		any = true;
		lappend(servers, sizeof servers, &l, "%s%s", l ? ", " : "", f->comp[k].name);
		r->target_done[i] = true;
		add_cons(r, "%s HTTP 503 (application pool stopped: no batch logon right)",
			 f->t[i].label);
	}
	if (!any)
		return 0;
	struct farm_cause *c = add_cause(r, "503-no-batch-right", IWA_CRITICAL, "gpo", servers);
	if (c == NULL)
		return IWA_ELIMIT;
	sfmt(c->cause, sizeof c->cause, "%s", f->gpo_text);
	sfmt(c->fix, sizeof c->fix,
	     "grant %s 'Log on as a batch job' on %s through a GPO that applies to the "
	     "servers' computer accounts (see the GPO layer), then gpupdate /force and start "
	     "the application pool",
	     f->account, servers);
	r->gpo_done = true;
	return 0;
}

/* backend 503 with the right in place -> the pool stopped for another reason. */
static int rule_503_right_ok(const struct farm_facts *f, struct farm_result *r)
{
	for (size_t i = 0; i < f->nt; i++) {
		if (r->target_done[i] || f->t[i].code != FARM_NB_503 || f->t[i].vip)
			continue;
		int k = comp_index(f, f->t[i].server);
		bool right = f->gpo_run && k >= 0 && f->comp[k].holds_right;
		struct farm_cause *c =
			add_cause(r, right ? "503-right-ok" : "503", IWA_CRITICAL, "backends",
				  f->t[i].server[0] ? f->t[i].server : f->t[i].label);
		if (c == NULL)
			return IWA_ELIMIT;
		if (right)
			sfmt(c->cause, sizeof c->cause,
			     "%s: HTTP 503, application pool stopped for another reason (batch "
			     "logon right is in place)",
			     f->t[i].label);
		else
			sfmt(c->cause, sizeof c->cause,
			     "%s: HTTP 503, application pool stopped (GPO layer not checked)",
			     f->t[i].label);
		sfmt(c->fix, sizeof c->fix,
		     "read the WAS events 5002/5021/5059 and the application event log on %s, "
		     "fix what stops the pool and start it",
		     f->t[i].server[0] ? f->t[i].server : f->t[i].label);
		r->target_done[i] = true;
	}
	return 0;
}

/* wrong key on a backend while the SPN sits correctly on the account -> that server's IIS
 * setting (kernel-mode authentication with the computer's key). */
static int rule_wrong_key(const struct farm_facts *f, struct farm_result *r)
{
	if (!spn_ok_on_account(f))
		return 0;
	for (size_t i = 0; i < f->nt; i++) {
		if (r->target_done[i] || f->t[i].code != FARM_NB_WRONG_KEY || f->t[i].vip)
			continue;
		const char *who = f->t[i].server[0] ? f->t[i].server : f->t[i].label;
		struct farm_cause *c = add_cause(r, "wrong-key", IWA_CRITICAL, "backends", who);
		if (c == NULL)
			return IWA_ELIMIT;
		sfmt(c->cause, sizeof c->cause,
		     "%s cannot decrypt tickets for %s although the SPN is on %s: it uses "
		     "another key (IIS kernel-mode authentication with the computer's key)",
		     who, f->spn, f->spn_owner[0].name);
		sfmt(c->fix, sizeof c->fix,
		     "on %s set windowsAuthentication useAppPoolCredentials=true (or "
		     "useKernelMode=false) and run the pool as %s",
		     who, f->spn_owner[0].name);
		r->target_done[i] = true;
	}
	return 0;
}

/* The GPO finding with no 503 seen (yet): still a root cause (pools fail at their next
 * start). */
static int rule_gpo(const struct farm_facts *f, struct farm_result *r)
{
	char servers[512] = "";
	size_t l = 0;
	if (!f->gpo_run || r->gpo_done || f->gpo_state == IWA_OK)
		return 0;
	for (size_t i = 0; i < f->ncomp; i++) {
		if (f->comp[i].holds_right)
			continue;
		lappend(servers, sizeof servers, &l, "%s%s", l ? ", " : "", f->comp[i].name);
	}
	struct farm_cause *c =
		add_cause(r, "gpo", f->gpo_state, "gpo", servers[0] ? servers : f->account);
	if (c == NULL)
		return IWA_ELIMIT;
	sfmt(c->cause, sizeof c->cause, "%s", f->gpo_text);
	sfmt(c->fix, sizeof c->fix,
	     "correct the GPO as the finding says (see the GPO layer), then gpupdate /force "
	     "on the servers; until then their application pools stop (HTTP 503) at their "
	     "next start");
	r->gpo_done = true;
	return 0;
}

/* The backends differ in Extended Protection (--epa-probe): ONE cause for the farm, not one
 * per backend; the levels named. */
static int rule_epa_differs(const struct farm_facts *f, struct farm_result *r)
{
	char who[512] = "", levels[512] = "";
	size_t lw = 0, ll = 0;
	enum iwa_state st = IWA_OK;
	for (size_t i = 0; i < f->nt; i++) {
		if (r->target_done[i] || !f->t[i].epa_differs)
			continue;
		const struct farm_target *t = &f->t[i];
		lappend(who, sizeof who, &lw, "%s%s", lw ? ", " : "",
			t->server[0] ? t->server : t->label);
		st = iwa_state_worst(st, t->state);
		r->target_done[i] = true;
	}
	if (lw == 0)
		return 0;
	/* the levels of every backend told (the VIP's is the backend it reached) */
	for (size_t i = 0; i < f->nt; i++) {
		const struct farm_target *t = &f->t[i];
		if (t->vip || t->epa_level[0] == '\0')
			continue;
		lappend(levels, sizeof levels, &ll, "%s%s %s", ll ? ", " : "", t->label,
			t->epa_level);
	}
	struct farm_cause *c = add_cause(r, "epa-differs", st, "backends", who);
	if (c == NULL)
		return IWA_ELIMIT;
	sfmt(c->cause, sizeof c->cause, "the backends differ in Extended Protection (%s)", levels);
	sfmt(c->fix, sizeof c->fix,
	     "set the same Extended Protection (windowsAuthentication extendedProtection "
	     "tokenChecking) on every server of the farm, or state the level wanted with --epa");
	return 0;
}

/* Any other failing backend: its own cause (down, NTLM only, clock...). The VIP is handled
 * below. */
static int rule_backend_other(const struct farm_facts *f, struct farm_result *r)
{
	for (size_t i = 0; i < f->nt; i++) {
		if (r->target_done[i] || f->t[i].state == IWA_OK || f->t[i].vip)
			continue;
		const char *who = f->t[i].server[0] ? f->t[i].server : f->t[i].label;
		struct farm_cause *c = add_cause(r, "backend", f->t[i].state, "backends", who);
		if (c == NULL)
			return IWA_ELIMIT;
		cause_fix(c, f->t[i].text, "see the backend layer's detail");
		r->target_done[i] = true;
	}
	return 0;
}

/* The VIP: a consequence when a backend behind it fails, else a cause of its own (the
 * balancer). */
static int rule_vip(const struct farm_facts *f, struct farm_result *r)
{
	bool backend_failed = false;
	for (size_t i = 0; i < f->nt; i++)
		backend_failed |= !f->t[i].vip && f->t[i].state != IWA_OK;
	for (size_t i = 0; i < f->nt; i++) {
		if (r->target_done[i] || f->t[i].state == IWA_OK || !f->t[i].vip)
			continue;
		r->target_done[i] = true;
		/* a channel-binding failure at the VIP is the balancer's own (TLS terminated or
		 * re-encrypted there), whatever the backends do */
		if (f->t[i].code != FARM_NB_EPA && (backend_failed || r->ncauses > 0)) {
			add_cons(r, "%s %s (the balancer forwards to a failing backend)",
				 f->t[i].label, code_words(f->t[i].code));
			continue;
		}
		struct farm_cause *c = add_cause(r, "vip", f->t[i].state, "backends", "vip");
		if (c == NULL)
			return IWA_ELIMIT;
		static const char balancer[] = "every backend answers: check the balancer (its "
					       "pool, health checks, listener)";
		if (f->t[i].code == FARM_NB_EPA) { /* the balancer's own: its line has the fix */
			cause_fix(c, f->t[i].text, balancer);
		} else {
			sfmt(c->cause, sizeof c->cause, "%s", f->t[i].text);
			sfmt(c->fix, sizeof c->fix, "%s", balancer);
		}
	}
	return 0;
}

/* The SPN layer's own problem not explained above (a variant on another account, a
 * disabled owner, the directory unreadable). */
static int rule_spn_other(const struct farm_facts *f, struct farm_result *r)
{
	if (!f->spn_run || r->spn_done || f->spn_state == IWA_OK)
		return 0;
	struct farm_cause *c = add_cause(r, "spn-other", f->spn_state, "spn", f->spn);
	if (c == NULL)
		return IWA_ELIMIT;
	sfmt(c->cause, sizeof c->cause, "%s", f->spn_text);
	sfmt(c->fix, sizeof c->fix, "see the SPN layer's detail (setspn -Q %s)", f->spn);
	r->spn_done = true;
	return 0;
}

/* RC4 retirement: the account's encryption types (the SPN layer's RC4 finding) are the one
 * cause; an RC4 service ticket is its consequence. An RC4 ticket with no finding in the SPN
 * layer (skipped, or an older DC default) is the cause itself. */
static int rule_rc4(const struct farm_facts *f, struct farm_result *r)
{
	bool spn_rc4 = f->spn_run && !r->spn_done && f->spn_state != IWA_OK &&
		       strstr(f->spn_text, "RC4") != NULL;
	bool tkt_rc4 = f->nb_run && f->ticket_ok && f->ticket_state != IWA_OK;
	if (!spn_rc4 && !tkt_rc4)
		return 0;
	struct farm_cause *c = add_cause(r, "rc4", spn_rc4 ? f->spn_state : f->ticket_state,
					 spn_rc4 ? "spn" : "kerberos", f->spn);
	if (c == NULL)
		return IWA_ELIMIT;
	const char *text = spn_rc4 ? f->spn_text : f->ticket_enc_text;
	const char *fix = strstr(text, "; set ");
	sfmt(c->cause, sizeof c->cause, "%.*s", (int)(fix ? (size_t)(fix - text) : strlen(text)),
	     text);
	sfmt(c->fix, sizeof c->fix, "%s",
	     fix ? fix + 2
		 : "give the pool's account AES keys (msDS-SupportedEncryptionTypes=24, then "
		   "reset its password) and update the keytabs");
	if (spn_rc4)
		r->spn_done = true;
	if (tkt_rc4 && spn_rc4)
		add_cons(r, "the service ticket for %s is RC4", f->spn);
	return 0;
}

/* Safety net: a layer that is not OK and that no rule explained still gives a cause (its own
 * summary), so the farm is never "healthy" over a failing layer. */
static int rule_layer(const struct farm_facts *f, struct farm_result *r)
{
	if (!f->nb_run || f->nb_state == IWA_OK || r->ncauses > 0)
		return 0;
	bool open = false;
	for (size_t i = 0; i < f->nt; i++)
		open |= f->t[i].state != IWA_OK && !r->target_done[i];
	if (!open && r->ncons > 0)
		return 0;
	struct farm_cause *c = add_cause(r, "layer", f->nb_state, "backends", "backends");
	if (c == NULL)
		return IWA_ELIMIT;
	sfmt(c->cause, sizeof c->cause, "%s", f->ticket_ok ? f->ticket_enc_text : f->ticket_text);
	sfmt(c->fix, sizeof c->fix, "see the backend layer's detail");
	return 0;
}

/* Extension point: a new finding joins as a rule of its own before rule_backend_other, so
 * that a backend failure it explains is marked as its consequence. Channel binding (EPA) is
 * a backend's own cause (rule backend) or, at the VIP, the balancer's (rule vip); backends
 * that differ in level are one cause (rule epa-differs); the CNAME
 * findings are the SPN layer's (rule spn-other). */
const struct farm_rule farm_rules[] = {
	{"spn-missing", "SPN on no account -> one cause; every backend untested", rule_spn_missing},
	{"spn-duplicate", "SPN on several accounts -> one cause; every backend untested",
	 rule_spn_duplicate},
	{"spn-wrong-account", "SPN on SERVERn$ (not -a) -> its place; wrong-key backends follow",
	 rule_spn_wrong_account},
	{"ticket", "no service ticket with the SPN in place -> the KDC's answer", rule_ticket},
	{"503-no-batch-right", "503 + no batch logon right there -> the GPO finding",
	 rule_503_no_right},
	{"503-right-ok", "503 with the right in place -> pool stopped for another reason",
	 rule_503_right_ok},
	{"wrong-key", "wrong key on a backend, SPN on the account -> that server's IIS",
	 rule_wrong_key},
	{"rc4", "RC4-only account / RC4 ticket -> the account's enctypes, once", rule_rc4},
	{"gpo", "GPO finding without 503 -> still a cause", rule_gpo},
	{"epa-differs", "backends differing in Extended Protection -> one cause, the levels",
	 rule_epa_differs},
	{"backend", "any other failing backend -> its own cause", rule_backend_other},
	{"vip", "VIP failing -> consequence of a backend, else the balancer", rule_vip},
	{"spn-other", "the SPN layer's other findings", rule_spn_other},
	{"layer", "a failing layer no rule explained -> its own words", rule_layer},
};
const size_t farm_nrules = sizeof farm_rules / sizeof farm_rules[0];

int farm_correlate(const struct farm_facts *f, struct farm_result *r)
{
	memset(r, 0, sizeof *r);
	for (size_t i = 0; i < farm_nrules; i++) {
		int rc = farm_rules[i].apply(f, r);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int farm_summary(const struct farm_facts *f, const struct farm_result *r, struct iwa_buf *out)
{
	int rc = 0;
	if (r->ncauses == 0) {
		size_t nt = 0;
		for (size_t i = 0; i < f->nt; i++)
			nt += !f->t[i].vip;
		rc = iwa_buf_addf(out, "farm healthy:");
		if (rc == 0 && f->spn_run)
			rc = iwa_buf_addf(out, " %s on %s;", f->spn,
					  f->spn_nlisted ? f->spn_owner[0].name : "?");
		if (rc == 0 && f->nb_run)
			rc = iwa_buf_addf(out, " %zu backend(s)%s accept Kerberos;", nt,
					  nt < f->nt ? " and the VIP" : "");
		if (rc == 0 && f->gpo_run)
			rc = iwa_buf_addf(out, " %s holds the batch logon right on every server",
					  f->account);
		if (rc == 0 && out->len > 0 && out->data[out->len - 1] == ';')
			out->data[--out->len] = '\0';
		return rc;
	}
	rc = iwa_buf_addf(out, "root cause%s: ", r->ncauses > 1 ? "s" : "");
	for (size_t i = 0; rc == 0 && i < r->ncauses; i++)
		rc = iwa_buf_addf(out, "%s[%s %s] %s", i ? "; " : "", r->cause[i].layer,
				  r->cause[i].object, r->cause[i].cause);
	if (rc == 0 && r->ncons > 0) {
		rc = iwa_buf_addf(out, "; consequences: ");
		for (size_t i = 0; rc == 0 && i < r->ncons; i++)
			rc = iwa_buf_addf(out, "%s%s", i ? ", " : "", r->consequence[i]);
	}
	return rc;
}

int farm_json(const struct farm_result *r, struct iwa_buf *out)
{
	int rc = iwa_buf_adds(out, "\"root_causes\":[");
	for (size_t i = 0; rc == 0 && i < r->ncauses; i++) {
		const struct farm_cause *c = &r->cause[i];
		rc = iwa_buf_adds(out, i ? ",{\"layer\":" : "{\"layer\":");
		if (rc == 0)
			rc = iwa_buf_add_json_str(out, c->layer);
		if (rc == 0)
			rc = iwa_buf_adds(out, ",\"object\":");
		if (rc == 0)
			rc = iwa_buf_add_json_str(out, c->object);
		if (rc == 0)
			rc = iwa_buf_adds(out, ",\"cause\":");
		if (rc == 0)
			rc = iwa_buf_add_json_str(out, c->cause);
		if (rc == 0)
			rc = iwa_buf_adds(out, ",\"fix\":");
		if (rc == 0)
			rc = iwa_buf_add_json_str(out, c->fix);
		if (rc == 0)
			rc = iwa_buf_addf(out,
					  ",\"state\":\"%s\",\"rule\":", iwa_state_name(c->state));
		if (rc == 0)
			rc = iwa_buf_add_json_str(out, c->rule);
		if (rc == 0)
			rc = iwa_buf_adds(out, "}");
	}
	if (rc == 0)
		rc = iwa_buf_adds(out, "],\"consequences\":[");
	for (size_t i = 0; rc == 0 && i < r->ncons; i++) {
		if (i)
			rc = iwa_buf_adds(out, ",");
		if (rc == 0)
			rc = iwa_buf_add_json_str(out, r->consequence[i]);
	}
	if (rc == 0)
		rc = iwa_buf_adds(out, "]");
	return rc;
}

enum farm_nb_code farm_nb_code_from_cause(enum nb_cause c)
{
	switch (c) {
	case NB_OK:
	case NB_SLOW:
	case NB_NO_MUTUAL:
		return FARM_NB_OK; /* their state (WARNING) still counts, as "other" below */
	case NB_HTTP_503:
		return FARM_NB_503;
	case NB_WRONG_KEY:
		return FARM_NB_WRONG_KEY;
	case NB_NO_TICKET:
		return FARM_NB_NO_TICKET;
	case NB_CLOCK_SKEW:
		return FARM_NB_SKEW;
	case NB_NO_KEY_ENCTYPE:
	case NB_NO_KEY_KVNO:
		return FARM_NB_NO_KEY;
	case NB_EPA_TLS_TERMINATED:
	case NB_EPA_REENCRYPTED:
	case NB_EPA_MISMATCH:
	case NB_EPA_BELOW:
	case NB_EPA_DIFFERS:
		return FARM_NB_EPA;
	case NB_NO_NEGOTIATE:
		return FARM_NB_NTLM_ONLY;
	case NB_TIMEOUT_CONNECT:
	case NB_TIMEOUT_TLS:
	case NB_TIMEOUT_ANSWER:
	case NB_TIMEOUT_TOKEN:
	case NB_TIMEOUT_BODY:
	case NB_UNREACHABLE:
	case NB_NO_RESOLVE:
	case NB_CLOSED:
		return FARM_NB_DOWN;
	default:
		return FARM_NB_OTHER;
	}
}
