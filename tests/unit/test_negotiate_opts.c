/* test_negotiate_opts.c — check_negotiate_backend's option parsers and cross-option rules
 * (plugins/check_negotiate_backend_opts.c): -u URL, -B ADDR[:PORT], -e CODES, validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "check_negotiate_backend.h"
#include "perfdata.h"

static void test_url_ok(void **state)
{
	struct nb_cfg cfg;
	struct iwa_err err;
	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(nb_parse_url(&cfg, "https://SSO.CamTest.test/app/", &err), 0);
	assert_string_equal(cfg.url_host, "sso.camtest.test");
	assert_int_equal(cfg.url_port, 443);
	assert_true(cfg.https);
	assert_int_equal(nb_parse_url(&cfg, "http://sso:8080/", &err), 0);
	assert_string_equal(cfg.url_host, "sso");
	assert_int_equal(cfg.url_port, 8080);
	assert_false(cfg.https);
	assert_int_equal(nb_parse_url(&cfg, "https://[::1]/", &err), 0);
	assert_string_equal(cfg.url_host, "[::1]");
	nb_cfg_free(&cfg);
}

static void test_url_bad(void **state)
{
	static const char *bad[] = {"not a url",          "ftp://sso/",       "gopher://sso/",
				    "sso.camtest.test",   "https://u:p@sso/", "https://user@sso/",
				    "https://sso:99999/", "https://sso:0/",   ""};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nb_cfg cfg;
		struct iwa_err err;
		memset(&cfg, 0, sizeof(cfg));
		if (nb_parse_url(&cfg, bad[i], &err) != IWA_EINVAL)
			fail_msg("accepted URL '%s'", bad[i]);
		assert_non_null(strstr(err.msg, "--url"));
		nb_cfg_free(&cfg);
	}
}

/* The longest -B still gets all its perfdata ("<label>_status" fits a perfdata label); one
 * character more is refused with the limit named. */
static void test_backend_label_fits_perfdata(void **state)
{
	struct backend b;
	struct iwa_err err;
	struct iwa_perf p;
	char arg[NB_BACKEND_ARG_MAX + 2], label[200];
	const char *suffix[] = {"_time", "_ttfb", "_status"};
	(void)state;
	memset(arg, 'a', sizeof(arg));
	arg[NB_BACKEND_ARG_MAX] = '\0';
	assert_int_equal(nb_parse_backend(arg, &b, &err), 0);
	for (size_t i = 0; i < 3; i++) {
		snprintf(label, sizeof(label), "%s%s", b.label, suffix[i]);
		assert_int_equal(iwa_perf_init(&p, label, 1, "", &err), 0);
	}
	arg[NB_BACKEND_ARG_MAX] = 'a';
	arg[NB_BACKEND_ARG_MAX + 1] = '\0';
	assert_int_equal(nb_parse_backend(arg, &b, &err), IWA_EINVAL);
	assert_non_null(strstr(err.msg, "longer than 120 characters"));
}

static void test_backend_ok(void **state)
{
	struct backend b;
	struct iwa_err err;
	(void)state;
	assert_int_equal(nb_parse_backend("server1", &b, &err), 0);
	assert_string_equal(b.addr, "server1");
	assert_int_equal(b.port, 0);
	assert_string_equal(b.label, "server1");
	assert_int_equal(nb_parse_backend("127.0.20.11:8443", &b, &err), 0);
	assert_string_equal(b.addr, "127.0.20.11");
	assert_int_equal(b.port, 8443);
	assert_string_equal(b.label, "127.0.20.11:8443");
	assert_int_equal(nb_parse_backend("[::1]:443", &b, &err), 0);
	assert_string_equal(b.addr, "::1");
	assert_int_equal(b.port, 443);
	assert_int_equal(nb_parse_backend("[fe80::1]", &b, &err), 0);
	assert_string_equal(b.addr, "fe80::1");
	assert_int_equal(b.port, 0);
	assert_int_equal(nb_parse_backend("2001:db8::7", &b, &err), 0);
	assert_string_equal(b.addr, "2001:db8::7");
	assert_int_equal(b.port, 0);
	assert_int_equal(nb_parse_backend("web_1.example.com:1", &b, &err), 0);
	assert_int_equal(nb_parse_backend("a:65535", &b, &err), 0);
	assert_int_equal(b.port, 65535);
}

