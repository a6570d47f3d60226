/* test_iwa_farm_rules.c — the farm check's correlation (plugins/check_iwa_farm_rules.c), one
 * rule at a time, on facts built in memory: which root cause(s) it names, which failures it
 * lists as consequences (never also as causes), the summary and the JSON member. No I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_iwa_farm.h"
#include "check_negotiate_backend.h"
#include "util.h"

static const char *WRONG_OU = "IIS-BatchLogon-GPO grants SeBatchLogonRight but is linked to "
			      "OU=ServiceAccounts,DC=camtest,DC=test, which holds no computer";

/* A healthy farm: SPN on cam-svc, VIP + two backends OK, the right on both servers. */
static void healthy(struct farm_facts *f)
{
	memset(f, 0, sizeof *f);
	f->account = "CAMTEST\\cam-svc";
	f->spn_run = f->nb_run = f->gpo_run = true;
	snprintf(f->spn, sizeof f->spn, "HTTP/sso.camtest.test");
	f->spn_nowners = f->spn_nlisted = 1;
	snprintf(f->spn_owner[0].name, sizeof f->spn_owner[0].name, "cam-svc");
	f->spn_owner[0].expected = true;
	f->ticket_ok = true;
	f->nt = 3;
	snprintf(f->t[0].label, sizeof f->t[0].label, "vip");
	f->t[0].vip = true;
	for (int i = 1; i <= 2; i++) {
		snprintf(f->t[i].label, sizeof f->t[i].label, "server%d", i);
		snprintf(f->t[i].server, sizeof f->t[i].server, "SERVER%d", i);
	}
	f->ncomp = 2;
	for (int i = 0; i < 2; i++) {
		snprintf(f->comp[i].name, sizeof f->comp[i].name, "SERVER%d", i + 1);
		f->comp[i].found = f->comp[i].holds_right = true;
	}
}

static void set_fail(struct farm_facts *f, size_t i, enum farm_nb_code code, const char *text)
{
	f->t[i].code = code;
	f->t[i].state = code == FARM_NB_NO_TICKET ? IWA_UNKNOWN : IWA_CRITICAL;
	snprintf(f->t[i].text, sizeof f->t[i].text, "%s", text);
	f->nb_state = IWA_CRITICAL;
}

static bool has_cons(const struct farm_result *r, const char *needle)
{
	for (size_t i = 0; i < r->ncons; i++)
		if (strstr(r->consequence[i], needle) != NULL)
			return true;
	return false;
}

static char *summary(const struct farm_facts *f, const struct farm_result *r)
{
	struct iwa_buf b;
	iwa_buf_init(&b, 0);
	assert_int_equal(farm_summary(f, r, &b), 0);
	char *s = iwa_buf_take(&b);
	iwa_buf_free(&b);
	return s;
}

static void test_healthy(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 0);
	assert_int_equal(r.ncons, 0);
	char *s = summary(&f, &r);
	assert_string_equal(s, "farm healthy: HTTP/sso.camtest.test on cam-svc; 2 backend(s) and "
			       "the VIP accept Kerberos; CAMTEST\\cam-svc holds the batch logon "
			       "right on every server");
	free(s);
}

/* spn-missing: ONE cause (the SPN with setspn -S), every backend untested a consequence. */
static void test_spn_missing(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	f.spn_nowners = f.spn_nlisted = 0;
	f.spn_state = IWA_CRITICAL;
	f.ticket_ok = false;
	for (size_t i = 0; i < 3; i++)
		set_fail(&f, i, FARM_NB_NO_TICKET, "Kerberos not tested");
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 1);
	assert_string_equal(r.cause[0].rule, "spn-missing");
	assert_string_equal(r.cause[0].layer, "spn");
	assert_string_equal(r.cause[0].fix, "setspn -S HTTP/sso.camtest.test cam-svc");
	assert_true(has_cons(&r, "server1 not tested (no key for the SPN)"));
	assert_true(has_cons(&r, "server2 not tested"));
	assert_true(has_cons(&r, "vip not tested"));
	assert_true(has_cons(&r, "no Kerberos ticket"));
	char *s = summary(&f, &r);
	assert_non_null(strstr(s,
			       "root cause: [spn HTTP/sso.camtest.test] HTTP/sso.camtest.test is "
			       "registered on no account; consequences: "));
	free(s);
}

