/* fuzz_output.c — libFuzzer entry for the output side: JSON string escaping
 * (iwa_buf_add_json_str) and the text/JSON renderers of the result tree. Outside data (LDAP
 * values, HTTP headers, SYSVOL text, curl error texts) ends up in these strings.
 * Build and run on demand: scripts/fuzz.sh -t 60 output.
 * Checks: the JSON literal parses with the unit tests' strict parser (tests/unit/json_check.c,
 * compiled in here so that scripts/fuzz.sh needs nothing else) and decodes back to the input
 * with each invalid UTF-8 byte as U+FFFD; the buffer is unchanged when a capped add fails; the
 * text rendering has exactly one '|' on the first line (the perfdata separator) and no control
 * character but '\n'; the JSON rendering parses and carries the summary unchanged. */
#include "output.h"
#include "util.h"

#include "../unit/json_check.c"

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
	struct jc_value *v;
	char msg[128];
	size_t n = strlen(s), el;
	char *exp = malloc(3 * n + 1);

	if (exp == NULL)
		return;
	iwa_buf_init(&b, 0);
	if (iwa_buf_add_json_str(&b, s) != 0)
		abort();
	v = jc_parse(b.data, msg, sizeof(msg));
	if (v == NULL || v->type != JC_STR)
		abort();
	el = expected(s, exp);
	exp[el] = '\0';
	if (strcmp(v->str, exp) != 0)
		abort();
	jc_free(v);
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
		char msg[128];
		const char *text = iwa_check_text(root);
		char *exp = malloc(3 * strlen(text) + 1);
		struct jc_value *v = jc_parse(b.data, msg, sizeof(msg));
		const char *sum = v != NULL ? jc_get_str(v, "summary") : NULL;
		if (sum == NULL || b.len > IWA_OUTPUT_MAX + 1)
			abort();
		if (exp != NULL) {
			exp[expected(text, exp)] = '\0';
			if (strcmp(sum, exp) != 0)
				abort(); /* the summary as stored, invalid bytes as U+FFFD */
		}
		free(exp);
		jc_free(v);
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
