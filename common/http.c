/* http.c — WWW-Authenticate/base64 parsers (pure) and the libcurl multi transport (http.h). */
#include "http.h"
#include "budget.h"
#include "cbt.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ======================= pure part ======================= */

static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_token68_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("-._~+/", c) != NULL;
}

static bool is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static size_t skip_ows(const char *s, size_t len, size_t i)
{
	while (i < len && is_ows((unsigned char)s[i]))
		i++;
	return i;
}

static size_t skip_token(const char *s, size_t len, size_t i)
{
	while (i < len && is_tchar((unsigned char)s[i]))
		i++;
	return i;
}

/* Tries token68 at i: 1*token68char *"=" followed by OWS then end or ','. Returns the end
 * of the token68 (exclusive) or 0 when the text there is not a token68. */
static size_t try_token68(const char *s, size_t len, size_t i)
{
	size_t j = i;
	while (j < len && is_token68_char((unsigned char)s[j]))
		j++;
	if (j == i)
		return 0;
	while (j < len && s[j] == '=')
		j++;
	size_t k = skip_ows(s, len, j);
	if (k < len && s[k] != ',')
		return 0;
	return j;
}

/* Parses one auth-param value (token or quoted-string) at i. On success sets *end (the
 * first byte after it) and the value fields of p; returns false when malformed. */
static bool parse_param_value(const char *s, size_t len, size_t i, size_t *end,
			      struct iwa_auth_param *p)
{
	if (i < len && s[i] == '"') {
		size_t j = i + 1;
		while (j < len && s[j] != '"') {
			unsigned char c = (unsigned char)s[j];
			if (c == '\\') {
				if (j + 1 >= len)
					return false;
				j += 2;
				continue;
			}
			/* qdtext: HTAB, SP, %x21, %x23-5B, %x5D-7E, obs-text */
			if (c < 0x20 && c != '\t')
				return false;
			if (c == 0x7f)
				return false;
			j++;
		}
		if (j >= len)
			return false;
		p->value = s + i + 1;
		p->value_len = j - i - 1;
		p->quoted = true;
		*end = j + 1;
		return true;
	}
	size_t j = skip_token(s, len, i);
	if (j == i)
		return false;
	p->value = s + i;
	p->value_len = j - i;
	p->quoted = false;
	*end = j;
	return true;
}

/* RFC 7235 challenge list. A list element is either a new challenge (a token not followed
 * by '=') or another auth-param of the current one (token BWS '='); after an auth-scheme and
 * 1*SP come a token68 or the first auth-param. */
int iwa_www_auth_parse(const char *s, size_t len, struct iwa_auth_challenge *out, size_t max,
		       size_t *n_out, struct iwa_err *err)
{
	size_t n = 0, i = 0;
	struct iwa_auth_challenge *cur = NULL;

	if (s == NULL && len > 0)
		return iwa_err_set(err, IWA_EINVAL, "no input");
	for (;;) {
		/* skip empty list elements */
		while (i < len && (is_ows((unsigned char)s[i]) || s[i] == ','))
			i++;
		if (i >= len)
			break;
		size_t tok = i;
		i = skip_token(s, len, i);
		if (i == tok)
			return iwa_err_set(err, IWA_EPARSE,
					   "unexpected character 0x%02x at offset %zu",
					   (unsigned char)s[tok], tok);
		size_t after = skip_ows(s, len, i);
		if (after < len && s[after] == '=') {
			/* auth-param of the current challenge */
			if (cur == NULL)
				return iwa_err_set(err, IWA_EPARSE,
						   "auth-param at offset %zu before any scheme",
						   tok);
			if (cur->token68 != NULL)
				return iwa_err_set(err, IWA_EPARSE,
						   "auth-param at offset %zu after a token68", tok);
			struct iwa_auth_param p = {s + tok, i - tok, NULL, 0, false};
			size_t v = skip_ows(s, len, after + 1), end;
			if (!parse_param_value(s, len, v, &end, &p))
				return iwa_err_set(err, IWA_EPARSE,
						   "bad auth-param value at offset %zu", v);
			if (cur->nparams < IWA_AUTH_PARAMS_MAX)
				cur->params[cur->nparams] = p;
			cur->nparams++;
			i = skip_ows(s, len, end);
			if (i < len && s[i] != ',')
				return iwa_err_set(err, IWA_EPARSE, "expected ',' at offset %zu",
						   i);
			continue;
		}
		/* a new challenge: auth-scheme */
		if (n >= max)
			return iwa_err_set(err, IWA_ENOMEM, "more than %zu challenges", max);
		cur = &out[n++];
		memset(cur, 0, sizeof(*cur));
		cur->scheme = s + tok;
		cur->scheme_len = i - tok;
		if (after >= len || s[after] == ',') {
			i = after;
			continue;
		}
		if (after == i)
			return iwa_err_set(err, IWA_EPARSE,
					   "unexpected character 0x%02x at offset %zu",
					   (unsigned char)s[i], i);
		/* 1*SP then token68 or auth-param */
		i = after;
		size_t t68 = try_token68(s, len, i);
		if (t68 != 0) {
			/* "a=b" is an auth-param, not a token68: try_token68 refuses it because the
			 * '=' run is followed by a non-',' character. */
			cur->token68 = s + i;
			cur->token68_len = t68 - i;
			i = skip_ows(s, len, t68);
			continue;
		}
		/* first auth-param: handled by the next loop round (token BWS '=') */
		size_t pt = skip_token(s, len, i);
		if (pt == i || skip_ows(s, len, pt) >= len || s[skip_ows(s, len, pt)] != '=')
			return iwa_err_set(err, IWA_EPARSE,
					   "expected token68 or auth-param at offset %zu", i);
	}
	*n_out = n;
	return 0;
}

