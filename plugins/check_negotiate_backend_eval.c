/* check_negotiate_backend_eval.c — the pure half of check_negotiate_backend: what the load
 * recorded (struct nb_obs per target, struct nb_ticket for the run) -> a verdict per target
 * (state, cause code, summary, detail line), and the result tree (one node per target, the
 * perfdata, the first line). No I/O, no clock: unit-tested offline
 * (tests/unit/test_negotiate_eval.c). A new cause: its enum nb_cause value and name, its branch
 * below, its case in the unit test. */
#include "check_negotiate_backend.h"
#include "kdc.h"
#include "gss.h"
#include "output.h"
#include "util.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cause_names[NB_CAUSE_COUNT] = {
	[NB_OK] = "ok",
	[NB_SLOW] = "slow",
	[NB_TICKET_SPN_UNKNOWN] = "ticket_spn_unknown",
	[NB_TICKET_CLOCK_SKEW] = "ticket_clock_skew",
	[NB_TICKET_REFUSED] = "ticket_refused",
	[NB_NO_TIME] = "no_time",
	[NB_TOKEN_FAILED] = "token_failed",
	[NB_INTERNAL] = "internal",
	[NB_HEADERS_TOO_LARGE] = "headers_too_large",
	[NB_BODY_TOO_LARGE] = "body_too_large",
	[NB_TIMEOUT_CONNECT] = "timeout_connect",
	[NB_TIMEOUT_TLS] = "timeout_tls",
	[NB_TIMEOUT_ANSWER] = "timeout_answer",
	[NB_TIMEOUT_TOKEN] = "timeout_token",
	[NB_TIMEOUT_BODY] = "timeout_body",
	[NB_TLS_CA_FILE] = "tls_ca_file",
	[NB_TLS] = "tls",
	[NB_UNREACHABLE] = "unreachable",
	[NB_NO_RESOLVE] = "no_resolve",
	[NB_CLOSED] = "closed",
	[NB_HTTP_FAILED] = "http_failed",
	[NB_NO_AUTH_SCHEME] = "no_auth_scheme",
	[NB_NO_NEGOTIATE] = "no_negotiate",
	[NB_NO_TICKET] = "no_ticket",
	[NB_HTTP_503] = "http_503",
	[NB_REDIRECT] = "redirect",
	[NB_ANONYMOUS] = "anonymous",
	[NB_UNEXPECTED_STATUS] = "unexpected_status",
	[NB_CLOCK_SKEW] = "clock_skew",
	[NB_WRONG_KEY] = "wrong_key",
	[NB_NO_KEY_ENCTYPE] = "no_key_enctype",
	[NB_NO_KEY_KVNO] = "no_key_kvno",
	[NB_UNEXPECTED_STATUS_AUTH] = "unexpected_status_auth",
	[NB_TOKEN_TOO_LARGE] = "token_too_large",
	[NB_INVALID_TOKEN] = "invalid_token",
	[NB_NO_MUTUAL] = "no_mutual",
	[NB_MUTUAL_FAILED] = "mutual_failed",
	[NB_EPA_TLS_TERMINATED] = "epa_tls_terminated",
	[NB_EPA_REENCRYPTED] = "epa_reencrypted",
	[NB_EPA_MISMATCH] = "epa_mismatch",
	[NB_EPA_BELOW] = "epa_below",
	[NB_EPA_DIFFERS] = "epa_differs",
};

static bool status_expected(const struct nb_cfg *cfg, long st)
{
	if (cfg->nexpect == 0)
		return st >= 200 && st <= 399;
	for (size_t i = 0; i < cfg->nexpect; i++)
		if (st >= cfg->expect[i].lo && st <= cfg->expect[i].hi)
			return true;
	return false;
}

const char *nb_epa_level_name(enum nb_epa_level l)
{
	switch (l) {
	case NB_EPA_NONE:
		return "None";
	case NB_EPA_ALLOW:
		return "Allow";
	case NB_EPA_REQUIRE:
		return "Require";
	case NB_EPA_UNKNOWN:
		break;
	}
	return "unknown";
}

const char *nb_cause_name(enum nb_cause c)
{
	if ((unsigned)c >= NB_CAUSE_COUNT || cause_names[c] == NULL)
		return "?";
	return cause_names[c];
}

/* snprintf that truncates silently (the texts here are bounded by design). */
__attribute__((format(printf, 3, 4))) static void sfmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* Sets a verdict: cause, state, the step it was seen in, a short summary and the detail. */
__attribute__((format(printf, 6, 7))) static void conclude(struct nb_verdict *v,
							   enum nb_cause cause, enum iwa_state st,
							   int step, const char *summary,
							   const char *fmt, ...)
{
	va_list ap;
	v->cause = cause;
	v->state = st;
	v->step = step;
	snprintf(v->summary, sizeof(v->summary), "%s", summary ? summary : "");
	va_start(ap, fmt);
	vsnprintf(v->text, sizeof(v->text), fmt, ap);
	va_end(ap);
}

/* Appends to the detail line. */
__attribute__((format(printf, 2, 3))) static void append(struct nb_verdict *v, const char *fmt, ...)
{
	va_list ap;
	size_t l = strlen(v->text);
	va_start(ap, fmt);
	vsnprintf(v->text + l, sizeof(v->text) - l, fmt, ap);
	va_end(ap);
}

void nb_eval_ticket(const struct iwa_gss_ticket *tk, struct nb_ticket *t)
{
	t->ok = false;
	if (tk->fail == IWA_GSS_TKT_SPN_UNKNOWN) {
		t->cause = NB_TICKET_SPN_UNKNOWN;
		sfmt(t->problem, sizeof(t->problem),
		     "no Kerberos ticket for %s: the KDC does not know a unique account for it "
		     "(%s) — the SPN is missing or registered on more than one account, and "
		     "browsers silently fall back to NTLM; run check_spn_unique, then register "
		     "it once on the pool's account (setspn -S %s ACCOUNT)",
		     t->principal, tk->kdc_message, t->spn_short);
	} else if (tk->fail == IWA_GSS_TKT_CLOCK_SKEW) {
		t->cause = NB_TICKET_CLOCK_SKEW;
		sfmt(t->problem, sizeof(t->problem),
		     "no Kerberos ticket for %s: clock skew between this host and the KDC (%s) "
		     "— synchronize the clocks (NTP)",
		     t->principal, tk->kdc_message);
	} else {
		t->cause = NB_TICKET_REFUSED;
		sfmt(t->problem, sizeof(t->problem),
		     "no Kerberos ticket for %s: the KDC refused it (%s)", t->principal,
		     tk->kdc_message);
	}
}

