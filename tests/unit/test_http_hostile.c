/* test_http_hostile.c — the caps and classifications of common/http.c that stand between
 * the check and a hostile or broken web server (no network): the header cap, the end of a
 * header section, Location, an oversized or unparsable Negotiate token, the outer shape of a
 * server's token (not base64 / not SPNEGO), the phase a transfer stopped in, and one TLS
 * cause from libcurl's code, OpenSSL's verify result and libcurl's error text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "http.h"

static bool feed_line(struct iwa_http_resp *r, const char *line)
{
	return iwa_http_resp_header(r, line, strlen(line));
}

static void test_headers_done(void **state)
{
	struct iwa_http_resp r;
	(void)state;
	iwa_http_resp_init(&r, 0);
	assert_true(feed_line(&r, "HTTP/1.1 100 Continue\r\n"));
	assert_true(feed_line(&r, "\r\n"));
	assert_false(r.headers_done); /* an interim response's end */
	assert_true(feed_line(&r, "HTTP/1.1 401 Unauthorized\r\n"));
	assert_true(feed_line(&r, "WWW-Authenticate: Negotiate\r\n"));
	assert_false(r.headers_done);
	assert_int_equal(iwa_http_resp_phase(&r, true), IWA_HTTP_PHASE_WAIT);
	assert_true(feed_line(&r, "\r\n"));
	assert_true(r.headers_done);
	assert_int_equal(iwa_http_resp_phase(&r, true), IWA_HTTP_PHASE_BODY);
	assert_int_equal(r.header_bytes, 23 + 2 + 27 + 29 + 2);
	assert_int_equal(r.cap, IWA_HTTP_CAP_NONE);
	iwa_http_resp_free(&r);
}

/* Header bytes of a transfer are capped at IWA_HTTP_HEADERS_MAX, many small lines or one
 * long one; past the cap every line is refused. */
static void test_header_cap(void **state)
{
	struct iwa_http_resp r;
	char line[80];
	size_t lines = 0;
	(void)state;
	iwa_http_resp_init(&r, 0);
	assert_true(feed_line(&r, "HTTP/1.1 401 Unauthorized\r\n"));
	for (;;) {
		snprintf(line, sizeof(line), "X-Junk-%06zu: %050d\r\n", lines, 0);
		if (!feed_line(&r, line))
			break;
		lines++;
		assert_true(lines < 10000);
	}
	assert_int_equal(r.cap, IWA_HTTP_CAP_HEADERS);
	assert_true(r.header_bytes > IWA_HTTP_HEADERS_MAX);
	assert_true(r.header_bytes - strlen(line) <= IWA_HTTP_HEADERS_MAX);
	assert_false(feed_line(&r, "\r\n"));
	assert_false(r.headers_done);
	iwa_http_resp_free(&r);

	/* one line longer than the cap */
	size_t big = IWA_HTTP_HEADERS_MAX + 10;
	char *b = malloc(big);
	assert_non_null(b);
	memset(b, 'a', big);
	memcpy(b, "X-Junk: ", 8);
	iwa_http_resp_init(&r, 0);
	assert_true(feed_line(&r, "HTTP/1.1 200 OK\r\n"));
	assert_false(iwa_http_resp_header(&r, b, big));
	assert_int_equal(r.cap, IWA_HTTP_CAP_HEADERS);
	iwa_http_resp_free(&r);
	/* exactly at the cap: accepted */
	iwa_http_resp_init(&r, 0);
	assert_true(iwa_http_resp_header(&r, b, IWA_HTTP_HEADERS_MAX));
	assert_false(iwa_http_resp_header(&r, "\r\n", 2));
	iwa_http_resp_free(&r);
	free(b);
}

