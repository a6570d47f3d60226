/* output.c — the result tree and its text/JSON renderers (see output.h for the formats). */
#include "output.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct iwa_check {
	enum iwa_state state;
	char *text; /* never NULL */
	char *name; /* NULL = not set */
	char **lines;
	size_t nlines, cap_lines;
	struct iwa_perf *perf;
	size_t nperf, cap_perf;
	struct iwa_check **kids;
	size_t nkids, cap_kids;
	char *json_member; /* root only: one more "key":value of the JSON object, or NULL */
};

static const char truncated_marker[] = "(output truncated)\n";

/* Makes room for one more element in a growable array *arr of *cap elements of size el. */
static int grow(void **arr, size_t *cap, size_t n, size_t el)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap != 0 ? *cap * 2 : 4;
	if (ncap > SIZE_MAX / el)
		return IWA_ENOMEM;
	p = realloc(*arr, ncap * el);
	if (p == NULL)
		return IWA_ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Formats into a new string (caller frees), cut at IWA_OUTPUT_MAX bytes on a UTF-8
 * boundary. NULL on out of memory or a bad format. */
static char *vformat(const char *fmt, va_list ap)
{
	struct iwa_buf b;
	char *s;

	if (fmt == NULL)
		return NULL;
	iwa_buf_init(&b, 0);
	if (iwa_buf_vaddf(&b, fmt, ap) != 0) {
		iwa_buf_free(&b);
		return NULL;
	}
	s = iwa_buf_take(&b);
	if (s != NULL && strlen(s) > IWA_OUTPUT_MAX) {
		size_t cut = IWA_OUTPUT_MAX;

		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
		s[cut] = '\0';
	}
	return s;
}