bool nb_wants_token(const struct nb_ticket *tkt, const struct nb_step_obs *s1)
{
	return s1->curl_code == 0 && s1->status == 401 && s1->negotiate_offered && tkt->ok;
}

/* The step a transfer was in, in words: for timeouts and transfers cut by a cap. */
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
static void cap_failure(struct nb_verdict *v, const struct nb_obs *o, const struct nb_step_obs *r,
			int step)
{
	const char *which = step == 1 ? "the first answer" : "the answer to the Kerberos token";
	switch (r->cap) {
	case IWA_HTTP_CAP_HEADERS:
		conclude(v, NB_HEADERS_TOO_LARGE, IWA_CRITICAL, step, "response headers too large",
			 "%s: %s sent more than " IWA_HTTP_HEADERS_MAX_TEXT
			 " of headers in %s — a broken or hostile web server (a real one sends "
			 "a few KiB); the check stops reading at " IWA_HTTP_HEADERS_MAX_TEXT,
			 o->label, o->where, which);
		break;
	case IWA_HTTP_CAP_HEADER_LINE:
		conclude(v, NB_HEADERS_TOO_LARGE, IWA_CRITICAL, step, "response headers too large",
			 "%s: %s sent a header line longer than " IWA_HTTP_HEADER_LINE_MAX_TEXT
			 " in %s (libcurl's limit; it reported: %s) — a broken or hostile web "
			 "server",
			 o->label, o->where, which, r->error);
		break;
	case IWA_HTTP_CAP_BODY:
		conclude(
			v, NB_BODY_TOO_LARGE, IWA_CRITICAL, step,
			"response body too large (endless?)",
			"%s: the body of %s (HTTP %ld) from %s goes on past " IWA_HTTP_BODY_MAX_TEXT
			" — an endless or oversized body; the check needs none of it and stops "
			"there: point -u at a small page behind Windows authentication",
			o->label, which, r->status, o->where);
		break;
	case IWA_HTTP_CAP_NONE:
		break;
	}
}

/* A transfer timed out: name the step that hung. */
static void timeout_failure(struct nb_verdict *v, const struct nb_obs *o,
			    const struct nb_step_obs *r, int step)
{
	double secs = o->seconds;
	const char *when = step == 1 ? "" : " (for the request with the Kerberos token)";
	switch (r->phase) {
	case IWA_HTTP_PHASE_CONNECT:
		conclude(v, NB_TIMEOUT_CONNECT, IWA_CRITICAL, step, "TCP connect timed out",
			 "%s: no TCP connection to %s within %.1f s%s (%s) — host down or "
			 "filtered",
			 o->label, o->where, secs, when, r->error);
		break;
	case IWA_HTTP_PHASE_TLS:
		conclude(v, NB_TIMEOUT_TLS, IWA_CRITICAL, step,
			 "no answer to the TLS handshake (timeout)",
			 "%s: %s accepted the TCP connection but did not answer the TLS "
			 "handshake within %.1f s%s — the web server hangs (%s)",
			 o->label, o->where, secs, when, r->error);
		break;
	case IWA_HTTP_PHASE_WAIT: {
		char partial[120] = "";
		if (r->header_bytes > 0)
			sfmt(partial, sizeof(partial),
			     " (the headers did not end: %zu bytes received)", r->header_bytes);
		if (step == 1)
			conclude(v, NB_TIMEOUT_ANSWER, IWA_CRITICAL, step,
				 "no answer to the first request (timeout)",
				 "%s: connected to %s but no answer to the first request within "
				 "%.1f s%s — the web server or application hangs (%s)",
				 o->label, o->where, secs, partial, r->error);
		else
			conclude(v, NB_TIMEOUT_TOKEN, IWA_CRITICAL, step,
				 "no answer to the Kerberos token (timeout)",
				 "%s: %s got the Kerberos token but did not answer it within %.1f "
				 "s%s — the web server or the application hangs after "
				 "authentication (%s)",
				 o->label, o->where, secs, partial, r->error);
		break;
	}
	case IWA_HTTP_PHASE_BODY:
		conclude(v, NB_TIMEOUT_BODY, IWA_CRITICAL, step, "timeout reading the body",
			 "%s: timed out after %.1f s %s (HTTP %ld from %s, %zu body bytes "
			 "received, the body did not end) — the web server or application hangs "
			 "or sends an endless body",
			 o->label, secs, step_words(r->phase, step), r->status, o->where,
			 r->body_bytes);
		break;
	}
}

/* A transfer failed at the transport level: name the reason in words an admin can act on. */
static void transport_failure(struct nb_verdict *v, const struct nb_cfg *cfg,
			      const struct nb_obs *o, const struct nb_step_obs *r, int step)
{
	const char *when = step == 1 ? "" : " (after sending the Kerberos token)";
	enum iwa_tls_problem tp = iwa_tls_classify(r->curl_code, r->ssl_verify_result, r->error);
	if (r->cap != IWA_HTTP_CAP_NONE) {
		cap_failure(v, o, r, step);
	} else if (r->curl_code == CURLE_OPERATION_TIMEDOUT) {
		timeout_failure(v, o, r, step);
	} else if (tp == IWA_TLS_CA_FILE) {
		/* our own CA file: not the server's fault */
		conclude(v, NB_TLS_CA_FILE, IWA_UNKNOWN, step, iwa_tls_problem_summary(tp),
			 "%s: %s %s: %s — %s", o->label, iwa_tls_problem_summary(tp),
			 cfg->tls.ca_file ? cfg->tls.ca_file : "(system trust store)", r->error,
			 iwa_tls_problem_fix(tp));
		v->tls = tp;
	} else if (tp != IWA_TLS_NONE) {
		/* one cause for the summary and the detail */
		conclude(v, NB_TLS, IWA_CRITICAL, step, iwa_tls_problem_summary(tp),
			 "%s: %s for %s: %s — %s", o->label, iwa_tls_problem_summary(tp), o->where,
			 r->error, iwa_tls_problem_fix(tp));
		v->tls = tp;
	} else {
		switch (r->curl_code) {
		case CURLE_COULDNT_CONNECT:
			conclude(v, NB_UNREACHABLE, IWA_CRITICAL, step, "connection refused",
				 "%s: cannot connect to %s%s: %s — the web server is down or the "
				 "port is closed",
				 o->label, o->where, when, r->error);
			break;
		case CURLE_COULDNT_RESOLVE_HOST:
			conclude(v, NB_NO_RESOLVE, IWA_CRITICAL, step, "name does not resolve",
				 "%s: cannot resolve the name: %s", o->label, r->error);
			break;
		case CURLE_GOT_NOTHING:
			conclude(v, NB_CLOSED, IWA_CRITICAL, step,
				 "connection closed without an answer",
				 "%s: %s closed the connection without an HTTP answer%s", o->label,
				 o->where, when);
			break;
		default:
			conclude(v, NB_HTTP_FAILED, IWA_CRITICAL, step, "HTTP transfer failed",
				 "%s: request to %s failed %s: %s", o->label, o->where,
				 step_words(r->phase, step), r->error);
			break;
		}
	}
	bool lb_hint = r->curl_code == CURLE_OPERATION_TIMEDOUT ||
		       r->curl_code == CURLE_GOT_NOTHING ||
		       r->curl_code == CURLE_SSL_CONNECT_ERROR ||
		       r->curl_code == CURLE_RECV_ERROR || r->curl_code == CURLE_SEND_ERROR;
	if (o->vip && lb_hint && r->cap == IWA_HTTP_CAP_NONE)
		append(v, " (through the balancer: the backend it chose may be failing, see the "
			  "backends' results)");
}