/* dup-spn: ONE cause naming both owners, fix removes it from the wrong one only. */
static void test_spn_duplicate(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	f.spn_nowners = f.spn_nlisted = 2;
	snprintf(f.spn_owner[1].name, sizeof f.spn_owner[1].name, "SERVER1$");
	f.spn_owner[1].computer = true;
	f.spn_state = IWA_CRITICAL;
	f.ticket_ok = false;
	for (size_t i = 0; i < 3; i++)
		set_fail(&f, i, FARM_NB_NO_TICKET, "Kerberos not tested");
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 1);
	assert_string_equal(r.cause[0].rule, "spn-duplicate");
	assert_non_null(strstr(r.cause[0].cause, "cam-svc and SERVER1$ (computer)"));
	assert_string_equal(r.cause[0].fix, "setspn -D HTTP/sso.camtest.test SERVER1");
	assert_int_equal(r.ncons, 4);
}

/* spn-on-computer: cause = the SPN's place; both backends' wrong key are consequences. */
static void test_spn_wrong_account(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	snprintf(f.spn_owner[0].name, sizeof f.spn_owner[0].name, "SERVER1$");
	f.spn_owner[0].computer = true;
	f.spn_owner[0].expected = false;
	f.spn_state = IWA_CRITICAL;
	for (size_t i = 0; i < 3; i++)
		set_fail(&f, i, FARM_NB_WRONG_KEY, "cannot decrypt the ticket");
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 1);
	assert_string_equal(r.cause[0].rule, "spn-wrong-account");
	assert_string_equal(r.cause[0].cause, "HTTP/sso.camtest.test is registered on SERVER1$ "
					      "(computer account) instead of cam-svc");
	assert_string_equal(r.cause[0].fix, "setspn -D HTTP/sso.camtest.test SERVER1; setspn -S "
					    "HTTP/sso.camtest.test cam-svc");
	assert_true(has_cons(&r, "server2 401 after the Kerberos token (wrong key)"));
	assert_int_equal(r.ncons, 3);
}

/* No ticket with the SPN in place: the ticket (KDC's answer) is the cause. */
static void test_ticket(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	f.ticket_ok = false;
	snprintf(f.ticket_text, sizeof f.ticket_text, "no Kerberos ticket: clock skew");
	for (size_t i = 0; i < 3; i++)
		set_fail(&f, i, FARM_NB_NO_TICKET, "Kerberos not tested");
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 1);
	assert_string_equal(r.cause[0].rule, "ticket");
	assert_string_equal(r.cause[0].fix, "synchronize the clocks (NTP)");
	assert_int_equal(r.ncons, 3);
}

/* 503 on server1 + no right on SERVER1 -> the GPO finding, 503 its symptom. */
static void test_503_no_right(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	set_fail(&f, 1, FARM_NB_503, "server1: HTTP 503");
	set_fail(&f, 0, FARM_NB_503, "vip: HTTP 503");
	f.comp[0].holds_right = f.comp[1].holds_right = false;
	f.comp[0].wrong_ou = f.comp[1].wrong_ou = true;
	f.gpo_state = IWA_CRITICAL;
	snprintf(f.gpo_text, sizeof f.gpo_text, "%s", WRONG_OU);
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 1);
	assert_string_equal(r.cause[0].rule, "503-no-batch-right");
	assert_string_equal(r.cause[0].layer, "gpo");
	assert_string_equal(r.cause[0].object, "SERVER1");
	assert_string_equal(r.cause[0].cause, WRONG_OU);
	assert_true(has_cons(&r, "server1 HTTP 503 (application pool stopped: no batch logon "
				 "right)"));
	assert_true(has_cons(&r, "vip HTTP 503 (the balancer forwards to a failing backend)"));
	assert_int_equal(r.ncons, 2);
}