static void test_backend_bad(void **state)
{
	static const char *bad[] = {"",          "host:",    ":443",     "[::1",      "[::1]x",
				    "[::1]:",    "[]:443",   "[nothex]", "host:0",    "host:65536",
				    "host:-1",   "host:44x", "ho st",    "host/path", "a:b:c",
				    "user@host", "host: 443"};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct backend b;
		struct iwa_err err;
		if (nb_parse_backend(bad[i], &b, &err) != IWA_EINVAL)
			fail_msg("accepted backend '%s'", bad[i]);
		assert_non_null(strstr(err.msg, "-B"));
	}
}

static void test_expect(void **state)
{
	struct nb_cfg cfg;
	struct iwa_err err;
	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(nb_parse_expect(&cfg, "200,301-302,599", &err), 0);
	assert_int_equal(cfg.nexpect, 3);
	assert_int_equal(cfg.expect[1].lo, 301);
	assert_int_equal(cfg.expect[1].hi, 302);
	assert_int_equal(cfg.expect[2].lo, 599);
	assert_string_equal(cfg.expect_text, "200,301-302,599");
	static const char *bad[] = {"",        "99",  "600",  "200,,302", ",200",        "200,",
				    "302-301", "2oo", "200-", "-200",     "200-300-400", "abc"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (nb_parse_expect(&cfg, bad[i], &err) != IWA_EINVAL)
			fail_msg("accepted -e '%s'", bad[i]);
	}
}

/* Runs nb_opt for each (opt, arg) pair then nb_validate; returns the first error. */
static int configure(struct nb_cfg *cfg, struct iwa_err *err, int n, const int *opts,
		     const char *const *args)
{
	struct iwa_common_opts common;
	memset(&common, 0, sizeof(common));
	for (int i = 0; i < n; i++) {
		int rc = nb_opt(cfg, opts[i], args[i], err);
		if (rc < 0)
			return rc;
	}
	return nb_validate(cfg, &common, err);
}

