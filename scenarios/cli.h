/* cli (scenarios): the `kyodo check`, `kyodo run`, `kyodo sweep` and `kyodo whatif` sub-commands. argv[0] is the
 * sub-command's name; options as engine/opt.h says (-h/--help on stdout). Each returns the process exit code (0 ok,
 * 1 a bad scenario, actions file, shard or journal, 2 usage) and prints to stdout/stderr. */
#ifndef SCN_CLI_H
#define SCN_CLI_H

int scn_cli_check(int argc, char **argv);
int scn_cli_run(int argc, char **argv);
int scn_cli_sweep(int argc, char **argv);  /* `kyodo sweep merge FILE... [--json]` */
int scn_cli_whatif(int argc, char **argv); /* `kyodo whatif` (scenarios/whatif.h); 1 also on a bad T */

#endif
