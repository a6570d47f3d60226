/* fuzz_output.c — libFuzzer entry for the output side: JSON string escaping
 * (iwa_buf_add_json_str) and the text/JSON renderers of the result tree. Outside data (LDAP
 * values, HTTP headers, SYSVOL text, curl error texts) ends up in these strings.
 * Build and run on demand: scripts/fuzz.sh 60 output.
 * Checks: the JSON literal is valid JSON (quotes, escapes, no raw control character, valid
 * UTF-8) and decodes back to the input with each invalid UTF-8 byte as U+FFFD; the buffer is
 * unchanged when a capped add fails; the text rendering has one '|' at most on the first line
 * (the perfdata separator) and no control character but '\n'; JSON rendering is valid. */
#include "output.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Length of the valid UTF-8 sequence at s[0..n), 0 when invalid (same rules as RFC 3629). */
static size_t u8len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t k;
	unsigned lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		k = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		k = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
	else if (c >= 0xF0 && c <= 0xF4)
		k = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
	else
		return 0;
	if (n < k || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return k;
}

static unsigned hex4(const char *p)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			abort();
	}
	return v;
}

/* Decodes the JSON string literal j[0..n) (aborts when it is not one) into out; returns the
 * decoded length. Only \uXXXX below U+0080 and U+FFFD are expected from our encoder. */
static size_t json_decode(const char *j, size_t n, char *out)
{
	size_t o = 0;

	if (n < 2 || j[0] != '"' || j[n - 1] != '"')
		abort();
	for (size_t i = 1; i < n - 1;) {
		unsigned char c = (unsigned char)j[i];
		if (c < 0x20 || c == 0x7F || c == '"')
			abort();
		if (c != '\\') {
			size_t k = u8len((const unsigned char *)j + i, n - 1 - i);
			if (k == 0)
				abort(); /* the literal must be valid UTF-8 */
			memcpy(out + o, j + i, k);
			o += k, i += k;
			continue;
		}
		if (i + 1 >= n - 1)
			abort();
		switch (j[i + 1]) {
		case '"':
		case '\\':
		case '/':
			out[o++] = j[i + 1];
			break;
		case 'b':
			out[o++] = '\b';
			break;
		case 'f':
			out[o++] = '\f';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'u': {
			unsigned v;
			if (i + 6 > n - 1)
				abort();
			v = hex4(j + i + 2);
			if (v == 0xFFFD) {
				memcpy(out + o, "\xEF\xBF\xBD", 3);
				o += 3;
			} else if (v < 0x80 && v != 0) {
				out[o++] = (char)v;
			} else {
				abort();
			}
			i += 4;
			break;
		}
		default:
			abort();
		}
		i += 2;
	}
	return o;
}

/* The input with each invalid UTF-8 byte replaced by U+FFFD (what the decoder must give). */
static size_t expected(const char *s, char *out)
{
	size_t n = strlen(s), o = 0;

	for (size_t i = 0; i < n;) {
		size_t k = u8len((const unsigned char *)s + i, n - i);
		if (k == 0) {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3, i++;
		} else {
			memcpy(out + o, s + i, k);
			o += k, i += k;
		}
	}
	return o;
}

static void check_json_str(const char *s)
{
	struct iwa_buf b, small;
	size_t n = strlen(s), dl, el;
	char *dec = malloc(3 * n + 1), *exp = malloc(3 * n + 1);

	if (dec == NULL || exp == NULL)
		goto out;
	iwa_buf_init(&b, 0);
	if (iwa_buf_add_json_str(&b, s) != 0)
		abort();
	dl = json_decode(b.data, b.len, dec);
	el = expected(s, exp);
	if (dl != el || memcmp(dec, exp, dl) != 0)
		abort();
	/* a capped buffer: either the whole literal or nothing */
	iwa_buf_init(&small, b.len > 4 ? b.len / 2 + 4 : 8);
	if (iwa_buf_adds(&small, "x") != 0)
		abort();
	if (iwa_buf_add_json_str(&small, s) == 0) {
		if (small.len != b.len + 1 || memcmp(small.data + 1, b.data, b.len) != 0)
			abort();
	} else if (small.len != 1 || strcmp(small.data, "x") != 0) {
		abort();
	}
	iwa_buf_free(&small);
	iwa_buf_free(&b);
out:
	free(dec);
	free(exp);
}

/* Renders a small tree whose texts come from the input; checks the first line. */
static void check_render(const char *s)
{
	struct iwa_check *root = iwa_check_new(), *kid;
	struct iwa_buf b;
	const char *nl;
	double zero = 0;
	size_t bars = 0;

	if (root == NULL)
		return;
	iwa_check_set_text(root, "%s", s);
	kid = iwa_check_add(root, IWA_WARNING, "%s", s);
	if (kid != NULL) {
		iwa_check_set_name(kid, s);
		iwa_check_add_line(kid, "%s", s);
	}
	iwa_check_perf(root, "time", 1.5, "s", NULL, &zero, NULL);
	iwa_buf_init(&b, 0);
	if (iwa_check_render(root, "SVC", IWA_FORMAT_TEXT, &b) == 0) {
		nl = strchr(b.data, '\n');
		if (nl == NULL)
			abort();
		for (const char *p = b.data; p < nl; p++)
			bars += *p == '|';
		if (bars != 1)
			abort(); /* only the perfdata separator */
		for (const unsigned char *p = (const unsigned char *)b.data; *p; p++)
			if ((*p < 0x20 && *p != '\n') || *p == 0x7F)
				abort();
		if (b.len > IWA_OUTPUT_MAX)
			abort();
	}
	iwa_buf_free(&b);
	iwa_buf_init(&b, 0);
	if (iwa_check_render(root, "SVC", IWA_FORMAT_JSON, &b) == 0) {
		for (const unsigned char *p = (const unsigned char *)b.data; *p; p++)
			if ((*p < 0x20 && !(*p == '\n' && p[1] == '\0')) || *p == 0x7F)
				abort();
		if (b.len > IWA_OUTPUT_MAX + 1)
			abort();
	}
	iwa_buf_free(&b);
	iwa_check_free(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size);

	if (s == NULL)
		return 0;
	check_json_str(s);
	check_render(s);
	free(s);
	return 0;
}
