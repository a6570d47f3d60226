/* test_gss_ticket.c — common/gss.c without a KDC: the service-ticket logic against FILE:
 * caches built by the test (a cached ticket is used as is, its enctype and kvno decoded;
 * --fresh removes only that ticket and keeps the cache and its TGT; errors are classified:
 * our credentials vs an unreachable KDC), and GSS contexts made from a cached ticket (a token
 * comes out with no KDC at all: the realm's KDC is a closed port).
 * Everything lives in a temporary folder under the current directory (the build dir). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <krb5.h>

#include "gss.h"

static char dir[1024];
static char conf[1100];

/* ---- a minimal DER encoder for a Ticket (RFC 4120 5.3) ---- */

struct der {
	unsigned char b[1024];
	size_t n;
};

/* Appends tag, length, content. */
static void tlv(struct der *d, unsigned char tag, const void *data, size_t len)
{
	assert_true(d->n + len + 4 <= sizeof(d->b));
	d->b[d->n++] = tag;
	if (len < 128) {
		d->b[d->n++] = (unsigned char)len;
	} else {
		d->b[d->n++] = 0x82;
		d->b[d->n++] = (unsigned char)(len >> 8);
		d->b[d->n++] = (unsigned char)len;
	}
	memcpy(d->b + d->n, data, len);
	d->n += len;
}

static void wrap(struct der *out, unsigned char tag, const struct der *in)
{
	tlv(out, tag, in->b, in->n);
}

static void der_int(struct der *d, unsigned char ctx_tag, int v)
{
	struct der i = {{0}, 0};
	unsigned char c = (unsigned char)v;
	tlv(&i, 0x02, &c, 1);
	wrap(d, ctx_tag, &i);
}

static void der_str(struct der *d, unsigned char ctx_tag, const char *s)
{
	struct der i = {{0}, 0};
	tlv(&i, 0x1b, s, strlen(s));
	wrap(d, ctx_tag, &i);
}

/* Ticket for svc/host@realm whose enc-part says etype/kvno (the cipher is junk). */
static void make_ticket(struct der *t, const char *realm, const char *svc, const char *host,
			int etype, int kvno)
{
	struct der seq = {{0}, 0}, sname = {{0}, 0}, names = {{0}, 0}, names_seq = {{0}, 0};
	struct der sname_seq = {{0}, 0}, enc = {{0}, 0}, enc_seq = {{0}, 0}, all = {{0}, 0};
	struct der junk = {{0}, 0};
	unsigned char cipher[48];

	der_int(&seq, 0xa0, 5);
	der_str(&seq, 0xa1, realm);
	der_int(&sname, 0xa0, 2);
	tlv(&names, 0x1b, svc, strlen(svc));
	tlv(&names, 0x1b, host, strlen(host));
	wrap(&names_seq, 0x30, &names);
	wrap(&sname, 0xa1, &names_seq);
	wrap(&sname_seq, 0x30, &sname);
	wrap(&seq, 0xa2, &sname_seq);
	der_int(&enc, 0xa0, etype);
	der_int(&enc, 0xa1, kvno);
	memset(cipher, 0x5a, sizeof(cipher));
	tlv(&junk, 0x04, cipher, sizeof(cipher));
	wrap(&enc, 0xa2, &junk);
	wrap(&enc_seq, 0x30, &enc);
	wrap(&seq, 0xa3, &enc_seq);
	wrap(&all, 0x30, &seq);
	t->n = 0;
	wrap(t, 0x61, &all);
}

/* ---- caches ---- */

/* Creates FILE:<dir>/<name> for client@TEST.REALM with a TGT and, when svc_host is set, a
 * service ticket for HTTP/<svc_host>@TEST.REALM ending at `svc_end`. */
