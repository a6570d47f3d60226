/* check_negotiate_backend_run.c — the check: credentials -> one service ticket -> for every
 * target in parallel (curl multi): GET -> 401 Negotiate -> GET with the token -> final status
 * and token -> mutual authentication; then the result tree (one line per target). */
#include "budget.h"
#include "check_negotiate_backend.h"
#include "gss.h"
#include "http.h"
#include "output.h"
#include "util.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ the check */

enum tstate { T_STEP1, T_STEP2, T_DONE };

struct target {
	const struct nb_cfg *cfg;
	struct run *run;
	char label[128];
	bool vip;
	char where[200]; /* "127.0.20.11:443" or "sso.camtest.test:443 (VIP)" */
	char connect_to[400];
	struct iwa_http_xfer *x;
	enum tstate st;
	double t_start, t_end;
	struct iwa_gss_ctx *gss;
	/* results */
	enum iwa_state state;
	char text[1400];   /* the one line of long output */
	char summary[400]; /* short cause for the first line ("" when OK) */
	long status1, status;
	char schemes[160];
	bool token_sent, final_token, mutual;
	double ttfb;
	char served_by[128], ip[64];
	long port;
	double t_connect, t_tls;
};

struct run {
	const struct nb_cfg *cfg;
	const struct iwa_ctx *ctx;
	struct iwa_gss_cred *cred;
	char principal[600];
	char spn_short[600]; /* principal without realm, for messages */
	bool ticket_ok;
	char ticket_problem[900];
};

/* snprintf that truncates silently (the texts here are bounded by design). */
__attribute__((format(printf, 3, 4))) static void sfmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static bool status_expected(const struct nb_cfg *cfg, long st)
{
	if (cfg->nexpect == 0)
		return st >= 200 && st <= 399;
	for (size_t i = 0; i < cfg->nexpect; i++)
		if (st >= cfg->expect[i].lo && st <= cfg->expect[i].hi)
			return true;
	return false;
}

/* Ends a target with a state, the line of long output and a short summary cause. */
__attribute__((format(printf, 4, 5))) static void
conclude(struct target *t, enum iwa_state st, const char *summary, const char *fmt, ...)
{
	va_list ap;
	t->state = st;
	t->st = T_DONE;
	t->t_end = iwa_now();
	snprintf(t->summary, sizeof(t->summary), "%s", summary ? summary : "");
	va_start(ap, fmt);
	vsnprintf(t->text, sizeof(t->text), fmt, ap);
	va_end(ap);
}

/* Records peer and timing facts of the response that just finished. */
static void note_response(struct target *t, const struct iwa_http_resp *r)
{
	if (r->primary_ip[0] != '\0') {
		snprintf(t->ip, sizeof(t->ip), "%s", r->primary_ip);
		t->port = r->primary_port;
	}
	if (r->backend[0] != '\0')
		snprintf(t->served_by, sizeof(t->served_by), "%s", r->backend);
	t->ttfb = r->t_ttfb;
	if (r->t_connect > 0)
		t->t_connect = r->t_connect;
	if (r->t_appconnect > 0)
		t->t_tls = r->t_appconnect;
}

/* The step a transfer was in, in words: for timeouts and transfers cut by a cap. step 1 is
 * the first request (expecting the 401), step 2 the request with the Kerberos token. */
static const char *step_words(enum iwa_http_phase ph, int step)
{
	switch (ph) {
	case IWA_HTTP_PHASE_CONNECT:
		return step == 1 ? "connecting (TCP)"
				 : "connecting (TCP) to send the Kerberos token";
	case IWA_HTTP_PHASE_TLS:
		return step == 1 ? "in the TLS handshake"
				 : "in the TLS handshake before sending the Kerberos token";
	case IWA_HTTP_PHASE_WAIT:
		return step == 1 ? "waiting for the first answer (the 401)"
				 : "waiting for the answer to the Kerberos token";
	case IWA_HTTP_PHASE_BODY:
		break;
	}
	return step == 1 ? "reading the body of the first answer"
			 : "reading the body of the answer to the Kerberos token";
}