static void test_location(void **state)
{
	struct iwa_http_resp r;
	(void)state;
	iwa_http_resp_init(&r, 0);
	feed_line(&r, "HTTP/1.1 302 Found\r\n");
	feed_line(&r, "Location:  http://sso.camtest.test/loop\x01x \r\n");
	assert_string_equal(r.location, "http://sso.camtest.test/loop?x");
	/* a new status line forgets it */
	feed_line(&r, "HTTP/1.1 401 Unauthorized\r\n");
	assert_string_equal(r.location, "");
	/* a long one is cut, and says so */
	char line[600];
	memset(line, 'z', sizeof(line));
	memcpy(line, "location: ", 10);
	line[sizeof(line) - 1] = '\0';
	feed_line(&r, line);
	assert_int_equal(strlen(r.location), sizeof(r.location) - 1);
	assert_string_equal(r.location + sizeof(r.location) - 4, "...");
	iwa_http_resp_free(&r);
}

static void test_token_too_long(void **state)
{
	struct iwa_http_resp r;
	size_t tl = IWA_HTTP_TOKEN_MAX + 4;
	size_t ll = tl + 40;
	char *line = malloc(ll);
	(void)state;
	assert_non_null(line);
	int n = snprintf(line, ll, "WWW-Authenticate: Negotiate ");
	memset(line + n, 'Q', tl);
	line[n + tl] = '\0';
	iwa_http_resp_init(&r, 0);
	feed_line(&r, "HTTP/1.1 200 OK\r\n");
	assert_true(feed_line(&r, line));
	assert_true(r.negotiate_offered);
	assert_null(r.negotiate_token);
	assert_true(r.negotiate_token_too_long);
	assert_int_equal(r.negotiate_token_len, tl);
	iwa_http_resp_free(&r);
	/* at the cap: kept */
	line[n + IWA_HTTP_TOKEN_MAX] = '\0';
	iwa_http_resp_init(&r, 0);
	feed_line(&r, "HTTP/1.1 200 OK\r\n");
	feed_line(&r, line);
	assert_non_null(r.negotiate_token);
	assert_int_equal(strlen(r.negotiate_token), IWA_HTTP_TOKEN_MAX);
	assert_false(r.negotiate_token_too_long);
	iwa_http_resp_free(&r);
	free(line);
}

static void test_www_auth_error_kept(void **state)
{
	struct iwa_http_resp r;
	(void)state;
	iwa_http_resp_init(&r, 0);
	feed_line(&r, "HTTP/1.1 200 OK\r\n");
	feed_line(&r, "WWW-Authenticate: Negotiate \"unterminated\r\n");
	feed_line(&r, "WWW-Authenticate: Negotiate a b\r\n");
	assert_true(r.www_auth_malformed);
	assert_true(r.negotiate_offered);
	assert_null(r.negotiate_token);
	/* the first malformed value's reason */
	assert_string_equal(r.www_auth_error, "expected token68 or auth-param at offset 10");
	iwa_http_resp_free(&r);
}

static void test_phase(void **state)
{
	struct iwa_http_resp r;
	(void)state;
	iwa_http_resp_init(&r, 0);
	assert_int_equal(iwa_http_resp_phase(&r, true), IWA_HTTP_PHASE_CONNECT);
	assert_int_equal(iwa_http_resp_phase(&r, false), IWA_HTTP_PHASE_CONNECT);
	r.tcp_connected = true;
	assert_int_equal(iwa_http_resp_phase(&r, true), IWA_HTTP_PHASE_TLS);
	assert_int_equal(iwa_http_resp_phase(&r, false), IWA_HTTP_PHASE_WAIT);
	r.tls_done = true;
	assert_int_equal(iwa_http_resp_phase(&r, true), IWA_HTTP_PHASE_WAIT);
	feed_line(&r, "HTTP/1.1 200 OK\r\n");
	assert_int_equal(iwa_http_resp_phase(&r, true), IWA_HTTP_PHASE_WAIT);
	feed_line(&r, "\r\n");
	assert_int_equal(iwa_http_resp_phase(&r, true), IWA_HTTP_PHASE_BODY);
	iwa_http_resp_free(&r);
}

