/* opt: the conventions every kyodo sub-command follows on its command line, kept in one place. One table of
 * options per command (long name, id = short letter or >= 256, value name, help line) drives getopt_long
 * (`--opt=value`, `--opt value`, `--` ends options, options and arguments in any order), the help text
 * (`-h`/`--help`: stdout, exit 0) and the usage errors (stderr, one style: `kyodo CMD: --port: '80.9' is not a port
 * number`, exit 2). Numbers are parsed strictly: the whole string, within a range. Exit codes: 0 ok, 1 failure,
 * 2 usage. Knows nothing of what the options mean. Besides main and the cli modules, the only code that prints
 * (help to stdout, usage errors to stderr). Not reentrant: getopt_long's state is global, one parse at a time. */
#ifndef KY_OPT_H
#define KY_OPT_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/time.h"

enum { KY_EXIT_OK = 0, KY_EXIT_FAIL = 1, KY_EXIT_USAGE = 2 };

/* A flag has no zArg. zArg "[=auto]" (leading '[') makes the value optional and only `--opt=value` gives one. */
typedef struct ky_opt {
	const char *zLong;  /* "port", without the dashes; NULL ends a table */
	int id;             /* what ky_opts_next returns; an ASCII letter or digit is also the short option (-p) */
	const char *zArg;   /* the value's name in the help ("P", "FILE"), NULL for a flag */
	const char *zHelp;  /* help line(s); '\n' continues on the next line, aligned */
} ky_opt;

#define KY_OPT_LONG 256  /* first id of long-only options */
#define KY_OPT_MAX 48    /* options per command, -h/--help included */

/* A sub-command's command line: everything its help text and its checks need. */
typedef struct ky_cmd {
	const char *zName;     /* "serve": messages read "kyodo serve: ..." ("merge" of "sweep": "sweep merge") */
	const char *zSynopsis; /* after "kyodo NAME ": "SCENARIO.lua [OPTION]..." */
	const char *zAbout;    /* one or more lines after the usage line: what it does */
	const ky_opt *aOpt;    /* the options, terminated by { NULL }; -h/--help is added by this module */
	const char *zMore;     /* text after the options (details, exit status), or NULL */
	int nArgMin, nArgMax;  /* how many operands (positional arguments) it takes */
} ky_cmd;

/* One parse. Borrowed pointers into argv; argv is permuted by getopt_long (operands move to the end). */
typedef struct ky_opts {
	const ky_cmd *pCmd;
	int argc;
	char **argv;
	const char *zArg;     /* the current option's value (NULL for a flag or an optional value not given) */
	char zOpt[64];        /* the current option as typed, for messages: "--port" or "-p" */
	char **azPos;         /* after the end: the operands, nPos of them */
	int nPos;
	int rc;               /* after -1: the exit code (0 after --help, 2 after a usage error) */
	struct option aLong[KY_OPT_MAX + 1];
	char zShort[2 * KY_OPT_MAX + 2];
} ky_opts;

/* Starts a parse of argv[1..argc-1] (argv[0] is the sub-command's name) against pCmd's table. */
void ky_opts_init(ky_opts *g, const ky_cmd *pCmd, int argc, char **argv);
/* The next option: > 0 its id (g->zArg holds its value); 0 at the end, with the operands in g->azPos (their
 * count checked against nArgMin..nArgMax); -1 when the command must exit with g->rc: the help was printed on stdout
 * (rc 0), or a usage error on stderr (rc 2). */
int ky_opts_next(ky_opts *g);
/* Prints a usage error "kyodo CMD: message" and a pointer to --help on stderr; returns 2 (KY_EXIT_USAGE). */
int ky_opts_usage(const ky_opts *g, const char *zFmt, ...) __attribute__((format(printf, 2, 3)));
/* The strict readers of the current option's value: 0 with *pOut set, or a usage error printed and 2 returned,
 * *pOut untouched. The messages: "--port: '80.9' is not a port number", "--sweep: '3x' is not an integer from 1
 * to 100000", "--speed: 'fast' is not a number from 1e-06 to 100000", "--until: bad time ...". */
int ky_opts_int(const ky_opts *g, long long lo, long long hi, long long *pOut);
int ky_opts_u64(const ky_opts *g, uint64_t *pOut);
int ky_opts_port(const ky_opts *g, int *pOut);
int ky_opts_double(const ky_opts *g, double lo, double hi, double *pOut);
int ky_opts_time(const ky_opts *g, eng_time_t *pOut);

/* Writes pCmd's help text (usage line, about, options, more) to f; the format help2man reads. */
void ky_cmd_help(const ky_cmd *pCmd, FILE *f);

/* Pure, strict parsers of a whole string (no sign, space or suffix unless said): 0 or KY_EINVAL. */
int ky_parse_ll(const char *z, long long lo, long long hi, long long *pOut);  /* decimal, '-' only when lo < 0 */
int ky_parse_u64(const char *z, uint64_t *pOut);                              /* decimal, 0 .. 2^64-1 */
int ky_parse_double(const char *z, double lo, double hi, double *pOut);       /* decimal, finite, no hex */

#endif