bool iwa_auth_scheme_is(const struct iwa_auth_challenge *c, const char *name)
{
	size_t l = strlen(name);
	return c != NULL && c->scheme_len == l && strncasecmp(c->scheme, name, l) == 0;
}

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int iwa_base64_encode(const void *data, size_t len, char **out_b64)
{
	const unsigned char *d = data;
	if (len > (SIZE_MAX / 4) * 3 - 3)
		return IWA_ENOMEM;
	size_t olen = ((len + 2) / 3) * 4;
	char *o = malloc(olen + 1);
	if (o == NULL)
		return IWA_ENOMEM;
	size_t j = 0;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)d[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)d[i + 1] << 8;
		if (i + 2 < len)
			v |= d[i + 2];
		o[j++] = b64_alphabet[(v >> 18) & 63];
		o[j++] = b64_alphabet[(v >> 12) & 63];
		o[j++] = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
		o[j++] = i + 2 < len ? b64_alphabet[v & 63] : '=';
	}
	o[j] = '\0';
	*out_b64 = o;
	return 0;
}

int iwa_base64_decode(const char *b64, size_t len, void **out_data, size_t *out_len,
		      struct iwa_err *err)
{
	size_t datalen = len, pad = 0;
	while (datalen > 0 && b64[datalen - 1] == '=') {
		datalen--;
		pad++;
	}
	if (pad > 2)
		return iwa_err_set(err, IWA_EPARSE, "base64: too much padding");
	if (pad > 0 && len % 4 != 0)
		return iwa_err_set(err, IWA_EPARSE, "base64: padding at a wrong place");
	if (datalen % 4 == 1)
		return iwa_err_set(err, IWA_EPARSE, "base64: truncated (dangling character)");
	if (pad > 0 && (4 - datalen % 4) % 4 != pad)
		return iwa_err_set(err, IWA_EPARSE, "base64: wrong padding");
	unsigned char *o = malloc(datalen / 4 * 3 + 3);
	if (o == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	size_t j = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < datalen; i++) {
		int v = iwa_base64_value((unsigned char)b64[i]);
		if (v < 0) {
			free(o);
			return iwa_err_set(err, IWA_EPARSE, "base64: bad character at offset %zu",
					   i);
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[j++] = (unsigned char)((acc >> bits) & 0xff);
		}
	}
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
		free(o);
		return iwa_err_set(err, IWA_EPARSE, "base64: non-zero trailing bits");
	}
	*out_data = o;
	*out_len = j;
	return 0;
}

void iwa_http_resp_init(struct iwa_http_resp *r, size_t body_max)
{
	memset(r, 0, sizeof(*r));
	r->body_max = body_max;
}

/* Forgets what the headers said (a new status line starts a new response). */
static void resp_clear_headers(struct iwa_http_resp *r)
{
	r->status = 0;
	r->http_version[0] = '\0';
	r->schemes[0] = '\0';
	r->negotiate_offered = false;
	free(r->negotiate_token);
	r->negotiate_token = NULL;
	r->negotiate_token_too_long = false;
	r->negotiate_token_len = 0;
	r->www_auth_malformed = false;
	r->www_auth_error[0] = '\0';
	r->backend[0] = '\0';
	r->location[0] = '\0';
	r->headers_done = false;
}

void iwa_http_resp_free(struct iwa_http_resp *r)
{
	if (r == NULL)
		return;
	free(r->negotiate_token);
	free(r->body);
	r->negotiate_token = NULL;
	r->body = NULL;
}

void iwa_http_resp_reset(struct iwa_http_resp *r)
{
	size_t max = r->body_max;
	iwa_http_resp_free(r);
	iwa_http_resp_init(r, max);
}

/* Adds a scheme name to r->schemes unless already listed (case-insensitive). */
static void add_scheme(struct iwa_http_resp *r, const char *s, size_t len)
{
	const char *p = r->schemes;
	while (*p != '\0') {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == len && strncasecmp(p, s, len) == 0)
			return;
		if (e == NULL)
			break;
		p = e + 2;
	}
	size_t used = strlen(r->schemes);
	size_t need = len + (used ? 2 : 0);
	if (used + need + 1 > sizeof(r->schemes))
		return;
	if (used) {
		memcpy(r->schemes + used, ", ", 2);
		used += 2;
	}
	memcpy(r->schemes + used, s, len);
	r->schemes[used + len] = '\0';
}

