/* fuzz_gptini.c — libFuzzer entry for the GPT.INI Version= reader. Build on demand, e.g.:
 *   clang -g -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Icommon -I. \
 *     tests/fuzz/fuzz_gptini.c common/gpttmpl.c common/sid.c common/util.c common/iwa.c \
 *     -o fuzz_gptini */
#include "gpttmpl.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t v;
	struct iwa_err err;

	(void)iwa_gptini_version(data, size, &v, &err);
	return 0;
}