/* 503 with the right in place -> the pool stopped for another reason. */
static void test_503_right_ok(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	set_fail(&f, 1, FARM_NB_503, "server1: HTTP 503");
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 1);
	assert_string_equal(r.cause[0].rule, "503-right-ok");
	assert_string_equal(r.cause[0].cause, "server1: HTTP 503, application pool stopped for "
					      "another reason (batch logon right is in place)");
	assert_string_equal(r.cause[0].object, "SERVER1");
}

/* Wrong key on one backend, SPN on the account -> that server's IIS setting. */
static void test_wrong_key(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	set_fail(&f, 2, FARM_NB_WRONG_KEY, "server2: cannot decrypt the ticket");
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 1);
	assert_string_equal(r.cause[0].rule, "wrong-key");
	assert_string_equal(r.cause[0].object, "SERVER2");
	assert_non_null(strstr(r.cause[0].fix, "on SERVER2 set windowsAuthentication "
					       "useAppPoolCredentials=true"));
}

/* A GPO finding with every backend fine is still a root cause, with no consequence. */
static void test_gpo_alone(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	f.comp[0].holds_right = f.comp[1].holds_right = false;
	f.gpo_state = IWA_CRITICAL;
	snprintf(f.gpo_text, sizeof f.gpo_text, "%s", WRONG_OU);
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 1);
	assert_string_equal(r.cause[0].rule, "gpo");
	assert_string_equal(r.cause[0].object, "SERVER1, SERVER2");
	assert_int_equal(r.ncons, 0);
}

/* A backend down: its own cause, text split into cause and fix at " — ". */
static void test_backend_other(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	set_fail(&f, 1, FARM_NB_DOWN, "server1: connection refused — start the web server");
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 1);
	assert_string_equal(r.cause[0].rule, "backend");
	assert_string_equal(r.cause[0].cause, "server1: connection refused");
	assert_string_equal(r.cause[0].fix, "start the web server");
}

/* The VIP alone failing (every backend OK) -> the balancer. */
static void test_vip(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	set_fail(&f, 0, FARM_NB_DOWN, "vip: connection refused");
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 1);
	assert_string_equal(r.cause[0].rule, "vip");
	assert_int_equal(r.ncons, 0);
}

/* EPA at the VIP (TLS terminated by the balancer) stays the balancer's cause even when a
 * backend fails too. */
static void test_vip_epa(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	set_fail(&f, 0, FARM_NB_EPA,
		 "vip: the balancer presents another certificate — pass TLS through (L4)");
	set_fail(&f, 1, FARM_NB_DOWN, "server1: connection refused");
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 2);
	assert_string_equal(r.cause[0].rule, "backend");
	assert_string_equal(r.cause[1].rule, "vip");
	assert_string_equal(r.cause[1].fix, "pass TLS through (L4)");
	assert_int_equal(r.ncons, 0);
}

/* The VIP's line splits into cause and fix at " — " (the fix is not repeated in the cause). */
static void test_vip_epa_split(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	set_fail(&f, 0, FARM_NB_EPA,
		 "vip: HTTP 401 to the token bound to the VIP's certificate — the VIP presents "
		 "another certificate than the backends");
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 1);
	assert_string_equal(r.cause[0].rule, "vip");
	assert_string_equal(r.cause[0].cause,
			    "vip: HTTP 401 to the token bound to the VIP's certificate");
	assert_string_equal(r.cause[0].fix,
			    "the VIP presents another certificate than the backends");
}

/* Backends that differ in Extended Protection: one cause naming every level, not one per
 * backend. */
