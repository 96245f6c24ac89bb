/* cli (server): see cli.h. */
#include "server/cli.h"

#include <stdio.h>

int srv_cli_serve(int argc, char **argv) {
	(void)argc;
	(void)argv;
	fprintf(stderr, "kyodo serve: not built yet\n");
	return 2;
}
