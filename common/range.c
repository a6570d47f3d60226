/* range.c — range expressions and thresholds (monitoring-plugin-guidelines 01):
 *
 *   10      alert if v < 0 or v > 10        10:     alert if v < 10
 *   ~:10    alert if v > 10                 10:20   alert if v < 10 or v > 20
 *   @10:20  alert if 10 <= v <= 20          (both ends always inclusive)
 *
 * Pure functions, no global state. */
#include "range.h"

#include "util.h"

#include <stdio.h>
#include <string.h>

/* Parses one end of a range (a copy of the substring is needed for iwa_parse_double). */
static int parse_end(const char *s, size_t len, const char *expr, const char *which, double *out,
		     struct iwa_err *err)
{
	char tmp[sizeof(((struct iwa_range *)0)->text)];
	struct iwa_err e;

	if (len >= sizeof tmp)
		return iwa_err_set(err, IWA_EINVAL, "invalid range '%s': %s is too long", expr,
				   which);
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (iwa_parse_double(tmp, which, out, &e) != 0)
		return iwa_err_set(err, IWA_EINVAL, "invalid range '%s': %s '%s' is not a number",
				   expr, which, tmp);
	return 0;
}

/* Parses [@][start:][end]: start is a number or '~' (-inf), empty start means 0, empty end
 * (after ':') means +inf. Rejects NULL/"", "@" alone, ":" alone, "~" without ':', more than one ':',
 * non-numbers, exponents and start > end. *out set only on success. */
int iwa_range_parse(const char *s, struct iwa_range *out, struct iwa_err *err)
{
	struct iwa_range r;
	const char *p, *colon;
	size_t len;
	int rc;

	if (s == NULL || *s == '\0')
		return iwa_err_set(err, IWA_EINVAL, "invalid range: empty");
	len = strlen(s);
	if (len >= sizeof r.text)
		return iwa_err_set(err, IWA_EINVAL, "invalid range '%.20s...': too long", s);
	memset(&r, 0, sizeof r);
	memcpy(r.text, s, len + 1);
	p = s;
	if (*p == '@') {
		r.inside = true;
		p++;
	}
	if (*p == '\0')
		return iwa_err_set(err, IWA_EINVAL, "invalid range '%s': no bounds after '@'", s);
	colon = strchr(p, ':');
	if (colon != NULL) {
		if (strchr(colon + 1, ':') != NULL)
			return iwa_err_set(err, IWA_EINVAL, "invalid range '%s': more than one ':'",
					   s);
		if (colon == p && colon[1] == '\0')
			return iwa_err_set(err, IWA_EINVAL,
					   "invalid range '%s': neither start nor end", s);
		if (colon - p == 1 && *p == '~') {
			r.start_inf = true;
		} else if (colon == p) {
			r.start = 0;
		} else {
			rc = parse_end(p, (size_t)(colon - p), s, "start", &r.start, err);
			if (rc != 0)
				return rc;
		}
		if (colon[1] == '\0') {
			r.end_inf = true;
		} else {
			rc = parse_end(colon + 1, strlen(colon + 1), s, "end", &r.end, err);
			if (rc != 0)
				return rc;
		}
	} else {
		if (*p == '~')
			return iwa_err_set(err, IWA_EINVAL,
					   "invalid range '%s': '~' needs ':' and an end", s);
		r.start = 0;
		rc = parse_end(p, strlen(p), s, "end", &r.end, err);
		if (rc != 0)
			return rc;
	}
	if (!r.start_inf && !r.end_inf && r.start > r.end)
		return iwa_err_set(err, IWA_EINVAL, "invalid range '%s': start is greater than end",
				   s);
	if (out != NULL)
		*out = r;
	return 0;
}

/* true when v raises an alert: v outside [start, end] (ends inclusive), or inside with '@'.
 * NaN is never inside a range. */
bool iwa_range_alert(const struct iwa_range *r, double v)
{
	bool in;

	if (r == NULL)
		return false;
	in = (r->start_inf || v >= r->start) && (r->end_inf || v <= r->end);
	return r->inside ? in : !in;
}

enum iwa_state iwa_thresholds_state(const struct iwa_thresholds *t, double v)
{
	if (t == NULL)
		return IWA_OK;
	if (t->has_crit && iwa_range_alert(&t->crit, v))
		return IWA_CRITICAL;
	if (t->has_warn && iwa_range_alert(&t->warn, v))
		return IWA_WARNING;
	return IWA_OK;
}
