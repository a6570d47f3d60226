/* test_gpo_parse.c — the pure GPO parsers of check_batch_logon_gpo on fixture files:
 * SIDs, security descriptors (GPO security filtering), gPLink, MS-GPOL precedence,
 * GptTmpl.inf (encodings, [Privilege Rights]) and GPT.INI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gplink.h"
#include "gpttmpl.h"
#include "secdesc.h"
#include "sid.h"
#include "smb.h"

#ifndef FIXTURE_DIR
#define FIXTURE_DIR "tests/unit/fixtures/gpo"
#endif

/* Reads a whole fixture file; the test fails if it is missing. Caller frees. */
static uint8_t *fixture(const char *name, size_t *len_out)
{
	char path[512];
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("fixture %s missing", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	*len_out = (size_t)n;
	return buf;
}

static struct iwa_sid S(const char *s) {
	struct iwa_sid sid;
	assert_int_equal(iwa_sid_from_str(s, &sid, NULL), 0);
	return sid;
}

/* ---- SIDs ---- */

static void
test_sid_bin_roundtrip(void **state)
{
	size_t len, used, outlen;
	uint8_t *b = fixture("sid_cam_svc.bin", &len);
	struct iwa_sid sid;
	struct iwa_err err = {0};
	char txt[IWA_SID_STR_MAX];
	uint8_t back[68];

	assert_int_equal(iwa_sid_from_bin(b, len, &sid, &used, &err), 0);
	assert_int_equal(used, 28);
	assert_string_equal(iwa_sid_to_str(&sid, txt, sizeof(txt)), "S-1-5-21-1111-2222-3333-1105");
	assert_int_equal(iwa_sid_to_bin(&sid, back, sizeof(back), &outlen, &err), 0);
	assert_int_equal(outlen, len);
	assert_memory_equal(back, b, len);
	/* truncated and bad revision */
	assert_int_equal(iwa_sid_from_bin(b, 27, &sid, NULL, &err), IWA_EPARSE);
	assert_int_equal(iwa_sid_from_bin(b, 7, &sid, NULL, &err), IWA_EPARSE);
	b[0] = 2;
	assert_int_equal(iwa_sid_from_bin(b, len, &sid, NULL, &err), IWA_EPARSE);
	free(b);
	(void)state;
}

static void test_sid_text(void **state)
{
	struct iwa_sid sid;
	char txt[IWA_SID_STR_MAX];

	assert_int_equal(iwa_sid_from_str("s-1-5-32-568", &sid, NULL), 0);
	assert_string_equal(iwa_sid_to_str(&sid, txt, sizeof(txt)), "S-1-5-32-568");
	assert_string_equal(iwa_sid_wellknown_name(&sid), "IIS_IUSRS");
	assert_string_equal(iwa_sid_wellknown_name(&(struct iwa_sid){0}) ? "x" : "null", "null");
	sid = S("S-1-5-21-1111-2222-3333-515");
	assert_string_equal(iwa_sid_wellknown_name(&sid), "Domain Computers");
	sid = S("S-1-5-11");
	assert_string_equal(iwa_sid_wellknown_name(&sid), "Authenticated Users");
	sid = S("S-1-0x123456789ABC-1");
	assert_string_equal(iwa_sid_to_str(&sid, txt, sizeof(txt)), "S-1-0x123456789ABC-1");
	sid = S("S-1-5"); /* no sub-authority is allowed (MS-DTYP) */
	assert_int_equal(sid.nsub, 0);
	sid = S("S-1-5-4294967295");
	assert_int_equal(sid.sub[0], 4294967295u);
	const char *bad[] = {"",
			     "S-1",
			     "S-1-",
			     "S-2-5-1",
			     "S-1-5-",
			     "S-1-5-x",
			     "S-1-5-4294967296",
			     "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
			     "S-1-281474976710656-1",
			     "X-1-5-1",
			     "S-1-5-1 ",
			     "S--1-5-1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(iwa_sid_from_str(bad[i], &sid, NULL), IWA_EPARSE);
	assert_int_equal(iwa_sid_from_wellknown_name("BUILTIN\\iis_iusrs", &sid), 0);
	assert_string_equal(iwa_sid_to_str(&sid, txt, sizeof(txt)), "S-1-5-32-568");
	assert_int_equal(iwa_sid_from_wellknown_name("NT AUTHORITY\\Network Service", &sid), 0);
	assert_string_equal(iwa_sid_to_str(&sid, txt, sizeof(txt)), "S-1-5-20");
	assert_int_equal(iwa_sid_from_wellknown_name("Administrators", &sid), 0);
	assert_int_equal(iwa_sid_from_wellknown_name("CAMTEST\\Administrators", &sid),
			 IWA_ENOTFOUND);
	assert_int_equal(iwa_sid_from_wellknown_name("cam-svc", &sid), IWA_ENOTFOUND);
	(void)state;
}

/* ---- security descriptors ---- */

struct sd_case {
	const char *file;
	const char *sids[3];
	bool read, apply, apply_denied;
};

static void check_sd(const struct sd_case *c)
{
	size_t len, n = 0;
	uint8_t *b = fixture(c->file, &len);
	struct iwa_secdesc *sd = NULL;
	struct iwa_err err = {0};
	struct iwa_sid sids[3];
	struct iwa_gpo_access acc;

	if (iwa_secdesc_parse(b, len, &sd, &err) != 0)
		fail_msg("%s: %s", c->file, err.msg);
	for (; n < 3 && c->sids[n]; n++)
		sids[n] = S(c->sids[n]);
	iwa_secdesc_gpo_access(sd, sids, n, &acc);
	if (acc.read != c->read || acc.apply != c->apply || acc.apply_denied != c->apply_denied)
		fail_msg("%s with %s: read=%d apply=%d denied=%d", c->file, c->sids[0], acc.read,
			 acc.apply, acc.apply_denied);
	iwa_secdesc_free(sd);
	free(b);
}

static void test_secdesc_filtering(void **state)
{
	/* A computer's token: itself, Domain Computers, Authenticated Users. */
#define SERVER1 "S-1-5-21-1111-2222-3333-1301", "S-1-5-21-1111-2222-3333-515", "S-1-5-11"
#define SERVER2 "S-1-5-21-1111-2222-3333-1302", "S-1-5-21-1111-2222-3333-1201", "S-1-5-11"
	static const struct sd_case cases[] = {
		{"sd_default.bin", {SERVER1}, true, true, false},
		{"sd_default.bin", {"S-1-5-21-1111-2222-3333-1301"}, false, false, false},
		{"sd_filtered_group.bin", {SERVER1}, true, false, false},
		{"sd_filtered_group.bin", {SERVER2}, true, true, false},
		{"sd_deny_server1.bin", {SERVER1}, true, false, true},
		{"sd_deny_server1.bin", {SERVER2}, true, true, false},
		{"sd_inherit_only.bin", {SERVER1}, true, false, false},
		{"sd_inherit_only.bin", {"S-1-5-9"}, false, true, false},
		{"sd_property_read.bin", {SERVER1}, false, true, false},
		{"sd_allow_then_deny.bin", {SERVER1}, true, true, false},
		{"sd_no_dacl.bin", {"S-1-5-21-1111-2222-3333-1301"}, true, true, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_sd(&cases[i]);
	(void)state;
}

static void test_secdesc_who(void **state)
{
	size_t len;
	uint8_t *b = fixture("sd_deny_server1.bin", &len);
	struct iwa_secdesc *sd = NULL;
	struct iwa_sid sids[3] = {S("S-1-5-11"), S("S-1-5-21-1111-2222-3333-515"),
				  S("S-1-5-21-1111-2222-3333-1301")};
	struct iwa_gpo_access acc;

	assert_int_equal(iwa_secdesc_parse(b, len, &sd, NULL), 0);
	assert_int_equal(sd->nace, 3);
	assert_int_equal(sd->aces[0].type, IWA_ACE_DENIED_OBJECT);
	assert_true(sd->aces[0].has_object_type);
	assert_memory_equal(sd->aces[0].object_type, iwa_guid_apply_group_policy, 16);
	iwa_secdesc_gpo_access(sd, sids, 3, &acc);
	assert_true(acc.apply_denied);
	assert_int_equal(acc.apply_denied_by, 2);
	assert_int_equal(acc.read_by, 0);
	iwa_secdesc_free(sd);
	free(b);
	(void)state;
}

static void test_secdesc_malformed(void **state)
{
	size_t len;
	uint8_t *b = fixture("sd_default.bin", &len);
	struct iwa_secdesc *sd = NULL;
	struct iwa_err err = {0};
	uint8_t *t;
	size_t tlen;

	t = fixture("sd_truncated.bin", &tlen);
	assert_int_equal(iwa_secdesc_parse(t, tlen, &sd, &err), IWA_EPARSE);
	assert_null(sd);
	/* every prefix of a valid descriptor is rejected or parsed, never read out of bounds */
	for (size_t i = 0; i < len; i++) {
		if (iwa_secdesc_parse(b, i, &sd, &err) == 0)
			iwa_secdesc_free(sd);
		sd = NULL;
	}
	/* ACE count larger than the ACL can hold */
	b[0x4c + 4] = 0xff;
	assert_int_equal(iwa_secdesc_parse(b, len, &sd, &err), IWA_EPARSE);
	b[0] = 2;
	assert_int_equal(iwa_secdesc_parse(b, len, &sd, &err), IWA_EPARSE);
	assert_int_equal(iwa_secdesc_parse(b, 10, &sd, &err), IWA_EPARSE);
	iwa_secdesc_free(NULL);
	free(b);
	free(t);
	(void)state;
}

static void test_guid(void **state)
{
	uint8_t g[16];
	char buf[37];

	assert_int_equal(iwa_guid_parse("{EDACFD8F-FFB3-11D1-B41D-00A0C968F939}", g), 0);
	assert_memory_equal(g, iwa_guid_apply_group_policy, 16);
	iwa_guid_format(g, buf);
	assert_string_equal(buf, "edacfd8f-ffb3-11d1-b41d-00a0c968f939");
	assert_int_equal(iwa_guid_parse("edacfd8f-ffb3-11d1-b41d-00a0c968f93", g), IWA_EINVAL);
	assert_int_equal(iwa_guid_parse("{edacfd8f-ffb3-11d1-b41d-00a0c968f939", g), IWA_EINVAL);
	assert_int_equal(iwa_guid_parse("edacfd8fXffb3-11d1-b41d-00a0c968f939", g), IWA_EINVAL);
	(void)state;
}

/* ---- gPLink ---- */

static void test_gplink_four(void **state)
{
	size_t len;
	char *s = (char *)fixture("gplink_four.txt", &len);
	struct iwa_gplink_list l;
	struct iwa_err err = {0};

	assert_int_equal(iwa_gplink_parse(s, &l, &err), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].guid, "{31B2F340-016D-11D2-945F-00C04FB984F9}");
	assert_string_equal(l.v[1].guid, "{6AC1786C-016F-11D2-945F-00C04FB984F9}");
	assert_string_equal(l.v[1].dn, "CN={6ac1786c-016f-11d2-945f-00c04fb984f9},CN=Policies,"
				       "CN=System,DC=camtest,DC=test");
	assert_false(l.v[0].disabled);
	assert_false(l.v[0].enforced);
	assert_true(l.v[1].disabled);
	assert_false(l.v[1].enforced);
	assert_false(l.v[2].disabled);
	assert_true(l.v[2].enforced);
	assert_true(l.v[3].disabled && l.v[3].enforced);
	/* the last link in the string is link order 1 */
	assert_int_equal(l.v[3].link_order, 1);
	assert_int_equal(l.v[0].link_order, 4);
	iwa_gplink_list_free(&l);
	free(s);
	(void)state;
}

static void test_gplink_malformed(void **state)
{
	static const char *bad[] = {"gplink_no_ldap.txt", "gplink_bad_opts.txt",
				    "gplink_unclosed.txt", "gplink_no_guid.txt"};
	struct iwa_gplink_list l;
	struct iwa_err err = {0};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len;
		char *s = (char *)fixture(bad[i], &len);
		if (iwa_gplink_parse(s, &l, &err) != IWA_EPARSE)
			fail_msg("%s accepted", bad[i]);
		assert_true(strstr(err.msg, "gPLink") != NULL);
		free(s);
	}
	assert_int_equal(
		iwa_gplink_parse("x[LDAP://cn={31B2F340-016D-11D2-945F-00C04FB984F9};0]", &l, &err),
		IWA_EPARSE);
	assert_int_equal(
		iwa_gplink_parse("[LDAP://cn={31B2F340-016D-11D2-945F-00C04FB984F9};]", &l, &err),
		IWA_EPARSE);
	assert_int_equal(
		iwa_gplink_parse("[LDAP://cn={31B2F340-016D-11D2-945F-00C04FB984F9};99999999999]",
				 &l, &err),
		IWA_EPARSE);
	/* a blank value and NULL are "no links" */
	{
		size_t len;
		char *s = (char *)fixture("gplink_blank.txt", &len);
		assert_int_equal(iwa_gplink_parse(s, &l, &err), 0);
		assert_int_equal(l.n, 0);
		free(s);
	}
	assert_int_equal(iwa_gplink_parse(NULL, &l, &err), 0);
	assert_int_equal(l.n, 0);
	/* a GUID-only DN (no comma) is accepted */
	assert_int_equal(
		iwa_gplink_parse("[LDAP://cn={31b2f340-016d-11d2-945f-00c04fb984f9};0]", &l, &err),
		0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].guid, "{31B2F340-016D-11D2-945F-00C04FB984F9}");
	iwa_gplink_list_free(&l);
	iwa_gplink_list_free(NULL);
	(void)state;
}

/* ---- precedence (MS-GPOL) ---- */

#define G(x) "[LDAP://cn={" x "-0000-0000-0000-000000000000},cn=policies,cn=system,DC=t;"

/* Builds soms from gPLink strings, computes the order; returns the applying GUID prefixes
 * joined by ' ' and the non-applying ones after '|'. */
static void order(const char *const *gplinks, const bool *block, size_t n, bool site, char *buf,
		  size_t cap)
{
	struct iwa_gplink_list lists[6];
	struct iwa_som soms[6];
	struct iwa_gpo_order o;
	size_t off = 0;

	assert_true(n <= 6);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(iwa_gplink_parse(gplinks[i], &lists[i], NULL), 0);
		soms[i] =
			(struct iwa_som){"dn", &lists[i], block ? block[i] : false, site && i == 0};
	}
	assert_int_equal(iwa_gpo_order_compute(soms, n, &o, NULL), 0);
	buf[0] = 0;
	for (size_t i = 0; i < o.n; i++) {
		const struct iwa_gplink *g = &lists[o.v[i].som].v[o.v[i].link];
		int w = snprintf(buf + off, cap - off, "%s%.8s%s",
				 i == o.napply ? "|" : (i ? " " : ""), g->guid + 1,
				 o.v[i].status == IWA_LINK_DISABLED  ? "(d)"
				 : o.v[i].status == IWA_LINK_BLOCKED ? "(b)"
								     : "");
		assert_true(w > 0 && (size_t)w < cap - off);
		off += (size_t)w;
		if (i < o.napply)
			assert_int_equal(o.v[i].precedence, i + 1);
	}
	iwa_gpo_order_free(&o);
	for (size_t i = 0; i < n; i++)
		iwa_gplink_list_free(&lists[i]);
}