static void fail_503(struct nb_verdict *v, const struct nb_obs *o, int step)
{
	conclude(v, NB_HTTP_503, IWA_CRITICAL, step, "HTTP 503 (application pool stopped?)",
		 "%s: HTTP 503 %s — the application pool is stopped; if it runs as a domain "
		 "account, check that the account holds 'Log on as a batch job' on this server "
		 "(check_batch_logon_gpo; WAS events 5021/5002)",
		 o->label, step == 1 ? "before authentication" : "after Kerberos authentication");
}

/* The first answer, when it does not lead to step 2. */
static void eval_step1(struct nb_verdict *v, const struct nb_ticket *tkt, const struct nb_obs *o)
{
	const struct nb_step_obs *r = &o->step[0];
	if (r->status == 401) {
		if (!r->negotiate_offered && r->schemes[0] == '\0')
			conclude(v, NB_NO_AUTH_SCHEME, IWA_CRITICAL, 1,
				 "no authentication scheme offered",
				 "%s: HTTP 401 without any WWW-Authenticate header — browsers "
				 "cannot authenticate at all (IIS: enable Windows Authentication "
				 "with the Negotiate provider)",
				 o->label);
		else if (!r->negotiate_offered)
			conclude(v, NB_NO_NEGOTIATE, IWA_CRITICAL, 1,
				 "Negotiate not offered (Kerberos off)",
				 "%s: HTTP 401 offering only %s, no Negotiate — Kerberos is off on "
				 "this backend (IIS: add the Negotiate provider to Windows "
				 "Authentication); browsers use %s there",
				 o->label, r->schemes, r->schemes);
		else
			conclude(v, NB_NO_TICKET, IWA_UNKNOWN, 1, "",
				 "%s: HTTP 401 offering %s; Kerberos not tested: no ticket for %s "
				 "(see above)",
				 o->label, r->schemes, tkt->spn_short);
	} else if (r->status == 503) {
		fail_503(v, o, 1);
	} else if (r->status >= 300 && r->status <= 399) {
		/* Redirects are not followed (a loop or a hop to another host would be), so a
		 * 3xx before authentication is reported as what it is. */
		char sum[64];
		sfmt(sum, sizeof(sum), "redirect (%ld) instead of 401", r->status);
		conclude(v, NB_REDIRECT, IWA_CRITICAL, 1, sum,
			 "%s: answered %ld (redirect to %s) instead of 401 with WWW-Authenticate: "
			 "Negotiate — the plugin does not follow redirects: point -u at the final "
			 "URL",
			 o->label, r->status, r->location[0] ? r->location : "no Location given");
	} else if (r->status >= 200 && r->status <= 299) {
		conclude(v, NB_ANONYMOUS, IWA_CRITICAL, 1, "no authentication asked",
			 "%s: HTTP %ld without asking for authentication — anonymous access is on "
			 "for this URL (or it is the wrong URL): nothing proves Kerberos works",
			 o->label, r->status);
	} else {
		conclude(v, NB_UNEXPECTED_STATUS, IWA_CRITICAL, 1, "unexpected HTTP status",
			 "%s: HTTP %ld before authentication, expected 401 with WWW-Authenticate: "
			 "Negotiate",
			 o->label, r->status);
	}
}

/* Our side failed between the two steps (making the token, starting the request). */
static void eval_local(struct nb_verdict *v, const struct nb_ticket *tkt, const struct nb_obs *o)
{
	switch (o->local) {
	case NB_LOCAL_GSS:
		conclude(v, NB_TOKEN_FAILED, IWA_UNKNOWN, 2, "cannot make a Kerberos token",
			 "%s: cannot make a Kerberos token for %s: %s", o->label, tkt->principal,
			 o->local_error);
		break;
	case NB_LOCAL_NO_TOKEN:
		conclude(v, NB_TOKEN_FAILED, IWA_UNKNOWN, 2, "no Kerberos token",
			 "%s: GSS-API produced no token", o->label);
		break;
	case NB_LOCAL_NOMEM:
		conclude(v, NB_TOKEN_FAILED, IWA_UNKNOWN, 2, "out of memory", "%s: out of memory",
			 o->label);
		break;
	case NB_LOCAL_NO_TIME:
		if (o->local_step == 1)
			conclude(v, NB_NO_TIME, IWA_CRITICAL, 0, "timeout", "%s: %s", o->label,
				 o->local_error);
		else
			conclude(v, NB_NO_TIME, IWA_CRITICAL, 2, "timeout",
				 "%s: no time left to send the Kerberos token (%s)", o->label,
				 o->local_error);
		break;
	case NB_LOCAL_NONE:
		break;
	}
}

static bool probe_ok(const struct nb_cfg *cfg, const struct nb_probe_obs *p)
{
	return p->answered && p->curl_code == 0 && status_expected(cfg, p->status);
}
static bool probe_refused(const struct nb_probe_obs *p)
{
	return p->answered && p->curl_code == 0 && p->status == 401;
}
static bool step2_ok(const struct nb_cfg *cfg, const struct nb_obs *o)
{
	const struct nb_step_obs *r = &o->step[1];
	return o->steps >= 2 && r->answered && r->curl_code == 0 && status_expected(cfg, r->status);
}

