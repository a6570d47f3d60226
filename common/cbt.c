/* cbt.c — RFC 5929 tls-server-end-point channel bindings (see cbt.h). */
#include "cbt.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

int iwa_cbt_end_point(const void *der, size_t len, struct iwa_cbt *out, struct iwa_err *err)
{
	const unsigned char *p = der;
	X509 *x;
	int rc;

	if (der == NULL || len == 0 || len > 1024 * 1024)
		return iwa_err_set(err, IWA_EPARSE, "no certificate (%zu bytes)", len);
	x = d2i_X509(NULL, &p, (long)len);
	if (x == NULL) {
		ERR_clear_error();
		return iwa_err_set(err, IWA_EPARSE, "not a DER X.509 certificate");
	}
	if ((size_t)(p - (const unsigned char *)der) != len) {
		X509_free(x);
		return iwa_err_set(err, IWA_EPARSE, "%zu bytes after the certificate",
				   len - (size_t)(p - (const unsigned char *)der));
	}
	rc = iwa_cbt_end_point_cert(x, der, len, out, err);
	X509_free(x);
	return rc;
}

int iwa_cbt_end_point_cert(const struct x509_st *cert, const void *der, size_t len,
			   struct iwa_cbt *out, struct iwa_err *err)
{
	const X509 *x = cert;
	int sig_nid, md_nid = NID_undef, pk_nid = NID_undef;
	const EVP_MD *md;
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned hl = 0;
	struct iwa_cbt r;
	size_t i;

	if (x == NULL || der == NULL || len == 0)
		return iwa_err_set(err, IWA_EPARSE, "no certificate (%zu bytes)", len);
	memset(&r, 0, sizeof(r));
	sig_nid = X509_get_signature_nid(x);
	if (sig_nid == NID_undef || OBJ_find_sigid_algs(sig_nid, &md_nid, &pk_nid) == 0 ||
	    md_nid == NID_undef || md_nid == NID_md5 || md_nid == NID_sha1 ||
	    md_nid == NID_md5_sha1)
		md_nid = NID_sha256; /* RFC 5929 4.1: MD5/SHA-1 -> SHA-256; none (Ed25519) too */
	snprintf(r.sig_alg, sizeof(r.sig_alg), "%s",
		 sig_nid == NID_undef ? "unknown" : OBJ_nid2ln(sig_nid));
	md = EVP_get_digestbynid(md_nid);
	if (md == NULL || EVP_MD_get_size(md) <= 0 || EVP_MD_get_size(md) > IWA_CBT_HASH_MAX)
		return iwa_err_set(err, IWA_EINVAL, "signature hash %s not supported",
				   OBJ_nid2sn(md_nid));
	if (EVP_Digest(der, len, h, &hl, md, NULL) != 1)
		return iwa_err_set(err, IWA_EINVAL, "cannot compute %s", OBJ_nid2sn(md_nid));
	{
		BIO *b = BIO_new(BIO_s_mem());
		if (b != NULL) {
			char *s = NULL;
			long n;
			X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
					   XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
			n = BIO_get_mem_data(b, &s);
			if (n > 0 && s != NULL)
				snprintf(r.subject, sizeof(r.subject), "%.*s", (int)n, s);
			BIO_free(b);
		}
	}
	for (i = 0; r.subject[i] != '\0'; i++)
		if ((unsigned char)r.subject[i] < 0x20 || r.subject[i] == 0x7f)
			r.subject[i] = '?';
	/* "SHA256" -> "SHA-256", the way the hash is named in texts */
	snprintf(r.hash_name, sizeof(r.hash_name), "SHA-%u", hl * 8u);
	r.hash_len = hl;
	memcpy(r.app_data, IWA_CBT_PREFIX, sizeof(IWA_CBT_PREFIX) - 1);
	memcpy(r.app_data + sizeof(IWA_CBT_PREFIX) - 1, h, hl);
	r.app_data_len = sizeof(IWA_CBT_PREFIX) - 1 + hl;
	for (i = 0; i < hl; i++)
		snprintf(r.hash_hex + 2 * i, 3, "%02x", h[i]);
	*out = r;
	return 0;
}

int iwa_cbt_pem_to_der(const char *text, size_t len, void **der_out, size_t *len_out,
		       struct iwa_err *err)
{
	BIO *b;
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long n = 0;
	int rc = IWA_EPARSE;

	if (text == NULL || len == 0 || len > 1024 * 1024)
		return iwa_err_set(err, IWA_EPARSE, "no PEM certificate");
	b = BIO_new_mem_buf(text, (int)len);
	if (b == NULL)
		return iwa_err_set(err, IWA_ENOMEM, "out of memory");
	/* the first PEM block, decoded as it is (no re-encoding: the bytes the server sent) */
	while (PEM_read_bio(b, &name, &header, &data, &n) == 1) {
		if (strcmp(name, "CERTIFICATE") == 0 && n > 0) {
			*der_out = malloc((size_t)n);
			if (*der_out == NULL) {
				rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
			} else {
				memcpy(*der_out, data, (size_t)n);
				*len_out = (size_t)n;
				rc = 0;
			}
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		name = header = NULL;
		data = NULL;
		if (rc != IWA_EPARSE)
			break;
	}
	ERR_clear_error();
	BIO_free(b);
	if (rc == IWA_EPARSE)
		iwa_err_set(err, IWA_EPARSE, "no PEM certificate");
	return rc;
}
