/* check_negotiate_backend_run.c — the load: credentials -> one service ticket -> for every
 * target in parallel (curl multi): GET -> 401 Negotiate -> GET with the token -> final status
 * and token -> our GSS-API context's verdict on it. Records what each target answered
 * (struct nb_obs); the verdicts and the result tree are check_negotiate_backend_eval.c's. */
#include "budget.h"
#include "cbt.h"
#include "check_negotiate_backend.h"
#include "kdc.h"
#include "dns.h"
#include "gss.h"
#include "http.h"
#include "output.h"
#include "util.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ the load */

/* One target's exchange: the transport's handles and where the state machine is; obs is
 * what it records. */
struct target {
	struct run *run;
	struct nb_obs *obs;
	struct iwa_http_xfer *x;
	double t_start;
	struct iwa_gss_ctx *gss;
	int phase;          /* the request running: 1, 2, 3 (no bindings), 4 (wrong binding) */
	struct iwa_cbt cbt; /* the binding of step 1's connection (obs->cert) */
};

struct run {
	const struct nb_cfg *cfg;
	struct iwa_gss_cred *cred;
	struct nb_ticket ticket;
};

/* Ends a target's exchange (the time it took). */
static void finish(struct target *t)
{
	t->obs->finished = true;
	t->obs->seconds = iwa_now() - t->t_start;
}

/* Records a failure on our side (o->local) and ends the exchange. */
static void local_failure(struct target *t, enum nb_local what, int step, const char *msg)
{
	t->obs->local = what;
	t->obs->local_step = step;
	snprintf(t->obs->local_error, sizeof(t->obs->local_error), "%s", msg ? msg : "");
	finish(t);
}

/* Records the facts of the response that just finished as step `step`, and the peer and
 * timing facts seen so far. */
static void note_response(struct target *t, const struct iwa_http_resp *r, int step)
{
	struct nb_obs *o = t->obs;
	struct nb_step_obs *s = &o->step[step - 1];
	s->answered = true;
	s->status = r->status;
	snprintf(s->schemes, sizeof(s->schemes), "%s", r->schemes);
	s->negotiate_offered = r->negotiate_offered;
	s->token = r->negotiate_token != NULL;
	s->token_too_long = r->negotiate_token_too_long;
	s->token_len = r->negotiate_token_len;
	s->www_auth_malformed = r->www_auth_malformed;
	snprintf(s->www_auth_error, sizeof(s->www_auth_error), "%s", r->www_auth_error);
	snprintf(s->location, sizeof(s->location), "%s", r->location);
	s->curl_code = r->curl_code;
	snprintf(s->error, sizeof(s->error), "%s", r->error);
	s->ssl_verify_result = r->ssl_verify_result;
	s->cap = r->cap;
	s->phase = iwa_http_resp_phase(r, t->run->cfg->https);
	s->header_bytes = r->header_bytes;
	s->body_bytes = r->body_bytes;
	s->ttfb = r->t_ttfb;
	if (r->primary_ip[0] != '\0') {
		snprintf(o->ip, sizeof(o->ip), "%s", r->primary_ip);
		o->ip_port = r->primary_port;
	}
	if (r->backend[0] != '\0')
		snprintf(o->served_by, sizeof(o->served_by), "%s", r->backend);
	o->ttfb = r->t_ttfb;
	if (r->t_connect > 0)
		o->t_connect = r->t_connect;
	if (r->t_appconnect > 0)
		o->t_tls = r->t_appconnect;
}

/* Reads the leaf certificate of step 1's connection into the target's binding. */
static void note_cert(struct target *t, const struct iwa_http_resp *r)
{
	struct nb_obs *o = t->obs;
	if (!t->run->cfg->https) {
		snprintf(o->cert_error, sizeof(o->cert_error), "http URL: no TLS");
		return;
	}
	if (!r->peer.seen) {
		snprintf(o->cert_error, sizeof(o->cert_error),
			 "libcurl gave no certificate for the connection");
		return;
	}
	if (r->peer.rc < 0) {
		snprintf(o->cert_error, sizeof(o->cert_error), "the server's certificate: %.200s",
			 r->peer.error);
		return;
	}
	t->cbt = r->peer.cbt;
	o->cert = true;
	snprintf(o->cert_subject, sizeof(o->cert_subject), "%s", t->cbt.subject);
	snprintf(o->cert_hash_name, sizeof(o->cert_hash_name), "%s", t->cbt.hash_name);
	snprintf(o->cert_hash_hex, sizeof(o->cert_hash_hex), "%s", t->cbt.hash_hex);
}

