/* test_opts.c — the option parts shared by every plugin, checked before any network I/O:
 * tls.c (--ca-file/--insecure, the strict PEM check), krb.c (--keytab/--principal/--ccache)
 * and directory.c (--bind-dn/--password-file with the others). Every message is compared as
 * the user sees it. Files are made in a fresh folder under the current (build) directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "directory.h"
#include "krb.h"
#include "tls.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FIXTURE_DIR
#define FIXTURE_DIR "tests/unit/fixtures/tls"
#endif

static char tmpdir[64];

/* Reads a fixture into a malloc'd, NUL-terminated string. */
static char *fixture(const char *name, size_t *len_out)
{
	char path[512];
	char *data = NULL;
	size_t len = 0;
	struct iwa_err err;

	snprintf(path, sizeof path, "%s/%s", FIXTURE_DIR, name);
	if (iwa_read_file(path, 1 << 20, &data, &len, &err) != 0)
		fail_msg("fixture %s: %s", path, err.msg);
	if (len_out != NULL)
		*len_out = len;
	return data;
}

/* Writes len bytes of data to tmpdir/name; returns the path (static buffer per call slot). */
static const char *write_tmp(const char *name, const void *data, size_t len)
{
	static char paths[8][256];
	static unsigned slot;
	char *p = paths[slot++ % 8];
	FILE *f;

	snprintf(p, 256, "%s/%s", tmpdir, name);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return p;
}

/* Replaces the first occurrence of from in s by to (into a new string). */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t n;
	char *r;

	assert_non_null(at);
	n = strlen(s) - strlen(from) + strlen(to) + 1;
	r = malloc(n);
	assert_non_null(r);
	snprintf(r, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
	return r;
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "test_opts.XXXXXX");
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ PEM */

static void pem_ok(const char *text, unsigned want)
{
	struct iwa_err err = {0, {0}};
	unsigned n = 0;

	if (iwa_pem_certs(text, strlen(text), &n, &err) != 0)
		fail_msg("refused: %s", err.msg);
	assert_int_equal(n, want);
}

static void pem_bad(const char *text, size_t len, const char *want)
{
	struct iwa_err err = {0, {0}};
	unsigned n = 99;

	assert_int_equal(iwa_pem_certs(text, len, &n, &err), IWA_EPARSE);
	assert_string_equal(err.msg, want);
	assert_int_equal(n, 99); /* set only on success */
}

static void test_pem_accepts(void **state)
{
	char *one = fixture("one.pem", NULL), *bundle = fixture("bundle.pem", NULL);
	struct iwa_buf crlf;

	(void)state;
	pem_ok(one, 1);
	pem_ok(bundle, 2);
	/* CRLF line ends and trailing blanks, as Windows exports them */
	iwa_buf_init(&crlf, 0);
	for (const char *p = bundle; *p != '\0'; p++)
		assert_int_equal(
			*p == '\n' ? iwa_buf_adds(&crlf, " \r\n") : iwa_buf_add(&crlf, p, 1), 0);
	pem_ok(crlf.data, 2);
	iwa_buf_free(&crlf);
	/* no newline after the END line */
	one[strlen(one) - 1] = '\0';
	pem_ok(one, 1);
	free(one);
	free(bundle);
}

