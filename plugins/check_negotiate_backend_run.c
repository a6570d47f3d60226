/* check_negotiate_backend_run.c — the load: credentials -> one service ticket -> for every
 * target in parallel (curl multi): GET -> 401 Negotiate -> GET with the token -> final status
 * and token -> our GSS-API context's verdict on it. Records what each target answered
 * (struct nb_obs); the verdicts and the result tree are check_negotiate_backend_eval.c's. */
#include "budget.h"
#include "check_negotiate_backend.h"
#include "kdc.h"
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

/* Step 1 answered 401 with Negotiate: make this backend's GSS context and send its token. */
static void send_token(struct target *t)
{
	struct iwa_err err;
	void *tok = NULL;
	size_t tl = 0;
	bool complete = false;
	char *b64 = NULL;
	char *hdr = NULL;

	if (iwa_gss_ctx_new(t->run->cred, t->run->ticket.principal, &t->gss, &err) < 0 ||
	    iwa_gss_ctx_step(t->gss, NULL, 0, &tok, &tl, &complete, &err) < 0) {
		local_failure(t, NB_LOCAL_GSS, 2, err.msg);
		goto cleanup;
	}
	if (tl == 0 || iwa_base64_encode(tok, tl, &b64) < 0) {
		local_failure(t, NB_LOCAL_NO_TOKEN, 2, NULL);
		goto cleanup;
	}
	size_t hl = strlen(b64) + sizeof("Negotiate ");
	hdr = malloc(hl);
	if (hdr == NULL) {
		local_failure(t, NB_LOCAL_NOMEM, 2, NULL);
		goto cleanup;
	}
	snprintf(hdr, hl, "Negotiate %s", b64);
	t->obs->steps = 2;
	if (iwa_http_start(t->x, hdr, &err) < 0)
		local_failure(t, NB_LOCAL_NO_TIME, 2, err.msg);
cleanup:
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
	int step = t->obs->steps;
	(void)arg;

	note_response(t, r, step);
	if (step == 1 && nb_wants_token(&t->run->ticket, &t->obs->step[0])) {
		send_token(t);
		return;
	}
	if (step == 2 && r->curl_code == 0)
		verify_token(t, r->negotiate_token);
	finish(t);
}