/* Sends the request of `phase` with a token of a new GSS context: 2 = the exchange's token
 * (bound to step 1's certificate unless --no-channel-binding; its context verifies the final
 * token), 3 = without bindings, 4 = with a wrong binding (the certificate's hash inverted). */
/* A token that could not be made: step 2's is our failure; a probe's only leaves the level
 * untold. */
static void fail_token(struct target *t, int phase, enum nb_local what, const char *msg)
{
	if (phase == 2)
		local_failure(t, what, 2, msg);
	else
		finish(t);
}

static void send_token(struct target *t, int phase)
{
	struct iwa_err err;
	void *tok = NULL;
	size_t tl = 0;
	bool complete = false;
	char *b64 = NULL;
	char *hdr = NULL;
	struct iwa_gss_ctx *probe = NULL;
	struct iwa_gss_ctx **g = phase == 2 ? &t->gss : &probe;
	unsigned char wrong[sizeof(t->cbt.app_data)];

	if (iwa_gss_ctx_new(t->run->cred, t->run->ticket.principal, g, &err) < 0) {
		fail_token(t, phase, NB_LOCAL_GSS, err.msg);
		goto cleanup;
	}
	if (phase == 2 && t->obs->cert && !t->run->cfg->no_channel_binding) {
		if (iwa_gss_ctx_bind(*g, t->cbt.app_data, t->cbt.app_data_len, &err) < 0) {
			fail_token(t, phase, NB_LOCAL_GSS, err.msg);
			goto cleanup;
		}
		t->obs->cb_sent = true;
	} else if (phase == 4) {
		memcpy(wrong, t->cbt.app_data, t->cbt.app_data_len);
		for (size_t i = sizeof(IWA_CBT_PREFIX) - 1; i < t->cbt.app_data_len; i++)
			wrong[i] ^= 0xff;
		if (iwa_gss_ctx_bind(*g, wrong, t->cbt.app_data_len, &err) < 0) {
			fail_token(t, phase, NB_LOCAL_GSS, err.msg);
			goto cleanup;
		}
	}
	if (iwa_gss_ctx_step(*g, NULL, 0, &tok, &tl, &complete, &err) < 0) {
		fail_token(t, phase, NB_LOCAL_GSS, err.msg);
		goto cleanup;
	}
	if (tl == 0 || iwa_base64_encode(tok, tl, &b64) < 0) {
		fail_token(t, phase, NB_LOCAL_NO_TOKEN, NULL);
		goto cleanup;
	}
	size_t hl = strlen(b64) + sizeof("Negotiate ");
	hdr = malloc(hl);
	if (hdr == NULL) {
		fail_token(t, phase, NB_LOCAL_NOMEM, NULL);
		goto cleanup;
	}
	snprintf(hdr, hl, "Negotiate %s", b64);
	t->phase = phase;
	if (phase == 2)
		t->obs->steps = 2;
	else
		(phase == 3 ? &t->obs->unbound : &t->obs->wrong)->tried = true;
	if (iwa_http_start(t->x, hdr, &err) < 0) {
		if (phase == 2)
			local_failure(t, NB_LOCAL_NO_TIME, 2, err.msg);
		else
			finish(t); /* a probe that cannot start: its level stays untold */
	}
cleanup:
	iwa_gss_ctx_free(probe);
	free(tok);
	free(b64);
	free(hdr);
}

/* Feeds the server's final token (base64) to the target's context and records the result
 * (o->verify, verify_why), the mechanism's text and whether the server's error was a clock
 * skew. */