static void test_order(void **state)
{
	char buf[512];
	/* D = domain root, F = OU=Farm, A = OU=WebServers (closest), C = site */
	{
		const char *l[] = {G("D0000001") "0]" G("D0000002") "0]", G("F0000001") "0]",
				   G("A0000001") "0]" G("A0000002") "0]"};
		order(l, NULL, 3, false, buf, sizeof(buf));
		/* closest container first; inside a container the last link (order 1) first */
		assert_string_equal(buf, "A0000002 A0000001 F0000001 D0000002 D0000001");
	}
	{
		/* enforced on the domain beats everything; enforced on the OU beats non-enforced */
		const char *l[] = {G("D0000001") "2]" G("D0000002") "0]", G("F0000001") "0]",
				   G("A0000001") "2]" G("A0000002") "0]"};
		order(l, NULL, 3, false, buf, sizeof(buf));
		assert_string_equal(buf, "D0000001 A0000001 A0000002 F0000001 D0000002");
	}
	{
		/* block inheritance at OU=WebServers drops non-enforced links above it, keeps its
		 * own links and enforced links from above; disabled links never apply */
		const char *l[] = {G("D0000001") "2]" G("D0000002") "0]",
				   G("F0000001") "1]" G("F0000002") "0]", G("A0000001") "0]"};
		bool block[] = {false, false, true};
		order(l, block, 3, false, buf, sizeof(buf));
		assert_string_equal(buf, "D0000001 A0000001|D0000002(b) F0000002(b) F0000001(d)");
	}
	{
		/* block at the middle OU: links of the blocking OU itself still apply */
		const char *l[] = {G("D0000001") "0]", G("F0000001") "0]", G("A0000001") "0]"};
		bool block[] = {false, true, false};
		order(l, block, 3, false, buf, sizeof(buf));
		assert_string_equal(buf, "A0000001 F0000001|D0000001(b)");
	}
	{
		/* a site: lowest non-enforced precedence, highest when enforced; its own gPOptions
		 * do not block; a domain block drops its non-enforced links */
		const char *l[] = {G("C0000001") "0]" G("C0000002") "2]", G("D0000001") "0]",
				   G("A0000001") "0]"};
		bool block[] = {true, false, false};
		order(l, block, 3, true, buf, sizeof(buf));
		assert_string_equal(buf, "C0000002 A0000001 D0000001 C0000001");
		bool block2[] = {false, true, false};
		order(l, block2, 3, true, buf, sizeof(buf));
		assert_string_equal(buf, "C0000002 A0000001 D0000001|C0000001(b)");
	}
	{
		/* the wrong-OU mistake: nothing linked on the computer's chain */
		const char *l[] = {"", ""};
		order(l, NULL, 2, false, buf, sizeof(buf));
		assert_string_equal(buf, "");
	}
	(void)state;
}

