/* check_batch_logon_gpo — the executable: the GPO check module (check_batch_logon_gpo.h)
 * under the common driver (plugin.h). */
#include "check_batch_logon_gpo.h"

int main(int argc, char **argv)
{
	return iwa_check_main(&blg_check, argc, argv);
}