/* Handles one WWW-Authenticate value. */
static void handle_www_auth(struct iwa_http_resp *r, const char *v, size_t len)
{
	struct iwa_auth_challenge ch[16];
	size_t n = 0;
	struct iwa_err e;
	if (iwa_www_auth_parse(v, len, ch, 16, &n, &e) != 0) {
		if (!r->www_auth_malformed)
			snprintf(r->www_auth_error, sizeof(r->www_auth_error), "%.120s", e.msg);
		r->www_auth_malformed = true;
		size_t t = skip_token(v, len, 0);
		if (t > 0) {
			add_scheme(r, v, t);
			if (t == 9 && strncasecmp(v, "Negotiate", 9) == 0)
				r->negotiate_offered = true;
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		add_scheme(r, ch[i].scheme, ch[i].scheme_len);
		if (!iwa_auth_scheme_is(&ch[i], "Negotiate"))
			continue;
		r->negotiate_offered = true;
		if (ch[i].token68 != NULL && ch[i].token68_len > r->negotiate_token_len)
			r->negotiate_token_len = ch[i].token68_len;
		if (ch[i].token68 != NULL && ch[i].token68_len > IWA_HTTP_TOKEN_MAX) {
			r->negotiate_token_too_long = true;
			continue;
		}
		if (ch[i].token68 != NULL) {
			char *t = malloc(ch[i].token68_len + 1);
			if (t == NULL)
				continue;
			memcpy(t, ch[i].token68, ch[i].token68_len);
			t[ch[i].token68_len] = '\0';
			free(r->negotiate_token);
			r->negotiate_token = t;
		}
	}
}

/* Copies a header value into buf (cut to fit, "..." marking the cut), control bytes as '?'. */
static void keep_value(char *buf, size_t size, const char *v, size_t l)
{
	bool cut = l >= size;
	if (cut)
		l = size - 4;
	for (size_t i = 0; i < l; i++) {
		unsigned char c = (unsigned char)v[i];
		buf[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (cut) {
		memcpy(buf + l, "...", 3);
		l += 3;
	}
	buf[l] = '\0';
}

bool iwa_http_resp_header(struct iwa_http_resp *r, const char *line, size_t len)
{
	if (r->cap != IWA_HTTP_CAP_NONE)
		return false;
	if (len > IWA_HTTP_HEADERS_MAX || r->header_bytes + len > IWA_HTTP_HEADERS_MAX) {
		r->header_bytes += len;
		r->cap = IWA_HTTP_CAP_HEADERS;
		return false;
	}
	r->header_bytes += len;
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len == 0) {
		/* the end of a header section: of the final response unless 1xx */
		if (r->status >= 200)
			r->headers_done = true;
		return true;
	}
	if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
		resp_clear_headers(r);
		size_t sp = 0;
		while (sp < len && line[sp] != ' ')
			sp++;
		size_t vl = sp < sizeof(r->http_version) ? sp : sizeof(r->http_version) - 1;
		memcpy(r->http_version, line, vl);
		r->http_version[vl] = '\0';
		if (sp + 4 <= len && line[sp + 1] >= '1' && line[sp + 1] <= '5' &&
		    line[sp + 2] >= '0' && line[sp + 2] <= '9' && line[sp + 3] >= '0' &&
		    line[sp + 3] <= '9' && (sp + 4 == len || line[sp + 4] == ' '))
			r->status = (line[sp + 1] - '0') * 100 + (line[sp + 2] - '0') * 10 +
				    (line[sp + 3] - '0');
		return true;
	}
	const char *colon = memchr(line, ':', len);
	if (colon == NULL || colon == line)
		return true;
	size_t nl = (size_t)(colon - line);
	size_t vs = skip_ows(line, len, nl + 1);
	size_t ve = len;
	while (ve > vs && is_ows((unsigned char)line[ve - 1]))
		ve--;
	if (nl == 16 && strncasecmp(line, "WWW-Authenticate", 16) == 0) {
		handle_www_auth(r, line + vs, ve - vs);
	} else if (nl == 9 && strncasecmp(line, "X-Backend", 9) == 0) {
		keep_value(r->backend, sizeof(r->backend), line + vs, ve - vs);
	} else if (nl == 8 && strncasecmp(line, "Location", 8) == 0) {
		keep_value(r->location, sizeof(r->location), line + vs, ve - vs);
	}
	return true;
}

enum iwa_http_phase iwa_http_resp_phase(const struct iwa_http_resp *r, bool https)
{
	if (r->headers_done)
		return IWA_HTTP_PHASE_BODY;
	if (r->header_bytes > 0 || r->status != 0)
		return IWA_HTTP_PHASE_WAIT;
	if (!r->tcp_connected)
		return IWA_HTTP_PHASE_CONNECT;
	if (https && !r->tls_done)
		return IWA_HTTP_PHASE_TLS;
	return IWA_HTTP_PHASE_WAIT;
}

/* Reads a DER length at p[*i] (short form, or long form of up to 4 octets). Returns false
 * when malformed or past end. */
static bool der_length(const unsigned char *p, size_t end, size_t *i, size_t *len_out)
{
	if (*i >= end)
		return false;
	unsigned char b = p[(*i)++];
	if (b < 0x80) {
		*len_out = b;
		return true;
	}
	size_t n = b & 0x7f;
	if (n == 0 || n > 4 || end - *i < n)
		return false;
	size_t v = 0;
	for (size_t k = 0; k < n; k++)
		v = (v << 8) | p[(*i)++];
	*len_out = v;
	return true;
}

int iwa_negotiate_token_decode(const char *b64, size_t len, void **out_data, size_t *out_len,
			       struct iwa_err *err)
{
	void *d = NULL;
	size_t dl = 0, i = 1, el = 0;
	struct iwa_err e;

	if (iwa_base64_decode(b64, len, &d, &dl, &e) < 0) {
		if (e.code == IWA_ENOMEM)
			return iwa_err_set(err, IWA_ENOMEM, "out of memory");
		/* "base64: bad character ..." -> "not base64 (bad character ...)" */
		const char *why = strncmp(e.msg, "base64: ", 8) == 0 ? e.msg + 8 : e.msg;
		return iwa_err_set(err, IWA_EPARSE, "not base64 (%s)", why);
	}
	const unsigned char *p = d;
	if (dl == 0) {
		free(d);
		return iwa_err_set(err, IWA_EPARSE, "not a SPNEGO token (empty)");
	}
	if (p[0] != 0xa1 && p[0] != 0x60) {
		unsigned char c = p[0];
		free(d);
		return iwa_err_set(err, IWA_EPARSE,
				   "not a SPNEGO token (it starts with 0x%02x, not 0xa1 "
				   "NegTokenResp or 0x60 GSS-API token)",
				   c);
	}
	if (!der_length(p, dl, &i, &el) || el != dl - i) {
		free(d);
		return iwa_err_set(err, IWA_EPARSE,
				   "not a SPNEGO token (its DER length does not match its %zu "
				   "bytes)",
				   dl);
	}
	*out_data = d;
	*out_len = dl;
	return 0;
}

/* OpenSSL X509_V_ERR_* values as CURLINFO_SSL_VERIFYRESULT reports them (x509_vfy.h; part
 * of OpenSSL's ABI). */
enum {
	X509_UNSPECIFIED = 1,
	X509_UNABLE_TO_GET_ISSUER_CERT = 2,
	X509_CERT_SIGNATURE_FAILURE = 7,
	X509_CERT_NOT_YET_VALID = 9,
	X509_CERT_HAS_EXPIRED = 10,
	X509_DEPTH_ZERO_SELF_SIGNED_CERT = 18,
	X509_SELF_SIGNED_CERT_IN_CHAIN = 19,
	X509_UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20,
	X509_UNABLE_TO_VERIFY_LEAF_SIGNATURE = 21,
	X509_CERT_REVOKED = 23,
	X509_INVALID_CA = 24,
	X509_INVALID_PURPOSE = 26,
	X509_HOSTNAME_MISMATCH = 62,
	X509_IP_ADDRESS_MISMATCH = 64,
	X509_CA_MD_TOO_WEAK = 68,
};

/* GnuTLS's certificate status bits (gnutls_certificate_status_t, part of its ABI), what a
 * libcurl built with GnuTLS reports as CURLINFO_SSL_VERIFYRESULT. */
enum {
	GNUTLS_REVOKED = 1 << 5,
	GNUTLS_SIGNER_NOT_FOUND = 1 << 6,
	GNUTLS_SIGNER_NOT_CA = 1 << 7,
	GNUTLS_INSECURE_ALGORITHM = 1 << 8,
	GNUTLS_NOT_ACTIVATED = 1 << 9,
	GNUTLS_EXPIRED = 1 << 10,
	GNUTLS_SIGNATURE_FAILURE = 1 << 11,
	GNUTLS_PURPOSE_MISMATCH = 1 << 18,
};

long iwa_tls_gnutls_status(unsigned long status, const char **why)
{
	static const struct {
		unsigned long bit;
		long x509;
		const char *why;
	} map[] = {
		/* the first that applies: an issuer we cannot find makes the rest moot */
		{GNUTLS_SIGNER_NOT_FOUND, X509_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
		 "its issuer is not a trusted CA"},
		{GNUTLS_REVOKED, X509_CERT_REVOKED, "it is revoked"},
		{GNUTLS_EXPIRED, X509_CERT_HAS_EXPIRED, "it has expired"},
		{GNUTLS_NOT_ACTIVATED, X509_CERT_NOT_YET_VALID, "it is not yet valid"},
		{GNUTLS_SIGNER_NOT_CA, X509_INVALID_CA, "its issuer is not a CA"},
		{GNUTLS_SIGNATURE_FAILURE, X509_CERT_SIGNATURE_FAILURE, "its signature is wrong"},
		{GNUTLS_INSECURE_ALGORITHM, X509_CA_MD_TOO_WEAK,
		 "it is signed with an insecure algorithm"},
		{GNUTLS_PURPOSE_MISMATCH, X509_INVALID_PURPOSE, "it is not for TLS servers"},
	};
	if (why != NULL)
		*why = NULL;
	if (status == 0)
		return 0;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (status & map[i].bit) {
			if (why != NULL)
				*why = map[i].why;
			return map[i].x509;
		}
	return X509_UNSPECIFIED;
}

enum iwa_tls_problem iwa_tls_classify(int curl_code, long verify_result, const char *errtext)
{
	const char *t = errtext != NULL ? errtext : "";

	switch (curl_code) {
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
		return IWA_TLS_CA_FILE;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CERTPROBLEM:
		return IWA_TLS_HANDSHAKE;
	case CURLE_PEER_FAILED_VERIFICATION: /* also CURLE_SSL_CACERT (same value) */
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		break;
	default:
		return IWA_TLS_NONE;
	}
	switch (verify_result) {
	case X509_HOSTNAME_MISMATCH:
	case X509_IP_ADDRESS_MISMATCH:
		return IWA_TLS_NAME_MISMATCH;
	case X509_UNABLE_TO_GET_ISSUER_CERT:
	case X509_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return IWA_TLS_UNTRUSTED;
	case X509_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_SELF_SIGNED_CERT_IN_CHAIN:
		return IWA_TLS_SELF_SIGNED;
	case X509_CERT_HAS_EXPIRED:
		return IWA_TLS_EXPIRED;
	case X509_CERT_NOT_YET_VALID:
		return IWA_TLS_NOT_YET_VALID;
	case X509_CERT_REVOKED:
		return IWA_TLS_REVOKED;
	default:
		break;
	}
	/* The chain verified (or the code was not kept): libcurl checks the host name itself,
	 * "SSL: no alternative certificate subject name matches target host name 'x'",
	 * "SSL: certificate subject name 'y' does not match target host name 'x'" (newer
	 * versions write "hostname"). */
	if (strstr(t, "subject name") != NULL &&
	    (strstr(t, "target host") != NULL || strstr(t, "match") != NULL))
		return IWA_TLS_NAME_MISMATCH;
	if (strstr(t, "expired") != NULL)
		return IWA_TLS_EXPIRED;
	if (strstr(t, "self-signed") != NULL || strstr(t, "self signed") != NULL)
		return IWA_TLS_SELF_SIGNED;
	if (strstr(t, "issuer") != NULL)
		return IWA_TLS_UNTRUSTED;
	return IWA_TLS_VERIFY_OTHER;
}

const char *iwa_tls_problem_summary(enum iwa_tls_problem p)
{
	switch (p) {
	case IWA_TLS_NAME_MISMATCH:
		return "TLS certificate name mismatch";
	case IWA_TLS_UNTRUSTED:
		return "TLS certificate not trusted";
	case IWA_TLS_SELF_SIGNED:
		return "TLS certificate self-signed (not trusted)";
	case IWA_TLS_EXPIRED:
		return "TLS certificate expired";
	case IWA_TLS_NOT_YET_VALID:
		return "TLS certificate not yet valid";
	case IWA_TLS_REVOKED:
		return "TLS certificate revoked";
	case IWA_TLS_VERIFY_OTHER:
		return "TLS certificate not accepted";
	case IWA_TLS_CA_FILE:
		return "cannot use the CA file";
	case IWA_TLS_HANDSHAKE:
		return "TLS handshake failed";
	case IWA_TLS_NONE:
		break;
	}
	return NULL;
}

const char *iwa_tls_problem_fix(enum iwa_tls_problem p)
{
	switch (p) {
	case IWA_TLS_NAME_MISMATCH:
		return "the certificate does not name the URL's host: install one whose subject "
		       "alternative names include it (or check -u)";
	case IWA_TLS_UNTRUSTED:
		return "no trusted CA issued it: install the issuing CA on this host "
		       "(update-ca-certificates) or give it with --ca-file, or have the server "
		       "send its intermediate certificates";
	case IWA_TLS_SELF_SIGNED:
		return "install a certificate from the enterprise CA, or give this one with "
		       "--ca-file";
	case IWA_TLS_EXPIRED:
		return "renew the server's certificate";
	case IWA_TLS_NOT_YET_VALID:
		return "check the clocks of the server and of this host (NTP)";
	case IWA_TLS_REVOKED:
		return "its CA revoked it: install a new certificate";
	case IWA_TLS_VERIFY_OTHER:
		return "install a valid certificate, or give its CA with --ca-file";
	case IWA_TLS_CA_FILE:
		return "--ca-file must be a readable PEM bundle of CA certificates";
	case IWA_TLS_HANDSHAKE:
		return "the server and this client share no TLS version or cipher, or the server "
		       "broke off the handshake";
	case IWA_TLS_NONE:
		break;
	}
	return NULL;
}

int iwa_http_connect_to(const char *url_host, unsigned url_port, const char *addr, unsigned port,
			char *buf, size_t len, struct iwa_err *err)
{
	bool v6 = strchr(addr, ':') != NULL && addr[0] != '[';
	int n = snprintf(buf, len, "%s:%u:%s%s%s:%u", url_host, url_port, v6 ? "[" : "", addr,
			 v6 ? "]" : "", port);
	if (n < 0 || (size_t)n >= len)
		return iwa_err_set(err, IWA_EINVAL, "backend address too long");
	return 0;
}

/* ======================= transport ======================= */

struct iwa_http_xfer {
	struct iwa_http *h;
	CURL *easy;
	struct curl_slist *connect_to;
	struct curl_slist *headers;
	void *user;
	bool running;
	bool certinfo; /* the leaf comes from CURLOPT_CERTINFO (no OpenSSL hook in this libcurl) */
	struct iwa_http_resp resp;
	char errbuf[CURL_ERROR_SIZE];
	/* the leaf of the handshake running for this transfer (the verify hook's catch) */
	const SSL *hs_ssl; /* the handshake it came from; NULL: none since the SSL_CTX was made */
	struct iwa_http_cert cap;
	struct iwa_http_xfer *next;
};

struct iwa_http {
	CURLM *multi;
	char *ca_file;
	char *user_agent;
	bool insecure;
	bool ca_dir_only; /* system store: libcurl's CA directory without its bundle (see below) */
	size_t body_max;
	double deadline;
	int running;
	struct iwa_http_xfer *xfers;
};

/* ---- the leaf certificate of each new connection, from OpenSSL's own verification ----
 * libcurl's OpenSSL backend hands us each new connection's SSL_CTX before the handshake
 * (CURLOPT_SSL_CTX_FUNCTION); we keep its verification mode and add a verify callback that
 * only looks: it takes the leaf OpenSSL already decoded (X509_STORE_CTX_get0_cert: the leaf
 * at whatever depth verification is, also with --insecure, where OpenSSL still verifies but
 * ignores the result) and computes the channel binding from it. Without the hook libcurl
 * would have to print every certificate of the chain as text (CURLOPT_CERTINFO) and we would
 * decode the leaf a second time (~5 % of the CPU of an 8-backend run, paired). A libcurl built
 * with another TLS library (or another OpenSSL major version than ours) gets CERTINFO as
 * before. */
static int xfer_idx = -1;
static bool ssl_hook_usable;
static bool curl_has_ca_dir; /* libcurl's CA directory exists (see iwa_http_new) */
static bool curl_gnutls;     /* libcurl's TLS is GnuTLS: its verify result is a status mask */
static pthread_once_t curl_facts_once = PTHREAD_ONCE_INIT;

/* What the process's libcurl is, found once: whether the hook can be used, whether its CA
 * directory exists. */
static void curl_facts_init(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	unsigned major = 0;
	xfer_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	curl_gnutls =
		v != NULL && v->ssl_version != NULL && strncmp(v->ssl_version, "GnuTLS", 6) == 0;
	ssl_hook_usable = xfer_idx >= 0 && v != NULL && v->ssl_version != NULL &&
			  sscanf(v->ssl_version, "OpenSSL/%u.", &major) == 1 &&
			  major == (unsigned)(OpenSSL_version_num() >> 28);
#if LIBCURL_VERSION_NUM >= 0x074600
	struct stat st;
	curl_has_ca_dir =
		v != NULL && v->capath != NULL && stat(v->capath, &st) == 0 && S_ISDIR(st.st_mode);
#endif
}

static int verify_hook(int ok, X509_STORE_CTX *sc)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(sc, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct iwa_http_xfer *x =
		ssl != NULL ? SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), xfer_idx) : NULL;
	X509 *leaf = X509_STORE_CTX_get0_cert(sc);
	if (x == NULL || leaf == NULL || x->hs_ssl == ssl)
		return ok;
	x->hs_ssl = ssl;
	x->cap.seen = true;
	{
		unsigned char *der = NULL;
		struct iwa_err e = {0, {0}};
		int len = i2d_X509(leaf, &der); /* the encoding as received (kept by OpenSSL) */
		if (len <= 0)
			x->cap.rc = iwa_err_set(&e, IWA_EPARSE, "cannot encode the certificate");
		else
			x->cap.rc = iwa_cbt_end_point_cert(leaf, der, (size_t)len, &x->cap.cbt, &e);
		OPENSSL_free(der);
		snprintf(x->cap.error, sizeof(x->cap.error), "%.199s", x->cap.rc < 0 ? e.msg : "");
	}
	return ok;
}

