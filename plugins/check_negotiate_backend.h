/* check_negotiate_backend.h — the check_negotiate_backend module: the configuration, the
 * option parsers (check_negotiate_backend_opts.c, pure, unit-tested), the load
 * (check_negotiate_backend_run.c: credentials, ticket, HTTP; records what each target
 * answered in a struct nb_obs) and the evaluation (check_negotiate_backend_eval.c, pure,
 * unit-tested: nb_obs + cfg -> struct nb_verdict with a cause code; the result tree).
 *
 * Another program (check_iwa_farm) runs the same check with nb_run_verdicts() and reads the
 * per-target verdicts (label, address, cause code, state, text) from a struct nb_result.
 *
 * Adding a cause: a value in enum nb_cause (and its name in nb_cause_name), the branch that
 * finds it in nb_eval_target, and its case in tests/unit/test_negotiate_eval.c (the test fails
 * for a cause without a case). */
#ifndef CHECK_NEGOTIATE_BACKEND_H
#define CHECK_NEGOTIATE_BACKEND_H

#include "iwa.h"
#include "krb.h"
#include <stdint.h>
#include "plugin.h"
#include "range.h"
#include "http.h"
#include "tls.h"

#define MAX_BACKENDS 32
#define MAX_EXPECT 16
#define VIP_LABEL "vip"

enum nb_opt {
	OPT_NO_VIP = IWA_OPT_PLUGIN,
	OPT_SPN,
	OPT_REALM,
	OPT_REQUIRE_MUTUAL,
	OPT_ALLOW_RC4,
	OPT_NO_CHANNEL_BINDING,
	OPT_EPA_PROBE,
	OPT_EPA,
	OPT_SPN_FROM,
};

/* --spn-from: which SPNs browsers will ask for when the URL's host is a DNS alias. */
enum nb_spn_from {
	NB_SPN_FROM_DEFAULT = 0, /* both when the host is an alias, else the typed name */
	NB_SPN_FROM_TYPED,       /* HTTP/<host as typed> (Firefox) */
	NB_SPN_FROM_CANONICAL,   /* HTTP/<end of the CNAME chain> (Chrome/Edge) */
	NB_SPN_FROM_BOTH,
};

/* Extended Protection (IIS extendedProtection tokenChecking), as --epa-probe tells it. */
enum nb_epa_level {
	NB_EPA_UNKNOWN = -1, /* not probed, or the answers do not tell */
	NB_EPA_NONE = 0,     /* bindings ignored: a wrong one is accepted */
	NB_EPA_ALLOW = 1,    /* a wrong binding refused, a token without bindings accepted */
	NB_EPA_REQUIRE = 2,  /* a token without (matching) bindings refused */
};
/* "None", "Allow", "Require" ("unknown" for NB_EPA_UNKNOWN). */
const char *nb_epa_level_name(enum nb_epa_level l);

/* Longest -B argument: "<it>_status" must still fit a perfdata label (127 characters). */
#define NB_BACKEND_ARG_MAX 120

struct backend {
	char label[128]; /* as given with -B */
	char addr[128];  /* host name or address, IPv6 without brackets */
	unsigned port;   /* 0 = the URL's port */
};

struct code_range {
	unsigned lo, hi;
};

struct nb_cfg {
	const char *url;
	char *url_host; /* from curl_url, lower-cased */
	unsigned url_port;
	bool https;
	struct backend backends[MAX_BACKENDS];
	size_t nbackends;
	bool no_vip;
	const char *spn;
	const char *realm;
	bool allow_rc4; /* --allow-rc4: an RC4 ticket is OK, not WARNING */
	struct iwa_krb_opts krb;
	struct iwa_tls_opts tls;
	struct code_range expect[MAX_EXPECT];
	size_t nexpect;
	char expect_text[128];
	struct iwa_thresholds th;
	bool require_mutual;
	bool no_channel_binding;    /* --no-channel-binding: tokens carry no bindings */
	bool epa_probe;             /* --epa-probe (or --epa): tell each target's level */
	enum nb_epa_level epa_want; /* --epa LEVEL; NB_EPA_UNKNOWN when not given */
	enum nb_spn_from spn_from;
};

