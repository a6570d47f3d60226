/* test_output.c — the result tree: worst-state propagation, own copies of strings, text
 * rendering compared as exact strings (all perfdata on the first line, long output below,
 * '|' and newlines neutralised), JSON rendering parsed back with json_check, the one-line
 * message, and the IWA_OUTPUT_MAX cap (graceful truncation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "json_check.h"
#include "locale_check.h"
#include "output.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Renders root (text or JSON) into a fresh string; the caller frees. */
static char *render(const struct iwa_check *root, const char *service, enum iwa_format fmt)
{
	struct iwa_buf b;

	iwa_buf_init(&b, 0);
	assert_int_equal(iwa_check_render(root, service, fmt, &b), 0);
	return iwa_buf_take(&b);
}

static void check_text(const struct iwa_check *root, const char *service, const char *want)
{
	char *s = render(root, service, IWA_FORMAT_TEXT);

	assert_string_equal(s, want);
	free(s);
}

/* Renders as JSON and parses it back (must be strict JSON); the caller frees the tree. */
static struct jc_value *render_json(const struct iwa_check *root, const char *service)
{
	char *s = render(root, service, IWA_FORMAT_JSON);
	char err[200];
	struct jc_value *v;
	size_t len = strlen(s);

	assert_true(len > 0 && s[len - 1] == '\n');
	assert_null(strchr(s, '\n') + 1 == s + len ? NULL : "more than one line");
	v = jc_parse(s, err, sizeof err);
	if (v == NULL)
		fail_msg("invalid JSON (%s): %s", err, s);
	free(s);
	return v;
}

/* The example tree: a NEGOTIATE check with two backends. */
static struct iwa_check *example_tree(void)
{
	struct iwa_check *root = iwa_check_new();
	struct iwa_check *b1, *b2, *t;
	struct iwa_thresholds th = {0};
	struct iwa_err err = {0};
	double zero = 0;

	assert_non_null(root);
	assert_int_equal(iwa_check_set_text(root, "%d of %d backends fail", 1, 2), 0);
	assert_int_equal(iwa_range_parse("1", &th.warn, &err), 0);
	assert_int_equal(iwa_range_parse("5", &th.crit, &err), 0);
	th.has_warn = th.has_crit = true;

	b1 = iwa_check_add(root, IWA_OK, "server1: HTTP %d after Negotiate", 200);
	assert_non_null(b1);
	assert_int_equal(iwa_check_set_name(b1, "server1"), 0);
	assert_int_equal(iwa_check_add_line(b1, "user: %s", "monitor@CAMTEST.TEST"), 0);
	assert_int_equal(iwa_check_perf(b1, "server1 time", 0.012, "s", &th, &zero, NULL), 0);

	b2 = iwa_check_add(root, IWA_OK, "server2: HTTP 401, %s", "wrong key");
	assert_non_null(b2);
	assert_int_equal(iwa_check_set_name(b2, "server2"), 0);
	assert_int_equal(iwa_check_add_line(b2, "KVNO mismatch"), 0);
	t = iwa_check_add(b2, IWA_CRITICAL, "ticket rejected");
	assert_non_null(t);
	assert_int_equal(iwa_check_add_line(t, "detail"), 0);
	assert_int_equal(iwa_check_perf(t, "server2 time", NAN, "s", NULL, NULL, NULL), IWA_EINVAL);
	assert_int_equal(iwa_check_perf(t, "server2 time", 5.25, "s", NULL, NULL, NULL), 0);
	assert_int_equal(iwa_check_perf(root, "backends", 2, "", NULL, &zero, NULL), 0);
	return root;
}

