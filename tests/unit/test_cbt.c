/* test_cbt.c — RFC 5929 tls-server-end-point bindings (common/cbt.c) of fixture certificates
 * (tests/unit/fixtures/cbt, made with openssl req -x509); the expected hashes were computed
 * apart with `openssl dgst -sha256|-sha384 -r FILE.der`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cbt.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *fixture(const char *name, size_t *len)
{
	char path[512];
	char *data = NULL;
	struct iwa_err err = {0, {0}};

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
	if (iwa_read_file(path, 1 << 20, &data, len, &err) != 0)
		fail_msg("cannot read %s: %s", path, err.msg);
	return data;
}

static void expect_binding(const char *base, const char *hash_name, const char *hex,
			   const char *subject)
{
	char name[128];
	size_t len = 0, plen = 0, dlen = 0;
	char *der, *pem;
	void *d = NULL;
	struct iwa_cbt c, c2;
	struct iwa_err err = {0, {0}};

	snprintf(name, sizeof(name), "%s.der", base);
	der = fixture(name, &len);
	assert_int_equal(iwa_cbt_end_point(der, len, &c, &err), 0);
	assert_string_equal(c.hash_name, hash_name);
	assert_string_equal(c.hash_hex, hex);
	assert_int_equal(c.hash_len, strlen(hex) / 2);
	assert_int_equal(c.app_data_len, strlen(IWA_CBT_PREFIX) + c.hash_len);
	assert_memory_equal(c.app_data, "tls-server-end-point:", 21);
	assert_string_equal(c.subject, subject);
	/* the PEM form (as CURLINFO_CERTINFO gives it) decodes to the same DER and binding */
	snprintf(name, sizeof(name), "%s.pem", base);
	pem = fixture(name, &plen);
	assert_int_equal(iwa_cbt_pem_to_der(pem, plen, &d, &dlen, &err), 0);
	assert_int_equal(dlen, len);
	assert_memory_equal(d, der, len);
	assert_int_equal(iwa_cbt_end_point(d, dlen, &c2, &err), 0);
	assert_memory_equal(c2.app_data, c.app_data, c.app_data_len);
	free(d);
	free(pem);
	free(der);
}

static void t_ecdsa_sha256(void **state)
{
	(void)state;
	expect_binding("ecdsa-sha256", "SHA-256",
		       "a7b344e7883bae3715d707f734449df084c41162ae0482438a6b6ffbbf85df0e",
		       "CN=sso.camtest.test,O=iwa-plugins test");
}

static void t_rsa_sha1_uses_sha256(void **state)
{
	(void)state;
	expect_binding("rsa-sha1", "SHA-256",
		       "384a3bf62d0aff6c1e2354483d4a297c7f3256e686d61efaf19e1263074ef81e",
		       "CN=old.camtest.test");
}

static void t_rsa_sha384(void **state)
{
	(void)state;
	expect_binding("rsa-sha384", "SHA-384",
		       "4dc4021783b000e340b854b2f7a8ab355368171c2e1815325058f41eb686cdc8"
		       "e5cb6292bdbbb86b1426118a5adf6dfd",
		       "CN=sha384.camtest.test");
}

static void t_ed25519_uses_sha256(void **state)
{
	(void)state;
	expect_binding("ed25519", "SHA-256",
		       "1fad98fba8fe191d806a75cde193945f4d896605d57a44f0160829ee646441e8",
		       "CN=ed.camtest.test");
}

static void t_refused(void **state)
{
	struct iwa_cbt c;
	struct iwa_err err = {0, {0}};
	size_t len = 0;
	char *der = fixture("ecdsa-sha256.der", &len);
	char *longer = malloc(len + 1);
	void *d = NULL;
	size_t dl = 0;

	(void)state;
	assert_non_null(longer);
	assert_int_equal(iwa_cbt_end_point(NULL, 0, &c, &err), IWA_EPARSE);
	assert_int_equal(iwa_cbt_end_point("foobar", 6, &c, &err), IWA_EPARSE);
	assert_string_equal(err.msg, "not a DER X.509 certificate");
	assert_int_equal(iwa_cbt_end_point(der, len - 1, &c, &err), IWA_EPARSE); /* cut */
	memcpy(longer, der, len);
	longer[len] = 0;
	assert_int_equal(iwa_cbt_end_point(longer, len + 1, &c, &err), IWA_EPARSE);
	assert_string_equal(err.msg, "1 bytes after the certificate");
	assert_int_equal(iwa_cbt_pem_to_der("no pem", 6, &d, &dl, &err), IWA_EPARSE);
	assert_int_equal(iwa_cbt_pem_to_der("-----BEGIN CERTIFICATE-----\nAAAA", 32, &d, &dl, &err),
			 IWA_EPARSE);
	assert_int_equal(
		iwa_cbt_pem_to_der("-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----", 56,
				   &d, &dl, &err),
		IWA_EPARSE);
	free(longer);
	free(der);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_ecdsa_sha256), cmocka_unit_test(t_rsa_sha1_uses_sha256),
		cmocka_unit_test(t_rsa_sha384),   cmocka_unit_test(t_ed25519_uses_sha256),
		cmocka_unit_test(t_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
