/* util.c — strict number parsing, the capped growable buffer and JSON string escaping. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Longest input shown back in an error message. */
#define SHOW_MAX 40

/* Parses a whole decimal unsigned integer in [min, max]: ASCII digits only (no sign, no
 * spaces, no trailing garbage), overflow detected digit by digit. *out set only on success. */
int iwa_parse_uint(const char *s, unsigned long long min, unsigned long long max, const char *what,
		   unsigned long long *out, struct iwa_err *err)
{
	unsigned long long v = 0;
	const char *p;

	if (what == NULL)
		what = "value";
	if (s == NULL || *s == '\0')
		return iwa_err_set(err, IWA_EINVAL, "%s: empty value, expected a whole number",
				   what);
	for (p = s; *p != '\0'; p++) {
		unsigned d;

		if (*p < '0' || *p > '9')
			return iwa_err_set(err, IWA_EINVAL, "%s: '%.*s' is not a whole number",
					   what, SHOW_MAX, s);
		d = (unsigned)(*p - '0');
		if (v > (ULLONG_MAX - d) / 10)
			return iwa_err_set(err, IWA_EINVAL,
					   "%s: '%.*s' is too large (at most %llu)", what, SHOW_MAX,
					   s, max);
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return iwa_err_set(err, IWA_EINVAL, "%s: %llu is out of range (%llu to %llu)", what,
				   v, min, max);
	if (out != NULL)
		*out = v;
	return 0;
}

/* Parses a whole finite decimal number: [-]digits[.digits] or [-].digits, '.' as decimal
 * point whatever the locale (converted with strtod_l in the "C" locale after a strict syntax
 * check), no exponent, no hex, no inf/nan, no spaces. *out set only on success. */
int iwa_parse_double(const char *s, const char *what, double *out, struct iwa_err *err)
{
	const char *p;
	size_t int_digits = 0, frac_digits = 0;
	locale_t c_loc;
	char *end = NULL;
	double v;
	int saved_errno;

	if (what == NULL)
		what = "value";
	if (s == NULL || *s == '\0')
		return iwa_err_set(err, IWA_EINVAL, "%s: empty value, expected a number", what);
	p = s;
	if (*p == '-')
		p++;
	while (*p >= '0' && *p <= '9') {
		p++;
		int_digits++;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			frac_digits++;
		}
	}
	if (*p != '\0' || int_digits + frac_digits == 0)
		return iwa_err_set(err, IWA_EINVAL,
				   "%s: '%.*s' is not a number (digits with an optional '.')", what,
				   SHOW_MAX, s);

	c_loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (c_loc == (locale_t)0)
		return iwa_err_set(err, IWA_ENOMEM, "%s: cannot create the C locale", what);
	saved_errno = errno;
	errno = 0;
	v = strtod_l(s, &end, c_loc);
	if (errno == ERANGE && isfinite(v))
		errno = 0; /* underflow to a tiny or zero value is fine */
	freelocale(c_loc);
	if (end == NULL || *end != '\0' || errno != 0 || !isfinite(v)) {
		errno = saved_errno;
		return iwa_err_set(err, IWA_EINVAL, "%s: '%.*s' is out of range", what, SHOW_MAX,
				   s);
	}
	errno = saved_errno;
	if (out != NULL)
		*out = v == 0 ? 0.0 : v; /* no negative zero */
	return 0;
}

/* Default cap of a buffer initialised with max 0 (or zero-filled): effectively unbounded. */
#define BUF_NO_CAP ((size_t)SIZE_MAX / 2)

