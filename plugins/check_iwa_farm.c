/* check_iwa_farm — one run over the SPN, every backend and the GPO of an IIS farm, and ONE
 * root cause for on-call. The module (farm_check): its option table is built from the three
 * check modules' tables (same names, same parsers), the run drives spn_check, nb_check and
 * blg_check on one run context (one TGT, one LDAP bind per DC/port), the backends in a thread
 * while the directory work runs, then check_iwa_farm_rules.c correlates what they found. */
#include "check_iwa_farm.h"
#include "check_batch_logon_gpo.h"
#include "check_negotiate_backend.h"
#include "check_spn_unique.h"
#include "gss.h"
#include "util.h"

#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { OPT_SERVER = IWA_OPT_PLUGIN, OPT_SKIP, OPT_ROUTED };

/* The three layers, in the order of the output. */
enum { L_SPN = 0, L_NB, L_GPO, L_N };
static const char *const layer_name[L_N] = {"spn", "backends", "gpo"};

struct farm_cfg {
	struct spn_cfg spn;
	struct nb_cfg nb;
	struct blg_config blg;
	bool skip[L_N];
	struct {
		char name[128]; /* "SERVER1" as given */
		char addr[300]; /* ADDR[:PORT], or "" = NAME's DNS name in the URL's domain */
	} server[FARM_MAX_SERVERS];
	size_t nserver;
	const char *account;
	struct spn_findings spn_f;
	struct blg_findings blg_f;
	char fqdn_buf[256];
};

/* ------------------------------------------------------------------ options */

/* Options of the modules that do not make sense in the farm: replaced by --server (-B, -C),
 * derived from -u (-f) or -a (-e of check_spn_unique), or audit-only (--all ...). Thresholds
 * -w/-c go to the backends (their times); check_spn_unique's are audit-only. */
static const char *const dropped[L_N][8] = {
	{"fqdn", "expect-account", "all", "exclude", "max-list", "max-spns", "warning", "critical"},
	{"backend", NULL},
	{"computer", NULL},
};
static const struct iwa_plugin *const module[L_N] = {&spn_check, &nb_check, &blg_check};

#define FARM_MAX_OPTS 64
/* Per farm option: the value each module gives it (0 = the module does not take it). */
static struct {
	int val[L_N];
} routes[FARM_MAX_OPTS];
static struct option farm_longopts[FARM_MAX_OPTS + 1];
static size_t farm_nopts;
static const char farm_shortopts[] = "u:a:e:w:c:H:p:b:";

static bool is_dropped(int m, const char *name)
{
	for (size_t i = 0; i < 8 && dropped[m][i] != NULL; i++)
		if (strcmp(dropped[m][i], name) == 0)
			return true;
	return false;
}

void farm_options_init(void)
{
	static const struct option own[] = {
		{"server", required_argument, NULL, OPT_SERVER},
		{"skip", required_argument, NULL, OPT_SKIP},
	};
	if (farm_nopts > 0)
		return;
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
		farm_longopts[farm_nopts++] = own[i];
	for (int m = 0; m < L_N; m++) {
		for (const struct option *o = module[m]->longopts; o->name != NULL; o++) {
			size_t k;
			if (is_dropped(m, o->name))
				continue;
			for (k = 0; k < farm_nopts; k++)
				if (strcmp(farm_longopts[k].name, o->name) == 0)
					break;
			if (k == farm_nopts) {
				if (farm_nopts == FARM_MAX_OPTS)
					continue;
				farm_longopts[k] = *o;
				/* a short letter stays when it means the same here */
				bool shortok = o->val > 0 && o->val < 128 &&
					       strchr(farm_shortopts, o->val) != NULL;
				farm_longopts[k].val = shortok ? o->val : OPT_ROUTED + (int)k;
				farm_nopts++;
			}
			routes[k].val[m] = o->val;
		}
	}
	memset(&farm_longopts[farm_nopts], 0, sizeof farm_longopts[0]);
}

/* The farm option -> its index in the table. */
static int route_index(int opt)
{
	for (size_t k = 0; k < farm_nopts; k++)
		if (farm_longopts[k].val == opt)
			return (int)k;
	return -1;
}

