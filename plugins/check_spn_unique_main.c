/* check_spn_unique — the executable: the SPN check module (check_spn_unique.h) under the
 * common driver (plugin.h). */
#include "check_spn_unique.h"

int main(int argc, char **argv)
{
	return iwa_check_main(&spn_check, argc, argv);
}
