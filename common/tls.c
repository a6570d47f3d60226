/* tls.c — the TLS options (see tls.h) and a strict PEM certificate check.
 *
 * The check is our own (base64 + the outer DER shape of an X.509 certificate) rather than
 * OpenSSL's PEM_read_X509: libcurl here uses OpenSSL but libldap uses GnuTLS, and linking
 * either into every plugin for one option would add a dependency; both libraries read the same
 * PEM files, and what they would still refuse inside a well-shaped certificate is reported by
 * them as a TLS setup error. Pure except iwa_tls_validate (reads the file). */
#include "tls.h"
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END "-----END CERTIFICATE-----"

int iwa_tls_opt(struct iwa_tls_opts *o, int opt, const char *arg, struct iwa_err *err)
{
	switch (opt) {
	case IWA_OPT_TLS_CA_FILE:
		if (arg == NULL || arg[0] == '\0')
			return iwa_err_set(err, IWA_EINVAL, "--ca-file: empty value (a PEM file)");
		o->ca_file = arg;
		return 1;
	case IWA_OPT_TLS_INSECURE:
		o->insecure = true;
		return 1;
	default:
		return 0;
	}
}

/* ------------------------------------------------------------------ DER shape */

/* Reads one TLV with tag `tag` at *p (before end): definite length, at most 4 length bytes,
 * content within [*p, end). [out] content_out/len_out; *p moves past the TLV. */
static bool der_tlv(const uint8_t **p, const uint8_t *end, uint8_t tag, const uint8_t **content_out,
		    size_t *len_out)
{
	const uint8_t *q = *p;
	size_t len;

	if (end - q < 2 || q[0] != tag)
		return false;
	q++;
	if (*q < 0x80) {
		len = *q++;
	} else {
		unsigned n = *q++ & 0x7fu;

		if (n == 0 || n > 4 || (size_t)(end - q) < n) /* 0: indefinite (BER only) */
			return false;
		len = 0;
		while (n-- > 0)
			len = (len << 8) | *q++;
	}
	if ((size_t)(end - q) < len)
		return false;
	*content_out = q;
	*len_out = len;
	*p = q + len;
	return true;
}

/* true when der is exactly one Certificate ::= SEQUENCE { tbsCertificate SEQUENCE (starting
 * with [0] version or the INTEGER serial), signatureAlgorithm SEQUENCE, signature BIT
 * STRING }. */
static bool der_is_certificate(const uint8_t *der, size_t len)
{
	const uint8_t *p = der, *end = der + len, *c, *tbs;
	size_t cl, tl, l;

	if (!der_tlv(&p, end, 0x30, &c, &cl) || p != end)
		return false;
	p = c;
	end = c + cl;
	if (!der_tlv(&p, end, 0x30, &tbs, &tl) || tl == 0 || (tbs[0] != 0xa0 && tbs[0] != 0x02))
		return false;
	if (!der_tlv(&p, end, 0x30, &c, &l) || !der_tlv(&p, end, 0x03, &c, &l))
		return false;
	return p == end;
}

/* ------------------------------------------------------------------ base64 */

struct b64 {
	uint32_t acc;
	unsigned q;   /* characters in the current quantum, 0..3 */
	unsigned pad; /* '=' seen in the current quantum */
	bool done;    /* a padded quantum ended the data */
	struct iwa_buf out;
};