static void test_pem_refuses(void **state)
{
	size_t dlen;
	char *one = fixture("one.pem", NULL), *der = fixture("one.der", &dlen);
	char *t;

	(void)state;
	pem_bad("", 0, "the file is empty");
	pem_bad("hello\n", 6, "no \"-----BEGIN CERTIFICATE-----\" line in it");
	pem_bad(der, dlen,
		"binary data, not PEM text (a DER certificate? convert it: openssl x509 -inform "
		"der -in FILE -out FILE.pem)");
	/* only another PEM type */
	t = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
	pem_bad(t, strlen(t), "no \"-----BEGIN CERTIFICATE-----\" line in it");
	/* no END line */
	t = replace(one, "-----END CERTIFICATE-----\n", "");
	pem_bad(t, strlen(t),
		"the certificate at line 1 has no \"-----END CERTIFICATE-----\" line");
	free(t);
	/* closed by another END */
	t = replace(one, "-----END CERTIFICATE-----", "-----END X509 CRL-----");
	pem_bad(t, strlen(t),
		"the certificate at line 1 is not closed by an \"-----END CERTIFICATE-----\" line "
		"(line 12)");
	free(t);
	/* a character that is not base64 on line 3 */
	t = replace(one, "NzEf", "Nz!f");
	pem_bad(t, strlen(t),
		"the certificate at line 1 is not base64: a character that is not base64 on line "
		"3");
	free(t);
	/* the last base64 line cut by one character */
	t = replace(one, "DdSOU=\n", "DdSO=\n");
	pem_bad(t, strlen(t), "the certificate at line 1 is truncated (incomplete base64)");
	free(t);
	/* text after the padding */
	t = replace(one, "DdSOU=\n", "DdSOU=\nAAAA\n");
	pem_bad(t, strlen(t),
		"the certificate at line 1 is not base64: text after the '=' padding on line 12");
	free(t);
	t = "-----BEGIN CERTIFICATE-----\nAB=C\n-----END CERTIFICATE-----\n";
	pem_bad(t, strlen(t),
		"the certificate at line 1 is not base64: text after the '=' padding on line 2");
	t = "-----BEGIN CERTIFICATE-----\nA===\n-----END CERTIFICATE-----\n";
	pem_bad(t, strlen(t),
		"the certificate at line 1 is not base64: '=' padding in the middle on line 2");
	/* an empty block */
	t = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
	pem_bad(t, strlen(t), "the certificate at line 1 is empty");
	/* valid base64, but not a certificate ("hello world!") */
	t = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQh\n-----END CERTIFICATE-----\n";
	pem_bad(t, strlen(t),
		"the certificate at line 1 is not an X.509 certificate (its DER is malformed)");
	/* one whole base64 line missing: still base64, the DER lengths no longer add up */
	t = replace(one, "dCBDQSBvbmUwHhcNMjYxMjAxMjMyMjUyWhcNMzYxMTI4MjMyMjUyWjA3MR8wHQYD\n", "");
	pem_bad(t, strlen(t),
		"the certificate at line 1 is not an X.509 certificate (its DER is malformed)");
	free(t);
	/* the second certificate of a bundle is broken: named by its line */
	{
		char *b = fixture("bundle.pem", NULL);

		t = strdup(b);
		assert_non_null(t);
		{
			char *second = strstr(strstr(t, "-----END CERTIFICATE-----"),
					      "-----BEGIN CERTIFICATE-----");
			assert_non_null(second);
			second[28] = '*'; /* the first base64 character of the second block */
		}
		pem_bad(t, strlen(t),
			"the certificate at line 19 is not base64: a character that is not base64 "
			"on line 20");
		free(t);
		free(b);
	}
	free(one);
	free(der);
}

/* ------------------------------------------------------------------ TLS options */

static void test_tls_opt(void **state)
{
	struct iwa_tls_opts o;
	struct iwa_err err = {0, {0}};

	(void)state;
	memset(&o, 0, sizeof o);
	assert_int_equal(iwa_tls_opt(&o, IWA_OPT_TLS_CA_FILE, "ca.pem", &err), 1);
	assert_string_equal(o.ca_file, "ca.pem");
	assert_int_equal(iwa_tls_opt(&o, IWA_OPT_TLS_INSECURE, NULL, &err), 1);
	assert_true(o.insecure);
	assert_int_equal(iwa_tls_opt(&o, 'H', "dc1", &err), 0);
	assert_int_equal(iwa_tls_opt(&o, IWA_OPT_TLS_CA_FILE, "", &err), IWA_EINVAL);
	assert_string_equal(err.msg, "--ca-file: empty value (a PEM file)");
}

static void tls_bad(const char *ca_file, bool insecure, const char *want)
{
	struct iwa_tls_opts o = {ca_file, insecure};
	struct iwa_err err = {0, {0}};

	assert_int_equal(iwa_tls_validate(&o, &err), IWA_EINVAL);
	assert_string_equal(err.msg, want);
}

static void test_tls_validate(void **state)
{
	struct iwa_tls_opts o = {FIXTURE_DIR "/bundle.pem", false};
	struct iwa_err err = {0, {0}};
	const char *p;
	char want[512];

	(void)state;
	assert_int_equal(iwa_tls_validate(&o, &err), 0);
	o.ca_file = NULL;
	assert_int_equal(iwa_tls_validate(&o, &err), 0);
	o.insecure = true;
	assert_int_equal(iwa_tls_validate(&o, &err), 0);
	tls_bad(FIXTURE_DIR "/bundle.pem", true,
		"--insecure and --ca-file exclude each other (--insecure verifies no certificate)");
	tls_bad("/nonexistent/ca.pem", false,
		"--ca-file /nonexistent/ca.pem: cannot read the CA file: No such file or "
		"directory");
	tls_bad("/dev/null", false, "--ca-file /dev/null: not a PEM CA bundle: the file is empty");
	snprintf(want, sizeof want, "--ca-file %s: cannot read the CA file: Is a directory",
		 tmpdir);
	tls_bad(tmpdir, false, want);
	p = write_tmp("notes.txt", "just text\n", 10);
	snprintf(want, sizeof want,
		 "--ca-file %s: not a PEM CA bundle: no \"-----BEGIN CERTIFICATE-----\" line in it",
		 p);
	tls_bad(p, false, want);
	if (geteuid() != 0) { /* root reads any file */
		p = write_tmp("unreadable.pem", "x", 1);
		assert_int_equal(chmod(p, 0), 0);
		snprintf(want, sizeof want,
			 "--ca-file %s: cannot read the CA file: Permission denied", p);
		tls_bad(p, false, want);
	}
}

