/* test_spn.c — the pure parts of check_spn_unique: SPN variants of an FQDN, case-insensitive
 * comparison and hashing, shape checks, RFC 4515-escaped filters, userAccountControl and
 * lockoutTime parsing, account matching (-e), setspn names, the audit hash table (duplicates,
 * same-object repeats, growth) and the evaluation into the result tree for each lab scenario
 * (states, the cause-and-fix texts, owners as named subchecks in JSON, perfdata). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "check_spn_unique.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ helpers */

static char *render(const struct iwa_check *root, enum iwa_format fmt)
{
	struct iwa_buf b;

	iwa_buf_init(&b, 0);
	assert_int_equal(iwa_check_render(root, "SPN_UNIQUE", fmt, &b), 0);
	return iwa_buf_take(&b);
}

static char *first_line(const char *s)
{
	size_t n = strcspn(s, "\n");
	char *l = malloc(n + 1);

	assert_non_null(l);
	memcpy(l, s, n);
	l[n] = '\0';
	return l;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("'%s' not found in:\n%s", needle, hay);
}

/* Builds an owner; spns is a NULL-terminated list. */
static struct spn_owner mk_owner(const char *dn, const char *sam, enum spn_kind kind, uint32_t uac,
				 const char *const *spns)
{
	struct spn_owner o;
	size_t n = 0;

	memset(&o, 0, sizeof o);
	o.dn = strdup(dn);
	o.sam = sam != NULL ? strdup(sam) : NULL;
	o.kind = kind;
	o.has_uac = true;
	o.uac = uac;
	while (spns[n] != NULL)
		n++;
	o.spns = calloc(n + 1, sizeof *o.spns);
	for (o.nspns = 0; o.nspns < n; o.nspns++)
		o.spns[o.nspns] = strdup(spns[o.nspns]);
	return o;
}

#define CAMSVC_DN "CN=cam-svc,OU=ServiceAccounts,DC=camtest,DC=test"
#define S1_DN "CN=SERVER1,OU=WebServers,DC=camtest,DC=test"
#define S2_DN "CN=SERVER2,OU=WebServers,DC=camtest,DC=test"

static const char *const camsvc_spns[] = {"HTTP/sso.camtest.test", NULL};
static const char *const s1_spns[] = {"HOST/SERVER1", "HOST/server1.camtest.test", NULL};
static const char *const s1_dup_spns[] = {"HOST/SERVER1", "HTTP/sso.camtest.test", NULL};
static const char *const s2_case_spns[] = {"HOST/SERVER2", "http/SSO.camtest.test", NULL};
static const char *const s2_host_spns[] = {"HOST/SERVER2", "HOST/sso.camtest.test", NULL};
static const char *const none_spns[] = {NULL};

static void variants(struct spn_list *l)
{
	unsigned port = 443;

	memset(l, 0, sizeof *l);
	assert_int_equal(spn_expand_fqdn("sso.camtest.test", &port, 1, l), 0);
}

/* Evaluates the lab's directory state; returns the root (caller frees). */
static struct iwa_check *eval(const struct spn_owner *o, size_t n, const char *expect,
			      unsigned *owners, unsigned *conflicts)
{
	struct spn_list l;
	struct iwa_check *root = iwa_check_new();

	variants(&l);
	assert_int_equal(spn_eval_targeted(&l, o, n, expect, root, owners, conflicts), 0);
	spn_list_free(&l);
	return root;
}

static void free_owners(struct spn_owner *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		spn_owner_clear(&o[i]);
}

/* ------------------------------------------------------------------ variants & compare */

static void test_expand_fqdn(void **state)
{
	struct spn_list l;
	unsigned ports[] = {443, 8443};

	(void)state;
	memset(&l, 0, sizeof l);
	assert_int_equal(spn_expand_fqdn("sso.camtest.test", ports, 2, &l), 0);
	assert_int_equal(l.n, 6);
	assert_string_equal(l.v[0], "HTTP/sso.camtest.test");
	assert_string_equal(l.v[1], "HTTP/sso");
	assert_string_equal(l.v[2], "HOST/sso.camtest.test");
	assert_string_equal(l.v[3], "HOST/sso");
	assert_string_equal(l.v[4], "HTTP/sso.camtest.test:443");
	assert_string_equal(l.v[5], "HTTP/sso.camtest.test:8443");
	spn_list_free(&l);
}

static void test_expand_short_name(void **state)
{
	struct spn_list l;

	(void)state;
	memset(&l, 0, sizeof l);
	assert_int_equal(spn_expand_fqdn("intranet", NULL, 0, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "HTTP/intranet");
	assert_string_equal(l.v[1], "HOST/intranet");
	spn_list_free(&l);
}

static void test_list_dedup_after_spn(void **state)
{
	struct spn_list l;
	unsigned port = 443;

	(void)state;
	memset(&l, 0, sizeof l);
	assert_int_equal(spn_list_add(&l, "http/SSO.camtest.test"), 1);
	assert_int_equal(spn_list_add(&l, "HTTP/sso.camtest.test"), 0);
	assert_int_equal(spn_expand_fqdn("sso.camtest.test", &port, 1, &l), 0);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[0], "http/SSO.camtest.test"); /* -s first: the main SPN */
	spn_list_free(&l);
	spn_list_free(&l); /* idempotent */
}

static void test_equal_and_hash(void **state)
{
	(void)state;
	assert_true(spn_equal("HTTP/sso.camtest.test", "http/SSO.CAMTEST.TEST"));
	assert_false(spn_equal("HTTP/sso.camtest.test", "HTTP/sso.camtest.test:443"));
	assert_false(spn_equal("HTTP/sso", "HTTP/ssx"));
	assert_false(spn_equal(NULL, "x"));
	assert_int_equal(spn_hash("HTTP/sso.camtest.test"), spn_hash("http/SSO.Camtest.TEST"));
	assert_true(spn_hash("HTTP/a") != spn_hash("HTTP/b"));
	/* non-ASCII bytes are compared as they are */
	assert_false(spn_equal("HTTP/\xc3\xa9", "HTTP/\xc3\x89"));
}

