/* test_gpo_eval.c — check_batch_logon_gpo's evaluation (plugins/check_batch_logon_gpo_eval.c)
 * on directory and SYSVOL data built in memory: precedence across containers, enforced links
 * through blocked inheritance, security filtering (group filter, deny ACE) from the security
 * descriptor fixtures, WMI filter, GPT.INI missing, a later GPO redefining the right. No I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_batch_logon_gpo.h"

#ifndef FIXTURE_DIR
#define FIXTURE_DIR "tests/unit/fixtures/gpo"
#endif

#define DOM "S-1-5-21-1111-2222-3333"
#define G_WEB "{AAAAAAAA-0000-0000-0000-000000000001}"
#define G_DOM "{AAAAAAAA-0000-0000-0000-000000000002}"
#define G_OTHER "{AAAAAAAA-0000-0000-0000-000000000003}"
#define LINK(g, o) "[LDAP://cn=" g ",cn=policies,cn=system,DC=camtest,DC=test;" #o "]"

struct world {
	struct blg_config cfg;
	struct blg_ctx c;
};

static struct iwa_sid S(const char *s) {
	struct iwa_sid sid;
	assert_int_equal(iwa_sid_from_str(s, &sid, NULL), 0);
	return sid;
}

static struct iwa_secdesc *
sd_fixture(const char *name)
{
	char path[512];
	uint8_t buf[4096];
	size_t n;
	FILE *f;
	struct iwa_secdesc *sd = NULL;

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(iwa_secdesc_parse(buf, n, &sd, NULL), 0);
	return sd;
}

/* The lab's shape: cam-svc (-1105, in Domain Users) in OU=ServiceAccounts; SERVER1 (-1301,
 * in Domain Computers) and SERVER2 (-1302, in Domain Computers and the group -1201) in
 * OU=WebServers; the containers on their path: the domain root, then OU=WebServers. */
static void world_init(struct world *w, const char *gplink_dom, const char *gplink_web,
		       bool block_web)
{
	struct blg_ctx *c = &w->c;
	const char *dns[2] = {"DC=camtest,DC=test", "OU=WebServers,DC=camtest,DC=test"};
	const char *links[2] = {gplink_dom, gplink_web};

	memset(w, 0, sizeof(*w));
	w->cfg.right = "SeBatchLogonRight";
	w->cfg.account = "cam-svc";
	c->cfg = &w->cfg;
	c->expected_gpo = -1;
	c->base = strdup("DC=camtest,DC=test");
	c->account.query = "cam-svc";
	c->account.found = true;
	c->account.sam = strdup("cam-svc");
	c->account.dn = strdup("CN=cam-svc,OU=ServiceAccounts,DC=camtest,DC=test");
	c->account.sid = S(DOM "-1105");
	c->account.groups = calloc(1, sizeof(struct iwa_sid));
	c->account.groups[0] = S(DOM "-513");
	c->account.ngroups = 1;
	c->cont = calloc(2, sizeof(*c->cont));
	c->ncont = 2;
	for (size_t i = 0; i < 2; i++) {
		c->cont[i].dn = strdup(dns[i]);
		c->cont[i].found = true;
		assert_int_equal(iwa_gplink_parse(links[i], &c->cont[i].links, NULL), 0);
	}
	c->cont[1].gpoptions = block_web ? 1 : 0;
	c->ncomp = 2;
	for (size_t i = 0; i < 2; i++) {
		struct blg_principal *p = &c->comp[i];
		char buf[64];
		p->query = i ? "SERVER2" : "SERVER1";
		p->found = true;
		p->sam = strdup(i ? "SERVER2$" : "SERVER1$");
		snprintf(buf, sizeof(buf), "CN=SERVER%zu,OU=WebServers,DC=camtest,DC=test", i + 1);
		p->dn = strdup(buf);
		p->sid = S(i ? DOM "-1302" : DOM "-1301");
		p->groups = calloc(2, sizeof(struct iwa_sid));
		p->groups[0] = S(DOM "-515");
		p->ngroups = 1;
		if (i == 1)
			p->groups[p->ngroups++] = S(DOM "-1201");
		p->chain = calloc(2, sizeof(size_t));
		p->chain[0] = 0, p->chain[1] = 1;
		p->nchain = 2;
	}
}

