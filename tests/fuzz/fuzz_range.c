/* fuzz_range.c — libFuzzer entry point for iwa_range_parse (and iwa_parse_double behind it).
 * Build on demand, e.g.:
 *   clang -std=c11 -D_GNU_SOURCE -g -fsanitize=fuzzer,address,undefined -Icommon \
 *     tests/fuzz/fuzz_range.c common/range.c common/util.c common/iwa.c -lm -o fuzz_range
 * Checks invariants of every accepted range: start <= end, text kept verbatim, and the alert
 * decision at both ends matching the '@' flag. */
#include "range.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iwa_range r;
	struct iwa_err err;
	char *s;

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (iwa_range_parse(s, &r, &err) == 0) {
		if (!r.start_inf && !r.end_inf && r.start > r.end)
			abort();
		if (strcmp(r.text, s) != 0)
			abort();
		if (!r.start_inf && iwa_range_alert(&r, r.start) != r.inside)
			abort();
		if (!r.end_inf && iwa_range_alert(&r, r.end) != r.inside)
			abort();
	} else if (err.code != IWA_EINVAL || err.msg[0] == '\0') {
		abort();
	}
	free(s);
	return 0;
}
