/* fuzz_tls.c — libFuzzer entry point for iwa_pem_certs, the --ca-file check (common/tls.c).
 * Run with scripts/fuzz.sh SECONDS tls (seeds: tests/unit/fixtures/tls). The input is not
 * NUL-terminated (the parser takes a length). Invariants: an accepted input holds at least one
 * certificate and the text "-----BEGIN CERTIFICATE-----"; a refused one says why (IWA_EPARSE
 * with a message). */
#include "tls.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iwa_err err = {0, {0}};
	unsigned n = 0;
	char *copy = malloc(size > 0 ? size : 1); /* exactly size bytes: ASan sees overreads */

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (iwa_pem_certs(copy, size, &n, &err) == 0) {
		if (n == 0 || memmem(copy, size, "-----BEGIN CERTIFICATE-----", 27) == NULL)
			abort();
	} else if ((err.code != IWA_EPARSE && err.code != IWA_ENOMEM) || err.msg[0] == '\0') {
		abort();
	}
	free(copy);
	return 0;
}
