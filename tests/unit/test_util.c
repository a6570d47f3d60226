/* test_util.c — iwa.c (errors, states) and util.c (strict numbers, capped buffer, JSON
 * string escaping, each escaped string parsed back by json_check). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "iwa.h"
#include "json_check.h"
#include "locale_check.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- iwa.c ---- */

static void test_err_set(void **state)
{
	struct iwa_err err = {0};
	char big[3000];

	(void)state;
	assert_int_equal(iwa_err_set(&err, IWA_EIO, "server %s said %d", "dc1", 53), IWA_EIO);
	assert_int_equal(err.code, IWA_EIO);
	assert_string_equal(err.msg, "server dc1 said 53");
	assert_int_equal(iwa_err_set(NULL, IWA_EAUTH, "x"), IWA_EAUTH);
	/* truncated to fit */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	iwa_err_set(&err, IWA_EINVAL, "%s", big);
	assert_int_equal(strlen(err.msg), IWA_ERR_MAX - 1);
}

static void test_err_prefix(void **state)
{
	struct iwa_err err = {0};
	char big[3000];

	(void)state;
	iwa_err_set(&err, IWA_ENOTFOUND, "no such entry");
	iwa_err_prefix(&err, "LDAP search in %s", "DC=camtest,DC=test");
	assert_string_equal(err.msg, "LDAP search in DC=camtest,DC=test: no such entry");
	assert_int_equal(err.code, IWA_ENOTFOUND);
	iwa_err_prefix(&err, "-H");
	assert_string_equal(err.msg, "-H: LDAP search in DC=camtest,DC=test: no such entry");
	iwa_err_prefix(NULL, "x"); /* no crash */
	/* an empty message gets the prefix alone */
	iwa_err_set(&err, IWA_EIO, "%s", "");
	iwa_err_prefix(&err, "p");
	assert_string_equal(err.msg, "p");
	/* long prefix and message: truncated, still terminated */
	memset(big, 'y', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	iwa_err_set(&err, IWA_EIO, "%s", big);
	iwa_err_prefix(&err, "%s", big);
	assert_int_equal(strlen(err.msg), IWA_ERR_MAX - 1);
	iwa_err_set(&err, IWA_EIO, "tail");
	iwa_err_prefix(&err, "%.1020s", big);
	assert_int_equal(strlen(err.msg), IWA_ERR_MAX - 1);
	assert_memory_equal(err.msg + 1020, ": t", 3);
}

static void test_state_names(void **state)
{
	enum iwa_state s = IWA_OK;

	(void)state;
	assert_string_equal(iwa_state_name(IWA_OK), "OK");
	assert_string_equal(iwa_state_name(IWA_WARNING), "WARNING");
	assert_string_equal(iwa_state_name(IWA_CRITICAL), "CRITICAL");
	assert_string_equal(iwa_state_name(IWA_UNKNOWN), "UNKNOWN");
	assert_string_equal(iwa_state_name((enum iwa_state)7), "UNKNOWN");
	assert_int_equal(iwa_state_parse("critical", &s), 0);
	assert_int_equal(s, IWA_CRITICAL);
	assert_int_equal(iwa_state_parse("Warning", &s), 0);
	assert_int_equal(s, IWA_WARNING);
	assert_int_equal(iwa_state_parse("UNKNOWN", &s), 0);
	assert_int_equal(s, IWA_UNKNOWN);
	assert_int_equal(iwa_state_parse("ok", &s), 0);
	assert_int_equal(s, IWA_OK);
	assert_int_equal(iwa_state_parse("2", &s), 0);
	assert_int_equal(s, IWA_CRITICAL);
	assert_int_equal(iwa_state_parse("3", &s), 0);
	assert_int_equal(s, IWA_UNKNOWN);
	s = IWA_OK;
	assert_int_equal(iwa_state_parse("4", &s), IWA_EINVAL);
	assert_int_equal(iwa_state_parse("", &s), IWA_EINVAL);
	assert_int_equal(iwa_state_parse("CRIT", &s), IWA_EINVAL);
	assert_int_equal(iwa_state_parse("02", &s), IWA_EINVAL);
	assert_int_equal(iwa_state_parse(" OK", &s), IWA_EINVAL);
	assert_int_equal(iwa_state_parse(NULL, &s), IWA_EINVAL);
	assert_int_equal(s, IWA_OK);
}

/* CRITICAL > WARNING > UNKNOWN > OK, for all 16 pairs, both orders. */
static void test_state_worst(void **state)
{
	static const enum iwa_state order[] = {IWA_OK, IWA_UNKNOWN, IWA_WARNING, IWA_CRITICAL};

	(void)state;
	for (int i = 0; i < 4; i++) {
		for (int j = 0; j < 4; j++) {
			enum iwa_state want = order[i > j ? i : j];

			assert_int_equal(iwa_state_worst(order[i], order[j]), want);
		}
	}
}

/* ---- iwa_parse_uint ---- */

static void test_parse_uint_ok(void **state)
{
	unsigned long long v = 0;
	struct iwa_err err = {0};

	(void)state;
	assert_int_equal(iwa_parse_uint("0", 0, 10, "-t", &v, &err), 0);
	assert_int_equal(v, 0);
	assert_int_equal(iwa_parse_uint("15", 1, 60, "-t", &v, &err), 0);
	assert_int_equal(v, 15);
	assert_int_equal(iwa_parse_uint("60", 1, 60, "-t", &v, &err), 0);
	assert_int_equal(v, 60);
	assert_int_equal(iwa_parse_uint("1", 1, 60, "-t", &v, &err), 0);
	assert_int_equal(v, 1);
	assert_int_equal(iwa_parse_uint("007", 0, 10, "-t", &v, &err), 0);
	assert_int_equal(v, 7);
	assert_int_equal(iwa_parse_uint("18446744073709551615", 0, ULLONG_MAX, "n", &v, &err), 0);
	assert_true(v == ULLONG_MAX);
}

static void test_parse_uint_garbage(void **state)
{
	static const char *const bad[] = {"",    "-1",  "+1", " 1",  "1 ",  "1a",    "abc", "0x10",
					  "1.0", "1e3", "١",  "1\n", "\t1", "1,000", "--",  "-0"};
	unsigned long long v = 42;
	struct iwa_err err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (iwa_parse_uint(bad[i], 0, ULLONG_MAX, "--port", &v, &err) != IWA_EINVAL)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(err.code, IWA_EINVAL);
		assert_true(strncmp(err.msg, "--port: ", 8) == 0);
	}
	assert_int_equal(iwa_parse_uint(NULL, 0, 10, "-t", &v, &err), IWA_EINVAL);
	assert_int_equal(v, 42); /* untouched */
	assert_int_equal(iwa_parse_uint("abc", 0, 10, "-t", &v, &err), IWA_EINVAL);
	assert_string_equal(err.msg, "-t: 'abc' is not a whole number");
	assert_int_equal(iwa_parse_uint("", 0, 10, "-t", &v, &err), IWA_EINVAL);
	assert_string_equal(err.msg, "-t: empty value, expected a whole number");
}

