/* http.h — libcurl transport for HTTP Negotiate checks, and the pure parsers it needs.
 *
 * Pure part (no I/O, no global state, fuzzable):
 *  - iwa_www_auth_parse(): one WWW-Authenticate field value -> challenge list (RFC 7235
 *    section 4.1 / 2.1: 1#challenge, challenge = auth-scheme [1*SP (token68 / #auth-param)]);
 *  - iwa_http_resp_header(): one raw header line (as libcurl's header callback delivers it)
 *    into a struct iwa_http_resp (status, schemes offered, the Negotiate token, X-Backend);
 *  - base64 (RFC 4648, standard alphabet) for the Negotiate token.
 *
 * I/O part: one curl multi handle drives any number of transfers in parallel. A transfer is
 * bound to one URL and optionally one backend address (CURLOPT_CONNECT_TO
 * "host:port:addr:port", so URL host, TLS SNI, Host header and SPN stay the public name).
 * iwa_http_start() (re)starts a transfer, with or without an Authorization header; when a
 * transfer finishes, iwa_http_run() calls the done callback, which may start the same
 * transfer again (the next step of its exchange). Protocols are limited to http and https,
 * redirects are not followed, TLS verification is on unless `insecure`, each transfer's
 * timeout is the remaining time budget. What a server can make us read is capped (headers,
 * body, Negotiate token: IWA_HTTP_*_MAX below); a transfer ended by a cap says which
 * (resp->cap), and a failed one how far it got (iwa_http_resp_phase). */
#ifndef IWA_HTTP_H
#define IWA_HTTP_H

#include "cbt.h"
#include "iwa.h"
#include "util.h"
#include <stddef.h>

/* ---- WWW-Authenticate (pure) ---- */

#define IWA_AUTH_PARAMS_MAX 8
struct iwa_auth_param {
	const char *name; /* points into the parsed string */
	size_t name_len;
	const char *value; /* raw value; for a quoted-string the text between the quotes, with
			    * backslash escapes left in place */
	size_t value_len;
	bool quoted;
};

struct iwa_auth_challenge {
	const char *scheme; /* points into the parsed string */
	size_t scheme_len;
	const char *token68; /* NULL when the challenge carries none */
	size_t token68_len;
	size_t nparams; /* auth-params seen (only the first IWA_AUTH_PARAMS_MAX are stored) */
	struct iwa_auth_param params[IWA_AUTH_PARAMS_MAX];
};

/* Parses one WWW-Authenticate (or Proxy-Authenticate) field value of len bytes (need not be
 * NUL-terminated). Empty list elements are allowed. [out] out[0..*n_out): the challenges,
 * pointing into s. Returns 0, IWA_EPARSE (malformed; err says where) or IWA_ENOMEM (more
 * than max challenges). */
int iwa_www_auth_parse(const char *s, size_t len, struct iwa_auth_challenge *out, size_t max,
		       size_t *n_out, struct iwa_err *err);

/* Case-insensitive comparison of a challenge's scheme with name. */
bool iwa_auth_scheme_is(const struct iwa_auth_challenge *c, const char *name);

/* ---- base64 (pure) ---- */

/* Encodes len bytes; *out_b64 is malloc'd and NUL-terminated (caller frees). 0 or ENOMEM. */
int iwa_base64_encode(const void *data, size_t len, char **out_b64);
/* Decodes standard base64. Missing '=' padding is accepted; any other character, a
 * misplaced '=', a dangling single character or non-zero trailing bits is IWA_EPARSE.
 * *out_data is malloc'd (caller frees; never NULL on success), *out_len its size. */
int iwa_base64_decode(const char *b64, size_t len, void **out_data, size_t *out_len,
		      struct iwa_err *err);

/* ---- one response ---- */

/* Caps on what one response may make us read or keep: a hostile or broken server cannot
 * make the check use more memory or time than these (each is named in the message that
 * reports it, and in check_negotiate_backend --help). */
#define IWA_HTTP_TOKEN_MAX 65536 /* longest Negotiate token accepted (base64 characters) */
#define IWA_HTTP_TOKEN_MAX_TEXT "64 KiB"
#define IWA_HTTP_HEADERS_MAX (128 * 1024) /* header bytes of one transfer, all lines */
#define IWA_HTTP_HEADERS_MAX_TEXT "128 KiB"
/* libcurl's own limit on one header line (CURL_MAX_HTTP_HEADER); a longer line ends the
 * transfer inside libcurl before our header callback sees it. */
#define IWA_HTTP_HEADER_LINE_MAX_TEXT "100 KiB"
/* body bytes read of one response (the check needs none of them: past this the transfer
 * ends) */
#define IWA_HTTP_BODY_MAX (1024 * 1024)
#define IWA_HTTP_BODY_MAX_TEXT "1 MiB"