/* ------------------------------------------------------------------ Kerberos options */

static void test_krb_opt(void **state)
{
	struct iwa_krb_opts o;
	struct iwa_err err = {0, {0}};

	(void)state;
	memset(&o, 0, sizeof o);
	assert_int_equal(iwa_krb_opt(&o, IWA_OPT_KRB_KEYTAB, "/k", &err), 1);
	assert_int_equal(iwa_krb_opt(&o, IWA_OPT_KRB_PRINCIPAL, "monitor", &err), 1);
	assert_int_equal(iwa_krb_opt(&o, IWA_OPT_KRB_CCACHE, "FILE:/cc", &err), 1);
	assert_int_equal(iwa_krb_opt(&o, IWA_OPT_KRB_FRESH, NULL, &err), 1);
	assert_string_equal(o.keytab, "/k");
	assert_string_equal(o.principal, "monitor");
	assert_string_equal(o.ccache, "FILE:/cc");
	assert_true(o.fresh);
	assert_int_equal(iwa_krb_opt(&o, IWA_OPT_TLS_CA_FILE, "x", &err), 0);
	/* an empty value would mean "no keytab": the ambient cache, silently */
	assert_int_equal(iwa_krb_opt(&o, IWA_OPT_KRB_KEYTAB, "", &err), IWA_EINVAL);
	assert_string_equal(err.msg, "--keytab: empty value");
	assert_int_equal(iwa_krb_opt(&o, IWA_OPT_KRB_CCACHE, "", &err), IWA_EINVAL);
	assert_string_equal(err.msg, "--ccache: empty value");
	assert_int_equal(iwa_krb_opt(&o, IWA_OPT_KRB_PRINCIPAL, "", &err), IWA_EINVAL);
	assert_string_equal(err.msg, "--principal: empty value");
}

static void krb_bad(const char *keytab, const char *principal, const char *want)
{
	struct iwa_krb_opts o = {keytab, principal, NULL, false};
	struct iwa_err err = {0, {0}};

	assert_int_equal(iwa_krb_validate(&o, &err), IWA_EINVAL);
	assert_string_equal(err.msg, want);
}

static void krb_good(const char *keytab)
{
	struct iwa_krb_opts o = {keytab, NULL, NULL, false};
	struct iwa_err err = {0, {0}};

	if (iwa_krb_validate(&o, &err) != 0)
		fail_msg("keytab %s refused: %s", keytab, err.msg);
}

static void test_krb_validate(void **state)
{
	static const unsigned char v2[] = {5, 2, 0, 0, 0, 0x40}, v1[] = {5, 1};
	const char *p;
	char want[512], name[300];

	(void)state;
	krb_good(NULL);
	p = write_tmp("v2.keytab", v2, sizeof v2);
	krb_good(p);
	snprintf(name, sizeof name, "FILE:%s", p);
	krb_good(name);
	snprintf(name, sizeof name, "WRFILE:%s", p);
	krb_good(name);
	krb_good(write_tmp("v1.keytab", v1, sizeof v1));
	krb_good("MEMORY:not-a-file"); /* no file to check */
	krb_bad(NULL, "monitor@CAMTEST.TEST",
		"--principal needs --keytab (without a keytab the cache's own principal is used)");
	krb_bad("/x", NULL, "--keytab /x: cannot read the keytab: No such file or directory");
	krb_bad("FILE:/nonexistent/monitor.keytab", NULL,
		"--keytab FILE:/nonexistent/monitor.keytab: cannot read the keytab: No such file "
		"or "
		"directory");
	p = write_tmp("empty.keytab", "", 0);
	snprintf(want, sizeof want,
		 "--keytab %s: the keytab is empty (export the account's keys into it)", p);
	krb_bad(p, NULL, want);
	p = write_tmp("text.keytab", "password\n", 9);
	snprintf(want, sizeof want,
		 "--keytab %s: not a keytab file (no keytab format version 0x0501/0x0502 at its "
		 "start)",
		 p);
	krb_bad(p, NULL, want);
	snprintf(want, sizeof want, "--keytab %s: cannot read the keytab: Is a directory", tmpdir);
	krb_bad(tmpdir, NULL, want);
}

/* ------------------------------------------------------------------ directory options */

