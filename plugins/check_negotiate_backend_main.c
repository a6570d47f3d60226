/* check_negotiate_backend — the executable: the backends check module
 * (check_negotiate_backend.h) under the common driver (plugin.h). */
#include "check_negotiate_backend.h"

int main(int argc, char **argv)
{
	return iwa_check_main(&nb_check, argc, argv);
}