/* A transfer was ended by one of the transport's caps (http.h): name the cap. */
static void cap_failure(struct target *t, const struct iwa_http_resp *r, int step)
{
	const char *which = step == 1 ? "the first answer" : "the answer to the Kerberos token";
	switch (r->cap) {
	case IWA_HTTP_CAP_HEADERS:
		conclude(t, IWA_CRITICAL, "response headers too large",
			 "%s: %s sent more than " IWA_HTTP_HEADERS_MAX_TEXT
			 " of headers in %s — a broken or hostile web server (a real one sends "
			 "a few KiB); the check stops reading at " IWA_HTTP_HEADERS_MAX_TEXT,
			 t->label, t->where, which);
		break;
	case IWA_HTTP_CAP_HEADER_LINE:
		conclude(t, IWA_CRITICAL, "response headers too large",
			 "%s: %s sent a header line longer than " IWA_HTTP_HEADER_LINE_MAX_TEXT
			 " in %s (libcurl's limit; it reported: %s) — a broken or hostile web "
			 "server",
			 t->label, t->where, which, r->error);
		break;
	case IWA_HTTP_CAP_BODY:
		conclude(
			t, IWA_CRITICAL, "response body too large (endless?)",
			"%s: the body of %s (HTTP %ld) from %s goes on past " IWA_HTTP_BODY_MAX_TEXT
			" — an endless or oversized body; the check needs none of it and stops "
			"there: point -u at a small page behind Windows authentication",
			t->label, which, r->status, t->where);
		break;
	case IWA_HTTP_CAP_NONE:
		break;
	}
}

/* A transfer timed out: name the step that hung. */
static void timeout_failure(struct target *t, const struct iwa_http_resp *r, int step)
{
	double secs = iwa_now() - t->t_start;
	enum iwa_http_phase ph = iwa_http_resp_phase(r, t->cfg->https);
	const char *when = step == 1 ? "" : " (for the request with the Kerberos token)";
	switch (ph) {
	case IWA_HTTP_PHASE_CONNECT:
		conclude(t, IWA_CRITICAL, "TCP connect timed out",
			 "%s: no TCP connection to %s within %.1f s%s (%s) — host down or "
			 "filtered",
			 t->label, t->where, secs, when, r->error);
		break;
	case IWA_HTTP_PHASE_TLS:
		conclude(t, IWA_CRITICAL, "no answer to the TLS handshake (timeout)",
			 "%s: %s accepted the TCP connection but did not answer the TLS "
			 "handshake within %.1f s%s — the web server hangs (%s)",
			 t->label, t->where, secs, when, r->error);
		break;
	case IWA_HTTP_PHASE_WAIT: {
		char partial[120] = "";
		if (r->header_bytes > 0)
			sfmt(partial, sizeof(partial),
			     " (the headers did not end: %zu bytes received)", r->header_bytes);
		if (step == 1)
			conclude(t, IWA_CRITICAL, "no answer to the first request (timeout)",
				 "%s: connected to %s but no answer to the first request within "
				 "%.1f s%s — the web server or application hangs (%s)",
				 t->label, t->where, secs, partial, r->error);
		else
			conclude(t, IWA_CRITICAL, "no answer to the Kerberos token (timeout)",
				 "%s: %s got the Kerberos token but did not answer it within %.1f "
				 "s%s — the web server or the application hangs after "
				 "authentication (%s)",
				 t->label, t->where, secs, partial, r->error);
		break;
	}
	case IWA_HTTP_PHASE_BODY:
		conclude(t, IWA_CRITICAL, "timeout reading the body",
			 "%s: timed out after %.1f s %s (HTTP %ld from %s, %zu body bytes "
			 "received, the body did not end) — the web server or application hangs "
			 "or sends an endless body",
			 t->label, secs, step_words(ph, step), r->status, t->where, r->body_bytes);
		break;
	}
}