static void test_epa_differs(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	for (size_t i = 1; i <= 2; i++) {
		set_fail(&f, i, FARM_NB_EPA,
			 "serverN: HTTP 200 ...; Extended Protection X — differ");
		f.t[i].state = IWA_WARNING;
		f.t[i].epa_differs = true;
	}
	snprintf(f.t[1].epa_level, sizeof f.t[1].epa_level, "Require");
	snprintf(f.t[2].epa_level, sizeof f.t[2].epa_level, "Allow");
	f.nb_state = IWA_WARNING;
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 1);
	assert_string_equal(r.cause[0].rule, "epa-differs");
	assert_int_equal(r.cause[0].state, IWA_WARNING);
	assert_string_equal(r.cause[0].object, "SERVER1, SERVER2");
	assert_string_equal(r.cause[0].cause,
			    "the backends differ in Extended Protection (server1 Require, server2 "
			    "Allow)");
	assert_non_null(strstr(r.cause[0].fix, "tokenChecking) on every server of the farm"));
	char *s = summary(&f, &r);
	assert_string_equal(s, "root cause: [backends SERVER1, SERVER2] the backends differ in "
			       "Extended Protection (server1 Require, server2 Allow)");
	free(s);
}

/* The SPN layer's other findings (a variant on another account). */
static void test_spn_other(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	f.spn_state = IWA_WARNING;
	snprintf(f.spn_text, sizeof f.spn_text, "HOST/sso.camtest.test is held by SERVER2$");
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 1);
	assert_string_equal(r.cause[0].rule, "spn-other");
	assert_int_equal(r.cause[0].state, IWA_WARNING);
}

/* Two scenarios at once: duplicate SPN + server1 down -> both causes, the untested backends
 * consequences only. */
static void test_two_causes(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	f.spn_nowners = f.spn_nlisted = 2;
	snprintf(f.spn_owner[1].name, sizeof f.spn_owner[1].name, "SERVER1$");
	f.ticket_ok = false;
	set_fail(&f, 0, FARM_NB_NO_TICKET, "Kerberos not tested");
	set_fail(&f, 1, FARM_NB_DOWN, "server1: connection refused");
	set_fail(&f, 2, FARM_NB_NO_TICKET, "Kerberos not tested");
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 2);
	assert_string_equal(r.cause[0].rule, "spn-duplicate");
	assert_string_equal(r.cause[1].rule, "backend");
	assert_string_equal(r.cause[1].object, "SERVER1");
	assert_true(has_cons(&r, "server2 not tested"));
	assert_true(has_cons(&r, "vip not tested"));
	assert_false(has_cons(&r, "server1"));
}

/* RC4: the SPN layer's finding on the account is the cause, the RC4 ticket its consequence. */
static void test_rc4(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	f.spn_state = IWA_WARNING;
	snprintf(f.spn_text, sizeof f.spn_text,
		 "cam-svc allows only RC4 (msDS-SupportedEncryptionTypes=4): tickets are RC4; set "
		 "msDS-SupportedEncryptionTypes=24 on cam-svc");
	f.ticket_state = IWA_WARNING;
	f.nb_state = IWA_WARNING;
	snprintf(f.ticket_enc_text, sizeof f.ticket_enc_text, "ticket: RC4");
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 1);
	assert_string_equal(r.cause[0].rule, "rc4");
	assert_string_equal(r.cause[0].layer, "spn");
	assert_string_equal(r.cause[0].fix, "set msDS-SupportedEncryptionTypes=24 on cam-svc");
	assert_true(has_cons(&r, "the service ticket for HTTP/sso.camtest.test is RC4"));
	/* the RC4 ticket alone (SPN layer skipped) is the cause itself */
	f.spn_run = false;
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 1);
	assert_string_equal(r.cause[0].layer, "kerberos");
	assert_int_equal(r.ncons, 0);
}

