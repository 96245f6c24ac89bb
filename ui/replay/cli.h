/* cli (ui/replay): the `kyodo replay` sub-command (CONTRACT §1): the SDL2 window (view.h), or headless frames to
 * PNG with the describe line on stdout. The only code in ui/replay that prints. argv[0] is the sub-command's name.
 * Returns the exit code: 0 ok, 1 a bad journal, time or output file, 2 usage. */
#ifndef RPL_CLI_H
#define RPL_CLI_H

int rpl_cli_replay(int argc, char **argv);

#endif