static CURLcode ssl_ctx_hook(CURL *e, void *sslctx, void *userdata)
{
	SSL_CTX *ctx = sslctx;
	struct iwa_http_xfer *x = userdata;
	(void)e;
	if (SSL_CTX_set_ex_data(ctx, xfer_idx, x) == 1) {
		x->hs_ssl = NULL;
		SSL_CTX_set_verify(ctx, SSL_CTX_get_verify_mode(ctx), verify_hook);
	}
	return CURLE_OK;
}

/* Milliseconds left before the transport's deadline. */
static long remaining_ms(const struct iwa_http *h)
{
	return iwa_deadline_remaining_ms(h->deadline);
}

static size_t header_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct iwa_http_xfer *x = userdata;
	size_t n = size * nmemb;
	/* Past the header cap: a short count makes libcurl end the transfer (CURLE_WRITE_ERROR;
	 * resp.cap tells why). */
	if (!iwa_http_resp_header(&x->resp, ptr, n))
		return 0;
	return n;
}

/* libcurl's informational text tells how far a transfer got before it failed (the
 * CURLINFO_*_TIME values are not kept for a failed connection). Nothing is printed. */
static int debug_cb(CURL *e, curl_infotype type, char *data, size_t size, void *userdata)
{
	struct iwa_http_xfer *x = userdata;
	(void)e;
	if (type != CURLINFO_TEXT)
		return 0;
	if (size >= 13 && memcmp(data, "Connected to ", 13) == 0)
		x->resp.tcp_connected = true;
	else if ((size >= 20 && memcmp(data, "SSL connection using", 20) == 0) ||
		 (size >= 17 && memcmp(data, "Re-using existing", 17) == 0))
		x->resp.tls_done = x->resp.tcp_connected = true;
	return 0;
}

