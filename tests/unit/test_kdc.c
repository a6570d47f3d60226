/* test_kdc.c — common/kdc.c without a real KDC: the kdc entry syntax (MIT's host, host:port,
 * [v6]:port, /path, https://, and tcp/ udp/), the TCP length framing, the seconds and timeout
 * texts; then iwa_kdc_send against local sockets made by the test (127.0.0.1 only): a TCP
 * "KDC" that answers with a framed reply, one that accepts and never answers (cut off at the
 * deadline, named), and closed ports (unreachable, each reason given). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <krb5.h>

#include "budget.h"
#include "kdc.h"

static void parse_ok(const char *spec, enum iwa_kdc_transport t, const char *host, unsigned port)
{
	struct iwa_kdc_addr a;
	struct iwa_err err = {0, ""};

	assert_int_equal(iwa_kdc_parse(spec, 88, &a, &err), 0);
	assert_int_equal(a.transport, t);
	assert_string_equal(a.host, host);
	assert_int_equal(a.port, port);
}

static void parse_bad(const char *spec)
{
	struct iwa_kdc_addr a;
	struct iwa_err err = {0, ""};

	assert_int_equal(iwa_kdc_parse(spec, 88, &a, &err), IWA_EINVAL);
	assert_non_null(strstr(err.msg, "kdc entry"));
}

static void test_parse(void **state)
{
	(void)state;
	parse_ok("kdc.example.com", IWA_KDC_ANY, "kdc.example.com", 88);
	parse_ok("kdc.example.com:750", IWA_KDC_ANY, "kdc.example.com", 750);
	parse_ok("127.0.20.1", IWA_KDC_ANY, "127.0.20.1", 88);
	parse_ok("  127.0.20.1:3270  ", IWA_KDC_ANY, "127.0.20.1", 3270);
	parse_ok("[2001:db8::1]", IWA_KDC_ANY, "2001:db8::1", 88);
	parse_ok("[2001:db8::1]:8888", IWA_KDC_ANY, "2001:db8::1", 8888);
	parse_ok("tcp/kdc.example.com", IWA_KDC_TCP, "kdc.example.com", 88);
	parse_ok("TCP/[::1]:89", IWA_KDC_TCP, "::1", 89);
	parse_ok("udp/10.0.0.1:1088", IWA_KDC_UDP, "10.0.0.1", 1088);
	parse_ok("/var/run/krb5kdc/sock", IWA_KDC_UNIX, "/var/run/krb5kdc/sock", 0);
	parse_ok("https://kdcproxy.example.com/KdcProxy", IWA_KDC_HTTPS, "kdcproxy.example.com",
		 443);
	parse_ok("https://kdcproxy.example.com:8443/KdcProxy", IWA_KDC_HTTPS,
		 "kdcproxy.example.com", 8443);
	/* as MIT: a host ends at blank or ':' (what follows a blank is ignored) */
	parse_ok("kdc.example.com 99", IWA_KDC_ANY, "kdc.example.com", 88);
	parse_bad("");
	parse_bad(":88");
	parse_bad("kdc:");
	parse_bad("kdc:0");
	parse_bad("kdc:65536");
	parse_bad("kdc:88x");
	parse_bad("[::1");
	parse_bad("[::1]x");
	parse_bad("tcp/");
	parse_bad("udp/:88");
}

static void test_addr_text(void **state)
{
	struct iwa_kdc_addr a;
	struct iwa_err err = {0, ""};
	char buf[300];

	(void)state;
	assert_int_equal(iwa_kdc_parse("tcp/127.0.20.1", 88, &a, &err), 0);
	iwa_kdc_addr_text(&a, buf, sizeof buf);
	assert_string_equal(buf, "127.0.20.1:88");
	assert_int_equal(iwa_kdc_parse("[2001:db8::1]:89", 88, &a, &err), 0);
	iwa_kdc_addr_text(&a, buf, sizeof buf);
	assert_string_equal(buf, "[2001:db8::1]:89");
	assert_int_equal(iwa_kdc_parse("/run/kdc.sock", 88, &a, &err), 0);
	iwa_kdc_addr_text(&a, buf, sizeof buf);
	assert_string_equal(buf, "/run/kdc.sock");
}