/* Which cap ended a transfer. */
enum iwa_http_cap {
	IWA_HTTP_CAP_NONE = 0,
	IWA_HTTP_CAP_HEADERS,     /* more than IWA_HTTP_HEADERS_MAX header bytes */
	IWA_HTTP_CAP_HEADER_LINE, /* one header line over libcurl's limit */
	IWA_HTTP_CAP_BODY,        /* more than IWA_HTTP_BODY_MAX body bytes */
};

/* A server's leaf certificate as a channel binding (cbt.h). */
struct iwa_http_cert {
	bool seen;
	int rc;             /* 0: cbt holds the binding; else IWA_E* (error says why) */
	struct iwa_cbt cbt; /* its tls-server-end-point */
	char error[200];
};

struct iwa_http_resp {
	long status;           /* final status code, 0 when none was received */
	char http_version[16]; /* "HTTP/1.1" */
	char schemes[160];     /* schemes offered in WWW-Authenticate, "Negotiate, NTLM" */
	bool negotiate_offered;
	char *negotiate_token; /* token68 of the Negotiate challenge (base64), malloc'd, or NULL */
	bool negotiate_token_too_long; /* a Negotiate token over IWA_HTTP_TOKEN_MAX was dropped */
	size_t negotiate_token_len;    /* length of the longest Negotiate token seen */
	bool www_auth_malformed;  /* a WWW-Authenticate value did not parse (first token kept) */
	char www_auth_error[128]; /* the parser's reason for the first malformed value */
	char backend[128];        /* X-Backend header value, "" when absent */
	char location[256];       /* Location header value (control bytes as '?'; cut) */
	/* counted while the response arrives: */
	size_t header_bytes;   /* header bytes of this transfer (interim responses included) */
	bool headers_done;     /* the empty line after a final (non-1xx) status's headers came */
	enum iwa_http_cap cap; /* the cap that ended the transfer, or NONE */
	/* set by the transport: */
	int curl_code;          /* CURLcode, 0 = transfer completed */
	char error[256];        /* curl's error text when curl_code != 0 */
	long ssl_verify_result; /* CURLINFO_SSL_VERIFYRESULT */
	char primary_ip[64];    /* the address actually connected to */
	long primary_port;
	double t_namelookup, t_connect, t_appconnect, t_ttfb, t_total; /* seconds */
	bool tcp_connected;        /* the TCP connection was established (even if it then hung) */
	bool tls_done;             /* the TLS handshake completed */
	long new_connections;      /* CURLINFO_NUM_CONNECTS: 0 = the transfer reused a connection */
	struct iwa_http_cert peer; /* the leaf certificate of the new connection (only a new
				    * one has one) */
	size_t body_bytes;         /* bytes received in the body (all, not only the kept ones) */
	char *body;                /* the first body bytes (NUL-terminated, at most body_max) */
	size_t body_len, body_max;
};

/* Initializes r (body kept up to body_max bytes). */
void iwa_http_resp_init(struct iwa_http_resp *r, size_t body_max);
/* Frees what r holds and re-initializes it with the same body cap. */
void iwa_http_resp_reset(struct iwa_http_resp *r);
void iwa_http_resp_free(struct iwa_http_resp *r);
/* Handles one raw header line (with or without CRLF): a status line "HTTP/x nnn ..." starts
 * a new response (1xx interim responses are thus forgotten), "WWW-Authenticate:" values are
 * parsed into schemes/negotiate_token, "X-Backend:" and "Location:" are kept, the empty line
 * after a final status's headers sets headers_done. Every line's bytes count against
 * IWA_HTTP_HEADERS_MAX: returns false (and sets r->cap) once that is exceeded — the caller
 * then stops the transfer. Pure; bad lines are ignored or flagged. */
bool iwa_http_resp_header(struct iwa_http_resp *r, const char *line, size_t len);

/* How far a transfer got: the step that was running when it failed or timed out. */
enum iwa_http_phase {
	IWA_HTTP_PHASE_CONNECT, /* no TCP connection yet */
	IWA_HTTP_PHASE_TLS,     /* TCP connected, the TLS handshake did not finish */
	IWA_HTTP_PHASE_WAIT,    /* request sent, the answer's headers did not all arrive */
	IWA_HTTP_PHASE_BODY,    /* headers received, the body did not end */
};
/* Pure: from r's progress flags; https says whether a TLS handshake belongs to the way. */
enum iwa_http_phase iwa_http_resp_phase(const struct iwa_http_resp *r, bool https);

/* ---- the server's Negotiate token (pure) ---- */

/* Decodes a server's Negotiate token (base64) and checks its outer shape: a SPNEGO
 * NegTokenResp ([1], 0xa1) or a GSS-API InitialContextToken ([APPLICATION 0], 0x60), one
 * DER element whose length is exactly the decoded size. err says "not base64 (...)" or
 * "not a SPNEGO token (...)". [out] *out_data malloc'd (caller frees), *out_len.
 * Returns 0 or IWA_EPARSE / IWA_ENOMEM. */