/* ---- GptTmpl.inf ---- */

/* Parses a fixture and returns the right's list (caller frees). */
static struct iwa_right_list right(const char *file, const char *name, enum iwa_text_enc want)
{
	size_t len;
	uint8_t *b = fixture(file, &len);
	char *text = NULL;
	enum iwa_text_enc enc;
	struct iwa_inf inf;
	struct iwa_right_list l;
	struct iwa_err err = {0};

	if (iwa_text_decode(b, len, &text, &enc, &err) != 0)
		fail_msg("%s: %s", file, err.msg);
	assert_int_equal(enc, want);
	assert_int_equal(iwa_inf_parse(text, &inf, &err), 0);
	assert_int_equal(iwa_gpttmpl_right(&inf, name, &l, &err), 0);
	iwa_inf_free(&inf);
	free(text);
	free(b);
	return l;
}

static void test_gpttmpl_utf16(void **state)
{
	struct iwa_right_list l =
		right("gpttmpl_utf16le_bom_crlf.inf", "SeBatchLogonRight", IWA_ENC_UTF16LE_BOM);
	char txt[IWA_SID_STR_MAX];

	assert_true(l.defined);
	assert_int_equal(l.n, 3);
	assert_true(l.v[0].is_sid && l.v[1].is_sid && l.v[2].is_sid);
	assert_string_equal(iwa_sid_to_str(&l.v[0].sid, txt, sizeof(txt)),
			    "S-1-5-21-1111-2222-3333-1105");
	assert_string_equal(l.v[2].text, "S-1-5-32-568");
	iwa_right_list_free(&l);
	l = right("gpttmpl_utf16le_bom_crlf.inf", "SeServiceLogonRight", IWA_ENC_UTF16LE_BOM);
	assert_int_equal(l.n, 1);
	iwa_right_list_free(&l);
	l = right("gpttmpl_utf16le_bom_crlf.inf", "SeDenyBatchLogonRight", IWA_ENC_UTF16LE_BOM);
	assert_false(l.defined);
	assert_int_equal(l.n, 0);
	iwa_right_list_free(&l);
	l = right("gpttmpl_utf16le_nobom.inf", "SeBatchLogonRight", IWA_ENC_UTF16LE);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].text, "S-1-5-32-568");
	iwa_right_list_free(&l);
	(void)state;
}

