/* test_negotiate_alias.c — check_negotiate_backend when the URL's host is a DNS alias
 * (portal.camtest.test CNAME lb-vip.camtest.test), offline: which SPNs --spn-from asks for,
 * the state of a missing SPN while the other browsers are served (WARNING) or not
 * (CRITICAL), and the rendered result: first line "Chrome/Edge: OK, Firefox: falls back to
 * NTLM (no HTTP/...)", one group per browser family, the DNS node, perfdata. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check_negotiate_backend.h"
#include "output.h"
#include "util.h"

#define CHAIN "portal.camtest.test CNAME lb-vip.camtest.test A 127.0.20.10"

static void contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("'%s' not found in:\n%s", needle, hay);
}

static void plan(void **state)
{
	bool c, t;

	(void)state;
	nb_spn_plan(NB_SPN_FROM_DEFAULT, true, &c, &t);
	assert_true(c && t);
	nb_spn_plan(NB_SPN_FROM_DEFAULT, false, &c, &t);
	assert_true(!c && t); /* no alias: the typed name only, as before */
	nb_spn_plan(NB_SPN_FROM_CANONICAL, true, &c, &t);
	assert_true(c && !t);
	nb_spn_plan(NB_SPN_FROM_CANONICAL, false, &c, &t);
	assert_true(!c && t); /* no alias: the canonical name is the typed one */
	nb_spn_plan(NB_SPN_FROM_TYPED, true, &c, &t);
	assert_true(!c && t);
	nb_spn_plan(NB_SPN_FROM_BOTH, true, &c, &t);
	assert_true(c && t);
}

/* A run of one target: served (200, mutual verified) or the ticket refused. */
static void mk_run(struct nb_spn_run *r, struct nb_target *t, bool canonical, bool ticket,
		   enum iwa_state target_state)
{
	memset(r, 0, sizeof(*r));
	memset(t, 0, sizeof(*t));
	r->who = canonical ? "Chrome/Edge" : "Firefox";
	r->canonical = canonical;
	snprintf(r->tkt.spn_short, sizeof(r->tkt.spn_short), "HTTP/%s",
		 canonical ? "lb-vip.camtest.test" : "portal.camtest.test");
	r->tkt.ok = ticket;
	r->tkt.cause = ticket ? NB_OK : NB_TICKET_SPN_UNKNOWN;
	if (!ticket)
		snprintf(r->tkt.problem, sizeof(r->tkt.problem), "no Kerberos ticket for %s",
			 r->tkt.spn_short);
	snprintf(t->obs.label, sizeof(t->obs.label), "vip");
	t->v.state = ticket ? target_state : IWA_UNKNOWN;
	t->v.cause = ticket ? NB_OK : NB_NO_TICKET;
	snprintf(t->v.text, sizeof(t->v.text), "vip: %s", ticket ? "HTTP 200" : "not tested");
	if (target_state != IWA_OK)
		snprintf(t->v.summary, sizeof(t->v.summary), "401 after the token");
	r->ts = t;
	r->n = 1;
}

static char *render(struct nb_spn_run *r, size_t nr, enum iwa_state *st)
{
	struct nb_cfg cfg;
	struct iwa_check *root = iwa_check_new(), *groups[2];
	struct iwa_err err;
	struct iwa_buf b;

	memset(&cfg, 0, sizeof(cfg));
	cfg.url_host = (char *)"portal.camtest.test";
	assert_int_equal(nb_alias_groups(root, r, nr, groups, &err), 0);
	assert_int_equal(
		nb_render_alias(root, &cfg, "lb-vip.camtest.test", CHAIN, r, nr, groups, 0, &err),
		0);
	*st = iwa_check_state(root);
	iwa_buf_init(&b, 0);
	assert_int_equal(iwa_check_render(root, "NEGOTIATE", IWA_FORMAT_TEXT, &b), 0);
	iwa_check_free(root);
	return iwa_buf_take(&b);
}

static void firefox_falls_back(void **state)
{
	struct nb_spn_run r[2];
	struct nb_target t[2];
	enum iwa_state st;
	char *s;

	(void)state;
	mk_run(&r[0], &t[0], true, true, IWA_OK);
	mk_run(&r[1], &t[1], false, false, IWA_OK);
	assert_int_equal(nb_spn_ticket_state(r, 2, 1), IWA_WARNING);
	s = render(r, 2, &st);
	assert_int_equal(st, IWA_WARNING);
	contains(s, "NEGOTIATE WARNING - Chrome/Edge: OK, Firefox: falls back to NTLM (no "
		    "HTTP/portal.camtest.test) (" CHAIN ") | canonical_backends_ok=1;;;0;1 ");
	contains(s, "backends_ok=0;;;0;1");
	contains(s, "[OK] Chrome/Edge (HTTP/lb-vip.camtest.test): OK");
	contains(s, "[WARNING] Firefox (HTTP/portal.camtest.test): falls back to NTLM");
	contains(s, "portal.camtest.test is a DNS alias: " CHAIN);
	free(s);
}

static void chrome_falls_back(void **state)
{
	struct nb_spn_run r[2];
	struct nb_target t[2];
	enum iwa_state st;
	char *s;

	(void)state;
	mk_run(&r[0], &t[0], true, false, IWA_OK);
	mk_run(&r[1], &t[1], false, true, IWA_OK);
	s = render(r, 2, &st);
	assert_int_equal(st, IWA_WARNING);
	contains(s, "NEGOTIATE WARNING - Chrome/Edge: falls back to NTLM (no "
		    "HTTP/lb-vip.camtest.test), Firefox: OK");
	free(s);
}

static void both_ok_and_both_broken(void **state)
{
	struct nb_spn_run r[2];
	struct nb_target t[2];
	enum iwa_state st;
	char *s;

	(void)state;
	mk_run(&r[0], &t[0], true, true, IWA_OK);
	mk_run(&r[1], &t[1], false, true, IWA_OK);
	s = render(r, 2, &st);
	assert_int_equal(st, IWA_OK);
	contains(s, "NEGOTIATE OK - Chrome/Edge and Firefox: 1/1 backends accept Kerberos for "
		    "HTTP/lb-vip.camtest.test and HTTP/portal.camtest.test, mutual authentication "
		    "verified (" CHAIN ")");
	free(s);
	/* no SPN at all: nobody is served, a missing ticket stays CRITICAL */
	mk_run(&r[0], &t[0], true, false, IWA_OK);
	mk_run(&r[1], &t[1], false, false, IWA_OK);
	assert_int_equal(nb_spn_ticket_state(r, 2, 0), IWA_CRITICAL);
	s = render(r, 2, &st);
	assert_int_equal(st, IWA_CRITICAL);
	free(s);
	/* the canonical SPN's ticket works but a backend cannot decrypt it: its own state */
	mk_run(&r[0], &t[0], true, true, IWA_CRITICAL);
	mk_run(&r[1], &t[1], false, true, IWA_OK);
	s = render(r, 2, &st);
	assert_int_equal(st, IWA_CRITICAL);
	contains(s, "NEGOTIATE CRITICAL - Chrome/Edge: vip: 401 after the token (0/1 backends "
		    "OK), Firefox: OK");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan),
		cmocka_unit_test(firefox_falls_back),
		cmocka_unit_test(chrome_falls_back),
		cmocka_unit_test(both_ok_and_both_broken),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