/* Counts every body byte, keeps the first body_max; the rest is discarded. Past
 * IWA_HTTP_BODY_MAX the transfer ends (an endless body costs neither memory nor the whole
 * time budget). */
static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct iwa_http_xfer *x = userdata;
	struct iwa_http_resp *r = &x->resp;
	size_t n = size * nmemb;
	if (r->cap != IWA_HTTP_CAP_NONE || n > IWA_HTTP_BODY_MAX - r->body_bytes) {
		r->body_bytes += n;
		r->cap = IWA_HTTP_CAP_BODY;
		return 0;
	}
	r->body_bytes += n;
	if (r->body_max > 0 && r->body_len < r->body_max) {
		if (r->body == NULL) {
			r->body = malloc(r->body_max + 1);
			if (r->body == NULL)
				return n;
		}
		size_t room = r->body_max - r->body_len;
		size_t k = n < room ? n : room;
		memcpy(r->body + r->body_len, ptr, k);
		r->body_len += k;
		r->body[r->body_len] = '\0';
	}
	return n;
}

int iwa_http_new(const struct iwa_http_opts *opts, struct iwa_http **out, struct iwa_err *err)
{
	struct iwa_http *h = NULL;
	int rc = 0;

	/* OpenSSL's own clean-up at exit frees its tables one by one (~3 % of a one-backend run):
	 * the process is ending, so skip it. Only the first initialization decides, and libcurl's
	 * (just below) is the first in our plugins; the memory stays reachable, not leaked. */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return iwa_err_set(err, IWA_EIO, "cannot initialize libcurl");
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		curl_global_cleanup();
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	}
	h->insecure = opts->insecure;
	h->body_max = opts->body_max ? opts->body_max : 4096;
	h->deadline = opts->deadline > 0 ? opts->deadline : iwa_budget_deadline();
	h->ca_file = iwa_strdup(opts->ca_file);
	h->user_agent = iwa_strdup(opts->user_agent ? opts->user_agent : "iwa-plugins");
	h->multi = curl_multi_init();
	pthread_once(&curl_facts_once, curl_facts_init);
	/* The system's trust store: libcurl's CA directory alone when it has one (Debian:
	 * /etc/ssl/certs, the hashed links update-ca-certificates keeps beside the bundle, the same
	 * CAs). OpenSSL then reads only the issuer a server's chain needs, where libcurl would
	 * decode its whole bundle for every connection: it caches the store only for a bundle
	 * without a directory, and Debian's libcurl has both (144 CAs, ~30 ms of CPU per
	 * connection with OpenSSL 3.0). No directory: libcurl's defaults. */
	h->ca_dir_only = opts->ca_file == NULL && !opts->insecure && curl_has_ca_dir;
	if (h->multi == NULL || h->user_agent == NULL || (opts->ca_file && h->ca_file == NULL)) {
		rc = iwa_err_set(err, IWA_ENOMEM, "cannot create the HTTP transport");
		goto cleanup;
	}
	*out = h;
	h = NULL;
