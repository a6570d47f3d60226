/* test_range.c — range expressions and thresholds: every row of the monitoring-plugin
 * guidelines' range table with values at, just inside and just outside each end, the other
 * forms ("~:", ":5", negative, degenerate), every rejection, thresholds precedence, and
 * parsing under a ',' decimal locale. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "locale_check.h"
#include "range.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Parses expr (must succeed) and checks the alert decision for v. */
static void check_alert(const char *expr, double v, bool want)
{
	struct iwa_range r;
	struct iwa_err err = {0};

	if (iwa_range_parse(expr, &r, &err) != 0)
		fail_msg("range '%s' refused: %s", expr, err.msg);
	if (iwa_range_alert(&r, v) != want)
		fail_msg("range '%s' with %.17g: alert %s, expected %s", expr, v,
			 want ? "false" : "true", want ? "true" : "false");
}

/* Parses expr, which must be refused with IWA_EINVAL and a message; out stays untouched. */
static void check_refused(const char *expr)
{
	struct iwa_range r;
	struct iwa_err err = {0};
	int rc;

	memset(&r, 0xA5, sizeof r);
	rc = iwa_range_parse(expr, &r, &err);
	if (rc != IWA_EINVAL)
		fail_msg("range '%s' accepted (rc %d), expected IWA_EINVAL", expr ? expr : "(null)",
			 rc);
	assert_int_equal(err.code, IWA_EINVAL);
	assert_true(strstr(err.msg, "invalid range") != NULL);
	for (size_t i = 0; i < sizeof r; i++)
		assert_int_equal(((unsigned char *)&r)[i], 0xA5);
}

/* Row "10": alert if < 0 or > 10. */
static void test_row_10(void **state)
{
	(void)state;
	check_alert("10", -1, true);
	check_alert("10", -0.000001, true);
	check_alert("10", 0, false);
	check_alert("10", 0.5, false);
	check_alert("10", 10, false);
	check_alert("10", 10.000001, true);
	check_alert("10", 1e9, true);
}

/* Row "10:": alert if < 10. */
static void test_row_10_colon(void **state)
{
	(void)state;
	check_alert("10:", -1e9, true);
	check_alert("10:", 0, true);
	check_alert("10:", 9.999999, true);
	check_alert("10:", 10, false);
	check_alert("10:", 10.000001, false);
	check_alert("10:", 1e12, false);
}

/* Row "~:10": alert if > 10; 10 itself is inside (the end is inclusive). */
static void test_row_tilde_10(void **state)
{
	(void)state;
	check_alert("~:10", -1e12, false);
	check_alert("~:10", -1, false);
	check_alert("~:10", 0, false);
	check_alert("~:10", 9.999999, false);
	check_alert("~:10", 10, false);
	check_alert("~:10", 10.000001, true);
	check_alert("~:10", 11, true);
}

/* Row "10:20": alert if < 10 or > 20. */
static void test_row_10_20(void **state)
{
	(void)state;
	check_alert("10:20", 0, true);
	check_alert("10:20", 9.999999, true);
	check_alert("10:20", 10, false);
	check_alert("10:20", 15, false);
	check_alert("10:20", 20, false);
	check_alert("10:20", 20.000001, true);
	check_alert("10:20", 100, true);
}

/* Row "@10:20": alert if >= 10 and <= 20 (both ends included). */
static void test_row_at_10_20(void **state)
{
	(void)state;
	check_alert("@10:20", 0, false);
	check_alert("@10:20", 9.999999, false);
	check_alert("@10:20", 10, true);
	check_alert("@10:20", 15, true);
	check_alert("@10:20", 20, true);
	check_alert("@10:20", 20.000001, false);
	check_alert("@10:20", 100, false);
}