int nb_next_probe(const struct nb_cfg *cfg, const struct nb_obs *o)
{
	const struct nb_step_obs *r = &o->step[1];
	if (o->steps < 2 || !r->answered || r->curl_code != 0 || o->local != NB_LOCAL_NONE)
		return 0;
	if (!o->unbound.tried) {
		if (o->cb_sent && r->status == 401)
			return 3; /* was it the binding? the same without */
		if (cfg->epa_probe && o->cb_sent && step2_ok(cfg, o))
			return 3;
		return 0;
	}
	if (!o->wrong.tried && cfg->epa_probe && step2_ok(cfg, o) && probe_ok(cfg, &o->unbound))
		return 4;
	return 0;
}

enum nb_epa_level nb_epa_level(const struct nb_cfg *cfg, const struct nb_obs *o)
{
	if (!cfg->epa_probe || !o->cb_sent || !o->unbound.tried)
		return NB_EPA_UNKNOWN;
	if (step2_ok(cfg, o)) {
		if (probe_refused(&o->unbound))
			return NB_EPA_REQUIRE;
		if (!probe_ok(cfg, &o->unbound) || !o->wrong.tried)
			return NB_EPA_UNKNOWN;
		if (probe_refused(&o->wrong))
			return NB_EPA_ALLOW;
		if (probe_ok(cfg, &o->wrong))
			return NB_EPA_NONE;
		return NB_EPA_UNKNOWN;
	}
	/* our binding refused, none accepted: it checks bindings (Allow) and sees another
	 * certificate than we do */
	if (o->step[1].status == 401 && probe_ok(cfg, &o->unbound))
		return NB_EPA_ALLOW;
	return NB_EPA_UNKNOWN;
}

/* "the certificate of CN=... (SHA-256 ab12...)" for the texts. */
static void cert_words(const struct nb_obs *o, char *buf, size_t len)
{
	if (o->cert)
		sfmt(buf, len,
		     "%s hash %s of the certificate this connection presented, subject %s",
		     o->cert_hash_name, o->cert_hash_hex, o->cert_subject);
	else
		sfmt(buf, len, "no certificate (%s)", o->cert_error);
}