struct iwa_check *iwa_check_new(void)
{
	struct iwa_check *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	c->state = IWA_OK;
	c->text = calloc(1, 1);
	if (c->text == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

/* Adds a child with its own state and formatted text; the parent owns it. NULL on OOM. */
struct iwa_check *iwa_check_add(struct iwa_check *parent, enum iwa_state state, const char *fmt,
				...)
{
	struct iwa_check *c = NULL;
	char *text = NULL;
	va_list ap;

	if (parent == NULL || fmt == NULL)
		return NULL;
	va_start(ap, fmt);
	text = vformat(fmt, ap);
	va_end(ap);
	if (text == NULL)
		goto cleanup;
	if (grow((void **)&parent->kids, &parent->cap_kids, parent->nkids, sizeof *parent->kids) !=
	    0)
		goto cleanup;
	c = calloc(1, sizeof *c);
	if (c == NULL)
		goto cleanup;
	c->state = state;
	c->text = text;
	text = NULL;
	parent->kids[parent->nkids++] = c;
cleanup:
	free(text);
	return c;
}

void iwa_check_set_state(struct iwa_check *c, enum iwa_state s)
{
	if (c != NULL)
		c->state = s;
}

void iwa_check_raise(struct iwa_check *c, enum iwa_state s)
{
	if (c != NULL)
		c->state = iwa_state_worst(c->state, s);
}

int iwa_check_set_text(struct iwa_check *c, const char *fmt, ...)
{
	char *text;
	va_list ap;

	if (c == NULL || fmt == NULL)
		return IWA_EINVAL;
	va_start(ap, fmt);
	text = vformat(fmt, ap);
	va_end(ap);
	if (text == NULL)
		return IWA_ENOMEM;
	free(c->text);
	c->text = text;
	return 0;
}

int iwa_check_set_name(struct iwa_check *c, const char *name)
{
	char *n;

	if (c == NULL)
		return IWA_EINVAL;
	n = iwa_strdup(name);
	if (name != NULL && n == NULL)
		return IWA_ENOMEM;
	free(c->name);
	c->name = n;
	return 0;
}

int iwa_check_add_line(struct iwa_check *c, const char *fmt, ...)
{
	char *line;
	va_list ap;

	if (c == NULL || fmt == NULL)
		return IWA_EINVAL;
	if (grow((void **)&c->lines, &c->cap_lines, c->nlines, sizeof *c->lines) != 0)
		return IWA_ENOMEM;
	va_start(ap, fmt);
	line = vformat(fmt, ap);
	va_end(ap);
	if (line == NULL)
		return IWA_ENOMEM;
	c->lines[c->nlines++] = line;
	return 0;
}

int iwa_check_add_perf(struct iwa_check *c, const struct iwa_perf *p)
{
	if (c == NULL || p == NULL)
		return IWA_EINVAL;
	if (grow((void **)&c->perf, &c->cap_perf, c->nperf, sizeof *c->perf) != 0)
		return IWA_ENOMEM;
	c->perf[c->nperf++] = *p;
	return 0;
}

int iwa_check_perf(struct iwa_check *c, const char *label, double value, const char *uom,
		   const struct iwa_thresholds *t, const double *min, const double *max)
{
	struct iwa_perf p;
	int rc;

	rc = iwa_perf_init(&p, label, value, uom, NULL);
	if (rc != 0)
		return rc;
	iwa_perf_set_thresholds(&p, t);
	if (min != NULL)
		iwa_perf_set_min(&p, *min);
	if (max != NULL)
		iwa_perf_set_max(&p, *max);
	return iwa_check_add_perf(c, &p);
}

int iwa_check_perf_add_value(struct iwa_check *c, const char *label, double delta)
{
	if (c == NULL || label == NULL)
		return IWA_EINVAL;
	for (size_t i = 0; i < c->nperf; i++)
		if (strcmp(c->perf[i].label, label) == 0) {
			c->perf[i].value += delta;
			return 0;
		}
	return IWA_EINVAL;
}

enum iwa_state iwa_check_state(const struct iwa_check *c)
{
	enum iwa_state s;

	if (c == NULL)
		return IWA_UNKNOWN;
	s = c->state;
	for (size_t i = 0; i < c->nkids; i++)
		s = iwa_state_worst(s, iwa_check_state(c->kids[i]));
	return s;
}

const char *iwa_check_text(const struct iwa_check *c)
{
	return c != NULL && c->text != NULL ? c->text : "";
}

void iwa_check_free(struct iwa_check *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nkids; i++)
		iwa_check_free(c->kids[i]);
	for (size_t i = 0; i < c->nlines; i++)
		free(c->lines[i]);
	free(c->kids);
	free(c->lines);
	free(c->perf);
	free(c->text);
	free(c->name);
	free(c->json_member);
	free(c);
}

size_t iwa_check_nkids(const struct iwa_check *c)
{
	return c != NULL ? c->nkids : 0;
}

const struct iwa_check *iwa_check_kid(const struct iwa_check *c, size_t i)
{
	return c != NULL && i < c->nkids ? c->kids[i] : NULL;
}

const char *iwa_check_name(const struct iwa_check *c)
{
	return c != NULL ? c->name : NULL;
}

enum iwa_state iwa_check_own_state(const struct iwa_check *c)
{
	return c != NULL ? c->state : IWA_UNKNOWN;
}

int iwa_check_set_json_member(struct iwa_check *c, const char *member)
{
	char *m;

	if (c == NULL)
		return IWA_EINVAL;
	m = iwa_strdup(member);
	if (member != NULL && m == NULL)
		return IWA_ENOMEM;
	free(c->json_member);
	c->json_member = m;
	return 0;
}

/* ---- text rendering ---- */

static bool is_ctrl(unsigned char c)
{
	return c < 0x20 || c == 0x7F;
}

/* Appends at most max_len bytes of s made safe for a plugin output line: '|' becomes '/'
 * (a '|' starts perfdata for Nagios and Icinga), runs of control characters (newlines, tabs)
 * become one space; control characters at the start or the end are dropped. The buffer is
 * unchanged on failure. */
static int add_one_line(struct iwa_buf *b, const char *s, size_t max_len)
{
	const unsigned char *p = (const unsigned char *)s, *end;
	size_t start = b->len, len = strlen(s);
	int rc = 0;

	end = p + (len < max_len ? len : max_len);
	while (p < end && is_ctrl(*p))
		p++;
	while (end > p && is_ctrl(end[-1]))
		end--;
	while (rc == 0 && p < end) {
		const unsigned char *q = p;

		while (q < end && *q != '|' && !is_ctrl(*q))
			q++;
		if (q > p) {
			rc = iwa_buf_add(b, p, (size_t)(q - p));
			p = q;
		} else if (*p == '|') {
			rc = iwa_buf_add(b, "/", 1);
			p++;
		} else {
			while (p < end && is_ctrl(*p))
				p++;
			rc = iwa_buf_add(b, " ", 1);
		}
	}
	if (rc != 0) {
		b->len = start;
		if (b->data != NULL)
			b->data[start] = '\0';
	}
	return rc;
}

/* Appends a long-output line with `indent` spaces and a newline. An embedded newline starts
 * a new line with the same indent (empty lines get no indent), trailing newlines are dropped,
 * '\r' is dropped, other control characters become spaces, '|' becomes '/'. */
static int add_long_line(struct iwa_buf *b, const char *s, int indent)
{
	const char *p = s, *end = s + strlen(s);
	int rc = 0;

	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	do {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *seg_end = nl != NULL ? nl : end;
		bool empty = true;

		for (const char *q = p; q < seg_end; q++)
			empty = empty && *q == '\r';
		if (!empty)
			rc = iwa_buf_addf(b, "%*s", indent, "");
		for (const unsigned char *q = (const unsigned char *)p;
		     rc == 0 && q < (const unsigned char *)seg_end; q++) {
			if (*q == '\r')
				continue;
			if (*q == '|')
				rc = iwa_buf_add(b, "/", 1);
			else if (is_ctrl(*q))
				rc = iwa_buf_add(b, " ", 1);
			else
				rc = iwa_buf_add(b, q, 1);
		}
		if (rc == 0)
			rc = iwa_buf_add(b, "\n", 1);
		p = seg_end + 1;
	} while (rc == 0 && p <= end);
	return rc;
}

/* Appends every perfdata item of the tree in depth-first order, separated by one space;
 * items with a non-finite value (only possible by filling struct iwa_perf by hand) are left out. */
static int add_perf_tree(struct iwa_buf *b, const struct iwa_check *c)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < c->nperf; i++) {
		if (!isfinite(c->perf[i].value))
			continue; /* cannot come from iwa_perf_init; never "U" */
		if (b->len > 0)
			rc = iwa_buf_add(b, " ", 1);
		if (rc == 0)
			rc = iwa_perf_render(&c->perf[i], b);
	}
	for (size_t i = 0; rc == 0 && i < c->nkids; i++)
		rc = add_perf_tree(b, c->kids[i]);
	return rc;
}