/* A transfer failed at the transport level: name the reason in words an admin can act on. */
static void transport_failure(struct target *t, const struct iwa_http_resp *r, int step)
{
	const char *when = step == 1 ? "" : " (after sending the Kerberos token)";
	enum iwa_tls_problem tp = iwa_tls_classify(r->curl_code, r->ssl_verify_result, r->error);
	if (r->cap != IWA_HTTP_CAP_NONE) {
		cap_failure(t, r, step);
	} else if (r->curl_code == CURLE_OPERATION_TIMEDOUT) {
		timeout_failure(t, r, step);
	} else if (tp == IWA_TLS_CA_FILE) {
		/* our own CA file: not the server's fault */
		conclude(t, IWA_UNKNOWN, iwa_tls_problem_summary(tp), "%s: %s %s: %s — %s",
			 t->label, iwa_tls_problem_summary(tp),
			 t->cfg->tls.ca_file ? t->cfg->tls.ca_file : "(system trust store)",
			 r->error, iwa_tls_problem_fix(tp));
	} else if (tp != IWA_TLS_NONE) {
		/* one cause for the summary and the detail */
		conclude(t, IWA_CRITICAL, iwa_tls_problem_summary(tp), "%s: %s for %s: %s — %s",
			 t->label, iwa_tls_problem_summary(tp), t->where, r->error,
			 iwa_tls_problem_fix(tp));
	} else {
		switch (r->curl_code) {
		case CURLE_COULDNT_CONNECT:
			conclude(t, IWA_CRITICAL, "connection refused",
				 "%s: cannot connect to %s%s: %s — the web server is down or the "
				 "port is closed",
				 t->label, t->where, when, r->error);
			break;
		case CURLE_COULDNT_RESOLVE_HOST:
			conclude(t, IWA_CRITICAL, "name does not resolve",
				 "%s: cannot resolve the name: %s", t->label, r->error);
			break;
		case CURLE_GOT_NOTHING:
			conclude(t, IWA_CRITICAL, "connection closed without an answer",
				 "%s: %s closed the connection without an HTTP answer%s", t->label,
				 t->where, when);
			break;
		default:
			conclude(t, IWA_CRITICAL, "HTTP transfer failed",
				 "%s: request to %s failed %s: %s", t->label, t->where,
				 step_words(iwa_http_resp_phase(r, t->cfg->https), step), r->error);
			break;
		}
	}
	bool lb_hint = r->curl_code == CURLE_OPERATION_TIMEDOUT ||
		       r->curl_code == CURLE_GOT_NOTHING ||
		       r->curl_code == CURLE_SSL_CONNECT_ERROR ||
		       r->curl_code == CURLE_RECV_ERROR || r->curl_code == CURLE_SEND_ERROR;
	if (t->vip && lb_hint && r->cap == IWA_HTTP_CAP_NONE) {
		size_t l = strlen(t->text);
		sfmt(t->text + l, sizeof(t->text) - l,
		     " (through the balancer: the backend it chose may be failing, see the "
		     "backends' results)");
	}
}

static void fail_503(struct target *t, int step)
{
	conclude(t, IWA_CRITICAL, "HTTP 503 (application pool stopped?)",
		 "%s: HTTP 503 %s — the application pool is stopped; if it runs as a domain "
		 "account, check that the account holds 'Log on as a batch job' on this server "
		 "(check_batch_logon_gpo; WAS events 5021/5002)",
		 t->label, step == 1 ? "before authentication" : "after Kerberos authentication");
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

	if (iwa_gss_ctx_new(t->run->cred, t->run->principal, &t->gss, &err) < 0 ||
	    iwa_gss_ctx_step(t->gss, NULL, 0, &tok, &tl, &complete, &err) < 0) {
		conclude(t, IWA_UNKNOWN, "cannot make a Kerberos token",
			 "%s: cannot make a Kerberos token for %s: %s", t->label, t->run->principal,
			 err.msg);
		goto cleanup;
	}
	if (tl == 0 || iwa_base64_encode(tok, tl, &b64) < 0) {
		conclude(t, IWA_UNKNOWN, "no Kerberos token", "%s: GSS-API produced no token",
			 t->label);
		goto cleanup;
	}
	size_t hl = strlen(b64) + sizeof("Negotiate ");
	hdr = malloc(hl);
	if (hdr == NULL) {
		conclude(t, IWA_UNKNOWN, "out of memory", "%s: out of memory", t->label);
		goto cleanup;
	}
	snprintf(hdr, hl, "Negotiate %s", b64);
	t->st = T_STEP2;
	t->token_sent = true;
	if (iwa_http_start(t->x, hdr, &err) < 0)
		conclude(t, IWA_CRITICAL, "timeout",
			 "%s: no time left to send the Kerberos token (%s)", t->label, err.msg);
cleanup:
	free(tok);
	free(b64);
	free(hdr);
}