static int decode(const char *b64, struct iwa_err *err)
{
	void *d = NULL;
	size_t dl = 99;
	int rc = iwa_negotiate_token_decode(b64, strlen(b64), &d, &dl, err);
	if (rc == 0) {
		assert_non_null(d);
		assert_true(dl > 0);
	}
	free(d);
	return rc;
}

static void test_negotiate_token_shape(void **state)
{
	struct iwa_err err;
	(void)state;
	/* a1 07 30 05 a0 03 0a 01 00: NegTokenResp, accept-completed */
	assert_int_equal(decode("oQcwBaADCgEA", &err), 0);
	/* a GSS-API InitialContextToken: 60 03 06 01 00 */
	assert_int_equal(decode("YAMGAQA=", &err), 0);
	/* long-form length: a1 81 80 + 128 bytes */
	unsigned char big[131];
	memset(big, 0, sizeof(big));
	big[0] = 0xa1;
	big[1] = 0x81;
	big[2] = 0x80;
	char *b64 = NULL;
	assert_int_equal(iwa_base64_encode(big, sizeof(big), &b64), 0);
	assert_int_equal(decode(b64, &err), 0);
	free(b64);
	/* not base64 */
	assert_int_equal(decode("abc-def_ghi.jkl~", &err), IWA_EPARSE);
	assert_string_equal(err.msg, "not base64 (bad character at offset 3)");
	assert_int_equal(decode("A", &err), IWA_EPARSE);
	assert_non_null(strstr(err.msg, "not base64"));
	/* base64 of "foobar" */
	assert_int_equal(decode("Zm9vYmFy", &err), IWA_EPARSE);
	assert_string_equal(err.msg, "not a SPNEGO token (it starts with 0x66, not 0xa1 "
				     "NegTokenResp or 0x60 GSS-API token)");
	/* right tag, wrong length: a1 09 30 05 ... (9 announced, 7 present) */
	assert_int_equal(decode("oQkwBaADCgEA", &err), IWA_EPARSE);
	assert_non_null(strstr(err.msg, "not a SPNEGO token (its DER length"));
	/* a tag alone, an indefinite length, a length of 5 octets */
	assert_int_equal(decode("oQ==", &err), IWA_EPARSE);
	assert_int_equal(decode("oYA=", &err), IWA_EPARSE);
	assert_int_equal(decode("oYUAAAAAAA==", &err), IWA_EPARSE);
	/* empty */
	assert_int_equal(decode("", &err), IWA_EPARSE);
	assert_string_equal(err.msg, "not a SPNEGO token (empty)");
}