/* Appends the long output of node c at depth (1 = child of the root): "[STATE] text" indented
 * by two spaces per level below 1, its lines four spaces further, then its children. */
static int add_long_tree(struct iwa_buf *b, const struct iwa_check *c, int depth)
{
	int indent = 2 * (depth - 1);
	int rc;

	rc = iwa_buf_addf(b, "%*s[%s]", indent, "", iwa_state_name(iwa_check_state(c)));
	if (rc == 0 && c->text[0] != '\0')
		rc = iwa_buf_add(b, " ", 1);
	if (rc == 0)
		rc = add_one_line(b, c->text, SIZE_MAX);
	if (rc == 0)
		rc = iwa_buf_add(b, "\n", 1);
	for (size_t i = 0; rc == 0 && i < c->nlines; i++)
		rc = add_long_line(b, c->lines[i], indent + 4);
	for (size_t i = 0; rc == 0 && i < c->nkids; i++)
		rc = add_long_tree(b, c->kids[i], depth + 1);
	return rc;
}

/* Text rendering: the first line in full (summary shortened if it alone would pass
 * IWA_OUTPUT_MAX), then as many whole long-output lines as fit in IWA_OUTPUT_MAX, then
 * "(output truncated)" when some were cut. */
static int render_text(const struct iwa_check *root, const char *service, struct iwa_buf *out)
{
	struct iwa_buf perf, first, lng;
	const char *summary = iwa_check_text(root);
	size_t fixed, summary_max;
	bool truncated = false;
	int rc;

	iwa_buf_init(&perf, IWA_OUTPUT_MAX);
	iwa_buf_init(&first, IWA_OUTPUT_MAX + 1);
	iwa_buf_init(&lng, IWA_OUTPUT_MAX + 1);

	rc = add_perf_tree(&perf, root);
	if (rc != 0)
		goto cleanup;
	if (service != NULL && *service != '\0')
		rc = iwa_buf_addf(&first, "%s ", service);
	if (rc == 0)
		rc = iwa_buf_adds(&first, iwa_state_name(iwa_check_state(root)));
	if (rc == 0 && *summary != '\0')
		rc = iwa_buf_adds(&first, " - ");
	if (rc != 0)
		goto cleanup;
	fixed = first.len + (perf.len > 0 ? perf.len + 3 : 0) + 1 + sizeof truncated_marker;
	if (fixed >= IWA_OUTPUT_MAX) {
		rc = IWA_ENOMEM;
		goto cleanup;
	}
	summary_max = IWA_OUTPUT_MAX - fixed;
	if (strlen(summary) > summary_max) {
		while (summary_max > 0 && ((unsigned char)summary[summary_max] & 0xC0) == 0x80)
			summary_max--;
		truncated = true;
	}
	rc = add_one_line(&first, summary, summary_max);
	if (rc == 0 && perf.len > 0)
		rc = iwa_buf_addf(&first, " | %s", perf.data);
	if (rc == 0)
		rc = iwa_buf_add(&first, "\n", 1);
	if (rc != 0)
		goto cleanup;

	/* long output: stop at the cap, keep whole lines only */
	for (size_t i = 0; rc == 0 && i < root->nlines; i++)
		rc = add_long_line(&lng, root->lines[i], 0);
	for (size_t i = 0; rc == 0 && i < root->nkids; i++)
		rc = add_long_tree(&lng, root->kids[i], 1);
	if (rc != 0 || first.len + lng.len > IWA_OUTPUT_MAX) {
		size_t budget = IWA_OUTPUT_MAX - first.len - (sizeof truncated_marker - 1);

		rc = 0;
		truncated = true;
		if (lng.len > budget)
			lng.len = budget;
		while (lng.len > 0 && lng.data[lng.len - 1] != '\n')
			lng.len--;
		if (lng.data != NULL)
			lng.data[lng.len] = '\0';
	}

	rc = iwa_buf_add(out, first.data, first.len);
	if (rc == 0 && lng.len > 0)
		rc = iwa_buf_add(out, lng.data, lng.len);
	if (rc == 0 && truncated)
		rc = iwa_buf_adds(out, truncated_marker);
cleanup:
	iwa_buf_free(&perf);
	iwa_buf_free(&first);
	iwa_buf_free(&lng);
	return rc;
}