static void after_step1(struct target *t, const struct iwa_http_resp *r)
{
	const struct run *run = t->run;
	t->status1 = r->status;
	t->status = r->status;
	snprintf(t->schemes, sizeof(t->schemes), "%s", r->schemes);
	if (r->status == 401) {
		if (!r->negotiate_offered && r->schemes[0] == '\0') {
			conclude(t, IWA_CRITICAL, "no authentication scheme offered",
				 "%s: HTTP 401 without any WWW-Authenticate header — browsers "
				 "cannot authenticate at all (IIS: enable Windows Authentication "
				 "with the Negotiate provider)",
				 t->label);
			return;
		}
		if (!r->negotiate_offered) {
			conclude(t, IWA_CRITICAL, "Negotiate not offered (Kerberos off)",
				 "%s: HTTP 401 offering only %s, no Negotiate — Kerberos is off on "
				 "this backend (IIS: add the Negotiate provider to Windows "
				 "Authentication); browsers use %s there",
				 t->label, r->schemes, r->schemes);
			return;
		}
		if (!run->ticket_ok) {
			conclude(t, IWA_UNKNOWN, "",
				 "%s: HTTP 401 offering %s; Kerberos not tested: no ticket for %s "
				 "(see above)",
				 t->label, r->schemes, run->spn_short);
			return;
		}
		send_token(t);
		return;
	}
	if (r->status == 503) {
		fail_503(t, 1);
		return;
	}
	if (r->status >= 300 && r->status <= 399) {
		/* Redirects are not followed (a loop or a hop to another host would be), so a
		 * 3xx before authentication is reported as what it is. */
		char sum[64];
		sfmt(sum, sizeof(sum), "redirect (%ld) instead of 401", r->status);
		conclude(t, IWA_CRITICAL, sum,
			 "%s: answered %ld (redirect to %s) instead of 401 with WWW-Authenticate: "
			 "Negotiate — the plugin does not follow redirects: point -u at the final "
			 "URL",
			 t->label, r->status, r->location[0] ? r->location : "no Location given");
		return;
	}
	if (r->status >= 200 && r->status <= 299) {
		conclude(t, IWA_CRITICAL, "no authentication asked",
			 "%s: HTTP %ld without asking for authentication — anonymous access is on "
			 "for this URL (or it is the wrong URL): nothing proves Kerberos works",
			 t->label, r->status);
		return;
	}
	conclude(t, IWA_CRITICAL, "unexpected HTTP status",
		 "%s: HTTP %ld before authentication, expected 401 with WWW-Authenticate: "
		 "Negotiate",
		 t->label, r->status);
}

/* Feeds a server token (base64) to the context. Returns 0 when the context completed with
 * mutual authentication; -2 when the token is no SPNEGO token at all (not base64, wrong
 * outer shape), -1 when GSS-API refused it; both fill why. */
static int verify_token(struct target *t, const char *b64, char *why, size_t whylen)
{
	struct iwa_err err;
	void *in = NULL, *out = NULL;
	size_t il = 0, ol = 0;
	bool complete = false;
	int rc = -1;

	if (iwa_negotiate_token_decode(b64, strlen(b64), &in, &il, &err) < 0) {
		sfmt(why, whylen, "%s", err.msg);
		rc = -2;
		goto cleanup;
	}
	if (iwa_gss_ctx_step(t->gss, in, il, &out, &ol, &complete, &err) < 0) {
		sfmt(why, whylen, "%s", err.msg);
		goto cleanup;
	}
	if (!complete || !iwa_gss_ctx_mutual(t->gss)) {
		sfmt(why, whylen,
		     "the security context did not complete with mutual "
		     "authentication");
		goto cleanup;
	}
	rc = 0;
cleanup:
	free(in);
	free(out);
	return rc;
}