/* The answer to the Kerberos token. */
static void eval_step2(struct nb_verdict *v, const struct nb_cfg *cfg, const struct nb_ticket *tkt,
		       const struct nb_obs *o)
{
	const struct nb_step_obs *r = &o->step[1];
	double total = o->seconds;
	if (r->status == 401 && o->cb_sent && probe_ok(cfg, &o->unbound)) {
		char cw[700];
		cert_words(o, cw, sizeof(cw));
		conclude(v, NB_EPA_REENCRYPTED, IWA_CRITICAL, 2,
			 "channel binding refused, none accepted: TLS re-encrypted in front",
			 "%s: HTTP 401 to the Kerberos token carrying the channel binding (%s), "
			 "HTTP %ld to the same without bindings — the backend checks Extended "
			 "Protection (Allow) and sees another certificate than we do: TLS is "
			 "terminated and re-encrypted in front of it; with Extended Protection the "
			 "balancer must pass TCP through, or IIS needs the Proxy flag and the SPN "
			 "list",
			 o->label, cw, o->unbound.status);
	} else if (r->status == 401) {
		char server_says[900] = "";
		if (o->verify == NB_VERIFY_NOT_SPNEGO || o->verify == NB_VERIFY_REFUSED)
			sfmt(server_says, sizeof(server_says), " (the server's Kerberos error: %s)",
			     o->gss_error[0] ? o->gss_error : o->verify_why);
		char tkt_is[200];
		sfmt(tkt_is, sizeof(tkt_is), "%s (the ticket's enctype, kvno %u)",
		     tkt->enctype_name[0] ? tkt->enctype_name : "the ticket's enctype", tkt->kvno);
		if (!o->peer_skew && o->peer_krb_error == IWA_KRB_AP_ERR_NOKEY)
			conclude(v, NB_NO_KEY_ENCTYPE, IWA_CRITICAL, 2,
				 "401 after the Kerberos token: no key for the ticket's enctype",
				 "%s has no key for %s: its keytab or password predates the "
				 "account's AES keys; re-export the keytab / reset the pool "
				 "account's password (the server says: KRB_AP_ERR_NOKEY)",
				 o->label, tkt_is);
		else if (!o->peer_skew && o->peer_krb_error == IWA_KRB_AP_ERR_BADKEYVER)
			conclude(
				v, NB_NO_KEY_KVNO, IWA_CRITICAL, 2,
				"401 after the Kerberos token: no key for the ticket's "
				"enctype/kvno",
				"%s has no key for %s: its keytab or password predates the "
				"account's AES keys, or its keytab predates the last password "
				"change (kvno %u); re-export the keytab / reset the pool account's "
				"password (the server says: KRB_AP_ERR_BADKEYVER, key version is "
				"not available)",
				o->label, tkt_is, tkt->kvno);
		else if (o->peer_skew)
			conclude(
				v, NB_CLOCK_SKEW, IWA_CRITICAL, 2,
				"401 after the Kerberos token: clock skew",
				"%s: HTTP 401 after the Kerberos token%s — the backend's clock and "
				"the KDC's differ by more than the allowed skew (5 minutes by "
				"default): synchronize the backend's time (w32tm /resync, NTP)",
				o->label, server_says);
		else
			conclude(v, NB_WRONG_KEY, IWA_CRITICAL, 2,
				 "401 after the Kerberos token: cannot decrypt the ticket",
				 "%s: HTTP 401 after the Kerberos token%s — the backend cannot "
				 "decrypt the ticket for %s: it uses another key than the SPN's "
				 "owner; on IIS set useAppPoolCredentials=true (or "
				 "useKernelMode=false) and run the pool as the SPN's owner "
				 "(check_spn_unique shows it); also check the clocks (5 min skew)",
				 o->label, server_says, tkt->spn_short);
		if (v->cause == NB_WRONG_KEY && o->cb_sent && probe_refused(&o->unbound)) {
			char cw[700];
			cert_words(o, cw, sizeof(cw));
			append(v,
			       "; the same token without channel bindings got 401 too (the "
			       "binding: %s): with Extended Protection Require, a binding that "
			       "does not match (TLS terminated in front) answers the same",
			       cw);
		}
		if (v->cause == NB_WRONG_KEY && cfg->no_channel_binding)
			append(v, " (or Extended Protection Require: --no-channel-binding sent the "
				  "token without bindings)");
	} else if (r->status == 503) {
		fail_503(v, o, 2);
	} else if (!status_expected(cfg, r->status)) {
		conclude(v, NB_UNEXPECTED_STATUS_AUTH, IWA_CRITICAL, 2,
			 "unexpected HTTP status after authentication",
			 "%s: HTTP %ld after Kerberos authentication, expected %s", o->label,
			 r->status, cfg->nexpect ? cfg->expect_text : "2xx or 3xx");
	} else if (r->token_too_long) {
		conclude(v, NB_TOKEN_TOO_LARGE, IWA_CRITICAL, 2, "Negotiate token too large",
			 "%s: HTTP %ld with a final Negotiate token of %zu characters, larger than "
			 "the " IWA_HTTP_TOKEN_MAX_TEXT " the check accepts — a broken or hostile "
			 "server (a real one is a few hundred bytes)",
			 o->label, r->status, r->token_len);
	} else if (!r->token && r->www_auth_malformed && r->negotiate_offered) {
		conclude(v, NB_INVALID_TOKEN, IWA_CRITICAL, 2,
			 "invalid Negotiate token from the server",
			 "%s: HTTP %ld, but the final WWW-Authenticate: Negotiate value does not "
			 "parse (%s) — the server sent an invalid Negotiate token",
			 o->label, r->status, r->www_auth_error);
	} else if (!r->token) {
		conclude(v, NB_NO_MUTUAL, cfg->require_mutual ? IWA_CRITICAL : IWA_WARNING, 2,
			 "no mutual authentication token",
			 "%s: HTTP %ld after Negotiate/Kerberos, but no final WWW-Authenticate: "
			 "Negotiate token — mutual authentication not proven (the server did not "
			 "show that it decrypted the ticket), %.3f s",
			 o->label, r->status, total);
	} else if (o->verify == NB_VERIFY_NOT_SPNEGO) {
		conclude(v, NB_INVALID_TOKEN, IWA_CRITICAL, 2,
			 "invalid Negotiate token from the server",
			 "%s: HTTP %ld, but the final Negotiate token is invalid: %s — this "
			 "backend did not prove it holds the key of %s",
			 o->label, r->status, o->verify_why, tkt->spn_short);
	} else if (o->verify != NB_VERIFY_OK) {
		conclude(v, NB_MUTUAL_FAILED, IWA_CRITICAL, 2, "mutual authentication failed",
			 "%s: HTTP %ld, but the final Negotiate token does not verify: %s — this "
			 "backend did not prove it holds the key of %s",
			 o->label, r->status, o->verify_why, tkt->spn_short);
	} else {
		v->mutual = true;
		conclude(v, NB_OK, IWA_OK, 2, "",
			 "%s: HTTP %ld after Negotiate/Kerberos, mutual authentication verified, "
			 "%.3f s (ttfb %.3f s)%s%s",
			 o->label, r->status, total, r->ttfb, o->served_by[0] ? ", served by " : "",
			 o->served_by);
	}
	if (o->reconnect_hash_hex[0] != '\0' && v->state != IWA_OK)
		append(v,
		       "; note: the token went over a new connection whose certificate differs "
		       "(%s %s) from the one it was bound to (the server closed the first)",
		       o->cert_hash_name, o->reconnect_hash_hex);
	v->epa = nb_epa_level(cfg, o);
	if (cfg->epa_probe) {
		if (v->epa != NB_EPA_UNKNOWN)
			append(v, "; Extended Protection %s", nb_epa_level_name(v->epa));
		else if (v->state == IWA_OK)
			append(v, "; Extended Protection level not told (%s)",
			       o->cb_sent ? "the probes did not answer" : "no binding sent");
	}
	if (v->state == IWA_OK && cfg->epa_want != NB_EPA_UNKNOWN && v->epa != NB_EPA_UNKNOWN &&
	    v->epa < cfg->epa_want) {
		char sum[160];
		sfmt(sum, sizeof(sum), "Extended Protection %s, expected %s",
		     nb_epa_level_name(v->epa), nb_epa_level_name(cfg->epa_want));
		v->cause = NB_EPA_BELOW;
		v->state = IWA_CRITICAL;
		snprintf(v->summary, sizeof(v->summary), "%s", sum);
		append(v,
		       " — below --epa %s: set windowsAuthentication/extendedProtection "
		       "tokenChecking=\"%s\" on this server",
		       nb_epa_level_name(cfg->epa_want), nb_epa_level_name(cfg->epa_want));
	}
}

void nb_eval_target(const struct nb_cfg *cfg, const struct nb_ticket *tkt, const struct nb_obs *o,
		    struct nb_verdict *v_out)
{
	struct nb_verdict *v = v_out;
	memset(v, 0, sizeof(*v));
	v->epa = NB_EPA_UNKNOWN;
	if (!o->finished)
		conclude(v, NB_INTERNAL, IWA_UNKNOWN, 0, "internal error",
			 "%s: no result (internal error)", o->label);
	else if (o->local != NB_LOCAL_NONE && o->local_step == 1)
		eval_local(v, tkt, o);
	else if (o->step[0].curl_code != 0)
		transport_failure(v, cfg, o, &o->step[0], 1);
	else if (!nb_wants_token(tkt, &o->step[0]))
		eval_step1(v, tkt, o);
	else if (o->local != NB_LOCAL_NONE)
		eval_local(v, tkt, o);
	else if (!o->step[1].answered)
		conclude(v, NB_INTERNAL, IWA_UNKNOWN, 2, "internal error",
			 "%s: no result (internal error)", o->label);
	else if (o->step[1].curl_code != 0)
		transport_failure(v, cfg, o, &o->step[1], 2);
	else
		eval_step2(v, cfg, tkt, o);

	/* -w/-c on the total time: only where nothing worse was found */
	if (v->state == IWA_OK || v->state == IWA_WARNING) {
		enum iwa_state ts = iwa_thresholds_state(&cfg->th, o->seconds);
		if (ts != IWA_OK && iwa_state_worst(v->state, ts) != v->state) {
			v->state = iwa_state_worst(v->state, ts);
			v->cause = NB_SLOW;
			sfmt(v->summary, sizeof(v->summary), "slow: %.3f s", o->seconds);
			append(v, " — slow: total time outside the %s range",
			       v->state == IWA_CRITICAL ? "-c" : "-w");
		}
	}
}

