/* fuzz_spn_values.c — libFuzzer entry for the parsers check_spn_unique applies to LDAP values
 * (userAccountControl, lockoutTime) and to user input (SPN shape, --fqdn, account matching).
 * Build and run on demand: scripts/fuzz.sh -t 60 spn_values
 * fuzz-extra: plugins/check_spn_unique_spn.c */
#include "check_spn_unique.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t uac;
	long long lockout;
	char buf[256];
	char *s = malloc(size + 1);
	struct spn_owner o;
	struct iwa_err err;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (spn_parse_uac((const char *)data, size, &uac) == 0)
		spn_uac_describe(uac, buf, sizeof buf);
	(void)spn_parse_lockout((const char *)data, size, &lockout);
	{ /* whenCreated (RC4 retirement): a FILETIME whose date prints */
		long long ft;
		char d[32];
		if (spn_parse_gentime((const char *)data, size, &ft) == 0)
			spn_filetime_date(ft, d, sizeof d);
	}
	(void)spn_validate(s, "fuzz", &err);
	(void)spn_validate_fqdn(s, &err);
	memset(&o, 0, sizeof o);
	o.dn = "CN=cam-svc,OU=ServiceAccounts,DC=camtest,DC=test";
	o.sam = "cam-svc";
	(void)spn_account_matches(s, &o);
	spn_expect_setspn_name(s, buf, sizeof buf);
	(void)spn_hash(s);
	free(s);
	return 0;
}
