/* directory.h — directory (LDAP) access shared by check_spn_unique and check_batch_logon_gpo.
 * One connection (URI, LDAPv3, TLS options, StartTLS), one bind (SASL GSSAPI by default,
 * simple bind only over TLS with the password read from a file), paged searches, RFC 4515
 * escaping. Every operation gets the remaining time budget; referrals are not chased. */
#ifndef IWA_DIRECTORY_H
#define IWA_DIRECTORY_H

#include "iwa.h"
#include "krb.h"
#include "tls.h"
#include "util.h"
#include <getopt.h>
#include <ldap.h>
#include <limits.h>

struct iwa_ldap_opts {
	const char *host;          /* -H */
	unsigned port;             /* -p; 0 = default_port */
	unsigned default_port;     /* set by the plugin: 3268 (GC) or 389 */
	const char *uri;           /* --ldap-uri */
	bool starttls;             /* --starttls */
	struct iwa_tls_opts tls;   /* --ca-file --insecure */
	const char *bind_dn;       /* --bind-dn: simple bind */
	const char *password_file; /* --password-file */
	const char *password;      /* only from --extra-opts ini "password = ..." (never argv) */
	struct iwa_krb_opts krb;   /* --keytab --principal --ccache */
	const char *base;          /* -b */
};

/* getopt entries and handler for the options above, shared by both directory plugins
 * (their values are IWA_OPT_LDAP_*; short ones: -H -p -b). */
enum {
	IWA_OPT_LDAP_URI = CHAR_MAX + 8,
	IWA_OPT_LDAP_STARTTLS,
	IWA_OPT_LDAP_BIND_DN,
	IWA_OPT_LDAP_PASSWORD_FILE,
	IWA_OPT_LDAP_PASSWORD,
};
#define IWA_LDAP_SHORTOPTS "H:p:b:"
/* The entries of iwa_ldap_longopts without the terminator, so that a plugin can splice them
 * into its own table: { IWA_LDAP_LONGOPTS_ENTRIES, {"spn", ...}, {0, 0, 0, 0} }. */
/* clang-format off */
#define IWA_LDAP_LONGOPTS_ENTRIES                                                   \
	{"host", required_argument, NULL, 'H'},                                     \
	{"port", required_argument, NULL, 'p'},                                     \
	{"base", required_argument, NULL, 'b'},                                     \
	{"ldap-uri", required_argument, NULL, IWA_OPT_LDAP_URI},                    \
	{"starttls", no_argument, NULL, IWA_OPT_LDAP_STARTTLS},                     \
	{"bind-dn", required_argument, NULL, IWA_OPT_LDAP_BIND_DN},                 \
	{"password-file", required_argument, NULL, IWA_OPT_LDAP_PASSWORD_FILE},     \
	{"password", required_argument, NULL, IWA_OPT_LDAP_PASSWORD},               \
	IWA_TLS_LONGOPTS_ENTRIES,                                                   \
	IWA_KRB_LONGOPTS_ENTRIES
/* clang-format on */
/* The help text of these options as a string literal (so a plugin can concatenate it with
 * its own), the TLS and Kerberos blocks included; iwa_ldap_options_help holds the same text.
 * 79 columns. */
#define IWA_LDAP_OPTIONS_HELP                                                                      \
	"Directory connection:\n"                                                                  \
	" -H, --host NAME        domain controller to ask (a name: Kerberos needs\n"               \
	"                        ldap/NAME); no default, -H or --ldap-uri is required\n"           \
	" -p, --port PORT        LDAP port (default: 3268, the Global Catalog, for\n"              \
	"                        check_spn_unique; 389 for check_batch_logon_gpo);\n"              \
	"                        636 and 3269 mean ldaps://\n"                                     \
	" --ldap-uri URI         ldap://HOST[:PORT] or ldaps://HOST[:PORT] instead of\n"           \
	"                        -H/-p (default: none)\n"                                          \
	" --starttls             upgrade ldap:// to TLS with StartTLS (default: off)\n"            \
	" -b, --base DN          search base (default: the plugin's, see below)\n"                 \
	"Authentication (default: SASL GSSAPI with the Kerberos credentials below):\n"             \
	" --bind-dn DN           simple bind as DN instead of Kerberos; only over TLS\n"           \
	"                        (ldaps:// or --starttls) (default: none, Kerberos)\n"             \
	" --password-file FILE   simple-bind password: the file's first line (checked\n"           \
	"                        before any connection) (default: none)\n"                         \
	" --password PASSWORD    only as `password = ...` in the --extra-opts ini file;\n"         \
	"                        never put a password on the command line (default:\n"             \
	"                        none)\n" IWA_KRB_OPTIONS_HELP IWA_TLS_OPTIONS_HELP
extern const struct option iwa_ldap_longopts[]; /* terminated by {0} */
extern const char iwa_ldap_options_help[];      /* help text for these options */
void iwa_ldap_opts_init(struct iwa_ldap_opts *o, unsigned default_port);
/* Returns 1 if opt was one of ours (handled), 0 if not, IWA_EINVAL on a bad value. */
int iwa_ldap_opt(struct iwa_ldap_opts *o, int opt, const char *arg, struct iwa_err *err);
int iwa_ldap_validate(const struct iwa_ldap_opts *o, struct iwa_err *err);

struct iwa_ldap;

/* Connects and binds. Errors: IWA_EAUTH (our credentials), IWA_EIO (server unreachable,
 * TLS), IWA_ETIMEOUT — the message names the server and the library's reason
 * (ldap_err2string + diagnostic message). */
