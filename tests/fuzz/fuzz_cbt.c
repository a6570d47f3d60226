/* fuzz_cbt.c — libFuzzer entry point for iwa_cbt_end_point and iwa_cbt_pem_to_der
 * (common/cbt.c, RFC 5929 channel bindings of a server certificate). Run with
 * scripts/fuzz.sh SECONDS cbt (seeds: tests/unit/fixtures/cbt). The input is used both as
 * DER and as PEM text. Invariants: an accepted certificate gives "tls-server-end-point:" +
 * a 32/48/64-byte hash whose hex has twice as many digits; a refusal says why. */
#include "cbt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const void *der, size_t len)
{
	struct iwa_cbt c;
	struct iwa_err err = {0, {0}};

	if (iwa_cbt_end_point(der, len, &c, &err) == 0) {
		if ((c.hash_len != 32 && c.hash_len != 48 && c.hash_len != 64) ||
		    c.app_data_len != strlen(IWA_CBT_PREFIX) + c.hash_len ||
		    memcmp(c.app_data, IWA_CBT_PREFIX, strlen(IWA_CBT_PREFIX)) != 0 ||
		    strlen(c.hash_hex) != 2 * c.hash_len)
			abort();
	} else if (err.msg[0] == '\0') {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size > 0 ? size : 1); /* exactly size bytes: ASan sees overreads */
	void *der = NULL;
	size_t len = 0;
	struct iwa_err err = {0, {0}};

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	one(copy, size);
	if (iwa_cbt_pem_to_der(copy, size, &der, &len, &err) == 0) {
		one(der, len);
		free(der);
	} else if (err.msg[0] == '\0') {
		abort();
	}
	free(copy);
	return 0;
}