/* ---- JSON rendering ---- */

/* How much of the tree the JSON carries (reduced when the full form passes the cap). */
enum json_detail { JSON_FULL, JSON_NO_LINES, JSON_NO_SUBCHECKS };

/* Appends a JSON number, or null for NaN/infinity (min/max set by hand to NaN). */
static int json_number(struct iwa_buf *b, double v, int precision)
{
	if (!isfinite(v))
		return iwa_buf_adds(b, "null");
	return iwa_format_number(b, v, precision);
}

static int json_lines(struct iwa_buf *b, char *const *lines, size_t n)
{
	int rc = iwa_buf_adds(b, "\"lines\":[");

	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (i > 0)
			rc = iwa_buf_add(b, ",", 1);
		if (rc == 0)
			rc = iwa_buf_add_json_str(b, lines[i]);
	}
	if (rc == 0)
		rc = iwa_buf_add(b, "]", 1);
	return rc;
}

static int json_subchecks(struct iwa_buf *b, const struct iwa_check *c, enum json_detail d);

/* One subcheck object: {"name":..,"state":..,"text":..,"lines":[..],"subchecks":[..]}. */
static int json_check(struct iwa_buf *b, const struct iwa_check *c, enum json_detail d)
{
	int rc = iwa_buf_add(b, "{", 1);

	if (rc == 0 && c->name != NULL) {
		rc = iwa_buf_adds(b, "\"name\":");
		if (rc == 0)
			rc = iwa_buf_add_json_str(b, c->name);
		if (rc == 0)
			rc = iwa_buf_add(b, ",", 1);
	}
	if (rc == 0)
		rc = iwa_buf_addf(b,
				  "\"state\":\"%s\",\"text\":", iwa_state_name(iwa_check_state(c)));
	if (rc == 0)
		rc = iwa_buf_add_json_str(b, c->text);
	if (rc == 0 && d == JSON_FULL) {
		rc = iwa_buf_add(b, ",", 1);
		if (rc == 0)
			rc = json_lines(b, c->lines, c->nlines);
	}
	if (rc == 0)
		rc = json_subchecks(b, c, d);
	if (rc == 0)
		rc = iwa_buf_add(b, "}", 1);
	return rc;
}