static void make_cache(const char *name, bool tgt, const char *svc_host, time_t svc_end,
		       char *ccname, size_t len)
{
	krb5_context k;
	krb5_ccache cc;
	krb5_principal client;
	krb5_creds cr;
	unsigned char key[32];
	struct der t = {{0}, 0};

	snprintf(ccname, len, "FILE:%s/%s", dir, name);
	assert_int_equal(krb5_init_context(&k), 0);
	assert_int_equal(krb5_cc_resolve(k, ccname, &cc), 0);
	assert_int_equal(krb5_parse_name(k, "monitor@TEST.REALM", &client), 0);
	assert_int_equal(krb5_cc_initialize(k, cc, client), 0);
	memset(key, 0x11, sizeof(key));
	time_t now = time(NULL);
	if (tgt) {
		memset(&cr, 0, sizeof(cr));
		cr.client = client;
		assert_int_equal(krb5_parse_name(k, "krbtgt/TEST.REALM@TEST.REALM", &cr.server), 0);
		cr.keyblock.enctype = ENCTYPE_AES256_CTS_HMAC_SHA1_96;
		cr.keyblock.length = 32;
		cr.keyblock.contents = key;
		cr.times.authtime = cr.times.starttime = (krb5_timestamp)(now - 60);
		cr.times.endtime = (krb5_timestamp)(now + 36000);
		make_ticket(&t, "TEST.REALM", "krbtgt", "TEST.REALM", 18, 1);
		cr.ticket.data = (char *)t.b;
		cr.ticket.length = (unsigned)t.n;
		assert_int_equal(krb5_cc_store_cred(k, cc, &cr), 0);
		krb5_free_principal(k, cr.server);
	}
	if (svc_host != NULL) {
		char sname[256];
		memset(&cr, 0, sizeof(cr));
		cr.client = client;
		snprintf(sname, sizeof(sname), "HTTP/%s@TEST.REALM", svc_host);
		assert_int_equal(krb5_parse_name(k, sname, &cr.server), 0);
		cr.keyblock.enctype = ENCTYPE_AES256_CTS_HMAC_SHA1_96;
		cr.keyblock.length = 32;
		cr.keyblock.contents = key;
		cr.times.authtime = cr.times.starttime = (krb5_timestamp)(now - 60);
		cr.times.endtime = (krb5_timestamp)svc_end;
		make_ticket(&t, "TEST.REALM", "HTTP", svc_host, 18, 7);
		cr.ticket.data = (char *)t.b;
		cr.ticket.length = (unsigned)t.n;
		assert_int_equal(krb5_cc_store_cred(k, cc, &cr), 0);
		krb5_free_principal(k, cr.server);
	}
	krb5_free_principal(k, client);
	krb5_cc_close(k, cc);
	krb5_free_context(k);
}

/* Whether the cache still holds a TGT (it was not destroyed). */
static bool cache_has_tgt(const char *ccname)
{
	krb5_context k;
	krb5_ccache cc;
	krb5_creds m, out;
	bool ok = false;
	assert_int_equal(krb5_init_context(&k), 0);
	assert_int_equal(krb5_cc_resolve(k, ccname, &cc), 0);
	memset(&m, 0, sizeof(m));
	if (krb5_cc_get_principal(k, cc, &m.client) == 0 &&
	    krb5_parse_name(k, "krbtgt/TEST.REALM@TEST.REALM", &m.server) == 0 &&
	    krb5_cc_retrieve_cred(k, cc, 0, &m, &out) == 0) {
		ok = true;
		krb5_free_cred_contents(k, &out);
	}
	krb5_free_principal(k, m.client);
	krb5_free_principal(k, m.server);
	krb5_cc_close(k, cc);
	krb5_free_context(k);
	return ok;
}