static void test_tcp_framing(void **state)
{
	uint8_t hdr[4], buf[16] = {0};
	size_t n = 99;

	(void)state;
	iwa_kdc_tcp_header(0x01020304u, hdr);
	assert_memory_equal(hdr, "\x01\x02\x03\x04", 4);
	iwa_kdc_tcp_header(5, buf);
	memcpy(buf + 4, "hello", 5);
	/* partial header, partial message, whole message (extra bytes ignored) */
	assert_int_equal(iwa_kdc_tcp_reply(buf, 3, 100, &n), 0);
	assert_int_equal(iwa_kdc_tcp_reply(buf, 8, 100, &n), 0);
	assert_int_equal(iwa_kdc_tcp_reply(buf, 9, 100, &n), 1);
	assert_int_equal(n, 5);
	assert_int_equal(iwa_kdc_tcp_reply(buf, 12, 100, &n), 1);
	/* over the cap, and the reserved high bit (RFC 5021) */
	assert_int_equal(iwa_kdc_tcp_reply(buf, 9, 4, &n), IWA_EPARSE);
	iwa_kdc_tcp_header(0x80000005u, buf);
	assert_int_equal(iwa_kdc_tcp_reply(buf, 9, 100, &n), IWA_EPARSE);
	/* an empty message is a whole message */
	iwa_kdc_tcp_header(0, buf);
	assert_int_equal(iwa_kdc_tcp_reply(buf, 4, 100, &n), 1);
	assert_int_equal(n, 0);
}

static void test_seconds_text(void **state)
{
	char b[32];

	(void)state;
	iwa_kdc_seconds_text(3.0, b, sizeof b);
	assert_string_equal(b, "3");
	iwa_kdc_seconds_text(2.96, b, sizeof b);
	assert_string_equal(b, "3");
	iwa_kdc_seconds_text(2.5, b, sizeof b);
	assert_string_equal(b, "2.5");
	iwa_kdc_seconds_text(1.94, b, sizeof b);
	assert_string_equal(b, "1.9");
	iwa_kdc_seconds_text(0.04, b, sizeof b);
	assert_string_equal(b, "0");
	iwa_kdc_seconds_text(-1.0, b, sizeof b);
	assert_string_equal(b, "0");
}

static void test_timeout_text(void **state)
{
	const char *one[] = {"127.0.20.1:88"};
	const char *two[] = {"a:88", "[::1]:88"};
	const char *six[] = {"a:88", "b:88", "c:88", "d:88", "e:88", "f:88"};
	char b[512];

	(void)state;
	iwa_kdc_timeout_text(one, 1, 3.0, "getting a ticket for monitor@CAMTEST.TEST", b, sizeof b);
	assert_string_equal(b, "the KDC (127.0.20.1:88) did not answer within 3 s while getting a "
			       "ticket for monitor@CAMTEST.TEST");
	iwa_kdc_timeout_text(two, 2, 2.45, "getting a service ticket for HTTP/sso@R", b, sizeof b);
	assert_string_equal(b, "the KDCs (a:88, [::1]:88) did not answer within 2.5 s while "
			       "getting a service ticket for HTTP/sso@R");
	iwa_kdc_timeout_text(six, 6, 1.0, "x", b, sizeof b);
	assert_string_equal(b, "the KDCs (a:88, b:88, c:88, d:88 and 2 more) did not answer "
			       "within 1 s while x");
	/* truncated to the buffer, still a string */
	iwa_kdc_timeout_text(one, 1, 3.0, "x", b, 12);
	assert_int_equal(strlen(b), 11);
}

/* ---- iwa_kdc_send against local sockets ---- */

static char dir[512], conf[600];

/* A listening TCP socket on 127.0.0.1 (port chosen by the kernel). */
static int listener(unsigned *port)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* A port with nothing listening (TCP and UDP refused). */
static unsigned closed_port(void)
{
	unsigned p;
	int fd = listener(&p);
	close(fd);
	return p;
}

/* Writes krb5.conf with the realm's kdc entries and points KRB5_CONFIG at it. */
static void write_conf(const char *kdcs)
{
	FILE *f = fopen(conf, "w");

	assert_non_null(f);
	fprintf(f,
		"[libdefaults]\n default_realm = TEST.REALM\n dns_lookup_kdc = false\n"
		" udp_preference_limit = 1\n[realms]\n TEST.REALM = {\n%s }\n",
		kdcs);
	fclose(f);
	setenv("KRB5_CONFIG", conf, 1);
}

static int send_one(const char *msg, double seconds, krb5_data *reply, struct iwa_err *err)
{
	krb5_context ctx = NULL;
	krb5_data realm = {KV5M_DATA, 10, (char *)"TEST.REALM"};
	krb5_data m = {KV5M_DATA, (unsigned)strlen(msg), (char *)msg};
	int rc;

	assert_int_equal(krb5_init_context(&ctx), 0);
	rc = iwa_kdc_send(ctx, &realm, &m, false, iwa_now() + seconds, "getting a ticket for t@R",
			  reply, err);
	krb5_free_context(ctx);
	return rc;
}