static void test_validate_spn(void **state)
{
	struct iwa_err err;

	(void)state;
	assert_int_equal(spn_validate("HTTP/sso.camtest.test", "-s", &err), 0);
	assert_int_equal(spn_validate("HTTP/sso.camtest.test:443", "-s", &err), 0);
	assert_int_equal(spn_validate("MSSQLSvc/db.x:1433/inst", "-s", &err), 0);
	assert_int_equal(spn_validate("HTTP/*", "-s", &err), 0); /* escaped, matches only '*' */
	assert_int_equal(spn_validate("HTTP/a(b)\\c", "-s", &err), 0);
	assert_int_equal(spn_validate("", "-s", &err), IWA_EINVAL);
	assert_int_equal(spn_validate("sso.camtest.test", "-s", &err), IWA_EINVAL);
	assert_contains(err.msg, "-s: 'sso.camtest.test' is not an SPN");
	assert_int_equal(spn_validate("/sso", "-s", &err), IWA_EINVAL);
	assert_int_equal(spn_validate("HTTP/", "-s", &err), IWA_EINVAL);
	assert_int_equal(spn_validate("HTTP/a b", "-s", &err), IWA_EINVAL);
	assert_int_equal(spn_validate("HTTP/a\tb", "-s", &err), IWA_EINVAL);
}

static void test_validate_fqdn(void **state)
{
	struct iwa_err err;

	(void)state;
	assert_int_equal(spn_validate_fqdn("sso.camtest.test", &err), 0);
	assert_int_equal(spn_validate_fqdn("intranet", &err), 0);
	assert_int_equal(spn_validate_fqdn("", &err), IWA_EINVAL);
	assert_int_equal(spn_validate_fqdn("sso..test", &err), IWA_EINVAL);
	assert_int_equal(spn_validate_fqdn("sso.test.", &err), IWA_EINVAL);
	assert_int_equal(spn_validate_fqdn("*.test", &err), IWA_EINVAL);
	assert_int_equal(spn_validate_fqdn("a(b).test", &err), IWA_EINVAL);
	assert_contains(err.msg, "not a DNS name");
}

static void test_filter(void **state)
{
	struct spn_list l;
	struct iwa_buf b;
	char *s;

	(void)state;
	memset(&l, 0, sizeof l);
	iwa_buf_init(&b, 0);
	assert_int_equal(spn_build_filter(&l, &b), IWA_EINVAL);
	spn_list_add(&l, "HTTP/sso.camtest.test");
	assert_int_equal(spn_build_filter(&l, &b), 0);
	s = iwa_buf_take(&b);
	assert_string_equal(s, "(servicePrincipalName=HTTP/sso.camtest.test)");
	free(s);
	spn_list_add(&l, "HTTP/*");
	spn_list_add(&l, "HTTP/a(b)\\c");
	assert_int_equal(spn_build_filter(&l, &b), 0);
	s = iwa_buf_take(&b);
	assert_string_equal(s, "(|(servicePrincipalName=HTTP/sso.camtest.test)"
			       "(servicePrincipalName=HTTP/\\2a)"
			       "(servicePrincipalName=HTTP/a\\28b\\29\\5cc))");
	free(s);
	iwa_buf_free(&b);
	spn_list_free(&l);
}

static void test_class_len(void **state)
{
	(void)state;
	assert_int_equal(spn_class_len("HTTP/x"), 4);
	assert_int_equal(spn_class_len("HOST/x"), 4);
	assert_int_equal(spn_class_len("noslash"), 7);
}

/* ------------------------------------------------------------------ accounts */

static void test_uac(void **state)
{
	uint32_t v;
	char buf[256];

	(void)state;
	assert_int_equal(spn_parse_uac("512", 3, &v), 0);
	assert_int_equal(v, 0x200);
	assert_int_equal(spn_parse_uac("514", 3, &v), 0);
	assert_true(v & SPN_UAC_ACCOUNTDISABLE);
	assert_int_equal(spn_parse_uac("4096", 4, &v), 0);
	assert_int_equal(v, SPN_UAC_WORKSTATION_TRUST);
	assert_int_equal(spn_parse_uac("-2147483136", 11, &v), 0); /* signed form of 0x80000200 */
	assert_int_equal(v, 0x80000200u);
	assert_int_equal(spn_parse_uac("4294967295", 10, &v), 0);
	assert_int_equal(spn_parse_uac("4294967296", 10, &v), IWA_EPARSE);
	assert_int_equal(spn_parse_uac("", 0, &v), IWA_EPARSE);
	assert_int_equal(spn_parse_uac("-", 1, &v), IWA_EPARSE);
	assert_int_equal(spn_parse_uac("12a", 3, &v), IWA_EPARSE);
	assert_int_equal(spn_parse_uac("5120", 3, &v), 0); /* len bounds the value */
	assert_int_equal(v, 512);
	assert_int_equal(spn_parse_uac("99999999999999999999999", 23, &v), IWA_EPARSE);
	spn_uac_describe(0x202, buf, sizeof buf);
	assert_string_equal(buf, "ACCOUNTDISABLE, NORMAL_ACCOUNT");
	spn_uac_describe(0, buf, sizeof buf);
	assert_string_equal(buf, "none");
	spn_uac_describe(0x80000200u, buf, sizeof buf);
	assert_string_equal(buf, "NORMAL_ACCOUNT, 0x80000000");
	spn_uac_describe(0x202, buf, 10); /* truncated, still terminated */
	assert_true(strlen(buf) < 10);
}

