/* test_spn_alias.c — check_spn_unique's judgement when -f NAME is a DNS alias
 * (sso.camtest.test CNAME lb-vip.camtest.test): the SPNs judged (the registered name's first),
 * then the "DNS" node: both on one account OK; only the typed or only the canonical SPN
 * WARNING naming the browsers that fall back to NTLM and both fixes; the canonical SPN on
 * another account (or on several) CRITICAL with the setspn commands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check_spn_unique.h"

#define CAMSVC_DN "CN=cam-svc,OU=ServiceAccounts,DC=camtest,DC=test"
#define OTHER_DN "CN=lb-svc,OU=ServiceAccounts,DC=camtest,DC=test"

static const struct spn_alias alias = {"sso.camtest.test", "lb-vip.camtest.test",
				       "sso.camtest.test CNAME lb-vip.camtest.test A 127.0.20.10"};

static struct spn_owner mk(const char *dn, const char *sam, const char *const *spns)
{
	struct spn_owner o;
	size_t n = 0;

	memset(&o, 0, sizeof o);
	o.dn = strdup(dn);
	o.sam = strdup(sam);
	o.kind = SPN_KIND_USER;
	o.has_uac = true;
	o.uac = 0x200;
	while (spns[n] != NULL)
		n++;
	o.spns = calloc(n + 1, sizeof *o.spns);
	for (o.nspns = 0; o.nspns < n; o.nspns++)
		o.spns[o.nspns] = strdup(spns[o.nspns]);
	return o;
}

static void contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("'%s' not found in:\n%s", needle, hay);
}

/* Runs what spn_run does for an alias; returns the rendered text, state in *st. */
static char *judge(const struct spn_owner *o, size_t n, const char *expect, enum iwa_state *st,
		   bool *canon_main)
{
	struct iwa_check *root = iwa_check_new();
	struct spn_list l = {0};
	unsigned port = 443;
	struct iwa_buf b;

	assert_int_equal(spn_alias_variants(&alias, &port, 1, o, n, &l, canon_main), 0);
	assert_int_equal(spn_eval_targeted(&l, o, n, expect, root, NULL, NULL), 0);
	assert_int_equal(spn_eval_alias(&alias, o, n, expect, root), 0);
	*st = iwa_check_state(root);
	iwa_buf_init(&b, 0);
	assert_int_equal(iwa_check_render(root, "SPN_UNIQUE", IWA_FORMAT_TEXT, &b), 0);
	spn_list_free(&l);
	iwa_check_free(root);
	return iwa_buf_take(&b);
}

static void variants_order(void **state)
{
	static const char *const typed[] = {"HTTP/sso.camtest.test", NULL};
	static const char *const canon[] = {"HTTP/lb-vip.camtest.test", NULL};
	struct spn_owner o = mk(CAMSVC_DN, "cam-svc", typed);
	struct spn_list l = {0};
	unsigned port = 443;
	bool cm = true;
	size_t i;

	(void)state;
	assert_int_equal(spn_alias_variants(&alias, &port, 1, &o, 1, &l, &cm), 0);
	assert_false(cm);
	assert_string_equal(l.v[0], "HTTP/sso.camtest.test");
	for (i = 0; i < l.n; i++) /* HTTP/canonical is judged by spn_eval_alias, not here */
		assert_false(spn_equal(l.v[i], "HTTP/lb-vip.camtest.test"));
	assert_int_equal(l.n, 9); /* 5 typed + HTTP/lb-vip, HOST/lb-vip.x, HOST/lb-vip, :443 */
	spn_list_free(&l);
	spn_owner_clear(&o);
	o = mk(CAMSVC_DN, "cam-svc", canon);
	assert_int_equal(spn_alias_variants(&alias, &port, 1, &o, 1, &l, &cm), 0);
	assert_true(cm);
	assert_string_equal(l.v[0], "HTTP/lb-vip.camtest.test");
	for (i = 0; i < l.n; i++)
		assert_false(spn_equal(l.v[i], "HTTP/sso.camtest.test"));
	spn_list_free(&l);
	spn_owner_clear(&o);
}

static void both_on_one_account(void **state)
{
	static const char *const both[] = {"HTTP/sso.camtest.test", "http/LB-VIP.camtest.test",
					   NULL};
	struct spn_owner o = mk(CAMSVC_DN, "cam-svc", both);
	enum iwa_state st;
	bool cm;
	char *s = judge(&o, 1, "cam-svc", &st, &cm);

	(void)state;
	assert_int_equal(st, IWA_OK);
	contains(s, "SPN_UNIQUE OK - HTTP/sso.camtest.test is registered once, on cam-svc (user)");
	contains(s, "sso.camtest.test is a DNS alias: sso.camtest.test CNAME lb-vip.camtest.test");
	contains(s, "Chrome/Edge: OK (HTTP/lb-vip.camtest.test), Firefox: OK "
		    "(HTTP/sso.camtest.test), both on cam-svc");
	contains(s, "Chrome and Edge (policy DisableAuthNegotiateCnameLookup unset or false, the "
		    "default) ask for HTTP/lb-vip.camtest.test");
	free(s);
	spn_owner_clear(&o);
}