/* Adds a GPO; rights = comma list ("" = defined as nobody, NULL = not defined). */
static struct blg_gpo *add_gpo(struct world *w, const char *guid, const char *name,
			       const char *rights, const char *sd)
{
	struct blg_ctx *c = &w->c;
	struct blg_gpo *g;

	c->gpos = realloc(c->gpos, (c->ngpos + 1) * sizeof(*c->gpos));
	g = &c->gpos[c->ngpos++];
	memset(g, 0, sizeof(*g));
	memcpy(g->guid, guid, 39);
	g->found = true;
	g->name = strdup(name);
	g->version = 3;
	g->machine_ext = strdup("[{827D319E-6EAC-11D2-A4EA-00C04F79F83A}{803E14A0-B4FB-11D0-A0D0-"
				"00A0C90F574B}]");
	g->sd = sd_fixture(sd);
	g->read_done = true;
	g->has_gptini = true;
	g->gpt_version = 3;
	if (rights) {
		g->has_tmpl = true;
		assert_int_equal(iwa_right_list_parse(rights, &g->right, NULL), 0);
	}
	return g;
}

/* Evaluates and renders; returns the text (caller frees); *state_out = root state. */
static char *run(struct world *w, enum iwa_state *state_out)
{
	struct iwa_check *root = iwa_check_new();
	struct iwa_buf b;
	struct iwa_err err = {0};
	char *s;

	assert_non_null(root);
	if (blg_evaluate(&w->c, root, &err) != 0)
		fail_msg("evaluate: %s", err.msg);
	*state_out = iwa_check_state(root);
	iwa_buf_init(&b, 1 << 20);
	assert_int_equal(iwa_check_render(root, "BATCH_LOGON", IWA_FORMAT_TEXT, &b), 0);
	s = iwa_buf_take(&b);
	iwa_check_free(root);
	blg_ctx_free(&w->c);
	return s;
}

static void expect_text(const char *out, const char *needle)
{
	if (strstr(out, needle) == NULL)
		fail_msg("output lacks \"%s\":\n%s", needle, out);
}

static void test_granted_closest_wins(void **state)
{
	struct world w;
	enum iwa_state st;
	char *out;

	/* the domain GPO lists someone else; the OU GPO (closer) wins and lists cam-svc */
	world_init(&w, LINK(G_DOM, 0), LINK(G_WEB, 0), false);
	add_gpo(&w, G_DOM, "Domain-Rights", "*" DOM "-1999", "sd_default.bin");
	add_gpo(&w, G_WEB, "IIS-BatchLogon-GPO", "*" DOM "-1105,*S-1-5-32-568", "sd_default.bin");
	out = run(&w, &st);
	assert_int_equal(st, IWA_OK);
	expect_text(out, "BATCH_LOGON OK - cam-svc holds SeBatchLogonRight on SERVER1, SERVER2 via "
			 "IIS-BatchLogon-GPO");
	expect_text(out, "1. IIS-BatchLogon-GPO");
	expect_text(out, "2. Domain-Rights");
	free(out);
	(void)state;
}

static void test_enforced_domain_overrides(void **state)
{
	struct world w;
	enum iwa_state st;
	char *out;

	/* an ENFORCED domain GPO without cam-svc beats the OU's GPO, even through a block */
	world_init(&w, LINK(G_DOM, 2), LINK(G_WEB, 0), true);
	add_gpo(&w, G_DOM, "Domain-Rights", "*S-1-5-32-544", "sd_default.bin");
	add_gpo(&w, G_WEB, "IIS-BatchLogon-GPO", "*" DOM "-1105", "sd_default.bin");
	out = run(&w, &st);
	assert_int_equal(st, IWA_CRITICAL);
	expect_text(out, "BATCH_LOGON CRITICAL - SERVER1, SERVER2: Domain-Rights (precedence 1, "
			 "linked at DC=camtest,DC=test) defines SeBatchLogonRight without cam-svc "
			 "or its groups: it grants Administrators");
	expect_text(out, "(link order 1, enforced)");
	free(out);
	(void)state;
}