static int farm_opt(void *vcfg, int opt, const char *arg, struct iwa_err *err)
{
	struct farm_cfg *c = vcfg;
	void *mcfg[L_N] = {&c->spn, &c->nb, &c->blg};
	int rc;

	if (opt == OPT_SERVER) {
		const char *eq = strchr(arg, '=');
		size_t nl = eq ? (size_t)(eq - arg) : strlen(arg);
		if (c->nserver == FARM_MAX_SERVERS)
			return iwa_err_set(err, IWA_EINVAL, "--server: at most %d servers",
					   FARM_MAX_SERVERS);
		if (nl == 0 || nl >= sizeof c->server[0].name || (eq && eq[1] == '\0'))
			return iwa_err_set(err, IWA_EINVAL,
					   "--server '%s': expected NAME[=ADDR[:PORT]] (NAME: the "
					   "web server's computer account, e.g. SERVER1)",
					   arg);
		for (size_t i = 0; i < nl; i++)
			if (!isalnum((unsigned char)arg[i]) && arg[i] != '-' && arg[i] != '_')
				return iwa_err_set(err, IWA_EINVAL,
						   "--server '%s': NAME must be a computer "
						   "account name (letters, digits, '-')",
						   arg);
		memcpy(c->server[c->nserver].name, arg, nl);
		c->server[c->nserver].name[nl] = '\0';
		snprintf(c->server[c->nserver].addr, sizeof c->server[0].addr, "%s",
			 eq ? eq + 1 : "");
		for (size_t i = 0; i < c->nserver; i++)
			if (strcasecmp(c->server[i].name, c->server[c->nserver].name) == 0)
				return iwa_err_set(err, IWA_EINVAL, "--server: '%s' is given twice",
						   c->server[i].name);
		c->nserver++;
		return 0;
	}
	if (opt == OPT_SKIP) {
		for (int m = 0; m < L_N; m++)
			if (strcmp(arg, layer_name[m]) == 0 ||
			    (m == L_NB && strcmp(arg, "backend") == 0)) {
				c->skip[m] = true;
				return 0;
			}
		return iwa_err_set(err, IWA_EINVAL, "--skip '%s': expected spn, backends or gpo",
				   arg);
	}
	int k = route_index(opt);
	if (k < 0)
		return iwa_err_set(err, IWA_EINVAL, "unhandled option");
	for (int m = 0; m < L_N; m++) {
		if (routes[k].val[m] == 0)
			continue;
		rc = module[m]->handle_opt(mcfg[m], routes[k].val[m], arg, err);
		if (rc < 0)
			return rc;
	}
	if (opt == 'a') {
		c->account = arg;
		return spn_check.handle_opt(&c->spn, 'e', arg, err);
	}
	return 0;
}