static void typed_only(void **state)
{
	static const char *const typed[] = {"HTTP/sso.camtest.test", NULL};
	struct spn_owner o = mk(CAMSVC_DN, "cam-svc", typed);
	enum iwa_state st;
	bool cm;
	char *s = judge(&o, 1, NULL, &st, &cm);

	(void)state;
	assert_int_equal(st, IWA_WARNING);
	contains(s, "SPN_UNIQUE WARNING - Chrome/Edge: fall back to NTLM (no "
		    "HTTP/lb-vip.camtest.test), Firefox: OK (HTTP/sso.camtest.test): "
		    "sso.camtest.test is an alias of lb-vip.camtest.test");
	contains(s, "register it on the same account (`setspn -S HTTP/lb-vip.camtest.test "
		    "cam-svc`), or make sso.camtest.test an A record");
	free(s);
	spn_owner_clear(&o);
}

static void canonical_only(void **state)
{
	static const char *const canon[] = {"HTTP/lb-vip.camtest.test", NULL};
	struct spn_owner o = mk(CAMSVC_DN, "cam-svc", canon);
	enum iwa_state st;
	bool cm;
	char *s = judge(&o, 1, "cam-svc", &st, &cm);

	(void)state;
	assert_true(cm);
	assert_int_equal(st, IWA_WARNING); /* not CRITICAL: Chrome/Edge get their ticket */
	contains(s, "SPN_UNIQUE WARNING - Chrome/Edge: OK (HTTP/lb-vip.camtest.test), Firefox: "
		    "falls back to NTLM (no HTTP/sso.camtest.test)");
	contains(s, "`setspn -S HTTP/sso.camtest.test cam-svc`");
	contains(s, "HTTP/lb-vip.camtest.test: registered once, on cam-svc (user)");
	free(s);
	spn_owner_clear(&o);
}

static void canonical_elsewhere(void **state)
{
	static const char *const typed[] = {"HTTP/sso.camtest.test", NULL};
	static const char *const canon[] = {"HTTP/lb-vip.camtest.test", NULL};
	struct spn_owner o[3];
	enum iwa_state st;
	bool cm;
	char *s;

	(void)state;
	o[0] = mk(CAMSVC_DN, "cam-svc", typed);
	o[1] = mk(OTHER_DN, "lb-svc", canon);
	s = judge(o, 2, "cam-svc", &st, &cm);
	assert_int_equal(st, IWA_CRITICAL);
	contains(s, "SPN_UNIQUE CRITICAL - HTTP/lb-vip.camtest.test (the SPN Chrome and Edge ask "
		    "for: sso.camtest.test is an alias of lb-vip.camtest.test) is registered on "
		    "lb-svc (user), not on cam-svc");
	contains(s, "KRB_AP_ERR_MODIFIED");
	contains(s, "`setspn -D HTTP/lb-vip.camtest.test lb-svc` then `setspn -S "
		    "HTTP/lb-vip.camtest.test cam-svc`");
	contains(s, " conflicts=1;;;0\n"); /* the canonical SPN on the wrong account counts */
	free(s);
	/* without -e: the reference is the typed SPN's owner */
	s = judge(o, 2, NULL, &st, &cm);
	assert_int_equal(st, IWA_CRITICAL);
	contains(s, "not on cam-svc");
	free(s);
	/* on two accounts: a duplicate for Chrome/Edge */
	o[2] = mk(CAMSVC_DN ",X", "cam-svc2", canon);
	s = judge(o, 3, NULL, &st, &cm);
	assert_int_equal(st, IWA_CRITICAL);
	contains(s, "is registered on 2 accounts");
	contains(s, " conflicts=1;;;0\n"); /* 2 accounts: one too many */
	free(s);
	spn_owner_clear(&o[0]);
	spn_owner_clear(&o[1]);
	spn_owner_clear(&o[2]);
}

static void neither(void **state)
{
	static const char *const none[] = {"HOST/other", NULL};
	struct spn_owner o = mk(CAMSVC_DN, "cam-svc", none);
	enum iwa_state st;
	bool cm;
	char *s = judge(&o, 1, "cam-svc", &st, &cm);

	(void)state;
	assert_int_equal(st, IWA_CRITICAL);
	contains(s, "SPN_UNIQUE CRITICAL - HTTP/sso.camtest.test is registered on no account");
	contains(s, "neither HTTP/sso.camtest.test nor HTTP/lb-vip.camtest.test is registered");
	free(s);
	spn_owner_clear(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(variants_order),      cmocka_unit_test(both_on_one_account),
		cmocka_unit_test(typed_only),          cmocka_unit_test(canonical_only),
		cmocka_unit_test(canonical_elsewhere), cmocka_unit_test(neither),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