/* ------------------------------------------------------------------ cause codes */

/* Why a target (or the run's ticket) got its state: one value per distinct cause the check
 * names. Stable names (nb_cause_name) for correlation across checks. */
enum nb_cause {
	NB_OK = 0, /* Kerberos accepted, mutual authentication verified */
	NB_SLOW,   /* otherwise fine (or WARNING) but outside -w/-c */
	/* the run's service ticket (struct nb_ticket.cause) */
	NB_TICKET_SPN_UNKNOWN, /* the KDC knows no unique account for the SPN */
	NB_TICKET_CLOCK_SKEW,  /* clock skew between us and the KDC */
	NB_TICKET_REFUSED,     /* the KDC refused the ticket otherwise */
	/* before any answer, our side */
	NB_NO_TIME,      /* no time left to start a request */
	NB_TOKEN_FAILED, /* we could not make a Kerberos token (UNKNOWN) */
	NB_INTERNAL,     /* the exchange did not end (internal error, UNKNOWN) */
	/* transport */
	NB_HEADERS_TOO_LARGE, /* header cap (all headers or one line) */
	NB_BODY_TOO_LARGE,    /* body cap */
	NB_TIMEOUT_CONNECT,   /* no TCP connection in time */
	NB_TIMEOUT_TLS,       /* TCP accepted, TLS handshake unanswered */
	NB_TIMEOUT_ANSWER,    /* no answer to the first request */
	NB_TIMEOUT_TOKEN,     /* no answer to the request with the Kerberos token */
	NB_TIMEOUT_BODY,      /* the body did not end */
	NB_TLS_CA_FILE,       /* our --ca-file cannot be used (UNKNOWN) */
	NB_TLS,               /* a TLS failure of the server (nb_verdict.tls says which) */
	NB_UNREACHABLE,       /* connection refused */
	NB_NO_RESOLVE,        /* the name does not resolve */
	NB_CLOSED,            /* connection closed without an answer */
	NB_HTTP_FAILED,       /* another transfer failure */
	/* step 1: the first answer */
	NB_NO_AUTH_SCHEME,    /* 401 without any WWW-Authenticate */
	NB_NO_NEGOTIATE,      /* 401 without Negotiate (Kerberos off) */
	NB_NO_TICKET,         /* 401 Negotiate, not tested: the run has no ticket (UNKNOWN) */
	NB_HTTP_503,          /* 503 (either step): application pool stopped */
	NB_REDIRECT,          /* 3xx instead of 401 */
	NB_ANONYMOUS,         /* 2xx without asking for authentication */
	NB_UNEXPECTED_STATUS, /* another status before authentication */
	/* step 2: the answer to the Kerberos token */
	NB_CLOCK_SKEW,             /* 401, the server's KRB-ERROR says clock skew */
	NB_WRONG_KEY,              /* 401: the backend cannot decrypt the ticket */
	NB_NO_KEY_ENCTYPE,         /* 401, KRB_AP_ERR_BADKEYVER/NOKEY: no key of the ticket's
				    * enctype and kvno in the backend's keytab */
	NB_NO_KEY_KVNO,            /* the same with an AES ticket whose kvno the keytab predates
				    * (old keytab after a password change) */
	NB_UNEXPECTED_STATUS_AUTH, /* a status outside -e after authentication */
	NB_TOKEN_TOO_LARGE,        /* the final Negotiate token is over the cap */
	NB_INVALID_TOKEN,          /* the final Negotiate token does not parse */
	NB_NO_MUTUAL,              /* no final token (WARNING, CRITICAL with --require-mutual) */
	NB_MUTUAL_FAILED,          /* the final token does not verify */
	/* Extended Protection (channel bindings) */
	NB_EPA_TLS_TERMINATED, /* the VIP presents another certificate than the backends */
	NB_EPA_REENCRYPTED,    /* correct binding refused, none accepted: TLS re-encrypted */
	NB_EPA_MISMATCH,       /* 401 with and without bindings; another certificate hashed */
	NB_EPA_BELOW,          /* --epa LEVEL: the target's level is lower */
	NB_EPA_DIFFERS,        /* the backends of the farm differ in level (WARNING) */
	NB_CAUSE_COUNT
};
/* "ok", "wrong_key", ... (lower-case, stable); "?" for a value out of range. */
const char *nb_cause_name(enum nb_cause c);