/* The parsed fields of each table row. */
static void test_parsed_fields(void **state)
{
	struct iwa_range r;
	struct iwa_err err = {0};

	(void)state;
	assert_int_equal(iwa_range_parse("10", &r, &err), 0);
	assert_true(r.start == 0 && r.end == 10 && !r.start_inf && !r.end_inf && !r.inside);
	assert_string_equal(r.text, "10");
	assert_int_equal(iwa_range_parse("10:", &r, &err), 0);
	assert_true(r.start == 10 && !r.start_inf && r.end_inf && !r.inside);
	assert_int_equal(iwa_range_parse("~:10", &r, &err), 0);
	assert_true(r.start_inf && !r.end_inf && r.end == 10 && !r.inside);
	assert_string_equal(r.text, "~:10");
	assert_int_equal(iwa_range_parse("10:20", &r, &err), 0);
	assert_true(r.start == 10 && r.end == 20 && !r.start_inf && !r.end_inf && !r.inside);
	assert_int_equal(iwa_range_parse("@10:20", &r, &err), 0);
	assert_true(r.start == 10 && r.end == 20 && r.inside);
	assert_string_equal(r.text, "@10:20");
	assert_int_equal(iwa_range_parse("@-1.5:2.25", &r, &err), 0);
	assert_true(r.start == -1.5 && r.end == 2.25 && r.inside);
}

/* Forms beyond the table: omitted start, negative numbers, "~:" (everything), a point. */
static void test_other_forms(void **state)
{
	(void)state;
	/* ":5" = "0:5" (start 0 may be omitted) */
	check_alert(":5", -0.1, true);
	check_alert(":5", 0, false);
	check_alert(":5", 5, false);
	check_alert(":5", 5.1, true);
	/* negative ends */
	check_alert("-5:-1", -5.000001, true);
	check_alert("-5:-1", -5, false);
	check_alert("-5:-1", -1, false);
	check_alert("-5:-1", -0.999999, true);
}

/* "-10" means 0..-10: start > end, so refused; "~:-10" is the way to say it. */
static void test_negative_end_only(void **state)
{
	(void)state;
	check_refused("-10");
	check_alert("~:-10", -10, false);
	check_alert("~:-10", -9.5, true);
}

/* "~:" covers everything: never alerts; "@~:" always alerts. */
static void test_everything(void **state)
{
	(void)state;
	check_alert("~:", -1e300, false);
	check_alert("~:", 0, false);
	check_alert("~:", 1e300, false);
	check_alert("@~:", -1e300, true);
	check_alert("@~:", 1e300, true);
	check_alert("@~:0", -1, true);
	check_alert("@~:0", 0, true);
	check_alert("@~:0", 0.000001, false);
	check_alert("@10:", 9.999999, false);
	check_alert("@10:", 10, true);
	check_alert("@10", -0.000001, false);
	check_alert("@10", 0, true);
	check_alert("@10", 10, true);
}

/* A degenerate range a:a holds exactly a. */
static void test_point_range(void **state)
{
	(void)state;
	check_alert("0:0", 0, false);
	check_alert("0:0", 0.000001, true);
	check_alert("0:0", -0.000001, true);
	check_alert("@3:3", 3, true);
	check_alert("@3:3", 3.000001, false);
	check_alert("0", 0, false);
	check_alert("0", 0.1, true);
}

/* Fractions and large values compare exactly (no int truncation: 10.5 vs 10). */
static void test_fractions(void **state)
{
	(void)state;
	check_alert("10.5", 10.5, false);
	check_alert("10.5", 10.500001, true);
	check_alert("0.001:0.002", 0.001, false);
	check_alert("0.001:0.002", 0.0009999, true);
	check_alert("4294967296", 4294967296.0, false);
	check_alert("4294967296", 4294967297.0, true);
	check_alert("10", NAN, true);
	check_alert("@10:20", NAN, false);
}

/* Everything the guidelines and the header say is invalid. */
static void test_refused(void **state)
{
	static const char *const bad[] = {
		"",        "@",      ":",      "@:",    "~",     "@~",   "20:10",  "@20:10",
		"abc",     "10:abc", "abc:10", "1e3",   "1E3",   "1,5",  "10::20", "1:2:3",
		" 10",     "10 ",    "10: ",   "@@10",  "--1",   "+5",   "inf",    "nan",
		"~:inf",   "0x10",   "10:~",   "~~:10", "~5:10", "10-",  ".",      "-",
		"@ 10:20", "10:20@", "1.2.3",  "\t10",  "10\n",  "1..2", "-:5",    "5:-",
	};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_refused(bad[i]);
	check_refused(NULL);
}

