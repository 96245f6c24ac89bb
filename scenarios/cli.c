/* cli (scenarios): see cli.h. */
#include "scenarios/cli.h"

#include <stdio.h>

int scn_cli_check(int argc, char **argv) {
	(void)argc;
	(void)argv;
	fprintf(stderr, "kyodo check: not built yet\n");
	return 2;
}

int scn_cli_run(int argc, char **argv) {
	(void)argc;
	(void)argv;
	fprintf(stderr, "kyodo run: not built yet\n");
	return 2;
}
