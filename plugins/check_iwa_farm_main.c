/* check_iwa_farm — the executable: the farm module (check_iwa_farm.h) under the common
 * driver (plugin.h). */
#include "check_iwa_farm.h"

int main(int argc, char **argv)
{
	farm_options_init();
	return iwa_check_main(&farm_check, argc, argv);
}
