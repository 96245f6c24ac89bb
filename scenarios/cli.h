/* cli (scenarios): the `kyodo check`, `kyodo run` and `kyodo sweep` sub-commands. argv[0] is the sub-command's
 * name; options as engine/opt.h says (-h/--help on stdout). Each returns the process exit code (0 ok, 1 a bad
 * scenario, actions file or shard, 2 usage) and prints to stdout/stderr. */
#ifndef SCN_CLI_H
#define SCN_CLI_H

int scn_cli_check(int argc, char **argv);
int scn_cli_run(int argc, char **argv);
int scn_cli_sweep(int argc, char **argv);  /* `kyodo sweep merge FILE... [--json]` */

#endif
