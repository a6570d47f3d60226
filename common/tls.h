/* tls.h — the TLS options every plugin offers (--ca-file, --insecure), with ONE meaning for
 * LDAPS/StartTLS (directory.c, libldap) and HTTPS (http.c, libcurl):
 *  - default: verify the server's certificate chain against the system's trust store and its
 *    name against the host name we connect to (HTTPS: libcurl's CA directory alone when it
 *    has one, http.c says why; LDAPS/StartTLS: the system's CA bundle, iwa_tls_system_bundle;
 *    neither reads ldap.conf's TLS_CACERT);
 *  - --ca-file FILE: the same verification, but trusting ONLY the CA certificates in FILE (a
 *    PEM bundle): directory.c clears libldap's CA directory, http.c curl's CAPATH;
 *  - --insecure: no verification of the chain nor the name (excludes --ca-file).
 * Declared, parsed, validated and documented here once; the I/O wrappers only apply them.
 * Pure except iwa_tls_validate, which reads FILE (before any network I/O), and
 * iwa_tls_system_bundle (access()). */
#ifndef IWA_TLS_H
#define IWA_TLS_H

#include "iwa.h"
#include <getopt.h>
#include <limits.h>

struct iwa_tls_opts {
	const char *ca_file; /* --ca-file: trust only the CAs in this PEM file; NULL = system */
	bool insecure;       /* --insecure: no certificate or name verification */
};

/* Option values between the directory's (directory.h) and the credential options (krb.h). */
enum {
	IWA_OPT_TLS_CA_FILE = CHAR_MAX + 16,
	IWA_OPT_TLS_INSECURE,
};
/* The entries a plugin splices into its option table. */
/* clang-format off */
#define IWA_TLS_LONGOPTS_ENTRIES                                                    \
	{"ca-file", required_argument, NULL, IWA_OPT_TLS_CA_FILE},                  \
	{"insecure", no_argument, NULL, IWA_OPT_TLS_INSECURE}
/* clang-format on */
/* The help text of these options (79 columns), for every plugin the same. */
#define IWA_TLS_OPTIONS_HELP                                                                       \
	"TLS (the same for LDAPS, StartTLS and HTTPS):\n"                                          \
	" --ca-file FILE         verify servers against only the CA certificates in\n"             \
	"                        FILE, a PEM bundle (checked before any connection)\n"             \
	"                        (default: the system's trust store)\n"                            \
	" --insecure             verify neither certificates nor names; excludes\n"                \
	"                        --ca-file (default: verify)\n"

/* Largest --ca-file we read (the system bundle is ~200 KB). */
#define IWA_TLS_CA_FILE_MAX (4 * 1024 * 1024)

/* Stores one TLS option in o. Returns 1 when opt was one of them, 0 when not, IWA_EINVAL
 * (err names the option) on an empty value. */
int iwa_tls_opt(struct iwa_tls_opts *o, int opt, const char *arg, struct iwa_err *err);
/* Cross-option rules and the CA file: --insecure excludes --ca-file; FILE must be readable and
 * a PEM bundle (iwa_pem_certs). Returns 0 or IWA_EINVAL with one line naming the option, the
 * file and why ("--ca-file /x: cannot read the CA file: No such file or directory"). */
int iwa_tls_validate(const struct iwa_tls_opts *o, struct iwa_err *err);

/* The system's CA bundle for a TLS library that takes a file (libldap with GnuTLS): the
 * first that exists of /etc/ssl/certs/ca-certificates.crt (Debian, Ubuntu),
 * /etc/pki/tls/certs/ca-bundle.crt (RHEL, Fedora), /etc/ssl/ca-bundle.pem (SUSE),
 * /etc/ssl/cert.pem (Alpine, BSD); NULL when none does. */
const char *iwa_tls_system_bundle(void);

/* Checks that text holds at least one PEM certificate and that every
 * "-----BEGIN CERTIFICATE-----" block in it is well-formed: an END line, strict base64
 * (whitespace allowed, '=' only as final padding), and DER of a certificate's outer shape
 * (SEQUENCE { SEQUENCE tbsCertificate, SEQUENCE signatureAlgorithm, BIT STRING }, definite
 * lengths, nothing after it). Text outside the blocks (comments, other PEM types) is ignored,
 * as OpenSSL and GnuTLS do. [out] count_out: number of certificates (may be NULL).
 * Returns 0, or IWA_EPARSE with err saying what is wrong and on which line. Pure. */
int iwa_pem_certs(const char *text, size_t len, unsigned *count_out, struct iwa_err *err);

#endif
