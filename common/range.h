/* range.h — Nagios range expressions and thresholds (monitoring-plugin-guidelines 01).
 * Syntax [@][start:][end]; start may be '~' (-inf); missing end = +inf; ends inclusive.
 * Alert when the value is OUTSIDE [start,end], or INSIDE with '@'. */
#ifndef IWA_RANGE_H
#define IWA_RANGE_H

#include "iwa.h"

struct iwa_range {
	double start, end;
	bool start_inf, end_inf;
	bool inside;   /* '@' */
	char text[64]; /* the expression as given (for perfdata) */
};

/* Parses s; rejects "", garbage, start > end. Returns 0 or IWA_EINVAL with a message.
 * Numbers as iwa_parse_double ('.' whatever the locale, no exponent); "~" only as start;
 * ":5" = "0:5" (start 0 may be omitted); ":" and "@" alone, a second ':' and texts that do
 * not fit text[] are refused. The message reads "invalid range '<s>': <why>". */
int iwa_range_parse(const char *s, struct iwa_range *out, struct iwa_err *err);
/* true when v raises an alert for this range. */
bool iwa_range_alert(const struct iwa_range *r, double v);

struct iwa_thresholds {
	bool has_warn, has_crit;
	struct iwa_range warn, crit;
};
/* OK, WARNING or CRITICAL for v (CRITICAL checked first). */
enum iwa_state iwa_thresholds_state(const struct iwa_thresholds *t, double v);

#endif
