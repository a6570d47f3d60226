/* test_perfdata.c — perfdata items rendered as exact strings: labels (quoted with a space,
 * refused with '=' '\'' '|'), units, thresholds, min/max, trailing empty fields dropped,
 * number formatting ('.' decimals, no exponent, trailing zeros trimmed), also under a locale
 * whose decimal point is ',' (global setlocale and per-thread uselocale). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "locale_check.h"
#include "perfdata.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Renders p and compares with want. */
static void check_render(const struct iwa_perf *p, const char *want)
{
	struct iwa_buf b;

	iwa_buf_init(&b, 4096);
	assert_int_equal(iwa_perf_render(p, &b), 0);
	assert_string_equal(b.data, want);
	iwa_buf_free(&b);
}

/* Formats v with precision and compares with want. */
static void check_number(double v, int precision, const char *want)
{
	struct iwa_buf b;

	iwa_buf_init(&b, 4096);
	assert_int_equal(iwa_format_number(&b, v, precision), 0);
	if (strcmp(b.data, want) != 0)
		fail_msg("%.17g (precision %d) -> \"%s\", expected \"%s\"", v, precision, b.data,
			 want);
	iwa_buf_free(&b);
}

/* Builds thresholds from two range texts (NULL = not set). */
static struct iwa_thresholds thresholds(const char *warn, const char *crit)
{
	struct iwa_thresholds t = {0};
	struct iwa_err err = {0};

	if (warn != NULL) {
		assert_int_equal(iwa_range_parse(warn, &t.warn, &err), 0);
		t.has_warn = true;
	}
	if (crit != NULL) {
		assert_int_equal(iwa_range_parse(crit, &t.crit, &err), 0);
		t.has_crit = true;
	}
	return t;
}

static void test_format_numbers(void **state)
{
	(void)state;
	check_number(0, -1, "0");
	check_number(1, -1, "1");
	check_number(-1, -1, "-1");
	check_number(1.5, -1, "1.5");
	check_number(0.1, -1, "0.1");
	check_number(0.125, -1, "0.125");
	check_number(100, -1, "100");
	check_number(1000000, -1, "1000000");
	check_number(0.1234567, -1, "0.123457"); /* at most 6 decimals */
	check_number(0.0000004, -1, "0");        /* below 6 decimals: 0, never "-0" or 4e-07 */
	check_number(-0.0000004, -1, "0");
	check_number(-0.0, -1, "0");
	check_number(2.5, 0, "2"); /* round half to even, as printf */
	check_number(2.6, 0, "3");
	check_number(1.25, 3, "1.25"); /* trailing zeros trimmed */
	check_number(1.2, 2, "1.2");
	check_number(3.0, 3, "3");
	check_number(0.000123, 6, "0.000123");
	check_number(123.456, 1, "123.5");
	check_number(1e15, -1, "1000000000000000");
	check_number(6.02e23, -1, "601999999999999995805696"); /* no scientific notation */
	check_number(-3e-45, -1, "0");
	check_number(4294967296.0, -1, "4294967296");
	check_number(1.0 / 3.0, 15, "0.333333333333333");
	check_number(1.0 / 3.0, 40, "0.333333333333333"); /* precision capped at 15 */
}

static void test_format_huge(void **state)
{
	struct iwa_buf b;

	(void)state;
	iwa_buf_init(&b, 4096);
	assert_int_equal(iwa_format_number(&b, DBL_MAX, -1), 0);
	assert_int_equal(strlen(b.data), 309);
	assert_null(strchr(b.data, 'e'));
	assert_null(strchr(b.data, '.'));
	iwa_buf_free(&b);
	iwa_buf_init(&b, 4096);
	assert_int_equal(iwa_format_number(&b, -DBL_MAX, 6), 0);
	assert_int_equal(strlen(b.data), 310);
	assert_int_equal(iwa_format_number(&b, NAN, -1), IWA_EINVAL);
	assert_int_equal(iwa_format_number(&b, INFINITY, -1), IWA_EINVAL);
	assert_int_equal(iwa_format_number(NULL, 1, -1), IWA_EINVAL);
	iwa_buf_free(&b);
}

static void test_plain(void **state)
{
	struct iwa_perf p;
	struct iwa_err err = {0};

	(void)state;
	assert_int_equal(iwa_perf_init(&p, "time", 0.5, "s", &err), 0);
	check_render(&p, "time=0.5s");
	assert_int_equal(iwa_perf_init(&p, "spns", 3, NULL, &err), 0);
	check_render(&p, "spns=3");
	assert_int_equal(iwa_perf_init(&p, "dup_count", 0, "", &err), 0);
	check_render(&p, "dup_count=0");
}

