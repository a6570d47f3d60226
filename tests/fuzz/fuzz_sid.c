/* fuzz_sid.c — libFuzzer entry for SIDs: binary -> text -> binary must round-trip, and the
 * text parser must accept its own output. Build on demand, e.g.:
 *   clang -g -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Icommon -I. \
 *     tests/fuzz/fuzz_sid.c common/sid.c common/iwa.c -o fuzz_sid */
#include "sid.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iwa_sid a, b;
	size_t used, len;
	uint8_t back[8 + 4 * IWA_SID_MAX_SUB];
	char txt[IWA_SID_STR_MAX], *s;

	if (iwa_sid_from_bin(data, size, &a, &used, NULL) == 0) {
		if (iwa_sid_to_bin(&a, back, sizeof(back), &len, NULL) != 0 || len != used ||
		    memcmp(back, data, len) != 0)
			abort();
		iwa_sid_to_str(&a, txt, sizeof(txt));
		if (iwa_sid_from_str(txt, &b, NULL) != 0 || !iwa_sid_equal(&a, &b))
			abort();
		(void)iwa_sid_wellknown_name(&a);
	}
	s = strndup((const char *)data, size);
	if (s != NULL) {
		if (iwa_sid_from_str(s, &a, NULL) == 0)
			iwa_sid_to_str(&a, txt, sizeof(txt));
		(void)iwa_sid_from_wellknown_name(s, &a);
		free(s);
	}
	return 0;
}