/* A count finished by a later step: the item's value changes in place, its place stays. */
static void test_perf_add_value(void **state)
{
	struct iwa_check *root = iwa_check_new();
	double zero = 0;

	(void)state;
	assert_int_equal(iwa_check_set_text(root, "x"), 0);
	assert_int_equal(iwa_check_perf(root, "owners", 1, "", NULL, &zero, NULL), 0);
	assert_int_equal(iwa_check_perf(root, "conflicts", 0, "", NULL, &zero, NULL), 0);
	assert_int_equal(iwa_check_perf(root, "time", 0.5, "s", NULL, &zero, NULL), 0);
	assert_int_equal(iwa_check_perf_add_value(root, "conflicts", 2), 0);
	assert_int_equal(iwa_check_perf_add_value(root, "nothing", 1), IWA_EINVAL);
	assert_int_equal(iwa_check_perf_add_value(NULL, "conflicts", 1), IWA_EINVAL);
	check_text(root, "SPN_UNIQUE",
		   "SPN_UNIQUE OK - x | owners=1;;;0 conflicts=2;;;0 time=0.5s;;;0\n");
	iwa_check_free(root);
}

static void test_empty_root(void **state)
{
	struct iwa_check *root = iwa_check_new();

	(void)state;
	assert_int_equal(iwa_check_state(root), IWA_OK);
	assert_string_equal(iwa_check_text(root), "");
	check_text(root, "SPN_UNIQUE", "SPN_UNIQUE OK\n");
	check_text(root, NULL, "OK\n");
	check_text(root, "", "OK\n");
	iwa_check_free(root);
}

static void test_simple(void **state)
{
	struct iwa_check *root = iwa_check_new();

	(void)state;
	assert_int_equal(iwa_check_set_text(root, "%d SPNs unique", 42), 0);
	check_text(root, "SPN_UNIQUE", "SPN_UNIQUE OK - 42 SPNs unique\n");
	assert_int_equal(iwa_check_perf(root, "spns", 42, "", NULL, NULL, NULL), 0);
	check_text(root, "SPN_UNIQUE", "SPN_UNIQUE OK - 42 SPNs unique | spns=42\n");
	check_text(root, NULL, "OK - 42 SPNs unique | spns=42\n");
	iwa_check_set_state(root, IWA_WARNING);
	check_text(root, "SPN_UNIQUE", "SPN_UNIQUE WARNING - 42 SPNs unique | spns=42\n");
	iwa_check_free(root);
}

/* The whole example tree, compared byte for byte. */
static void test_tree_text(void **state)
{
	struct iwa_check *root = example_tree();

	(void)state;
	check_text(root, "NEGOTIATE",
		   "NEGOTIATE CRITICAL - 1 of 2 backends fail | backends=2;;;0 "
		   "'server1 time'=0.012s;1;5;0 'server2 time'=5.25s\n"
		   "[OK] server1: HTTP 200 after Negotiate\n"
		   "    user: monitor@CAMTEST.TEST\n"
		   "[CRITICAL] server2: HTTP 401, wrong key\n"
		   "    KVNO mismatch\n"
		   "  [CRITICAL] ticket rejected\n"
		   "      detail\n");
	iwa_check_free(root);
}

/* The root's own lines come first, unindented; deeper levels indent by two. */
static void test_root_lines_and_depth(void **state)
{
	struct iwa_check *root = iwa_check_new();
	struct iwa_check *a, *b, *c;

	(void)state;
	assert_int_equal(iwa_check_set_text(root, "sum"), 0);
	assert_int_equal(iwa_check_add_line(root, "root line"), 0);
	a = iwa_check_add(root, IWA_OK, "a");
	b = iwa_check_add(a, IWA_OK, "b");
	c = iwa_check_add(b, IWA_UNKNOWN, "c");
	assert_non_null(c);
	assert_int_equal(iwa_check_add_line(c, "c line"), 0);
	check_text(root, "S",
		   "S UNKNOWN - sum\n"
		   "root line\n"
		   "[UNKNOWN] a\n"
		   "  [UNKNOWN] b\n"
		   "    [UNKNOWN] c\n"
		   "        c line\n");
	iwa_check_free(root);
}