static void test_label_quoting(void **state)
{
	struct iwa_perf p;
	struct iwa_err err = {0};

	(void)state;
	assert_int_equal(iwa_perf_init(&p, "backend server1 time", 0.012, "s", &err), 0);
	check_render(&p, "'backend server1 time'=0.012s");
	assert_int_equal(iwa_perf_init(&p, " lead", 1, "", &err), 0);
	check_render(&p, "' lead'=1");
	/* other printable characters need no quotes */
	assert_int_equal(iwa_perf_init(&p, "http/sso.camtest.test:443", 200, "", &err), 0);
	check_render(&p, "http/sso.camtest.test:443=200");
	assert_int_equal(iwa_perf_init(&p, "caf\xc3\xa9", 1, "", &err), 0);
	check_render(&p, "caf\xc3\xa9=1");
}

static void test_label_refused(void **state)
{
	static const char *const bad[] = {"",    " ",         "   ",    "a=b",  "it's",   "a'b c",
					  "x|y", "new\nline", "tab\tx", "cr\r", "del\x7f"};
	struct iwa_perf p;
	struct iwa_err err = {0};
	char longlabel[200];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (iwa_perf_init(&p, bad[i], 1, "", &err) != IWA_EINVAL)
			fail_msg("label '%s' accepted", bad[i]);
		assert_int_equal(err.code, IWA_EINVAL);
	}
	assert_int_equal(iwa_perf_init(&p, NULL, 1, "", &err), IWA_EINVAL);
	assert_int_equal(iwa_perf_init(&p, "a=b", 1, "", &err), IWA_EINVAL);
	assert_string_equal(err.msg, "perfdata label 'a=b' holds a forbidden character");
	memset(longlabel, 'l', sizeof longlabel - 1);
	longlabel[sizeof longlabel - 1] = '\0';
	assert_int_equal(iwa_perf_init(&p, longlabel, 1, "", &err), IWA_EINVAL);
	longlabel[128] = '\0';
	assert_int_equal(iwa_perf_init(&p, longlabel, 1, "", &err), IWA_EINVAL);
	longlabel[127] = '\0'; /* 127 characters fit label[128] */
	assert_int_equal(iwa_perf_init(&p, longlabel, 1, "", &err), 0);
}

static void test_uom(void **state)
{
	static const char *const good[] = {"",   "s",  "ms", "us", "%", "B",
					   "KB", "MB", "GB", "TB", "c"};
	static const char *const bad[] = {"S", "sec", "kB", "KiB", "µs",
					  "x", " s",  "s ", "%%",  ";"};
	struct iwa_perf p;
	struct iwa_err err = {0};
	char want[32];

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_int_equal(iwa_perf_init(&p, "v", 12.5, good[i], &err), 0);
		(void)snprintf(want, sizeof want, "v=12.5%s", good[i]);
		check_render(&p, want);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (iwa_perf_init(&p, "v", 1, bad[i], &err) != IWA_EINVAL)
			fail_msg("uom '%s' accepted", bad[i]);
	}
}

static void test_thresholds_and_limits(void **state)
{
	struct iwa_perf p;
	struct iwa_thresholds t;
	struct iwa_err err = {0};

	(void)state;
	assert_int_equal(iwa_perf_init(&p, "time", 0.25, "s", &err), 0);
	t = thresholds("1", "5");
	iwa_perf_set_thresholds(&p, &t);
	check_render(&p, "time=0.25s;1;5");
	iwa_perf_set_min(&p, 0);
	iwa_perf_set_max(&p, 15);
	check_render(&p, "time=0.25s;1;5;0;15");
	/* ranges are copied as given */
	t = thresholds("~:10", "@10:20");
	iwa_perf_set_thresholds(&p, &t);
	check_render(&p, "time=0.25s;~:10;@10:20;0;15");
	t = thresholds("10:", "0.5:1.5");
	iwa_perf_set_thresholds(&p, &t);
	check_render(&p, "time=0.25s;10:;0.5:1.5;0;15");
	/* NULL thresholds clear them */
	iwa_perf_set_thresholds(&p, NULL);
	check_render(&p, "time=0.25s;;;0;15");
}

/* Trailing empty fields are dropped, inner empty fields kept. */
static void test_trailing_fields(void **state)
{
	struct iwa_perf p;
	struct iwa_thresholds t;
	struct iwa_err err = {0};

	(void)state;
	assert_int_equal(iwa_perf_init(&p, "x", 1, "", &err), 0);
	t = thresholds("5", NULL);
	iwa_perf_set_thresholds(&p, &t);
	check_render(&p, "x=1;5");
	t = thresholds(NULL, "9");
	iwa_perf_set_thresholds(&p, &t);
	check_render(&p, "x=1;;9");
	iwa_perf_set_thresholds(&p, NULL);
	iwa_perf_set_min(&p, 0);
	check_render(&p, "x=1;;;0");
	assert_int_equal(iwa_perf_init(&p, "x", 1, "", &err), 0);
	iwa_perf_set_max(&p, 100);
	check_render(&p, "x=1;;;;100");
	assert_int_equal(iwa_perf_init(&p, "x", 1, "", &err), 0);
	t = thresholds("5", NULL);
	iwa_perf_set_thresholds(&p, &t);
	iwa_perf_set_max(&p, -2.5);
	check_render(&p, "x=1;5;;;-2.5");
}