/* A failing layer no rule explains is never reported healthy. */
static void test_layer(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	(void)st;
	healthy(&f);
	f.nb_state = IWA_WARNING;
	assert_int_equal(farm_correlate(&f, &r), 0);
	assert_int_equal(r.ncauses, 1);
	assert_string_equal(r.cause[0].rule, "layer");
	assert_int_equal(r.cause[0].state, IWA_WARNING);
}

/* Every rule of the table has a test above (a new rule without one fails here). */
static void test_every_rule_tested(void **st)
{
	static const char *tested[] = {"spn-missing",
				       "spn-duplicate",
				       "spn-wrong-account",
				       "ticket",
				       "503-no-batch-right",
				       "503-right-ok",
				       "wrong-key",
				       "rc4",
				       "gpo",
				       "epa-differs",
				       "backend",
				       "vip",
				       "spn-other",
				       "layer"};
	(void)st;
	assert_int_equal(farm_nrules, sizeof tested / sizeof tested[0]);
	for (size_t i = 0; i < farm_nrules; i++)
		assert_string_equal(farm_rules[i].id, tested[i]);
}

static void test_json(void **st)
{
	struct farm_facts f;
	struct farm_result r;
	struct iwa_buf b;
	(void)st;
	healthy(&f);
	set_fail(&f, 2, FARM_NB_WRONG_KEY, "x");
	assert_int_equal(farm_correlate(&f, &r), 0);
	iwa_buf_init(&b, 0);
	assert_int_equal(farm_json(&r, &b), 0);
	assert_non_null(strstr(b.data, "\"root_causes\":[{\"layer\":\"backends\",\"object\":"
				       "\"SERVER2\",\"cause\":"));
	assert_non_null(strstr(b.data, ",\"consequences\":[]"));
	iwa_buf_free(&b);
}

static void test_code_from_cause(void **st)
{
	(void)st;
	assert_int_equal(farm_nb_code_from_cause(NB_OK), FARM_NB_OK);
	assert_int_equal(farm_nb_code_from_cause(NB_HTTP_503), FARM_NB_503);
	assert_int_equal(farm_nb_code_from_cause(NB_WRONG_KEY), FARM_NB_WRONG_KEY);
	assert_int_equal(farm_nb_code_from_cause(NB_NO_TICKET), FARM_NB_NO_TICKET);
	assert_int_equal(farm_nb_code_from_cause(NB_UNREACHABLE), FARM_NB_DOWN);
	assert_int_equal(farm_nb_code_from_cause(NB_TIMEOUT_ANSWER), FARM_NB_DOWN);
	assert_int_equal(farm_nb_code_from_cause(NB_NO_NEGOTIATE), FARM_NB_NTLM_ONLY);
	assert_int_equal(farm_nb_code_from_cause(NB_CLOCK_SKEW), FARM_NB_SKEW);
	assert_int_equal(farm_nb_code_from_cause(NB_NO_KEY_KVNO), FARM_NB_NO_KEY);
	assert_int_equal(farm_nb_code_from_cause(NB_EPA_TLS_TERMINATED), FARM_NB_EPA);
	assert_int_equal(farm_nb_code_from_cause(NB_REDIRECT), FARM_NB_OTHER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy),
		cmocka_unit_test(test_spn_missing),
		cmocka_unit_test(test_spn_duplicate),
		cmocka_unit_test(test_spn_wrong_account),
		cmocka_unit_test(test_ticket),
		cmocka_unit_test(test_503_no_right),
		cmocka_unit_test(test_503_right_ok),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_gpo_alone),
		cmocka_unit_test(test_backend_other),
		cmocka_unit_test(test_vip),
		cmocka_unit_test(test_spn_other),
		cmocka_unit_test(test_vip_epa),
		cmocka_unit_test(test_vip_epa_split),
		cmocka_unit_test(test_epa_differs),
		cmocka_unit_test(test_two_causes),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_code_from_cause),
		cmocka_unit_test(test_rc4),
		cmocka_unit_test(test_layer),
		cmocka_unit_test(test_every_rule_tested),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