/* A node's state is the worst of its own and its descendants': CRIT > WARN > UNKNOWN > OK. */
static void test_worst_state(void **state)
{
	struct iwa_check *root = iwa_check_new();
	struct iwa_check *a, *b, *a1;

	(void)state;
	a = iwa_check_add(root, IWA_OK, "a");
	b = iwa_check_add(root, IWA_OK, "b");
	assert_int_equal(iwa_check_state(root), IWA_OK);
	a1 = iwa_check_add(a, IWA_UNKNOWN, "a1");
	assert_int_equal(iwa_check_state(a), IWA_UNKNOWN);
	assert_int_equal(iwa_check_state(root), IWA_UNKNOWN);
	iwa_check_set_state(b, IWA_WARNING);
	assert_int_equal(iwa_check_state(root), IWA_WARNING); /* WARNING beats UNKNOWN */
	assert_int_equal(iwa_check_state(a), IWA_UNKNOWN);
	iwa_check_set_state(a1, IWA_CRITICAL);
	assert_int_equal(iwa_check_state(root), IWA_CRITICAL);
	assert_int_equal(iwa_check_state(b), IWA_WARNING);
	/* raise never lowers */
	iwa_check_raise(b, IWA_OK);
	assert_int_equal(iwa_check_state(b), IWA_WARNING);
	iwa_check_raise(b, IWA_UNKNOWN);
	assert_int_equal(iwa_check_state(b), IWA_WARNING);
	iwa_check_raise(b, IWA_CRITICAL);
	assert_int_equal(iwa_check_state(b), IWA_CRITICAL);
	/* the root's own state counts too, but children still win */
	iwa_check_set_state(a1, IWA_OK);
	iwa_check_set_state(b, IWA_OK);
	iwa_check_set_state(root, IWA_UNKNOWN);
	assert_int_equal(iwa_check_state(root), IWA_UNKNOWN);
	iwa_check_set_state(b, IWA_WARNING);
	assert_int_equal(iwa_check_state(root), IWA_WARNING);
	assert_int_equal(iwa_check_state(NULL), IWA_UNKNOWN);
	iwa_check_free(root);
}

/* The tree keeps its own copies of every string. */
static void test_own_copies(void **state)
{
	struct iwa_check *root = iwa_check_new();
	struct iwa_check *c;
	char text[32], name[32], line[32], label[32];

	(void)state;
	(void)snprintf(text, sizeof text, "child");
	(void)snprintf(name, sizeof name, "n1");
	(void)snprintf(line, sizeof line, "l1");
	(void)snprintf(label, sizeof label, "v");
	c = iwa_check_add(root, IWA_OK, "%s", text);
	assert_int_equal(iwa_check_set_name(c, name), 0);
	assert_int_equal(iwa_check_add_line(c, "%s", line), 0);
	assert_int_equal(iwa_check_perf(c, label, 1, "", NULL, NULL, NULL), 0);
	assert_int_equal(iwa_check_set_text(root, "%s", text), 0);
	memset(text, 'X', sizeof text - 1);
	memset(name, 'X', sizeof name - 1);
	memset(line, 'X', sizeof line - 1);
	memset(label, 'X', sizeof label - 1);
	check_text(root, "S", "S OK - child | v=1\n[OK] child\n    l1\n");
	assert_string_equal(iwa_check_text(c), "child");
	/* set_text replaces (no leak under ASan), set_name(NULL) clears */
	assert_int_equal(iwa_check_set_text(c, "new %s", "text"), 0);
	assert_int_equal(iwa_check_set_name(c, NULL), 0);
	assert_string_equal(iwa_check_text(c), "new text");
	iwa_check_free(root);
}

/* '|' must never appear after the first line's perfdata separator, newlines never break the
 * first line or a child line. */
static void test_sanitising(void **state)
{
	struct iwa_check *root = iwa_check_new();
	struct iwa_check *c;

	(void)state;
	assert_int_equal(iwa_check_set_text(root, "a|b\nc\r\nd\te"), 0);
	c = iwa_check_add(root, IWA_WARNING, "x | y\nz");
	assert_int_equal(iwa_check_add_line(c, "p|q\nsecond\r\nthird\tt"), 0);
	assert_int_equal(iwa_check_add_line(root, "r|s"), 0);
	assert_int_equal(iwa_check_perf(root, "v", 1, "", NULL, NULL, NULL), 0);
	check_text(root, "S",
		   "S WARNING - a/b c d e | v=1\n"
		   "r/s\n"
		   "[WARNING] x / y z\n"
		   "    p/q\n"
		   "    second\n"
		   "    third t\n");
	iwa_check_free(root);
}

