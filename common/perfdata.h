/* perfdata.h — one performance data item, rendered per the plugin guidelines:
 * 'label'=value[uom];[warn];[crit];[min];[max]  — '.' decimals whatever the locale, no
 * scientific notation, label quoted when it holds a space, labels with '=' or '\'' refused. */
#ifndef IWA_PERFDATA_H
#define IWA_PERFDATA_H

#include "iwa.h"
#include "range.h"
#include "util.h"

struct iwa_perf {
	char label[128];
	double value;
	char uom[4];   /* "", "s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c" */
	int precision; /* digits after '.', -1 = shortest exact (up to 6) */
	char warn[64]; /* range text or "" */
	char crit[64];
	bool has_min, has_max;
	double min, max;
};

/* Fills p; refuses a bad label (empty, only spaces, '=', '\'', '|' or a control character),
 * a uom not listed above, and a NaN/infinite value (no "U": Icinga 2 refuses it; leave the
 * item out instead). Returns 0 or IWA_EINVAL. */
int iwa_perf_init(struct iwa_perf *p, const char *label, double value, const char *uom,
		  struct iwa_err *err);
/* Copies the warn/crit range texts of t into p. */
void iwa_perf_set_thresholds(struct iwa_perf *p, const struct iwa_thresholds *t);
void iwa_perf_set_min(struct iwa_perf *p, double min);
void iwa_perf_set_max(struct iwa_perf *p, double max);
/* Appends the rendered item (no leading/trailing space); IWA_EINVAL for a non-finite value.
 * NaN/infinite min or max are left empty. */
int iwa_perf_render(const struct iwa_perf *p, struct iwa_buf *b);
/* Appends v the way perfdata wants it ('.' decimal, no exponent, trailing zeros trimmed). */
int iwa_format_number(struct iwa_buf *b, double v, int precision);

#endif
