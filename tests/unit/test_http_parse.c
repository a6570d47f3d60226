/* test_http_parse.c — the pure parts of common/http.c: WWW-Authenticate challenge lists
 * (RFC 7235), response header lines, base64, CONNECT_TO strings; plus the pure name helpers
 * of common/gss.c. Fixtures: tests/unit/fixtures/http/ (header blocks captured in the lab). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gss.h"
#include "http.h"

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "tests/unit/fixtures"
#endif

static bool slice_is(const char *p, size_t len, const char *want)
{
	return p != NULL && strlen(want) == len && memcmp(p, want, len) == 0;
}

static size_t parse(const char *s, struct iwa_auth_challenge *ch, size_t max, int *rc_out)
{
	struct iwa_err err;
	size_t n = 99;
	*rc_out = iwa_www_auth_parse(s, strlen(s), ch, max, &n, &err);
	return n;
}

static void test_single_scheme(void **state)
{
	struct iwa_auth_challenge ch[4];
	int rc;
	size_t n = parse("Negotiate", ch, 4, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 1);
	assert_true(slice_is(ch[0].scheme, ch[0].scheme_len, "Negotiate"));
	assert_null(ch[0].token68);
	assert_int_equal(ch[0].nparams, 0);
	assert_true(iwa_auth_scheme_is(&ch[0], "negotiate"));
	assert_false(iwa_auth_scheme_is(&ch[0], "NTLM"));
}

static void test_token68(void **state)
{
	struct iwa_auth_challenge ch[4];
	int rc;
	size_t n = parse("Negotiate oYG3MIG0oAMKAQChCwYJKoZIgvcSAQICooGf+/==  ", ch, 4, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 1);
	assert_true(slice_is(ch[0].token68, ch[0].token68_len,
			     "oYG3MIG0oAMKAQChCwYJKoZIgvcSAQICooGf+/=="));
}

static void test_two_schemes(void **state)
{
	struct iwa_auth_challenge ch[4];
	int rc;
	size_t n = parse("NTLM, Negotiate", ch, 4, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 2);
	assert_true(slice_is(ch[0].scheme, ch[0].scheme_len, "NTLM"));
	assert_true(slice_is(ch[1].scheme, ch[1].scheme_len, "Negotiate"));
}

static void test_params_quoted_comma(void **state)
{
	struct iwa_auth_challenge ch[4];
	int rc;
	size_t n = parse("Basic realm=\"a, b\", charset=\"UTF-8\"", ch, 4, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 1);
	assert_int_equal(ch[0].nparams, 2);
	assert_true(slice_is(ch[0].params[0].name, ch[0].params[0].name_len, "realm"));
	assert_true(slice_is(ch[0].params[0].value, ch[0].params[0].value_len, "a, b"));
	assert_true(ch[0].params[0].quoted);
	assert_true(slice_is(ch[0].params[1].value, ch[0].params[1].value_len, "UTF-8"));
}

/* The example of RFC 7235 section 4.1. */
static void test_rfc7235_example(void **state)
{
	struct iwa_auth_challenge ch[4];
	int rc;
	size_t n = parse("Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", "
			 "Basic realm=\"simple\"",
			 ch, 4, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 2);
	assert_true(slice_is(ch[0].scheme, ch[0].scheme_len, "Newauth"));
	assert_int_equal(ch[0].nparams, 3);
	assert_true(slice_is(ch[0].params[1].value, ch[0].params[1].value_len, "1"));
	assert_false(ch[0].params[1].quoted);
	assert_true(slice_is(ch[0].params[2].value, ch[0].params[2].value_len,
			     "Login to \\\"apps\\\""));
	assert_true(slice_is(ch[1].scheme, ch[1].scheme_len, "Basic"));
	assert_int_equal(ch[1].nparams, 1);
}

static void test_mixed_list(void **state)
{
	struct iwa_auth_challenge ch[4];
	int rc;
	size_t n = parse("Basic realm=\"x\", Negotiate abc=, NTLM", ch, 4, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 3);
	assert_true(slice_is(ch[1].token68, ch[1].token68_len, "abc="));
	assert_true(slice_is(ch[2].scheme, ch[2].scheme_len, "NTLM"));
}

static void test_empty_elements(void **state)
{
	struct iwa_auth_challenge ch[4];
	int rc;
	size_t n = parse(" , ,Negotiate ,, ", ch, 4, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 1);
	n = parse("", ch, 4, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 0);
	n = parse("Basic , realm=x", ch, 4, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 1);
	assert_int_equal(ch[0].nparams, 1);
}

