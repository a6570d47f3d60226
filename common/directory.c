/* directory.c — directory (LDAP) access shared by the directory plugins (see directory.h).
 *
 * Modeled on OpenLDAP's clients/tools/common.c (tool_conn_setup, tool_bind): ldap_initialize
 * with a URI, LDAPv3, referrals off, TLS options on the handle then LDAP_OPT_X_TLS_NEWCTX,
 * StartTLS, then SASL GSSAPI (the run's credential cache handed to SASL explicitly as GSS-API
 * credentials, LDAP_OPT_X_SASL_GSS_CREDS: KRB5CCNAME plays no part) or a simple bind over
 * TLS. Every blocking call gets the remaining time budget through LDAP_OPT_NETWORK_TIMEOUT and
 * LDAP_OPT_TIMEOUT, searches through their own timeout. Errors carry ldap_err2string and the
 * server's diagnostic message. */
#include "directory.h"
#include "budget.h"
#include "gss.h"
#include "kdc.h"
#include "sid.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sasl/sasl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* Longest password file line we accept. */
#define PASSWORD_MAX 1024

struct iwa_ldap {
	LDAP *ld;
	char *uri;
	const char *mech; /* "GSSAPI" or "simple" */
	double bind_seconds;
	struct iwa_krb *krb;       /* NULL for a simple bind */
	struct iwa_gss_cred *cred; /* krb's cache as GSS-API credentials, for SASL GSSAPI */
	bool own_krb;    /* krb set up here (iwa_ldap_connect without one): freed with l */
	double deadline; /* the run's deadline (iwa_now() seconds), from the caller */
	/* The stage under way, for a timeout's words: what it is ("during the SASL GSSAPI
	 * bind"), when it began and the time it was given. */
	char stage[600];
	double stage_t0;
	double stage_s;
	bool tcp_up;               /* the connection callback ran: TCP is connected */
	struct ldap_conncb conncb; /* lc_arg = this */
};

const struct option iwa_ldap_longopts[] = {IWA_LDAP_LONGOPTS_ENTRIES, {0, 0, 0, 0}};
const char iwa_ldap_options_help[] = IWA_LDAP_OPTIONS_HELP;

/* below, with the bind; iwa_ldap_validate reads the password with it too */
static int read_password(const struct iwa_ldap_opts *o, char *buf, size_t n, struct iwa_err *err);

/* Sets every field to its default; default_port is the plugin's (3268 GC, or 389). */
void iwa_ldap_opts_init(struct iwa_ldap_opts *o, unsigned default_port)
{
	memset(o, 0, sizeof *o);
	o->default_port = default_port;
}

/* Handles one of the shared directory options. Returns 1 when handled, 0 when opt is not one
 * of ours, IWA_EINVAL (err names the option) on a bad value. */
int iwa_ldap_opt(struct iwa_ldap_opts *o, int opt, const char *arg, struct iwa_err *err)
{
	unsigned long long v;
	int rc;

	switch (opt) {
	case 'H':
		if (arg == NULL || arg[0] == '\0')
			return iwa_err_set(err, IWA_EINVAL, "-H/--host needs a host name");
		o->host = arg;
		return 1;
	case 'p':
		rc = iwa_parse_uint(arg, 1, 65535, "-p/--port", &v, err);
		if (rc < 0)
			return rc;
		o->port = (unsigned)v;
		return 1;
	case 'b':
		o->base = arg;
		return 1;
	case IWA_OPT_LDAP_URI:
		if (arg == NULL || arg[0] == '\0')
			return iwa_err_set(err, IWA_EINVAL, "--ldap-uri needs a URI");
		o->uri = arg;
		return 1;
	case IWA_OPT_LDAP_STARTTLS:
		o->starttls = true;
		return 1;
	case IWA_OPT_LDAP_BIND_DN:
		if (arg == NULL || arg[0] == '\0')
			return iwa_err_set(err, IWA_EINVAL, "--bind-dn: empty value (a DN)");
		o->bind_dn = arg;
		return 1;
	case IWA_OPT_LDAP_PASSWORD_FILE:
		if (arg == NULL || arg[0] == '\0')
			return iwa_err_set(err, IWA_EINVAL,
					   "--password-file: empty value (a file)");
		o->password_file = arg;
		return 1;
	case IWA_OPT_LDAP_PASSWORD:
		o->password = arg;
		return 1;
	default:
		rc = iwa_tls_opt(&o->tls, opt, arg, err);
		return rc != 0 ? rc : iwa_krb_opt(&o->krb, opt, arg, err);
	}
}

/* true when the URI's scheme is s (case-insensitive), e.g. "ldaps". */
static bool scheme_is(const char *uri, const char *s)
{
	size_t n = strlen(s);

	return strncasecmp(uri, s, n) == 0 && strncmp(uri + n, "://", 3) == 0;
}

/* The effective port for -H. */
static unsigned eff_port(const struct iwa_ldap_opts *o)
{
	return o->port != 0 ? o->port : o->default_port;
}

/* true when the connection will be protected by TLS (ldaps://, --starttls, or -H with the
 * TLS ports 636/3269). */
static bool uses_tls(const struct iwa_ldap_opts *o)
{
	if (o->starttls)
		return true;
	if (o->uri != NULL)
		return scheme_is(o->uri, "ldaps");
	return eff_port(o) == 636 || eff_port(o) == 3269;
}

