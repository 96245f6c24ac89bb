/* cli (server): the `kyodo serve` sub-command. argv[0] is "serve". Returns the process exit code. */
#ifndef SRV_CLI_H
#define SRV_CLI_H

int srv_cli_serve(int argc, char **argv);

#endif