static void test_param_not_token68(void **state)
{
	struct iwa_auth_challenge ch[4];
	int rc;
	size_t n = parse("Foo a=b", ch, 4, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 1);
	assert_null(ch[0].token68);
	assert_int_equal(ch[0].nparams, 1);
	/* "a=" alone matches token68 (1*tchar68 *"="), as RFC 7235's grammar says */
	n = parse("Foo a=", ch, 4, &rc);
	assert_int_equal(rc, 0);
	assert_true(slice_is(ch[0].token68, ch[0].token68_len, "a="));
	n = parse("Foo a = \"b\" , c=d", ch, 4, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(ch[0].nparams, 2);
}

static void test_malformed(void **state)
{
	static const char *bad[] = {
		"=abc",
		"realm=x",
		"Basic \"x\"",
		"Basic realm=\"unterminated",
		"Basic realm=\"esc\\",
		"Negotiate abc def",
		"Negotiate abc=, x=y",
		"Basic realm=\"x\"y",
		"Neg@tiate",
		"Negotiate a\"b",
		"Basic realm=\"a\x01\"",
		"Basic realm=x y",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct iwa_auth_challenge ch[4];
		int rc;
		parse(bad[i], ch, 4, &rc);
		if (rc != IWA_EPARSE)
			fail_msg("accepted: %s (rc %d)", bad[i], rc);
	}
}

static void test_too_many(void **state)
{
	struct iwa_auth_challenge ch[2];
	int rc;
	parse("A, B, C", ch, 2, &rc);
	assert_int_equal(rc, IWA_ENOMEM);
}

static void test_many_params_counted(void **state)
{
	struct iwa_auth_challenge ch[1];
	int rc;
	size_t n = parse("X a=1, b=2, c=3, d=4, e=5, f=6, g=7, h=8, i=9, j=10", ch, 1, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(n, 1);
	assert_int_equal(ch[0].nparams, 10);
	assert_true(slice_is(ch[0].params[7].name, ch[0].params[7].name_len, "h"));
}

static void test_not_nul_terminated(void **state)
{
	char buf[16];
	memcpy(buf, "Negotiate abc==XXXXX", 16);
	struct iwa_auth_challenge ch[2];
	struct iwa_err err;
	size_t n = 0;
	/* only "Negotiate abc==" (15 bytes) is the value */
	assert_int_equal(iwa_www_auth_parse(buf, 15, ch, 2, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_true(slice_is(ch[0].token68, ch[0].token68_len, "abc=="));
}

/* ---- header lines ---- */

static void feed(struct iwa_http_resp *r, const char *block)
{
	const char *p = block;
	while (*p != '\0') {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p + 1) : strlen(p);
		iwa_http_resp_header(r, p, l);
		p += l;
	}
}

static void test_resp_401_negotiate_ntlm(void **state)
{
	struct iwa_http_resp r;
	iwa_http_resp_init(&r, 16);
	feed(&r, "HTTP/1.1 401 Unauthorized\r\n"
		 "Server: Microsoft-IIS/10.0\r\n"
		 "WWW-Authenticate: Negotiate\r\n"
		 "www-authenticate: NTLM\r\n"
		 "WWW-Authenticate: negotiate\r\n"
		 "\r\n");
	assert_int_equal(r.status, 401);
	assert_string_equal(r.http_version, "HTTP/1.1");
	assert_string_equal(r.schemes, "Negotiate, NTLM");
	assert_true(r.negotiate_offered);
	assert_null(r.negotiate_token);
	assert_false(r.www_auth_malformed);
	iwa_http_resp_free(&r);
}

static void test_resp_final_token_and_backend(void **state)
{
	struct iwa_http_resp r;
	iwa_http_resp_init(&r, 16);
	feed(&r, "HTTP/1.1 100 Continue\r\n"
		 "X-Backend: old\r\n"
		 "\r\n"
		 "HTTP/1.1 200 OK\r\n"
		 "WWW-Authenticate:   Negotiate oRQwEqADCgEAoQsGCSqGSIb3EgECAg==  \r\n"
		 "X-Backend:\tserver1 \r\n"
		 "\r\n");
	assert_int_equal(r.status, 200);
	assert_string_equal(r.negotiate_token, "oRQwEqADCgEAoQsGCSqGSIb3EgECAg==");
	assert_string_equal(r.backend, "server1");
	assert_string_equal(r.schemes, "Negotiate");
	iwa_http_resp_reset(&r);
	assert_int_equal(r.status, 0);
	assert_null(r.negotiate_token);
	assert_int_equal(r.body_max, 16);
	iwa_http_resp_free(&r);
}

static void test_resp_http2_and_bad_status(void **state)
{
	struct iwa_http_resp r;
	iwa_http_resp_init(&r, 0);
	iwa_http_resp_header(&r, "HTTP/2 503 \r\n", 13);
	assert_int_equal(r.status, 503);
	iwa_http_resp_header(&r, "HTTP/1.1 4x1 Bad\r\n", 18);
	assert_int_equal(r.status, 0);
	iwa_http_resp_header(&r, "HTTP/1.1 2000 OK", 16);
	assert_int_equal(r.status, 0);
	iwa_http_resp_header(&r, "HTTP/1.1 204", 12);
	assert_int_equal(r.status, 204);
	iwa_http_resp_header(&r, ": empty name\r\n", 14);
	iwa_http_resp_header(&r, "no colon\r\n", 10);
	iwa_http_resp_free(&r);
}

static void test_resp_malformed_www_auth(void **state)
{
	struct iwa_http_resp r;
	iwa_http_resp_init(&r, 0);
	feed(&r, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate abc def\r\n");
	assert_true(r.www_auth_malformed);
	assert_true(r.negotiate_offered);
	assert_null(r.negotiate_token);
	assert_string_equal(r.schemes, "Negotiate");
	iwa_http_resp_free(&r);
}

/* A header block captured from the lab's Apache + mod_auth_gssapi backends. */
static void test_resp_fixture(void **state)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/http/apache_gssapi_401.txt", FIXTURES_DIR);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct iwa_http_resp r;
	iwa_http_resp_init(&r, 0);
	char line[4096];
	while (fgets(line, sizeof(line), f) != NULL)
		iwa_http_resp_header(&r, line, strlen(line));
	fclose(f);
	assert_int_equal(r.status, 401);
	assert_true(r.negotiate_offered);
	assert_null(r.negotiate_token);
	iwa_http_resp_free(&r);

	snprintf(path, sizeof(path), "%s/http/apache_gssapi_200.txt", FIXTURES_DIR);
	f = fopen(path, "rb");
	assert_non_null(f);
	iwa_http_resp_init(&r, 0);
	while (fgets(line, sizeof(line), f) != NULL)
		iwa_http_resp_header(&r, line, strlen(line));
	fclose(f);
	assert_int_equal(r.status, 200);
	assert_non_null(r.negotiate_token);
	/* the final token decodes to an SPNEGO NegTokenResp ([1] = 0xa1) */
	void *tok = NULL;
	size_t tl = 0;
	struct iwa_err err;
	assert_int_equal(
		iwa_base64_decode(r.negotiate_token, strlen(r.negotiate_token), &tok, &tl, &err),
		0);
	assert_true(tl > 2);
	assert_int_equal(((unsigned char *)tok)[0], 0xa1);
	free(tok);
	assert_true(r.backend[0] != '\0');
	iwa_http_resp_free(&r);
}

/* ---- base64 ---- */

static void test_base64_vectors(void **state)
{
	static const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	for (size_t i = 0; i < 7; i++) {
		char *o = NULL;
		assert_int_equal(iwa_base64_encode(plain[i], strlen(plain[i]), &o), 0);
		assert_string_equal(o, enc[i]);
		free(o);
		void *d = NULL;
		size_t dl = 0;
		struct iwa_err err;
		assert_int_equal(iwa_base64_decode(enc[i], strlen(enc[i]), &d, &dl, &err), 0);
		assert_int_equal(dl, strlen(plain[i]));
		assert_memory_equal(d, plain[i], dl);
		free(d);
	}
}

static void test_base64_binary_roundtrip(void **state)
{
	unsigned char bin[256];
	for (int i = 0; i < 256; i++)
		bin[i] = (unsigned char)(255 - i);
	char *o = NULL;
	assert_int_equal(iwa_base64_encode(bin, sizeof(bin), &o), 0);
	void *d = NULL;
	size_t dl = 0;
	struct iwa_err err;
	assert_int_equal(iwa_base64_decode(o, strlen(o), &d, &dl, &err), 0);
	assert_int_equal(dl, sizeof(bin));
	assert_memory_equal(d, bin, dl);
	free(d);
	free(o);
}

static void test_base64_unpadded_and_bad(void **state)
{
	void *d = NULL;
	size_t dl = 0;
	struct iwa_err err;
	assert_int_equal(iwa_base64_decode("Zm8", 3, &d, &dl, &err), 0);
	assert_int_equal(dl, 2);
	free(d);
	static const char *bad[] = {"Zg=",  "Z",    "Zh==",     "Zm9v!",
				    "====", "Zm=v", "Zm9vY===", "Zg==Zg=="};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = NULL;
		int rc = iwa_base64_decode(bad[i], strlen(bad[i]), &d, &dl, &err);
		if (rc != IWA_EPARSE)
			fail_msg("accepted base64 '%s'", bad[i]);
		assert_null(d);
	}
}

/* ---- CONNECT_TO, principal names ---- */

static void test_connect_to(void **state)
{
	char buf[128];
	struct iwa_err err;
	assert_int_equal(iwa_http_connect_to("sso.camtest.test", 443, "127.0.20.11", 443, buf,
					     sizeof(buf), &err),
			 0);
	assert_string_equal(buf, "sso.camtest.test:443:127.0.20.11:443");
	assert_int_equal(
		iwa_http_connect_to("sso.camtest.test", 443, "::1", 8443, buf, sizeof(buf), &err),
		0);
	assert_string_equal(buf, "sso.camtest.test:443:[::1]:8443");
	assert_int_equal(iwa_http_connect_to("sso", 80, "[fe80::1]", 80, buf, sizeof(buf), &err),
			 0);
	assert_string_equal(buf, "sso:80:[fe80::1]:80");
	assert_int_equal(iwa_http_connect_to("sso", 80, "a-very-long-name", 80, buf, 10, &err),
			 IWA_EINVAL);
}

static void test_principal_names(void **state)
{
	char buf[128];
	struct iwa_err err;
	assert_string_equal(iwa_gss_principal_realm("monitor@CAMTEST.TEST"), "CAMTEST.TEST");
	assert_string_equal(iwa_gss_principal_realm("a\\@b@R"), "R");
	assert_null(iwa_gss_principal_realm("a\\@b"));
	assert_null(iwa_gss_principal_realm("noat"));
	assert_null(iwa_gss_principal_realm("a@"));
	assert_int_equal(iwa_gss_service_principal("HTTP/sso.camtest.test", "CAMTEST.TEST", buf,
						   sizeof(buf), &err),
			 0);
	assert_string_equal(buf, "HTTP/sso.camtest.test@CAMTEST.TEST");
	assert_int_equal(iwa_gss_service_principal("HTTP/sso@OTHER.TEST", "CAMTEST.TEST", buf,
						   sizeof(buf), &err),
			 0);
	assert_string_equal(buf, "HTTP/sso@OTHER.TEST");
	assert_int_equal(iwa_gss_service_principal("HTTP/sso", "", buf, sizeof(buf), &err),
			 IWA_EINVAL);
	assert_int_equal(iwa_gss_service_principal("sso", "R", buf, sizeof(buf), &err), IWA_EINVAL);
	assert_int_equal(iwa_gss_service_principal("/sso", "R", buf, sizeof(buf), &err),
			 IWA_EINVAL);
	assert_int_equal(iwa_gss_service_principal("HTTP/x@", "R", buf, sizeof(buf), &err),
			 IWA_EINVAL);
	/* an empty host part is no SPN (it used to pass --spn validation) */
	assert_int_equal(iwa_gss_service_principal("HTTP/", "R", buf, sizeof(buf), &err),
			 IWA_EINVAL);
	assert_int_equal(iwa_gss_service_principal("HTTP/@R", "R", buf, sizeof(buf), &err),
			 IWA_EINVAL);
	assert_int_equal(iwa_gss_service_principal("HTTP//x", "R", buf, sizeof(buf), &err),
			 IWA_EINVAL);
	assert_int_equal(iwa_gss_service_principal(NULL, "R", buf, sizeof(buf), &err), IWA_EINVAL);
	assert_int_equal(
		iwa_gss_service_principal("HTTP/sso.camtest.test", "CAMTEST.TEST", buf, 20, &err),
		IWA_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_scheme),
		cmocka_unit_test(test_token68),
		cmocka_unit_test(test_two_schemes),
		cmocka_unit_test(test_params_quoted_comma),
		cmocka_unit_test(test_rfc7235_example),
		cmocka_unit_test(test_mixed_list),
		cmocka_unit_test(test_empty_elements),
		cmocka_unit_test(test_param_not_token68),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_many_params_counted),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_resp_401_negotiate_ntlm),
		cmocka_unit_test(test_resp_final_token_and_backend),
		cmocka_unit_test(test_resp_http2_and_bad_status),
		cmocka_unit_test(test_resp_malformed_www_auth),
		cmocka_unit_test(test_resp_fixture),
		cmocka_unit_test(test_base64_vectors),
		cmocka_unit_test(test_base64_binary_roundtrip),
		cmocka_unit_test(test_base64_unpadded_and_bad),
		cmocka_unit_test(test_connect_to),
		cmocka_unit_test(test_principal_names),
	};
	return cmocka_run_group_tests_name("http_parse", tests, NULL, NULL);
}