/* Cross-option rules of the directory options. Returns 0 or IWA_EINVAL naming the option. */
int iwa_ldap_validate(const struct iwa_ldap_opts *o, struct iwa_err *err)
{
	bool have_pw = o->password_file != NULL || o->password != NULL;
	char pw[PASSWORD_MAX];
	int rc;

	if (o->uri != NULL && o->host != NULL)
		return iwa_err_set(err, IWA_EINVAL, "--ldap-uri and -H/--host are exclusive");
	if (o->uri != NULL && o->port != 0)
		return iwa_err_set(
			err, IWA_EINVAL,
			"-p/--port cannot be used with --ldap-uri (put the port in the URI)");
	if (o->uri == NULL && o->host == NULL)
		return iwa_err_set(err, IWA_EINVAL, "-H/--host or --ldap-uri is required");
	if (o->uri != NULL && !scheme_is(o->uri, "ldap") && !scheme_is(o->uri, "ldaps") &&
	    !scheme_is(o->uri, "ldapi"))
		return iwa_err_set(
			err, IWA_EINVAL,
			"--ldap-uri must start with ldap://, ldaps:// or ldapi:// (got '%s')",
			o->uri);
	if (o->uri != NULL && strpbrk(o->uri + 5, " \t,") != NULL)
		return iwa_err_set(err, IWA_EINVAL, "--ldap-uri takes exactly one URI");
	if (o->starttls && (o->uri != NULL ? scheme_is(o->uri, "ldaps")
					   : (eff_port(o) == 636 || eff_port(o) == 3269)))
		return iwa_err_set(
			err, IWA_EINVAL,
			"--starttls cannot be used on an ldaps connection (already TLS)");
	if (o->bind_dn != NULL) {
		if (o->krb.keytab != NULL || o->krb.ccache != NULL || o->krb.principal != NULL)
			return iwa_err_set(
				err, IWA_EINVAL,
				"--bind-dn (simple bind) and --keytab/--principal/--ccache "
				"(Kerberos) are exclusive");
		if (!have_pw)
			return iwa_err_set(
				err, IWA_EINVAL,
				"--bind-dn needs --password-file FILE (or password in the "
				"--extra-opts ini)");
		if (!uses_tls(o))
			return iwa_err_set(
				err, IWA_EINVAL,
				"--bind-dn: a simple bind sends the password, so it is only "
				"done over TLS: use --ldap-uri ldaps://..., -p 3269/636 or "
				"--starttls");
	} else if (have_pw) {
		return iwa_err_set(err, IWA_EINVAL, "--password-file/password need --bind-dn");
	}
	rc = iwa_krb_validate(&o->krb, err);
	if (rc == 0)
		rc = iwa_tls_validate(&o->tls, err);
	if (rc == 0 && o->bind_dn != NULL) {
		/* the same reader as the bind: a missing or empty password is caught here */
		rc = read_password(o, pw, sizeof pw, err);
		explicit_bzero(pw, sizeof pw);
	}
	return rc;
}

/* Builds the URI for -H/-p (ldaps:// on 636/3269, ldap:// otherwise; IPv6 in brackets).
 * [out] uri_out: malloc'd. */
static int build_uri(const struct iwa_ldap_opts *o, char **uri_out, struct iwa_err *err)
{
	struct iwa_buf b;
	unsigned port = eff_port(o);
	bool v6;

	if (o->uri != NULL) {
		*uri_out = iwa_strdup(o->uri);
		return *uri_out != NULL ? 0 : iwa_err_set(err, IWA_ENOMEM, "out of memory");
	}
	v6 = strchr(o->host, ':') != NULL;
	if (strpbrk(o->host, "/?# \t") != NULL)
		return iwa_err_set(err, IWA_EINVAL, "-H/--host '%s' is not a host name", o->host);
	iwa_buf_init(&b, 4096);
	if (iwa_buf_addf(&b, "%s://%s%s%s:%u", (port == 636 || port == 3269) ? "ldaps" : "ldap",
			 v6 ? "[" : "", o->host, v6 ? "]" : "", port) < 0) {
		iwa_buf_free(&b);
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	}
	*uri_out = iwa_buf_take(&b);
	return 0;
}

void iwa_ldap_uri_host(const char *uri, char *buf, size_t n)
{
	const char *p = strstr(uri, "://");
	size_t len;

	buf[0] = '\0';
	if (p == NULL)
		return;
	p += 3;
	if (*p == '[') {
		p++;
		len = strcspn(p, "]");
	} else {
		len = strcspn(p, ":/?");
	}
	if (len >= n)
		len = n - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
}

