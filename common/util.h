/* util.h — strict number parsing and a growable, capped buffer. */
#ifndef IWA_UTIL_H
#define IWA_UTIL_H

#include "iwa.h"
#include <stdint.h>

/* Parses a whole decimal unsigned integer in [min, max]: no sign, no spaces, no trailing
 * garbage, no overflow. Returns 0 or IWA_EINVAL with a message naming `what`. */
int iwa_parse_uint(const char *s, unsigned long long min, unsigned long long max, const char *what,
		   unsigned long long *out, struct iwa_err *err);
/* Parses a whole finite decimal number ('.' decimal point whatever the locale):
 * [-]digits[.digits] or [-].digits; no '+', exponent, hex, inf/nan, spaces or ','.
 * Values too large for a double are refused; "-0" gives 0. Returns 0 or IWA_EINVAL. */
int iwa_parse_double(const char *s, const char *what, double *out, struct iwa_err *err);

/* Growable buffer, always NUL-terminated, never larger than max bytes (then IWA_ENOMEM).
 * max counts the terminating NUL (max 8 holds 7 characters); max 0, or a zero-filled struct,
 * means no cap. Every add either appends all of its input or leaves the buffer unchanged.
 * data stays NULL until the first successful add. */
struct iwa_buf {
	char *data;
	size_t len, cap, max;
};
void iwa_buf_init(struct iwa_buf *b, size_t max);
int iwa_buf_add(struct iwa_buf *b, const void *data, size_t len);
int iwa_buf_adds(struct iwa_buf *b, const char *s);
int iwa_buf_addf(struct iwa_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int iwa_buf_vaddf(struct iwa_buf *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal (with quotes, escaped): '"' '\\' and control characters
 * (\n \t ... or \u00XX, also DEL) escaped, valid UTF-8 kept, each byte of invalid UTF-8
 * (overlong, surrogate, > U+10FFFF, truncated) replaced by \ufffd. NULL appends null. */
int iwa_buf_add_json_str(struct iwa_buf *b, const char *s);
/* Hands over the string (never NULL: "" for an empty buffer; NULL only if allocating that ""
 * fails) and resets b, keeping its max; caller frees. */
char *iwa_buf_take(struct iwa_buf *b);
void iwa_buf_free(struct iwa_buf *b);

/* Reads the whole file at path (at most max bytes) into *data_out, NUL-terminated (caller
 * frees; wipe it first when it may hold a secret), its length in *len_out. Returns 0, or
 * IWA_EIO / IWA_ENOMEM with err->msg holding only the reason ("No such file or directory",
 * "Is a directory", "larger than N bytes") so that the caller names the option and the file. */
int iwa_read_file(const char *path, size_t max, char **data_out, size_t *len_out,
		  struct iwa_err *err);
/* The value 0..63 of one base64 character (RFC 4648 alphabet), -1 for any other. */
int iwa_base64_value(unsigned char c);
/* strdup that returns NULL for NULL. */
char *iwa_strdup(const char *s);

#endif
