/* test_negotiate_eval.c — check_negotiate_backend's pure evaluation
 * (plugins/check_negotiate_backend_eval.c), offline: one case per cause code (an observation
 * as the load records it -> cause, state, summary, detail), a check that every enum nb_cause
 * value has its case, and the rendered result (first line, perfdata, -v lines). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "check_negotiate_backend.h"
#include "gss.h"
#include "output.h"
#include "util.h"

/* A healthy backend: 401 Negotiate, then 200 with a final token that verified. */
static void healthy(struct nb_obs *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->label, sizeof(o->label), "127.0.20.11");
	snprintf(o->addr, sizeof(o->addr), "127.0.20.11");
	o->port = 443;
	snprintf(o->where, sizeof(o->where), "127.0.20.11:443");
	snprintf(o->connect_to, sizeof(o->connect_to), "sso.camtest.test:443:127.0.20.11:443");
	o->steps = 2;
	o->finished = true;
	o->step[0].answered = true;
	o->step[0].status = 401;
	snprintf(o->step[0].schemes, sizeof(o->step[0].schemes), "Negotiate");
	o->step[0].negotiate_offered = true;
	o->step[0].phase = IWA_HTTP_PHASE_BODY;
	o->step[1].answered = true;
	o->step[1].status = 200;
	snprintf(o->step[1].schemes, sizeof(o->step[1].schemes), "Negotiate");
	o->step[1].negotiate_offered = true;
	o->step[1].token = true;
	o->step[1].ttfb = 0.004;
	o->step[1].phase = IWA_HTTP_PHASE_BODY;
	o->verify = NB_VERIFY_OK;
	o->seconds = 0.05;
	o->ttfb = 0.004;
	snprintf(o->served_by, sizeof(o->served_by), "web1");
	snprintf(o->ip, sizeof(o->ip), "127.0.20.11");
	o->ip_port = 443;
}

static void ticket_ok(struct nb_ticket *t)
{
	memset(t, 0, sizeof(*t));
	t->ok = true;
	snprintf(t->principal, sizeof(t->principal), "HTTP/sso.camtest.test@CAMTEST.TEST");
	snprintf(t->spn_short, sizeof(t->spn_short), "HTTP/sso.camtest.test");
	t->seconds = 0.01;
}

/* Only step 1 ran; it ended with this transport error. */
static void step1_failed(struct nb_obs *o, int curl_code, enum iwa_http_phase ph)
{
	o->steps = 1;
	memset(&o->step[1], 0, sizeof(o->step[1]));
	o->verify = NB_VERIFY_NONE;
	o->step[0].curl_code = curl_code;
	o->step[0].status = 0;
	o->step[0].schemes[0] = '\0';
	o->step[0].negotiate_offered = false;
	o->step[0].phase = ph;
	snprintf(o->step[0].error, sizeof(o->step[0].error), "curl says no");
}

/* Step 1 answered with this status (and schemes) and the exchange ended there. */
static void step1_status(struct nb_obs *o, long status, const char *schemes)
{
	o->steps = 1;
	memset(&o->step[1], 0, sizeof(o->step[1]));
	o->verify = NB_VERIFY_NONE;
	o->step[0].status = status;
	snprintf(o->step[0].schemes, sizeof(o->step[0].schemes), "%s", schemes);
	o->step[0].negotiate_offered = strstr(schemes, "Negotiate") != NULL;
}

static void step2_failed(struct nb_obs *o, int curl_code, enum iwa_http_phase ph)
{
	o->step[1].curl_code = curl_code;
	o->step[1].status = 0;
	o->step[1].token = false;
	o->step[1].phase = ph;
	o->verify = NB_VERIFY_NONE;
	snprintf(o->step[1].error, sizeof(o->step[1].error), "curl says no");
}

/* ---- the setups, one per case ---- */