static void test_security_filtering(void **state)
{
	struct world w;
	enum iwa_state st;
	char *out;

	/* Apply only for group -1201: SERVER2 is in it, SERVER1 is not */
	world_init(&w, "", LINK(G_WEB, 0), false);
	add_gpo(&w, G_WEB, "IIS-BatchLogon-GPO", "*" DOM "-1105,*S-1-5-32-568",
		"sd_filtered_group.bin");
	out = run(&w, &st);
	assert_int_equal(st, IWA_CRITICAL);
	expect_text(out, "BATCH_LOGON CRITICAL - SERVER1: security filtering excludes SERVER1: "
			 "neither SERVER1$ nor its groups have Apply Group Policy on "
			 "IIS-BatchLogon-GPO");
	expect_text(out,
		    "[OK] SERVER2: SeBatchLogonRight granted to cam-svc by IIS-BatchLogon-GPO");
	expect_text(out, "filtered out by its DACL");
	free(out);
	(void)state;
}

static void test_deny_ace(void **state)
{
	struct world w;
	enum iwa_state st;
	char *out;

	world_init(&w, "", LINK(G_WEB, 0), false);
	add_gpo(&w, G_WEB, "IIS-BatchLogon-GPO", "*" DOM "-1105,*S-1-5-32-568",
		"sd_deny_server1.bin");
	out = run(&w, &st);
	assert_int_equal(st, IWA_CRITICAL);
	expect_text(out, "SERVER1: security filtering excludes SERVER1: a deny ACE for SERVER1$ "
			 "refuses Apply Group Policy on IIS-BatchLogon-GPO");
	expect_text(out, "[OK] SERVER2");
	free(out);
	(void)state;
}

static void test_warnings(void **state)
{
	struct world w;
	enum iwa_state st;
	struct blg_gpo *g;
	char *out;

	/* granted, but: WMI filter on the winner, IIS_IUSRS dropped, GPT.INI missing */
	world_init(&w, "", LINK(G_WEB, 0), false);
	g = add_gpo(&w, G_WEB, "IIS-BatchLogon-GPO", "*" DOM "-513", "sd_default.bin");
	g->wmi = strdup("[camtest.test;{11111111-2222-3333-4444-555555555555};0]");
	g->has_gptini = false;
	g->gptini_error = strdup("GPT.INI missing in SYSVOL");
	out = run(&w, &st);
	assert_int_equal(st, IWA_WARNING);
	expect_text(out, "granted to cam-svc by IIS-BatchLogon-GPO (listed as Domain Users)");
	expect_text(out, "drops IIS_IUSRS (S-1-5-32-568)");
	expect_text(out, "has a WMI filter");
	expect_text(out, "IIS-BatchLogon-GPO: GPT.INI missing in SYSVOL");
	free(out);
	(void)state;
}

static void test_undefined_and_disabled(void **state)
{
	struct world w;
	enum iwa_state st;
	char *out;

	/* no GPO defines the right: WARNING; a disabled link to one that does: CRITICAL */
	world_init(&w, LINK(G_DOM, 0), LINK(G_WEB, 0), false);
	add_gpo(&w, G_DOM, "Domain-Rights", NULL, "sd_default.bin");
	add_gpo(&w, G_WEB, "Other", NULL, "sd_default.bin");
	out = run(&w, &st);
	assert_int_equal(st, IWA_WARNING);
	expect_text(out, "no applying GPO defines SeBatchLogonRight");
	free(out);

	world_init(&w, LINK(G_DOM, 0), LINK(G_OTHER, 0) LINK(G_WEB, 1), false);
	add_gpo(&w, G_DOM, "Domain-Rights", NULL, "sd_default.bin");
	add_gpo(&w, G_OTHER, "Other", NULL, "sd_default.bin");
	add_gpo(&w, G_WEB, "IIS-BatchLogon-GPO", "*" DOM "-1105", "sd_default.bin");
	out = run(&w, &st);
	assert_int_equal(st, IWA_CRITICAL);
	expect_text(out, "the link of IIS-BatchLogon-GPO on OU=WebServers,DC=camtest,DC=test is "
			 "disabled (gPLink option 1)");
	free(out);
	(void)state;
}