void iwa_buf_init(struct iwa_buf *b, size_t max)
{
	if (b == NULL)
		return;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

/* Makes room for `extra` more bytes plus the terminating NUL, within b->max. */
static int buf_reserve(struct iwa_buf *b, size_t extra)
{
	size_t max = b->max != 0 ? b->max : BUF_NO_CAP;
	size_t need, ncap;
	char *n;

	if (extra > max || b->len > max - extra || b->len + extra + 1 > max)
		return IWA_ENOMEM;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap != 0 ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > max / 2 ? max : ncap * 2;
	if (ncap > max)
		ncap = max;
	n = realloc(b->data, ncap);
	if (n == NULL)
		return IWA_ENOMEM;
	b->data = n;
	b->cap = ncap;
	return 0;
}

/* Appends len bytes; on failure (cap or OOM) the buffer is left unchanged. */
int iwa_buf_add(struct iwa_buf *b, const void *data, size_t len)
{
	int rc;

	if (b == NULL || (data == NULL && len != 0))
		return IWA_EINVAL;
	rc = buf_reserve(b, len);
	if (rc != 0)
		return rc;
	if (len != 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int iwa_buf_adds(struct iwa_buf *b, const char *s)
{
	if (s == NULL)
		return IWA_EINVAL;
	return iwa_buf_add(b, s, strlen(s));
}

int iwa_buf_addf(struct iwa_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = iwa_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

/* printf-style append; on failure the buffer is left unchanged. */
int iwa_buf_vaddf(struct iwa_buf *b, const char *fmt, va_list ap)
{
	char small[256];
	va_list ap2;
	int n, rc;

	if (b == NULL || fmt == NULL)
		return IWA_EINVAL;
	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof small, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return IWA_EINVAL;
	if ((size_t)n < sizeof small)
		return iwa_buf_add(b, small, (size_t)n);
	rc = buf_reserve(b, (size_t)n);
	if (rc != 0)
		return rc;
	va_copy(ap2, ap);
	n = vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->data[b->len] = '\0';
		return IWA_EINVAL;
	}
	b->len += (size_t)n;
	return 0;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is invalid (overlong forms,
 * surrogates, code points above U+10FFFF, truncated sequences). */
static size_t utf8_seq_len(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned char lo = 0x80, hi = 0xBF;

		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		if (c == 0xED)
			hi = 0x9F; /* surrogates */
		if (s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80)
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned char lo = 0x80, hi = 0xBF;

		if (c == 0xF0)
			lo = 0x90; /* overlong */
		if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
		if (s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

/* Appends s as a JSON string literal: '"' and '\\' escaped, control characters (and DEL)
 * as \b \f \n \r \t or \u00XX, valid UTF-8 copied as is, each invalid byte replaced by
 * U+FFFD (written as \ufffd). s == NULL appends null. The buffer is unchanged on failure. */
int iwa_buf_add_json_str(struct iwa_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t start;
	int rc = 0;

	if (b == NULL)
		return IWA_EINVAL;
	if (s == NULL)
		return iwa_buf_adds(b, "null");
	start = b->len;
	rc = iwa_buf_add(b, "\"", 1);
	while (rc == 0 && *p != '\0') {
		size_t n;
		const char *esc = NULL;
		char hex[8];

		switch (*p) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			break;
		}
		if (esc != NULL) {
			rc = iwa_buf_adds(b, esc);
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7F) {
			(void)snprintf(hex, sizeof hex, "\\u%04x", (unsigned)*p);
			rc = iwa_buf_adds(b, hex);
			p++;
			continue;
		}
		n = utf8_seq_len(p);
		if (n == 0) {
			rc = iwa_buf_adds(b, "\\ufffd");
			p++;
			continue;
		}
		/* copy a run of plain characters at once */
		{
			const unsigned char *q = p + n;

			while (*q >= 0x20 && *q < 0x7F && *q != '"' && *q != '\\')
				q++;
			rc = iwa_buf_add(b, p, (size_t)(q - p));
			p = q;
		}
	}
	if (rc == 0)
		rc = iwa_buf_add(b, "\"", 1);
	if (rc != 0) {
		b->len = start;
		if (b->data != NULL)
			b->data[start] = '\0';
	}
	return rc;
}

/* Hands over the string and resets b (keeping its max). Returns "" (allocated) for an empty
 * buffer; NULL only when that allocation fails. The caller frees. */
char *iwa_buf_take(struct iwa_buf *b)
{
	char *s;

	if (b == NULL)
		return NULL;
	s = b->data;
	if (s == NULL)
		s = calloc(1, 1);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return s;
}

void iwa_buf_free(struct iwa_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

char *iwa_strdup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

int iwa_read_file(const char *path, size_t max, char **data_out, size_t *len_out,
		  struct iwa_err *err)
{
	struct iwa_buf b;
	char chunk[4096];
	char *data;
	size_t len;
	int fd, rc = 0;

	iwa_buf_init(&b, max + 1);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return iwa_err_set(err, IWA_EIO, "%s", strerror(errno));
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = iwa_err_set(err, IWA_EIO, "%s", strerror(errno));
			goto cleanup;
		}
		if (n == 0)
			break;
		if (iwa_buf_add(&b, chunk, (size_t)n) < 0) {
			rc = iwa_err_set(err, IWA_ENOMEM, "larger than %zu bytes", max);
			goto cleanup;
		}
	}
	len = b.len;
	data = iwa_buf_take(&b);
	if (data == NULL) {
		rc = iwa_err_set(err, IWA_ENOMEM, "out of memory");
		goto cleanup;
	}
	*data_out = data;
	*len_out = len;
cleanup:
	explicit_bzero(chunk, sizeof chunk);
	if (b.data != NULL)
		explicit_bzero(b.data, b.cap);
	iwa_buf_free(&b);
	close(fd);
	return rc;
}

int iwa_base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}