/* A too long expression is refused (it would not fit the text kept for perfdata). */
static void test_too_long(void **state)
{
	char s[200];

	(void)state;
	memset(s, '1', sizeof s - 1);
	s[sizeof s - 1] = '\0';
	check_refused(s);
	/* 63 characters still fit */
	memset(s, '0', 62);
	s[62] = '1';
	s[63] = '\0';
	check_alert(s, 1, false);
}

/* Error messages name the expression and the reason. */
static void test_messages(void **state)
{
	struct iwa_range r;
	struct iwa_err err = {0};

	(void)state;
	assert_int_equal(iwa_range_parse("20:10", &r, &err), IWA_EINVAL);
	assert_string_equal(err.msg, "invalid range '20:10': start is greater than end");
	assert_int_equal(iwa_range_parse("10:x", &r, &err), IWA_EINVAL);
	assert_string_equal(err.msg, "invalid range '10:x': end 'x' is not a number");
	assert_int_equal(iwa_range_parse("", &r, &err), IWA_EINVAL);
	assert_string_equal(err.msg, "invalid range: empty");
	/* err may be NULL */
	assert_int_equal(iwa_range_parse("x", &r, NULL), IWA_EINVAL);
}

/* CRITICAL is checked first, then WARNING; no thresholds = OK. */
static void test_thresholds(void **state)
{
	struct iwa_thresholds t = {0};
	struct iwa_err err = {0};

	(void)state;
	assert_int_equal(iwa_thresholds_state(&t, 1e9), IWA_OK);
	assert_int_equal(iwa_thresholds_state(NULL, 1e9), IWA_OK);
	assert_int_equal(iwa_range_parse("~:10", &t.warn, &err), 0);
	t.has_warn = true;
	assert_int_equal(iwa_thresholds_state(&t, 10), IWA_OK);
	assert_int_equal(iwa_thresholds_state(&t, 10.5), IWA_WARNING);
	assert_int_equal(iwa_range_parse("~:20", &t.crit, &err), 0);
	t.has_crit = true;
	assert_int_equal(iwa_thresholds_state(&t, 20), IWA_WARNING);
	assert_int_equal(iwa_thresholds_state(&t, 20.5), IWA_CRITICAL);
	/* overlapping: a value alerting both is CRITICAL */
	assert_int_equal(iwa_range_parse("5", &t.crit, &err), 0);
	assert_int_equal(iwa_thresholds_state(&t, 11), IWA_CRITICAL);
	assert_int_equal(iwa_thresholds_state(&t, 4), IWA_OK);
	assert_int_equal(iwa_thresholds_state(&t, 7), IWA_CRITICAL);
	/* crit only */
	t.has_warn = false;
	assert_int_equal(iwa_thresholds_state(&t, 7), IWA_CRITICAL);
	assert_int_equal(iwa_thresholds_state(&t, 5), IWA_OK);
}

/* Under a ',' decimal locale ranges still use '.' and refuse ','. */
static void test_comma_locale(void **state)
{
	struct iwa_range r;
	struct iwa_err err = {0};

	(void)state;
	assert_true(enter_comma_locale());
	assert_int_equal(iwa_range_parse("@1.5:2.5", &r, &err), 0);
	assert_true(r.start == 1.5 && r.end == 2.5);
	assert_int_equal(iwa_range_parse("1,5", &r, &err), IWA_EINVAL);
	check_alert("~:0.5", 0.5, false);
	check_alert("~:0.5", 0.51, true);
	leave_comma_locale();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_10),       cmocka_unit_test(test_row_10_colon),
		cmocka_unit_test(test_row_tilde_10), cmocka_unit_test(test_row_10_20),
		cmocka_unit_test(test_row_at_10_20), cmocka_unit_test(test_parsed_fields),
		cmocka_unit_test(test_other_forms),  cmocka_unit_test(test_negative_end_only),
		cmocka_unit_test(test_everything),   cmocka_unit_test(test_point_range),
		cmocka_unit_test(test_fractions),    cmocka_unit_test(test_refused),
		cmocka_unit_test(test_too_long),     cmocka_unit_test(test_messages),
		cmocka_unit_test(test_thresholds),   cmocka_unit_test(test_comma_locale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