/* deadline: the run's (iwa_now() seconds; from the run context, ctx.h), bounding every stage.
 * krb: the run's credentials for a GSSAPI bind, borrowed (the run context's, one TGT per
 * process); NULL: set up from o->krb here and freed with the connection. Callers inside a
 * plugin run use iwa_ctx_ldap() (ctx.h), which keeps one bound connection per server. */
int iwa_ldap_connect(const struct iwa_ldap_opts *o, double deadline, struct iwa_krb *krb,
		     struct iwa_ldap **out, struct iwa_err *err);
/* The URI iwa_ldap_connect would use for o (--ldap-uri, or built from -H/-p). [out] uri_out:
 * caller frees. */
int iwa_ldap_opts_uri(const struct iwa_ldap_opts *o, char **uri_out, struct iwa_err *err);
LDAP *iwa_ldap_handle(struct iwa_ldap *l);
double iwa_ldap_bind_seconds(const struct iwa_ldap *l);
const char *iwa_ldap_server(const struct iwa_ldap *l); /* URI, for messages */
/* "GSSAPI" or "simple" (for -v). */
const char *iwa_ldap_mech(const struct iwa_ldap *l);
/* The Kerberos credentials used by a GSSAPI bind (NULL for a simple bind). */
const struct iwa_krb *iwa_ldap_krb(const struct iwa_ldap *l);

/* Caps on what a directory server can make us read (a broken or hostile server cannot make
 * the plugins use more memory than these): libldap allocates a message's announced length
 * at once, so one LDAP message (one entry, one result) is refused past
 * IWA_LDAP_MESSAGE_MAX — a search then fails with IWA_ELIMIT; and iwa_ldap_entry_values()
 * refuses an attribute with more than IWA_LDAP_VALUES_MAX values (AD itself returns at
 * most 1500 per attribute: MaxValRange). */
#define IWA_LDAP_MESSAGE_MAX (4 * 1024 * 1024)
#define IWA_LDAP_MESSAGE_MAX_TEXT "4 MiB"
#define IWA_LDAP_VALUES_MAX 10000

/* The values of attr in entry e (ldap_get_values_len), refusing more than max of them with
 * IWA_ELIMIT (err names the attribute, the entry and the cap). [out] vals_out (NULL when the
 * entry has no such attribute; free with ldap_value_free_len), n_out. */
int iwa_ldap_entry_values(LDAP *ld, LDAPMessage *e, const char *attr, size_t max,
			  struct berval ***vals_out, size_t *n_out, struct iwa_err *err);

/* Called for each entry; return 0 to go on, non-zero to stop (that value is returned). */
typedef int (*iwa_ldap_entry_fn)(LDAP *ld, LDAPMessage *entry, void *ctx);

/* Search with the paged results control (page_size 0 = no paging), streaming entries to fn
 * page by page. scope: LDAP_SCOPE_BASE/ONELEVEL/SUBTREE. ctrls: extra server controls
 * (e.g. SD flags) or NULL. */
int iwa_ldap_search(struct iwa_ldap *l, const char *base, int scope, const char *filter,
		    char **attrs, unsigned page_size, LDAPControl **ctrls, iwa_ldap_entry_fn fn,
		    void *ctx, struct iwa_err *err);
/* Batched searches: every request is sent, then each answer collected — n searches in one
 * round trip, within the connection's deadline. Entries go to each request's fn with owner
 * and the request's arg (non-zero stops, returned). noSuchObject on a request is not an error (no_such_object set); a size
 * limit hit is not one when sizelimit > 0. Errors name the base and the server: IWA_ETIMEOUT,
 * IWA_EIO ("directory unreadable: ..."), IWA_EAUTH (insufficient access). [in,out] st: counts
 * added (searches, round trips, seconds). */
typedef int (*iwa_ldap_req_fn)(void *owner, LDAP *ld, LDAPMessage *entry, void *arg);
struct iwa_ldap_req {
	const char *base;
	int scope;
	const char *filter;
	char **attrs;
	LDAPControl **ctrls;
	int sizelimit;
	iwa_ldap_req_fn fn;
	void *arg;
	int msgid;           /* out */
	bool no_such_object; /* out: the base does not exist */
};
struct iwa_ldap_batch_stats {
	unsigned searches, round_trips;
	double seconds;
};
int iwa_ldap_search_batch(struct iwa_ldap *l, void *owner, struct iwa_ldap_req *r, size_t n,
			  struct iwa_ldap_batch_stats *st, struct iwa_err *err);
/* Reads the first value of one root DSE attribute (e.g. "defaultNamingContext").
 * [out] value_out: caller frees. IWA_ENOTFOUND when absent. */
int iwa_ldap_root_dse_attr(struct iwa_ldap *l, const char *attr, char **value_out,
			   struct iwa_err *err);
/* Entry readers, the one copy every check uses: the first value of attr as a new string
 * (NULL when absent or out of memory; free()); the entry's DN as a new string (free());
 * its objectSid parsed (false when absent or unreadable: not a security principal). */
char *iwa_ldap_first_value(LDAP *ld, LDAPMessage *e, const char *attr);
char *iwa_ldap_entry_dn(LDAP *ld, LDAPMessage *e);
struct iwa_sid;
bool iwa_ldap_entry_sid(LDAP *ld, LDAPMessage *e, struct iwa_sid *sid_out);
/* The host part of an LDAP URI into buf (IPv6 without brackets); "" when none. */
void iwa_ldap_uri_host(const char *uri, char *buf, size_t n);
/* Appends value escaped per RFC 4515 (\2a \28 \29 \5c \00, and non-ASCII kept as UTF-8). */
int iwa_ldap_escape(struct iwa_buf *b, const char *value);
void iwa_ldap_free(struct iwa_ldap *l);

#endif