static void after_step2(struct target *t, const struct iwa_http_resp *r)
{
	const struct nb_cfg *cfg = t->cfg;
	const struct run *run = t->run;
	char why[800];

	t->status = r->status;
	t->final_token = r->negotiate_token != NULL;
	if (r->status == 401) {
		char server_says[900] = "";
		if (r->negotiate_token != NULL &&
		    verify_token(t, r->negotiate_token, why, sizeof(why)) < 0) {
			const char *detail = iwa_gss_ctx_last_error(t->gss);
			sfmt(server_says, sizeof(server_says), " (the server's Kerberos error: %s)",
			     detail[0] ? detail : why);
		}
		if (t->gss != NULL && iwa_gss_ctx_peer_error(t->gss) == IWA_GSS_PEER_SKEW) {
			conclude(
				t, IWA_CRITICAL, "401 after the Kerberos token: clock skew",
				"%s: HTTP 401 after the Kerberos token%s — the backend's clock and "
				"the KDC's differ by more than the allowed skew (5 minutes by "
				"default): synchronize the backend's time (w32tm /resync, NTP)",
				t->label, server_says);
			return;
		}
		conclude(
			t, IWA_CRITICAL, "401 after the Kerberos token: cannot decrypt the ticket",
			"%s: HTTP 401 after the Kerberos token%s — the backend cannot decrypt the "
			"ticket for %s: it uses another key than the SPN's owner; on IIS set "
			"useAppPoolCredentials=true (or useKernelMode=false) and run the pool as "
			"the SPN's owner (check_spn_unique shows it); also check the clocks (5 min "
			"skew)",
			t->label, server_says, run->spn_short);
		return;
	}
	if (r->status == 503) {
		fail_503(t, 2);
		return;
	}
	if (!status_expected(cfg, r->status)) {
		conclude(t, IWA_CRITICAL, "unexpected HTTP status after authentication",
			 "%s: HTTP %ld after Kerberos authentication, expected %s", t->label,
			 r->status, cfg->nexpect ? cfg->expect_text : "2xx or 3xx");
		return;
	}
	double total = iwa_now() - t->t_start;
	if (r->negotiate_token_too_long) {
		conclude(t, IWA_CRITICAL, "Negotiate token too large",
			 "%s: HTTP %ld with a final Negotiate token of %zu characters, larger than "
			 "the " IWA_HTTP_TOKEN_MAX_TEXT " the check accepts — a broken or hostile "
			 "server (a real one is a few hundred bytes)",
			 t->label, r->status, r->negotiate_token_len);
		return;
	}
	if (r->negotiate_token == NULL && r->www_auth_malformed && r->negotiate_offered) {
		conclude(t, IWA_CRITICAL, "invalid Negotiate token from the server",
			 "%s: HTTP %ld, but the final WWW-Authenticate: Negotiate value does not "
			 "parse (%s) — the server sent an invalid Negotiate token",
			 t->label, r->status, r->www_auth_error);
		return;
	}
	if (r->negotiate_token == NULL) {
		enum iwa_state st = cfg->require_mutual ? IWA_CRITICAL : IWA_WARNING;
		conclude(t, st, "no mutual authentication token",
			 "%s: HTTP %ld after Negotiate/Kerberos, but no final WWW-Authenticate: "
			 "Negotiate token — mutual authentication not proven (the server did not "
			 "show that it decrypted the ticket), %.3f s",
			 t->label, r->status, total);
		return;
	}
	int vr = verify_token(t, r->negotiate_token, why, sizeof(why));
	if (vr == -2) {
		conclude(t, IWA_CRITICAL, "invalid Negotiate token from the server",
			 "%s: HTTP %ld, but the final Negotiate token is invalid: %s — this "
			 "backend did not prove it holds the key of %s",
			 t->label, r->status, why, run->spn_short);
		return;
	}
	if (vr < 0) {
		conclude(t, IWA_CRITICAL, "mutual authentication failed",
			 "%s: HTTP %ld, but the final Negotiate token does not verify: %s — this "
			 "backend did not prove it holds the key of %s",
			 t->label, r->status, why, run->spn_short);
		return;
	}
	t->mutual = true;
	conclude(t, IWA_OK, "",
		 "%s: HTTP %ld after Negotiate/Kerberos, mutual authentication verified, %.3f s "
		 "(ttfb %.3f s)%s%s",
		 t->label, r->status, total, r->t_ttfb, t->served_by[0] ? ", served by " : "",
		 t->served_by);
}