/* ,"subchecks":[...] of c's children. */
static int json_subchecks(struct iwa_buf *b, const struct iwa_check *c, enum json_detail d)
{
	int rc = iwa_buf_adds(b, ",\"subchecks\":[");

	for (size_t i = 0; rc == 0 && d != JSON_NO_SUBCHECKS && i < c->nkids; i++) {
		if (i > 0)
			rc = iwa_buf_add(b, ",", 1);
		if (rc == 0)
			rc = json_check(b, c->kids[i], d);
	}
	if (rc == 0)
		rc = iwa_buf_add(b, "]", 1);
	return rc;
}

/* One perfdata object; warn/crit/min/max only when set. */
static int json_perf(struct iwa_buf *b, const struct iwa_perf *p)
{
	int rc = iwa_buf_adds(b, "{\"label\":");

	if (rc == 0)
		rc = iwa_buf_add_json_str(b, p->label);
	if (rc == 0)
		rc = iwa_buf_adds(b, ",\"value\":");
	if (rc == 0)
		rc = json_number(b, p->value, p->precision);
	if (rc == 0)
		rc = iwa_buf_adds(b, ",\"uom\":");
	if (rc == 0)
		rc = iwa_buf_add_json_str(b, p->uom);
	if (rc == 0 && p->warn[0] != '\0') {
		rc = iwa_buf_adds(b, ",\"warn\":");
		if (rc == 0)
			rc = iwa_buf_add_json_str(b, p->warn);
	}
	if (rc == 0 && p->crit[0] != '\0') {
		rc = iwa_buf_adds(b, ",\"crit\":");
		if (rc == 0)
			rc = iwa_buf_add_json_str(b, p->crit);
	}
	if (rc == 0 && p->has_min) {
		rc = iwa_buf_adds(b, ",\"min\":");
		if (rc == 0)
			rc = json_number(b, p->min, -1);
	}
	if (rc == 0 && p->has_max) {
		rc = iwa_buf_adds(b, ",\"max\":");
		if (rc == 0)
			rc = json_number(b, p->max, -1);
	}
	if (rc == 0)
		rc = iwa_buf_add(b, "}", 1);
	return rc;
}