static void test_parse_uint_overflow(void **state)
{
	unsigned long long v = 42;
	struct iwa_err err = {0};

	(void)state;
	assert_int_equal(iwa_parse_uint("18446744073709551616", 0, ULLONG_MAX, "n", &v, &err),
			 IWA_EINVAL);
	assert_true(strstr(err.msg, "too large") != NULL);
	assert_int_equal(iwa_parse_uint("99999999999999999999999", 0, ULLONG_MAX, "n", &v, &err),
			 IWA_EINVAL);
	assert_int_equal(iwa_parse_uint("184467440737095516150", 0, ULLONG_MAX, "n", &v, &err),
			 IWA_EINVAL);
	assert_int_equal(v, 42);
}

static void test_parse_uint_bounds(void **state)
{
	unsigned long long v = 42;
	struct iwa_err err = {0};

	(void)state;
	assert_int_equal(iwa_parse_uint("0", 1, 60, "-t", &v, &err), IWA_EINVAL);
	assert_string_equal(err.msg, "-t: 0 is out of range (1 to 60)");
	assert_int_equal(iwa_parse_uint("61", 1, 60, "-t", &v, &err), IWA_EINVAL);
	assert_string_equal(err.msg, "-t: 61 is out of range (1 to 60)");
	assert_int_equal(iwa_parse_uint("65536", 1, 65535, "-p", &v, &err), IWA_EINVAL);
	assert_int_equal(v, 42);
	/* err and out may be NULL */
	assert_int_equal(iwa_parse_uint("5", 0, 10, NULL, NULL, NULL), 0);
	assert_int_equal(iwa_parse_uint("x", 0, 10, NULL, NULL, NULL), IWA_EINVAL);
}

/* ---- iwa_parse_double ---- */

static void check_double(const char *s, double want)
{
	double v = -12345;
	struct iwa_err err = {0};

	if (iwa_parse_double(s, "v", &v, &err) != 0)
		fail_msg("'%s' refused: %s", s, err.msg);
	if (v != want || signbit(v) != signbit(want))
		fail_msg("'%s' gave %.17g, expected %.17g", s, v, want);
}

