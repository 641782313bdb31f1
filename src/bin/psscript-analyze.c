#include "config.h"
/* psscript-analyze.c: stand-alone `psscript analyze` for development and tests */

#include "bin/analyze_cli.h"

int
main(int argc, char **argv)
{
	return analyze_cli_main(argc, argv);
}