static void test_validate(void **state)
{
	struct nb_cfg cfg;
	struct iwa_err err;
	(void)state;

	memset(&cfg, 0, sizeof(cfg));
	const int o1[] = {'B'};
	const char *a1[] = {"server1"};
	assert_int_equal(configure(&cfg, &err, 1, o1, a1), IWA_EINVAL);
	assert_non_null(strstr(err.msg, "--url is required"));

	memset(&cfg, 0, sizeof(cfg));
	const int o2[] = {'u', 'B', 'B'};
	const char *a2[] = {"https://sso/", "server1", "server1"};
	assert_int_equal(configure(&cfg, &err, 3, o2, a2), IWA_EINVAL);
	assert_non_null(strstr(err.msg, "given twice"));
	nb_cfg_free(&cfg);

	memset(&cfg, 0, sizeof(cfg));
	const int o3[] = {'u', OPT_NO_VIP};
	const char *a3[] = {"https://sso/", NULL};
	assert_int_equal(configure(&cfg, &err, 2, o3, a3), IWA_EINVAL);
	assert_non_null(strstr(err.msg, "nothing to check"));
	nb_cfg_free(&cfg);

	memset(&cfg, 0, sizeof(cfg));
	const int o4[] = {'u', IWA_OPT_TLS_INSECURE, IWA_OPT_TLS_CA_FILE};
	const char *a4[] = {"https://sso/", NULL, "/ca.pem"};
	assert_int_equal(configure(&cfg, &err, 3, o4, a4), IWA_EINVAL);
	assert_string_equal(err.msg, "--insecure and --ca-file exclude each other (--insecure "
				     "verifies no certificate)");
	nb_cfg_free(&cfg);

	/* the shared file checks (tls.c, krb.c) run in nb_validate, before any I/O */
	memset(&cfg, 0, sizeof(cfg));
	const int o4b[] = {'u', IWA_OPT_TLS_CA_FILE};
	const char *a4b[] = {"https://sso/", "/nonexistent/ca.pem"};
	assert_int_equal(configure(&cfg, &err, 2, o4b, a4b), IWA_EINVAL);
	assert_string_equal(err.msg, "--ca-file /nonexistent/ca.pem: cannot read the CA file: No "
				     "such file or directory");
	nb_cfg_free(&cfg);

	memset(&cfg, 0, sizeof(cfg));
	const int o4c[] = {'u', IWA_OPT_KRB_KEYTAB};
	const char *a4c[] = {"https://sso/", "/nonexistent/monitor.keytab"};
	assert_int_equal(configure(&cfg, &err, 2, o4c, a4c), IWA_EINVAL);
	assert_string_equal(err.msg,
			    "--keytab /nonexistent/monitor.keytab: cannot read the keytab: "
			    "No such file or directory");
	nb_cfg_free(&cfg);

	memset(&cfg, 0, sizeof(cfg));
	const int o5[] = {'u', IWA_OPT_KRB_PRINCIPAL};
	const char *a5[] = {"https://sso/", "monitor"};
	assert_int_equal(configure(&cfg, &err, 2, o5, a5), IWA_EINVAL);
	assert_non_null(strstr(err.msg, "--principal needs --keytab"));
	nb_cfg_free(&cfg);

	memset(&cfg, 0, sizeof(cfg));
	const int o6[] = {'u', 'B'};
	const char *a6[] = {"https://sso/", "vip"};
	assert_int_equal(configure(&cfg, &err, 2, o6, a6), IWA_EINVAL);
	nb_cfg_free(&cfg);

	memset(&cfg, 0, sizeof(cfg));
	const int o7[] = {'u', OPT_SPN};
	const char *a7[] = {"https://sso/", "sso"};
	assert_int_equal(configure(&cfg, &err, 2, o7, a7), IWA_EINVAL);
	assert_non_null(strstr(err.msg, "--spn"));
	nb_cfg_free(&cfg);

	memset(&cfg, 0, sizeof(cfg));
	const char *a7b[] = {"https://sso/", "HTTP/"};
	assert_int_equal(configure(&cfg, &err, 2, o7, a7b), IWA_EINVAL);
	assert_non_null(strstr(err.msg, "--spn"));
	nb_cfg_free(&cfg);

	memset(&cfg, 0, sizeof(cfg));
	const int o8[] = {OPT_REALM};
	const char *a8[] = {"A@B"};
	assert_int_equal(configure(&cfg, &err, 1, o8, a8), IWA_EINVAL);

	/* an empty keytab file (the format's version only): readable, a keytab */
	char keytab[] = "test_negotiate_opts.keytab.XXXXXX";
	int fd = mkstemp(keytab);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\x05\x02", 2), 2);
	close(fd);
	memset(&cfg, 0, sizeof(cfg));
	const int o9[] = {'u',
			  'B',
			  'B',
			  'e',
			  'w',
			  'c',
			  OPT_NO_VIP,
			  IWA_OPT_KRB_KEYTAB,
			  IWA_OPT_KRB_PRINCIPAL,
			  IWA_OPT_KRB_FRESH,
			  OPT_SPN,
			  OPT_REALM,
			  OPT_REQUIRE_MUTUAL,
			  IWA_OPT_KRB_CCACHE};
	const char *a9[] = {"https://sso.camtest.test/",
			    "server1",
			    "[::1]:8443",
			    "200",
			    "1",
			    "5",
			    NULL,
			    keytab,
			    "monitor",
			    NULL,
			    "HTTP/sso@CAMTEST.TEST",
			    "CAMTEST.TEST",
			    NULL,
			    "FILE:/tmp/cc"};
	assert_int_equal(configure(&cfg, &err, 14, o9, a9), 0);
	assert_int_equal(cfg.nbackends, 2);
	assert_true(cfg.no_vip && cfg.krb.fresh && cfg.require_mutual);
	assert_true(cfg.th.has_warn && cfg.th.has_crit);
	assert_string_equal(cfg.krb.ccache, "FILE:/tmp/cc");
	nb_cfg_free(&cfg);
	unlink(keytab);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_ok),
		cmocka_unit_test(test_url_bad),
		cmocka_unit_test(test_backend_ok),
		cmocka_unit_test(test_backend_label_fits_perfdata),
		cmocka_unit_test(test_backend_bad),
		cmocka_unit_test(test_expect),
		cmocka_unit_test(test_validate),
	};
	return cmocka_run_group_tests_name("negotiate_opts", tests, NULL, NULL);
}