/* ------------------------------------------------------------------ observations (load) */

/* What one step's transfer brought back: raw facts, no judgement. Step 1 is the first
 * request (expecting 401 Negotiate), step 2 the request with the Kerberos token. */
struct nb_step_obs {
	bool answered; /* the transfer finished (see curl_code for how) */
	long status;   /* final status received (0: none) */
	char schemes[160];
	bool negotiate_offered;
	bool token; /* a Negotiate token came with the answer */
	bool token_too_long;
	size_t token_len;
	bool www_auth_malformed;
	char www_auth_error[128];
	char location[256];
	int curl_code; /* 0: the transfer completed */
	char error[256];
	long ssl_verify_result;
	enum iwa_http_cap cap;
	enum iwa_http_phase phase; /* how far it got (iwa_http_resp_phase) */
	size_t header_bytes, body_bytes;
	double ttfb;
};

/* What went wrong on our side while making the Kerberos token or starting a request. */
enum nb_local {
	NB_LOCAL_NONE = 0,
	NB_LOCAL_NO_TIME,  /* a request could not start: no time left (local_error) */
	NB_LOCAL_GSS,      /* GSS-API could not make the token (local_error) */
	NB_LOCAL_NO_TOKEN, /* GSS-API produced no token */
	NB_LOCAL_NOMEM,
};

/* The result of feeding the server's final token to our GSS-API context. */
enum nb_verify {
	NB_VERIFY_NONE = 0,   /* not tried (no token, or no context) */
	NB_VERIFY_OK,         /* complete, mutual authentication granted */
	NB_VERIFY_NOT_SPNEGO, /* not base64 / not a SPNEGO token (verify_why) */
	NB_VERIFY_REFUSED,    /* GSS-API refused it or did not complete (verify_why) */
};

/* One extra request of the channel-binding checks: a token without bindings ("none", also
 * sent once when the bound token got 401) or with a wrong binding. */
struct nb_probe_obs {
	bool tried;    /* the request was started */
	bool answered; /* it finished (curl_code says how) */
	long status;
	int curl_code;
};

/* Everything the load recorded about one target. */
struct nb_obs {
	char label[128]; /* "vip" or the -B argument */
	bool vip;
	char addr[128]; /* host or address connected to (the URL's host for the VIP) */
	unsigned port;
	char where[200];      /* "127.0.20.11:443" or "sso.camtest.test:443 (VIP)" */
	char connect_to[400]; /* CURLOPT_CONNECT_TO ("" for the VIP) */
	int steps;            /* the last step started: 0, 1 or 2 */
	bool finished;        /* the exchange ended (false: internal error) */
	struct nb_step_obs step[2];
	enum nb_local local;
	int local_step; /* the step (1 or 2) local refers to */
	char local_error[1024];
	enum nb_verify verify;
	char verify_why[800];
	char gss_error[512];    /* the mechanism's text for the last failed step ("" if none) */
	bool peer_skew;         /* the server's KRB-ERROR said KRB_AP_ERR_SKEW */
	int32_t peer_krb_error; /* error-code of a KRB-ERROR in the server's 401 token (0: none) */
	double seconds;         /* start of step 1 to the end of the exchange */
	double ttfb, t_connect, t_tls; /* last seen (0: never) */
	char served_by[128];           /* X-Backend, last seen */
	char ip[64];                   /* address actually connected to, last seen */
	long ip_port;
	/* channel bindings (RFC 5929 tls-server-end-point of the leaf this connection showed) */
	bool cert;                    /* the first connection's leaf certificate was read */
	char cert_subject[256];       /* its subject (RFC 2253) */
	char cert_hash_name[16];      /* "SHA-256" */
	char cert_hash_hex[129];      /* the hash bound to */
	char cert_error[256];         /* why no binding could be computed ("" if none) */
	bool cb_sent;                 /* the step-2 token carried the binding */
	bool reconnected;             /* step 2 went over a new connection (a new handshake) */
	char reconnect_hash_hex[129]; /* that connection's certificate hash when it differs from
				       * the one bound ("" when the same or unknown) */
	struct nb_probe_obs unbound, wrong;
};

