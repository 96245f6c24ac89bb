/* cli (scenarios): the `kyodo check`, `kyodo run` and `kyodo whatif` sub-commands. argv[0] is the sub-command's name.
 * Returns the process exit code (0 ok, 1 bad scenario or actions file, 2 usage). Prints to stdout/stderr. */
#ifndef SCN_CLI_H
#define SCN_CLI_H

int scn_cli_check(int argc, char **argv);
int scn_cli_run(int argc, char **argv);
/* `kyodo whatif` (scenarios/whatif.h): 0, 1 on a bad file, T or actions file, 2 usage. */
int scn_cli_whatif(int argc, char **argv);

#endif