/* Trailing newlines and control characters are dropped, empty lines get no indent, an empty
 * child text gives just "[STATE]". */
static void test_whitespace(void **state)
{
	struct iwa_check *root = iwa_check_new();
	struct iwa_check *c;

	(void)state;
	assert_int_equal(iwa_check_set_text(root, "\r\nserver said: failed\r\n"), 0);
	c = iwa_check_add(root, IWA_OK, "%s", "");
	assert_int_equal(iwa_check_add_line(c, "first\n\nthird\r\n"), 0);
	assert_int_equal(iwa_check_add_line(c, "%s", ""), 0);
	assert_int_equal(iwa_check_add_line(c, "\tx\x1b[0m"), 0);
	check_text(root, "S",
		   "S OK - server said: failed\n"
		   "[OK]\n"
		   "    first\n"
		   "\n"
		   "    third\n"
		   "\n"
		   "     x [0m\n");
	iwa_check_free(root);
}

/* iwa_check_perf refuses a bad label and adds nothing; NULL arguments are harmless. */
static void test_bad_input(void **state)
{
	struct iwa_check *root = iwa_check_new();

	(void)state;
	assert_int_equal(iwa_check_perf(root, "a=b", 1, "", NULL, NULL, NULL), IWA_EINVAL);
	assert_int_equal(iwa_check_perf(root, "v", 1, "parsecs", NULL, NULL, NULL), IWA_EINVAL);
	check_text(root, "S", "S OK\n");
	assert_null(iwa_check_add(NULL, IWA_OK, "x"));
	assert_int_equal(iwa_check_set_text(NULL, "x"), IWA_EINVAL);
	assert_int_equal(iwa_check_add_line(NULL, "x"), IWA_EINVAL);
	assert_int_equal(iwa_check_add_perf(root, NULL), IWA_EINVAL);
	assert_int_equal(iwa_check_set_name(NULL, "x"), IWA_EINVAL);
	assert_string_equal(iwa_check_text(NULL), "");
	iwa_check_set_state(NULL, IWA_OK);
	iwa_check_raise(NULL, IWA_OK);
	assert_int_equal(iwa_check_render(NULL, "S", IWA_FORMAT_TEXT, NULL), IWA_EINVAL);
	iwa_check_free(NULL);
	iwa_check_free(root);
}

/* A perfdata item filled by hand with a NaN value is left out of text and JSON; a NaN max is
 * left empty in text and null in JSON. */
static void test_hand_filled_perf(void **state)
{
	struct iwa_check *root = iwa_check_new();
	struct iwa_perf p;
	struct jc_value *v;

	(void)state;
	assert_int_equal(iwa_perf_init(&p, "bad", 1, "", NULL), 0);
	p.value = NAN;
	assert_int_equal(iwa_check_add_perf(root, &p), 0);
	assert_int_equal(iwa_perf_init(&p, "good", 2, "", NULL), 0);
	iwa_perf_set_max(&p, NAN);
	assert_int_equal(iwa_check_add_perf(root, &p), 0);
	check_text(root, "S", "S OK | good=2\n");
	v = render_json(root, "S");
	assert_int_equal(jc_get(v, "perfdata")->n, 1);
	assert_string_equal(jc_get_str(jc_at(jc_get(v, "perfdata"), 0), "label"), "good");
	assert_int_equal(jc_get(jc_at(jc_get(v, "perfdata"), 0), "max")->type, JC_NULL);
	jc_free(v);
	iwa_check_free(root);
}