/* true when host is an IPv4 or IPv6 literal. */
static bool is_ip_literal(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

/* Starts a stage: records its words (a phrase after "did not answer within N s", e.g.
 * "during StartTLS") and start, and gives libldap the remaining budget through
 * LDAP_OPT_NETWORK_TIMEOUT (connect) and LDAP_OPT_TIMEOUT (synchronous operations).
 * Returns IWA_ETIMEOUT naming the stage when none is left. */
static int begin_stage(struct iwa_ldap *l, const char *phrase, struct iwa_err *err)
{
	long ms = iwa_deadline_remaining_ms(l->deadline);
	struct timeval tv;

	snprintf(l->stage, sizeof l->stage, "%s", phrase);
	l->stage_t0 = iwa_now();
	l->stage_s = (double)ms / 1000.0;
	if (ms <= 0)
		return iwa_err_set(err, IWA_ETIMEOUT,
				   "no time was left %s with the LDAP server %s (the -t budget "
				   "was used up before)",
				   phrase, l->uri);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (ldap_set_option(l->ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(l->ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS)
		return iwa_err_set(err, IWA_EIO, "LDAP %s: cannot set timeouts", l->uri);
	return 0;
}

/* "the LDAP server <uri> did not answer within N s <stage>": IWA_ETIMEOUT. */
static int stage_timeout(struct iwa_ldap *l, struct iwa_err *err)
{
	char secs[32];

	iwa_kdc_seconds_text(iwa_now() - l->stage_t0, secs, sizeof secs);
	return iwa_err_set(err, IWA_ETIMEOUT, "the LDAP server %s did not answer within %s s %s",
			   l->uri, secs, l->stage);
}

/* true when a failure of the stage under way is its time running out: libldap's own
 * LDAP_TIMEOUT, or a dropped/failed connection (a socket read cut off by SO_RCVTIMEO during
 * a TLS handshake) once the stage's time is used up. */
static bool stage_timed_out(const struct iwa_ldap *l, int rc)
{
	if (rc == LDAP_TIMEOUT)
		return true;
	return (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR) &&
	       (iwa_now() - l->stage_t0 >= l->stage_s - 0.05 ||
		iwa_deadline_remaining_ms(l->deadline) == 0);
}

/* Maps an AD/Samba bind diagnostic's "data XXX" code (AcceptSecurityContext) to words. */
static const char *ad_bind_reason(const char *diag)
{
	static const struct {
		const char *code, *words;
	} map[] = {
		{"data 52e", "wrong password"},
		{"data 525", "no such user (check --bind-dn)"},
		{"data 530", "logon not permitted at this time"},
		{"data 531", "logon not permitted from this workstation"},
		{"data 532", "password expired"},
		{"data 533", "account disabled"},
		{"data 701", "account expired"},
		{"data 773", "the password must be changed at next logon"},
		{"data 775", "account locked out"},
	};
	size_t i;

	if (diag == NULL)
		return NULL;
	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strstr(diag, map[i].code) != NULL)
			return map[i].words;
	return NULL;
}

/* Fills err for a failed LDAP operation: "<what> on <uri> failed: <err2string>
 * (<diagnostic>)" with an IWA code derived from rc. Returns the code. */
static int ldap_fail(struct iwa_ldap *l, int rc, const char *what, struct iwa_err *err)
{
	char *diag = NULL;
	const char *reason;
	int code;

	if (l->ld != NULL)
		(void)ldap_get_option(l->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	if (diag != NULL && strcmp(diag, "(unknown error code)") == 0)
		diag[0] = '\0'; /* what GnuTLS says about an untrusted certificate: nothing */
	switch (rc) {
	case LDAP_TIMEOUT:
		code = IWA_ETIMEOUT;
		break;
	case LDAP_SERVER_DOWN:
	case LDAP_CONNECT_ERROR:
	case LDAP_UNAVAILABLE:
	case LDAP_BUSY:
		code = IWA_EIO;
		break;
	case LDAP_INVALID_CREDENTIALS:
	case LDAP_INAPPROPRIATE_AUTH:
	case LDAP_STRONG_AUTH_REQUIRED:
	case LDAP_CONFIDENTIALITY_REQUIRED:
	case LDAP_AUTH_UNKNOWN:
	case LDAP_LOCAL_ERROR:
	case LDAP_AUTH_METHOD_NOT_SUPPORTED:
		code = IWA_EAUTH;
		break;
	case LDAP_NO_SUCH_OBJECT:
		code = IWA_ENOTFOUND;
		break;
	default:
		code = IWA_EIO;
		break;
	}
	reason = ad_bind_reason(diag);
	if (stage_timed_out(l, rc)) {
		code = stage_timeout(l, err);
	} else if (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR) {
		/* libldap connects lazily: whatever the operation, we could not connect */
		iwa_err_set(err, code,
			    "cannot reach %s (%s): %s%s%s%s (is the DC up, the name right, the "
			    "port open%s?)",
			    l->uri, what, ldap_err2string(rc), diag != NULL && diag[0] ? " (" : "",
			    diag != NULL && diag[0] ? diag : "", diag != NULL && diag[0] ? ")" : "",
			    scheme_is(l->uri, "ldaps") || rc == LDAP_CONNECT_ERROR
				    ? ", the TLS certificate trusted (--ca-file)"
				    : "");
	} else if (diag != NULL && diag[0] != '\0') {
		iwa_err_set(err, code, "%s on %s failed: %s%s%s (%s)", what, l->uri,
			    ldap_err2string(rc), reason != NULL ? ": " : "",
			    reason != NULL ? reason : "", diag);
	} else {
		iwa_err_set(err, code, "%s on %s failed: %s", what, l->uri, ldap_err2string(rc));
	}
	ldap_memfree(diag);
	return code;
}

/* What the SASL interaction callback hands to the GSSAPI mechanism. */
struct sasl_defaults {
	void *gss_cred; /* gss_cred_id_t of the run's cache */
	bool cred_set;  /* handed over (LDAP_OPT_X_SASL_GSS_CREDS accepted) */
	bool cred_failed;
};

/* SASL interaction callback. The GSSAPI mechanism asks for the authorization name before its
 * first gss_init_sec_context, once the bind's SASL context exists: that is when our
 * credentials can be handed to it (LDAP_OPT_X_SASL_GSS_CREDS needs the context; the mechanism
 * reads them on its next step), so it never looks for a cache through KRB5CCNAME. Every
 * prompt gets its default or an empty answer. */
static int sasl_interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	struct sasl_defaults *d = defaults;
	sasl_interact_t *it = in;

	(void)flags;
	if (d != NULL && d->gss_cred != NULL && !d->cred_set) {
		if (ldap_set_option(ld, LDAP_OPT_X_SASL_GSS_CREDS, d->gss_cred) !=
		    LDAP_OPT_SUCCESS) {
			d->cred_failed = true;
			return LDAP_LOCAL_ERROR;
		}
		d->cred_set = true;
	}
	for (; it != NULL && it->id != SASL_CB_LIST_END; it++) {
		it->result = it->defresult != NULL ? it->defresult : "";
		it->len = (unsigned)strlen(it->result);
	}
	return LDAP_SUCCESS;
}

/* Reads the simple-bind password: first line of the file (trailing CR/LF stripped), or the
 * ini value. [out] buf. Refuses an empty password (it would be an anonymous bind). */
static int read_password(const struct iwa_ldap_opts *o, char *buf, size_t n, struct iwa_err *err)
{
	FILE *f;
	size_t len;
	int e;

	if (o->password_file == NULL) {
		if (o->password == NULL || strlen(o->password) >= n)
			return iwa_err_set(
				err, IWA_EINVAL,
				"--password: the ini's password is missing or longer than "
				"%zu characters",
				n - 1);
		memcpy(buf, o->password, strlen(o->password) + 1);
	} else {
		f = fopen(o->password_file, "re");
		if (f == NULL)
			return iwa_err_set(err, IWA_EINVAL,
					   "--password-file %s: cannot read the password file: %s",
					   o->password_file, strerror(errno));
		if (fgets(buf, (int)n, f) == NULL)
			buf[0] = '\0';
		e = ferror(f) ? errno : 0;
		fclose(f);
		if (e != 0)
			return iwa_err_set(err, IWA_EINVAL,
					   "--password-file %s: cannot read the password file: %s",
					   o->password_file, strerror(e));
	}
	len = strlen(buf);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (len == 0)
		return iwa_err_set(err, IWA_EINVAL,
				   "%s%s: the password is empty (an empty password would be an "
				   "anonymous bind)",
				   o->password_file != NULL ? "--password-file " : "--password",
				   o->password_file != NULL ? o->password_file : "");
	return 0;
}

/* Connection callback: once TCP is connected (before any TLS handshake), bound blocking reads
 * and writes on the socket by the remaining budget — libldap's own timeouts do not cover an
 * ldaps:// handshake with a server that accepts and never answers — and cap one incoming LDAP
 * message at IWA_LDAP_MESSAGE_MAX: liblber then refuses a longer message as soon as its length
 * is read (errno ERANGE), instead of allocating what the server announced. */
static int conn_add(LDAP *ld, Sockbuf *sb, LDAPURLDesc *srv, struct sockaddr *addr,
		    struct ldap_conncb *ctx)
{
	ber_socket_t fd = -1;
	ber_len_t max = IWA_LDAP_MESSAGE_MAX;
	struct iwa_ldap *l = ctx != NULL ? ctx->lc_arg : NULL;
	long ms = l != NULL ? iwa_deadline_remaining_ms(l->deadline) : 1;
	struct timeval tv;

	(void)ld;
	(void)srv;
	(void)addr;
	if (l != NULL)
		l->tcp_up = true;
	(void)ber_sockbuf_ctrl(sb, LBER_SB_OPT_SET_MAX_INCOMING, &max);
	if (ms <= 0)
		ms = 1;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd) == 1 && fd >= 0) {
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	}
	return 0;
}