static void test_tls_classify(void **state)
{
	(void)state;
	/* host name mismatch: the chain verified (0), libcurl's own check failed */
	assert_int_equal(
		iwa_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 0,
				 "SSL: no alternative certificate subject name matches target "
				 "host name 'dc1.camtest.test'"),
		IWA_TLS_NAME_MISMATCH);
	assert_int_equal(iwa_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 0,
					  "SSL: certificate subject name 'a' does not match "
					  "target hostname 'b'"),
			 IWA_TLS_NAME_MISMATCH);
	assert_int_equal(iwa_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 62, ""),
			 IWA_TLS_NAME_MISMATCH);
	/* chain problems from OpenSSL's verify result */
	assert_int_equal(iwa_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 20,
					  "SSL certificate problem: unable to get local issuer "
					  "certificate"),
			 IWA_TLS_UNTRUSTED);
	assert_int_equal(iwa_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 18, NULL),
			 IWA_TLS_SELF_SIGNED);
	assert_int_equal(iwa_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 10, NULL),
			 IWA_TLS_EXPIRED);
	assert_int_equal(iwa_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 9, NULL),
			 IWA_TLS_NOT_YET_VALID);
	assert_int_equal(iwa_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 23, NULL),
			 IWA_TLS_REVOKED);
	/* a libcurl built with GnuTLS: its status mask as the OpenSSL code, and why in words */
	{
		const char *why = "x";
		assert_int_equal(iwa_tls_gnutls_status(0, &why), 0);
		assert_null(why);
		/* 0x42 = INVALID | SIGNER_NOT_FOUND, what the lab's server gave with another CA */
		long v = iwa_tls_gnutls_status(0x42, &why);
		assert_int_equal(v, 20);
		assert_string_equal(why, "its issuer is not a trusted CA");
		assert_int_equal(iwa_tls_classify(CURLE_PEER_FAILED_VERIFICATION, v,
						  "server certificate verification failed. CAfile: "
						  "/x.pem CRLfile: none"),
				 IWA_TLS_UNTRUSTED);
		/* expired (INVALID | EXPIRED), not yet valid, revoked */
		v = iwa_tls_gnutls_status(0x2 | 0x400, &why);
		assert_int_equal(iwa_tls_classify(CURLE_PEER_FAILED_VERIFICATION, v, ""),
				 IWA_TLS_EXPIRED);
		assert_string_equal(why, "it has expired");
		v = iwa_tls_gnutls_status(0x2 | 0x200, NULL);
		assert_int_equal(iwa_tls_classify(CURLE_PEER_FAILED_VERIFICATION, v, ""),
				 IWA_TLS_NOT_YET_VALID);
		v = iwa_tls_gnutls_status(0x2 | 0x20, NULL);
		assert_int_equal(iwa_tls_classify(CURLE_PEER_FAILED_VERIFICATION, v, ""),
				 IWA_TLS_REVOKED);
		/* the issuer missing wins over the leaf's dates */
		assert_int_equal(iwa_tls_gnutls_status(0x2 | 0x40 | 0x400, NULL), 20);
		/* a bit we do not name: unspecified, no words */
		assert_int_equal(iwa_tls_gnutls_status(0x2 | (1UL << 21), &why), 1);
		assert_null(why);
		assert_int_equal(iwa_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 1, "x"),
				 IWA_TLS_VERIFY_OTHER);
	}
	/* no verify result kept: the text decides */
	assert_int_equal(iwa_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 0,
					  "SSL certificate problem: certificate has expired"),
			 IWA_TLS_EXPIRED);
	assert_int_equal(iwa_tls_classify(CURLE_PEER_FAILED_VERIFICATION, 0, "something else"),
			 IWA_TLS_VERIFY_OTHER);
	/* our CA file; handshake failures; not TLS at all */
	assert_int_equal(iwa_tls_classify(CURLE_SSL_CACERT_BADFILE, 0, ""), IWA_TLS_CA_FILE);
	assert_int_equal(iwa_tls_classify(CURLE_SSL_CONNECT_ERROR, 0, ""), IWA_TLS_HANDSHAKE);
	assert_int_equal(iwa_tls_classify(CURLE_COULDNT_CONNECT, 0, ""), IWA_TLS_NONE);
	assert_int_equal(iwa_tls_classify(CURLE_OPERATION_TIMEDOUT, 20, ""), IWA_TLS_NONE);
	/* every cause has one summary and one fix */
	for (int p = IWA_TLS_NAME_MISMATCH; p <= IWA_TLS_HANDSHAKE; p++) {
		assert_non_null(iwa_tls_problem_summary((enum iwa_tls_problem)p));
		assert_non_null(iwa_tls_problem_fix((enum iwa_tls_problem)p));
	}
	assert_null(iwa_tls_problem_summary(IWA_TLS_NONE));
	assert_string_equal(iwa_tls_problem_summary(IWA_TLS_NAME_MISMATCH),
			    "TLS certificate name mismatch");
	assert_string_equal(iwa_tls_problem_summary(IWA_TLS_UNTRUSTED),
			    "TLS certificate not trusted");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers_done),
		cmocka_unit_test(test_header_cap),
		cmocka_unit_test(test_location),
		cmocka_unit_test(test_token_too_long),
		cmocka_unit_test(test_www_auth_error_kept),
		cmocka_unit_test(test_phase),
		cmocka_unit_test(test_negotiate_token_shape),
		cmocka_unit_test(test_tls_classify),
	};
	return cmocka_run_group_tests_name("http_hostile", tests, NULL, NULL);
}