static void test_above_winner_not_counting(void **state)
{
	struct world w;
	enum iwa_state st;
	struct blg_gpo *g;
	char *out;

	/* the OU's GPO (higher precedence) defines the right but lacks the Security CSE: the
	 * domain's GPO grants; WARNING names the CSE problem */
	world_init(&w, LINK(G_DOM, 0), LINK(G_WEB, 0), false);
	add_gpo(&w, G_DOM, "Domain-Rights", "*" DOM "-1105,*S-1-5-32-568", "sd_default.bin");
	g = add_gpo(&w, G_WEB, "IIS-BatchLogon-GPO", "*S-1-5-32-544", "sd_default.bin");
	free(g->machine_ext);
	g->machine_ext = strdup("[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}]");
	out = run(&w, &st);
	assert_int_equal(st, IWA_WARNING);
	expect_text(out, "IIS-BatchLogon-GPO defines SeBatchLogonRight, but its "
			 "gPCMachineExtensionNames lacks the Security CSE");
	expect_text(out, "granted to cam-svc by Domain-Rights");
	free(out);

	/* the same GPO with a DACL we cannot read: the verdict is uncertain -> UNKNOWN */
	world_init(&w, LINK(G_DOM, 0), LINK(G_WEB, 0), false);
	add_gpo(&w, G_DOM, "Domain-Rights", "*" DOM "-1105,*S-1-5-32-568", "sd_default.bin");
	g = add_gpo(&w, G_WEB, "IIS-BatchLogon-GPO", "*S-1-5-32-544", "sd_default.bin");
	iwa_secdesc_free(g->sd);
	g->sd = NULL;
	g->sd_error = strdup("nTSecurityDescriptor not readable with our credentials");
	out = run(&w, &st);
	assert_int_equal(st, IWA_UNKNOWN);
	expect_text(out, "cannot evaluate security filtering of IIS-BatchLogon-GPO: "
			 "nTSecurityDescriptor not readable with our credentials");
	free(out);
	(void)state;
}

static void test_wrong_ou(void **state)
{
	struct world w;
	struct blg_ctx *c = &w.c;
	struct blg_gpo *g;
	enum iwa_state st;
	char *out;

	/* --gpo linked only to OU=ServiceAccounts (user accounts); SERVER1 in OU=WebServers,
	 * SERVER2 in the CN=Computers container */
	world_init(&w, "", "", false);
	w.cfg.gpo = "IIS-BatchLogon-GPO";
	c->cont = realloc(c->cont, 3 * sizeof(*c->cont));
	memset(&c->cont[2], 0, sizeof(c->cont[2]));
	c->cont[2].dn = strdup("CN=Computers,DC=camtest,DC=test");
	c->cont[2].found = true;
	c->ncont = 3;
	c->comp[1].chain[1] = 2;
	free(c->comp[1].dn);
	c->comp[1].dn = strdup("CN=SERVER2,CN=Computers,DC=camtest,DC=test");
	g = add_gpo(&w, G_WEB, "IIS-BatchLogon-GPO", "*" DOM "-1105", "sd_default.bin");
	g->expected = true;
	c->expected_gpo = 0;
	/* what blg_dir_expected_links would have found */
	c->expected_links_searched = true;
	c->nexpected_links = 1;
	c->expected_links = calloc(1, sizeof(char *));
	c->expected_links[0] = strdup("OU=ServiceAccounts,DC=camtest,DC=test");
	c->expected_links_have_users = calloc(1, sizeof(bool));
	c->expected_links_have_computers = calloc(1, sizeof(bool));
	c->expected_links_have_users[0] = true;
	out = run(&w, &st);
	assert_int_equal(st, IWA_CRITICAL);
	expect_text(out,
		    "BATCH_LOGON CRITICAL - IIS-BatchLogon-GPO is linked only to "
		    "OU=ServiceAccounts,DC=camtest,DC=test, which holds user accounts; computer "
		    "settings apply from the computer's own OU chain: link it to "
		    "OU=WebServers,DC=camtest,DC=test (where SERVER1 lives); move SERVER2 out of "
		    "CN=Computers,DC=camtest,DC=test (a container: GPOs cannot be linked to it) "
		    "into an OU that has the link |");
	expect_text(out, "[CRITICAL] SERVER2: no applying GPO grants SeBatchLogonRight to cam-svc "
			 "(IIS-BatchLogon-GPO is not linked on SERVER2's OU chain)");
	free(out);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_granted_closest_wins),
		cmocka_unit_test(test_enforced_domain_overrides),
		cmocka_unit_test(test_security_filtering),
		cmocka_unit_test(test_deny_ace),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_undefined_and_disabled),
		cmocka_unit_test(test_above_winner_not_counting),
		cmocka_unit_test(test_wrong_ou),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