/* The example tree as JSON: every field checked after parsing it back. */
static void test_tree_json(void **state)
{
	struct iwa_check *root = example_tree();
	struct jc_value *v = render_json(root, "NEGOTIATE");
	const struct jc_value *subs, *s1, *s2, *t, *perf, *p;

	(void)state;
	assert_int_equal(v->type, JC_OBJ);
	assert_string_equal(jc_get_str(v, "service"), "NEGOTIATE");
	assert_string_equal(jc_get_str(v, "state"), "CRITICAL");
	assert_true(jc_get_num(v, "exit_code") == 2);
	assert_string_equal(jc_get_str(v, "summary"), "1 of 2 backends fail");
	assert_int_equal(jc_get(v, "lines")->n, 0);
	subs = jc_get(v, "subchecks");
	assert_int_equal(subs->type, JC_ARR);
	assert_int_equal(subs->n, 2);
	s1 = jc_at(subs, 0);
	assert_string_equal(jc_get_str(s1, "name"), "server1");
	assert_string_equal(jc_get_str(s1, "state"), "OK");
	assert_string_equal(jc_get_str(s1, "text"), "server1: HTTP 200 after Negotiate");
	assert_int_equal(jc_get(s1, "lines")->n, 1);
	assert_string_equal(jc_at(jc_get(s1, "lines"), 0)->str, "user: monitor@CAMTEST.TEST");
	assert_int_equal(jc_get(s1, "subchecks")->n, 0);
	s2 = jc_at(subs, 1);
	assert_string_equal(jc_get_str(s2, "name"), "server2");
	assert_string_equal(jc_get_str(s2, "state"), "CRITICAL");
	t = jc_at(jc_get(s2, "subchecks"), 0);
	assert_null(jc_get(t, "name")); /* only when set */
	assert_string_equal(jc_get_str(t, "state"), "CRITICAL");
	assert_string_equal(jc_get_str(t, "text"), "ticket rejected");
	assert_string_equal(jc_at(jc_get(t, "lines"), 0)->str, "detail");

	perf = jc_get(v, "perfdata");
	assert_int_equal(perf->n, 3);
	p = jc_at(perf, 0);
	assert_string_equal(jc_get_str(p, "label"), "backends");
	assert_true(jc_get_num(p, "value") == 2);
	assert_string_equal(jc_get_str(p, "uom"), "");
	assert_true(jc_get_num(p, "min") == 0);
	assert_null(jc_get(p, "max"));
	assert_null(jc_get(p, "warn"));
	assert_null(jc_get(p, "crit"));
	p = jc_at(perf, 1);
	assert_string_equal(jc_get_str(p, "label"), "server1 time");
	assert_true(jc_get_num(p, "value") == 0.012);
	assert_string_equal(jc_get_str(p, "uom"), "s");
	assert_string_equal(jc_get_str(p, "warn"), "1");
	assert_string_equal(jc_get_str(p, "crit"), "5");
	assert_true(jc_get_num(p, "min") == 0);
	p = jc_at(perf, 2);
	assert_string_equal(jc_get_str(p, "label"), "server2 time");
	assert_true(jc_get_num(p, "value") == 5.25);
	assert_string_equal(jc_get_str(p, "uom"), "s");
	assert_null(jc_get(v, "truncated"));
	jc_free(v);
	iwa_check_free(root);
}

/* JSON keeps texts as they are (escaped): quotes, newlines, '|', control and invalid bytes. */
static void test_json_texts(void **state)
{
	struct iwa_check *root = iwa_check_new();
	struct jc_value *v;

	(void)state;
	assert_int_equal(iwa_check_set_text(root, "say \"hi\"\\ a|b\nc\x01 caf\xe9"), 0);
	iwa_check_add(root, IWA_OK, "tab\there");
	v = render_json(root, "S\"Q");
	assert_string_equal(jc_get_str(v, "service"), "S\"Q");
	assert_string_equal(jc_get_str(v, "summary"), "say \"hi\"\\ a|b\nc\x01 caf\xef\xbf\xbd");
	assert_string_equal(jc_get_str(jc_at(jc_get(v, "subchecks"), 0), "text"), "tab\there");
	assert_true(jc_get_num(v, "exit_code") == 0);
	jc_free(v);
	iwa_check_free(root);
}