/* precision applies to the value; min/max use the shortest form. */
static void test_precision(void **state)
{
	struct iwa_perf p;
	struct iwa_err err = {0};

	(void)state;
	assert_int_equal(iwa_perf_init(&p, "ratio", 33.33333333, "%", &err), 0);
	assert_int_equal(p.precision, -1);
	check_render(&p, "ratio=33.333333%");
	p.precision = 2;
	iwa_perf_set_min(&p, 0);
	iwa_perf_set_max(&p, 100);
	check_render(&p, "ratio=33.33%;;;0;100");
	p.precision = 0;
	iwa_perf_set_max(&p, 0.5);
	check_render(&p, "ratio=33%;;;0;0.5");
}

/* A NaN/infinite value is refused (no "U": Icinga 2's parser throws on it); NaN min/max are
 * left empty. */
static void test_undetermined(void **state)
{
	struct iwa_perf p;
	struct iwa_buf b;
	struct iwa_err err = {0};

	(void)state;
	assert_int_equal(iwa_perf_init(&p, "time", NAN, "s", &err), IWA_EINVAL);
	assert_string_equal(err.msg, "perfdata 'time': the value is not a finite number");
	assert_int_equal(iwa_perf_init(&p, "time", INFINITY, "s", &err), IWA_EINVAL);
	assert_int_equal(iwa_perf_init(&p, "time", -INFINITY, "s", &err), IWA_EINVAL);
	/* filled by hand: render refuses and leaves the buffer alone */
	assert_int_equal(iwa_perf_init(&p, "time", 1, "s", &err), 0);
	p.value = NAN;
	iwa_buf_init(&b, 0);
	assert_int_equal(iwa_perf_render(&p, &b), IWA_EINVAL);
	assert_int_equal(b.len, 0);
	iwa_buf_free(&b);
	assert_int_equal(iwa_perf_init(&p, "v", 1, "", &err), 0);
	iwa_perf_set_min(&p, NAN);
	check_render(&p, "v=1");
	iwa_perf_set_max(&p, 2);
	check_render(&p, "v=1;;;;2");
}

/* A failing render (cap) leaves the buffer unchanged. */
static void test_render_cap(void **state)
{
	struct iwa_perf p;
	struct iwa_buf b;
	struct iwa_err err = {0};

	(void)state;
	assert_int_equal(iwa_perf_init(&p, "a long label", 1.5, "s", &err), 0);
	iwa_perf_set_max(&p, 100);
	iwa_buf_init(&b, 20);
	assert_int_equal(iwa_buf_adds(&b, "x "), 0);
	assert_int_equal(iwa_perf_render(&p, &b), IWA_ENOMEM);
	assert_string_equal(b.data, "x ");
	iwa_buf_free(&b);
	assert_int_equal(iwa_perf_render(NULL, &b), IWA_EINVAL);
}

/* The same item rendered in C and under ',' decimals (setlocale and uselocale). */
static void test_comma_locale(void **state)
{
	struct iwa_perf p;
	struct iwa_thresholds t;
	struct iwa_err err = {0};
	const char *want = "'backend time'=1234.5678s;0.5:1.5;~:2.25;0;60.125";
	char check[32];
	locale_t l;

	(void)state;
	t = thresholds("0.5:1.5", "~:2.25");
	assert_int_equal(iwa_perf_init(&p, "backend time", 1234.5678, "s", &err), 0);
	iwa_perf_set_thresholds(&p, &t);
	iwa_perf_set_min(&p, 0);
	iwa_perf_set_max(&p, 60.125);
	check_render(&p, want);

	assert_true(enter_comma_locale());
	/* prove the locale really uses ',' for printf */
	(void)snprintf(check, sizeof check, "%.1f", 1.5);
	assert_string_equal(check, "1,5");
	check_render(&p, want);
	check_number(-0.5, -1, "-0.5");
	check_number(1234567.25, 2, "1234567.25");
	/* ranges parsed under the comma locale too */
	t = thresholds("@1.5:2.5", NULL);
	iwa_perf_set_thresholds(&p, &t);
	check_render(&p, "'backend time'=1234.5678s;@1.5:2.5;;0;60.125");
	leave_comma_locale();

	l = comma_locale_dup();
	assert_true(l != (locale_t)0);
	uselocale(l);
	(void)snprintf(check, sizeof check, "%.2f", 0.25);
	assert_string_equal(check, "0,25");
	check_number(0.25, -1, "0.25");
	check_render(&p, "'backend time'=1234.5678s;@1.5:2.5;;0;60.125");
	uselocale(LC_GLOBAL_LOCALE);
	freelocale(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_numbers),
		cmocka_unit_test(test_format_huge),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_label_quoting),
		cmocka_unit_test(test_label_refused),
		cmocka_unit_test(test_uom),
		cmocka_unit_test(test_thresholds_and_limits),
		cmocka_unit_test(test_trailing_fields),
		cmocka_unit_test(test_precision),
		cmocka_unit_test(test_undetermined),
		cmocka_unit_test(test_render_cap),
		cmocka_unit_test(test_comma_locale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