static void test_send_tcp_reply(void **state)
{
	unsigned port;
	int lfd = listener(&port);
	char kdcs[128];
	krb5_data reply = {KV5M_DATA, 0, NULL};
	struct iwa_err err = {0, ""};
	pid_t pid;
	int st;

	(void)state;
	snprintf(kdcs, sizeof kdcs, "  kdc = 127.0.0.1:%u\n", port);
	write_conf(kdcs);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* the "KDC": reads one framed request, answers "pong:" + the request */
		uint8_t buf[256];
		size_t have = 0, n = 0;
		int c = accept(lfd, NULL, NULL);
		while (c >= 0 && iwa_kdc_tcp_reply(buf, have, 200, &n) == 0) {
			ssize_t r = read(c, buf + have, sizeof buf - have);
			if (r <= 0)
				_exit(1);
			have += (size_t)r;
		}
		uint8_t out[300];
		iwa_kdc_tcp_header(5 + n, out);
		memcpy(out + 4, "pong:", 5);
		memcpy(out + 9, buf + 4, n);
		(void)!write(c, out, 9 + n);
		_exit(0);
	}
	close(lfd);
	assert_int_equal(send_one("ping", 5.0, &reply, &err), 0);
	assert_int_equal(reply.length, 9);
	assert_memory_equal(reply.data, "pong:ping", 9);
	free(reply.data);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_send_silent_kdc_times_out(void **state)
{
	unsigned port, dead = closed_port();
	int lfd = listener(&port); /* the kernel accepts; nobody ever answers */
	char kdcs[160];
	krb5_data reply = {KV5M_DATA, 0, NULL};
	struct iwa_err err = {0, ""};
	double t0 = iwa_now(), took;
	char want[128];

	(void)state;
	snprintf(kdcs, sizeof kdcs, "  kdc = 127.0.0.1:%u\n  kdc = tcp/127.0.0.1:%u\n", port, dead);
	write_conf(kdcs);
	assert_int_equal(send_one("ping", 0.6, &reply, &err), IWA_ETIMEOUT);
	took = iwa_now() - t0;
	assert_true(took >= 0.55 && took < 1.0);
	assert_null(reply.data);
	/* the silent one is named; the refused one is not (it did answer, with a refusal) */
	snprintf(want, sizeof want, "the KDC (127.0.0.1:%u) did not answer within ", port);
	assert_non_null(strstr(err.msg, want));
	assert_non_null(strstr(err.msg, " s while getting a ticket for t@R"));
	close(lfd);
}

static void test_send_unreachable(void **state)
{
	unsigned a = closed_port(), b = closed_port();
	char kdcs[160], want[64];
	krb5_data reply = {KV5M_DATA, 0, NULL};
	struct iwa_err err = {0, ""};
	double t0 = iwa_now();

	(void)state;
	snprintf(kdcs, sizeof kdcs, "  kdc = 127.0.0.1:%u\n  kdc = udp/127.0.0.1:%u\n", a, b);
	write_conf(kdcs);
	assert_int_equal(send_one("ping", 5.0, &reply, &err), IWA_EIO);
	assert_true(iwa_now() - t0 < 1.0); /* refusals end it at once, no waiting */
	assert_non_null(strstr(err.msg, "cannot reach any KDC of TEST.REALM while getting a "
					"ticket for t@R ("));
	snprintf(want, sizeof want, "127.0.0.1:%u: connection refused", a);
	assert_non_null(strstr(err.msg, want));
	snprintf(want, sizeof want, "127.0.0.1:%u: connection refused (UDP)", b);
	assert_non_null(strstr(err.msg, want));
}

static void test_send_no_kdc_known(void **state)
{
	krb5_data reply = {KV5M_DATA, 0, NULL};
	struct iwa_err err = {0, ""};

	(void)state;
	write_conf("");
	assert_int_equal(send_one("ping", 1.0, &reply, &err), IWA_EIO);
	assert_non_null(strstr(err.msg, "no KDC is known for realm TEST.REALM"));
	write_conf("  kdc = https://proxy.example/KdcProxy\n");
	assert_int_equal(send_one("ping", 1.0, &reply, &err), IWA_EIO);
	assert_non_null(strstr(err.msg, "MS-KKDCP"));
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "./test_kdc.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(conf, sizeof conf, "%s/krb5.conf", dir);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(conf);
	rmdir(dir);
	return 0;
}

/* ---- Kerberos messages read by the RC4 probes ---- */

/* KDC_ERR_PREAUTH_REQUIRED with METHOD-DATA { PA-ENC-TIMESTAMP, PA-ETYPE-INFO2 { aes256 with
 * salt, rc4 } } (RFC 4120 encoding, built by hand). */
