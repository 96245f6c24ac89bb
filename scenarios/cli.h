/* cli (scenarios): the `kyodo check` and `kyodo run` sub-commands. argv[0] is the sub-command's name.
 * Returns the process exit code (0 ok, 1 bad scenario or actions file, 2 usage). Prints to stdout/stderr. */
#ifndef SCN_CLI_H
#define SCN_CLI_H

int scn_cli_check(int argc, char **argv);
int scn_cli_run(int argc, char **argv);

#endif