static void test_parse_double_ok(void **state)
{
	(void)state;
	check_double("0", 0);
	check_double("1.5", 1.5);
	check_double("-2", -2);
	check_double("-0.25", -0.25);
	check_double(".5", 0.5);
	check_double("5.", 5);
	check_double("-0", 0); /* no negative zero */
	check_double("0.1", 0.1);
	check_double("123456789.125", 123456789.125);
	check_double("00012", 12);
	check_double("0.000000000000000000000000000000000000000000001", 1e-45);
}

/* A value below the smallest double is 0, not an error. */
static void test_parse_double_underflow(void **state)
{
	char tiny[420];

	(void)state;
	memcpy(tiny, "0.", 2);
	memset(tiny + 2, '0', sizeof tiny - 4);
	tiny[sizeof tiny - 2] = '1';
	tiny[sizeof tiny - 1] = '\0';
	check_double(tiny, 0);
}

static void test_parse_double_garbage(void **state)
{
	static const char *const bad[] = {"",     "-",    ".",   "-.",    "+1",    " 1",
					  "1 ",   "1e3",  "1E3", "1,5",   "1.2.3", "inf",
					  "nan",  "-inf", "INF", "0x1p3", "0x10",  "1f",
					  "1..2", "--1",  "1-",  "\t1",   "1\n",   "١"};
	double v = 42;
	struct iwa_err err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (iwa_parse_double(bad[i], "-w", &v, &err) != IWA_EINVAL)
			fail_msg("'%s' accepted", bad[i]);
		assert_true(strncmp(err.msg, "-w: ", 4) == 0);
	}
	assert_int_equal(iwa_parse_double(NULL, "-w", &v, &err), IWA_EINVAL);
	assert_true(v == 42);
	assert_int_equal(iwa_parse_double("1,5", "--max-age", &v, &err), IWA_EINVAL);
	assert_string_equal(err.msg,
			    "--max-age: '1,5' is not a number (digits with an optional '.')");
}

static void test_parse_double_overflow(void **state)
{
	char big[420];
	double v = 42;
	struct iwa_err err = {0};

	(void)state;
	big[0] = '1';
	memset(big + 1, '0', sizeof big - 2);
	big[sizeof big - 1] = '\0';
	assert_int_equal(iwa_parse_double(big, "v", &v, &err), IWA_EINVAL);
	assert_true(strstr(err.msg, "out of range") != NULL);
	big[0] = '-';
	big[1] = '1';
	assert_int_equal(iwa_parse_double(big, "v", &v, &err), IWA_EINVAL);
	assert_true(v == 42);
}

/* '.' is the decimal point and ',' is refused even when the locale says ','. */
static void test_parse_double_comma_locale(void **state)
{
	locale_t l;

	(void)state;
	assert_true(enter_comma_locale());
	check_double("1.5", 1.5);
	check_double("-1234.25", -1234.25);
	assert_int_equal(iwa_parse_double("1,5", "v", NULL, NULL), IWA_EINVAL);
	leave_comma_locale();
	/* same through a thread locale */
	l = comma_locale_dup();
	assert_true(l != (locale_t)0);
	uselocale(l);
	check_double("2.75", 2.75);
	assert_int_equal(iwa_parse_double("2,75", "v", NULL, NULL), IWA_EINVAL);
	uselocale(LC_GLOBAL_LOCALE);
	freelocale(l);
}

/* ---- buffer ---- */

static void test_buf_basic(void **state)
{
	struct iwa_buf b;
	struct iwa_buf z = {0}; /* zero-filled = no cap */
	char *s;

	(void)state;
	iwa_buf_init(&b, 1024);
	assert_int_equal(iwa_buf_adds(&b, "abc"), 0);
	assert_int_equal(iwa_buf_add(&b, "de\0f", 4), 0);
	assert_int_equal(b.len, 7);
	assert_int_equal(iwa_buf_addf(&b, "%d-%s", 42, "x"), 0);
	assert_memory_equal(b.data, "abcde\0f42-x", 12);
	assert_int_equal(iwa_buf_add(&b, NULL, 0), 0);
	assert_int_equal(iwa_buf_adds(&b, NULL), IWA_EINVAL);
	s = iwa_buf_take(&b);
	assert_non_null(s);
	assert_int_equal(s[11], '\0');
	free(s);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 1024);
	/* an empty buffer hands over "" */
	s = iwa_buf_take(&b);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(iwa_buf_adds(&z, "zero-filled works"), 0);
	assert_string_equal(z.data, "zero-filled works");
	iwa_buf_free(&z);
	iwa_buf_free(&z); /* twice is fine */
	iwa_buf_free(NULL);
}