/* Every perfdata item of the tree, depth-first, comma-separated; *first tracks the comma. */
static int json_perf_tree(struct iwa_buf *b, const struct iwa_check *c, bool *first)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < c->nperf; i++) {
		if (!isfinite(c->perf[i].value))
			continue;
		if (!*first)
			rc = iwa_buf_add(b, ",", 1);
		*first = false;
		if (rc == 0)
			rc = json_perf(b, &c->perf[i]);
	}
	for (size_t i = 0; rc == 0 && i < c->nkids; i++)
		rc = json_perf_tree(b, c->kids[i], first);
	return rc;
}

/* The root object plus a newline, at the given detail level. */
static int json_root(struct iwa_buf *b, const struct iwa_check *root, const char *service,
		     enum json_detail d)
{
	enum iwa_state st = iwa_check_state(root);
	bool first = true;
	int rc;

	rc = iwa_buf_adds(b, "{\"service\":");
	if (rc == 0)
		rc = iwa_buf_add_json_str(b, service != NULL ? service : "");
	if (rc == 0)
		rc = iwa_buf_addf(b, ",\"state\":\"%s\",\"exit_code\":%d,\"summary\":",
				  iwa_state_name(st), (int)st);
	if (rc == 0)
		rc = iwa_buf_add_json_str(b, iwa_check_text(root));
	if (rc == 0 && d == JSON_FULL) {
		rc = iwa_buf_add(b, ",", 1);
		if (rc == 0)
			rc = json_lines(b, root->lines, root->nlines);
	}
	if (rc == 0)
		rc = json_subchecks(b, root, d);
	if (rc == 0)
		rc = iwa_buf_adds(b, ",\"perfdata\":[");
	if (rc == 0)
		rc = json_perf_tree(b, root, &first);
	if (rc == 0)
		rc = iwa_buf_add(b, "]", 1);
	if (rc == 0 && root->json_member != NULL && d != JSON_NO_SUBCHECKS)
		rc = iwa_buf_addf(b, ",%s", root->json_member);
	if (rc == 0 && d != JSON_FULL)
		rc = iwa_buf_adds(b, ",\"truncated\":true");
	if (rc == 0)
		rc = iwa_buf_adds(b, "}\n");
	return rc;
}

/* JSON rendering within IWA_OUTPUT_MAX: the full tree, else without long-output lines, else
 * without subchecks (both marked "truncated":true). */
static int render_json(const struct iwa_check *root, const char *service, struct iwa_buf *out)
{
	struct iwa_buf tmp;
	int rc = IWA_ENOMEM;

	for (int d = JSON_FULL; d <= JSON_NO_SUBCHECKS; d++) {
		iwa_buf_init(&tmp, IWA_OUTPUT_MAX + 1);
		rc = json_root(&tmp, root, service, (enum json_detail)d);
		if (rc == 0) {
			rc = iwa_buf_add(out, tmp.data, tmp.len);
			iwa_buf_free(&tmp);
			return rc;
		}
		iwa_buf_free(&tmp);
		if (rc != IWA_ENOMEM)
			break;
	}
	return rc;
}

int iwa_check_render(const struct iwa_check *root, const char *service, enum iwa_format fmt,
		     struct iwa_buf *out)
{
	if (root == NULL || out == NULL)
		return IWA_EINVAL;
	if (fmt == IWA_FORMAT_JSON)
		return render_json(root, service, out);
	return render_text(root, service, out);
}

/* The one-line result of a check that could not run, rendered through a one-node tree so
 * that it gets the same sanitising and caps as any other result. */
int iwa_render_message(const char *service, enum iwa_state st, const char *msg, enum iwa_format fmt,
		       struct iwa_buf *out)
{
	struct iwa_check *c = NULL;
	int rc;

	if (out == NULL)
		return IWA_EINVAL;
	c = iwa_check_new();
	if (c == NULL)
		return IWA_ENOMEM;
	iwa_check_set_state(c, st);
	rc = iwa_check_set_text(c, "%s", msg != NULL ? msg : "");
	if (rc == 0)
		rc = iwa_check_render(c, service, fmt, out);
	iwa_check_free(c);
	return rc;
}