cleanup:
	iwa_http_free(h);
	return rc;
}

#define SETOPT(e, o, v)                                                                            \
	do {                                                                                       \
		if (curl_easy_setopt((e), (o), (v)) != CURLE_OK) {                                 \
			rc = iwa_err_set(err, IWA_EIO, "libcurl refused option %s", #o);           \
			goto cleanup;                                                              \
		}                                                                                  \
	} while (0)

int iwa_http_xfer_new(struct iwa_http *h, const char *url, const char *connect_to, void *user,
		      struct iwa_http_xfer **out, struct iwa_err *err)
{
	struct iwa_http_xfer *x = NULL;
	int rc = 0;

	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	x->h = h;
	x->user = user;
	iwa_http_resp_init(&x->resp, h->body_max);
	x->easy = curl_easy_init();
	if (x->easy == NULL) {
		rc = iwa_err_set(err, IWA_ENOMEM, "cannot create a curl handle");
		goto cleanup;
	}
	if (connect_to != NULL) {
		x->connect_to = curl_slist_append(NULL, connect_to);
		if (x->connect_to == NULL) {
			rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	CURL *e = x->easy;
	SETOPT(e, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	SETOPT(e, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	SETOPT(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	SETOPT(e, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SETOPT(e, CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(e, CURLOPT_NOSIGNAL, 1L);
	SETOPT(e, CURLOPT_ERRORBUFFER, x->errbuf);
	SETOPT(e, CURLOPT_HEADERFUNCTION, header_cb);
	SETOPT(e, CURLOPT_HEADERDATA, x);
	SETOPT(e, CURLOPT_WRITEFUNCTION, write_cb);
	SETOPT(e, CURLOPT_WRITEDATA, x);
	SETOPT(e, CURLOPT_PRIVATE, x);
	SETOPT(e, CURLOPT_DEBUGFUNCTION, debug_cb);
	SETOPT(e, CURLOPT_DEBUGDATA, x);
	SETOPT(e, CURLOPT_VERBOSE, 1L);
	SETOPT(e, CURLOPT_USERAGENT, h->user_agent);
	/* Never through a proxy from the environment: the check pins backends itself. */
	SETOPT(e, CURLOPT_PROXY, "");
	/* Windows authentication on IIS needs HTTP/1.1 (it refuses it over HTTP/2). */
	SETOPT(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	SETOPT(e, CURLOPT_SSL_VERIFYPEER, h->insecure ? 0L : 1L);
	SETOPT(e, CURLOPT_SSL_VERIFYHOST, h->insecure ? 0L : 2L);
	/* the leaf certificate of each new connection (channel bindings, cbt.h): from OpenSSL's
	 * verification when libcurl lets us hook it, else libcurl's text of the chain */
	if (!ssl_hook_usable ||
	    curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_hook) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, x) != CURLE_OK) {
		curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, NULL);
		x->certinfo = true;
		SETOPT(e, CURLOPT_CERTINFO, 1L);
	}
	if (h->ca_file != NULL) {
		/* tls.h: --ca-file means ONLY these CAs (not also curl's built-in CA directory);
		 * libcurl decodes the file once per run (its store cache) */
		SETOPT(e, CURLOPT_CAINFO, h->ca_file);
		SETOPT(e, CURLOPT_CAPATH, NULL);
	} else if (h->ca_dir_only) {
		SETOPT(e, CURLOPT_CAINFO, NULL);
	}
	if (x->connect_to != NULL)
		SETOPT(e, CURLOPT_CONNECT_TO, x->connect_to);
	x->next = h->xfers;
	h->xfers = x;
	*out = x;
	x = NULL;
cleanup:
	if (x != NULL) {
		if (x->easy != NULL)
			curl_easy_cleanup(x->easy);
		curl_slist_free_all(x->connect_to);
		iwa_http_resp_free(&x->resp);
		free(x);
	}
	return rc;
}

int iwa_http_start(struct iwa_http_xfer *x, const char *authorization, struct iwa_err *err)
{
	int rc = 0;
	char *hdr = NULL;

	if (x->running)
		return iwa_err_set(err, IWA_EINVAL, "transfer already running");
	iwa_http_resp_reset(&x->resp);
	x->errbuf[0] = '\0';
	x->cap.seen = false;
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	long rem = remaining_ms(x->h);
	if (rem <= 0) {
		x->resp.curl_code = CURLE_OPERATION_TIMEDOUT;
		snprintf(x->resp.error, sizeof(x->resp.error), "no time left in the budget (-t)");
		return iwa_err_set(err, IWA_ETIMEOUT, "no time left in the budget (-t)");
	}
	if (authorization != NULL) {
		size_t l = strlen(authorization) + sizeof("Authorization: ");
		hdr = malloc(l);
		if (hdr == NULL)
			return iwa_err_set(err, IWA_ENOMEM, "out of memory");
		snprintf(hdr, l, "Authorization: %s", authorization);
		x->headers = curl_slist_append(NULL, hdr);
		if (x->headers == NULL) {
			rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	SETOPT(x->easy, CURLOPT_HTTPHEADER, x->headers);
	/* Leave a little of the budget for the caller to report the timeout itself (the
	 * budget's backstop line fires only shortly after the deadline). */
	if (rem > 2000)
		rem -= 300;
	else if (rem > 1000)
		rem -= 150;
	SETOPT(x->easy, CURLOPT_TIMEOUT_MS, rem);
	SETOPT(x->easy, CURLOPT_CONNECTTIMEOUT_MS, rem);
	if (curl_multi_add_handle(x->h->multi, x->easy) != CURLM_OK) {
		rc = iwa_err_set(err, IWA_EIO, "cannot start the transfer");
		goto cleanup;
	}
	x->running = true;
	x->h->running++;
cleanup:
	free(hdr);
	return rc;
}

const struct iwa_http_resp *iwa_http_xfer_resp(const struct iwa_http_xfer *x)
{
	return &x->resp;
}

void *iwa_http_xfer_user(const struct iwa_http_xfer *x)
{
	return x->user;
}

static double info_seconds(CURL *e, CURLINFO what)
{
	curl_off_t v = 0;
	if (curl_easy_getinfo(e, what, &v) != CURLE_OK)
		return 0;
	return (double)v / 1e6;
}

/* Records the outcome of a finished transfer (code, error text, timings, peer). */
static void finish(struct iwa_http_xfer *x, CURLcode code)
{
	struct iwa_http_resp *r = &x->resp;
	char *ip = NULL;
	long port = 0;
	long conns = 0;
	struct curl_certinfo *ci = NULL;
	r->curl_code = (int)code;
	if (code != CURLE_OK) {
		snprintf(r->error, sizeof(r->error), "%s",
			 x->errbuf[0] ? x->errbuf : curl_easy_strerror(code));
		size_t el = strlen(r->error);
		while (el > 0 && (r->error[el - 1] == ' ' || r->error[el - 1] == '\n'))
			r->error[--el] = '\0';
		/* libcurl's own header limits end a transfer before our header callback sees the
		 * line: one line over CURL_MAX_HTTP_HEADER is CURLE_OUT_OF_MEMORY in 7.x
		 * ("Failed to alloc memory for big header!" or no text), CURLE_TOO_LARGE from
		 * 8.6; all headers over its 300 KiB, CURLE_RECV_ERROR "Too large response
		 * headers". */
		bool too_large = code == CURLE_OUT_OF_MEMORY;
#if LIBCURL_VERSION_NUM >= 0x080600
		too_large = too_large || code == CURLE_TOO_LARGE;
#endif
		too_large = too_large || (code == CURLE_RECV_ERROR && strstr(r->error, "header"));
		if (r->cap == IWA_HTTP_CAP_NONE && !r->headers_done && too_large)
			r->cap = IWA_HTTP_CAP_HEADER_LINE;
	}
	r->t_namelookup = info_seconds(x->easy, CURLINFO_NAMELOOKUP_TIME_T);
	r->t_connect = info_seconds(x->easy, CURLINFO_CONNECT_TIME_T);
	r->t_appconnect = info_seconds(x->easy, CURLINFO_APPCONNECT_TIME_T);
	r->t_ttfb = info_seconds(x->easy, CURLINFO_STARTTRANSFER_TIME_T);
	r->t_total = info_seconds(x->easy, CURLINFO_TOTAL_TIME_T);
	if (curl_easy_getinfo(x->easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip != NULL)
		snprintf(r->primary_ip, sizeof(r->primary_ip), "%s", ip);
	if (curl_easy_getinfo(x->easy, CURLINFO_PRIMARY_PORT, &port) == CURLE_OK)
		r->primary_port = port;
	curl_easy_getinfo(x->easy, CURLINFO_SSL_VERIFYRESULT, &r->ssl_verify_result);
	if (curl_gnutls && r->ssl_verify_result != 0) {
		/* GnuTLS's status mask as the OpenSSL code the classification reads; its text
		 * ("server certificate verification failed. CAfile: ...") gets the reason */
		const char *why = NULL;
		r->ssl_verify_result =
			iwa_tls_gnutls_status((unsigned long)r->ssl_verify_result, &why);
		size_t el = strlen(r->error);
		if (code != CURLE_OK && why != NULL && el + 16 < sizeof(r->error))
			snprintf(r->error + el, sizeof(r->error) - el, " (GnuTLS: %s)", why);
	}
	if (curl_easy_getinfo(x->easy, CURLINFO_NUM_CONNECTS, &conns) == CURLE_OK)
		r->new_connections = conns;
	/* The leaf certificate THIS transfer's connection presented: only a new connection has
	 * one (taken at the handshake); on a reused one the caller keeps the certificate of the
	 * transfer that opened it. */
	if (r->new_connections > 0 && x->cap.seen) {
		r->peer = x->cap;
	} else if (r->new_connections > 0 && x->certinfo &&
		   curl_easy_getinfo(x->easy, CURLINFO_CERTINFO, &ci) == CURLE_OK && ci != NULL &&
		   ci->num_of_certs > 0) {
		const struct curl_slist *l;
		for (l = ci->certinfo[0]; l != NULL; l = l->next) {
			if (strncmp(l->data, "Cert:", 5) == 0) {
				struct iwa_err e = {0, {0}};
				void *der = NULL;
				size_t dl = 0;
				r->peer.seen = true;
				r->peer.rc = iwa_cbt_pem_to_der(l->data + 5, strlen(l->data + 5),
								&der, &dl, &e);
				if (r->peer.rc == 0)
					r->peer.rc = iwa_cbt_end_point(der, dl, &r->peer.cbt, &e);
				snprintf(r->peer.error, sizeof(r->peer.error), "%.199s",
					 r->peer.rc < 0 ? e.msg : "");
				free(der);
				break;
			}
		}
	}
}

/* Stops a running transfer without calling anyone. */
static void detach(struct iwa_http_xfer *x)
{
	curl_multi_remove_handle(x->h->multi, x->easy);
	x->running = false;
	x->h->running--;
}

/* Ends every running transfer as timed out and tells done about each. */
static void abort_all(struct iwa_http *h, iwa_http_done_fn done, void *arg)
{
	for (struct iwa_http_xfer *x = h->xfers; x != NULL; x = x->next) {
		if (!x->running)
			continue;
		snprintf(x->errbuf, sizeof(x->errbuf), "timed out: the time budget (-t) ran out");
		finish(x, CURLE_OPERATION_TIMEDOUT);
		detach(x);
		if (done != NULL)
			done(x, arg);
	}
}

int iwa_http_run(struct iwa_http *h, iwa_http_done_fn done, void *arg, struct iwa_err *err)
{
	double expired_at = 0;
	while (h->running > 0) {
		int still = 0, left = 0;
		CURLMcode mc = curl_multi_perform(h->multi, &still);
		if (mc != CURLM_OK)
			return iwa_err_set(err, IWA_EIO, "curl: %s", curl_multi_strerror(mc));
		CURLMsg *m;
		while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			struct iwa_http_xfer *x = NULL;
			CURLcode code = m->data.result;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			if (x == NULL)
				continue;
			finish(x, code);
			detach(x);
			if (done != NULL)
				done(x, arg);
		}
		if (h->running == 0)
			break;
		/* Backstop: curl enforces each transfer's timeout; this only ends a transfer that
		 * outlives the budget by more than 0.2 s (reported as a timeout). */
		if (remaining_ms(h) == 0) {
			if (expired_at == 0)
				expired_at = iwa_now();
			else if (iwa_now() - expired_at > 0.2)
				abort_all(h, done, arg);
		}
		long rem = remaining_ms(h);
		int wait = rem > 500 ? 500 : (rem > 10 ? (int)rem : 10);
		mc = curl_multi_poll(h->multi, NULL, 0, wait, NULL);
		if (mc != CURLM_OK)
			return iwa_err_set(err, IWA_EIO, "curl: %s", curl_multi_strerror(mc));
	}
	return 0;
}

void iwa_http_free(struct iwa_http *h)
{
	if (h == NULL)
		return;
	struct iwa_http_xfer *x = h->xfers;
	while (x != NULL) {
		struct iwa_http_xfer *next = x->next;
		if (x->running && h->multi != NULL)
			curl_multi_remove_handle(h->multi, x->easy);
		curl_easy_cleanup(x->easy);
		curl_slist_free_all(x->connect_to);
		curl_slist_free_all(x->headers);
		iwa_http_resp_free(&x->resp);
		free(x);
		x = next;
	}
	if (h->multi != NULL)
		curl_multi_cleanup(h->multi);
	free(h->ca_file);
	free(h->user_agent);
	free(h);
	curl_global_cleanup();
}
