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

/* What a case starts from: a healthy backend, the run's ticket, default options. */
struct fixture {
	struct nb_obs o;
	struct nb_ticket t;
	struct nb_cfg c;
};

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	healthy(&f->o);
	ticket_ok(&f->t);
}

/* ---- what differs from a healthy backend, beyond a case's transport error or status ---- */

static void m_slow(struct fixture *f)
{
	struct iwa_err err;
	assert_int_equal(iwa_range_parse("0.01", &f->c.th.warn, &err), 0);
	f->c.th.has_warn = true;
}
static void m_no_time(struct fixture *f)
{
	memset(f->o.step, 0, sizeof(f->o.step));
	f->o.steps = 1;
	f->o.local = NB_LOCAL_NO_TIME;
	f->o.local_step = 1;
	snprintf(f->o.local_error, sizeof(f->o.local_error), "the time budget is used up");
}
static void m_no_time2(struct fixture *f)
{
	memset(&f->o.step[1], 0, sizeof(f->o.step[1]));
	f->o.local = NB_LOCAL_NO_TIME;
	f->o.local_step = 2;
	snprintf(f->o.local_error, sizeof(f->o.local_error), "the time budget is used up");
}
static void m_token_failed(struct fixture *f)
{
	f->o.steps = 1;
	memset(&f->o.step[1], 0, sizeof(f->o.step[1]));
	f->o.local = NB_LOCAL_GSS;
	f->o.local_step = 2;
	snprintf(f->o.local_error, sizeof(f->o.local_error), "gss_init_sec_context: no creds");
}
static void m_internal(struct fixture *f)
{
	f->o.finished = false;
}
static void m_headers(struct fixture *f)
{
	f->o.step[0].cap = IWA_HTTP_CAP_HEADERS;
}
static void m_body(struct fixture *f)
{
	f->o.step[1].status = 200;
	f->o.step[1].cap = IWA_HTTP_CAP_BODY;
}
static void m_partial_headers(struct fixture *f)
{
	f->o.step[0].header_bytes = 17;
}
static void m_partial_body(struct fixture *f)
{
	f->o.step[0].status = 401;
	f->o.step[0].body_bytes = 1234;
}
static void m_ca_file(struct fixture *f)
{
	f->c.tls.ca_file = "/nonexistent/ca.pem";
}
static void m_expired(struct fixture *f)
{
	f->o.step[0].ssl_verify_result = 10; /* X509_V_ERR_CERT_HAS_EXPIRED */
}
static void m_vip(struct fixture *f)
{
	f->o.vip = true;
}
static void m_no_ticket(struct fixture *f)
{
	f->t.ok = false;
	f->t.cause = NB_TICKET_SPN_UNKNOWN;
}
static void m_location(struct fixture *f)
{
	snprintf(f->o.step[0].location, sizeof(f->o.step[0].location), "https://elsewhere/");
}
static void m_503_after(struct fixture *f)
{
	f->o.step[1].status = 503;
	f->o.step[1].token = false;
}
static void m_401_after(struct fixture *f, const char *gss_error)
{
	f->o.step[1].status = 401;
	f->o.verify = NB_VERIFY_REFUSED;
	snprintf(f->o.gss_error, sizeof(f->o.gss_error), "%s", gss_error);
}
static void m_clock_skew(struct fixture *f)
{
	m_401_after(f, "Clock skew too great");
	f->o.peer_skew = true;
}
static void m_wrong_key(struct fixture *f)
{
	m_401_after(f, "The ticket isn't for us");
}
static void m_no_key_enctype(struct fixture *f)
{
	f->o.step[1].status = 401;
	f->o.verify = NB_VERIFY_REFUSED;
	f->o.peer_krb_error = 45; /* KRB_AP_ERR_NOKEY */
	f->t.enctype = 18;
	f->t.kvno = 7;
	snprintf(f->t.enctype_name, sizeof(f->t.enctype_name), "aes256-cts-hmac-sha1-96");
}
static void m_no_key_kvno(struct fixture *f)
{
	m_no_key_enctype(f);
	f->o.peer_krb_error = 44; /* KRB_AP_ERR_BADKEYVER, what MIT's acceptor sends for both */
}
static void m_expect_200(struct fixture *f)
{
	f->c.expect[0].lo = f->c.expect[0].hi = 200; /* -e 200 */
	f->c.nexpect = 1;
	snprintf(f->c.expect_text, sizeof(f->c.expect_text), "200");
	f->o.step[1].status = 302;
}
static void m_token_too_large(struct fixture *f)
{
	f->o.step[1].token = false;
	f->o.step[1].token_too_long = true;
	f->o.step[1].token_len = 70000;
	f->o.verify = NB_VERIFY_NONE;
}
static void m_not_spnego(struct fixture *f)
{
	f->o.verify = NB_VERIFY_NOT_SPNEGO;
	snprintf(f->o.verify_why, sizeof(f->o.verify_why), "not a SPNEGO token (tag 0x30)");
}
static void m_malformed(struct fixture *f)
{
	f->o.step[1].token = false;
	f->o.step[1].www_auth_malformed = true;
	snprintf(f->o.step[1].www_auth_error, sizeof(f->o.step[1].www_auth_error), "bad at 10");
	f->o.verify = NB_VERIFY_NONE;
}
static void m_no_mutual(struct fixture *f)
{
	f->o.step[1].token = false;
	f->o.verify = NB_VERIFY_NONE;
}
static void m_no_mutual_required(struct fixture *f)
{
	m_no_mutual(f);
	f->c.require_mutual = true;
}
static void m_mutual_failed(struct fixture *f)
{
	f->o.verify = NB_VERIFY_REFUSED;
	snprintf(f->o.verify_why, sizeof(f->o.verify_why), "bad AP-REP");
}