static void verify_token(struct target *t, const char *b64)
{
	struct nb_obs *o = t->obs;
	struct iwa_err err;
	void *in = NULL, *out = NULL;
	size_t il = 0, ol = 0;
	bool complete = false;

	if (b64 == NULL || t->gss == NULL)
		goto cleanup;
	o->verify = NB_VERIFY_REFUSED;
	if (iwa_negotiate_token_decode(b64, strlen(b64), &in, &il, &err) < 0) {
		o->verify = NB_VERIFY_NOT_SPNEGO;
		snprintf(o->verify_why, sizeof(o->verify_why), "%.799s", err.msg);
		goto cleanup;
	}
	{ /* a KRB-ERROR in the token: the acceptor's own error code (pure reader, kdc.c) */
		int32_t code = 0;
		if (iwa_krb_token_error(in, il, &code) == 0)
			o->peer_krb_error = code;
	}
	if (iwa_gss_ctx_step(t->gss, in, il, &out, &ol, &complete, &err) < 0) {
		snprintf(o->verify_why, sizeof(o->verify_why), "%.799s", err.msg);
		goto cleanup;
	}
	if (!complete || !iwa_gss_ctx_mutual(t->gss)) {
		snprintf(o->verify_why, sizeof(o->verify_why),
			 "the security context did not complete with mutual authentication");
		goto cleanup;
	}
	o->verify = NB_VERIFY_OK;
cleanup:
	if (t->gss != NULL) {
		snprintf(o->gss_error, sizeof(o->gss_error), "%s", iwa_gss_ctx_last_error(t->gss));
		o->peer_skew = iwa_gss_ctx_peer_error(t->gss) == IWA_GSS_PEER_SKEW;
	}
	free(in);
	free(out);
}

/* The done callback of the transport: records the step's answer, then either sends the
 * Kerberos token (step 1 answered 401 Negotiate) or ends the exchange. */
static void on_done(struct iwa_http_xfer *x, void *arg)
{
	struct target *t = iwa_http_xfer_user(x);
	const struct iwa_http_resp *r = iwa_http_xfer_resp(x);
	int step = t->phase;
	(void)arg;

	if (step >= 3) {
		struct nb_probe_obs *p = step == 3 ? &t->obs->unbound : &t->obs->wrong;
		p->answered = true;
		p->status = r->status;
		p->curl_code = r->curl_code;
	} else {
		note_response(t, r, step);
	}
	if (step == 1) {
		note_cert(t, r);
		if (nb_wants_token(&t->run->ticket, &t->obs->step[0])) {
			send_token(t, 2);
			return;
		}
	}
	if (step == 2) {
		t->obs->reconnected = r->new_connections > 0;
		if (t->obs->reconnected && t->obs->cert && r->peer.seen && r->peer.rc == 0 &&
		    strcmp(r->peer.cbt.hash_hex, t->cbt.hash_hex) != 0)
			/* the binding was for step 1's connection, and this one's differs */
			snprintf(t->obs->reconnect_hash_hex, sizeof(t->obs->reconnect_hash_hex),
				 "%s", r->peer.cbt.hash_hex);
		if (r->curl_code == 0)
			verify_token(t, r->negotiate_token);
	}
	if (step >= 2) {
		int next = nb_next_probe(t->run->cfg, t->obs);
		if (next != 0) {
			send_token(t, next);
			return;
		}
	}
	finish(t);
}