static bool same_cert(const struct nb_obs *a, const struct nb_obs *b)
{
	return strcmp(a->cert_hash_hex, b->cert_hash_hex) == 0;
}

void nb_eval_farm(const struct nb_cfg *cfg, struct nb_target *ts, size_t n)
{
	/* 1. the certificate each target presented: the VIP's against the backends' */
	for (size_t i = 0; i < n; i++) {
		struct nb_obs *o = &ts[i].obs;
		struct nb_verdict *v = &ts[i].v;
		const struct nb_obs *other = NULL;
		bool differs = false;
		if (!o->cert)
			continue;
		for (size_t j = 0; j < n; j++) {
			const struct nb_obs *b = &ts[j].obs;
			if (j == i || !b->cert || b->vip)
				continue;
			if (same_cert(o, b)) {
				differs = false;
				break;
			}
			differs = true;
			if (other == NULL)
				other = b;
		}
		if (!differs || other == NULL)
			continue;
		bool bind_failed = o->cb_sent && v->step == 2 &&
				   (v->cause == NB_WRONG_KEY || v->cause == NB_EPA_REENCRYPTED);
		if (o->vip && bind_failed) {
			v->cause = NB_EPA_TLS_TERMINATED;
			v->state = IWA_CRITICAL;
			sfmt(v->summary, sizeof(v->summary),
			     "the VIP presents another certificate than the backends (TLS "
			     "terminated in front)");
			sfmt(v->text, sizeof(v->text),
			     "%s: HTTP 401 to the Kerberos token bound to the certificate the VIP "
			     "presented (%s %s, subject %s) — the VIP presents another certificate "
			     "than the backends (%s: %s %s, subject %s): TLS is terminated in "
			     "front "
			     "of them; with Extended Protection the balancer must pass TCP "
			     "through, "
			     "or IIS needs the Proxy flag and the SPN list",
			     o->label, o->cert_hash_name, o->cert_hash_hex, o->cert_subject,
			     other->label, other->cert_hash_name, other->cert_hash_hex,
			     other->cert_subject);
		} else if (!o->vip && bind_failed && v->cause == NB_WRONG_KEY) {
			v->cause = NB_EPA_MISMATCH;
			sfmt(v->summary, sizeof(v->summary),
			     "401 after the token: the channel binding did not match");
			sfmt(v->text, sizeof(v->text),
			     "%s: HTTP 401 after the Kerberos token, with the channel binding and "
			     "without — Extended Protection Require and the binding did not match: "
			     "we hashed the certificate this connection presented (%s %s, subject "
			     "%s), another one than %s presents (%s %s): a device in front of it "
			     "terminates TLS; pass TCP through, or set IIS's Proxy flag and the "
			     "SPN list",
			     o->label, o->cert_hash_name, o->cert_hash_hex, o->cert_subject,
			     other->label, other->cert_hash_name, other->cert_hash_hex);
		} else if (o->vip && v->state == IWA_OK) {
			append(v, "; note: the VIP presents another certificate than the backends "
				  "(TLS terminated in front of them): Extended Protection would "
				  "refuse these tokens");
		}
	}
	/* 2. --epa-probe: the backends' levels must agree (with --epa LEVEL the level stated is
	 * the measure instead: a backend that meets it is OK, one below it CRITICAL) */
	if (!cfg->epa_probe || cfg->epa_want != NB_EPA_UNKNOWN)
		return;
	enum nb_epa_level first = NB_EPA_UNKNOWN;
	bool differ = false;
	for (size_t i = 0; i < n; i++) {
		if (ts[i].obs.vip || ts[i].v.epa == NB_EPA_UNKNOWN)
			continue;
		if (first == NB_EPA_UNKNOWN)
			first = ts[i].v.epa;
		else if (ts[i].v.epa != first)
			differ = true;
	}
	if (!differ)
		return;
	char list[600] = "";
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(list);
		if (ts[i].obs.vip || ts[i].v.epa == NB_EPA_UNKNOWN)
			continue;
		sfmt(list + l, sizeof(list) - l, "%s%s %s", l ? ", " : "", ts[i].obs.label,
		     nb_epa_level_name(ts[i].v.epa));
	}
	for (size_t i = 0; i < n; i++) {
		struct nb_verdict *v = &ts[i].v;
		if (ts[i].obs.vip || v->epa == NB_EPA_UNKNOWN || v->state != IWA_OK)
			continue;
		v->cause = NB_EPA_DIFFERS;
		v->state = IWA_WARNING;
		sfmt(v->summary, sizeof(v->summary), "Extended Protection differs (%s)", list);
		append(v,
		       " — the backends differ in Extended Protection (%s): set the same "
		       "tokenChecking on every server of the farm (or state it with --epa)",
		       list);
	}
}

/* The status of the last step that completed (0: none did). */
static long last_status(const struct nb_obs *o)
{
	for (int i = o->steps; i >= 1; i--) {
		const struct nb_step_obs *s = &o->step[i - 1];
		if (s->answered && s->curl_code == 0)
			return s->status;
	}
	return 0;
}

static bool completed(const struct nb_step_obs *s)
{
	return s->answered && s->curl_code == 0;
}