static void test_gpttmpl_utf8_odd(void **state)
{
	struct iwa_right_list l = right("gpttmpl_utf8_lf.inf", "SeBatchLogonRight", IWA_ENC_UTF8);

	/* section and key case-insensitive, odd spacing, empty items, names, bad SID, quotes */
	assert_true(l.defined);
	assert_int_equal(l.n, 5);
	assert_true(l.v[0].is_sid);
	assert_string_equal(l.v[0].text, "S-1-5-32-544");
	assert_false(l.v[1].is_sid);
	assert_string_equal(l.v[1].text, "CAMTEST\\cam-svc");
	assert_true(l.v[2].is_sid);
	assert_string_equal(l.v[2].text, "S-1-5-21-1111-2222-3333-1106");
	assert_false(l.v[3].is_sid);
	assert_string_equal(l.v[3].text, "S-1-bogus");
	assert_string_equal(l.v[4].text, "IIS_IUSRS");
	iwa_right_list_free(&l);
	/* an empty value: the right is defined and granted to nobody */
	l = right("gpttmpl_utf8_lf.inf", "SeDenyBatchLogonRight", IWA_ENC_UTF8);
	assert_true(l.defined);
	assert_int_equal(l.n, 0);
	iwa_right_list_free(&l);
	l = right("gpttmpl_utf8_lf.inf", "seservicelogonright", IWA_ENC_UTF8);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].text, "cam-svc@camtest.test");
	iwa_right_list_free(&l);
	(void)state;
}