static void s_ok(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)o, (void)t, (void)c;
}
static void s_slow(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	struct iwa_err err;
	(void)o, (void)t;
	assert_int_equal(iwa_range_parse("0.01", &c->th.warn, &err), 0);
	c->th.has_warn = true;
}
static void s_no_time(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	memset(o->step, 0, sizeof(o->step));
	o->steps = 1;
	o->local = NB_LOCAL_NO_TIME;
	o->local_step = 1;
	snprintf(o->local_error, sizeof(o->local_error), "the time budget is used up");
}
static void s_no_time2(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	memset(&o->step[1], 0, sizeof(o->step[1]));
	o->local = NB_LOCAL_NO_TIME;
	o->local_step = 2;
	snprintf(o->local_error, sizeof(o->local_error), "the time budget is used up");
}
static void s_token_failed(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	o->steps = 1;
	memset(&o->step[1], 0, sizeof(o->step[1]));
	o->local = NB_LOCAL_GSS;
	o->local_step = 2;
	snprintf(o->local_error, sizeof(o->local_error), "gss_init_sec_context: no creds");
}
static void s_internal(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	o->finished = false;
}
static void s_headers(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	step1_failed(o, CURLE_WRITE_ERROR, IWA_HTTP_PHASE_WAIT);
	o->step[0].cap = IWA_HTTP_CAP_HEADERS;
}
static void s_body(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	o->step[1].curl_code = CURLE_WRITE_ERROR;
	o->step[1].cap = IWA_HTTP_CAP_BODY;
}
static void s_t_connect(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	step1_failed(o, CURLE_OPERATION_TIMEDOUT, IWA_HTTP_PHASE_CONNECT);
}
static void s_t_tls(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	step1_failed(o, CURLE_OPERATION_TIMEDOUT, IWA_HTTP_PHASE_TLS);
}
static void s_t_answer(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	step1_failed(o, CURLE_OPERATION_TIMEDOUT, IWA_HTTP_PHASE_WAIT);
	o->step[0].header_bytes = 17;
}
static void s_t_token(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	step2_failed(o, CURLE_OPERATION_TIMEDOUT, IWA_HTTP_PHASE_WAIT);
}
static void s_t_body(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	step1_failed(o, CURLE_OPERATION_TIMEDOUT, IWA_HTTP_PHASE_BODY);
	o->step[0].status = 401;
	o->step[0].body_bytes = 1234;
}
static void s_ca_file(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t;
	step1_failed(o, CURLE_SSL_CACERT_BADFILE, IWA_HTTP_PHASE_TLS);
	c->tls.ca_file = "/nonexistent/ca.pem";
}
static void s_tls(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	step1_failed(o, CURLE_PEER_FAILED_VERIFICATION, IWA_HTTP_PHASE_TLS);
	o->step[0].ssl_verify_result = 10; /* X509_V_ERR_CERT_HAS_EXPIRED */
}
static void s_unreachable(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	step1_failed(o, CURLE_COULDNT_CONNECT, IWA_HTTP_PHASE_CONNECT);
}
static void s_no_resolve(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	step1_failed(o, CURLE_COULDNT_RESOLVE_HOST, IWA_HTTP_PHASE_CONNECT);
}
static void s_closed(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	step1_failed(o, CURLE_GOT_NOTHING, IWA_HTTP_PHASE_WAIT);
	o->vip = true;
}
static void s_http_failed(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	step1_failed(o, CURLE_RECV_ERROR, IWA_HTTP_PHASE_WAIT);
}
static void s_no_scheme(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	step1_status(o, 401, "");
}
static void s_no_negotiate(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	step1_status(o, 401, "NTLM");
}
static void s_no_ticket(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)c;
	step1_status(o, 401, "Negotiate, NTLM");
	t->ok = false;
	t->cause = NB_TICKET_SPN_UNKNOWN;
}
static void s_503(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	step1_status(o, 503, "");
}
static void s_503_after(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	o->step[1].status = 503;
	o->step[1].token = false;
}
static void s_redirect(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	step1_status(o, 302, "");
	snprintf(o->step[0].location, sizeof(o->step[0].location), "https://elsewhere/");
}
static void s_anonymous(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	step1_status(o, 200, "");
}
static void s_unexpected(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	step1_status(o, 404, "");
}
static void s_clock_skew(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	o->step[1].status = 401;
	o->verify = NB_VERIFY_REFUSED;
	snprintf(o->gss_error, sizeof(o->gss_error), "Clock skew too great");
	o->peer_skew = true;
}
static void s_wrong_key(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	o->step[1].status = 401;
	o->verify = NB_VERIFY_REFUSED;
	snprintf(o->gss_error, sizeof(o->gss_error), "The ticket isn't for us");
}
static void s_unexpected_auth(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t;
	c->expect[0].lo = c->expect[0].hi = 200; /* -e 200 */
	c->nexpect = 1;
	snprintf(c->expect_text, sizeof(c->expect_text), "200");
	o->step[1].status = 302;
}
static void s_token_too_large(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	o->step[1].token = false;
	o->step[1].token_too_long = true;
	o->step[1].token_len = 70000;
	o->verify = NB_VERIFY_NONE;
}
static void s_invalid_token(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	o->verify = NB_VERIFY_NOT_SPNEGO;
	snprintf(o->verify_why, sizeof(o->verify_why), "not a SPNEGO token (tag 0x30)");
}
static void s_malformed(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	o->step[1].token = false;
	o->step[1].www_auth_malformed = true;
	snprintf(o->step[1].www_auth_error, sizeof(o->step[1].www_auth_error), "bad at 10");
	o->verify = NB_VERIFY_NONE;
}
static void s_no_mutual(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	o->step[1].token = false;
	o->verify = NB_VERIFY_NONE;
}
static void s_no_mutual_required(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	s_no_mutual(o, t, c);
	c->require_mutual = true;
}
static void s_mutual_failed(struct nb_obs *o, struct nb_ticket *t, struct nb_cfg *c)
{
	(void)t, (void)c;
	o->verify = NB_VERIFY_REFUSED;
	snprintf(o->verify_why, sizeof(o->verify_why), "bad AP-REP");
}