/* The done callback of the transport: one step of one target's state machine. */
static void on_done(struct iwa_http_xfer *x, void *arg)
{
	struct target *t = iwa_http_xfer_user(x);
	const struct iwa_http_resp *r = iwa_http_xfer_resp(x);
	(void)arg;

	note_response(t, r);
	if (r->curl_code != 0) {
		transport_failure(t, r, t->st == T_STEP1 ? 1 : 2);
		return;
	}
	if (t->st == T_STEP1)
		after_step1(t, r);
	else if (t->st == T_STEP2)
		after_step2(t, r);
}

/* Adds the ticket's node: what was asked, from where, and at -v enctype/kvno/reuse. */
static void report_ticket(struct iwa_check *root, const struct run *run,
			  const struct iwa_gss_ticket *tk, const struct iwa_krb *krb, int verbose,
			  const struct iwa_err *terr)
{
	struct iwa_check *n;
	if (!run->ticket_ok) {
		n = iwa_check_add(root, IWA_CRITICAL, "%s", run->ticket_problem);
		if (n != NULL)
			iwa_check_set_name(n, "ticket");
		return;
	}
	n = iwa_check_add(root, IWA_OK, "ticket: %s for %s, %s, %s kvno %u", tk->server, tk->client,
			  tk->cached ? "cached service ticket" : "new service ticket from the KDC",
			  tk->enctype, tk->kvno);
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

/* Words for a ticket failure (the KDC's message is in tk->kdc_message). */
static void describe_ticket_failure(struct run *run, const struct iwa_gss_ticket *tk)
{
	if (tk->fail == IWA_GSS_TKT_SPN_UNKNOWN)
		sfmt(run->ticket_problem, sizeof(run->ticket_problem),
		     "no Kerberos ticket for %s: the KDC does not know a unique account for it "
		     "(%s) — the SPN is missing or registered on more than one account, and "
		     "browsers silently fall back to NTLM; run check_spn_unique, then register "
		     "it once on the pool's account (setspn -S %s ACCOUNT)",
		     run->principal, tk->kdc_message, run->spn_short);
	else if (tk->fail == IWA_GSS_TKT_CLOCK_SKEW)
		sfmt(run->ticket_problem, sizeof(run->ticket_problem),
		     "no Kerberos ticket for %s: clock skew between this host and the KDC (%s) "
		     "— synchronize the clocks (NTP)",
		     run->principal, tk->kdc_message);
	else
		sfmt(run->ticket_problem, sizeof(run->ticket_problem),
		     "no Kerberos ticket for %s: the KDC refused it (%s)", run->principal,
		     tk->kdc_message);
}

static void add_perfdata(struct iwa_check *root, struct target *ts, size_t n, double ticket_time,
			 const struct nb_cfg *cfg, size_t nok)
{
	double zero = 0, max = (double)n;
	char label[200];
	iwa_check_perf(root, "backends_ok", (double)nok, "", NULL, &zero, &max);
	for (size_t i = 0; i < n; i++) {
		struct target *t = &ts[i];
		double total = (t->t_end > 0 ? t->t_end : iwa_now()) - t->t_start;
		snprintf(label, sizeof(label), "%s_time", t->label);
		iwa_check_perf(root, label, total, "s", &cfg->th, &zero, NULL);
		snprintf(label, sizeof(label), "%s_ttfb", t->label);
		iwa_check_perf(root, label, t->ttfb, "s", NULL, &zero, NULL);
		snprintf(label, sizeof(label), "%s_status", t->label);
		iwa_check_perf(root, label, (double)t->status, "", NULL, NULL, NULL);
	}
	iwa_check_perf(root, "ticket_time", ticket_time, "s", NULL, &zero, NULL);
}

/* Longest list of failing targets in the summary; the rest are counted ("and N more"). */
#define SUMMARY_LIST_MAX 1024

/* Builds the summary (first line): all good, or each failing target's short cause (as many
 * as fit in SUMMARY_LIST_MAX, then how many more fail: none is dropped without a word). */
static void summarize(struct iwa_check *root, const struct run *run, struct target *ts, size_t n,
		      size_t nok)
{
	struct iwa_buf b;
	iwa_buf_init(&b, 0);
	if (!run->ticket_ok) {
		iwa_buf_addf(&b, "%s", run->ticket_problem);
	} else if (nok == n) {
		iwa_buf_addf(&b,
			     "%zu/%zu backends accept Kerberos for %s, mutual authentication "
			     "verified",
			     nok, n, run->spn_short);
	} else {
		size_t listed = 0, more = 0;
		for (size_t i = 0; i < n; i++) {
			if (ts[i].state == IWA_OK || ts[i].summary[0] == '\0')
				continue;
			if (listed > 0 && b.len + strlen(ts[i].label) + strlen(ts[i].summary) + 4 >
						  SUMMARY_LIST_MAX) {
				more++;
				continue;
			}
			if (iwa_buf_addf(&b, "%s%s: %s", listed ? "; " : "", ts[i].label,
					 ts[i].summary) == 0)
				listed++;
		}
		if (more > 0)
			iwa_buf_addf(&b, "; and %zu more", more);
		iwa_buf_addf(&b, " (%zu/%zu backends OK)", nok, n);
	}
	char *s = iwa_buf_take(&b);
	if (s != NULL)
		iwa_check_set_text(root, "%s", s);
	free(s);
	iwa_buf_free(&b);
}

int nb_run(struct iwa_ctx *ctx, void *vcfg, struct iwa_check *root, struct iwa_err *err)
{
	const struct nb_cfg *cfg = vcfg;
	struct iwa_krb *krb = NULL;
	struct iwa_http *http = NULL;
	struct target *ts = NULL;
	struct run run;
	struct iwa_gss_ticket tk;
	struct iwa_err terr;
	char client_realm[256] = "";
	int rc = 0;
	size_t n = 0, nok = 0;

	memset(&run, 0, sizeof(run));
	memset(&tk, 0, sizeof(tk));
	run.cfg = cfg;
	run.ctx = ctx;
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
	rc = iwa_gss_service_principal(spn, realm, run.principal, sizeof(run.principal), err);
	if (rc < 0)
		goto cleanup;
	snprintf(run.spn_short, sizeof(run.spn_short), "%s", spn);
	char *at = strrchr(run.spn_short, '@');
	if (at != NULL && cfg->spn != NULL)
		*at = '\0';

	/* One service ticket for the whole run. */
	memset(&terr, 0, sizeof(terr));
	rc = iwa_gss_service_ticket(iwa_krb_ccache_name(krb), run.principal, cfg->krb.fresh,
				    ctx->deadline, &tk, &terr);
	if (rc < 0) {
		if (tk.fail == IWA_GSS_TKT_SPN_UNKNOWN || tk.fail == IWA_GSS_TKT_KDC_REFUSED ||
		    tk.fail == IWA_GSS_TKT_CLOCK_SKEW) {
			describe_ticket_failure(&run, &tk);
			rc = 0;
		} else {
			*err = terr;
			if (tk.fail == IWA_GSS_TKT_OWN_CREDS)
				iwa_err_prefix(err, "our Kerberos credentials are unusable");
			goto cleanup;
		}
	} else {
		run.ticket_ok = true;
	}
	double ticket_time = iwa_now() - t0;
	if (run.ticket_ok) {
		rc = iwa_gss_cred_acquire(iwa_krb_ccache_name(krb), IWA_GSS_MECH_SPNEGO, &run.cred,
					  err);
		if (rc < 0)
			goto cleanup;
	}

	/* The targets: the VIP (the URL's own resolution), then each backend. */
	n = (cfg->no_vip ? 0 : 1) + cfg->nbackends;
	ts = calloc(n, sizeof(*ts));
	if (ts == NULL) {
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
		t->cfg = cfg;
		t->run = &run;
		t->state = IWA_UNKNOWN;
		const char *ct = NULL;
		if (!cfg->no_vip && i == 0) {
			t->vip = true;
			snprintf(t->label, sizeof(t->label), "%s", VIP_LABEL);
			snprintf(t->where, sizeof(t->where), "%s:%u (VIP)", cfg->url_host,
				 cfg->url_port);
		} else {
			const struct backend *b = &cfg->backends[i - (cfg->no_vip ? 0 : 1)];
			unsigned port = b->port ? b->port : cfg->url_port;
			snprintf(t->label, sizeof(t->label), "%s", b->label);
			bool v6 = strchr(b->addr, ':') != NULL;
			snprintf(t->where, sizeof(t->where), "%s%s%s:%u", v6 ? "[" : "", b->addr,
				 v6 ? "]" : "", port);
			rc = iwa_http_connect_to(cfg->url_host, cfg->url_port, b->addr, port,
						 t->connect_to, sizeof(t->connect_to), err);
			if (rc < 0)
				goto cleanup;
			ct = t->connect_to;
		}
		rc = iwa_http_xfer_new(http, cfg->url, ct, t, &t->x, err);
		if (rc < 0)
			goto cleanup;
	}
	for (size_t i = 0; i < n; i++) {
		struct iwa_err e2;
		ts[i].t_start = iwa_now();
		ts[i].st = T_STEP1;
		if (iwa_http_start(ts[i].x, NULL, &e2) < 0)
			conclude(&ts[i], IWA_CRITICAL, "timeout", "%s: %s", ts[i].label, e2.msg);
	}
	rc = iwa_http_run(http, on_done, NULL, err);
	if (rc < 0)
		goto cleanup;

	/* Results. */
	report_ticket(root, &run, &tk, krb, ctx->verbose, &terr);
	for (size_t i = 0; i < n; i++) {
		struct target *t = &ts[i];
		if (t->st != T_DONE)
			conclude(t, IWA_UNKNOWN, "internal error", "%s: no result (internal error)",
				 t->label);
		enum iwa_state st = t->state;
		if (st == IWA_OK || st == IWA_WARNING) {
			enum iwa_state ts_state =
				iwa_thresholds_state(&cfg->th, t->t_end - t->t_start);
			if (ts_state != IWA_OK && iwa_state_worst(st, ts_state) != st) {
				st = iwa_state_worst(st, ts_state);
				snprintf(t->summary, sizeof(t->summary), "slow: %.3f s",
					 t->t_end - t->t_start);
				size_t l = strlen(t->text);
				sfmt(t->text + l, sizeof(t->text) - l,
				     " — slow: total time outside the %s range",
				     st == IWA_CRITICAL ? "-c" : "-w");
			}
		}
		t->state = st;
		if (st == IWA_OK)
			nok++;
		struct iwa_check *c = iwa_check_add(root, st, "%s", t->text);
		if (c == NULL) {
			rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
			goto cleanup;
		}
		iwa_check_set_name(c, t->label);
		if (ctx->verbose >= 1) {
			iwa_check_add_line(c, "target %s%s%s, connected to %s:%ld", t->where,
					   t->vip ? "" : " via CURLOPT_CONNECT_TO ",
					   t->vip ? "" : t->connect_to, t->ip[0] ? t->ip : "-",
					   t->port);
			iwa_check_add_line(c, "step 1: HTTP %ld, offered: %s", t->status1,
					   t->schemes[0] ? t->schemes : "-");
			if (t->token_sent)
				iwa_check_add_line(c,
						   "step 2: HTTP %ld, final Negotiate token: %s, "
						   "mutual authentication: %s",
						   t->status, t->final_token ? "yes" : "no",
						   t->mutual ? "verified" : "not verified");
			iwa_check_add_line(
				c, "timings: connect %.3f s, TLS %.3f s, ttfb %.3f s, total %.3f s",
				t->t_connect, t->t_tls, t->ttfb, t->t_end - t->t_start);
		}
	}
	add_perfdata(root, ts, n, ticket_time, cfg, nok);
	summarize(root, &run, ts, n, nok);
	rc = 0;
cleanup:
	if (ts != NULL) {
		for (size_t i = 0; i < n; i++)
			iwa_gss_ctx_free(ts[i].gss);
	}
	iwa_http_free(http);
	free(ts);
	iwa_gss_cred_free(run.cred);
	return rc;
}