static void test_gpttmpl_bom_ansi(void **state)
{
	struct iwa_right_list l =
		right("gpttmpl_utf8_bom_crlf.inf", "SeBatchLogonRight", IWA_ENC_UTF8_BOM);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].text, "S-1-5-21-1111-2222-3333-1105");
	iwa_right_list_free(&l);
	l = right("gpttmpl_ansi.inf", "SeBatchLogonRight", IWA_ENC_ANSI);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].text, "CAMTEST\\caf\xc3\xa9-svc");
	assert_true(l.v[1].is_sid);
	assert_string_equal(l.v[2].text, "x\xe2\x82\xac");
	iwa_right_list_free(&l);
	l = right("gpttmpl_no_rights.inf", "SeBatchLogonRight", IWA_ENC_UTF16LE_BOM);
	assert_false(l.defined);
	iwa_right_list_free(&l);
	(void)state;
}

static void test_text_decode_edges(void **state)
{
	char *t = NULL;
	enum iwa_text_enc enc;
	struct iwa_err err = {0};
	/* lone surrogate -> U+FFFD; surrogate pair -> 4-byte UTF-8 */
	const uint8_t u16[] = {0xff, 0xfe, 0x00, 0xd8, 'a', 0, 0x3d, 0xd8, 0x00, 0xde};
	const uint8_t nul[] = {'a', 0, 'b'};
	const uint8_t be[] = {0xfe, 0xff, 0, 'A', 0, '='};

	assert_int_equal(iwa_text_decode(u16, sizeof(u16), &t, &enc, &err), 0);
	assert_string_equal(t, "\xef\xbf\xbd"
			       "a\xf0\x9f\x98\x80");
	free(t);
	assert_int_equal(iwa_text_decode(nul, sizeof(nul), &t, &enc, &err), IWA_EPARSE);
	assert_int_equal(iwa_text_decode(be, sizeof(be), &t, &enc, &err), 0);
	assert_int_equal(enc, IWA_ENC_UTF16BE_BOM);
	assert_string_equal(t, "A=");
	free(t);
	assert_int_equal(iwa_text_decode((const uint8_t *)"", 0, &t, &enc, &err), 0);
	assert_string_equal(t, "");
	free(t);
	(void)state;
}

