/* test_dns.c — common/dns.c's pure answer reader on DNS messages built here byte by byte: a
 * plain A record, a CNAME chain (two hops, case and trailing dots ignored), NXDOMAIN, NODATA,
 * SERVFAIL, a CNAME loop, truncated messages, and the chain's text. (iwa_dns_resolve reads
 * resolv.conf: the lab's integration test covers it, a hung nameserver included.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns.h"

struct msg {
	unsigned char b[2048];
	size_t n;
};

static void put16(struct msg *m, unsigned v)
{
	m->b[m->n++] = (unsigned char)(v >> 8);
	m->b[m->n++] = (unsigned char)v;
}

static void put_name(struct msg *m, const char *name)
{
	const char *p = name;

	while (*p != '\0') {
		size_t l = strcspn(p, ".");

		m->b[m->n++] = (unsigned char)l;
		memcpy(m->b + m->n, p, l);
		m->n += l;
		p += l;
		if (*p == '.')
			p++;
	}
	m->b[m->n++] = 0;
}

/* header with rcode and ancount, question qname IN A */
static void start(struct msg *m, unsigned rcode, unsigned ancount, const char *qname)
{
	memset(m, 0, sizeof *m);
	put16(m, 0x1234);
	put16(m, 0x8180 | rcode);
	put16(m, 1);
	put16(m, ancount);
	put16(m, 0);
	put16(m, 0);
	put_name(m, qname);
	put16(m, 1);
	put16(m, 1);
}

static void add_cname(struct msg *m, const char *owner, const char *target)
{
	size_t at;

	put_name(m, owner);
	put16(m, 5);
	put16(m, 1);
	put16(m, 0);
	put16(m, 300);
	at = m->n;
	put16(m, 0);
	put_name(m, target);
	m->b[at] = (unsigned char)((m->n - at - 2) >> 8);
	m->b[at + 1] = (unsigned char)(m->n - at - 2);
}

static void add_a(struct msg *m, const char *owner, unsigned a, unsigned b, unsigned c, unsigned d)
{
	put_name(m, owner);
	put16(m, 1);
	put16(m, 1);
	put16(m, 0);
	put16(m, 300);
	put16(m, 4);
	m->b[m->n++] = (unsigned char)a;
	m->b[m->n++] = (unsigned char)b;
	m->b[m->n++] = (unsigned char)c;
	m->b[m->n++] = (unsigned char)d;
}

static void plain_a(void **state)
{
	struct msg m;
	struct iwa_dns_chain c;
	struct iwa_err err = {0, ""};
	char t[512];

	(void)state;
	start(&m, 0, 1, "sso.camtest.test");
	add_a(&m, "sso.camtest.test", 127, 0, 20, 10);
	assert_int_equal(iwa_dns_parse_chain(m.b, m.n, "sso.camtest.test", &c, &err), 0);
	assert_true(c.exists);
	assert_false(iwa_dns_is_alias(&c));
	assert_string_equal(iwa_dns_canonical(&c), "sso.camtest.test");
	assert_int_equal(c.naddr, 1);
	iwa_dns_chain_text(&c, t, sizeof t);
	assert_string_equal(t, "sso.camtest.test A 127.0.20.10");
}

static void chain_two_hops(void **state)
{
	struct msg m;
	struct iwa_dns_chain c;
	struct iwa_err err = {0, ""};
	char t[512];

	(void)state;
	start(&m, 0, 3, "www.camtest.test");
	/* records out of order and in other case: the chain is followed by owner names */
	add_a(&m, "LB-VIP.camtest.test", 127, 0, 20, 10);
	add_cname(&m, "Www.Camtest.Test", "sso.camtest.test");
	add_cname(&m, "sso.camtest.test", "lb-vip.camtest.test");
	assert_int_equal(iwa_dns_parse_chain(m.b, m.n, "www.camtest.test.", &c, &err), 0);
	assert_true(iwa_dns_is_alias(&c));
	assert_int_equal(c.n, 3);
	assert_string_equal(c.name[0], "www.camtest.test");
	assert_string_equal(iwa_dns_canonical(&c), "lb-vip.camtest.test");
	iwa_dns_chain_text(&c, t, sizeof t);
	assert_string_equal(
		t,
		"www.camtest.test CNAME sso.camtest.test CNAME lb-vip.camtest.test A 127.0.20.10");
}

static void nxdomain_nodata_servfail(void **state)
{
	struct msg m;
	struct iwa_dns_chain c;
	struct iwa_err err = {0, ""};
	char t[512];

	(void)state;
	start(&m, 3, 0, "nope.camtest.test");
	assert_int_equal(iwa_dns_parse_chain(m.b, m.n, "nope.camtest.test", &c, &err), 0);
	assert_false(c.exists);
	assert_false(iwa_dns_is_alias(&c));
	iwa_dns_chain_text(&c, t, sizeof t);
	assert_string_equal(t, "nope.camtest.test has no DNS record (NXDOMAIN)");

	start(&m, 0, 0, "sso.camtest.test");
	assert_int_equal(iwa_dns_parse_chain(m.b, m.n, "sso.camtest.test", &c, &err), 0);
	assert_false(c.exists);

	start(&m, 2, 0, "sso.camtest.test");
	assert_int_equal(iwa_dns_parse_chain(m.b, m.n, "sso.camtest.test", &c, &err), IWA_EIO);
	assert_non_null(strstr(err.msg, "DNS: the server answered SERVFAIL for sso.camtest.test"));

	/* a CNAME whose target has no address (NODATA at the end of the chain): still an alias */
	start(&m, 0, 1, "sso.camtest.test");
	add_cname(&m, "sso.camtest.test", "gone.camtest.test");
	assert_int_equal(iwa_dns_parse_chain(m.b, m.n, "sso.camtest.test", &c, &err), 0);
	assert_true(iwa_dns_is_alias(&c));
	iwa_dns_chain_text(&c, t, sizeof t);
	assert_string_equal(t, "sso.camtest.test CNAME gone.camtest.test (no A/AAAA record)");
}

static void loop_and_garbage(void **state)
{
	struct msg m;
	struct iwa_dns_chain c;
	struct iwa_err err = {0, ""};
	size_t cut;

	(void)state;
	start(&m, 0, 2, "a.camtest.test");
	add_cname(&m, "a.camtest.test", "b.camtest.test");
	add_cname(&m, "b.camtest.test", "a.camtest.test");
	assert_int_equal(iwa_dns_parse_chain(m.b, m.n, "a.camtest.test", &c, &err), IWA_EPARSE);
	assert_non_null(strstr(err.msg, "longer than 8 names"));

	start(&m, 0, 2, "www.camtest.test");
	add_cname(&m, "www.camtest.test", "lb-vip.camtest.test");
	add_a(&m, "lb-vip.camtest.test", 127, 0, 20, 10);
	for (cut = 0; cut < m.n; cut++) /* every truncation is refused or read, never overrun */
		(void)iwa_dns_parse_chain(m.b, cut, "www.camtest.test", &c, &err);
	assert_int_equal(iwa_dns_parse_chain(m.b, 5, "www.camtest.test", &c, &err), IWA_EPARSE);
	assert_non_null(strstr(err.msg, "DNS: malformed answer"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_a),
		cmocka_unit_test(chain_two_hops),
		cmocka_unit_test(nxdomain_nodata_servfail),
		cmocka_unit_test(loop_and_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