static void conn_del(LDAP *ld, Sockbuf *sb, struct ldap_conncb *ctx)
{
	(void)ld;
	(void)sb;
	(void)ctx;
}

/* Sets the handle's options: protocol, referrals, TLS (CA file, verification) + NEWCTX. */
static int set_handle_options(struct iwa_ldap *l, const struct iwa_ldap_opts *o,
			      struct iwa_err *err)
{
	int v3 = LDAP_VERSION3;
	int req = o->tls.insecure ? LDAP_OPT_X_TLS_NEVER : LDAP_OPT_X_TLS_DEMAND;
	int zero = 0;
	int rc;

	l->conncb.lc_add = conn_add;
	l->conncb.lc_del = conn_del;
	l->conncb.lc_arg = l;
	if (ldap_set_option(l->ld, LDAP_OPT_PROTOCOL_VERSION, &v3) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(l->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(l->ld, LDAP_OPT_CONNECT_CB, &l->conncb) != LDAP_OPT_SUCCESS)
		return iwa_err_set(err, IWA_EIO, "LDAP %s: cannot set protocol options", l->uri);
	if (o->tls.ca_file != NULL) {
		/* tls.h: --ca-file means ONLY these CAs (no CA directory from ldap.conf) */
		rc = ldap_set_option(l->ld, LDAP_OPT_X_TLS_CACERTFILE, o->tls.ca_file);
		if (rc == LDAP_OPT_SUCCESS)
			rc = ldap_set_option(l->ld, LDAP_OPT_X_TLS_CACERTDIR, NULL);
		if (rc != LDAP_OPT_SUCCESS)
			return iwa_err_set(err, IWA_EIO, "--ca-file %s: %s", o->tls.ca_file,
					   ldap_err2string(rc));
	} else if (!o->tls.insecure && uses_tls(o)) {
		/* The system's trust store. The handle's own TLS context (NEWCTX below) starts
		 * without any CA: libldap clears the TLS settings it read from ldap.conf when it
		 * makes a handle (the handle was meant to share the global context), so without
		 * this it trusted nothing at all. Named here, like HTTPS's, from the system and
		 * not from ldap.conf (tls.h: one meaning for both). */
		const char *bundle = iwa_tls_system_bundle();
		if (bundle != NULL) {
			rc = ldap_set_option(l->ld, LDAP_OPT_X_TLS_CACERTFILE, bundle);
			if (rc != LDAP_OPT_SUCCESS)
				return iwa_err_set(err, IWA_EIO, "the system's CA bundle %s: %s",
						   bundle, ldap_err2string(rc));
		}
	}
	rc = ldap_set_option(l->ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &req);
	if (rc == LDAP_OPT_SUCCESS)
		rc = ldap_set_option(l->ld, LDAP_OPT_X_TLS_NEWCTX, &zero);
	if (rc != LDAP_OPT_SUCCESS)
		return ldap_fail(l, rc, "TLS setup", err);
	return 0;
}

/* SASL GSSAPI bind with the run's credentials (l->krb's cache, handed to SASL explicitly by
 * sasl_interact). The service ticket ldap/<host> is fetched first by our bounded TGS exchange
 * (gss.c, kdc.c) into that cache, named as SASL's GSS-API will name it: GSS then finds it
 * cached and makes no KDC exchange of its own. A KDC that refuses is left to the bind, which
 * reports it in today's words (one more quick exchange with a KDC that just answered). */
static int bind_gssapi(struct iwa_ldap *l, const struct iwa_ldap_opts *o, struct iwa_err *err)
{
	char host[256];
	int rc;

	/* By name: use it as is for ldap/<name> (no reverse DNS). By address: let libldap find
	 * the name from the peer address, there is no other (and no ticket is fetched ahead:
	 * GSS-API gets it itself, bounded only by the -t backstop). */
	iwa_ldap_uri_host(l->uri, host, sizeof host);
	if (host[0] != '\0' && !is_ip_literal(host)) {
		struct iwa_gss_ticket tk;
		struct iwa_err terr;

		(void)ldap_set_option(l->ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON);
		memset(&terr, 0, sizeof terr);
		rc = iwa_gss_host_ticket(iwa_krb_ccache_name(l->krb), "ldap", host, 0, l->deadline,
					 &tk, &terr);
		if (rc == IWA_ETIMEOUT || (rc < 0 && tk.fail == IWA_GSS_TKT_KDC_UNREACHABLE) ||
		    rc == IWA_ENOMEM) {
			*err = terr;
			return rc;
		}
	}
	/* Plain ldap://: let GSSAPI negotiate integrity/confidentiality (the connection is then
	 * signed and sealed). Over TLS: no SASL layer, as AD demands ("cannot bind using
	 * sign/seal on a connection on which TLS or SSL is in effect"). */
	if (ldap_set_option(l->ld, LDAP_OPT_X_SASL_SECPROPS,
			    uses_tls(o) ? "minssf=0,maxssf=0" : "minssf=0,maxssf=256") !=
	    LDAP_OPT_SUCCESS)
		return iwa_err_set(err, IWA_EIO, "LDAP %s: cannot set SASL properties", l->uri);
	rc = iwa_gss_cred_acquire(iwa_krb_ccache_name(l->krb), IWA_GSS_MECH_KRB5, &l->cred, err);
	if (rc < 0)
		return rc;
	struct sasl_defaults d = {iwa_gss_cred_handle(l->cred), false, false};
	rc = begin_stage(l, "during the SASL GSSAPI bind", err);
	if (rc < 0)
		return rc;
	rc = ldap_sasl_interactive_bind_s(l->ld, NULL, "GSSAPI", NULL, NULL, LDAP_SASL_QUIET,
					  sasl_interact, &d);
	if (d.cred_failed)
		return iwa_err_set(err, IWA_EIO,
				   "LDAP %s: libldap refused our Kerberos credentials for the SASL "
				   "GSSAPI bind (LDAP_OPT_X_SASL_GSS_CREDS)",
				   l->uri);
	if (rc != LDAP_SUCCESS) {
		char *diag = NULL;

		ldap_fail(l, rc, "SASL GSSAPI bind", err);
		if (err->code == IWA_EAUTH)
			iwa_err_prefix(err, "as %s", iwa_krb_client(l->krb));
		(void)ldap_get_option(l->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
		if (diag != NULL && strstr(diag, "Sign or Seal") != NULL && uses_tls(o))
			iwa_err_prefix(err,
				       "this server refuses Kerberos (SASL GSSAPI) binds over TLS "
				       "(Samba does): use plain ldap:// without --starttls, where "
				       "GSSAPI itself signs and seals the connection");
		ldap_memfree(diag);
		return err->code;
	}
	return 0;
}

/* Simple bind (only reached over TLS; iwa_ldap_validate enforces it). */
static int bind_simple(struct iwa_ldap *l, const struct iwa_ldap_opts *o, struct iwa_err *err)
{
	char pw[PASSWORD_MAX];
	struct berval cred;
	int rc;

	rc = read_password(o, pw, sizeof pw, err);
	if (rc < 0)
		goto cleanup;
	rc = begin_stage(l, "during the simple bind", err);
	if (rc < 0)
		goto cleanup;
	cred.bv_val = pw;
	cred.bv_len = strlen(pw);
	rc = ldap_sasl_bind_s(l->ld, o->bind_dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
	if (rc != LDAP_SUCCESS) {
		ldap_fail(l, rc, "simple bind", err);
		if (err->code == IWA_EAUTH)
			iwa_err_prefix(err, "as %s", o->bind_dn);
		rc = err->code;
		goto cleanup;
	}
	rc = 0;
cleanup:
	explicit_bzero(pw, sizeof pw);
	return rc;
}

int iwa_ldap_opts_uri(const struct iwa_ldap_opts *o, char **uri_out, struct iwa_err *err)
{
	if (o == NULL || uri_out == NULL)
		return iwa_err_set(err, IWA_EINVAL, "iwa_ldap_opts_uri: missing argument");
	return build_uri(o, uri_out, err);
}

/* Connects and binds per o within deadline, with krb (borrowed) or our own credentials.
 * [out] out: caller frees with iwa_ldap_free. */
int iwa_ldap_connect(const struct iwa_ldap_opts *o, double deadline, struct iwa_krb *krb,
		     struct iwa_ldap **out, struct iwa_err *err)
{
	struct iwa_ldap *l;
	double t0 = iwa_now();
	int rc;

	if (o == NULL || out == NULL)
		return iwa_err_set(err, IWA_EINVAL, "iwa_ldap_connect: missing argument");
	l = calloc(1, sizeof *l);
	if (l == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	rc = build_uri(o, &l->uri, err);
	if (rc < 0)
		goto cleanup;
	l->mech = o->bind_dn != NULL ? "simple" : "GSSAPI";
	rc = ldap_initialize(&l->ld, l->uri);
	if (rc != LDAP_SUCCESS) {
		rc = iwa_err_set(err, IWA_EINVAL, "LDAP URI %s: %s", l->uri, ldap_err2string(rc));
		goto cleanup;
	}
	rc = set_handle_options(l, o, err);
	if (rc < 0)
		goto cleanup;
	/* Our own credentials first (an unusable keytab is UNKNOWN whatever the server does);
	 * then each network stage with the time left, so that a timeout names it. */
	l->deadline = deadline;
	if (o->bind_dn == NULL && krb != NULL) {
		l->krb = krb;
	} else if (o->bind_dn == NULL) {
		rc = iwa_krb_setup(&o->krb, deadline, &l->krb, err);
		if (rc < 0)
			goto cleanup;
		l->own_krb = true;
	}
	rc = begin_stage(l, "while connecting", err);
	if (rc < 0)
		goto cleanup;
	/* ldaps://: libldap 2.5 bounds the TLS handshake by LDAP_OPT_NETWORK_TIMEOUT only in
	 * its asynchronous connect; the synchronous one spins on EAGAIN until the backstop. */
	if (scheme_is(l->uri, "ldaps"))
		(void)ldap_set_option(l->ld, LDAP_OPT_CONNECT_ASYNC, LDAP_OPT_ON);
	rc = ldap_connect(l->ld);
	if (rc != LDAP_SUCCESS) {
		if (l->tcp_up && scheme_is(l->uri, "ldaps"))
			snprintf(l->stage, sizeof l->stage, "during the TLS handshake");
		rc = ldap_fail(l, rc, "connecting", err);
		goto cleanup;
	}
	if (o->starttls) {
		rc = begin_stage(l, "during StartTLS", err);
		if (rc < 0)
			goto cleanup;
		rc = ldap_start_tls_s(l->ld, NULL, NULL);
		if (rc != LDAP_SUCCESS) {
			rc = ldap_fail(l, rc, "StartTLS", err);
			goto cleanup;
		}
	}
	if (o->bind_dn != NULL)
		rc = bind_simple(l, o, err);
	else
		rc = bind_gssapi(l, o, err);
	if (rc < 0)
		goto cleanup;
	l->bind_seconds = iwa_now() - t0;
cleanup:
	if (rc < 0) {
		iwa_ldap_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

LDAP *iwa_ldap_handle(struct iwa_ldap *l)
{
	return l != NULL ? l->ld : NULL;
}

double iwa_ldap_bind_seconds(const struct iwa_ldap *l)
{
	return l != NULL ? l->bind_seconds : 0.0;
}

const char *iwa_ldap_server(const struct iwa_ldap *l)
{
	return l != NULL ? l->uri : NULL;
}

const char *iwa_ldap_mech(const struct iwa_ldap *l)
{
	return l != NULL ? l->mech : NULL;
}

const struct iwa_krb *iwa_ldap_krb(const struct iwa_ldap *l)
{
	return l != NULL ? l->krb : NULL;
}

/* Reads one page's final result: the error, and the paged-results cookie for the next page.
 * [in,out] cookie: replaced by the server's (empty = last page). Frees msg. */
static int page_result(struct iwa_ldap *l, LDAPMessage *msg, struct berval *cookie,
		       const char *base, struct iwa_err *err)
{
	LDAPControl **sctrls = NULL;
	LDAPControl *pc;
	char *diag = NULL;
	int lerr = LDAP_SUCCESS;
	ber_int_t count = 0;
	int rc;

	rc = ldap_parse_result(l->ld, msg, &lerr, NULL, &diag, NULL, &sctrls, 1);
	if (rc != LDAP_SUCCESS) {
		ldap_memfree(diag);
		return ldap_fail(l, rc, "reading a search result", err);
	}
	if (lerr != LDAP_SUCCESS) {
		int code = lerr == LDAP_NO_SUCH_OBJECT       ? IWA_ENOTFOUND
			   : lerr == LDAP_TIMELIMIT_EXCEEDED ? IWA_ETIMEOUT
							     : IWA_EIO;

		if (lerr == LDAP_NO_SUCH_OBJECT)
			iwa_err_set(err, code, "search on %s: base '%s' does not exist (check -b)",
				    l->uri, base);
		else
			iwa_err_set(err, code, "search on %s failed: %s%s%s%s", l->uri,
				    ldap_err2string(lerr), diag != NULL && diag[0] ? " (" : "",
				    diag != NULL ? diag : "", diag != NULL && diag[0] ? ")" : "");
		ldap_memfree(diag);
		ldap_controls_free(sctrls);
		return code;
	}
	ldap_memfree(diag);
	ber_memfree(cookie->bv_val);
	cookie->bv_val = NULL;
	cookie->bv_len = 0;
	pc = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, sctrls, NULL);
	if (pc != NULL) {
		struct berval c = {0, NULL};

		rc = ldap_parse_pageresponse_control(l->ld, pc, &count, &c);
		if (rc == LDAP_SUCCESS)
			*cookie = c; /* ours now (ber_memfree); empty on the last page */
	}
	ldap_controls_free(sctrls);
	return 0;
}

/* Builds the control list for one page: the caller's controls plus a paged-results control
 * carrying cookie. [out] list_out (free with free()), pctrl_out (ldap_control_free). */
static int page_controls(struct iwa_ldap *l, unsigned page_size, struct berval *cookie,
			 LDAPControl **ctrls, LDAPControl ***list_out, LDAPControl **pctrl_out,
			 struct iwa_err *err)
{
	LDAPControl **list;
	LDAPControl *pc = NULL;
	size_t n = 0, i;
	int rc;

	while (ctrls != NULL && ctrls[n] != NULL)
		n++;
	list = calloc(n + 2, sizeof *list);
	if (list == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		list[i] = ctrls[i];
	if (page_size > 0) {
		rc = ldap_create_page_control(l->ld, (ber_int_t)page_size,
					      cookie->bv_len > 0 ? cookie : NULL, 0, &pc);
		if (rc != LDAP_SUCCESS) {
			free(list);
			return ldap_fail(l, rc, "building the paged results control", err);
		}
		list[n] = pc;
	}
	*list_out = list;
	*pctrl_out = pc;
	return 0;
}

/* Paged search streaming entries to fn (see directory.h). Returns 0, fn's non-zero value when it
 * stopped the search, or a negative IWA code with err set. */
int iwa_ldap_search(struct iwa_ldap *l, const char *base, int scope, const char *filter,
		    char **attrs, unsigned page_size, LDAPControl **ctrls, iwa_ldap_entry_fn fn,
		    void *ctx, struct iwa_err *err)
{
	struct berval cookie = {0, NULL};
	LDAPControl **list = NULL;
	LDAPControl *pctrl = NULL;
	LDAPMessage *msg = NULL;
	struct timeval tv;
	int msgid = -1;
	bool more = true;
	int rc = 0;

	if (l == NULL || l->ld == NULL || fn == NULL)
		return iwa_err_set(err, IWA_EINVAL, "iwa_ldap_search: missing argument");
	if (base == NULL)
		base = "";
	while (more) {
		bool page_done = false;

		rc = page_controls(l, page_size, &cookie, ctrls, &list, &pctrl, err);
		if (rc < 0)
			goto cleanup;
		if (base[0] == '\0')
			snprintf(l->stage, sizeof l->stage, "during the search of the root DSE");
		else
			snprintf(l->stage, sizeof l->stage, "during the search under '%.500s'",
				 base);
		l->stage_t0 = iwa_now();
		l->stage_s = (double)iwa_deadline_remaining_ms(l->deadline) / 1000.0;
		if (!iwa_deadline_timeval(l->deadline, &tv)) {
			rc = iwa_err_set(err, IWA_ETIMEOUT,
					 "no time was left %s on %s (the -t budget was used up "
					 "before)",
					 l->stage, l->uri);
			goto cleanup;
		}
		rc = ldap_search_ext(l->ld, base, scope, filter, attrs, 0, list, NULL, &tv, 0,
				     &msgid);
		ldap_control_free(pctrl);
		pctrl = NULL;
		free(list);
		list = NULL;
		if (rc != LDAP_SUCCESS) {
			rc = ldap_fail(l, rc, "search", err);
			goto cleanup;
		}
		while (!page_done) {
			int type;

			if (!iwa_deadline_timeval(l->deadline, &tv)) {
				rc = ldap_fail(l, LDAP_TIMEOUT, "search", err);
				goto cleanup;
			}
			errno = 0;
			type = ldap_result(l->ld, msgid, LDAP_MSG_ONE, &tv, &msg);
			if (type < 0 && errno == ERANGE) {
				/* liblber refused a message past IWA_LDAP_MESSAGE_MAX */
				rc = iwa_err_set(err, IWA_ELIMIT,
						 "search on %s: the server sent an LDAP message "
						 "larger than " IWA_LDAP_MESSAGE_MAX_TEXT
						 " (the cap on one message) — a broken or hostile "
						 "directory server",
						 l->uri);
				goto cleanup;
			}
			if (type == 0) {
				rc = ldap_fail(l, LDAP_TIMEOUT, "search", err);
				goto cleanup;
			}
			if (type < 0) {
				int lerr = LDAP_OTHER;

				(void)ldap_get_option(l->ld, LDAP_OPT_RESULT_CODE, &lerr);
				rc = ldap_fail(l, lerr, "search", err);
				goto cleanup;
			}
			switch (type) {
			case LDAP_RES_SEARCH_ENTRY:
				rc = fn(l->ld, msg, ctx);
				ldap_msgfree(msg);
				msg = NULL;
				if (rc != 0)
					goto cleanup;
				break;
			case LDAP_RES_SEARCH_RESULT:
				rc = page_result(l, msg, &cookie, base, err);
				msg = NULL; /* freed by page_result */
				msgid = -1;
				if (rc < 0)
					goto cleanup;
				page_done = true;
				break;
			default: /* references (not chased), intermediate responses */
				ldap_msgfree(msg);
				msg = NULL;
				break;
			}
		}
		more = page_size > 0 && cookie.bv_len > 0;
	}
	rc = 0;
cleanup:
	if (msgid >= 0)
		(void)ldap_abandon_ext(l->ld, msgid, NULL, NULL);
	ldap_msgfree(msg);
	ldap_control_free(pctrl);
	free(list);
	ber_memfree(cookie.bv_val);
	return rc;
}

int iwa_ldap_entry_values(LDAP *ld, LDAPMessage *e, const char *attr, size_t max,
			  struct berval ***vals_out, size_t *n_out, struct iwa_err *err)
{
	struct berval **v = ldap_get_values_len(ld, e, attr);
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	if (n > max) {
		char *dn = ldap_get_dn(ld, e);

		iwa_err_set(err, IWA_ELIMIT,
			    "the directory returned %zu values of %s for %s, more than the %zu "
			    "the check accepts on one object (AD returns at most 1500: "
			    "MaxValRange) — a broken or hostile directory server",
			    n, attr, dn != NULL ? dn : "an entry", max);
		ldap_memfree(dn);
		ldap_value_free_len(v);
		return IWA_ELIMIT;
	}
	*vals_out = v;
	*n_out = n;
	return 0;
}

/* Callback of iwa_ldap_root_dse_attr: keeps the first value of the attribute. */
struct dse_ctx {
	const char *attr;
	char *value;
};

static int dse_entry(LDAP *ld, LDAPMessage *e, void *ctx)
{
	struct dse_ctx *d = ctx;
	struct berval **v = ldap_get_values_len(ld, e, d->attr);

	if (v != NULL && v[0] != NULL && d->value == NULL) {
		d->value = malloc(v[0]->bv_len + 1);
		if (d->value != NULL) {
			memcpy(d->value, v[0]->bv_val, v[0]->bv_len);
			d->value[v[0]->bv_len] = '\0';
		}
	}
	ldap_value_free_len(v);
	return 0;
}

/* Reads one attribute of the root DSE (e.g. defaultNamingContext). [out] value_out: malloc'd.
 * IWA_ENOTFOUND when the server does not publish it. */
int iwa_ldap_root_dse_attr(struct iwa_ldap *l, const char *attr, char **value_out,
			   struct iwa_err *err)
{
	struct dse_ctx d = {attr, NULL};
	char *attrs[2] = {(char *)attr, NULL};
	int rc;

	rc = iwa_ldap_search(l, "", LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0, NULL, dse_entry,
			     &d, err);
	if (rc < 0) {
		free(d.value);
		return rc;
	}
	if (d.value == NULL)
		return iwa_err_set(err, IWA_ENOTFOUND, "%s does not publish %s in its root DSE",
				   l->uri, attr);
	*value_out = d.value;
	return 0;
}

/* Appends value escaped per RFC 4515 section 3: '*' '(' ')' '\' and NUL as \XX; every other
 * byte (UTF-8 included) as is. Returns 0 or IWA_ENOMEM. */
int iwa_ldap_escape(struct iwa_buf *b, const char *value)
{
	const char *p;

	if (value == NULL)
		return 0;
	for (p = value; *p != '\0'; p++) {
		int rc;

		switch (*p) {
		case '*':
			rc = iwa_buf_adds(b, "\\2a");
			break;
		case '(':
			rc = iwa_buf_adds(b, "\\28");
			break;
		case ')':
			rc = iwa_buf_adds(b, "\\29");
			break;
		case '\\':
			rc = iwa_buf_adds(b, "\\5c");
			break;
		default:
			rc = iwa_buf_add(b, p, 1);
			break;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Unbinds, removes our private credential cache, frees. Accepts NULL. */
void iwa_ldap_free(struct iwa_ldap *l)
{
	if (l == NULL)
		return;
	if (l->ld != NULL)
		(void)ldap_unbind_ext_s(l->ld, NULL, NULL);
	iwa_gss_cred_free(l->cred);
	if (l->own_krb)
		iwa_krb_free(l->krb);
	free(l->uri);
	free(l);
}

char *iwa_ldap_first_value(LDAP *ld, LDAPMessage *e, const char *attr)
{
	struct berval **v = ldap_get_values_len(ld, e, attr);
	char *s = NULL;

	if (v != NULL && v[0] != NULL)
		s = strndup(v[0]->bv_val, v[0]->bv_len);
	ldap_value_free_len(v);
	return s;
}

char *iwa_ldap_entry_dn(LDAP *ld, LDAPMessage *e)
{
	char *dn = ldap_get_dn(ld, e), *s = NULL;

	if (dn != NULL)
		s = strdup(dn);
	ldap_memfree(dn);
	return s;
}

bool iwa_ldap_entry_sid(LDAP *ld, LDAPMessage *e, struct iwa_sid *sid_out)
{
	struct berval **v = ldap_get_values_len(ld, e, "objectSid");
	bool ok = v != NULL && v[0] != NULL &&
		  iwa_sid_from_bin((const uint8_t *)v[0]->bv_val, v[0]->bv_len, sid_out, NULL,
				   NULL) == 0;

	ldap_value_free_len(v);
	return ok;
}

/* Sends every request, then collects each answer: n searches, one round trip. Entries go to
 * each request's fn. noSuchObject on a base search is not an error (req->no_such_object). */
int iwa_ldap_search_batch(struct iwa_ldap *l, void *owner, struct iwa_ldap_req *r, size_t n,
			  struct iwa_ldap_batch_stats *st, struct iwa_err *err)
{
	LDAP *ld = l->ld;
	double t0 = iwa_now();
	struct timeval tv;
	size_t sent = 0;
	int rc = 0;

	for (; sent < n; sent++) {
		int lrc;
		if (!iwa_deadline_timeval(l->deadline, &tv)) {
			rc = iwa_err_set(err, IWA_ETIMEOUT,
					 "time budget used up during LDAP searches");
			goto cleanup;
		}
		lrc = ldap_search_ext(ld, r[sent].base, r[sent].scope, r[sent].filter,
				      r[sent].attrs, 0, r[sent].ctrls, NULL, &tv, r[sent].sizelimit,
				      &r[sent].msgid);
		if (lrc != LDAP_SUCCESS) {
			rc = iwa_err_set(err, IWA_EIO,
					 "directory unreadable: search of %s on %s: %s",
					 *r[sent].base ? r[sent].base : "the rootDSE", l->uri,
					 ldap_err2string(lrc));
			goto cleanup;
		}
		st->searches++;
	}
	st->round_trips++;
	for (size_t i = 0; i < n; i++) {
		LDAPMessage *res = NULL;
		int got, code = LDAP_SUCCESS;
		char *diag = NULL;

		if (!iwa_deadline_timeval(l->deadline, &tv)) {
			rc = iwa_err_set(err, IWA_ETIMEOUT, "time budget used up waiting for %s",
					 l->uri);
			goto cleanup;
		}
		got = ldap_result(ld, r[i].msgid, LDAP_MSG_ALL, &tv, &res);
		if (got == 0) {
			ldap_msgfree(res);
			rc = iwa_err_set(err, IWA_ETIMEOUT,
					 "no answer from %s within the time budget", l->uri);
			goto cleanup;
		}
		if (got < 0) {
			int e = LDAP_OTHER;
			ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &e);
			ldap_msgfree(res);
			rc = iwa_err_set(err, IWA_EIO, "directory unreadable: %s: %s", l->uri,
					 ldap_err2string(e));
			goto cleanup;
		}
		for (LDAPMessage *m = ldap_first_message(ld, res); m;
		     m = ldap_next_message(ld, m)) {
			int t = ldap_msgtype(m);
			if (t == LDAP_RES_SEARCH_ENTRY && r[i].fn && rc == 0)
				rc = r[i].fn(owner, ld, m, r[i].arg);
			else if (t == LDAP_RES_SEARCH_RESULT)
				ldap_parse_result(ld, m, &code, NULL, &diag, NULL, NULL, 0);
		}
		ldap_msgfree(res);
		if (rc != 0) {
			ldap_memfree(diag);
			if (err && err->msg[0] == '\0')
				iwa_err_set(err, rc, "out of memory");
			goto cleanup;
		}
		if (code == LDAP_NO_SUCH_OBJECT)
			r[i].no_such_object = true;
		else if (code == LDAP_SIZELIMIT_EXCEEDED && r[i].sizelimit > 0)
			; /* we asked for a few entries only */
		else if (code != LDAP_SUCCESS) {
			rc = iwa_err_set(
				err, code == LDAP_INSUFFICIENT_ACCESS ? IWA_EAUTH : IWA_EIO,
				"directory unreadable: search of %s on %s: %s%s%s",
				*r[i].base ? r[i].base : "the rootDSE", l->uri,
				ldap_err2string(code), diag && *diag ? ": " : "", diag ? diag : "");
			ldap_memfree(diag);
			goto cleanup;
		}
		ldap_memfree(diag);
	}
cleanup:
	st->seconds += iwa_now() - t0;
	return rc;
}