/* Adds the ticket's node: what was asked, from where, and at -v enctype/kvno/reuse. */
static void report_ticket(struct iwa_check *root, const struct nb_ticket *tkt,
			  const struct iwa_gss_ticket *tk, const struct iwa_krb *krb, int verbose,
			  bool allow_rc4, enum iwa_state fail_state)
{
	struct iwa_check *n;
	if (!tkt->ok) {
		n = iwa_check_add(root, fail_state, "%s", tkt->problem);
		if (n != NULL)
			iwa_check_set_name(n, "ticket");
		return;
	}
	{
		char et[700];
		enum iwa_state st = nb_eval_ticket_enctype(tkt, allow_rc4, et, sizeof(et));
		n = iwa_check_add(root, st, "ticket: %s for %s, %s, %s", tk->server, tk->client,
				  tk->cached ? "cached service ticket"
					     : "new service ticket from the KDC",
				  et);
	}
	if (n == NULL)
		return;
	iwa_check_set_name(n, "ticket");
	if (verbose < 1)
		return;
	iwa_check_add_line(n, "credential cache %s", iwa_krb_ccache_name(krb));
	if (iwa_krb_tgt_reused(krb))
		iwa_check_add_line(n, "reused TGT from the cache (no AS exchange)");
	else
		iwa_check_add_line(n, "obtained a TGT in %.3f s (AS exchange)",
				   iwa_krb_tgt_seconds(krb));
	if (tk->cached)
		iwa_check_add_line(n, "cached service ticket for %s reused (no TGS exchange)",
				   tk->server);
	else
		iwa_check_add_line(n, "service ticket for %s obtained from the KDC in %.3f s%s",
				   tk->server, tk->seconds,
				   tk->removed_old ? " (--fresh-ticket: the cached one was removed)"
						   : "");
	iwa_check_add_line(n, "ticket enctype %s (%d), kvno %u, session key %s", tk->enctype,
			   tk->enctype_num, tk->kvno, tk->session_enctype);
	if (tk->endtime > 0) {
		time_t e = (time_t)tk->endtime;
		struct tm tmv;
		char when[64] = "";
		if (gmtime_r(&e, &tmv) != NULL)
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tmv);
		iwa_check_add_line(n, "ticket valid until %s", when);
	}
}

/* One SPN's load: its service ticket, then every target with it (in parallel). */
struct spn_load {
	struct run run;
	struct iwa_gss_ticket tk;
	struct target *ts;
	struct nb_target *res;
	size_t n;
};

static void spn_load_free(struct spn_load *L)
{
	if (L->ts != NULL)
		for (size_t i = 0; i < L->n; i++)
			iwa_gss_ctx_free(L->ts[i].gss);
	free(L->ts);
	free(L->res);
	iwa_gss_cred_free(L->run.cred);
	memset(L, 0, sizeof(*L));
}

static int load_spn(struct iwa_ctx *ctx, const struct nb_cfg *cfg, struct iwa_krb *krb,
		    const char *realm, const char *spn, bool exact, struct spn_load *L,
		    struct iwa_err *err)
{
	struct iwa_http *http = NULL;
	struct nb_ticket *tkt = &L->run.ticket;
	struct iwa_err terr;
	int rc;
	size_t n;
	double t0 = iwa_now();

	L->run.cfg = cfg;
	rc = iwa_gss_service_principal(spn, realm, tkt->principal, sizeof(tkt->principal), err);
	if (rc < 0)
		return rc;
	snprintf(tkt->spn_short, sizeof(tkt->spn_short), "%.599s", spn);
	char *at = strrchr(tkt->spn_short, '@');
	if (at != NULL && exact)
		*at = '\0';

	/* One service ticket per SPN for the whole run. */
	memset(&terr, 0, sizeof(terr));
	rc = iwa_gss_service_ticket(iwa_krb_ccache_name(krb), tkt->principal, cfg->krb.fresh,
				    ctx->deadline, &L->tk, &terr);
	if (rc < 0) {
		if (L->tk.fail == IWA_GSS_TKT_SPN_UNKNOWN ||
		    L->tk.fail == IWA_GSS_TKT_KDC_REFUSED || L->tk.fail == IWA_GSS_TKT_CLOCK_SKEW) {
			nb_eval_ticket(&L->tk, tkt);
			rc = 0;
		} else {
			*err = terr;
			if (L->tk.fail == IWA_GSS_TKT_OWN_CREDS)
				iwa_err_prefix(err, "our Kerberos credentials are unusable");
			return rc;
		}
	} else {
		tkt->ok = true;
		tkt->cause = NB_OK;
		tkt->enctype = L->tk.enctype_num;
		tkt->kvno = L->tk.kvno;
		snprintf(tkt->enctype_name, sizeof(tkt->enctype_name), "%s", L->tk.enctype);
		snprintf(tkt->session_name, sizeof(tkt->session_name), "%s", L->tk.session_enctype);
	}
	tkt->seconds = iwa_now() - t0;
	if (tkt->ok) {
		rc = iwa_gss_cred_acquire_copy(iwa_krb_ccache_name(krb), IWA_GSS_MECH_SPNEGO,
					       &L->run.cred, err);
		if (rc < 0)
			return rc;
	}