/* The run's service ticket, as the evaluation needs it. */
struct nb_ticket {
	bool ok;
	enum nb_cause cause; /* NB_OK or NB_TICKET_* */
	char principal[600]; /* HTTP/host@REALM asked for */
	char spn_short[600]; /* for messages */
	char problem[900];   /* the ticket failure in words ("" when ok) */
	int32_t enctype;     /* the ticket's enc-part enctype (0: unknown) */
	int32_t session_enctype;
	unsigned kvno;
	char enctype_name[64], session_name[64];
	double seconds; /* time to get it (perfdata ticket_time) */
};

/* ------------------------------------------------------------------ verdicts (eval) */

struct nb_verdict {
	enum nb_cause cause;
	enum iwa_state state;
	int step;                 /* the step the cause was seen in: 0 (before any), 1 or 2 */
	enum iwa_tls_problem tls; /* for NB_TLS / NB_TLS_CA_FILE */
	bool mutual;              /* mutual authentication verified */
	enum nb_epa_level epa;    /* --epa-probe: the level told (NB_EPA_UNKNOWN otherwise) */
	char summary[400];        /* short cause for the first line ("" when OK) */
	char text[1400];          /* the target's line of long output */
};

/* One target of a run: what was observed and what the evaluation made of it. */
struct nb_target {
	struct nb_obs obs;
	struct nb_verdict v;
};

/* A run's results, for a program that runs the check itself (nb_run_verdicts). */
struct nb_result {
	struct nb_ticket ticket;
	size_t n;
	struct nb_target *targets; /* malloc'd, n of them (VIP first, then -B order) */
};
void nb_result_free(struct nb_result *r);

struct iwa_gss_ticket;
/* Pure: the service ticket failure in words (tk->fail, tk->kdc_message) into t->problem and
 * t->cause; t->principal and t->spn_short must be set. */
void nb_eval_ticket(const struct iwa_gss_ticket *tk, struct nb_ticket *t);
/* Pure: the ticket node's state and text: its enctype and session key; an RC4 ticket is a
 * WARNING with the fix (OK with allow_rc4). */
enum iwa_state nb_eval_ticket_enctype(const struct nb_ticket *t, bool allow_rc4, char *text,
				      size_t len);
/* Pure: whether the first answer leads to step 2 (401 Negotiate and the run has a ticket);
 * the load sends a token exactly then. */
bool nb_wants_token(const struct nb_ticket *tkt, const struct nb_step_obs *s1);
/* Pure: the extra request the load sends next after the bound token's answer (step 2) and
 * the probes so far: 3 = a token without bindings (after a 401 to the bound token, or
 * --epa-probe), 4 = a token with a wrong binding (--epa-probe, when the first two were
 * accepted), 0 = none. At most 2 extra requests per target. */
int nb_next_probe(const struct nb_cfg *cfg, const struct nb_obs *o);
/* Pure: one target's verdict from what was observed, the run's ticket and cfg (-e, -w/-c,
 * --require-mutual, --ca-file). */
void nb_eval_target(const struct nb_cfg *cfg, const struct nb_ticket *tkt, const struct nb_obs *o,
		    struct nb_verdict *v_out);
/* Pure: the target's Extended Protection level from its observations (correct, none and
 * wrong binding answers); NB_EPA_UNKNOWN when the answers do not tell. */
enum nb_epa_level nb_epa_level(const struct nb_cfg *cfg, const struct nb_obs *o);
/* Pure: the causes that need every target (VIP certificate versus the backends', levels that
 * differ): adjusts the verdicts of ts[0..n) in place. */
