/* perfdata.c — performance data items and locale-independent number formatting. */
#include "perfdata.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const uoms[] = {"", "s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c"};

/* Fills p (precision -1, no thresholds, no min/max). Refuses a label that is empty, only
 * spaces, too long, or holds '=', '\'', '|' or a control character, and a uom outside the whitelist above
 * (NULL uom = none), and a NaN/infinite value (Icinga 2's perfdata parser refuses the "U" of
 * old Nagios: leave the item out when there is no value). */
int iwa_perf_init(struct iwa_perf *p, const char *label, double value, const char *uom,
		  struct iwa_err *err)
{
	size_t len;
	bool uom_ok = false;

	if (p == NULL)
		return iwa_err_set(err, IWA_EINVAL, "perfdata: no item");
	if (label == NULL || *label == '\0')
		return iwa_err_set(err, IWA_EINVAL, "perfdata: empty label");
	len = strlen(label);
	if (len >= sizeof p->label)
		return iwa_err_set(err, IWA_EINVAL, "perfdata label '%.40s...' is too long", label);
	if (strspn(label, " ") == len)
		return iwa_err_set(err, IWA_EINVAL, "perfdata: label holds only spaces");
	for (const unsigned char *c = (const unsigned char *)label; *c != '\0'; c++) {
		if (*c == '=' || *c == '\'' || *c == '|' || *c < 0x20 || *c == 0x7F)
			return iwa_err_set(err, IWA_EINVAL,
					   "perfdata label '%s' holds a forbidden character",
					   label);
	}
	if (uom == NULL)
		uom = "";
	for (size_t i = 0; i < sizeof uoms / sizeof uoms[0]; i++) {
		if (strcmp(uom, uoms[i]) == 0)
			uom_ok = true;
	}
	if (!isfinite(value))
		return iwa_err_set(err, IWA_EINVAL,
				   "perfdata '%s': the value is not a finite number", label);
	if (!uom_ok)
		return iwa_err_set(
			err, IWA_EINVAL,
			"perfdata '%s': unit '%.10s' is not one of s ms us %% B KB MB GB TB c",
			label, uom);
	memset(p, 0, sizeof *p);
	memcpy(p->label, label, len + 1);
	(void)snprintf(p->uom, sizeof p->uom, "%s", uom);
	p->value = value;
	p->precision = -1;
	return 0;
}

void iwa_perf_set_thresholds(struct iwa_perf *p, const struct iwa_thresholds *t)
{
	if (p == NULL)
		return;
	p->warn[0] = '\0';
	p->crit[0] = '\0';
	if (t == NULL)
		return;
	if (t->has_warn)
		(void)snprintf(p->warn, sizeof p->warn, "%s", t->warn.text);
	if (t->has_crit)
		(void)snprintf(p->crit, sizeof p->crit, "%s", t->crit.text);
}

void iwa_perf_set_min(struct iwa_perf *p, double min)
{
	if (p == NULL)
		return;
	p->has_min = true;
	p->min = min;
}

void iwa_perf_set_max(struct iwa_perf *p, double max)
{
	if (p == NULL)
		return;
	p->has_max = true;
	p->max = max;
}

/* Appends v with `precision` digits after the point (-1 = up to 6), trailing zeros and a
 * trailing point trimmed, '.' as decimal point, never an exponent, never "-0".
 * Locale-independent by construction: snprintf's %f output is [-]digits[<radix>digits] with
 * ASCII digits in every locale, so whatever lies between the integer and the fraction digits
 * (',' or a multibyte radix) is replaced by '.'. Returns IWA_EINVAL for NaN/infinity. */
int iwa_format_number(struct iwa_buf *b, double v, int precision)
{
	char raw[512];
	char out[512];
	size_t i = 0, o = 0;
	int n;

	if (b == NULL || !isfinite(v))
		return IWA_EINVAL;
	if (precision < 0)
		precision = 6;
	if (precision > 15)
		precision = 15;
	n = snprintf(raw, sizeof raw, "%.*f", precision, v);
	if (n < 0 || (size_t)n >= sizeof raw)
		return IWA_EINVAL;
	if (raw[i] == '-')
		out[o++] = raw[i++];
	while (raw[i] >= '0' && raw[i] <= '9')
		out[o++] = raw[i++];
	if (raw[i] != '\0') {
		/* skip the locale's radix character(s), whatever they are */
		while (raw[i] != '\0' && (raw[i] < '0' || raw[i] > '9'))
			i++;
		out[o++] = '.';
		while (raw[i] >= '0' && raw[i] <= '9')
			out[o++] = raw[i++];
		while (o > 0 && out[o - 1] == '0')
			o--;
		if (o > 0 && out[o - 1] == '.')
			o--;
	}
	out[o] = '\0';
	if (strcmp(out, "-0") == 0)
		return iwa_buf_adds(b, "0");
	return iwa_buf_add(b, out, o);
}

/* Appends an optional number field (";" plus the number, or just ";"). */
static int add_field_number(struct iwa_buf *b, bool has, double v, int precision)
{
	int rc = iwa_buf_add(b, ";", 1);

	if (rc == 0 && has && isfinite(v))
		rc = iwa_format_number(b, v, precision);
	return rc;
}

/* Appends 'label'=value[uom];warn;crit;min;max (min/max with up to 6 decimals), quoting the
 * label when it holds a space and dropping trailing empty fields. IWA_EINVAL for a non-finite
 * value. The buffer is unchanged on failure. */
int iwa_perf_render(const struct iwa_perf *p, struct iwa_buf *b)
{
	size_t start;
	int nfields;
	int rc;

	if (p == NULL || b == NULL || !isfinite(p->value))
		return IWA_EINVAL;
	start = b->len;
	if (strchr(p->label, ' ') != NULL)
		rc = iwa_buf_addf(b, "'%s'=", p->label);
	else
		rc = iwa_buf_addf(b, "%s=", p->label);
	if (rc == 0)
		rc = iwa_format_number(b, p->value, p->precision);
	if (rc == 0)
		rc = iwa_buf_adds(b, p->uom);
	/* number of fields after the value that must be written */
	nfields = (p->has_max && isfinite(p->max))   ? 4
		  : (p->has_min && isfinite(p->min)) ? 3
		  : p->crit[0] != '\0'               ? 2
		  : p->warn[0] != '\0'               ? 1
						     : 0;
	if (rc == 0 && nfields >= 1)
		rc = iwa_buf_addf(b, ";%s", p->warn);
	if (rc == 0 && nfields >= 2)
		rc = iwa_buf_addf(b, ";%s", p->crit);
	if (rc == 0 && nfields >= 3)
		rc = add_field_number(b, p->has_min, p->min, -1);
	if (rc == 0 && nfields >= 4)
		rc = add_field_number(b, p->has_max, p->max, -1);
	if (rc != 0 && b->data != NULL) {
		b->len = start;
		b->data[start] = '\0';
	}
	return rc;
}