/* Applies (opt, arg) pairs to fresh directory options (GC port) and validates. */
static int ldap_config(struct iwa_err *err, int n, const int *opts, const char *const *args)
{
	struct iwa_ldap_opts o;

	iwa_ldap_opts_init(&o, 3268);
	for (int i = 0; i < n; i++) {
		int rc = iwa_ldap_opt(&o, opts[i], args[i], err);
		if (rc < 0)
			return rc;
		if (rc != 1)
			fail_msg("option %d not handled", opts[i]);
	}
	return iwa_ldap_validate(&o, err);
}

static void test_ldap_validate(void **state)
{
	struct iwa_err err = {0, {0}};
	const char *pw = write_tmp("pw", "s3cret\n", 7), *empty = write_tmp("pw.empty", "\n", 1);
	char want[512];

	(void)state;
	{
		const int o[] = {'H', IWA_OPT_TLS_CA_FILE};
		const char *a[] = {"dc1", "/nonexistent/ca.pem"};
		assert_int_equal(ldap_config(&err, 2, o, a), IWA_EINVAL);
		assert_string_equal(err.msg, "--ca-file /nonexistent/ca.pem: cannot read the CA "
					     "file: No such file or directory");
	}
	{
		const int o[] = {'H', IWA_OPT_TLS_INSECURE, IWA_OPT_TLS_CA_FILE};
		const char *a[] = {"dc1", NULL, FIXTURE_DIR "/one.pem"};
		assert_int_equal(ldap_config(&err, 3, o, a), IWA_EINVAL);
		assert_string_equal(err.msg, "--insecure and --ca-file exclude each other "
					     "(--insecure verifies no certificate)");
	}
	{
		const int o[] = {'H', IWA_OPT_KRB_KEYTAB};
		const char *a[] = {"dc1", "/x"};
		assert_int_equal(ldap_config(&err, 2, o, a), IWA_EINVAL);
		assert_string_equal(
			err.msg, "--keytab /x: cannot read the keytab: No such file or directory");
	}
	{
		const int o[] = {'H', IWA_OPT_KRB_PRINCIPAL};
		const char *a[] = {"dc1", "monitor"};
		assert_int_equal(ldap_config(&err, 2, o, a), IWA_EINVAL);
		assert_non_null(strstr(err.msg, "--principal needs --keytab"));
	}
	{
		const int o[] = {'H', 'p', IWA_OPT_LDAP_BIND_DN, IWA_OPT_LDAP_PASSWORD_FILE};
		const char *a[] = {"dc1", "3269", "CN=monitor", "/nonexistent/pw"};
		assert_int_equal(ldap_config(&err, 4, o, a), IWA_EINVAL);
		assert_string_equal(err.msg, "--password-file /nonexistent/pw: cannot read the "
					     "password file: No such file or directory");
		a[3] = empty;
		assert_int_equal(ldap_config(&err, 4, o, a), IWA_EINVAL);
		snprintf(want, sizeof want,
			 "--password-file %s: the password is empty (an empty password would be "
			 "an anonymous bind)",
			 empty);
		assert_string_equal(err.msg, want);
		a[3] = tmpdir;
		assert_int_equal(ldap_config(&err, 4, o, a), IWA_EINVAL);
		snprintf(want, sizeof want,
			 "--password-file %s: cannot read the password file: Is a directory",
			 tmpdir);
		assert_string_equal(err.msg, want);
		a[3] = pw;
		assert_int_equal(ldap_config(&err, 4, o, a), 0);
	}
	{
		const int o[] = {'H', IWA_OPT_LDAP_PASSWORD_FILE};
		const char *a[] = {"dc1", ""};
		assert_int_equal(ldap_config(&err, 2, o, a), IWA_EINVAL);
		assert_string_equal(err.msg, "--password-file: empty value (a file)");
	}
	{
		const int o[] = {'H', IWA_OPT_LDAP_BIND_DN};
		const char *a[] = {"dc1", ""};
		assert_int_equal(ldap_config(&err, 2, o, a), IWA_EINVAL);
		assert_string_equal(err.msg, "--bind-dn: empty value (a DN)");
	}
	{
		/* a good CA file and keytab-free Kerberos: valid */
		const int o[] = {'H', 'p', IWA_OPT_TLS_CA_FILE};
		const char *a[] = {"dc1", "3269", FIXTURE_DIR "/bundle.pem"};
		assert_int_equal(ldap_config(&err, 3, o, a), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pem_accepts),   cmocka_unit_test(test_pem_refuses),
		cmocka_unit_test(test_tls_opt),       cmocka_unit_test(test_tls_validate),
		cmocka_unit_test(test_krb_opt),       cmocka_unit_test(test_krb_validate),
		cmocka_unit_test(test_ldap_validate),
	};
	return cmocka_run_group_tests_name("opts", tests, setup, teardown);
}
