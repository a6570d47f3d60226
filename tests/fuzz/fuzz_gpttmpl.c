/* fuzz_gpttmpl.c — libFuzzer entry for GptTmpl.inf: text decoding (UTF-16/UTF-8/ANSI), the
 * INF parser and the [Privilege Rights] list splitter. Build on demand, e.g.:
 *   clang -g -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Icommon -I. \
 *     tests/fuzz/fuzz_gpttmpl.c common/gpttmpl.c common/sid.c common/util.c common/iwa.c \
 *     -o fuzz_gpttmpl */
#include "gpttmpl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = NULL;
	struct iwa_inf inf;
	struct iwa_right_list l;
	struct iwa_err err;

	if (iwa_text_decode(data, size, &text, NULL, &err) != 0)
		return 0;
	if (iwa_inf_parse(text, &inf, &err) == 0) {
		if (iwa_gpttmpl_right(&inf, "SeBatchLogonRight", &l, &err) == 0) {
			for (size_t i = 0; i < l.n; i++)
				if (l.v[i].text == NULL || l.v[i].text[0] == '\0')
					abort();
			iwa_right_list_free(&l);
		}
		iwa_inf_free(&inf);
	}
	free(text);
	return 0;
}