static const uint8_t preauth_required[] = {
	0x7e, 0x54, 0x30, 0x52, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x1e, 0xa6,
	0x03, 0x02, 0x01, 0x19, 0xac, 0x41, 0x04, 0x3f, 0x30, 0x3d, 0x30, 0x09, 0xa1, 0x03, 0x02,
	0x01, 0x02, 0xa2, 0x02, 0x04, 0x00, 0x30, 0x30, 0xa1, 0x03, 0x02, 0x01, 0x13, 0xa2, 0x29,
	0x04, 0x27, 0x30, 0x25, 0x30, 0x1c, 0xa0, 0x03, 0x02, 0x01, 0x12, 0xa1, 0x15, 0x1b, 0x13,
	0x43, 0x41, 0x4d, 0x54, 0x45, 0x53, 0x54, 0x2e, 0x54, 0x45, 0x53, 0x54, 0x63, 0x61, 0x6d,
	0x2d, 0x73, 0x76, 0x63, 0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x17};

static void test_krb_error_etype_info2(void **state)
{
	struct iwa_krb_error ke;
	int32_t et[8];
	size_t n = 99;

	(void)state;
	assert_int_equal(iwa_krb_error_parse(preauth_required, sizeof preauth_required, &ke), 0);
	assert_int_equal(ke.code, IWA_KRB_ERR_PREAUTH_REQUIRED);
	assert_non_null(ke.edata);
	assert_int_equal(iwa_krb_etype_info(ke.edata, ke.edata_len, et, 8, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(et[0], 18);
	assert_int_equal(et[1], 23);
	/* at most max kept */
	assert_int_equal(iwa_krb_etype_info(ke.edata, ke.edata_len, et, 1, &n), 0);
	assert_int_equal(n, 1);
	/* every truncation is a parse error or a shorter valid message, never a read outside */
	for (size_t len = 0; len < sizeof preauth_required; len++)
		assert_int_not_equal(iwa_krb_error_parse(preauth_required, len, &ke), 0);
	assert_true(iwa_krb_etype_aes(17) && iwa_krb_etype_aes(18) && !iwa_krb_etype_aes(23));
	assert_true(iwa_krb_etype_rc4(23) && !iwa_krb_etype_rc4(18));
}

static size_t unb64(const char *s, uint8_t *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;

	for (; *s != '\0' && *s != '='; s++) {
		acc = (acc << 6) | (uint32_t)(strchr(a, *s) - a);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return n;
}

static void test_token_error(void **state)
{
	/* server2's 401 token in the lab's backend-keytab-rc4 scenario (mod_auth_gssapi, MIT
	 * acceptor): SPNEGO reject with a KRB-ERROR, error-code 44 (KRB_AP_ERR_BADKEYVER) */
	const char *b64 = "oXwweqADCgEConMEcWBvBgkqhkiG9xIBAgIDAH5gMF6gAwIBBaEDAgEepBEYDzIwMjYxMjAy"
			  "MDI0MTU0WqUFAgME/z2mAwIBLKkOGwxDQU1URVNULlRFU1SqIzAhoAMCAQGhGjAYGwRIVFRQ"
			  "GxBzc28uY2FtdGVzdC50ZXN0";
	uint8_t tok[256];
	size_t n = unb64(b64, tok);
	int32_t code = 0;

	(void)state;
	assert_int_equal(iwa_krb_token_error(tok, n, &code), 0);
	assert_int_equal(code, IWA_KRB_AP_ERR_BADKEYVER);
	/* the bare krb5 token (offset of the responseToken's content) works too */
	assert_int_equal(iwa_krb_token_error(tok + 13, n - 13, &code), 0);
	assert_int_equal(code, 44);
	for (size_t len = 0; len < n; len++)
		assert_int_not_equal(iwa_krb_token_error(tok, len, &code), 0);
	/* an AP-REP token (TOK_ID 02 00) carries no error */
	tok[13 + 2 + 11] = 0x02;
	assert_int_equal(iwa_krb_token_error(tok + 13, n - 13, &code), IWA_ENOTFOUND);
}

static void test_etype_name(void **state)
{
	char b[64];

	(void)state;
	iwa_krb_etype_name(18, b, sizeof b);
	assert_string_equal(b, "aes256-cts-hmac-sha1-96");
	iwa_krb_etype_name(23, b, sizeof b);
	assert_string_equal(b, "arcfour-hmac");
	iwa_krb_etype_name(99, b, sizeof b);
	assert_string_equal(b, "etype 99");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_addr_text),
		cmocka_unit_test(test_tcp_framing),
		cmocka_unit_test(test_seconds_text),
		cmocka_unit_test(test_timeout_text),
		cmocka_unit_test(test_send_tcp_reply),
		cmocka_unit_test(test_send_silent_kdc_times_out),
		cmocka_unit_test(test_send_unreachable),
		cmocka_unit_test(test_send_no_kdc_known),
		cmocka_unit_test(test_krb_error_etype_info2),
		cmocka_unit_test(test_token_error),
		cmocka_unit_test(test_etype_name),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