/* Decodes one line [s, e) into d->out. Returns 0, IWA_EPARSE (why in *why), IWA_ENOMEM. */
static int b64_line(struct b64 *d, const char *s, const char *e, const char **why)
{
	for (; s < e; s++) {
		unsigned char c = (unsigned char)*s;
		int v;

		if (c == ' ' || c == '\t' || c == '\r')
			continue;
		if (d->done) {
			*why = "text after the '=' padding";
			return IWA_EPARSE;
		}
		if (c == '=') {
			if (d->q < 2) {
				*why = "'=' padding in the middle";
				return IWA_EPARSE;
			}
			d->pad++;
			v = 0;
		} else {
			v = iwa_base64_value(c);
			if (v < 0) {
				*why = "a character that is not base64";
				return IWA_EPARSE;
			}
			if (d->pad > 0) {
				*why = "text after the '=' padding";
				return IWA_EPARSE;
			}
		}
		d->acc = (d->acc << 6) | (uint32_t)v;
		if (++d->q == 4) {
			unsigned char bytes[3] = {(unsigned char)(d->acc >> 16),
						  (unsigned char)(d->acc >> 8),
						  (unsigned char)d->acc};

			if (iwa_buf_add(&d->out, bytes, 3 - d->pad) < 0)
				return IWA_ENOMEM;
			d->done = d->pad > 0;
			d->q = 0;
			d->acc = 0;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ PEM */

/* [s, e) without trailing blanks equals lit. */
static bool line_is(const char *s, const char *e, const char *lit)
{
	size_t n = strlen(lit);

	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return (size_t)(e - s) == n && memcmp(s, lit, n) == 0;
}

int iwa_pem_certs(const char *text, size_t len, unsigned *count_out, struct iwa_err *err)
{
	const char *p = text, *end = text + len;
	unsigned lineno = 0, begin_line = 0, count = 0;
	bool inside = false;
	struct b64 d;
	int rc = 0;

	memset(&d, 0, sizeof d);
	iwa_buf_init(&d.out, IWA_TLS_CA_FILE_MAX);
	if (len == 0)
		return iwa_err_set(err, IWA_EPARSE, "the file is empty");
	while (p < end) {
		const char *ls = p, *le = memchr(p, '\n', (size_t)(end - p));
		const char *why = NULL;

		if (le == NULL)
			le = end;
		p = le < end ? le + 1 : end;
		lineno++;
		if (!inside) {
			if (line_is(ls, le, PEM_BEGIN)) {
				inside = true;
				begin_line = lineno;
				memset(&d, 0, offsetof(struct b64, out));
				d.out.len = 0;
			}
			continue;
		}
		if ((size_t)(le - ls) >= 5 && memcmp(ls, "-----", 5) == 0) {
			if (!line_is(ls, le, PEM_END)) {
				rc = iwa_err_set(err, IWA_EPARSE,
						 "the certificate at line %u is not closed by an "
						 "\"" PEM_END "\" line (line %u)",
						 begin_line, lineno);
				goto cleanup;
			}
			if (d.q != 0 || d.out.len == 0) {
				rc = iwa_err_set(err, IWA_EPARSE,
						 "the certificate at line %u is %s", begin_line,
						 d.out.len == 0 && d.q == 0
							 ? "empty"
							 : "truncated (incomplete base64)");
				goto cleanup;
			}
			if (!der_is_certificate((const uint8_t *)d.out.data, d.out.len)) {
				rc = iwa_err_set(err, IWA_EPARSE,
						 "the certificate at line %u is not an X.509 "
						 "certificate (its DER is malformed)",
						 begin_line);
				goto cleanup;
			}
			count++;
			inside = false;
			continue;
		}
		rc = b64_line(&d, ls, le, &why);
		if (rc == IWA_ENOMEM) {
			rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
			goto cleanup;
		}
		if (rc < 0) {
			rc = iwa_err_set(err, IWA_EPARSE,
					 "the certificate at line %u is not base64: %s on line %u",
					 begin_line, why, lineno);
			goto cleanup;
		}
	}
	if (inside) {
		rc = iwa_err_set(err, IWA_EPARSE,
				 "the certificate at line %u has no \"" PEM_END "\" line",
				 begin_line);
		goto cleanup;
	}
	if (count == 0) {
		if (memchr(text, '\0', len) != NULL || (unsigned char)text[0] == 0x30)
			rc = iwa_err_set(
				err, IWA_EPARSE,
				"binary data, not PEM text (a DER certificate? convert it: "
				"openssl x509 -inform der -in FILE -out FILE.pem)");
		else
			rc = iwa_err_set(err, IWA_EPARSE, "no \"" PEM_BEGIN "\" line in it");
		goto cleanup;
	}
	if (count_out != NULL)
		*count_out = count;
cleanup:
	iwa_buf_free(&d.out);
	return rc;
}

int iwa_tls_validate(const struct iwa_tls_opts *o, struct iwa_err *err)
{
	struct iwa_err e2 = {0, {0}};
	char *data = NULL;
	size_t len = 0;
	int rc;

	if (o->insecure && o->ca_file != NULL)
		return iwa_err_set(err, IWA_EINVAL,
				   "--insecure and --ca-file exclude each other (--insecure "
				   "verifies no certificate)");
	if (o->ca_file == NULL)
		return 0;
	rc = iwa_read_file(o->ca_file, IWA_TLS_CA_FILE_MAX, &data, &len, &e2);
	if (rc < 0)
		return iwa_err_set(err, IWA_EINVAL, "--ca-file %s: cannot read the CA file: %s",
				   o->ca_file, e2.msg);
	rc = iwa_pem_certs(data, len, NULL, &e2);
	free(data);
	if (rc < 0)
		return iwa_err_set(err, IWA_EINVAL, "--ca-file %s: not a PEM CA bundle: %s",
				   o->ca_file, e2.msg);
	return 0;
}

const char *iwa_tls_system_bundle(void)
{
	static const char *const paths[] = {
		"/etc/ssl/certs/ca-certificates.crt",
		"/etc/pki/tls/certs/ca-bundle.crt",
		"/etc/ssl/ca-bundle.pem",
		"/etc/ssl/cert.pem",
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], R_OK) == 0)
			return paths[i];
	return NULL;
}
