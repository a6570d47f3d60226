/* cbt.h — channel bindings for Kerberos over TLS (Extended Protection for Authentication):
 * RFC 5929 section 4 "tls-server-end-point". The application data a client binds its
 * authenticator to is "tls-server-end-point:" followed by the hash of the server's leaf
 * certificate exactly as it was sent on the wire (DER); the hash is the certificate's
 * signature hash, SHA-256 when that is MD5 or SHA-1 (or when the signature names no hash,
 * e.g. Ed25519). IIS (tokenChecking Allow/Require) compares it with its own certificate's.
 * Pure (OpenSSL's libcrypto for the DER decoding and the digests; no I/O), fuzzed by
 * tests/fuzz/fuzz_cbt.c. */
#ifndef IWA_CBT_H
#define IWA_CBT_H

#include "iwa.h"
#include <stddef.h>

#define IWA_CBT_PREFIX "tls-server-end-point:"
#define IWA_CBT_HASH_MAX 64 /* SHA-512 */

struct iwa_cbt {
	unsigned char app_data[sizeof(IWA_CBT_PREFIX) - 1 + IWA_CBT_HASH_MAX];
	size_t app_data_len;                     /* prefix + hash */
	size_t hash_len;                         /* 32, 48 or 64 */
	char hash_name[16];                      /* "SHA-256" */
	char hash_hex[2 * IWA_CBT_HASH_MAX + 1]; /* lower-case hex of the hash */
	char sig_alg[64];  /* the certificate's signature algorithm ("ecdsa-with-SHA256") */
	char subject[256]; /* RFC 2253 subject ("CN=sso.camtest.test"), cut to fit */
};

/* The tls-server-end-point binding of one DER certificate (der/len: the leaf exactly as the
 * server sent it; trailing bytes after the certificate are refused). [out] out: filled on
 * success. Returns 0, IWA_EPARSE (not one DER X.509 certificate; err says so) or IWA_EINVAL
 * (a signature hash libcrypto does not know). */
int iwa_cbt_end_point(const void *der, size_t len, struct iwa_cbt *out, struct iwa_err *err);

/* The same from a certificate OpenSSL already decoded (cert: an X509 *, e.g. the leaf of a
 * handshake's verification) and its DER encoding der/len (i2d_X509 of it: the bytes the
 * server sent): no second decoding. */
struct x509_st;
int iwa_cbt_end_point_cert(const struct x509_st *cert, const void *der, size_t len,
			   struct iwa_cbt *out, struct iwa_err *err);

/* Decodes the first PEM "CERTIFICATE" block of text (len bytes, need not be NUL-terminated;
 * the form libcurl's CURLINFO_CERTINFO "Cert:" field has) into DER. [out] *der_out malloc'd
 * (caller frees), *len_out. Returns 0, IWA_EPARSE or IWA_ENOMEM. */
int iwa_cbt_pem_to_der(const char *text, size_t len, void **der_out, size_t *len_out,
		       struct iwa_err *err);

#endif