int iwa_negotiate_token_decode(const char *b64, size_t len, void **out_data, size_t *out_len,
			       struct iwa_err *err);

/* ---- TLS failures (pure) ---- */

/* One cause for a failed TLS setup, shared by a summary and its detail line. */
enum iwa_tls_problem {
	IWA_TLS_NONE = 0,      /* not a TLS failure */
	IWA_TLS_NAME_MISMATCH, /* the certificate does not name the URL's host */
	IWA_TLS_UNTRUSTED,     /* no trusted CA issued it (unknown issuer) */
	IWA_TLS_SELF_SIGNED,   /* self-signed leaf or root not in the trust store */
	IWA_TLS_EXPIRED,
	IWA_TLS_NOT_YET_VALID,
	IWA_TLS_REVOKED,
	IWA_TLS_VERIFY_OTHER, /* another verification failure (see the error text) */
	IWA_TLS_CA_FILE,      /* our CA file could not be loaded (our mistake) */
	IWA_TLS_HANDSHAKE,    /* the handshake itself failed (protocol, cipher, reset) */
};
/* Classifies a failed transfer from its CURLcode, CURLINFO_SSL_VERIFYRESULT (an OpenSSL
 * X509_V_ERR_* value) and libcurl's error text (which names a host name mismatch). */
enum iwa_tls_problem iwa_tls_classify(int curl_code, long verify_result, const char *errtext);
/* A libcurl built with GnuTLS reports GnuTLS's certificate status mask as its verify result:
 * the OpenSSL X509_V_ERR_* value iwa_tls_classify() reads for it (0 for 0, the first problem
 * that applies, X509_V_ERR_UNSPECIFIED for bits it does not name), and *why (when not NULL)
 * that problem in words ("its issuer is not a trusted CA"; NULL for 0 or an unnamed bit). */
long iwa_tls_gnutls_status(unsigned long status, const char **why);
/* "TLS certificate name mismatch", ... (NULL for IWA_TLS_NONE). */
const char *iwa_tls_problem_summary(enum iwa_tls_problem p);
/* What to do about it, one clause (NULL for IWA_TLS_NONE). */
const char *iwa_tls_problem_fix(enum iwa_tls_problem p);

/* ---- transport (libcurl multi) ---- */

struct iwa_http_opts {
	const char *ca_file;    /* NULL: system trust store; else only these CAs (tls.h) */
	bool insecure;          /* no peer/host verification */
	size_t body_max;        /* body bytes kept per response (default 4096 when 0) */
	const char *user_agent; /* NULL: "iwa-plugins" */
	double deadline;        /* the run's (iwa_now() seconds, from ctx.h); 0: the armed budget */
};

struct iwa_http;
struct iwa_http_xfer;

/* A new transport. Returns 0 or IWA_ENOMEM/IWA_EIO. */
int iwa_http_new(const struct iwa_http_opts *opts, struct iwa_http **out, struct iwa_err *err);
/* A transfer for url, connecting to connect_to ("host:port:addr:port", NULL = the URL's own
 * resolution). user is handed back to the done callback. The transfer is owned by h.
 * Returns 0 or IWA_ENOMEM/IWA_EINVAL. */
int iwa_http_xfer_new(struct iwa_http *h, const char *url, const char *connect_to, void *user,
		      struct iwa_http_xfer **out, struct iwa_err *err);
/* Starts a GET on x (x must not be running): the previous response is reset; authorization,
 * when not NULL, is sent as "Authorization: <authorization>". Timeouts = the remaining
 * time left before the transport's deadline (opts.deadline). Returns 0 or IWA_EIO/IWA_ETIMEOUT. */
int iwa_http_start(struct iwa_http_xfer *x, const char *authorization, struct iwa_err *err);
/* The response of x's last (finished or running) request. */
const struct iwa_http_resp *iwa_http_xfer_resp(const struct iwa_http_xfer *x);
void *iwa_http_xfer_user(const struct iwa_http_xfer *x);

/* Called when a transfer finishes (successfully or not: see resp->curl_code). */
typedef void (*iwa_http_done_fn)(struct iwa_http_xfer *x, void *arg);
/* Drives all started transfers until none is running; calls done for each finished one
 * (done may call iwa_http_start() to continue). Returns 0, or IWA_EIO on a multi error. */
int iwa_http_run(struct iwa_http *h, iwa_http_done_fn done, void *arg, struct iwa_err *err);
/* Frees h and all its transfers. Accepts NULL. */
void iwa_http_free(struct iwa_http *h);

/* Builds "host:port:addr:port" for CURLOPT_CONNECT_TO; addr may be an IPv6 literal (it is
 * bracketed). Returns 0 or IWA_EINVAL (too long). Pure. */
int iwa_http_connect_to(const char *url_host, unsigned url_port, const char *addr, unsigned port,
			char *buf, size_t len, struct iwa_err *err);

#endif
