/* fuzz_secdesc.c — libFuzzer entry for self-relative security descriptors (nTSecurityDescriptor)
 * and the GPO security filtering check. Build on demand, e.g.:
 *   clang -g -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Icommon -I. \
 *     tests/fuzz/fuzz_secdesc.c common/secdesc.c common/sid.c common/iwa.c -o fuzz_secdesc */
#include "secdesc.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iwa_secdesc *sd = NULL;
	struct iwa_err err;
	struct iwa_sid sids[2];
	struct iwa_gpo_access acc;

	if (iwa_secdesc_parse(data, size, &sd, &err) != 0)
		return 0;
	if (iwa_sid_from_str("S-1-5-11", &sids[0], NULL) != 0)
		abort();
	sids[1] = sd->nace ? sd->aces[0].sid : sids[0];
	iwa_secdesc_gpo_access(sd, sids, 2, &acc);
	if ((acc.apply && acc.apply_denied) || (acc.read && acc.read_denied))
		abort();
	iwa_secdesc_free(sd);
	return 0;
}