/* ---- GPT.INI ---- */

static void test_gptini(void **state)
{
	size_t len;
	uint8_t *b;
	uint32_t v = 0;
	struct iwa_err err = {0};

	b = fixture("gpt_ini_utf8.ini", &len);
	assert_int_equal(iwa_gptini_version(b, len, &v, &err), 0);
	assert_int_equal(v, 65538);
	free(b);
	b = fixture("gpt_ini_utf16le_bom.ini", &len);
	assert_int_equal(iwa_gptini_version(b, len, &v, &err), 0);
	assert_int_equal(v, 3);
	free(b);
	b = fixture("gpt_ini_bad.ini", &len);
	assert_int_equal(iwa_gptini_version(b, len, &v, &err), IWA_EPARSE);
	free(b);
	b = fixture("gpt_ini_overflow.ini", &len);
	assert_int_equal(iwa_gptini_version(b, len, &v, &err), IWA_EPARSE);
	free(b);
	b = fixture("gpt_ini_noversion.ini", &len);
	assert_int_equal(iwa_gptini_version(b, len, &v, &err), IWA_ENOTFOUND);
	free(b);
	(void)state;
}

/* ---- SYSVOL paths ---- */

#define FSPATH                                                                                     \
	"\\\\camtest.test\\SysVol\\camtest.test\\Policies\\{0C03B5B3-F433-4BD7-B697-9F11BB5E277A}"