/* Adds the ticket's node: what was asked, from where, and at -v enctype/kvno/reuse. */
static void report_ticket(struct iwa_check *root, const struct nb_ticket *tkt,
			  const struct iwa_gss_ticket *tk, const struct iwa_krb *krb, int verbose,
			  bool allow_rc4, const struct iwa_err *terr)
{
	struct iwa_check *n;
	if (!tkt->ok) {
		n = iwa_check_add(root, IWA_CRITICAL, "%s", tkt->problem);
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
	(void)terr;
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

/* Runs the check into root; the per-target results into *out when out is not NULL. */
int nb_run_verdicts(struct iwa_ctx *ctx, const struct nb_cfg *cfg, struct iwa_check *root,
		    struct nb_result *out, struct iwa_err *err)
{
	struct iwa_krb *krb = NULL;
	struct iwa_http *http = NULL;
	struct target *ts = NULL;
	struct nb_target *res = NULL;
	struct run run;
	struct nb_ticket *tkt = &run.ticket;
	struct iwa_gss_ticket tk;
	struct iwa_err terr;
	char client_realm[256] = "";
	int rc = 0;
	size_t n = 0;

	memset(&run, 0, sizeof(run));
	memset(&tk, 0, sizeof(tk));
	run.cfg = cfg;
	double t0 = iwa_now();

	rc = iwa_ctx_krb(ctx, &cfg->krb, &krb, err);
	if (rc < 0)
		goto cleanup;
	const char *realm = cfg->realm;
	if (realm == NULL) {
		const char *cr = iwa_gss_principal_realm(iwa_krb_client(krb));
		snprintf(client_realm, sizeof(client_realm), "%s", cr ? cr : "");
		realm = client_realm;
	}
	char spn[512];
	if (cfg->spn != NULL)
		snprintf(spn, sizeof(spn), "%s", cfg->spn);
	else
		snprintf(spn, sizeof(spn), "HTTP/%s", cfg->url_host);
	rc = iwa_gss_service_principal(spn, realm, tkt->principal, sizeof(tkt->principal), err);
	if (rc < 0)
		goto cleanup;
	snprintf(tkt->spn_short, sizeof(tkt->spn_short), "%s", spn);
	char *at = strrchr(tkt->spn_short, '@');
	if (at != NULL && cfg->spn != NULL)
		*at = '\0';

	/* One service ticket for the whole run. */
	memset(&terr, 0, sizeof(terr));
	rc = iwa_gss_service_ticket(iwa_krb_ccache_name(krb), tkt->principal, cfg->krb.fresh,
				    ctx->deadline, &tk, &terr);
	if (rc < 0) {
		if (tk.fail == IWA_GSS_TKT_SPN_UNKNOWN || tk.fail == IWA_GSS_TKT_KDC_REFUSED ||
		    tk.fail == IWA_GSS_TKT_CLOCK_SKEW) {
			nb_eval_ticket(&tk, tkt);
			rc = 0;
		} else {
			*err = terr;
			if (tk.fail == IWA_GSS_TKT_OWN_CREDS)
				iwa_err_prefix(err, "our Kerberos credentials are unusable");
			goto cleanup;
		}
	} else {
		tkt->ok = true;
		tkt->cause = NB_OK;
		tkt->enctype = tk.enctype_num;
		tkt->kvno = tk.kvno;
		snprintf(tkt->enctype_name, sizeof(tkt->enctype_name), "%s", tk.enctype);
		snprintf(tkt->session_name, sizeof(tkt->session_name), "%s", tk.session_enctype);
	}
	tkt->seconds = iwa_now() - t0;
	if (tkt->ok) {
		rc = iwa_gss_cred_acquire(iwa_krb_ccache_name(krb), IWA_GSS_MECH_SPNEGO, &run.cred,
					  err);
		if (rc < 0)
			goto cleanup;
	}

	/* The targets: the VIP (the URL's own resolution), then each backend. */
	n = (cfg->no_vip ? 0 : 1) + cfg->nbackends;
	ts = calloc(n, sizeof(*ts));
	res = calloc(n ? n : 1, sizeof(*res));
	if (ts == NULL || res == NULL) {
		rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
		goto cleanup;
	}
	struct iwa_http_opts ho = {cfg->tls.ca_file, cfg->tls.insecure, 4096,
				   "check_negotiate_backend", ctx->deadline};
	rc = iwa_http_new(&ho, &http, err);
	if (rc < 0)
		goto cleanup;
	for (size_t i = 0; i < n; i++) {
		struct target *t = &ts[i];
		struct nb_obs *o = &res[i].obs;
		t->run = &run;
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
		ts[i].t_start = iwa_now();
		ts[i].obs->steps = 1;
		if (iwa_http_start(ts[i].x, NULL, &e2) < 0)
			local_failure(&ts[i], NB_LOCAL_NO_TIME, 1, e2.msg);
	}
	rc = iwa_http_run(http, on_done, NULL, err);
	if (rc < 0)
		goto cleanup;

	/* Verdicts and results. */
	for (size_t i = 0; i < n; i++) {
		if (!res[i].obs.finished)
			res[i].obs.seconds = iwa_now() - ts[i].t_start;
		nb_eval_target(cfg, tkt, &res[i].obs, &res[i].v);
	}
	report_ticket(root, tkt, &tk, krb, ctx->verbose, cfg->allow_rc4, &terr);
	rc = nb_render(root, cfg, tkt, res, n, ctx->verbose, err);
	if (rc < 0)
		goto cleanup;
	if (out != NULL) {
		out->ticket = *tkt;
		out->n = n;
		out->targets = res;
		res = NULL;
	}
	rc = 0;
cleanup:
	if (ts != NULL) {
		for (size_t i = 0; i < n; i++)
			iwa_gss_ctx_free(ts[i].gss);
	}
	iwa_http_free(http);
	free(ts);
	free(res);
	iwa_gss_cred_free(run.cred);
	return rc;
}

int nb_run(struct iwa_ctx *ctx, void *vcfg, struct iwa_check *root, struct iwa_err *err)
{
	return nb_run_verdicts(ctx, vcfg, root, NULL, err);
}