	/* The targets: the VIP (the URL's own resolution), then each backend. */
	n = L->n = (cfg->no_vip ? 0 : 1) + cfg->nbackends;
	L->ts = calloc(n, sizeof(*L->ts));
	L->res = calloc(n ? n : 1, sizeof(*L->res));
	if (L->ts == NULL || L->res == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	struct iwa_http_opts ho = {cfg->tls.ca_file, cfg->tls.insecure, 4096,
				   "check_negotiate_backend", ctx->deadline};
	rc = iwa_http_new(&ho, &http, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct target *t = &L->ts[i];
		struct nb_obs *o = &L->res[i].obs;
		t->run = &L->run;
		t->obs = o;
		const char *ct = NULL;
		if (!cfg->no_vip && i == 0) {
			o->vip = true;
			snprintf(o->label, sizeof(o->label), "%s", VIP_LABEL);
			snprintf(o->addr, sizeof(o->addr), "%s", cfg->url_host);
			o->port = cfg->url_port;
			snprintf(o->where, sizeof(o->where), "%s:%u (VIP)", cfg->url_host,
				 cfg->url_port);
		} else {
			const struct backend *b = &cfg->backends[i - (cfg->no_vip ? 0 : 1)];
			unsigned port = b->port ? b->port : cfg->url_port;
			snprintf(o->label, sizeof(o->label), "%s", b->label);
			snprintf(o->addr, sizeof(o->addr), "%s", b->addr);
			o->port = port;
			bool v6 = strchr(b->addr, ':') != NULL;
			snprintf(o->where, sizeof(o->where), "%s%s%s:%u", v6 ? "[" : "", b->addr,
				 v6 ? "]" : "", port);
			rc = iwa_http_connect_to(cfg->url_host, cfg->url_port, b->addr, port,
						 o->connect_to, sizeof(o->connect_to), err);
			if (rc < 0)
				goto cleanup;
			ct = o->connect_to;
		}
		rc = iwa_http_xfer_new(http, cfg->url, ct, t, &t->x, err);
		if (rc < 0)
			goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		struct iwa_err e2;
		L->ts[i].t_start = iwa_now();
		L->ts[i].obs->steps = 1;
		L->ts[i].phase = 1;
		if (iwa_http_start(L->ts[i].x, NULL, &e2) < 0)
			local_failure(&L->ts[i], NB_LOCAL_NO_TIME, 1, e2.msg);
	}
	rc = iwa_http_run(http, on_done, NULL, err);
	if (rc < 0)
		goto cleanup;
	for (size_t i = 0; i < n; i++) {
		if (!L->res[i].obs.finished)
			L->res[i].obs.seconds = iwa_now() - L->ts[i].t_start;
		nb_eval_target(cfg, tkt, &L->res[i].obs, &L->res[i].v);
	}
	nb_eval_farm(cfg, L->res, n);
	rc = 0;
cleanup:
	iwa_http_free(http);
	return rc;
}

/* Is the URL's host an IP address (no DNS name to resolve)? */
static bool host_is_address(const char *h)
{
	return strchr(h, ':') != NULL || strspn(h, "0123456789.") == strlen(h);
}

/* Runs the check into root; the per-target results into *out when out is not NULL. */
int nb_run_verdicts(struct iwa_ctx *ctx, const struct nb_cfg *cfg, struct iwa_check *root,
		    struct nb_result *out, struct iwa_err *err)
{
	struct iwa_krb *krb = NULL;
	struct spn_load L[2];
	struct nb_spn_run runs[2];
	struct iwa_check *groups[2];
	struct iwa_dns_chain chain;
	char client_realm[256] = "", chain_text[1024] = "", spn[2][600];
	bool alias = false, want_canon = false, want_typed = true, dns_failed = false;
	struct iwa_err derr;
	size_t nr = 0, primary = 0;
	int rc = 0;