static int setup(void **state)
{
	(void)state;
	char rel[] = "gss_test.XXXXXX";
	if (mkdtemp(rel) == NULL)
		return -1;
	char abs[400];
	if (getcwd(abs, sizeof(abs)) == NULL)
		return -1;
	snprintf(dir, sizeof(dir), "%s/%s", abs, rel);
	snprintf(conf, sizeof(conf), "%s/krb5.conf", dir);
	FILE *f = fopen(conf, "w");
	if (f == NULL)
		return -1;
	/* The realm's KDC is a closed local port: any KDC exchange fails at once. */
	fprintf(f, "[libdefaults]\n default_realm = TEST.REALM\n dns_lookup_kdc = false\n"
		   " dns_lookup_realm = false\n udp_preference_limit = 0\n"
		   "[realms]\n TEST.REALM = {\n  kdc = 127.0.0.1:1\n }\n");
	fclose(f);
	setenv("KRB5_CONFIG", conf, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[sizeof(dir) + 16];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_cached_ticket(void **state)
{
	char cc[1200];
	struct iwa_gss_ticket tk;
	struct iwa_err err;
	(void)state;
	make_cache("cached", true, "sso.test", time(NULL) + 3600, cc, sizeof(cc));
	assert_int_equal(
		iwa_gss_service_ticket(cc, "HTTP/sso.test@TEST.REALM", false, 0, &tk, &err), 0);
	assert_true(tk.cached);
	assert_false(tk.removed_old);
	assert_int_equal(tk.kvno, 7);
	assert_int_equal(tk.enctype_num, 18);
	assert_string_equal(tk.enctype, "aes256-cts-hmac-sha1-96");
	assert_string_equal(tk.session_enctype, "aes256-cts-hmac-sha1-96");
	assert_string_equal(tk.client, "monitor@TEST.REALM");
	assert_string_equal(tk.server, "HTTP/sso.test@TEST.REALM");
	assert_int_equal(tk.fail, IWA_GSS_TKT_OK);
}

static void test_fresh_removes_only_that_ticket(void **state)
{
	char cc[1200];
	struct iwa_gss_ticket tk;
	struct iwa_err err;
	(void)state;
	make_cache("fresh", true, "sso.test", time(NULL) + 3600, cc, sizeof(cc));
	int rc = iwa_gss_service_ticket(cc, "HTTP/sso.test@TEST.REALM", true, 0, &tk, &err);
	/* the cached ticket was removed; the new TGS request cannot reach the KDC */
	assert_int_equal(rc, IWA_EIO);
	assert_true(tk.removed_old);
	assert_false(tk.cached);
	assert_int_equal(tk.fail, IWA_GSS_TKT_KDC_UNREACHABLE);
	assert_non_null(strstr(err.msg, "HTTP/sso.test@TEST.REALM"));
	assert_true(tk.kdc_message[0] != '\0');
	/* the cache and its TGT are still there */
	assert_true(cache_has_tgt(cc));
	/* and the removed ticket is gone: asking again is not served from the cache */
	rc = iwa_gss_service_ticket(cc, "HTTP/sso.test@TEST.REALM", false, 0, &tk, &err);
	assert_int_equal(rc, IWA_EIO);
	assert_false(tk.cached);
}

static void test_expired_ticket_not_used(void **state)
{
	char cc[1200];
	struct iwa_gss_ticket tk;
	struct iwa_err err;
	(void)state;
	make_cache("expired", true, "sso.test", time(NULL) - 10, cc, sizeof(cc));
	assert_int_equal(
		iwa_gss_service_ticket(cc, "HTTP/sso.test@TEST.REALM", false, 0, &tk, &err),
		IWA_EIO);
	assert_false(tk.cached);
	assert_int_equal(tk.fail, IWA_GSS_TKT_KDC_UNREACHABLE);
}

static void test_other_principal_not_cached(void **state)
{
	char cc[1200];
	struct iwa_gss_ticket tk;
	struct iwa_err err;
	(void)state;
	/* exact principal: HTTP/SSO.test is not HTTP/sso.test (no canonicalization) */
	make_cache("exact", true, "sso.test", time(NULL) + 3600, cc, sizeof(cc));
	assert_int_equal(
		iwa_gss_service_ticket(cc, "HTTP/other.test@TEST.REALM", false, 0, &tk, &err),
		IWA_EIO);
	assert_false(tk.cached);
}

static void test_no_tgt_is_our_problem(void **state)
{
	char cc[1200];
	struct iwa_gss_ticket tk;
	struct iwa_err err;
	(void)state;
	make_cache("notgt", false, NULL, 0, cc, sizeof(cc));
	assert_int_equal(
		iwa_gss_service_ticket(cc, "HTTP/sso.test@TEST.REALM", false, 0, &tk, &err),
		IWA_EAUTH);
	assert_int_equal(tk.fail, IWA_GSS_TKT_OWN_CREDS);

	char missing[1200];
	snprintf(missing, sizeof(missing), "FILE:%s/does-not-exist", dir);
	assert_int_equal(
		iwa_gss_service_ticket(missing, "HTTP/sso.test@TEST.REALM", false, 0, &tk, &err),
		IWA_EAUTH);
	assert_int_equal(tk.fail, IWA_GSS_TKT_OWN_CREDS);
	char buf[128];
	assert_int_equal(iwa_gss_ccache_client(missing, buf, sizeof(buf), &err), IWA_EAUTH);
}

static void test_ccache_client(void **state)
{
	char cc[1200], buf[128];
	struct iwa_err err;
	(void)state;
	make_cache("client", true, NULL, 0, cc, sizeof(cc));
	assert_int_equal(iwa_gss_ccache_client(cc, buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "monitor@TEST.REALM");
	assert_string_equal(iwa_gss_principal_realm(buf), "TEST.REALM");
}

/* One context per backend from the one cached ticket: each yields an initial SPNEGO token
 * although no KDC can be reached, and none completes before the server's answer (mutual
 * authentication requested). */
static void test_contexts_from_cached_ticket(void **state)
{
	char cc[1200];
	struct iwa_gss_cred *cred = NULL;
	struct iwa_err err;
	(void)state;
	make_cache("ctx", true, "sso.test", time(NULL) + 3600, cc, sizeof(cc));
	for (int mech = IWA_GSS_MECH_SPNEGO; mech <= IWA_GSS_MECH_KRB5; mech++) {
		assert_int_equal(iwa_gss_cred_acquire(cc, (enum iwa_gss_mech)mech, &cred, &err), 0);
		for (int i = 0; i < 3; i++) {
			struct iwa_gss_ctx *ctx = NULL;
			void *tok = NULL;
			size_t tl = 0;
			bool complete = true;
			assert_int_equal(
				iwa_gss_ctx_new(cred, "HTTP/sso.test@TEST.REALM", &ctx, &err), 0);
			if (iwa_gss_ctx_step(ctx, NULL, 0, &tok, &tl, &complete, &err) != 0)
				fail_msg("mech %d: %s", mech, err.msg);
			assert_true(tl > 16);
			/* RFC 2743 InitialContextToken framing: [APPLICATION 0] */
			assert_int_equal(((unsigned char *)tok)[0], 0x60);
			assert_false(complete);
			assert_false(iwa_gss_ctx_mutual(ctx));
			/* a junk answer fails with a GSS text, never crashes */
			unsigned char junk[8] = {0xa1, 0x03, 0x30, 0x01, 0x00, 0, 0, 0};
			void *t2 = NULL;
			size_t l2 = 0;
			assert_int_equal(iwa_gss_ctx_step(ctx, junk, sizeof(junk), &t2, &l2,
							  &complete, &err),
					 IWA_EAUTH);
			assert_true(err.msg[0] != '\0');
			assert_true(iwa_gss_ctx_last_error(ctx)[0] != '\0');
			assert_int_equal(iwa_gss_ctx_peer_error(ctx), IWA_GSS_PEER_OTHER);
			free(t2);
			free(tok);
			iwa_gss_ctx_free(ctx);
		}
		iwa_gss_cred_free(cred);
		cred = NULL;
	}
}

/* GSS krb5 error token (RFC 1964 1.1: [APPLICATION 0] { krb5 OID, TOK_ID 03 00, KRB-ERROR })
 * carrying the given krb5 error number, as a server sends it with its 401. */
static void make_error_token(struct der *tok, int error_code)
{
	struct der body = {{0}, 0}, seq = {{0}, 0}, err = {{0}, 0}, sname = {{0}, 0};
	struct der names = {{0}, 0}, names_seq = {{0}, 0}, sname_seq = {{0}, 0}, tmp = {{0}, 0};
	static const unsigned char krb5_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
						 0xf7, 0x12, 0x01, 0x02, 0x02};
	der_int(&seq, 0xa0, 5);
	der_int(&seq, 0xa1, 30);
	tlv(&tmp, 0x18, "20260101000000Z", 15);
	wrap(&seq, 0xa4, &tmp);
	der_int(&seq, 0xa5, 0);
	der_int(&seq, 0xa6, error_code);
	der_str(&seq, 0xa9, "TEST.REALM");
	der_int(&sname, 0xa0, 2);
	tlv(&names, 0x1b, "HTTP", 4);
	tlv(&names, 0x1b, "sso.test", 8);
	wrap(&names_seq, 0x30, &names);
	wrap(&sname, 0xa1, &names_seq);
	wrap(&sname_seq, 0x30, &sname);
	wrap(&seq, 0xaa, &sname_seq);
	wrap(&err, 0x30, &seq);
	memcpy(body.b, krb5_oid, sizeof(krb5_oid));
	body.n = sizeof(krb5_oid);
	body.b[body.n++] = 0x03;
	body.b[body.n++] = 0x00;
	tlv(&body, 0x7e, err.b, err.n);
	tok->n = 0;
	wrap(tok, 0x60, &body);
}

/* A server's KRB-ERROR in its 401 is classified: clock skew vs wrong key vs other. */
static void test_peer_error_classes(void **state)
{
	static const struct {
		int code;
		enum iwa_gss_peer_error kind;
	} cases[] = {
		{37, IWA_GSS_PEER_SKEW},      /* KRB_AP_ERR_SKEW */
		{41, IWA_GSS_PEER_WRONG_KEY}, /* KRB_AP_ERR_MODIFIED */
		{31, IWA_GSS_PEER_WRONG_KEY}, /* KRB_AP_ERR_BAD_INTEGRITY */
		{44, IWA_GSS_PEER_WRONG_KEY}, /* KRB_AP_ERR_BADKEYVER */
		{60, IWA_GSS_PEER_OTHER},     /* KRB_ERR_GENERIC */
	};
	char cc[1200];
	struct iwa_gss_cred *cred = NULL;
	struct iwa_err err;
	(void)state;
	make_cache("peer", true, "sso.test", time(NULL) + 3600, cc, sizeof(cc));
	assert_int_equal(iwa_gss_cred_acquire(cc, IWA_GSS_MECH_KRB5, &cred, &err), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct iwa_gss_ctx *ctx = NULL;
		void *tok = NULL, *t2 = NULL;
		size_t tl = 0, l2 = 0;
		bool complete = false;
		struct der et = {{0}, 0};
		assert_int_equal(iwa_gss_ctx_new(cred, "HTTP/sso.test@TEST.REALM", &ctx, &err), 0);
		assert_int_equal(iwa_gss_ctx_step(ctx, NULL, 0, &tok, &tl, &complete, &err), 0);
		assert_int_equal(iwa_gss_ctx_peer_error(ctx), IWA_GSS_PEER_OTHER);
		make_error_token(&et, cases[i].code);
		assert_int_equal(iwa_gss_ctx_step(ctx, et.b, et.n, &t2, &l2, &complete, &err),
				 IWA_EAUTH);
		if (iwa_gss_ctx_peer_error(ctx) != cases[i].kind)
			fail_msg("error %d: class %d, want %d (%s)", cases[i].code,
				 iwa_gss_ctx_peer_error(ctx), cases[i].kind,
				 iwa_gss_ctx_last_error(ctx));
		free(tok);
		free(t2);
		iwa_gss_ctx_free(ctx);
	}
	iwa_gss_cred_free(cred);
}

static void test_context_without_ticket_fails_cleanly(void **state)
{
	char cc[1200];
	struct iwa_gss_cred *cred = NULL;
	struct iwa_gss_ctx *ctx = NULL;
	struct iwa_err err;
	void *tok = NULL;
	size_t tl = 0;
	bool complete = false;
	(void)state;
	/* a TGT but no service ticket: the context would need the KDC, which is unreachable */
	make_cache("ctx2", true, NULL, 0, cc, sizeof(cc));
	assert_int_equal(iwa_gss_cred_acquire(cc, IWA_GSS_MECH_KRB5, &cred, &err), 0);
	assert_int_equal(iwa_gss_ctx_new(cred, "HTTP/none.test@TEST.REALM", &ctx, &err), 0);
	assert_int_equal(iwa_gss_ctx_step(ctx, NULL, 0, &tok, &tl, &complete, &err), IWA_EAUTH);
	assert_null(tok);
	assert_non_null(strstr(err.msg, "KDC"));
	iwa_gss_ctx_free(ctx);
	iwa_gss_cred_free(cred);
	iwa_gss_ctx_free(NULL);
	iwa_gss_cred_free(NULL);
}

static void test_status_text(void **state)
{
	char buf[256];
	(void)state;
	iwa_gss_status_text(0xd0000u /* GSS_S_FAILURE */, 0, NULL, buf, sizeof(buf));
	assert_true(strlen(buf) > 5);
	iwa_gss_status_text(0x20000u /* GSS_S_BAD_NAME */, 0, NULL, buf, sizeof(buf));
	assert_non_null(strstr(buf, "name"));
	iwa_gss_status_text(0xd0000u, 0, NULL, buf, 8);
	assert_true(strlen(buf) < 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cached_ticket),
		cmocka_unit_test(test_fresh_removes_only_that_ticket),
		cmocka_unit_test(test_expired_ticket_not_used),
		cmocka_unit_test(test_other_principal_not_cached),
		cmocka_unit_test(test_no_tgt_is_our_problem),
		cmocka_unit_test(test_ccache_client),
		cmocka_unit_test(test_contexts_from_cached_ticket),
		cmocka_unit_test(test_peer_error_classes),
		cmocka_unit_test(test_context_without_ticket_fails_cleanly),
		cmocka_unit_test(test_status_text),
	};
	return cmocka_run_group_tests_name("gss_ticket", tests, setup, teardown);
}