/* Numbers in JSON and text use '.' under a ',' decimal locale. */
static void test_comma_locale(void **state)
{
	struct iwa_check *root;
	struct jc_value *v;
	char *s;

	(void)state;
	assert_true(enter_comma_locale());
	root = example_tree();
	s = render(root, "NEGOTIATE", IWA_FORMAT_TEXT);
	assert_non_null(strstr(s, "'server1 time'=0.012s;1;5;0 "));
	assert_null(strstr(s, "0,012"));
	free(s);
	v = render_json(root, "NEGOTIATE");
	assert_true(jc_get_num(jc_at(jc_get(v, "perfdata"), 1), "value") == 0.012);
	jc_free(v);
	iwa_check_free(root);
	leave_comma_locale();
}

static void test_message(void **state)
{
	struct iwa_buf b;
	struct jc_value *v;
	char err[200];

	(void)state;
	iwa_buf_init(&b, 0);
	assert_int_equal(iwa_render_message("NEGOTIATE", IWA_UNKNOWN,
					    "-t: 'abc' is not a whole number", IWA_FORMAT_TEXT, &b),
			 0);
	assert_string_equal(b.data, "NEGOTIATE UNKNOWN - -t: 'abc' is not a whole number\n");
	iwa_buf_free(&b);
	iwa_buf_init(&b, 0);
	assert_int_equal(
		iwa_render_message("X", IWA_CRITICAL, "two\nlines | pipe", IWA_FORMAT_TEXT, &b), 0);
	assert_string_equal(b.data, "X CRITICAL - two lines / pipe\n");
	iwa_buf_free(&b);
	iwa_buf_init(&b, 0);
	assert_int_equal(iwa_render_message("X", IWA_UNKNOWN, "bad \"arg\"", IWA_FORMAT_JSON, &b),
			 0);
	v = jc_parse(b.data, err, sizeof err);
	assert_non_null(v);
	assert_string_equal(jc_get_str(v, "service"), "X");
	assert_string_equal(jc_get_str(v, "state"), "UNKNOWN");
	assert_true(jc_get_num(v, "exit_code") == 3);
	assert_string_equal(jc_get_str(v, "summary"), "bad \"arg\"");
	assert_int_equal(jc_get(v, "subchecks")->n, 0);
	assert_int_equal(jc_get(v, "perfdata")->n, 0);
	jc_free(v);
	iwa_buf_free(&b);
	iwa_buf_init(&b, 0);
	assert_int_equal(iwa_render_message("X", IWA_UNKNOWN, NULL, IWA_FORMAT_TEXT, &b), 0);
	assert_string_equal(b.data, "X UNKNOWN\n");
	iwa_buf_free(&b);
}

/* Long output beyond IWA_OUTPUT_MAX: first line with all perfdata kept, whole lines only,
 * then the marker; total within the cap. */
static void test_text_truncation(void **state)
{
	struct iwa_check *root = iwa_check_new();
	struct iwa_check *c;
	char *s, *first_nl, *marker;
	size_t len;

	(void)state;
	assert_int_equal(iwa_check_set_text(root, "many"), 0);
	for (int i = 0; i < 100; i++) {
		char label[16];

		(void)snprintf(label, sizeof label, "v%d", i);
		assert_int_equal(iwa_check_perf(root, label, i, "", NULL, NULL, NULL), 0);
	}
	c = iwa_check_add(root, IWA_WARNING, "child");
	for (int i = 0; i < 2000; i++)
		assert_int_equal(iwa_check_add_line(c, "line %04d %0100d", i, 0), 0);
	s = render(root, "S", IWA_FORMAT_TEXT);
	len = strlen(s);
	assert_true(len <= IWA_OUTPUT_MAX);
	assert_true(len > IWA_OUTPUT_MAX - 200);
	first_nl = strchr(s, '\n');
	assert_non_null(strstr(s, " v0=0 v1=1 "));
	assert_true(strstr(s, " v99=99\n") == first_nl - 7);
	assert_true(strncmp(first_nl + 1, "[WARNING] child\n    line 0000 ", 30) == 0);
	marker = strstr(s, "(output truncated)\n");
	assert_non_null(marker);
	assert_true(marker + strlen("(output truncated)\n") == s + len);
	/* the line before the marker is whole */
	assert_true(marker[-1] == '\n');
	assert_true(strncmp(marker - 115, "    line ", 9) == 0 && marker[-116] == '\n');
	/* no '|' outside the first line */
	assert_null(strchr(first_nl, '|'));
	free(s);

	/* JSON: lines dropped, still valid, marked truncated */
	{
		struct jc_value *v = render_json(root, "S");
		const struct jc_value *sub = jc_at(jc_get(v, "subchecks"), 0);

		assert_int_equal(jc_get(v, "truncated")->type, JC_BOOL);
		assert_true(jc_get(v, "truncated")->b);
		assert_null(jc_get(sub, "lines"));
		assert_string_equal(jc_get_str(sub, "text"), "child");
		assert_int_equal(jc_get(v, "perfdata")->n, 100);
		jc_free(v);
	}
	iwa_check_free(root);
}