struct eval_case {
	const char *name;
	void (*setup)(struct nb_obs *, struct nb_ticket *, struct nb_cfg *);
	enum nb_cause cause;
	enum iwa_state state;
	int step;
	const char *summary; /* exact */
	const char *text;    /* a part of the detail line */
};

static const struct eval_case cases[] = {
	{"ok", s_ok, NB_OK, IWA_OK, 2, "",
	 "127.0.20.11: HTTP 200 after Negotiate/Kerberos, mutual authentication verified, "
	 "0.050 s (ttfb 0.004 s), served by web1"},
	{"slow", s_slow, NB_SLOW, IWA_WARNING, 2, "slow: 0.050 s",
	 "verified, 0.050 s (ttfb 0.004 s), served by web1 — slow: total time outside the -w "
	 "range"},
	{"no_time", s_no_time, NB_NO_TIME, IWA_CRITICAL, 0, "timeout",
	 "127.0.20.11: the time budget is used up"},
	{"no_time_step2", s_no_time2, NB_NO_TIME, IWA_CRITICAL, 2, "timeout",
	 "no time left to send the Kerberos token (the time budget is used up)"},
	{"token_failed", s_token_failed, NB_TOKEN_FAILED, IWA_UNKNOWN, 2,
	 "cannot make a Kerberos token",
	 "cannot make a Kerberos token for HTTP/sso.camtest.test@CAMTEST.TEST: "
	 "gss_init_sec_context: no creds"},
	{"internal", s_internal, NB_INTERNAL, IWA_UNKNOWN, 0, "internal error",
	 "127.0.20.11: no result (internal error)"},
	{"headers_too_large", s_headers, NB_HEADERS_TOO_LARGE, IWA_CRITICAL, 1,
	 "response headers too large",
	 "127.0.20.11:443 sent more than 128 KiB of headers in the first answer"},
	{"body_too_large", s_body, NB_BODY_TOO_LARGE, IWA_CRITICAL, 2,
	 "response body too large (endless?)",
	 "the body of the answer to the Kerberos token (HTTP 200) from 127.0.20.11:443 goes "
	 "on past 1 MiB"},
	{"timeout_connect", s_t_connect, NB_TIMEOUT_CONNECT, IWA_CRITICAL, 1,
	 "TCP connect timed out",
	 "no TCP connection to 127.0.20.11:443 within 0.1 s (curl says no) — host down"},
	{"timeout_tls", s_t_tls, NB_TIMEOUT_TLS, IWA_CRITICAL, 1,
	 "no answer to the TLS handshake (timeout)", "did not answer the TLS handshake within"},
	{"timeout_answer", s_t_answer, NB_TIMEOUT_ANSWER, IWA_CRITICAL, 1,
	 "no answer to the first request (timeout)",
	 "no answer to the first request within 0.1 s (the headers did not end: 17 bytes "
	 "received)"},
	{"timeout_token", s_t_token, NB_TIMEOUT_TOKEN, IWA_CRITICAL, 2,
	 "no answer to the Kerberos token (timeout)",
	 "got the Kerberos token but did not answer it within 0.1 s"},
	{"timeout_body", s_t_body, NB_TIMEOUT_BODY, IWA_CRITICAL, 1, "timeout reading the body",
	 "timed out after 0.1 s reading the body of the first answer (HTTP 401 from "
	 "127.0.20.11:443, 1234 body bytes"},
	{"tls_ca_file", s_ca_file, NB_TLS_CA_FILE, IWA_UNKNOWN, 1, NULL, "/nonexistent/ca.pem"},
	{"tls", s_tls, NB_TLS, IWA_CRITICAL, 1, NULL, "for 127.0.20.11:443: curl says no"},
	{"unreachable", s_unreachable, NB_UNREACHABLE, IWA_CRITICAL, 1, "connection refused",
	 "cannot connect to 127.0.20.11:443: curl says no — the web server is down"},
	{"no_resolve", s_no_resolve, NB_NO_RESOLVE, IWA_CRITICAL, 1, "name does not resolve",
	 "cannot resolve the name: curl says no"},
	{"closed", s_closed, NB_CLOSED, IWA_CRITICAL, 1, "connection closed without an answer",
	 "closed the connection without an HTTP answer (through the balancer: the backend it "
	 "chose may be failing"},
	{"http_failed", s_http_failed, NB_HTTP_FAILED, IWA_CRITICAL, 1, "HTTP transfer failed",
	 "request to 127.0.20.11:443 failed waiting for the first answer (the 401): curl says "
	 "no"},
	{"no_auth_scheme", s_no_scheme, NB_NO_AUTH_SCHEME, IWA_CRITICAL, 1,
	 "no authentication scheme offered", "HTTP 401 without any WWW-Authenticate header"},
	{"no_negotiate", s_no_negotiate, NB_NO_NEGOTIATE, IWA_CRITICAL, 1,
	 "Negotiate not offered (Kerberos off)", "HTTP 401 offering only NTLM, no Negotiate"},
	{"no_ticket", s_no_ticket, NB_NO_TICKET, IWA_UNKNOWN, 1, "",
	 "HTTP 401 offering Negotiate, NTLM; Kerberos not tested: no ticket for "
	 "HTTP/sso.camtest.test"},
	{"http_503", s_503, NB_HTTP_503, IWA_CRITICAL, 1, "HTTP 503 (application pool stopped?)",
	 "HTTP 503 before authentication"},
	{"http_503_after", s_503_after, NB_HTTP_503, IWA_CRITICAL, 2,
	 "HTTP 503 (application pool stopped?)", "HTTP 503 after Kerberos authentication"},
	{"redirect", s_redirect, NB_REDIRECT, IWA_CRITICAL, 1, "redirect (302) instead of 401",
	 "answered 302 (redirect to https://elsewhere/)"},
	{"anonymous", s_anonymous, NB_ANONYMOUS, IWA_CRITICAL, 1, "no authentication asked",
	 "HTTP 200 without asking for authentication"},
	{"unexpected_status", s_unexpected, NB_UNEXPECTED_STATUS, IWA_CRITICAL, 1,
	 "unexpected HTTP status", "HTTP 404 before authentication"},
	{"clock_skew", s_clock_skew, NB_CLOCK_SKEW, IWA_CRITICAL, 2,
	 "401 after the Kerberos token: clock skew",
	 "HTTP 401 after the Kerberos token (the server's Kerberos error: Clock skew too "
	 "great)"},
	{"wrong_key", s_wrong_key, NB_WRONG_KEY, IWA_CRITICAL, 2,
	 "401 after the Kerberos token: cannot decrypt the ticket",
	 "(the server's Kerberos error: The ticket isn't for us) — the backend cannot decrypt "
	 "the ticket for HTTP/sso.camtest.test"},
	{"unexpected_status_auth", s_unexpected_auth, NB_UNEXPECTED_STATUS_AUTH, IWA_CRITICAL, 2,
	 "unexpected HTTP status after authentication",
	 "HTTP 302 after Kerberos authentication, expected 200"},
	{"token_too_large", s_token_too_large, NB_TOKEN_TOO_LARGE, IWA_CRITICAL, 2,
	 "Negotiate token too large", "final Negotiate token of 70000 characters"},
	{"invalid_token", s_invalid_token, NB_INVALID_TOKEN, IWA_CRITICAL, 2,
	 "invalid Negotiate token from the server",
	 "the final Negotiate token is invalid: not a SPNEGO token (tag 0x30)"},
	{"invalid_token_unparsed", s_malformed, NB_INVALID_TOKEN, IWA_CRITICAL, 2,
	 "invalid Negotiate token from the server",
	 "WWW-Authenticate: Negotiate value does not parse (bad at 10)"},
	{"no_mutual", s_no_mutual, NB_NO_MUTUAL, IWA_WARNING, 2, "no mutual authentication token",
	 "mutual authentication not proven"},
	{"no_mutual_required", s_no_mutual_required, NB_NO_MUTUAL, IWA_CRITICAL, 2,
	 "no mutual authentication token", "mutual authentication not proven"},
	{"mutual_failed", s_mutual_failed, NB_MUTUAL_FAILED, IWA_CRITICAL, 2,
	 "mutual authentication failed", "the final Negotiate token does not verify: bad AP-REP"},
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void run_case(void **state)
{
	const struct eval_case *k = *state;
	struct nb_obs o;
	struct nb_ticket t;
	struct nb_cfg cfg;
	struct nb_verdict v;
	memset(&cfg, 0, sizeof(cfg));
	healthy(&o);
	ticket_ok(&t);
	if (k->cause >= NB_TIMEOUT_CONNECT && k->cause <= NB_TIMEOUT_BODY)
		o.seconds = 0.1;
	k->setup(&o, &t, &cfg);
	nb_eval_target(&cfg, &t, &o, &v);
	if (v.cause != k->cause)
		fail_msg("%s: cause %s, expected %s", k->name, nb_cause_name(v.cause),
			 nb_cause_name(k->cause));
	assert_int_equal(v.state, k->state);
	assert_int_equal(v.step, k->step);
	if (k->summary != NULL)
		assert_string_equal(v.summary, k->summary);
	if (strstr(v.text, k->text) == NULL)
		fail_msg("%s: text '%s' lacks '%s'", k->name, v.text, k->text);
	assert_int_equal(v.mutual, k->cause == NB_OK || k->cause == NB_SLOW);
	/* the text starts with the target's label (one line per target in the output) */
	assert_int_equal(strncmp(v.text, o.label, strlen(o.label)), 0);
	assert_null(strchr(v.text, '\n'));
}

/* The TLS cases name which problem (summary and fix are tls.c's). */
static void test_tls_problem(void **state)
{
	struct nb_obs o;
	struct nb_ticket t;
	struct nb_cfg cfg;
	struct nb_verdict v;
	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	healthy(&o);
	ticket_ok(&t);
	s_tls(&o, &t, &cfg);
	nb_eval_target(&cfg, &t, &o, &v);
	assert_int_equal(v.tls, IWA_TLS_EXPIRED);
	assert_string_equal(v.summary, iwa_tls_problem_summary(IWA_TLS_EXPIRED));
	s_ca_file(&o, &t, &cfg);
	nb_eval_target(&cfg, &t, &o, &v);
	assert_int_equal(v.tls, IWA_TLS_CA_FILE);
}

/* The run's ticket: the three refusals the check reports (the others are our problem). */
static void test_ticket(void **state)
{
	static const struct {
		enum iwa_gss_tkt_fail fail;
		enum nb_cause cause;
		const char *text;
	} tc[] = {
		{IWA_GSS_TKT_SPN_UNKNOWN, NB_TICKET_SPN_UNKNOWN,
		 "the KDC does not know a unique account for it (S_PRINCIPAL_UNKNOWN) — "
		 "the SPN is missing or registered on more than one account, and browsers "
		 "silently fall back to NTLM; run check_spn_unique, then register it once on "
		 "the pool's account (setspn -S HTTP/sso.camtest.test ACCOUNT)"},
		{IWA_GSS_TKT_CLOCK_SKEW, NB_TICKET_CLOCK_SKEW,
		 "clock skew between this host and the KDC (S_PRINCIPAL_UNKNOWN) — "
		 "synchronize the clocks (NTP)"},
		{IWA_GSS_TKT_KDC_REFUSED, NB_TICKET_REFUSED,
		 "the KDC refused it (S_PRINCIPAL_UNKNOWN)"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		struct iwa_gss_ticket tk;
		struct nb_ticket t;
		memset(&tk, 0, sizeof(tk));
		ticket_ok(&t);
		tk.fail = tc[i].fail;
		snprintf(tk.kdc_message, sizeof(tk.kdc_message), "S_PRINCIPAL_UNKNOWN");
		nb_eval_ticket(&tk, &t);
		assert_false(t.ok);
		assert_int_equal(t.cause, tc[i].cause);
		if (strncmp(t.problem,
			    "no Kerberos ticket for HTTP/sso.camtest.test@CAMTEST.TEST: ", 59) !=
			    0 ||
		    strstr(t.problem, tc[i].text) == NULL)
			fail_msg("ticket problem '%s' lacks '%s'", t.problem, tc[i].text);
	}
}

/* Every cause code has a case above (a new cause without one fails here), and a name. */
static void test_every_cause_covered(void **state)
{
	bool seen[NB_CAUSE_COUNT] = {false};
	(void)state;
	for (size_t i = 0; i < NCASES; i++)
		seen[cases[i].cause] = true;
	seen[NB_TICKET_SPN_UNKNOWN] = seen[NB_TICKET_CLOCK_SKEW] = seen[NB_TICKET_REFUSED] =
		true; /* test_ticket */
	for (int c = 0; c < NB_CAUSE_COUNT; c++) {
		if (!seen[c])
			fail_msg("cause %s (%d) has no test case", nb_cause_name(c), c);
		assert_string_not_equal(nb_cause_name(c), "?");
		for (int d = 0; d < c; d++)
			assert_string_not_equal(nb_cause_name(c), nb_cause_name(d));
	}
	assert_string_equal(nb_cause_name(NB_CAUSE_COUNT), "?");
	assert_string_equal(nb_cause_name(NB_WRONG_KEY), "wrong_key");
}

static char *render(const struct nb_cfg *cfg, const struct nb_ticket *t, struct nb_target *ts,
		    size_t n, int verbose)
{
	struct iwa_check *root = iwa_check_new();
	struct iwa_buf b;
	struct iwa_err err;
	assert_non_null(root);
	for (size_t i = 0; i < n; i++)
		nb_eval_target(cfg, t, &ts[i].obs, &ts[i].v);
	assert_int_equal(nb_render(root, cfg, t, ts, n, verbose, &err), 0);
	iwa_buf_init(&b, 0);
	assert_int_equal(iwa_check_render(root, "NEGOTIATE", IWA_FORMAT_TEXT, &b), 0);
	char *s = iwa_buf_take(&b);
	iwa_buf_free(&b);
	iwa_check_free(root);
	return s;
}

/* The result tree: the first line names each failing target's cause and counts the OK ones;
 * the perfdata are the same labels in the same order as before the split. */
static void test_render(void **state)
{
	struct nb_target ts[2];
	struct nb_ticket t;
	struct nb_cfg cfg;
	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	memset(ts, 0, sizeof(ts));
	ticket_ok(&t);
	healthy(&ts[0].obs);
	snprintf(ts[0].obs.label, sizeof(ts[0].obs.label), "vip");
	ts[0].obs.vip = true;
	snprintf(ts[0].obs.where, sizeof(ts[0].obs.where), "sso.camtest.test:443 (VIP)");
	healthy(&ts[1].obs);
	s_wrong_key(&ts[1].obs, &t, &cfg);
	char *s = render(&cfg, &t, ts, 2, 0);
	assert_non_null(s);
	assert_string_equal(
		s, "NEGOTIATE CRITICAL - 127.0.20.11: 401 after the Kerberos token: cannot decrypt "
		   "the ticket (1/2 backends OK) | backends_ok=1;;;0;2 vip_time=0.05s;;;0 "
		   "vip_ttfb=0.004s;;;0 vip_status=200 127.0.20.11_time=0.05s;;;0 "
		   "127.0.20.11_ttfb=0.004s;;;0 127.0.20.11_status=401 ticket_time=0.01s;;;0\n"
		   "[OK] vip: HTTP 200 after Negotiate/Kerberos, mutual authentication verified, "
		   "0.050 s (ttfb 0.004 s), served by web1\n"
		   "[CRITICAL] 127.0.20.11: HTTP 401 after the Kerberos token (the server's "
		   "Kerberos error: The ticket isn't for us) — the backend cannot decrypt the "
		   "ticket for HTTP/sso.camtest.test: it uses another key than the SPN's owner; "
		   "on IIS set useAppPoolCredentials=true (or useKernelMode=false) and run the "
		   "pool as the SPN's owner (check_spn_unique shows it); also check the clocks (5 "
		   "min skew)\n");
	free(s);

	/* -v: how each target went */
	s = render(&cfg, &t, ts, 2, 1);
	assert_non_null(strstr(s, "target 127.0.20.11:443 via CURLOPT_CONNECT_TO "
				  "sso.camtest.test:443:127.0.20.11:443, connected to "
				  "127.0.20.11:443\n"));
	assert_non_null(strstr(s, "target sso.camtest.test:443 (VIP), connected to"));
	assert_non_null(strstr(s, "step 1: HTTP 401, offered: Negotiate\n"));
	assert_non_null(strstr(s, "step 2: HTTP 200, final Negotiate token: yes, mutual "
				  "authentication: verified\n"));
	assert_non_null(strstr(s, "step 2: HTTP 401, final Negotiate token: yes, mutual "
				  "authentication: not verified\n"));
	assert_non_null(strstr(s, "timings: connect 0.000 s, TLS 0.000 s, ttfb 0.004 s, total "
				  "0.050 s\n"));
	free(s);

	/* no ticket: the first line is the ticket's problem, the targets UNKNOWN */
	t.ok = false;
	snprintf(t.problem, sizeof(t.problem), "no Kerberos ticket for X: the KDC refused it (y)");
	healthy(&ts[1].obs);
	s_no_ticket(&ts[0].obs, &t, &cfg);
	s_no_ticket(&ts[1].obs, &t, &cfg);
	s = render(&cfg, &t, ts, 2, 0);
	assert_int_equal(strncmp(s,
				 "NEGOTIATE UNKNOWN - no Kerberos ticket for X: the KDC "
				 "refused it (y) | backends_ok=0;;;0;2 ",
				 86),
			 0);
	assert_non_null(strstr(s, " vip_status=401 "));
	free(s);
}

/* A transport failure in step 1 leaves status 0 in the perfdata and in -v. */
static void test_render_no_answer(void **state)
{
	struct nb_target ts[1];
	struct nb_ticket t;
	struct nb_cfg cfg;
	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	memset(ts, 0, sizeof(ts));
	ticket_ok(&t);
	healthy(&ts[0].obs);
	s_unreachable(&ts[0].obs, &t, &cfg);
	char *s = render(&cfg, &t, ts, 1, 1);
	assert_non_null(strstr(s, "NEGOTIATE CRITICAL - 127.0.20.11: connection refused (0/1 "
				  "backends OK) | backends_ok=0;;;0;1 "));
	assert_non_null(strstr(s, " 127.0.20.11_status=0 "));
	assert_non_null(strstr(s, "step 1: HTTP 0, offered: -\n"));
	assert_null(strstr(s, "step 2:"));
	free(s);
}

int main(void)
{
	struct CMUnitTest tests[NCASES + 5];
	for (size_t i = 0; i < NCASES; i++) {
		tests[i] =
			(struct CMUnitTest)cmocka_unit_test_prestate(run_case, (void *)&cases[i]);
		tests[i].name = cases[i].name;
	}
	tests[NCASES] = (struct CMUnitTest)cmocka_unit_test(test_tls_problem);
	tests[NCASES + 1] = (struct CMUnitTest)cmocka_unit_test(test_ticket);
	tests[NCASES + 2] = (struct CMUnitTest)cmocka_unit_test(test_every_cause_covered);
	tests[NCASES + 3] = (struct CMUnitTest)cmocka_unit_test(test_render);
	tests[NCASES + 4] = (struct CMUnitTest)cmocka_unit_test(test_render_no_answer);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