/* max counts the terminating NUL: a buffer of max 8 holds 7 characters. */
static void test_buf_cap(void **state)
{
	struct iwa_buf b;

	(void)state;
	iwa_buf_init(&b, 8);
	assert_int_equal(iwa_buf_adds(&b, "1234567"), 0);
	assert_int_equal(iwa_buf_adds(&b, "8"), IWA_ENOMEM);
	assert_string_equal(b.data, "1234567"); /* unchanged */
	assert_int_equal(iwa_buf_addf(&b, "%s", "x"), IWA_ENOMEM);
	assert_string_equal(b.data, "1234567");
	assert_true(b.cap <= 8);
	iwa_buf_free(&b);
	iwa_buf_init(&b, 8);
	assert_int_equal(iwa_buf_adds(&b, "12345678"), IWA_ENOMEM);
	assert_int_equal(b.len, 0);
	iwa_buf_free(&b);
	/* huge lengths do not overflow the size computation */
	iwa_buf_init(&b, 0);
	assert_int_equal(iwa_buf_add(&b, "x", SIZE_MAX), IWA_ENOMEM);
	assert_int_equal(iwa_buf_add(&b, "x", SIZE_MAX - 1), IWA_ENOMEM);
	iwa_buf_free(&b);
}

/* Formatted output longer than the internal 256-byte scratch, and growth across many adds. */
static void test_buf_grow(void **state)
{
	struct iwa_buf b;
	char line[1000];

	(void)state;
	memset(line, 'L', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	iwa_buf_init(&b, 1 << 20);
	assert_int_equal(iwa_buf_addf(&b, "[%s]", line), 0);
	assert_int_equal(b.len, 1001);
	assert_int_equal(b.data[0], '[');
	assert_int_equal(b.data[1000], ']');
	for (int i = 0; i < 500; i++)
		assert_int_equal(iwa_buf_addf(&b, "%d,", i), 0);
	assert_true(strstr(b.data, "]0,1,2,") != NULL);
	assert_true(strstr(b.data, ",498,499,") != NULL);
	iwa_buf_free(&b);
	/* addf hitting the cap with a long string leaves the buffer unchanged */
	iwa_buf_init(&b, 600);
	assert_int_equal(iwa_buf_adds(&b, "keep"), 0);
	assert_int_equal(iwa_buf_addf(&b, "%s", line), IWA_ENOMEM);
	assert_string_equal(b.data, "keep");
	iwa_buf_free(&b);
}

static void test_strdup(void **state)
{
	char *s;

	(void)state;
	assert_null(iwa_strdup(NULL));
	s = iwa_strdup("abc");
	assert_string_equal(s, "abc");
	free(s);
}

/* ---- JSON strings ---- */

/* Escapes in, compares with want, then parses it back with json_check and compares with
 * back (the decoded string). */
static void check_json(const char *in, const char *want, const char *back)
{
	struct iwa_buf b;
	struct jc_value *v;
	char err[200];

	iwa_buf_init(&b, 4096);
	assert_int_equal(iwa_buf_add_json_str(&b, in), 0);
	assert_string_equal(b.data, want);
	v = jc_parse(b.data, err, sizeof err);
	if (v == NULL)
		fail_msg("%s does not parse: %s", b.data, err);
	if (back == NULL) {
		assert_int_equal(v->type, JC_NULL);
	} else {
		assert_int_equal(v->type, JC_STR);
		assert_string_equal(v->str, back);
	}
	jc_free(v);
	iwa_buf_free(&b);
}

static void test_json_plain(void **state)
{
	(void)state;
	check_json("", "\"\"", "");
	check_json("hello world", "\"hello world\"", "hello world");
	check_json("a\"b\\c/d", "\"a\\\"b\\\\c/d\"", "a\"b\\c/d");
	check_json(NULL, "null", NULL);
}

static void test_json_control(void **state)
{
	(void)state;
	check_json("l1\nl2\r\t\b\f", "\"l1\\nl2\\r\\t\\b\\f\"", "l1\nl2\r\t\b\f");
	check_json("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"", "\x01\x1f\x7f");
	check_json("a\x1b[31mred", "\"a\\u001b[31mred\"", "a\x1b[31mred");
}

static void test_json_utf8(void **state)
{
	(void)state;
	/* valid UTF-8 is copied as is: é, €, U+10FFFF, 😀 */
	check_json("caf\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf \xf0\x9f\x98\x80",
		   "\"caf\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf \xf0\x9f\x98\x80\"",
		   "caf\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf \xf0\x9f\x98\x80");
}

static void test_json_invalid_utf8(void **state)
{
	(void)state;
	/* a stray byte (Latin-1 é) */
	check_json("caf\xe9!", "\"caf\\ufffd!\"", "caf\xef\xbf\xbd!");
	/* 0xff and 0xfe never appear in UTF-8 */
	check_json("\xff\xfe", "\"\\ufffd\\ufffd\"", "\xef\xbf\xbd\xef\xbf\xbd");
	/* overlong '/' */
	check_json("\xc0\xaf", "\"\\ufffd\\ufffd\"", "\xef\xbf\xbd\xef\xbf\xbd");
	/* overlong 3-byte */
	check_json("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"",
		   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* UTF-16 surrogate encoded in UTF-8 */
	check_json("\xed\xa0\x80x", "\"\\ufffd\\ufffd\\ufffdx\"",
		   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx");
	/* above U+10FFFF */
	check_json("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"",
		   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* truncated sequence at the end of the string */
	check_json("ab\xe2\x82", "\"ab\\ufffd\\ufffd\"", "ab\xef\xbf\xbd\xef\xbf\xbd");
	/* a lone continuation byte followed by valid text */
	check_json("\x80\xc3\xa9", "\"\\ufffd\xc3\xa9\"", "\xef\xbf\xbd\xc3\xa9");
}

/* Escaping into a full buffer fails and leaves it unchanged. */
static void test_json_cap(void **state)
{
	struct iwa_buf b;

	(void)state;
	iwa_buf_init(&b, 10);
	assert_int_equal(iwa_buf_adds(&b, "x:"), 0);
	assert_int_equal(iwa_buf_add_json_str(&b, "\n\n\n"), IWA_ENOMEM);
	assert_string_equal(b.data, "x:");
	assert_int_equal(iwa_buf_add_json_str(&b, "abc"), 0);
	assert_string_equal(b.data, "x:\"abc\"");
	iwa_buf_free(&b);
}

/* The strict checker itself refuses what it must (so the other tests mean something). */
static void test_json_checker_strict(void **state)
{
	static const char *const bad[] = {"",
					  "{",
					  "{\"a\":1,}",
					  "[1,]",
					  "01",
					  "1.",
					  ".5",
					  "\"a\nb\"",
					  "'a'",
					  "{\"a\":1}x",
					  "{\"a\":1,\"a\":2}",
					  "\"\\x\"",
					  "\"\\ud800\"",
					  "nul",
					  "[1 2]",
					  "\"\xff\"",
					  "{a:1}",
					  "+1",
					  "NaN",
					  "\"\\u12\""};
	char err[200];
	struct jc_value *v;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = jc_parse(bad[i], err, sizeof err);
		if (v != NULL)
			fail_msg("checker accepted %s", bad[i]);
	}
	v = jc_parse(" {\"a\":[1,-2.5e3,true,false,null,\"\\ud83d\\ude00\"],\"b\":{}} ", err,
		     sizeof err);
	assert_non_null(v);
	assert_true(jc_at(jc_get(v, "a"), 1)->num == -2500);
	assert_string_equal(jc_at(jc_get(v, "a"), 5)->str, "\xf0\x9f\x98\x80");
	assert_int_equal(jc_get(v, "b")->type, JC_OBJ);
	jc_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_set),
		cmocka_unit_test(test_err_prefix),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_state_worst),
		cmocka_unit_test(test_parse_uint_ok),
		cmocka_unit_test(test_parse_uint_garbage),
		cmocka_unit_test(test_parse_uint_overflow),
		cmocka_unit_test(test_parse_uint_bounds),
		cmocka_unit_test(test_parse_double_ok),
		cmocka_unit_test(test_parse_double_underflow),
		cmocka_unit_test(test_parse_double_garbage),
		cmocka_unit_test(test_parse_double_overflow),
		cmocka_unit_test(test_parse_double_comma_locale),
		cmocka_unit_test(test_buf_basic),
		cmocka_unit_test(test_buf_cap),
		cmocka_unit_test(test_buf_grow),
		cmocka_unit_test(test_strdup),
		cmocka_unit_test(test_json_plain),
		cmocka_unit_test(test_json_control),
		cmocka_unit_test(test_json_utf8),
		cmocka_unit_test(test_json_invalid_utf8),
		cmocka_unit_test(test_json_cap),
		cmocka_unit_test(test_json_checker_strict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