static void test_unc(void **state)
{
	struct iwa_unc u;
	struct iwa_err err = {0};

	assert_int_equal(iwa_unc_parse(FSPATH, &u, &err), 0);
	assert_string_equal(u.server, "camtest.test");
	assert_string_equal(u.share, "SysVol");
	assert_string_equal(u.path, "camtest.test/Policies/{0C03B5B3-F433-4BD7-B697-9F11BB5E277A}");
	iwa_unc_free(&u);
	assert_int_equal(iwa_unc_parse("//srv/share", &u, &err), 0);
	assert_string_equal(u.path, "");
	iwa_unc_free(&u);
	assert_int_equal(iwa_unc_parse("\\\\srv", &u, &err), IWA_EPARSE);
	assert_int_equal(iwa_unc_parse("srv\\share\\x", &u, &err), IWA_EPARSE);
	assert_int_equal(iwa_unc_parse("\\\\srv\\share\\..\\x", &u, &err), IWA_EPARSE);
	assert_int_equal(iwa_unc_parse(NULL, &u, &err), IWA_EPARSE);
	iwa_unc_free(NULL);
	(void)state;
}

static void test_smb_url(void **state)
{
	char *url = NULL;
	struct iwa_err err = {0};

	assert_int_equal(iwa_sysvol_smb_url("dc1.camtest.test", FSPATH,
					    "Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf",
					    &url, &err),
			 0);
	assert_string_equal(url, "smb://dc1.camtest.test/SysVol/camtest.test/Policies/"
				 "{0C03B5B3-F433-4BD7-B697-9F11BB5E277A}/Machine/Microsoft/"
				 "Windows%20NT/SecEdit/GptTmpl.inf");
	free(url);
	assert_int_equal(iwa_sysvol_smb_url("dc1", "\\\\d\\s\\a#b", "", &url, &err), 0);
	assert_string_equal(url, "smb://dc1/s/a%23b");
	free(url);
	assert_int_equal(iwa_sysvol_smb_url("evil/host", FSPATH, "x", &url, &err), IWA_EINVAL);
	assert_int_equal(iwa_sysvol_smb_url("", FSPATH, "x", &url, &err), IWA_EINVAL);
	assert_int_equal(iwa_sysvol_smb_url("dc1", "not-unc", "x", &url, &err), IWA_EPARSE);
	(void)state;
}