/* A summary alone longer than the cap is shortened; perfdata stays. */
static void test_huge_summary(void **state)
{
	struct iwa_check *root = iwa_check_new();
	char *big = malloc(100000);
	char *s;

	(void)state;
	assert_non_null(big);
	memset(big, 'x', 99999);
	big[99999] = '\0';
	assert_int_equal(iwa_check_set_text(root, "%s", big), 0);
	assert_int_equal(strlen(iwa_check_text(root)), IWA_OUTPUT_MAX); /* cut when stored */
	assert_int_equal(iwa_check_perf(root, "v", 1, "", NULL, NULL, NULL), 0);
	s = render(root, "S", IWA_FORMAT_TEXT);
	assert_true(strlen(s) <= IWA_OUTPUT_MAX);
	assert_true(strncmp(s, "S OK - xxx", 10) == 0);
	assert_non_null(strstr(s, "x | v=1\n(output truncated)\n"));
	free(s);
	iwa_check_free(root);
	free(big);
}

/* Too many subchecks for the cap: JSON drops subchecks entirely, text keeps whole lines. */
static void test_json_drop_subchecks(void **state)
{
	struct iwa_check *root = iwa_check_new();
	struct jc_value *v;
	char *s;

	(void)state;
	for (int i = 0; i < 1500; i++)
		assert_non_null(iwa_check_add(root, IWA_OK, "subcheck %04d %060d", i, 0));
	v = render_json(root, "S");
	assert_true(jc_get(v, "truncated")->b);
	assert_int_equal(jc_get(v, "subchecks")->n, 0);
	jc_free(v);
	s = render(root, "S", IWA_FORMAT_TEXT);
	assert_true(strlen(s) <= IWA_OUTPUT_MAX);
	assert_non_null(strstr(s, "(output truncated)\n"));
	free(s);
	iwa_check_free(root);
}

/* A caller's buffer with a smaller cap: IWA_ENOMEM, buffer unchanged, no crash. */
static void test_small_out_buffer(void **state)
{
	struct iwa_check *root = example_tree();
	struct iwa_buf b;

	(void)state;
	iwa_buf_init(&b, 16);
	assert_int_equal(iwa_buf_adds(&b, "keep"), 0);
	assert_int_equal(iwa_check_render(root, "NEGOTIATE", IWA_FORMAT_TEXT, &b), IWA_ENOMEM);
	assert_int_equal(iwa_check_render(root, "NEGOTIATE", IWA_FORMAT_JSON, &b), IWA_ENOMEM);
	assert_string_equal(b.data, "keep");
	iwa_buf_free(&b);
	iwa_check_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_root),
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_tree_text),
		cmocka_unit_test(test_root_lines_and_depth),
		cmocka_unit_test(test_worst_state),
		cmocka_unit_test(test_own_copies),
		cmocka_unit_test(test_sanitising),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_hand_filled_perf),
		cmocka_unit_test(test_tree_json),
		cmocka_unit_test(test_json_texts),
		cmocka_unit_test(test_comma_locale),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_text_truncation),
		cmocka_unit_test(test_huge_summary),
		cmocka_unit_test(test_json_drop_subchecks),
		cmocka_unit_test(test_small_out_buffer),
		cmocka_unit_test(test_perf_add_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
