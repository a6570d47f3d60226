/* iwa.c — error struct helpers and monitoring states. */
#include "iwa.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Sets err->code and formats err->msg (truncated to fit). err may be NULL. Returns code. */
int iwa_err_set(struct iwa_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	err->msg[0] = '\0';
	if (fmt != NULL) {
		va_start(ap, fmt);
		(void)vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* Writes a, b and c one after the other into dst (size n), truncated, NUL-terminated. */
static void append_str(char *dst, size_t n, const char *a, const char *b, const char *c)
{
	const char *parts[3] = {a, b, c};
	size_t o = 0;

	for (int i = 0; i < 3; i++) {
		size_t l = strlen(parts[i]);

		if (l > n - 1 - o)
			l = n - 1 - o;
		memcpy(dst + o, parts[i], l);
		o += l;
	}
	dst[o] = '\0';
}

/* Prefixes err->msg with "<formatted prefix>: ", keeping the code. The result is truncated
 * to IWA_ERR_MAX - 1 bytes. err may be NULL. */
void iwa_err_prefix(struct iwa_err *err, const char *fmt, ...)
{
	char prefix[IWA_ERR_MAX];
	char old[IWA_ERR_MAX];
	va_list ap;

	if (err == NULL || fmt == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	old[sizeof old - 1] = '\0';
	append_str(err->msg, sizeof err->msg, prefix, old[0] != '\0' ? ": " : "", old);
}

static const char *const state_names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

/* Name of a state; out-of-range values are named "UNKNOWN". */
const char *iwa_state_name(enum iwa_state s)
{
	if ((int)s < 0 || (int)s > 3)
		return "UNKNOWN";
	return state_names[s];
}

/* Parses "OK", "WARNING", "CRITICAL", "UNKNOWN" (case-insensitive) or "0".."3". */
int iwa_state_parse(const char *s, enum iwa_state *out)
{
	if (s == NULL || out == NULL)
		return IWA_EINVAL;
	for (int i = 0; i < 4; i++) {
		if (strcasecmp(s, state_names[i]) == 0 || (s[0] == '0' + i && s[1] == '\0')) {
			*out = (enum iwa_state)i;
			return 0;
		}
	}
	return IWA_EINVAL;
}

/* Rank by monitoring precedence: OK < UNKNOWN < WARNING < CRITICAL. */
static int state_rank(enum iwa_state s)
{
	switch (s) {
	case IWA_OK:
		return 0;
	case IWA_UNKNOWN:
		return 1;
	case IWA_WARNING:
		return 2;
	case IWA_CRITICAL:
		return 3;
	}
	return 1; /* anything else counts as UNKNOWN */
}

enum iwa_state iwa_state_worst(enum iwa_state a, enum iwa_state b)
{
	int ra = state_rank(a), rb = state_rank(b);

	if (ra == 1 && (int)a != IWA_UNKNOWN)
		a = IWA_UNKNOWN;
	if (rb == 1 && (int)b != IWA_UNKNOWN)
		b = IWA_UNKNOWN;
	return ra >= rb ? a : b;
}