/* One target's node: its line, and at -v how it went. */
static int render_target(struct iwa_check *root, const struct nb_target *t, int verbose,
			 struct iwa_err *err)
{
	const struct nb_obs *o = &t->obs;
	struct iwa_check *c = iwa_check_add(root, t->v.state, "%s", t->v.text);
	if (c == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	iwa_check_set_name(c, o->label);
	if (verbose < 1)
		return 0;
	const struct nb_step_obs *s1 = &o->step[0], *s2 = &o->step[1];
	iwa_check_add_line(c, "target %s%s%s, connected to %s:%ld", o->where,
			   o->vip ? "" : " via CURLOPT_CONNECT_TO ", o->vip ? "" : o->connect_to,
			   o->ip[0] ? o->ip : "-", o->ip_port);
	iwa_check_add_line(c, "step 1: HTTP %ld, offered: %s", completed(s1) ? s1->status : 0,
			   completed(s1) && s1->schemes[0] ? s1->schemes : "-");
	if (o->steps >= 2)
		iwa_check_add_line(c,
				   "step 2: HTTP %ld, final Negotiate token: %s, mutual "
				   "authentication: %s",
				   last_status(o), completed(s2) && s2->token ? "yes" : "no",
				   t->v.mutual ? "verified" : "not verified");
	if (o->cert)
		iwa_check_add_line(c, "channel binding: %s tls-server-end-point %s %s of %s%s",
				   o->cb_sent ? "sent" : "not sent", o->cert_hash_name,
				   o->cert_hash_hex, o->cert_subject,
				   o->reconnected ? " (step 2 went over a new connection)" : "");
	else if (o->cert_error[0])
		iwa_check_add_line(c, "channel binding: not sent (%s)", o->cert_error);
	if (o->unbound.tried)
		iwa_check_add_line(c, "token without bindings: HTTP %ld%s", o->unbound.status,
				   o->unbound.curl_code ? " (transfer failed)" : "");
	if (o->wrong.tried)
		iwa_check_add_line(c, "token with a wrong binding: HTTP %ld%s", o->wrong.status,
				   o->wrong.curl_code ? " (transfer failed)" : "");
	iwa_check_add_line(c, "timings: connect %.3f s, TLS %.3f s, ttfb %.3f s, total %.3f s",
			   o->t_connect, o->t_tls, o->ttfb, o->seconds);
	return 0;
}

static void add_perfdata(struct iwa_check *root, const struct nb_cfg *cfg,
			 const struct nb_ticket *tkt, const struct nb_target *ts, size_t n,
			 size_t nok)
{
	double zero = 0, max = (double)n;
	char label[200];
	iwa_check_perf(root, "backends_ok", (double)nok, "", NULL, &zero, &max);
	for (size_t i = 0; i < n; i++) {
		const struct nb_obs *o = &ts[i].obs;
		snprintf(label, sizeof(label), "%s_time", o->label);
		iwa_check_perf(root, label, o->seconds, "s", &cfg->th, &zero, NULL);
		snprintf(label, sizeof(label), "%s_ttfb", o->label);
		iwa_check_perf(root, label, o->ttfb, "s", NULL, &zero, NULL);
		snprintf(label, sizeof(label), "%s_status", o->label);
		iwa_check_perf(root, label, (double)last_status(o), "", NULL, NULL, NULL);
		if (cfg->epa_probe && ts[i].v.epa != NB_EPA_UNKNOWN) {
			double two = 2;
			snprintf(label, sizeof(label), "%s_epa", o->label);
			iwa_check_perf(root, label, (double)ts[i].v.epa, "", NULL, &zero, &two);
		}
	}
	iwa_check_perf(root, "ticket_time", tkt->seconds, "s", NULL, &zero, NULL);
}

/* Longest list of failing targets in the summary; the rest are counted ("and N more"). */
#define SUMMARY_LIST_MAX 1024

/* The first line: all good, or each failing target's short cause (as many as fit in
 * SUMMARY_LIST_MAX, then how many more fail: none is dropped without a word). */
enum iwa_state nb_eval_ticket_enctype(const struct nb_ticket *t, bool allow_rc4, char *text,
				      size_t len)
{
	bool rc4 = iwa_krb_etype_rc4(t->enctype);

	if (rc4 && !allow_rc4) {
		sfmt(text, len,
		     "the ticket for %s is RC4 (%s, session key %s, kvno %u): works today, cheap "
		     "to crack offline, breaks when RC4 is switched off; set "
		     "msDS-SupportedEncryptionTypes to 0x18 on the SPN's owner (reset its password "
		     "first if it predates AES keys) and re-export any keytab",
		     t->spn_short, t->enctype_name, t->session_name, t->kvno);
		return IWA_WARNING;
	}
	sfmt(text, len, "%s kvno %u, session key %s%s", t->enctype_name, t->kvno, t->session_name,
	     rc4 ? " (RC4 accepted: --allow-rc4)" : "");
	return IWA_OK;
}

static void summarize(struct iwa_check *root, const struct nb_cfg *cfg, const struct nb_ticket *tkt,
		      const struct nb_target *ts, size_t n, size_t nok)
{
	struct iwa_buf b;
	char rc4[700];
	iwa_buf_init(&b, 0);
	if (tkt->ok && nok == n &&
	    nb_eval_ticket_enctype(tkt, cfg->allow_rc4, rc4, sizeof(rc4)) != IWA_OK) {
		iwa_buf_addf(&b, "%s (%zu/%zu backends accept Kerberos)", rc4, nok, n);
	} else if (!tkt->ok) {
		iwa_buf_addf(&b, "%s", tkt->problem);
	} else if (nok == n) {
		iwa_buf_addf(&b,
			     "%zu/%zu backends accept Kerberos for %s, mutual authentication "
			     "verified",
			     nok, n, tkt->spn_short);
		enum nb_epa_level l0 = n > 0 ? ts[0].v.epa : NB_EPA_UNKNOWN;
		bool same = l0 != NB_EPA_UNKNOWN;
		for (size_t i = 1; i < n && same; i++)
			same = ts[i].v.epa == l0;
		if (same)
			iwa_buf_addf(&b, ", Extended Protection %s", nb_epa_level_name(l0));
	} else {
		size_t listed = 0, more = 0;
		for (size_t i = 0; i < n; i++) {
			const struct nb_verdict *v = &ts[i].v;
			const char *label = ts[i].obs.label;
			if (v->state == IWA_OK || v->summary[0] == '\0')
				continue;
			if (listed > 0 &&
			    b.len + strlen(label) + strlen(v->summary) + 4 > SUMMARY_LIST_MAX) {
				more++;
				continue;
			}
			if (iwa_buf_addf(&b, "%s%s: %s", listed ? "; " : "", label, v->summary) ==
			    0)
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

int nb_render(struct iwa_check *root, const struct nb_cfg *cfg, const struct nb_ticket *tkt,
	      const struct nb_target *ts, size_t n, int verbose, struct iwa_err *err)
{
	size_t nok = 0;
	for (size_t i = 0; i < n; i++) {
		if (ts[i].v.state == IWA_OK)
			nok++;
		int rc = render_target(root, &ts[i], verbose, err);
		if (rc < 0)
			return rc;
	}
	add_perfdata(root, cfg, tkt, ts, n, nok);
	summarize(root, cfg, tkt, ts, n, nok);
	return 0;
}

void nb_result_free(struct nb_result *r)
{
	if (r == NULL)
		return;
	free(r->targets);
	r->targets = NULL;
	r->n = 0;
}

/* ------------------------------------------------------------------ DNS aliases */

void nb_spn_plan(enum nb_spn_from f, bool alias, bool *canonical, bool *typed)
{
	*canonical = alias && (f == NB_SPN_FROM_CANONICAL || f == NB_SPN_FROM_BOTH ||
			       f == NB_SPN_FROM_DEFAULT);
	*typed = !alias || f != NB_SPN_FROM_CANONICAL;
}

static size_t run_ok(const struct nb_spn_run *r)
{
	size_t k = 0;

	for (size_t i = 0; i < r->n; i++)
		if (r->ts[i].v.state == IWA_OK)
			k++;
	return k;
}

static bool run_served(const struct nb_spn_run *r)
{
	return r->tkt.ok && r->n > 0 && run_ok(r) == r->n;
}

enum iwa_state nb_spn_ticket_state(const struct nb_spn_run *r, size_t nr, size_t i)
{
	if (r[i].tkt.ok || r[i].tkt.cause != NB_TICKET_SPN_UNKNOWN)
		return IWA_CRITICAL;
	for (size_t j = 0; j < nr; j++)
		if (j != i && run_served(&r[j]))
			return IWA_WARNING;
	return IWA_CRITICAL;
}

int nb_render_dns(struct iwa_check *root, const char *typed, const char *canonical,
		  const char *chain_text, struct iwa_err *err)
{
	struct iwa_check *c =
		iwa_check_add(root, IWA_OK, "%s is a DNS alias: %s", typed, chain_text);

	if (c == NULL || iwa_check_set_name(c, "DNS") < 0 ||
	    iwa_check_add_line(c,
			       "Chrome and Edge (policy DisableAuthNegotiateCnameLookup unset or "
			       "false, the default) ask for HTTP/%s",
			       canonical) < 0 ||
	    iwa_check_add_line(
		    c,
		    "Firefox, and Chrome/Edge with DisableAuthNegotiateCnameLookup=true, "
		    "ask for HTTP/%s (the name as typed)",
		    typed) < 0)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	return 0;
}

int nb_alias_groups(struct iwa_check *root, const struct nb_spn_run *r, size_t nr,
		    struct iwa_check **groups, struct iwa_err *err)
{
	for (size_t i = 0; i < nr; i++) {
		groups[i] = iwa_check_add(root, IWA_OK, "%s (%s)", r[i].who, r[i].tkt.spn_short);
		if (groups[i] == NULL ||
		    iwa_check_set_name(groups[i], r[i].canonical ? "canonical" : "typed") < 0)
			return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	}
	return 0;
}

/* "OK", "falls back to NTLM (no HTTP/x)", the ticket's problem, or the failing targets. */
static void run_words(const struct nb_spn_run *r, struct iwa_buf *b)
{
	size_t nok = run_ok(r), listed = 0;

	if (!r->tkt.ok) {
		if (r->tkt.cause == NB_TICKET_SPN_UNKNOWN)
			iwa_buf_addf(b, "falls back to NTLM (no %s)", r->tkt.spn_short);
		else
			iwa_buf_addf(b, "%s", r->tkt.problem);
		return;
	}
	if (nok == r->n) {
		iwa_buf_addf(b, "OK");
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct nb_verdict *v = &r->ts[i].v;

		if (v->state == IWA_OK || v->summary[0] == '\0' || listed >= 3)
			continue;
		iwa_buf_addf(b, "%s%s: %s", listed++ ? "; " : "", r->ts[i].obs.label, v->summary);
	}
	iwa_buf_addf(b, " (%zu/%zu backends OK)", nok, r->n);
}

int nb_render_alias(struct iwa_check *root, const struct nb_cfg *cfg, const char *canonical,
		    const char *chain_text, const struct nb_spn_run *r, size_t nr,
		    struct iwa_check **groups, int verbose, struct iwa_err *err)
{
	struct iwa_buf sum, g;
	double zero = 0;
	bool all_ok = true;
	int rc = 0;

	iwa_buf_init(&sum, 0);
	for (size_t i = 0; i < nr && rc == 0; i++) {
		for (size_t k = 0; k < r[i].n && rc == 0; k++)
			rc = render_target(groups[i], &r[i].ts[k], verbose, err);
		if (rc < 0)
			break;
		iwa_buf_init(&g, 0);
		run_words(&r[i], &g);
		if (!r[i].tkt.ok)
			iwa_check_raise(groups[i], nb_spn_ticket_state(r, nr, i));
		if (iwa_check_set_text(groups[i], "%s (%s): %s", r[i].who, r[i].tkt.spn_short,
				       g.data != NULL ? g.data : "") < 0 ||
		    iwa_buf_addf(&sum, "%s%s: %s", i ? ", " : "", r[i].who,
				 g.data != NULL ? g.data : "") < 0)
			rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
		iwa_buf_free(&g);
		if (!run_served(&r[i]))
			all_ok = false;
	}
	if (rc == 0)
		rc = nb_render_dns(root, cfg->url_host, canonical, chain_text, err);
	if (rc < 0) {
		iwa_buf_free(&sum);
		return rc;
	}
	for (size_t i = 0; i < nr; i++) {
		double max = (double)r[i].n;

		if (!r[i].canonical) {
			add_perfdata(root, cfg, &r[i].tkt, r[i].ts, r[i].n, run_ok(&r[i]));
			continue;
		}
		iwa_check_perf(root, "canonical_backends_ok", (double)run_ok(&r[i]), "", NULL,
			       &zero, &max);
		iwa_check_perf(root, "canonical_ticket_time", r[i].tkt.seconds, "s", NULL, &zero,
			       NULL);
	}
	if (all_ok && nr == 2)
		rc = iwa_check_set_text(
			root,
			"Chrome/Edge and Firefox: %zu/%zu backends accept Kerberos for %s and %s, "
			"mutual authentication verified (%s)",
			r[0].n, r[0].n, r[0].tkt.spn_short, r[1].tkt.spn_short, chain_text);
	else
		rc = iwa_check_set_text(root, "%s (%s)", sum.data != NULL ? sum.data : "",
					chain_text);
	iwa_buf_free(&sum);
	return rc < 0 ? iwa_err_set(err, IWA_ENOMEM, "out of memory") : 0;
}
