/* fuzz_gplink.c — libFuzzer entry for the gPLink parser and the MS-GPOL precedence
 * computation (the input, split at NUL bytes, gives up to 4 containers; the first byte of
 * each part's value toggles block inheritance). Build on demand, e.g.:
 *   clang -g -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Icommon -I. \
 *     tests/fuzz/fuzz_gplink.c common/gplink.c common/iwa.c -o fuzz_gplink */
#include "gplink.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iwa_gplink_list lists[4];
	struct iwa_som soms[4];
	struct iwa_gpo_order o;
	struct iwa_err err;
	size_t n = 0, pos = 0;

	while (n < 4 && pos <= size) {
		const uint8_t *end = memchr(data + pos, 0, size - pos);
		size_t len = end ? (size_t)(end - (data + pos)) : size - pos;
		char *s = strndup((const char *)data + pos, len);
		if (s == NULL)
			break;
		if (iwa_gplink_parse(s, &lists[n], &err) == 0) {
			for (size_t i = 0; i < lists[n].n; i++)
				if (lists[n].v[i].guid[0] != '{' || lists[n].v[i].guid[37] != '}' ||
				    lists[n].v[i].link_order == 0)
					abort();
			soms[n] = (struct iwa_som){"dn", &lists[n], len > 0 && (data[pos] & 1),
						   n == 0};
			n++;
		}
		free(s);
		pos += len + 1;
	}
	if (iwa_gpo_order_compute(soms, n, &o, &err) == 0) {
		for (size_t i = 0; i < o.napply; i++)
			if (o.v[i].precedence != i + 1 || o.v[i].som >= n)
				abort();
		iwa_gpo_order_free(&o);
	}
	for (size_t i = 0; i < n; i++)
		iwa_gplink_list_free(&lists[i]);
	return 0;
}