static int farm_validate(void *vcfg, const struct iwa_common_opts *common, struct iwa_err *err)
{
	struct farm_cfg *c = vcfg;
	void *mcfg[L_N] = {&c->spn, &c->nb, &c->blg};
	int rc;

	if (c->nb.url == NULL)
		return iwa_err_set(err, IWA_EINVAL, "-u/--url is required (the farm's public URL)");
	if (c->account == NULL)
		return iwa_err_set(err, IWA_EINVAL,
				   "-a/--account is required (the app-pool account, e.g. "
				   "CAMTEST\\cam-svc)");
	if (c->nserver == 0)
		return iwa_err_set(err, IWA_EINVAL,
				   "--server NAME[=ADDR[:PORT]] is required (each web server's "
				   "computer account, repeatable)");
	if (c->skip[L_SPN] && c->skip[L_NB] && c->skip[L_GPO])
		return iwa_err_set(err, IWA_EINVAL,
				   "--skip: every layer skipped, nothing to check");
	/* -f from the URL's host */
	snprintf(c->fqdn_buf, sizeof c->fqdn_buf, "%s", c->nb.url_host);
	rc = spn_check.handle_opt(&c->spn, 'f', c->fqdn_buf, err);
	if (rc < 0)
		return rc;
	const char *dom = strchr(c->nb.url_host, '.');
	for (size_t i = 0; i < c->nserver; i++) {
		char addr[400];
		if (c->server[i].addr[0] != '\0')
			snprintf(addr, sizeof addr, "%s", c->server[i].addr);
		else
			snprintf(addr, sizeof addr, "%s%s", c->server[i].name, dom ? dom : "");
		for (char *p = addr; *p && c->server[i].addr[0] == '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		if (c->nb.nbackends == MAX_BACKENDS)
			return iwa_err_set(err, IWA_EINVAL, "--server: at most %d servers",
					   MAX_BACKENDS);
		struct backend *b = &c->nb.backends[c->nb.nbackends];
		rc = nb_parse_backend(addr, b, err);
		if (rc < 0) {
			iwa_err_prefix(err, "--server %s", c->server[i].name);
			return rc;
		}
		/* results are labelled with the lower-cased NAME ("server1") */
		snprintf(b->label, sizeof b->label, "%s", c->server[i].name);
		for (char *p = b->label; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		c->nb.nbackends++;
		rc = blg_check.handle_opt(&c->blg, 'C', c->server[i].name, err);
		if (rc < 0)
			return rc;
	}
	for (int m = 0; m < L_N; m++) {
		if (c->skip[m] || module[m]->validate == NULL)
			continue;
		rc = module[m]->validate(mcfg[m], common, err);
		if (rc < 0)
			return rc;
	}
	c->spn.findings = &c->spn_f;
	c->blg.findings = &c->blg_f;
	return 0;
}

static void farm_cfg_init(void *vcfg)
{
	struct farm_cfg *c = vcfg;
	memset(c, 0, sizeof *c);
	spn_check.cfg_init(&c->spn);
	nb_check.cfg_init(&c->nb);
	blg_check.cfg_init(&c->blg);
}

static void farm_cfg_free(void *vcfg)
{
	struct farm_cfg *c = vcfg;
	spn_check.cfg_free(&c->spn);
	nb_check.cfg_free(&c->nb);
	blg_check.cfg_free(&c->blg);
}

/* ------------------------------------------------------------------ run */

struct nb_job {
	struct iwa_ctx *ctx;
	struct nb_cfg *cfg;
	struct iwa_check *node;
	struct nb_result res;
	struct iwa_err err;
	int rc;
};

/* The backend layer, in its own thread: reads ctx (deadline, verbosity, the TGT already
 * set up) and writes only its own node. */
static void *nb_thread(void *arg)
{
	struct nb_job *j = arg;
	j->rc = nb_run_verdicts(j->ctx, j->cfg, j->node, &j->res, &j->err);
	return NULL;
}

struct spn_job {
	struct iwa_ctx *ctx;
	struct spn_cfg *cfg;
	struct iwa_check *node;
	struct iwa_err err;
	int rc;
};

/* The SPN layer in its own thread, on a run context of its own (a copy of the run's: the
 * same deadline and TGT; its LDAP connection is added there); writes only its own node. */
static void *spn_thread(void *arg)
{
	struct spn_job *j = arg;
	j->rc = spn_run(j->ctx, j->cfg, j->node, &j->err);
	return NULL;
}

/* Puts the layer's name before its summary and, when the layer could not run, its reason. */
static void layer_done(struct iwa_check *node, int m, int rc, const struct iwa_err *e)
{
	char *t = iwa_strdup(iwa_check_text(node));
	if (rc < 0) {
		iwa_check_set_state(node, IWA_UNKNOWN);
		iwa_check_set_text(node, "%s: not checked: %s", layer_name[m], e->msg);
	} else if (t != NULL) {
		iwa_check_set_text(node, "%s: %s", layer_name[m], t);
	}
	free(t);
}

/* The backend module's verdicts -> facts (one per target, the ticket). */
static void nb_facts(const struct farm_cfg *c, const struct nb_result *res, struct farm_facts *f)
{
	f->ticket_ok = res->ticket.cause == NB_OK;
	snprintf(f->ticket_text, sizeof f->ticket_text, "%s", res->ticket.problem);
	f->ticket_state = IWA_OK;
	if (f->ticket_ok) {
		f->ticket_state =
			nb_eval_ticket_enctype(&res->ticket, c->nb.allow_rc4, f->ticket_enc_text,
					       sizeof f->ticket_enc_text);
		f->ticket_rc4 = res->ticket.enctype == 23 || res->ticket.enctype == 24;
	}
	for (size_t i = 0; i < res->n && f->nt < FARM_MAX_SERVERS + 1; i++) {
		const struct nb_target *nt = &res->targets[i];
		struct farm_target *t = &f->t[f->nt++];
		snprintf(t->label, sizeof t->label, "%s", nt->obs.label);
		t->vip = nt->obs.vip;
		for (size_t s = 0; !t->vip && s < c->nserver; s++)
			if (strcasecmp(c->server[s].name, nt->obs.label) == 0)
				snprintf(t->server, sizeof t->server, "%s", c->server[s].name);
		t->state = nt->v.state;
		snprintf(t->text, sizeof t->text, "%s", nt->v.text);
		t->code = farm_nb_code_from_cause(nt->v.cause);
		t->epa_differs = nt->v.cause == NB_EPA_DIFFERS;
		if (nt->v.epa != NB_EPA_UNKNOWN)
			snprintf(t->epa_level, sizeof t->epa_level, "%s",
				 nb_epa_level_name(nt->v.epa));
		if (t->code == FARM_NB_OK && t->state != IWA_OK)
			t->code = FARM_NB_OTHER;
	}
}

static void gather(const struct farm_cfg *c, struct iwa_check *const node[L_N], const bool ran[L_N],
		   const struct nb_result *res, struct farm_facts *f)
{
	memset(f, 0, sizeof *f);
	f->account = c->account;
	if (ran[L_SPN] && c->spn_f.done) {
		f->spn_run = true;
		f->spn_state = iwa_check_state(node[L_SPN]);
		const char *st = iwa_check_text(node[L_SPN]); /* without layer_done's "spn: " */
		snprintf(f->spn_text, sizeof f->spn_text, "%s",
			 strncmp(st, "spn: ", 5) == 0 ? st + 5 : st);
		snprintf(f->spn, sizeof f->spn, "%s", c->spn_f.main);
		f->spn_nowners = c->spn_f.nowners;
		f->spn_nlisted = c->spn_f.nowners < 8 ? c->spn_f.nowners : 8;
		for (size_t i = 0; i < f->spn_nlisted; i++) {
			snprintf(f->spn_owner[i].name, sizeof f->spn_owner[i].name, "%s",
				 c->spn_f.owner[i].name);
			f->spn_owner[i].computer = c->spn_f.owner[i].kind == SPN_KIND_COMPUTER;
			f->spn_owner[i].expected = c->spn_f.owner[i].expected;
		}
	} else {
		snprintf(f->spn, sizeof f->spn, "HTTP/%s", c->nb.url_host);
	}
	if (ran[L_NB]) {
		f->nb_run = true;
		f->nb_state = iwa_check_state(node[L_NB]);
		nb_facts(c, res, f);
	}
	if (ran[L_GPO] && c->blg_f.done) {
		f->gpo_run = true;
		f->gpo_state = c->blg_f.state;
		snprintf(f->gpo_text, sizeof f->gpo_text, "%s", c->blg_f.cause);
		f->ncomp = c->blg_f.ncomp < FARM_MAX_SERVERS ? c->blg_f.ncomp : FARM_MAX_SERVERS;
		for (size_t i = 0; i < f->ncomp; i++) {
			snprintf(f->comp[i].name, sizeof f->comp[i].name, "%s",
				 c->blg_f.comp[i].name);
			f->comp[i].found = c->blg_f.comp[i].found;
			f->comp[i].holds_right = c->blg_f.comp[i].holds_right;
			f->comp[i].wrong_ou = c->blg_f.comp[i].wrong_ou;
		}
	}
}

/* Before the layers' threads start: the GPO layer's directory connection (its SASL GSSAPI
 * bind stores the ldap/ ticket) and the SYSVOL cifs/ ticket, so that the SPN layer's bind
 * finds the ldap/ ticket cached and libsmbclient (Heimdal) only reads the cache. While the
 * threads run, the backends' thread stores its HTTP ticket and the SPN layer's RC4 probe its
 * AES-restricted ticket and config entries: MIT krb5 (1.20) appends each credential to a
 * FILE cache with one O_APPEND write, so those stores do not interleave. Without a GPO layer
 * the SPN connection is opened here instead. Failures are left to the layers. */
static void prefetch(struct iwa_ctx *ctx, struct farm_cfg *c)
{
	struct iwa_ldap *l;
	struct iwa_krb *krb;
	struct iwa_err e;
	if (!c->skip[L_GPO])
		(void)iwa_ctx_ldap(ctx, &c->blg.ldap, &l, &e);
	else if (!c->skip[L_SPN])
		(void)iwa_ctx_ldap(ctx, &c->spn.ldap, &l, &e);
	if (c->skip[L_GPO] || c->blg.sysvol_path != NULL || c->blg.sysvol_host == NULL ||
	    c->blg.ldap.bind_dn != NULL || ctx->krb == NULL)
		return;
	krb = ctx->krb;
	struct iwa_gss_ticket tk;
	memset(&tk, 0, sizeof tk);
	(void)iwa_gss_host_ticket(iwa_krb_ccache_name(krb), "cifs", c->blg.sysvol_host,
				  IWA_GSS_HOST_SAMBA_NAME | IWA_GSS_HOST_NO_DELEGATION,
				  ctx->deadline, &tk, &e);
}

/* After the SPN thread: its connection joins the run context, which frees it with the rest
 * (release_ldap also frees the credentials, so it replaces a release of those alone). */
static void adopt(struct iwa_ctx *ctx, struct iwa_ctx *own)
{
	for (size_t i = 0; i < own->n_ldap; i++) {
		if (ctx->n_ldap == IWA_CTX_LDAP_MAX) { /* cannot happen: 2 connections at most */
			iwa_ldap_free(own->ldap[i].l);
			free(own->ldap[i].key);
			continue;
		}
		ctx->ldap[ctx->n_ldap++] = own->ldap[i];
	}
	if (own->n_ldap > 0 && own->release != NULL)
		ctx->release = own->release;
	own->n_ldap = 0;
}

static int farm_run(struct iwa_ctx *ctx, void *vcfg, struct iwa_check *root, struct iwa_err *err)
{
	struct farm_cfg *c = vcfg;
	struct iwa_check *node[L_N] = {NULL, NULL, NULL};
	bool ran[L_N] = {false, false, false};
	struct nb_job job;
	struct spn_job sjob;
	pthread_t th, sth;
	bool threaded = false, sthreaded = false;
	struct iwa_ctx sctx; /* the SPN thread's own: the same deadline and TGT, its connection */
	struct iwa_krb *krb;
	struct farm_facts *f = NULL;
	struct farm_result *r = NULL;
	struct iwa_buf b;
	int rc = 0;

	iwa_buf_init(&b, 32768);
	memset(&job, 0, sizeof job);
	memset(&sjob, 0, sizeof sjob);
	for (int m = 0; m < L_N; m++) {
		if (c->skip[m])
			continue;
		node[m] = iwa_check_add(root, IWA_OK, "%s", layer_name[m]);
		if (node[m] == NULL || iwa_check_set_name(node[m], layer_name[m]) < 0)
			return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	}
	/* ONE TGT for the run, from the options every layer shares (ours: UNKNOWN) */
	rc = iwa_ctx_krb(ctx, c->skip[L_NB] ? &c->spn.ldap.krb : &c->nb.krb, &krb, err);
	if (rc < 0 && (c->skip[L_NB] ? c->spn.ldap.bind_dn == NULL : true))
		return rc;
	rc = 0;
	prefetch(ctx, c);
	if (!c->skip[L_NB]) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		job.ctx = ctx;
		job.cfg = &c->nb;
		job.node = node[L_NB];
		threaded = pthread_create(&th, NULL, nb_thread, &job) == 0;
		if (!threaded)
			nb_thread(&job);
	}
	/* the SPN layer in a thread too, on a context of its own (its bind adds a connection
	 * there, not to the context the GPO layer reads); without a GPO layer on ctx */
	sctx = *ctx;
	sctx.n_ldap = 0;
	sctx.release = NULL;
	if (!c->skip[L_SPN]) {
		sjob.ctx = c->skip[L_GPO] ? ctx : &sctx;
		sjob.cfg = &c->spn;
		sjob.node = node[L_SPN];
		sthreaded = pthread_create(&sth, NULL, spn_thread, &sjob) == 0;
		if (!sthreaded)
			spn_thread(&sjob);
	}
	if (!c->skip[L_GPO]) {
		struct iwa_err e;
		memset(&e, 0, sizeof e);
		int lrc = blg_run(ctx, &c->blg, node[L_GPO], &e);
		layer_done(node[L_GPO], L_GPO, lrc, &e);
		ran[L_GPO] = lrc >= 0;
	}
	if (sthreaded)
		pthread_join(sth, NULL);
	adopt(ctx, &sctx);
	if (!c->skip[L_SPN]) {
		layer_done(node[L_SPN], L_SPN, sjob.rc, &sjob.err);
		ran[L_SPN] = sjob.rc >= 0;
	}
	if (threaded)
		pthread_join(th, NULL);
	if (!c->skip[L_NB]) {
		if (job.rc < 0 && job.err.code == 0)
			job.err.code = job.rc;
		layer_done(node[L_NB], L_NB, job.rc, &job.err);
		ran[L_NB] = job.rc >= 0;
	}

	f = calloc(1, sizeof *f);
	r = calloc(1, sizeof *r);
	if (f == NULL || r == NULL) {
		rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
		goto cleanup;
	}
	gather(c, node, ran, &job.res, f);
	rc = farm_correlate(f, r);
	if (rc < 0) {
		rc = iwa_err_set(err, rc, "too many causes to correlate");
		goto cleanup;
	}
	enum iwa_state worst = IWA_OK;
	for (size_t i = 0; i < r->ncauses; i++)
		worst = iwa_state_worst(worst, r->cause[i].state);
	rc = farm_summary(f, r, &b);
	if (rc == 0) {
		char *s = iwa_buf_take(&b);
		rc = s != NULL ? iwa_check_set_text(root, "%s", s) : IWA_ENOMEM;
		free(s);
	}
	for (size_t i = 0; rc == 0 && i < r->ncauses; i++)
		rc = iwa_check_add_line(root, "root cause %zu [%s %s]: %s — fix: %s", i + 1,
					r->cause[i].layer, r->cause[i].object, r->cause[i].cause,
					r->cause[i].fix);
	for (size_t i = 0; rc == 0 && i < r->ncons; i++)
		rc = iwa_check_add_line(root, "consequence: %s", r->consequence[i]);
	iwa_check_raise(root, worst);
	if (rc == 0) {
		iwa_buf_free(&b);
		iwa_buf_init(&b, 65536);
		rc = farm_json(r, &b);
		if (rc == 0) {
			char *s = iwa_buf_take(&b);
			rc = s != NULL ? iwa_check_set_json_member(root, s) : IWA_ENOMEM;
			free(s);
		}
	}
	double zero = 0;
	if (rc == 0)
		rc = iwa_check_perf(root, "root_causes", (double)r->ncauses, "", NULL, &zero, NULL);
	if (rc == 0)
		rc = iwa_check_perf(root, "farm_time", iwa_ctx_elapsed(ctx), "s", NULL, &zero,
				    NULL);
	if (rc < 0)
		rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
cleanup:
	nb_result_free(&job.res);
	iwa_buf_free(&b);
	free(f);
	free(r);
	return rc;
}

/* ------------------------------------------------------------------ the module */

static const char farm_purpose[] =
	"Checks a whole IIS farm behind an L4 balancer in one run, for on-call: the SPN\n"
	"(check_spn_unique), Kerberos on every backend and the VIP\n"
	"(check_negotiate_backend) and the batch logon right from the GPOs\n"
	"(check_batch_logon_gpo), with one TGT, one service ticket, one LDAP bind per\n"
	"DC/port and the backends checked while the directory is read. Then it names\n"
	"the ROOT CAUSE(S) and lists what follows from them as consequences: a missing\n"
	"or duplicate SPN is one cause (not every backend failing), a 503 where the\n"
	"account lacks the right is the GPO's finding, and so on. Each layer's full\n"
	"detail follows underneath.\n";

static const char farm_usage[] =
	"Usage: check_iwa_farm -u URL --server NAME[=ADDR[:PORT]]... -a ACCOUNT\n"
	"         [-H DC] [--keytab FILE [--principal NAME]] [--ccache NAME]\n"
	"         [--ca-file FILE | --insecure] [--no-vip] [--skip spn|backends|gpo]\n"
	"         [the single checks' options] [-t SECONDS] [-v] [--output-format json]\n";

static const char farm_options[] =
	"Farm:\n"
	" -u, --url URL          the public URL (required); its host is the SPN's\n"
	"                        (HTTP/<host>) and the domain of the servers' names\n"
	" --server NAME[=ADDR[:PORT]]\n"
	"                        a web server (repeatable, required): NAME its computer\n"
	"                        account (SERVER1), ADDR its backend address (default:\n"
	"                        NAME's DNS name in the URL's domain, e.g.\n"
	"                        server1.camtest.test)\n"
	" -a, --account ACCOUNT  the app-pool account that must hold the SPN and the\n"
	"                        batch logon right (required), e.g. CAMTEST\\cam-svc\n"
	" --skip LAYER           leave out spn, backends or gpo (repeatable)\n"
	" -H, --host DC          the domain controller (SPN on its Global Catalog, GPOs\n"
	"                        on its LDAP port and SYSVOL)\n"
	"Options of the single checks accepted under the same names (see their --help):\n"
	" check_negotiate_backend: --no-vip --spn --spn-from --realm --fresh-ticket\n"
	"   --require-mutual -e/--expect -w/--warning -c/--critical (backend times)\n"
	"   --no-channel-binding --epa-probe --epa LEVEL (Extended Protection)\n"
	" check_spn_unique: --spn (also) --port-variant\n"
	" both: --allow-rc4\n"
	" check_batch_logon_gpo: --gpo --right --sysvol-path --sysvol-host --site\n"
	" directory, TLS, Kerberos: -p -b --ldap-uri --starttls --bind-dn\n"
	"   --password-file --ca-file --insecure --keytab --principal --ccache\n"
	"   (-p/-b/--ldap-uri apply\n"
	"   to both directory layers: by default the SPN is read on 3268, GPOs on 389)\n";

static const char farm_notes[] =
	"States: CRITICAL when a root cause is CRITICAL, WARNING likewise; OK when every\n"
	"layer is OK; UNKNOWN for our own mistakes (options, our credentials).\n"
	"First line: FARM CRITICAL - root cause: [layer object] cause; consequences: ...\n"
	"Long output: each root cause with its fix, each consequence, then every layer's\n"
	"full result (spn:, backends:, gpo:). JSON (--output-format json) adds\n"
	"root_causes [{layer, object, cause, fix, state, rule}] and consequences.\n"
	"Perfdata: the layers' own, root_causes, farm_time.\n"
	"When to use it: one service per farm for on-call (one alert, one cause). The\n"
	"three single checks stay for fine-grained, per-backend services.\n";

static const char farm_examples[] =
	"Examples:\n"
	"  check_iwa_farm -u https://sso.camtest.test/ --server SERVER1 \\\n"
	"    --server SERVER2 \\\n"
	"    -a 'CAMTEST\\cam-svc' -H dc1.camtest.test --keytab /etc/iwa/monitor.keytab \\\n"
	"    --ca-file /etc/iwa/ca.pem\n"
	"  FARM OK - farm healthy: HTTP/sso.camtest.test on cam-svc; 2 backend(s)\n"
	"  and the VIP accept Kerberos; CAMTEST\\cam-svc holds the batch logon\n"
	"  right on every server | ...\n"
	"  (server1's pool stopped, the GPO linked to the accounts' OU:)\n"
	"  FARM CRITICAL - root cause: [gpo SERVER1] IIS-BatchLogon-GPO ... is linked to\n"
	"  OU=ServiceAccounts ...; consequences: server1 HTTP 503 (application pool\n"
	"  stopped: no batch logon right), vip HTTP 503 (...)\n"
	"  check_iwa_farm -u https://sso.camtest.test/ --server SERVER1=10.0.0.11:8443 \\\n"
	"    --server SERVER2=10.0.0.12:8443 -a cam-svc -H dc1 --skip gpo --no-vip\n";

const struct iwa_plugin farm_check = {
	.name = "check_iwa_farm",
	.service = "FARM",
	.shortopts = farm_shortopts,
	.longopts = farm_longopts,
	.purpose = farm_purpose,
	.usage = farm_usage,
	.options_help = farm_options,
	.notes = farm_notes,
	.examples = farm_examples,
	.handle_opt = farm_opt,
	.validate = farm_validate,
	.run = farm_run,
	.cfg_size = sizeof(struct farm_cfg),
	.cfg_init = farm_cfg_init,
	.cfg_free = farm_cfg_free,
};
