/* fuzz_ini.c — libFuzzer entry for the --extra-opts ini parser (iwa_ini_to_args).
 * Built on demand only: scripts/fuzz.sh -t SECONDS ini */
#include "plugin.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sections[] = {"fake", "check_fake", NULL};
	struct iwa_err err;
	char **argv = NULL;
	int argc = 0;
	bool found = false;

	if (iwa_ini_to_args((const char *)data, size, sections, "fuzz.ini", &argc, &argv, &found,
			    &err) < 0) {
		iwa_argv_free(argc, argv);
		return 0;
	}
	for (int i = 0; i < argc; i++)
		if (argv[i][0] != '-' || argv[i][1] != '-')
			abort();
	iwa_argv_free(argc, argv);
	return 0;
}