/* Channel bindings: the bound token's answer and the probes (as the load records them). */
static void bound(struct nb_obs *o, const char *hex)
{
	o->cert = true;
	o->cb_sent = true;
	snprintf(o->cert_subject, sizeof(o->cert_subject), "CN=sso.camtest.test");
	snprintf(o->cert_hash_name, sizeof(o->cert_hash_name), "SHA-256");
	snprintf(o->cert_hash_hex, sizeof(o->cert_hash_hex), "%s", hex);
}
static void probe(struct nb_probe_obs *p, long status)
{
	p->tried = p->answered = true;
	p->status = status;
}
static void refused_bound(struct nb_obs *o)
{
	o->step[1].status = 401;
	o->step[1].token = false;
	o->verify = NB_VERIFY_NONE;
}
static void m_epa_reencrypted(struct fixture *f)
{
	bound(&f->o, "aaaa");
	refused_bound(&f->o);
	probe(&f->o.unbound, 200);
}
static void m_wrong_key_bound(struct fixture *f)
{
	bound(&f->o, "aaaa");
	refused_bound(&f->o);
	probe(&f->o.unbound, 401);
}
static void m_wrong_key_reconnected(struct fixture *f)
{
	m_wrong_key_bound(f);
	f->o.reconnected = true;
	snprintf(f->o.reconnect_hash_hex, sizeof(f->o.reconnect_hash_hex), "bbbb");
}
static void m_epa_below(struct fixture *f)
{
	f->c.epa_probe = true;
	f->c.epa_want = NB_EPA_REQUIRE;
	bound(&f->o, "aaaa");
	probe(&f->o.unbound, 200);
	probe(&f->o.wrong, 401);
}
static void m_epa_require(struct fixture *f)
{
	f->c.epa_probe = true;
	f->c.epa_want = NB_EPA_REQUIRE;
	bound(&f->o, "aaaa");
	probe(&f->o.unbound, 401);
}

struct eval_case {
	const char *name;
	int failed_step; /* 1 or 2: that step's transfer ended with curl in phase (0: none) */
	int curl;
	enum iwa_http_phase phase;
	long status1; /* step 1 answered this with schemes1, and the exchange ended (0: it went on) */
	const char *schemes1;
	void (*more)(struct fixture *); /* what else differs, or NULL */
	/* expected */
	enum nb_cause cause;
	enum iwa_state state;
	int step;
	const char *summary; /* exact (NULL: not checked) */
	const char *text;    /* a part of the detail line */
};

#define TIMEDOUT(st, ph) .failed_step = (st), .curl = CURLE_OPERATION_TIMEDOUT, .phase = (ph)

