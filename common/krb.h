/* krb.h — our own Kerberos credentials in one FILE: credential cache, shared by GSS-API (by
 * name: iwa_krb_ccache_name), SASL GSSAPI (libldap: GSS-API credentials from that cache,
 * handed over explicitly by directory.c) and libsmbclient (Samba's Heimdal, through
 * KRB5CCNAME).
 *
 * Modes:
 *  - --keytab FILE [--principal NAME]: a TGT is obtained from the keytab into a PRIVATE
 *    FILE: cache (mode 0600, removed by iwa_krb_free), or into --ccache NAME when given, where
 *    a still-valid TGT for that principal is reused (no AS exchange) — the way consecutive runs
 *    avoid KDC traffic. The user's default cache is never touched.
 *  - no keytab: --ccache NAME, else KRB5CCNAME/the default cache, used as is; it must hold a
 *    valid TGT (else IWA_EAUTH "no valid Kerberos credentials in ...").
 * Either way KRB5CCNAME is set in the process environment to the cache in use (for
 * libsmbclient; GSS-API and SASL do not depend on it). */
#ifndef IWA_KRB_H
#define IWA_KRB_H

#include "iwa.h"
#include <getopt.h>
#include <limits.h>

struct iwa_krb_opts {
	const char *keytab;
	const char *principal; /* default: the first principal in the keytab */
	const char *ccache;    /* "FILE:/path", "/path" or any krb5 ccache name */
	bool fresh;            /* --fresh-ticket: ignore cached service tickets */
};

/* The credential options every plugin offers (values between the common options' and the
 * plugins' own, see plugin.h and directory.h). A plugin splices IWA_KRB_LONGOPTS_ENTRIES into
 * its option table (and {"fresh-ticket", no_argument, NULL, IWA_OPT_KRB_FRESH} where service
 * tickets are reused) and passes every option to iwa_krb_opt first. */
enum {
	IWA_OPT_KRB_KEYTAB = CHAR_MAX + 24,
	IWA_OPT_KRB_PRINCIPAL,
	IWA_OPT_KRB_CCACHE,
	IWA_OPT_KRB_FRESH,
};
/* clang-format off */
#define IWA_KRB_LONGOPTS_ENTRIES                                                    \
	{"keytab", required_argument, NULL, IWA_OPT_KRB_KEYTAB},                    \
	{"principal", required_argument, NULL, IWA_OPT_KRB_PRINCIPAL},              \
	{"ccache", required_argument, NULL, IWA_OPT_KRB_CCACHE}
/* clang-format on */
/* The help text of the options above but --fresh-ticket (79 columns), the same in every
 * plugin. */
#define IWA_KRB_OPTIONS_HELP                                                                       \
	"Kerberos credentials (the same for every plugin):\n"                                      \
	" --keytab FILE          get a TGT from this client keytab (checked before any\n"          \
	"                        connection) into a private cache, removed at exit, or\n"          \
	"                        into --ccache (default: none, use the cache below)\n"             \
	" --principal NAME       the keytab's principal to use; needs --keytab\n"                  \
	"                        (default: the keytab's first one)\n"                              \
	" --ccache NAME          credential cache, e.g. FILE:/var/cache/iwa/cc; with\n"            \
	"                        --keytab a valid TGT in it is reused, else renewed\n"             \
	"                        there, so consecutive runs need no KDC exchange\n"                \
	"                        (default: KRB5CCNAME or the default cache; with\n"                \
	"                        --keytab a private cache)\n"

/* Stores one credential option in o. Returns 1 when opt was one of them, 0 when not,
 * IWA_EINVAL (err names the option) on an empty value. */
int iwa_krb_opt(struct iwa_krb_opts *o, int opt, const char *arg, struct iwa_err *err);
/* Cross-option rules and the keytab file, before any network I/O: --principal needs
 * --keytab; a keytab file (FILE:/path, WRFILE:/path or a path) must be readable and start
 * with the keytab format's version (0x0501/0x0502). Returns 0 or IWA_EINVAL with one line
 * naming the option ("--keytab /x: cannot read the keytab: No such file or directory"). */
int iwa_krb_validate(const struct iwa_krb_opts *o, struct iwa_err *err);

struct iwa_krb;

/* Sets up credentials per the modes above. IWA_EAUTH with the KDC's/library's reason when
 * our credentials are unusable (bad keytab, wrong key, expired password, unknown principal,
 * clock skew); IWA_EIO when no KDC can be reached (each one's reason named); IWA_ETIMEOUT
 * when none answered within the run's budget: the AS exchange is stepped by kdc.c, so the
 * message names the KDCs and the stage ("the KDC (127.0.20.1:88) did not answer within 3 s
 * while getting a ticket for monitor@CAMTEST.TEST"). */
/* deadline: the run's (iwa_now() seconds, from ctx.h); 0: the armed budget's. */
int iwa_krb_setup(const struct iwa_krb_opts *opts, double deadline, struct iwa_krb **out,
		  struct iwa_err *err);
/* "FILE:/..." in use. */
const char *iwa_krb_ccache_name(const struct iwa_krb *k);
/* Client principal, unparsed ("monitor@CAMTEST.TEST"). */
const char *iwa_krb_client(const struct iwa_krb *k);
/* Seconds spent obtaining the TGT this run (0 when a cached TGT was reused). */
double iwa_krb_tgt_seconds(const struct iwa_krb *k);
bool iwa_krb_tgt_reused(const struct iwa_krb *k);
/* Removes the private cache (if we made one) and frees. Accepts NULL. */
void iwa_krb_free(struct iwa_krb *k);

#endif
