/* cli (report): the `kyodo report` sub-command (CONTRACT §1): reads a drill's journal and writes the after-action
 * report (HTML), the MSEL (CSV), the STIX 2.1 bundle (JSON) and the VEX document (vex.h). The report is written
 * when --out is given or when no export is asked for. argv[0] is the sub-command's name. Returns the
 * exit code: 0 done, 1 a journal or output it could not read or write, 2 usage (message on stderr; --help on
 * stdout, 0). The only code in ui/report/ that prints. */
#ifndef REP_CLI_H
#define REP_CLI_H

int rep_cli_report(int argc, char **argv);

#endif