	memset(L, 0, sizeof(L));
	memset(runs, 0, sizeof(runs));
	rc = iwa_ctx_krb(ctx, &cfg->krb, &krb, err);
	if (rc < 0)
		goto cleanup;
	const char *realm = cfg->realm;
	if (realm == NULL) {
		const char *cr = iwa_gss_principal_realm(iwa_krb_client(krb));
		snprintf(client_realm, sizeof(client_realm), "%s", cr ? cr : "");
		realm = client_realm;
	}
	/* the host's CNAME chain: browsers that canonicalize ask for another SPN */
	if (cfg->spn == NULL && !host_is_address(cfg->url_host)) {
		rc = iwa_dns_resolve(cfg->url_host, ctx->deadline, &chain, &derr);
		if (rc == IWA_ETIMEOUT) {
			*err = derr;
			goto cleanup;
		}
		if (rc < 0) {
			dns_failed = true;
		} else {
			alias = iwa_dns_is_alias(&chain);
			iwa_dns_chain_text(&chain, chain_text, sizeof(chain_text));
		}
	}
	nb_spn_plan(cfg->spn_from, alias, &want_canon, &want_typed);
	if (want_canon) {
		snprintf(spn[nr], sizeof(spn[nr]), "HTTP/%s", iwa_dns_canonical(&chain));
		runs[nr].who = "Chrome/Edge";
		runs[nr].canonical = true;
		nr++;
	}
	if (want_typed) {
		if (cfg->spn != NULL)
			snprintf(spn[nr], sizeof(spn[nr]), "%s", cfg->spn);
		else
			snprintf(spn[nr], sizeof(spn[nr]), "HTTP/%s", cfg->url_host);
		runs[nr].who = "Firefox";
		primary = nr;
		nr++;
	}
	for (size_t i = 0; i < nr; i++) {
		rc = load_spn(ctx, cfg, krb, realm, spn[i], cfg->spn != NULL, &L[i], err);
		if (rc < 0)
			goto cleanup;
		runs[i].tkt = L[i].run.ticket;
		runs[i].ts = L[i].res;
		runs[i].n = L[i].n;
	}
	if (!alias) { /* the name is no alias: the result as it always was */
		report_ticket(root, &runs[0].tkt, &L[0].tk, krb, ctx->verbose, cfg->allow_rc4,
			      IWA_CRITICAL);
		rc = nb_render(root, cfg, &runs[0].tkt, runs[0].ts, runs[0].n, ctx->verbose, err);
		if (rc == 0 && dns_failed &&
		    iwa_check_add(root, IWA_WARNING,
				  "%s; could not tell whether %s is an alias: checked HTTP/%s only",
				  derr.msg, cfg->url_host, cfg->url_host) == NULL)
			rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
	} else if (nr == 1) { /* an alias, one SPN asked for (--spn-from) */
		report_ticket(root, &runs[0].tkt, &L[0].tk, krb, ctx->verbose, cfg->allow_rc4,
			      IWA_CRITICAL);
		rc = nb_render(root, cfg, &runs[0].tkt, runs[0].ts, runs[0].n, ctx->verbose, err);
		if (rc == 0)
			rc = nb_render_dns(root, cfg->url_host, iwa_dns_canonical(&chain),
					   chain_text, err);
	} else {
		rc = nb_alias_groups(root, runs, nr, groups, err);
		for (size_t i = 0; rc == 0 && i < nr; i++)
			report_ticket(groups[i], &runs[i].tkt, &L[i].tk, krb, ctx->verbose,
				      cfg->allow_rc4, nb_spn_ticket_state(runs, nr, i));
		if (rc == 0)
			rc = nb_render_alias(root, cfg, iwa_dns_canonical(&chain), chain_text, runs,
					     nr, groups, ctx->verbose, err);
	}
	if (rc < 0)
		goto cleanup;
	if (out != NULL) {
		out->ticket = runs[primary].tkt;
		out->n = L[primary].n;
		out->targets = L[primary].res;
		L[primary].res = NULL;
	}
	rc = 0;
cleanup:
	spn_load_free(&L[0]);
	spn_load_free(&L[1]);
	return rc;
}

int nb_run(struct iwa_ctx *ctx, void *vcfg, struct iwa_check *root, struct iwa_err *err)
{
	return nb_run_verdicts(ctx, vcfg, root, NULL, err);
}