static void test_lockout(void **state)
{
	long long v;

	(void)state;
	assert_int_equal(spn_parse_lockout("0", 1, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(spn_parse_lockout("133500000000000000", 18, &v), 0);
	assert_true(v == 133500000000000000LL);
	assert_int_equal(spn_parse_lockout("-1", 2, &v), IWA_EPARSE);
	assert_int_equal(spn_parse_lockout("x", 1, &v), IWA_EPARSE);
}

static void test_kind(void **state)
{
	const char *u[] = {"top", "person", "organizationalPerson", "user"};
	const char *c[] = {"top", "person", "organizationalPerson", "user", "computer"};
	const char *g[] = {"top", "group"};

	(void)state;
	assert_int_equal(spn_kind_from_classes(u, 4), SPN_KIND_USER);
	assert_int_equal(spn_kind_from_classes(c, 5), SPN_KIND_COMPUTER);
	assert_int_equal(spn_kind_from_classes(g, 2), SPN_KIND_OTHER);
	assert_int_equal(spn_kind_from_classes(NULL, 0), SPN_KIND_OTHER);
	assert_string_equal(spn_kind_name(SPN_KIND_COMPUTER), "computer");
	assert_string_equal(spn_kind_name(SPN_KIND_USER), "user");
	assert_string_equal(spn_kind_name(SPN_KIND_OTHER), "object");
}

static void test_account_matches(void **state)
{
	struct spn_owner svc = mk_owner(CAMSVC_DN, "cam-svc", SPN_KIND_USER, 0x200, none_spns);
	struct spn_owner s1 = mk_owner(S1_DN, "SERVER1$", SPN_KIND_COMPUTER, 0x1000, none_spns);

	(void)state;
	assert_true(spn_account_matches("cam-svc", &svc));
	assert_true(spn_account_matches("CAM-SVC", &svc));
	assert_true(spn_account_matches("CAMTEST\\cam-svc", &svc));
	assert_true(spn_account_matches("cam-svc@CAMTEST.TEST", &svc)); /* no UPN: sam part */
	assert_true(
		spn_account_matches("cn=cam-svc, ou=ServiceAccounts, dc=camtest, dc=test", &svc));
	assert_false(spn_account_matches("cam", &svc));
	assert_false(spn_account_matches("cam-svc2", &svc));
	assert_false(spn_account_matches("CN=cam-svc,DC=camtest,DC=test", &svc));
	assert_false(spn_account_matches("", &svc));
	assert_false(spn_account_matches(NULL, &svc));
	assert_true(spn_account_matches("SERVER1$", &s1));
	assert_true(spn_account_matches("server1", &s1));
	assert_true(spn_account_matches("CAMTEST\\SERVER1$", &s1));
	assert_false(spn_account_matches("SERVER1$$", &s1));
	svc.upn = strdup("svc@camtest.test");
	assert_true(spn_account_matches("SVC@camtest.test", &svc));
	assert_false(spn_account_matches("cam-svc@camtest.test", &svc));
	spn_owner_clear(&svc);
	spn_owner_clear(&s1);
	spn_owner_clear(NULL);
}

static void test_setspn_names(void **state)
{
	struct spn_owner svc = mk_owner(CAMSVC_DN, "cam-svc", SPN_KIND_USER, 0x200, none_spns);
	struct spn_owner s1 = mk_owner(S1_DN, "SERVER1$", SPN_KIND_COMPUTER, 0x1000, none_spns);
	struct spn_owner nosam = mk_owner("CN=x,DC=t", NULL, SPN_KIND_OTHER, 0, none_spns);
	char buf[128];

	(void)state;
	spn_setspn_account(&svc, buf, sizeof buf);
	assert_string_equal(buf, "cam-svc");
	spn_setspn_account(&s1, buf, sizeof buf);
	assert_string_equal(buf, "SERVER1");
	spn_setspn_account(&nosam, buf, sizeof buf);
	assert_string_equal(buf, "\"CN=x,DC=t\"");
	assert_string_equal(spn_owner_name(&nosam), "CN=x,DC=t");
	spn_expect_setspn_name("CAMTEST\\cam-svc", buf, sizeof buf);
	assert_string_equal(buf, "cam-svc");
	spn_expect_setspn_name("cam-svc@CAMTEST.TEST", buf, sizeof buf);
	assert_string_equal(buf, "cam-svc");
	spn_expect_setspn_name(CAMSVC_DN, buf, sizeof buf);
	assert_string_equal(buf, "cam-svc");
	spn_expect_setspn_name(NULL, buf, sizeof buf);
	assert_string_equal(buf, "<service account>");
	spn_owner_clear(&svc);
	spn_owner_clear(&s1);
	spn_owner_clear(&nosam);
}

/* ------------------------------------------------------------------ audit table */

static void test_table_duplicates(void **state)
{
	struct spn_table *t = spn_table_new();
	const struct spn_entry **d = NULL;
	size_t n = 0;

	(void)state;
	assert_non_null(t);
	assert_int_equal(spn_table_add(t, "HTTP/sso.camtest.test", 0), 0);
	assert_int_equal(spn_table_add(t, "HOST/server1", 1), 0);
	assert_int_equal(spn_table_add(t, "HTTP/sso.camtest.test", 1), 0);
	assert_int_equal(spn_table_add(t, "http/SSO.camtest.test", 2), 0); /* case dup */
	assert_int_equal(spn_table_add(t, "HOST/server2", 2), 0);
	assert_int_equal(spn_table_add(t, "host/SERVER2", 2), 0); /* same object: once */
	assert_int_equal(spn_table_add(t, "HOST/a", 3), 0);
	assert_int_equal(spn_table_add(t, "HOST/A", 4), 0);
	assert_int_equal(spn_table_distinct(t), 4);
	assert_true(spn_table_bytes(t) > 0);
	assert_int_equal(spn_table_duplicates(t, &d, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(d[0]->spn, "HOST/A"); /* sorted case-insensitively; smallest spelling */
	assert_int_equal(d[0]->n_owners, 2);
	assert_string_equal(d[1]->spn, "HTTP/sso.camtest.test");
	assert_int_equal(d[1]->n_owners, 3);
	assert_int_equal(spn_entry_owner(d[1], 0), 0);
	assert_int_equal(spn_entry_owner(d[1], 1), 1);
	assert_int_equal(spn_entry_owner(d[1], 2), 2);
	free(d);
	spn_table_free(t);
	spn_table_free(NULL);
}

/* The spelling shown for a duplicate does not depend on the order the directory returns the
 * owners in (it made the lab's --all test flaky). */
static void test_table_spelling_order(void **state)
{
	static const char *const a[] = {"http/SSO.camtest.test", "HTTP/sso.camtest.test"};
	unsigned first;

	(void)state;
	for (first = 0; first < 2; first++) {
		struct spn_table *t = spn_table_new();
		const struct spn_entry **d = NULL;
		size_t n = 0;

		assert_non_null(t);
		assert_int_equal(spn_table_add(t, a[first], 0), 0);
		assert_int_equal(spn_table_add(t, a[1 - first], 1), 0);
		assert_int_equal(spn_table_duplicates(t, &d, &n), 0);
		assert_int_equal(n, 1);
		assert_string_equal(d[0]->spn, "HTTP/sso.camtest.test");
		free(d);
		spn_table_free(t);
	}
}

static void test_table_growth(void **state)
{
	struct spn_table *t = spn_table_new();
	const struct spn_entry **d = NULL;
	size_t n = 0;
	char spn[64];
	unsigned i;

	(void)state;
	for (i = 0; i < 60000; i++) {
		snprintf(spn, sizeof spn, "HTTP/web%u.bulk.test", i);
		assert_int_equal(spn_table_add(t, spn, i), 0);
	}
	/* three planted duplicates, one in another case */
	assert_int_equal(spn_table_add(t, "HTTP/web7.bulk.test", 60001), 0);
	assert_int_equal(spn_table_add(t, "http/WEB70.bulk.test", 60002), 0);
	assert_int_equal(spn_table_add(t, "HTTP/web59999.bulk.test", 60003), 0);
	assert_int_equal(spn_table_distinct(t), 60000);
	assert_int_equal(spn_table_duplicates(t, &d, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(d[0]->spn, "HTTP/web59999.bulk.test");
	assert_string_equal(d[1]->spn, "HTTP/web7.bulk.test");
	assert_string_equal(d[2]->spn, "HTTP/web70.bulk.test");
	free(d);
	spn_table_free(t);
}

/* ------------------------------------------------------------------ targeted evaluation */

static void test_eval_healthy(void **state)
{
	struct spn_owner o[2];
	struct iwa_check *root;
	unsigned owners = 9, conflicts = 9;
	char *s, *l;

	(void)state;
	o[0] = mk_owner(CAMSVC_DN, "cam-svc", SPN_KIND_USER, 0x200, camsvc_spns);
	o[1] = mk_owner(S1_DN, "SERVER1$", SPN_KIND_COMPUTER, 0x1000, s1_spns);
	root = eval(o, 2, "cam-svc", &owners, &conflicts);
	assert_int_equal(iwa_check_state(root), IWA_OK);
	assert_int_equal(owners, 1);
	assert_int_equal(conflicts, 0);
	s = render(root, IWA_FORMAT_TEXT);
	l = first_line(s);
	assert_string_equal(l, "SPN_UNIQUE OK - HTTP/sso.camtest.test is registered once, on "
			       "cam-svc (user); 5 SPNs checked | owners=1;;;0 spns_checked=5;;;0 "
			       "conflicts=0;;;0");
	assert_contains(s, "cam-svc (user, " CAMSVC_DN ")");
	assert_contains(s, "HOST/sso.camtest.test: not registered");
	free(l);
	free(s);
	s = render(root, IWA_FORMAT_JSON);
	assert_contains(s, "\"name\":\"HTTP/sso.camtest.test\"");
	assert_contains(s, "\"name\":\"cam-svc\"");
	free(s);
	iwa_check_free(root);
	/* without -e: the same */
	root = eval(o, 2, NULL, NULL, NULL);
	assert_int_equal(iwa_check_state(root), IWA_OK);
	iwa_check_free(root);
	free_owners(o, 2);
}

static void test_eval_dup_computer(void **state)
{
	struct spn_owner o[2];
	struct iwa_check *root;
	unsigned owners, conflicts;
	char *s;

	(void)state;
	o[0] = mk_owner(CAMSVC_DN, "cam-svc", SPN_KIND_USER, 0x200, camsvc_spns);
	o[1] = mk_owner(S1_DN, "SERVER1$", SPN_KIND_COMPUTER, 0x1000, s1_dup_spns);
	root = eval(o, 2, "cam-svc", &owners, &conflicts);
	assert_int_equal(iwa_check_state(root), IWA_CRITICAL);
	assert_int_equal(owners, 2);
	assert_int_equal(conflicts, 1);
	s = render(root, IWA_FORMAT_TEXT);
	assert_contains(s, "SPN_UNIQUE CRITICAL - HTTP/sso.camtest.test is also registered on "
			   "SERVER1$ (computer): the KDC cannot pick one key; remove it with "
			   "`setspn -D HTTP/sso.camtest.test SERVER1` |");
	assert_contains(s, "owners=2;;;0");
	assert_contains(s, "conflicts=1;;;0");
	assert_contains(s, "cam-svc: keep it here");
	assert_contains(s, "owner: SERVER1$ (computer, " S1_DN ")");
	free(s);
	s = render(root, IWA_FORMAT_JSON);
	assert_contains(s, "\"name\":\"SERVER1$\",\"state\":\"CRITICAL\"");
	assert_contains(s, "\"name\":\"cam-svc\",\"state\":\"OK\"");
	free(s);
	iwa_check_free(root);
	/* without -e the user account is the one to keep */
	root = eval(o, 2, NULL, NULL, &conflicts);
	assert_int_equal(iwa_check_state(root), IWA_CRITICAL);
	assert_int_equal(conflicts, 1);
	s = render(root, IWA_FORMAT_TEXT);
	assert_contains(s, "`setspn -D HTTP/sso.camtest.test SERVER1`");
	free(s);
	iwa_check_free(root);
	free_owners(o, 2);
}

static void test_eval_dup_case(void **state)
{
	struct spn_owner o[2];
	struct iwa_check *root;
	char *s;

	(void)state;
	o[0] = mk_owner(CAMSVC_DN, "cam-svc", SPN_KIND_USER, 0x200, camsvc_spns);
	o[1] = mk_owner(S2_DN, "SERVER2$", SPN_KIND_COMPUTER, 0x1000, s2_case_spns);
	root = eval(o, 2, "cam-svc", NULL, NULL);
	assert_int_equal(iwa_check_state(root), IWA_CRITICAL);
	s = render(root, IWA_FORMAT_TEXT);
	assert_contains(s, "HTTP/sso.camtest.test is also registered on SERVER2$ (computer) as "
			   "http/SSO.camtest.test (the same SPN: SPNs are case-insensitive)");
	assert_contains(s, "`setspn -D http/SSO.camtest.test SERVER2`");
	free(s);
	iwa_check_free(root);
	free_owners(o, 2);
}

static void test_eval_missing(void **state)
{
	struct spn_owner o[1];
	struct iwa_check *root;
	unsigned owners;
	char *s;

	(void)state;
	o[0] = mk_owner(S1_DN, "SERVER1$", SPN_KIND_COMPUTER, 0x1000, s1_spns);
	root = eval(o, 0, "CAMTEST\\cam-svc", &owners, NULL);
	assert_int_equal(iwa_check_state(root), IWA_CRITICAL);
	assert_int_equal(owners, 0);
	s = render(root, IWA_FORMAT_TEXT);
	assert_contains(s, "SPN_UNIQUE CRITICAL - HTTP/sso.camtest.test is registered on no "
			   "account: clients cannot get a Kerberos ticket for it and fall back to "
			   "NTLM; register it on the service account with `setspn -S "
			   "HTTP/sso.camtest.test cam-svc` |");
	free(s);
	iwa_check_free(root);
	free_owners(o, 1);
}

static void test_eval_on_computer(void **state)
{
	struct spn_owner o[1];
	struct iwa_check *root;
	char *s;

	(void)state;
	o[0] = mk_owner(S1_DN, "SERVER1$", SPN_KIND_COMPUTER, 0x1000, s1_dup_spns);
	root = eval(o, 1, "cam-svc", NULL, NULL);
	assert_int_equal(iwa_check_state(root), IWA_CRITICAL);
	s = render(root, IWA_FORMAT_TEXT);
	assert_contains(s,
			"SPN_UNIQUE CRITICAL - HTTP/sso.camtest.test is registered on SERVER1$ "
			"(computer), not on cam-svc: tickets for it are encrypted with SERVER1$'s "
			"key");
	assert_contains(s, "every other server behind the balancer");
	assert_contains(s, "`setspn -D HTTP/sso.camtest.test SERVER1` then `setspn -S "
			   "HTTP/sso.camtest.test cam-svc`");
	free(s);
	iwa_check_free(root);
	/* without -e: a warning that names the load-balancer problem */
	root = eval(o, 1, NULL, NULL, NULL);
	assert_int_equal(iwa_check_state(root), IWA_WARNING);
	s = render(root, IWA_FORMAT_TEXT);
	assert_contains(s, "registered on the computer account SERVER1$");
	assert_contains(s, "only SERVER1 can decrypt them");
	free(s);
	iwa_check_free(root);
	free_owners(o, 1);
}

static void test_eval_host_alias(void **state)
{
	struct spn_owner o[2];
	struct iwa_check *root;
	unsigned conflicts;
	char *s;

	(void)state;
	o[0] = mk_owner(CAMSVC_DN, "cam-svc", SPN_KIND_USER, 0x200, camsvc_spns);
	o[1] = mk_owner(S2_DN, "SERVER2$", SPN_KIND_COMPUTER, 0x1000, s2_host_spns);
	root = eval(o, 2, "cam-svc", NULL, &conflicts);
	assert_int_equal(iwa_check_state(root), IWA_WARNING);
	assert_int_equal(conflicts, 1);
	s = render(root, IWA_FORMAT_TEXT);
	assert_contains(s,
			"SPN_UNIQUE WARNING - HOST/sso.camtest.test is registered on SERVER2$ "
			"(computer), not on cam-svc: clients asking for HOST/sso.camtest.test, "
			"and the KDC's HTTP->HOST mapping (sPNMappings) whenever no account holds "
			"HTTP/sso.camtest.test, get tickets encrypted with SERVER2$'s key; remove "
			"it with `setspn -D HOST/sso.camtest.test SERVER2` |");
	free(s);
	s = render(root, IWA_FORMAT_JSON);
	assert_contains(s, "\"name\":\"HOST/sso.camtest.test\"");
	assert_contains(s, "\"name\":\"SERVER2$\",\"state\":\"WARNING\"");
	free(s);
	iwa_check_free(root);
	free_owners(o, 2);
}

static void test_eval_disabled_locked(void **state)
{
	struct spn_owner o[1];
	struct iwa_check *root;
	char *s;

	(void)state;
	o[0] = mk_owner(CAMSVC_DN, "cam-svc", SPN_KIND_USER, 0x202, camsvc_spns);
	o[0].lockout = 133500000000000000LL;
	root = eval(o, 1, "cam-svc", NULL, NULL);
	assert_int_equal(iwa_check_state(root), IWA_WARNING);
	s = render(root, IWA_FORMAT_TEXT);
	assert_contains(s, "cam-svc is disabled (userAccountControl 0x202: ACCOUNTDISABLE, "
			   "NORMAL_ACCOUNT)");
	assert_contains(s, "and 1 more problems");
	assert_contains(s, "cam-svc is locked out");
	free(s);
	iwa_check_free(root);
	free_owners(o, 1);
}

static void test_eval_short_and_port(void **state)
{
	static const char *const other[] = {"HTTP/sso", "HTTP/sso.camtest.test:443", NULL};
	struct spn_owner o[2];
	struct iwa_check *root;
	unsigned conflicts;
	char *s;

	(void)state;
	o[0] = mk_owner(CAMSVC_DN, "cam-svc", SPN_KIND_USER, 0x200, camsvc_spns);
	o[1] = mk_owner("CN=old-svc,DC=camtest,DC=test", "old-svc", SPN_KIND_USER, 0x200, other);
	root = eval(o, 2, NULL, NULL, &conflicts);
	assert_int_equal(iwa_check_state(root), IWA_WARNING);
	assert_int_equal(conflicts, 2);
	s = render(root, IWA_FORMAT_TEXT);
	assert_contains(s, "users who browse to the short name sso get tickets encrypted with "
			   "old-svc's key");
	assert_contains(s, "clients that put the port in the SPN");
	assert_contains(s, "not on cam-svc (the owner of HTTP/sso.camtest.test)");
	free(s);
	iwa_check_free(root);
	free_owners(o, 2);
}

static void test_eval_three_owners_no_keeper(void **state)
{
	static const char *const svc2[] = {"HTTP/sso.camtest.test", NULL};
	struct spn_owner o[3];
	struct iwa_check *root;
	unsigned conflicts;
	char *s;

	(void)state;
	o[0] = mk_owner(CAMSVC_DN, "cam-svc", SPN_KIND_USER, 0x200, camsvc_spns);
	o[1] = mk_owner("CN=svc2,DC=camtest,DC=test", "svc2", SPN_KIND_USER, 0x200, svc2);
	o[2] = mk_owner(S1_DN, "SERVER1$", SPN_KIND_COMPUTER, 0x1000, s1_dup_spns);
	root = eval(o, 3, NULL, NULL, &conflicts);
	assert_int_equal(iwa_check_state(root), IWA_CRITICAL);
	assert_int_equal(conflicts, 2);
	s = render(root, IWA_FORMAT_TEXT);
	assert_contains(s, "SPN_UNIQUE CRITICAL - HTTP/sso.camtest.test is registered on 3 "
			   "accounts (cam-svc, svc2, SERVER1$): the KDC cannot pick one key");
	assert_contains(s, "give -e ACCOUNT");
	free(s);
	iwa_check_free(root);
	free_owners(o, 3);
}

/* ------------------------------------------------------------------ audit evaluation */

static void test_eval_audit(void **state)
{
	struct spn_owner o[3];
	struct spn_table *t = spn_table_new();
	struct spn_audit_stats st = {3, 6, 0, 0.25};
	struct iwa_thresholds th;
	struct iwa_check *root;
	char *s;

	(void)state;
	o[0] = mk_owner(CAMSVC_DN, "cam-svc", SPN_KIND_USER, 0, none_spns);
	o[1] = mk_owner(S1_DN, "SERVER1$", SPN_KIND_COMPUTER, 0, none_spns);
	o[2] = mk_owner(S2_DN, "SERVER2$", SPN_KIND_COMPUTER, 0, none_spns);
	spn_table_add(t, "HTTP/sso.camtest.test", 0);
	spn_table_add(t, "HOST/SERVER1", 1);
	spn_table_add(t, "HTTP/sso.camtest.test", 1);
	spn_table_add(t, "HOST/SERVER2", 2);
	spn_table_add(t, "HOST/x", 1);
	spn_table_add(t, "host/X", 2);
	memset(&th, 0, sizeof th);
	th.has_crit = true;
	assert_int_equal(iwa_range_parse("0", &th.crit, NULL), 0);

	root = iwa_check_new();
	assert_int_equal(spn_eval_audit(t, o, 3, &st, &th, 20, root), 0);
	assert_int_equal(iwa_check_state(root), IWA_CRITICAL);
	s = render(root, IWA_FORMAT_TEXT);
	assert_contains(
		s, "SPN_UNIQUE CRITICAL - 2 duplicate SPNs (the KDC cannot pick one key: "
		   "clients fall back to NTLM): HOST/x on SERVER1$ and SERVER2$; "
		   "HTTP/sso.camtest.test on cam-svc and SERVER1$ (6 SPNs on 3 objects "
		   "scanned) | objects=3;;;0 spns=6;;;0 duplicates=2;;0;0 scan_time=0.25s;;;0");
	assert_contains(s, "keep it on cam-svc and remove it from the others: `setspn -D "
			   "HTTP/sso.camtest.test SERVER1`");
	assert_contains(s, "keep it only on the account the service runs as");
	free(s);
	iwa_check_free(root);

	/* --max-list 1 and a critical range that tolerates 2 */
	assert_int_equal(iwa_range_parse("2", &th.crit, NULL), 0);
	root = iwa_check_new();
	assert_int_equal(spn_eval_audit(t, o, 3, &st, &th, 1, root), 0);
	assert_int_equal(iwa_check_state(root), IWA_OK);
	s = render(root, IWA_FORMAT_TEXT);
	assert_contains(s, "... and 1 more duplicate SPNs (raise --max-list to list them)");
	assert_null(strstr(s, "HTTP/sso.camtest.test is registered on"));
	free(s);
	iwa_check_free(root);
	spn_table_free(t);

	/* nothing found */
	t = spn_table_new();
	spn_table_add(t, "HOST/SERVER1", 1);
	root = iwa_check_new();
	assert_int_equal(spn_eval_audit(t, o, 3, &st, &th, 20, root), 0);
	assert_int_equal(iwa_check_state(root), IWA_OK);
	s = render(root, IWA_FORMAT_TEXT);
	assert_contains(s, "SPN_UNIQUE OK - no duplicate SPNs: 6 SPNs on 3 objects scanned in "
			   "0.25 s |");
	free(s);
	iwa_check_free(root);
	spn_table_free(t);
	free_owners(o, 3);
}

/* ------------------------------------------------------------------ RC4 retirement */

static const char RC4_FIX[] =
	"tickets for HTTP/sso.camtest.test fail on domain controllers that no longer issue RC4 "
	"(enforced since July 2026); reset cam-svc's password (the domain creates AES keys), then "
	"set msDS-SupportedEncryptionTypes to 0x18 and re-export any keytab";

static struct spn_owner rc4_owner(bool has_set, uint32_t set)
{
	struct spn_owner o;

	memset(&o, 0, sizeof o);
	o.dn = (char *)"CN=cam-svc,OU=ServiceAccounts,DC=camtest,DC=test";
	o.sam = (char *)"cam-svc";
	o.kind = SPN_KIND_USER;
	o.has_set = has_set;
	o.set = set;
	o.has_pwdlastset = true;
	o.pwdlastset = 134406529122145360LL; /* 2026-12-02 */
	o.has_kvno = true;
	o.kvno = 2;
	return o;
}

static void rc4_in(struct spn_rc4_in *in, const struct spn_owner *o, int32_t probe_etype,
		   enum iwa_kdc_tkt_kind tk, int32_t tkt, int32_t skey)
{
	memset(in, 0, sizeof *in);
	in->spn = "HTTP/sso.camtest.test";
	in->owner = o;
	in->has_aes_date = true;
	in->aes_date = 134406529000000000LL; /* the same day, earlier */
	in->probed = true;
	in->probe.kind = IWA_KDC_PROBE_KEYS;
	in->probe.etypes[0] = probe_etype;
	in->probe.n = 1;
	in->ticketed = true;
	in->tkt_aes_only = !(o->has_set && spn_set_rc4_only(o->set));
	in->tkt.kind = tk;
	in->tkt.tkt_etype = tkt;
	in->tkt.skey_etype = skey;
	in->tkt.kvno = 2;
	if (tk == IWA_KDC_TKT_NOSUPP)
		snprintf(in->tkt.err_text, sizeof in->tkt.err_text,
			 "KDC has no support for encryption type");
}

/* Judges in on a root that is OK so far; returns the first line; *st = the root's state. */
static char *rc4_eval(const struct spn_rc4_in *in, enum iwa_state *st)
{
	struct iwa_check *root = iwa_check_new();
	char *out, *l;

	assert_non_null(root);
	assert_int_equal(iwa_check_set_text(root, "HTTP/sso.camtest.test is registered once"), 0);
	assert_int_equal(spn_eval_rc4(in, root), 0);
	*st = iwa_check_state(root);
	out = render(root, IWA_FORMAT_TEXT);
	l = first_line(out);
	free(out);
	iwa_check_free(root);
	return l;
}

static void test_rc4_states(void **state)
{
	struct spn_owner aes = rc4_owner(true, 0x18), rc4only = rc4_owner(true, 0x4),
			 unset = rc4_owner(false, 0);
	struct spn_rc4_in in;
	enum iwa_state st;
	char *l, want[1024];

	(void)state;
	/* healthy: AES keys, AES ticket */
	rc4_in(&in, &aes, 18, IWA_KDC_TKT_ISSUED, 18, 18);
	l = rc4_eval(&in, &st);
	assert_int_equal(st, IWA_OK);
	assert_string_equal(l, "SPN_UNIQUE OK - HTTP/sso.camtest.test is registered once");
	free(l);

	/* no AES keys (probe): CRITICAL with the fix */
	rc4_in(&in, &aes, 23, IWA_KDC_TKT_ISSUED, 23, 18);
	l = rc4_eval(&in, &st);
	assert_int_equal(st, IWA_CRITICAL);
	snprintf(want, sizeof want,
		 "SPN_UNIQUE CRITICAL - cam-svc has no AES keys (the KDC offers only arcfour-hmac "
		 "for it): %s",
		 RC4_FIX);
	assert_string_equal(l, want);
	free(l);
	/* --allow-rc4 does not hide missing AES keys */
	in.allow_rc4 = true;
	l = rc4_eval(&in, &st);
	assert_int_equal(st, IWA_CRITICAL);
	free(l);

	/* no probe answer, password older than the domain's AES date: CRITICAL */
	rc4_in(&in, &unset, 18, IWA_KDC_TKT_ISSUED, 23, 18);
	in.probed = false;
	in.aes_date = unset.pwdlastset + 10000000LL * 86400 * 400;
	l = rc4_eval(&in, &st);
	assert_int_equal(st, IWA_CRITICAL);
	assert_non_null(strstr(l, "cam-svc's password was last set on 2026-12-02, before the "
				  "domain could create AES keys (2028-01-06), so it has none: "));
	free(l);

	/* SET=4: WARNING; --allow-rc4: OK */
	rc4_in(&in, &rc4only, 18, IWA_KDC_TKT_ISSUED, 23, 23);
	assert_false(in.tkt_aes_only);
	l = rc4_eval(&in, &st);
	assert_int_equal(st, IWA_WARNING);
	assert_string_equal(
		l,
		"SPN_UNIQUE WARNING - cam-svc allows only RC4 (msDS-SupportedEncryptionTypes=0x4): "
		"tickets for HTTP/sso.camtest.test are RC4 (arcfour-hmac); works today, cheap to "
		"crack offline, breaks when RC4 is switched off; set "
		"msDS-SupportedEncryptionTypes to 0x18 and re-export any keytab");
	free(l);
	in.allow_rc4 = true;
	l = rc4_eval(&in, &st);
	assert_int_equal(st, IWA_OK);
	free(l);

	/* SET=4 and the KDC refuses RC4: CRITICAL */
	rc4_in(&in, &rc4only, 18, IWA_KDC_TKT_NOSUPP, 0, 0);
	l = rc4_eval(&in, &st);
	assert_int_equal(st, IWA_CRITICAL);
	assert_non_null(strstr(l, "the KDC refuses tickets for HTTP/sso.camtest.test "
				  "(KDC_ERR_ETYPE_NOSUPP) while cam-svc allows only RC4"));
	assert_non_null(strstr(l, RC4_FIX));
	free(l);

	/* AES-only request refused for an account that should have AES: CRITICAL */
	rc4_in(&in, &unset, 18, IWA_KDC_TKT_NOSUPP, 0, 0);
	assert_true(in.tkt_aes_only);
	l = rc4_eval(&in, &st);
	assert_int_equal(st, IWA_CRITICAL);
	snprintf(want, sizeof want,
		 "SPN_UNIQUE CRITICAL - the KDC refuses an AES-only ticket for "
		 "HTTP/sso.camtest.test (KDC_ERR_ETYPE_NOSUPP): %s",
		 RC4_FIX);
	assert_string_equal(l, want);
	free(l);

	/* unset SET, AES keys, but an RC4 ticket (Samba's default): WARNING */
	rc4_in(&in, &unset, 18, IWA_KDC_TKT_ISSUED, 23, 18);
	l = rc4_eval(&in, &st);
	assert_int_equal(st, IWA_WARNING);
	assert_non_null(strstr(l, "the KDC still issues an RC4 (arcfour-hmac) ticket for "
				  "HTTP/sso.camtest.test (msDS-SupportedEncryptionTypes not set)"));
	free(l);

	/* the KDC did not answer: CRITICAL, the stage named */
	rc4_in(&in, &aes, 18, IWA_KDC_TKT_ISSUED, 18, 18);
	in.probed = in.ticketed = false;
	in.probe_err = in.kdc_err =
		"the KDC (127.0.20.1:88) did not answer within 3 s while probing";
	l = rc4_eval(&in, &st);
	assert_int_equal(st, IWA_CRITICAL);
	assert_non_null(strstr(l, "the KDC could not be asked about cam-svc's keys: the KDC "
				  "(127.0.20.1:88) did not answer within 3 s while probing"));
	free(l);
}

static void test_rc4_parsers(void **state)
{
	long long ft;
	char d[32];
	struct spn_owner o = rc4_owner(true, 0x4);

	(void)state;
	assert_int_equal(spn_parse_gentime("20261202024149.0Z", 17, &ft), 0);
	spn_filetime_date(ft, d, sizeof d);
	assert_string_equal(d, "2026-12-02");
	assert_int_equal(spn_parse_gentime("16010101000000Z", 15, &ft), 0);
	assert_int_equal(ft, 0);
	assert_int_not_equal(spn_parse_gentime("2026120202414Z", 14, &ft), 0);
	assert_int_not_equal(spn_parse_gentime("20261302024149.0Z", 17, &ft), 0);
	assert_int_not_equal(spn_parse_gentime("20261202024149.0", 16, &ft), 0);
	assert_true(spn_set_rc4_only(0x4));
	assert_false(spn_set_rc4_only(0x1c));
	assert_false(spn_set_rc4_only(0x18));
	assert_false(spn_set_rc4_only(0));
	assert_int_equal(spn_rc4_audit_owner(&o, false, 0), SPN_RC4_ONLY);
	/* set a second before the AES date: the domain's own provisioning, not judged */
	assert_int_equal(spn_rc4_audit_owner(&o, true, o.pwdlastset + 10000000LL), SPN_RC4_ONLY);
	assert_int_equal(spn_rc4_audit_owner(&o, true, o.pwdlastset + 10000000LL * 3601),
			 SPN_RC4_NO_AES);
	o.pwdlastset = 0; /* "must change at next logon": not judged */
	assert_int_equal(spn_rc4_audit_owner(&o, true, 1), SPN_RC4_ONLY);
	o.set = 0x18;
	assert_int_equal(spn_rc4_audit_owner(&o, true, 1), SPN_RC4_FINE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand_fqdn),
		cmocka_unit_test(test_expand_short_name),
		cmocka_unit_test(test_list_dedup_after_spn),
		cmocka_unit_test(test_equal_and_hash),
		cmocka_unit_test(test_validate_spn),
		cmocka_unit_test(test_validate_fqdn),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_class_len),
		cmocka_unit_test(test_uac),
		cmocka_unit_test(test_lockout),
		cmocka_unit_test(test_kind),
		cmocka_unit_test(test_account_matches),
		cmocka_unit_test(test_setspn_names),
		cmocka_unit_test(test_table_duplicates),
		cmocka_unit_test(test_table_spelling_order),
		cmocka_unit_test(test_table_growth),
		cmocka_unit_test(test_eval_healthy),
		cmocka_unit_test(test_eval_dup_computer),
		cmocka_unit_test(test_eval_dup_case),
		cmocka_unit_test(test_eval_missing),
		cmocka_unit_test(test_eval_on_computer),
		cmocka_unit_test(test_eval_host_alias),
		cmocka_unit_test(test_eval_disabled_locked),
		cmocka_unit_test(test_eval_short_and_port),
		cmocka_unit_test(test_eval_three_owners_no_keeper),
		cmocka_unit_test(test_eval_audit),
		cmocka_unit_test(test_rc4_states),
		cmocka_unit_test(test_rc4_parsers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
