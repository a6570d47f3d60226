/* fuzz_unc.c — libFuzzer entry for gPCFileSysPath handling: UNC parsing and the smb:// URL built
 * from it (a path component must never escape the share: ".." is refused, every byte outside
 * the safe set is percent-encoded). Build on demand (scripts/fuzz.sh unc), e.g.:
 *   clang -g -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Icommon -I. \
 *     tests/fuzz/fuzz_unc.c common/smb.c common/util.c common/iwa.c \
 *     $(pkg-config --cflags --libs smbclient) -o fuzz_unc */
#include "smb.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size), *url = NULL;
	struct iwa_unc u;
	struct iwa_err err;

	if (s == NULL)
		return 0;
	if (iwa_unc_parse(s, &u, &err) == 0) {
		size_t n = strlen(u.path);
		if (u.server == NULL || u.share == NULL || strcmp(u.path, "..") == 0 ||
		    strncmp(u.path, "../", 3) == 0 || strstr(u.path, "/../") != NULL ||
		    (n >= 3 && strcmp(u.path + n - 3, "/..") == 0))
			abort();
		iwa_unc_free(&u);
		if (iwa_sysvol_smb_url("dc1.camtest.test", s, "GPT.INI", &url, &err) == 0) {
			if (strncmp(url, "smb://dc1.camtest.test/", 23) != 0 ||
			    strpbrk(url + 6, " \\\"#?@") != NULL)
				abort();
			free(url);
		}
	}
	free(s);
	return 0;
}