static const struct eval_case cases[] = {
	{.name = "ok",
	 .cause = NB_OK,
	 .state = IWA_OK,
	 .step = 2,
	 .summary = "",
	 .text = "127.0.20.11: HTTP 200 after Negotiate/Kerberos, mutual authentication "
		 "verified, 0.050 s (ttfb 0.004 s), served by web1"},
	{.name = "slow",
	 .more = m_slow,
	 .cause = NB_SLOW,
	 .state = IWA_WARNING,
	 .step = 2,
	 .summary = "slow: 0.050 s",
	 .text = "verified, 0.050 s (ttfb 0.004 s), served by web1 — slow: total time outside "
		 "the -w range"},
	{.name = "no_time",
	 .more = m_no_time,
	 .cause = NB_NO_TIME,
	 .state = IWA_CRITICAL,
	 .step = 0,
	 .summary = "timeout",
	 .text = "127.0.20.11: the time budget is used up"},
	{.name = "no_time_step2",
	 .more = m_no_time2,
	 .cause = NB_NO_TIME,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "timeout",
	 .text = "no time left to send the Kerberos token (the time budget is used up)"},
	{.name = "token_failed",
	 .more = m_token_failed,
	 .cause = NB_TOKEN_FAILED,
	 .state = IWA_UNKNOWN,
	 .step = 2,
	 .summary = "cannot make a Kerberos token",
	 .text = "cannot make a Kerberos token for HTTP/sso.camtest.test@CAMTEST.TEST: "
		 "gss_init_sec_context: no creds"},
	{.name = "internal",
	 .more = m_internal,
	 .cause = NB_INTERNAL,
	 .state = IWA_UNKNOWN,
	 .step = 0,
	 .summary = "internal error",
	 .text = "127.0.20.11: no result (internal error)"},
	{.name = "headers_too_large",
	 .failed_step = 1,
	 .curl = CURLE_WRITE_ERROR,
	 .phase = IWA_HTTP_PHASE_WAIT,
	 .more = m_headers,
	 .cause = NB_HEADERS_TOO_LARGE,
	 .state = IWA_CRITICAL,
	 .step = 1,
	 .summary = "response headers too large",
	 .text = "127.0.20.11:443 sent more than 128 KiB of headers in the first answer"},
	{.name = "body_too_large",
	 .failed_step = 2,
	 .curl = CURLE_WRITE_ERROR,
	 .phase = IWA_HTTP_PHASE_BODY,
	 .more = m_body,
	 .cause = NB_BODY_TOO_LARGE,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "response body too large (endless?)",
	 .text = "the body of the answer to the Kerberos token (HTTP 200) from 127.0.20.11:443 "
		 "goes on past 1 MiB"},
	{.name = "timeout_connect",
	 TIMEDOUT(1, IWA_HTTP_PHASE_CONNECT),
	 .cause = NB_TIMEOUT_CONNECT,
	 .state = IWA_CRITICAL,
	 .step = 1,
	 .summary = "TCP connect timed out",
	 .text = "no TCP connection to 127.0.20.11:443 within 0.1 s (curl says no) — host down"},
	{.name = "timeout_tls",
	 TIMEDOUT(1, IWA_HTTP_PHASE_TLS),
	 .cause = NB_TIMEOUT_TLS,
	 .state = IWA_CRITICAL,
	 .step = 1,
	 .summary = "no answer to the TLS handshake (timeout)",
	 .text = "did not answer the TLS handshake within"},
	{.name = "timeout_answer",
	 TIMEDOUT(1, IWA_HTTP_PHASE_WAIT),
	 .more = m_partial_headers,
	 .cause = NB_TIMEOUT_ANSWER,
	 .state = IWA_CRITICAL,
	 .step = 1,
	 .summary = "no answer to the first request (timeout)",
	 .text = "no answer to the first request within 0.1 s (the headers did not end: 17 bytes "
		 "received)"},
	{.name = "timeout_token",
	 TIMEDOUT(2, IWA_HTTP_PHASE_WAIT),
	 .cause = NB_TIMEOUT_TOKEN,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "no answer to the Kerberos token (timeout)",
	 .text = "got the Kerberos token but did not answer it within 0.1 s"},
	{.name = "timeout_body",
	 TIMEDOUT(1, IWA_HTTP_PHASE_BODY),
	 .more = m_partial_body,
	 .cause = NB_TIMEOUT_BODY,
	 .state = IWA_CRITICAL,
	 .step = 1,
	 .summary = "timeout reading the body",
	 .text = "timed out after 0.1 s reading the body of the first answer (HTTP 401 from "
		 "127.0.20.11:443, 1234 body bytes"},
	{.name = "tls_ca_file",
	 .failed_step = 1,
	 .curl = CURLE_SSL_CACERT_BADFILE,
	 .phase = IWA_HTTP_PHASE_TLS,
	 .more = m_ca_file,
	 .cause = NB_TLS_CA_FILE,
	 .state = IWA_UNKNOWN,
	 .step = 1,
	 .text = "/nonexistent/ca.pem"},
	{.name = "tls",
	 .failed_step = 1,
	 .curl = CURLE_PEER_FAILED_VERIFICATION,
	 .phase = IWA_HTTP_PHASE_TLS,
	 .more = m_expired,
	 .cause = NB_TLS,
	 .state = IWA_CRITICAL,
	 .step = 1,
	 .text = "for 127.0.20.11:443: curl says no"},
	{.name = "unreachable",
	 .failed_step = 1,
	 .curl = CURLE_COULDNT_CONNECT,
	 .phase = IWA_HTTP_PHASE_CONNECT,
	 .cause = NB_UNREACHABLE,
	 .state = IWA_CRITICAL,
	 .step = 1,
	 .summary = "connection refused",
	 .text = "cannot connect to 127.0.20.11:443: curl says no — the web server is down"},
	{.name = "no_resolve",
	 .failed_step = 1,
	 .curl = CURLE_COULDNT_RESOLVE_HOST,
	 .phase = IWA_HTTP_PHASE_CONNECT,
	 .cause = NB_NO_RESOLVE,
	 .state = IWA_CRITICAL,
	 .step = 1,
	 .summary = "name does not resolve",
	 .text = "cannot resolve the name: curl says no"},
	{.name = "closed",
	 .failed_step = 1,
	 .curl = CURLE_GOT_NOTHING,
	 .phase = IWA_HTTP_PHASE_WAIT,
	 .more = m_vip,
	 .cause = NB_CLOSED,
	 .state = IWA_CRITICAL,
	 .step = 1,
	 .summary = "connection closed without an answer",
	 .text = "closed the connection without an HTTP answer (through the balancer: the "
		 "backend it chose may be failing"},
	{.name = "http_failed",
	 .failed_step = 1,
	 .curl = CURLE_RECV_ERROR,
	 .phase = IWA_HTTP_PHASE_WAIT,
	 .cause = NB_HTTP_FAILED,
	 .state = IWA_CRITICAL,
	 .step = 1,
	 .summary = "HTTP transfer failed",
	 .text = "request to 127.0.20.11:443 failed waiting for the first answer (the 401): curl "
		 "says no"},
	{.name = "no_auth_scheme",
	 .status1 = 401,
	 .schemes1 = "",
	 .cause = NB_NO_AUTH_SCHEME,
	 .state = IWA_CRITICAL,
	 .step = 1,
	 .summary = "no authentication scheme offered",
	 .text = "HTTP 401 without any WWW-Authenticate header"},
	{.name = "no_negotiate",
	 .status1 = 401,
	 .schemes1 = "NTLM",
	 .cause = NB_NO_NEGOTIATE,
	 .state = IWA_CRITICAL,
	 .step = 1,
	 .summary = "Negotiate not offered (Kerberos off)",
	 .text = "HTTP 401 offering only NTLM, no Negotiate"},
	{.name = "no_ticket",
	 .status1 = 401,
	 .schemes1 = "Negotiate, NTLM",
	 .more = m_no_ticket,
	 .cause = NB_NO_TICKET,
	 .state = IWA_UNKNOWN,
	 .step = 1,
	 .summary = "",
	 .text = "HTTP 401 offering Negotiate, NTLM; Kerberos not tested: no ticket for "
		 "HTTP/sso.camtest.test"},
	{.name = "http_503",
	 .status1 = 503,
	 .cause = NB_HTTP_503,
	 .state = IWA_CRITICAL,
	 .step = 1,
	 .summary = "HTTP 503 (application pool stopped?)",
	 .text = "HTTP 503 before authentication"},
	{.name = "http_503_after",
	 .more = m_503_after,
	 .cause = NB_HTTP_503,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "HTTP 503 (application pool stopped?)",
	 .text = "HTTP 503 after Kerberos authentication"},
	{.name = "redirect",
	 .status1 = 302,
	 .more = m_location,
	 .cause = NB_REDIRECT,
	 .state = IWA_CRITICAL,
	 .step = 1,
	 .summary = "redirect (302) instead of 401",
	 .text = "answered 302 (redirect to https://elsewhere/)"},
	{.name = "anonymous",
	 .status1 = 200,
	 .cause = NB_ANONYMOUS,
	 .state = IWA_CRITICAL,
	 .step = 1,
	 .summary = "no authentication asked",
	 .text = "HTTP 200 without asking for authentication"},
	{.name = "unexpected_status",
	 .status1 = 404,
	 .cause = NB_UNEXPECTED_STATUS,
	 .state = IWA_CRITICAL,
	 .step = 1,
	 .summary = "unexpected HTTP status",
	 .text = "HTTP 404 before authentication"},
	{.name = "clock_skew",
	 .more = m_clock_skew,
	 .cause = NB_CLOCK_SKEW,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "401 after the Kerberos token: clock skew",
	 .text = "HTTP 401 after the Kerberos token (the server's Kerberos error: Clock skew too "
		 "great)"},
	{.name = "wrong_key",
	 .more = m_wrong_key,
	 .cause = NB_WRONG_KEY,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "401 after the Kerberos token: cannot decrypt the ticket",
	 .text = "(the server's Kerberos error: The ticket isn't for us) — the backend cannot "
		 "decrypt the ticket for HTTP/sso.camtest.test"},
	{.name = "no_key_enctype",
	 .more = m_no_key_enctype,
	 .cause = NB_NO_KEY_ENCTYPE,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "401 after the Kerberos token: no key for the ticket's enctype",
	 .text = "127.0.20.11 has no key for aes256-cts-hmac-sha1-96 (the ticket's enctype, kvno "
		 "7): its keytab or password predates the account's AES keys; re-export the "
		 "keytab / reset the pool account's password"},
	{.name = "no_key_kvno",
	 .more = m_no_key_kvno,
	 .cause = NB_NO_KEY_KVNO,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "401 after the Kerberos token: no key for the ticket's enctype/kvno",
	 .text = "127.0.20.11 has no key for aes256-cts-hmac-sha1-96 (the ticket's enctype, kvno "
		 "7): its keytab or password predates the account's AES keys, or its keytab "
		 "predates the last password change (kvno 7)"},
	{.name = "unexpected_status_auth",
	 .more = m_expect_200,
	 .cause = NB_UNEXPECTED_STATUS_AUTH,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "unexpected HTTP status after authentication",
	 .text = "HTTP 302 after Kerberos authentication, expected 200"},
	{.name = "token_too_large",
	 .more = m_token_too_large,
	 .cause = NB_TOKEN_TOO_LARGE,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "Negotiate token too large",
	 .text = "final Negotiate token of 70000 characters"},
	{.name = "invalid_token",
	 .more = m_not_spnego,
	 .cause = NB_INVALID_TOKEN,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "invalid Negotiate token from the server",
	 .text = "the final Negotiate token is invalid: not a SPNEGO token (tag 0x30)"},
	{.name = "invalid_token_unparsed",
	 .more = m_malformed,
	 .cause = NB_INVALID_TOKEN,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "invalid Negotiate token from the server",
	 .text = "WWW-Authenticate: Negotiate value does not parse (bad at 10)"},
	{.name = "no_mutual",
	 .more = m_no_mutual,
	 .cause = NB_NO_MUTUAL,
	 .state = IWA_WARNING,
	 .step = 2,
	 .summary = "no mutual authentication token",
	 .text = "mutual authentication not proven"},
	{.name = "no_mutual_required",
	 .more = m_no_mutual_required,
	 .cause = NB_NO_MUTUAL,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "no mutual authentication token",
	 .text = "mutual authentication not proven"},
	{.name = "epa_reencrypted",
	 .more = m_epa_reencrypted,
	 .cause = NB_EPA_REENCRYPTED,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "channel binding refused, none accepted: TLS re-encrypted in front",
	 .text = "HTTP 401 to the Kerberos token carrying the channel binding (SHA-256 hash aaaa "
		 "of the certificate this connection presented, subject CN=sso.camtest.test), HTTP "
		 "200 to the same without bindings — the backend checks Extended Protection "
		 "(Allow)"},
	{.name = "wrong_key_with_and_without_binding",
	 .more = m_wrong_key_bound,
	 .cause = NB_WRONG_KEY,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "401 after the Kerberos token: cannot decrypt the ticket",
	 .text = "also check the clocks (5 min skew); the same token without channel bindings "
		 "got 401 too (the binding: SHA-256 hash aaaa of the certificate this connection "
		 "presented, subject CN=sso.camtest.test): with Extended Protection Require, a "
		 "binding that does not match (TLS terminated in front) answers the same"},
	{.name = "wrong_key_reconnected",
	 .more = m_wrong_key_reconnected,
	 .cause = NB_WRONG_KEY,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "401 after the Kerberos token: cannot decrypt the ticket",
	 .text = "; note: the token went over a new connection whose certificate differs (SHA-256 "
		 "bbbb) from the one it was bound to (the server closed the first)"},
	{.name = "epa_below",
	 .more = m_epa_below,
	 .cause = NB_EPA_BELOW,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "Extended Protection Allow, expected Require",
	 .text = "; Extended Protection Allow — below --epa Require: set "
		 "windowsAuthentication/extendedProtection tokenChecking=\"Require\" on this "
		 "server"},
	{.name = "epa_require_ok",
	 .more = m_epa_require,
	 .cause = NB_OK,
	 .state = IWA_OK,
	 .step = 2,
	 .summary = "",
	 .text = "served by web1; Extended Protection Require"},
	{.name = "mutual_failed",
	 .more = m_mutual_failed,
	 .cause = NB_MUTUAL_FAILED,
	 .state = IWA_CRITICAL,
	 .step = 2,
	 .summary = "mutual authentication failed",
	 .text = "the final Negotiate token does not verify: bad AP-REP"},
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* Builds case k's fixture. */
static void fixture_for(const struct eval_case *k, struct fixture *f)
{
	fixture_init(f);
	if (k->failed_step == 1)
		step1_failed(&f->o, k->curl, k->phase);
	else if (k->failed_step == 2)
		step2_failed(&f->o, k->curl, k->phase);
	if (k->curl == CURLE_OPERATION_TIMEDOUT)
		f->o.seconds = 0.1;
	if (k->status1 != 0)
		step1_status(&f->o, k->status1, k->schemes1 != NULL ? k->schemes1 : "");
	if (k->more != NULL)
		k->more(f);
}

/* The case named name. */
static const struct eval_case *case_named(const char *name)
{
	for (size_t i = 0; i < NCASES; i++)
		if (strcmp(cases[i].name, name) == 0)
			return &cases[i];
	fail_msg("no case %s", name);
	return NULL;
}

static void run_case(void **state)
{
	const struct eval_case *k = *state;
	struct fixture f;
	struct nb_verdict v;
	fixture_for(k, &f);
	nb_eval_target(&f.c, &f.t, &f.o, &v);
	if (v.cause != k->cause)
		fail_msg("%s: cause %s, expected %s", k->name, nb_cause_name(v.cause),
			 nb_cause_name(k->cause));
	assert_int_equal(v.state, k->state);
	assert_int_equal(v.step, k->step);
	if (k->summary != NULL)
		assert_string_equal(v.summary, k->summary);
	if (strstr(v.text, k->text) == NULL)
		fail_msg("%s: text '%s' lacks '%s'", k->name, v.text, k->text);
	assert_int_equal(v.mutual,
			 k->cause == NB_OK || k->cause == NB_SLOW || k->cause == NB_EPA_BELOW);
	/* the text starts with the target's label (one line per target in the output) */
	assert_int_equal(strncmp(v.text, f.o.label, strlen(f.o.label)), 0);
	assert_null(strchr(v.text, '\n'));
}

/* The TLS cases name which problem (summary and fix are tls.c's). */
static void test_tls_problem(void **state)
{
	struct fixture f;
	struct nb_verdict v;
	(void)state;
	fixture_for(case_named("tls"), &f);
	nb_eval_target(&f.c, &f.t, &f.o, &v);
	assert_int_equal(v.tls, IWA_TLS_EXPIRED);
	assert_string_equal(v.summary, iwa_tls_problem_summary(IWA_TLS_EXPIRED));
	fixture_for(case_named("tls_ca_file"), &f);
	nb_eval_target(&f.c, &f.t, &f.o, &v);
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

/* The ticket line: enctype, kvno and session key; RC4 is a WARNING with the fix, OK with
 * --allow-rc4. */
static void test_ticket_rc4(void **state)
{
	struct nb_ticket t;
	char text[800];
	(void)state;
	ticket_ok(&t);
	t.enctype = 18;
	t.kvno = 2;
	snprintf(t.enctype_name, sizeof(t.enctype_name), "aes256-cts-hmac-sha1-96");
	snprintf(t.session_name, sizeof(t.session_name), "aes256-cts-hmac-sha1-96");
	assert_int_equal(nb_eval_ticket_enctype(&t, false, text, sizeof(text)), IWA_OK);
	assert_string_equal(text,
			    "aes256-cts-hmac-sha1-96 kvno 2, session key aes256-cts-hmac-sha1-96");
	t.enctype = 23;
	snprintf(t.enctype_name, sizeof(t.enctype_name), "arcfour-hmac");
	snprintf(t.session_name, sizeof(t.session_name), "arcfour-hmac");
	assert_int_equal(nb_eval_ticket_enctype(&t, false, text, sizeof(text)), IWA_WARNING);
	assert_string_equal(text,
			    "the ticket for HTTP/sso.camtest.test is RC4 (arcfour-hmac, session "
			    "key arcfour-hmac, kvno 2): works today, cheap to crack offline, "
			    "breaks when RC4 is switched off; set msDS-SupportedEncryptionTypes "
			    "to 0x18 on the SPN's owner (reset its password first if it predates "
			    "AES keys) and re-export any keytab");
	assert_int_equal(nb_eval_ticket_enctype(&t, true, text, sizeof(text)), IWA_OK);
	assert_string_equal(text, "arcfour-hmac kvno 2, session key arcfour-hmac (RC4 accepted: "
				  "--allow-rc4)");
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
	seen[NB_EPA_TLS_TERMINATED] = seen[NB_EPA_MISMATCH] = seen[NB_EPA_DIFFERS] =
		true; /* test_epa_farm */
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
	struct fixture f;
	(void)state;
	memset(ts, 0, sizeof(ts));
	fixture_init(&f);
	ts[0].obs = f.o;
	snprintf(ts[0].obs.label, sizeof(ts[0].obs.label), "vip");
	ts[0].obs.vip = true;
	snprintf(ts[0].obs.where, sizeof(ts[0].obs.where), "sso.camtest.test:443 (VIP)");
	fixture_for(case_named("wrong_key"), &f);
	ts[1].obs = f.o;
	char *s = render(&f.c, &f.t, ts, 2, 0);
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
	s = render(&f.c, &f.t, ts, 2, 1);
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
	fixture_for(case_named("no_ticket"), &f);
	snprintf(f.t.problem, sizeof(f.t.problem),
		 "no Kerberos ticket for X: the KDC refused it (y)");
	snprintf(f.o.label, sizeof(f.o.label), "vip");
	ts[0].obs = f.o;
	fixture_for(case_named("no_ticket"), &f);
	snprintf(f.t.problem, sizeof(f.t.problem),
		 "no Kerberos ticket for X: the KDC refused it (y)");
	ts[1].obs = f.o;
	s = render(&f.c, &f.t, ts, 2, 0);
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
	struct fixture f;
	(void)state;
	memset(ts, 0, sizeof(ts));
	fixture_for(case_named("unreachable"), &f);
	ts[0].obs = f.o;
	char *s = render(&f.c, &f.t, ts, 1, 1);
	assert_non_null(strstr(s, "NEGOTIATE CRITICAL - 127.0.20.11: connection refused (0/1 "
				  "backends OK) | backends_ok=0;;;0;1 "));
	assert_non_null(strstr(s, " 127.0.20.11_status=0 "));
	assert_non_null(strstr(s, "step 1: HTTP 0, offered: -\n"));
	assert_null(strstr(s, "step 2:"));
	free(s);
}

/* The levels the probes tell, and which probe the load sends next (at most 2 extra). */
static void test_epa_level(void **state)
{
	struct nb_obs o;
	struct nb_cfg cfg;
	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.epa_want = NB_EPA_UNKNOWN;
	healthy(&o);
	/* no probe, bound token accepted: nothing more */
	bound(&o, "aa");
	assert_int_equal(nb_next_probe(&cfg, &o), 0);
	assert_int_equal(nb_epa_level(&cfg, &o), NB_EPA_UNKNOWN);
	/* no probe, bound token refused: once without bindings, then done */
	refused_bound(&o);
	assert_int_equal(nb_next_probe(&cfg, &o), 3);
	probe(&o.unbound, 401);
	assert_int_equal(nb_next_probe(&cfg, &o), 0);
	/* --no-channel-binding: no token was bound, no retry */
	healthy(&o);
	refused_bound(&o);
	assert_int_equal(nb_next_probe(&cfg, &o), 0);
	/* --epa-probe: None (both probes accepted), Allow, Require (one probe) */
	cfg.epa_probe = true;
	healthy(&o);
	bound(&o, "aa");
	assert_int_equal(nb_next_probe(&cfg, &o), 3);
	probe(&o.unbound, 200);
	assert_int_equal(nb_next_probe(&cfg, &o), 4);
	assert_int_equal(nb_epa_level(&cfg, &o), NB_EPA_UNKNOWN);
	probe(&o.wrong, 200);
	assert_int_equal(nb_next_probe(&cfg, &o), 0);
	assert_int_equal(nb_epa_level(&cfg, &o), NB_EPA_NONE);
	o.wrong.status = 401;
	assert_int_equal(nb_epa_level(&cfg, &o), NB_EPA_ALLOW);
	memset(&o.wrong, 0, sizeof(o.wrong));
	o.unbound.status = 401;
	assert_int_equal(nb_next_probe(&cfg, &o), 0);
	assert_int_equal(nb_epa_level(&cfg, &o), NB_EPA_REQUIRE);
	/* a probe that failed in transport tells nothing */
	o.unbound.curl_code = 28;
	assert_int_equal(nb_epa_level(&cfg, &o), NB_EPA_UNKNOWN);
	assert_string_equal(nb_epa_level_name(NB_EPA_REQUIRE), "Require");
	assert_string_equal(nb_epa_level_name(NB_EPA_UNKNOWN), "unknown");
}

/* Evaluates the three targets, then the farm. */
static void eval_three(const struct nb_cfg *cfg, const struct nb_ticket *t, struct nb_target *ts)
{
	for (int i = 0; i < 3; i++)
		nb_eval_target(cfg, t, &ts[i].obs, &ts[i].v);
	nb_eval_farm(cfg, ts, 3);
}

/* The causes that need the whole farm: the VIP's certificate against the backends', a
 * backend's certificate against the others', backends whose levels differ. */
static void test_epa_farm(void **state)
{
	struct nb_target ts[3];
	struct nb_ticket t;
	struct nb_cfg cfg;
	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.epa_want = NB_EPA_UNKNOWN;
	memset(ts, 0, sizeof(ts));
	ticket_ok(&t);
	/* VIP behind a TLS-terminating balancer: its certificate differs, 401 with and without */
	for (int i = 0; i < 3; i++)
		healthy(&ts[i].obs);
	snprintf(ts[0].obs.label, sizeof(ts[0].obs.label), "vip");
	ts[0].obs.vip = true;
	snprintf(ts[1].obs.label, sizeof(ts[1].obs.label), "b1");
	snprintf(ts[2].obs.label, sizeof(ts[2].obs.label), "b2");
	bound(&ts[0].obs, "0f0f");
	refused_bound(&ts[0].obs);
	probe(&ts[0].obs.unbound, 401);
	bound(&ts[1].obs, "aaaa");
	bound(&ts[2].obs, "aaaa");
	eval_three(&cfg, &t, ts);
	assert_int_equal(ts[0].v.cause, NB_EPA_TLS_TERMINATED);
	assert_int_equal(ts[0].v.state, IWA_CRITICAL);
	assert_string_equal(ts[0].v.summary, "the VIP presents another certificate than the "
					     "backends (TLS terminated in front)");
	assert_non_null(strstr(ts[0].v.text, "vip: HTTP 401 to the Kerberos token bound to the "
					     "certificate the VIP presented (SHA-256 0f0f, "
					     "subject CN=sso.camtest.test) — the VIP presents "
					     "another certificate than the backends (b1: SHA-256 "
					     "aaaa"));
	assert_non_null(strstr(ts[0].v.text, "the balancer must pass TCP through, or IIS needs "
					     "the Proxy flag and the SPN list"));
	assert_int_equal(ts[1].v.cause, NB_OK);
	/* the same VIP accepting (None backends): OK with a note */
	healthy(&ts[0].obs);
	snprintf(ts[0].obs.label, sizeof(ts[0].obs.label), "vip");
	ts[0].obs.vip = true;
	bound(&ts[0].obs, "0f0f");
	nb_eval_target(&cfg, &t, &ts[0].obs, &ts[0].v);
	nb_eval_farm(&cfg, ts, 3);
	assert_int_equal(ts[0].v.cause, NB_OK);
	assert_non_null(strstr(ts[0].v.text, "; note: the VIP presents another certificate"));
	/* a backend address that is a TLS-terminating device: mismatch */
	healthy(&ts[0].obs);
	snprintf(ts[0].obs.label, sizeof(ts[0].obs.label), "vip");
	ts[0].obs.vip = true;
	bound(&ts[0].obs, "aaaa");
	bound(&ts[2].obs, "0f0f");
	refused_bound(&ts[2].obs);
	probe(&ts[2].obs.unbound, 401);
	eval_three(&cfg, &t, ts);
	assert_int_equal(ts[0].v.cause, NB_OK);
	assert_int_equal(ts[2].v.cause, NB_EPA_MISMATCH);
	assert_string_equal(ts[2].v.summary,
			    "401 after the token: the channel binding did not match");
	assert_non_null(strstr(ts[2].v.text, "we hashed the certificate this connection presented "
					     "(SHA-256 0f0f, subject CN=sso.camtest.test), "
					     "another one than b1 presents (SHA-256 aaaa)"));
	/* --epa-probe: b1 Allow, b2 Require -> both WARNING, the VIP (None) untouched */
	cfg.epa_probe = true;
	for (int i = 0; i < 3; i++) {
		healthy(&ts[i].obs);
		bound(&ts[i].obs, "aaaa");
	}
	snprintf(ts[0].obs.label, sizeof(ts[0].obs.label), "vip");
	ts[0].obs.vip = true;
	snprintf(ts[1].obs.label, sizeof(ts[1].obs.label), "b1");
	snprintf(ts[2].obs.label, sizeof(ts[2].obs.label), "b2");
	probe(&ts[0].obs.unbound, 200);
	probe(&ts[0].obs.wrong, 200);
	probe(&ts[1].obs.unbound, 200);
	probe(&ts[1].obs.wrong, 401);
	probe(&ts[2].obs.unbound, 401);
	eval_three(&cfg, &t, ts);
	assert_int_equal(ts[0].v.cause, NB_OK);
	assert_int_equal(ts[1].v.cause, NB_EPA_DIFFERS);
	assert_int_equal(ts[1].v.state, IWA_WARNING);
	assert_int_equal(ts[2].v.cause, NB_EPA_DIFFERS);
	assert_string_equal(ts[2].v.summary, "Extended Protection differs (b1 Allow, b2 Require)");
	/* perfdata <label>_epa and the first line */
	struct iwa_check *root = iwa_check_new();
	struct iwa_buf b;
	struct iwa_err err;
	assert_int_equal(nb_render(root, &cfg, &t, ts, 3, 0, &err), 0);
	iwa_buf_init(&b, 0);
	assert_int_equal(iwa_check_render(root, "NEGOTIATE", IWA_FORMAT_TEXT, &b), 0);
	char *s = iwa_buf_take(&b);
	iwa_buf_free(&b);
	iwa_check_free(root);
	assert_non_null(strstr(s, "NEGOTIATE WARNING - b1: Extended Protection differs (b1 Allow, "
				  "b2 Require); b2: "));
	assert_non_null(strstr(s, " vip_epa=0;;;0;2 "));
	assert_non_null(strstr(s, " b1_epa=1;;;0;2 "));
	assert_non_null(strstr(s, " b2_epa=2;;;0;2 "));
	free(s);
	/* --epa Allow: b1 (Allow) and b2 (Require) both meet it: OK, no "differs" (the level
	 * stated is the measure); --epa Require: b1 below it (CRITICAL), b2 OK */
	cfg.epa_want = NB_EPA_ALLOW;
	eval_three(&cfg, &t, ts);
	assert_int_equal(ts[1].v.cause, NB_OK);
	assert_int_equal(ts[2].v.cause, NB_OK);
	assert_int_equal(ts[2].v.state, IWA_OK);
	cfg.epa_want = NB_EPA_REQUIRE;
	eval_three(&cfg, &t, ts);
	assert_int_equal(ts[1].v.cause, NB_EPA_BELOW);
	assert_int_equal(ts[1].v.state, IWA_CRITICAL);
	assert_int_equal(ts[2].v.cause, NB_OK);
	assert_int_equal(ts[2].v.state, IWA_OK);
}

int main(void)
{
	struct CMUnitTest tests[NCASES + 8];
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
	tests[NCASES + 5] = (struct CMUnitTest)cmocka_unit_test(test_ticket_rc4);
	tests[NCASES + 6] = (struct CMUnitTest)cmocka_unit_test(test_epa_level);
	tests[NCASES + 7] = (struct CMUnitTest)cmocka_unit_test(test_epa_farm);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
