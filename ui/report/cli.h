/* cli (report): the `kyodo report` sub-command (CONTRACT §1): reads a drill's journal and writes the after-action
 * report (HTML), the MSEL (CSV) and the STIX 2.1 bundle (JSON). argv[0] is the sub-command's name. Returns the
 * exit code: 0 done, 1 a journal or output it could not read or write, 2 usage (message on stderr; --help on
 * stdout, 0). The only code in ui/report/ that prints. */
#ifndef REP_CLI_H
#define REP_CLI_H

int rep_cli_report(int argc, char **argv);

#endif