static void test_local_sysvol(void **state)
{
	const char *roots[] = {FIXTURE_DIR "/sysvol", FIXTURE_DIR "/sysvol/camtest.test"};
	struct iwa_err err = {0};

	for (size_t i = 0; i < 2; i++) {
		char *dir = NULL;
		uint8_t *data = NULL;
		size_t len = 0;
		uint32_t v = 0;
		/* DIR/domain/Policies/{GUID} and DIR/Policies/{GUID} both work */
		if (iwa_sysvol_local_dir(roots[i], FSPATH, &dir, &err) != 0)
			fail_msg("%s: %s", roots[i], err.msg);
		assert_int_equal(iwa_local_read(dir, "GPT.INI", 4096, &data, &len, &err), 0);
		assert_int_equal(iwa_gptini_version(data, len, &v, &err), 0);
		assert_int_equal(v, 65538);
		free(data);
		/* components matched without regard to case */
		assert_int_equal(iwa_local_read(dir,
						"Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf",
						4096, &data, &len, &err),
				 0);
		assert_int_equal(data[0], 0xff);
		free(data);
		assert_int_equal(iwa_local_read(dir, "Machine/Microsoft/Windows NT/SecEdit/x.inf",
						4096, &data, &len, &err),
				 IWA_ENOTFOUND);
		assert_int_equal(iwa_local_read(dir, "Nope/GptTmpl.inf", 4096, &data, &len, &err),
				 IWA_ENOTFOUND);
		/* the size cap */
		assert_int_equal(iwa_local_read(dir, "GPT.INI", 10, &data, &len, &err), IWA_ENOMEM);
		/* exactly max bytes pass, one byte more is named as too large */
		{
			size_t whole = 0;
			assert_int_equal(iwa_local_read(dir, "GPT.INI", 4096, &data, &whole, &err),
					 0);
			free(data);
			assert_int_equal(iwa_local_read(dir, "GPT.INI", whole, &data, &len, &err),
					 0);
			assert_int_equal(len, whole);
			free(data);
			assert_int_equal(
				iwa_local_read(dir, "GPT.INI", whole - 1, &data, &len, &err),
				IWA_ENOMEM);
			assert_non_null(strstr(err.msg, "is larger than"));
		}
		free(dir);
	}
	{
		char *dir = NULL;
		assert_int_equal(iwa_sysvol_local_dir(FIXTURE_DIR, FSPATH, &dir, &err),
				 IWA_ENOTFOUND);
		assert_true(strstr(err.msg, "GPO folder not found") != NULL);
	}
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sid_bin_roundtrip),
		cmocka_unit_test(test_sid_text),
		cmocka_unit_test(test_secdesc_filtering),
		cmocka_unit_test(test_secdesc_who),
		cmocka_unit_test(test_secdesc_malformed),
		cmocka_unit_test(test_guid),
		cmocka_unit_test(test_gplink_four),
		cmocka_unit_test(test_gplink_malformed),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_gpttmpl_utf16),
		cmocka_unit_test(test_gpttmpl_utf8_odd),
		cmocka_unit_test(test_gpttmpl_bom_ansi),
		cmocka_unit_test(test_text_decode_edges),
		cmocka_unit_test(test_gptini),
		cmocka_unit_test(test_unc),
		cmocka_unit_test(test_smb_url),
		cmocka_unit_test(test_local_sysvol),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