void nb_eval_farm(const struct nb_cfg *cfg, struct nb_target *ts, size_t n);
/* Pure: adds one node per target (with -v detail), the perfdata and the first line to root
 * (after the ticket's node). Returns 0 or IWA_ENOMEM. */
int nb_render(struct iwa_check *root, const struct nb_cfg *cfg, const struct nb_ticket *tkt,
	      const struct nb_target *ts, size_t n, int verbose, struct iwa_err *err);

/* ------------------------------------------------------------------ DNS aliases */

/* One SPN that browsers ask for, and what every target answered with its ticket. */
struct nb_spn_run {
	const char *who; /* "Chrome/Edge" (the canonical name) or "Firefox" (as typed) */
	bool canonical;
	struct nb_ticket tkt;
	struct nb_target *ts;
	size_t n;
};

/* Pure: which SPNs to ask for: the canonical name's and/or the typed one's (--spn-from,
 * whether the host is an alias; for a name that is no alias only the typed one). */
void nb_spn_plan(enum nb_spn_from f, bool alias, bool *canonical, bool *typed);
/* Pure: the state of run i's failed ticket: WARNING when the KDC knows no account for its
 * SPN while another run's browsers are fully served (they fall back to NTLM, the others
 * get Kerberos), else CRITICAL. */
enum iwa_state nb_spn_ticket_state(const struct nb_spn_run *r, size_t nr, size_t i);
/* Pure: the "DNS" node: the chain and which clients ask for which SPN. */
int nb_render_dns(struct iwa_check *root, const char *typed, const char *canonical,
		  const char *chain_text, struct iwa_err *err);
/* Pure: one group node per run under root ("Chrome/Edge (HTTP/x)") into groups[]. */
int nb_alias_groups(struct iwa_check *root, const struct nb_spn_run *r, size_t nr,
		    struct iwa_check **groups, struct iwa_err *err);
/* Pure: the targets of each run under its group, the group's text and state, the DNS node,
 * perfdata (the typed run's as without an alias, canonical_backends_ok and
 * canonical_ticket_time for the other) and the first line "Chrome/Edge: OK, Firefox: falls
 * back to NTLM (no HTTP/x)". */
int nb_render_alias(struct iwa_check *root, const struct nb_cfg *cfg, const char *canonical,
		    const char *chain_text, const struct nb_spn_run *r, size_t nr,
		    struct iwa_check **groups, int verbose, struct iwa_err *err);

/* Runs the check as nb_run does (filling root the same way) and, when out is not NULL, hands
 * over the per-target verdicts (*out: free with nb_result_free; set only on success, and
 * then also when the ticket failed). Returns 0 or a negative error (our own problem). */
int nb_run_verdicts(struct iwa_ctx *ctx, const struct nb_cfg *cfg, struct iwa_check *root,
		    struct nb_result *out, struct iwa_err *err);

/* Parses and checks the public URL (http or https, a host, no credentials) into cfg. */
int nb_parse_url(struct nb_cfg *cfg, const char *arg, struct iwa_err *err);
/* Parses -B ADDR[:PORT] ("host", "host:port", "[v6]", "[v6]:port", bare IPv6). */
int nb_parse_backend(const char *arg, struct backend *b, struct iwa_err *err);
/* Parses -e "200,301-399" into cfg->expect. */
int nb_parse_expect(struct nb_cfg *cfg, const char *arg, struct iwa_err *err);
/* The iwa_plugin callbacks. */
int nb_opt(void *vcfg, int opt, const char *arg, struct iwa_err *err);
int nb_validate(void *vcfg, const struct iwa_common_opts *common, struct iwa_err *err);
int nb_run(struct iwa_ctx *ctx, void *vcfg, struct iwa_check *root, struct iwa_err *err);
/* The defaults (all zero) for the module table. */
void nb_cfg_init(void *cfg);
/* The module: option table, help, validate and run (check_negotiate_backend.c). */
extern const struct iwa_plugin nb_check;
/* Frees what nb_parse_url allocated. */
void nb_cfg_free(struct nb_cfg *cfg);

#endif
