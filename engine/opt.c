/* opt: see opt.h. getopt_long runs with opterr = 0 and a leading ':' in its short-option string, so that every
 * message is this module's, in one style. */
#include "engine/opt.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define HELP_COL 26  /* column where an option's help starts */

static const ky_opt kHelpOpt = { "help", 'h', NULL, "show this help and exit" };

/* --- pure parsers ------------------------------------------------------------------------------------------- */

static int all_digits(const char *z) {
	if (!*z) return 0;
	for (; *z; z++)
		if (*z < '0' || *z > '9') return 0;
	return 1;
}

int ky_parse_ll(const char *z, long long lo, long long hi, long long *pOut) {
	if (!z) return KY_EINVAL;
	const char *zDigits = (*z == '-' && lo < 0) ? z + 1 : z;
	if (!all_digits(zDigits)) return KY_EINVAL;
	errno = 0;
	char *zEnd;
	long long v = strtoll(z, &zEnd, 10);
	if (errno || *zEnd || v < lo || v > hi) return KY_EINVAL;
	*pOut = v;
	return 0;
}

int ky_parse_u64(const char *z, uint64_t *pOut) {
	if (!z || !all_digits(z)) return KY_EINVAL;
	errno = 0;
	char *zEnd;
	unsigned long long v = strtoull(z, &zEnd, 10);
	if (errno || *zEnd) return KY_EINVAL;
	*pOut = (uint64_t)v;
	return 0;
}

/* Only [-]digits[.digits][e[+-]digits]: strtod alone would take " 1", "0x10", "inf" and "nan". */
static int decimal_shape(const char *z) {
	int nDigits = 0;
	if (*z == '-' || *z == '+') z++;
	for (; isdigit((unsigned char)*z); z++) nDigits++;
	if (*z == '.')
		for (z++; isdigit((unsigned char)*z); z++) nDigits++;
	if (!nDigits) return 0;
	if (*z == 'e' || *z == 'E') {
		z++;
		if (*z == '-' || *z == '+') z++;
		if (!isdigit((unsigned char)*z)) return 0;
		while (isdigit((unsigned char)*z)) z++;
	}
	return *z == 0;
}

int ky_parse_double(const char *z, double lo, double hi, double *pOut) {
	if (!z || !decimal_shape(z)) return KY_EINVAL;
	errno = 0;
	char *zEnd;
	double v = strtod(z, &zEnd);
	if (errno || *zEnd || !isfinite(v) || v < lo || v > hi) return KY_EINVAL;
	*pOut = v;
	return 0;
}

/* --- the table ---------------------------------------------------------------------------------------------- */

static int is_short(int id) {
	return id > 0 && id < 128 && isalnum(id);
}

static int opt_count(const ky_cmd *c) {
	int n = 0;
	while (c->aOpt && c->aOpt[n].zLong) n++;
	return n;
}

/* The table entry for id (the added --help included), or NULL. */
static const ky_opt *opt_by_id(const ky_cmd *c, int id) {
	for (int i = 0; c->aOpt && c->aOpt[i].zLong; i++)
		if (c->aOpt[i].id == id) return &c->aOpt[i];
	return id == kHelpOpt.id ? &kHelpOpt : NULL;
}

void ky_opts_init(ky_opts *g, const ky_cmd *pCmd, int argc, char **argv) {
	int n = opt_count(pCmd), k = 0;
	assert(n < KY_OPT_MAX);
	memset(g, 0, sizeof *g);
	g->pCmd = pCmd;
	g->argc = argc;
	g->argv = argv;
	g->zShort[k++] = ':';
	for (int i = 0; i <= n; i++) {
		const ky_opt *o = i < n ? &pCmd->aOpt[i] : &kHelpOpt;
		int has = !o->zArg ? no_argument : o->zArg[0] == '[' ? optional_argument : required_argument;
		assert(o->id > 0);
		assert(i == n || (o->id != kHelpOpt.id && strcmp(o->zLong, kHelpOpt.zLong) != 0)); /* -h/--help are this module's */
		g->aLong[i] = (struct option){ o->zLong, has, NULL, o->id };
		if (is_short(o->id)) {
			g->zShort[k++] = (char)o->id;
			if (has == required_argument) g->zShort[k++] = ':';
			if (has == optional_argument) g->zShort[k++] = ':', g->zShort[k++] = ':';
		}
	}
	g->zShort[k] = 0;
	optind = 0;  /* glibc: 0 re-initialises getopt (a second parse in one process, as the tests do) */
	opterr = 0;
}

/* --- messages ----------------------------------------------------------------------------------------------- */

static void usage_v(const ky_opts *g, const char *zFmt, va_list ap) {
	fprintf(stderr, "kyodo %s: ", g->pCmd->zName);
	vfprintf(stderr, zFmt, ap);
	fprintf(stderr, "\nTry 'kyodo %s --help' for more information.\n", g->pCmd->zName);
}

int ky_opts_usage(const ky_opts *g, const char *zFmt, ...) {
	va_list ap;
	va_start(ap, zFmt);
	usage_v(g, zFmt, ap);
	va_end(ap);
	return KY_EXIT_USAGE;
}

static int fail(ky_opts *g, const char *zFmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(ky_opts *g, const char *zFmt, ...) {
	va_list ap;
	va_start(ap, zFmt);
	usage_v(g, zFmt, ap);
	va_end(ap);
	g->rc = KY_EXIT_USAGE;
	return -1;
}

/* What getopt_long refused ('?'): an unknown or ambiguous long option, a flag given a value, an unknown letter. */
static int refused(ky_opts *g) {
	const char *zTyped = optind > 0 && optind <= g->argc ? g->argv[optind - 1] : "";
	if (strncmp(zTyped, "--", 2) != 0 || !zTyped[2]) return fail(g, "unknown option '-%c'", optopt ? optopt : '?');
	const char *zName = zTyped + 2;
	size_t nName = strcspn(zName, "=");
	char zMatches[256] = "";
	int nMatch = 0, bExact = 0;
	for (int i = 0; g->aLong[i].name; i++) {
		if (strncmp(g->aLong[i].name, zName, nName) != 0) continue;
		bExact |= g->aLong[i].name[nName] == 0;
		nMatch++;
		size_t n = strlen(zMatches);
		snprintf(zMatches + n, sizeof zMatches - n, "%s--%s", n ? ", " : "", g->aLong[i].name);
	}
	if (nMatch > 1 && !bExact) return fail(g, "ambiguous option '--%.*s' (%s)", (int)nName, zName, zMatches);
	if (nMatch >= 1 && zName[nName] == '=') return fail(g, "option '%s' takes no value", zMatches);
	return fail(g, "unknown option '--%.*s'", (int)nName, zName);
}

/* Remembers the option as typed, "--port" (also when given as "--por=80") or "-p", for messages. */
static void note_typed(ky_opts *g, int id, int bLong) {
	const ky_opt *o = opt_by_id(g->pCmd, id);
	if (o && (bLong || !is_short(id))) snprintf(g->zOpt, sizeof g->zOpt, "--%s", o->zLong);
	else snprintf(g->zOpt, sizeof g->zOpt, "-%c", id);
}

static int operands(ky_opts *g) {
	const ky_cmd *c = g->pCmd;
	g->azPos = g->argv + optind;
	g->nPos = g->argc - optind;
	if (g->nPos < c->nArgMin) {
		const char *zWhat = c->zSynopsis ? c->zSynopsis : "an argument";
		return fail(g, "missing operand (usage: kyodo %s %s)", c->zName, zWhat);
	}
	if (g->nPos > c->nArgMax) return fail(g, "unexpected argument '%s'", g->azPos[c->nArgMax]);
	return 0;
}

int ky_opts_next(ky_opts *g) {
	int iLong = -1;
	int id = getopt_long(g->argc, g->argv, g->zShort, g->aLong, &iLong);
	g->zArg = optarg;
	if (id == -1) return operands(g);
	if (id == '?') return refused(g);
	if (id == ':') { /* getopt_long leaves the option that lacks its value last: argv[optind-1] */
		note_typed(g, optopt, !strncmp(g->argv[optind - 1], "--", 2));
		return fail(g, "option '%s' needs a value (%s)", g->zOpt, opt_by_id(g->pCmd, optopt)->zArg);
	}
	note_typed(g, id, iLong >= 0);
	if (id == kHelpOpt.id) {
		ky_cmd_help(g->pCmd, stdout);
		g->rc = KY_EXIT_OK;
		return -1;
	}
	return id;
}

/* --- strict readers ----------------------------------------------------------------------------------------- */

int ky_opts_int(const ky_opts *g, long long lo, long long hi, long long *pOut) {
	if (ky_parse_ll(g->zArg, lo, hi, pOut) == 0) return 0;
	return ky_opts_usage(g, "%s: '%s' is not an integer from %lld to %lld", g->zOpt, g->zArg ? g->zArg : "", lo, hi);
}

int ky_opts_u64(const ky_opts *g, uint64_t *pOut) {
	if (ky_parse_u64(g->zArg, pOut) == 0) return 0;
	return ky_opts_usage(g, "%s: '%s' is not an integer from 0 to %llu", g->zOpt, g->zArg ? g->zArg : "",
	                     (unsigned long long)UINT64_MAX);
}

int ky_opts_port(const ky_opts *g, int *pOut) {
	long long v;
	if (ky_parse_ll(g->zArg, 0, 65535, &v) == 0) {
		*pOut = (int)v;
		return 0;
	}
	return ky_opts_usage(g, "%s: '%s' is not a port number", g->zOpt, g->zArg ? g->zArg : "");
}

int ky_opts_double(const ky_opts *g, double lo, double hi, double *pOut) {
	if (ky_parse_double(g->zArg, lo, hi, pOut) == 0) return 0;
	return ky_opts_usage(g, "%s: '%s' is not a number from %g to %g", g->zOpt, g->zArg ? g->zArg : "", lo, hi);
}

int ky_opts_time(const ky_opts *g, eng_time_t *pOut) {
	ky_err err = { 0 };
	if (eng_time_parse(g->zArg, pOut, &err) == 0) return 0;
	return ky_opts_usage(g, "%s: %s", g->zOpt, err.zMsg);
}

/* --- help --------------------------------------------------------------------------------------------------- */

/* Writes text with every line after the first indented by nIndent. */
static void put_indented(FILE *f, const char *z, int nIndent) {
	for (; *z; z++) {
		fputc(*z, f);
		if (*z == '\n' && z[1]) fprintf(f, "%*s", nIndent, "");
	}
}

static void help_option(FILE *f, const ky_opt *o) {
	char zLabel[128];
	int n;
	if (is_short(o->id)) n = snprintf(zLabel, sizeof zLabel, "  -%c, --%s", o->id, o->zLong);
	else n = snprintf(zLabel, sizeof zLabel, "      --%s", o->zLong);
	if (o->zArg && o->zArg[0] == '[') n += snprintf(zLabel + n, sizeof zLabel - (size_t)n, "%s", o->zArg);
	else if (o->zArg) n += snprintf(zLabel + n, sizeof zLabel - (size_t)n, "=%s", o->zArg);
	if (n + 2 > HELP_COL) fprintf(f, "%s\n%*s", zLabel, HELP_COL, "");
	else fprintf(f, "%-*s", HELP_COL, zLabel);
	put_indented(f, o->zHelp, HELP_COL);
	fputc('\n', f);
}

void ky_cmd_help(const ky_cmd *c, FILE *f) {
	fprintf(f, "Usage: kyodo %s %s\n", c->zName, c->zSynopsis ? c->zSynopsis : "");
	if (c->zAbout) fprintf(f, "%s\n", c->zAbout);
	fprintf(f, "\nOptions:\n");
	for (int i = 0; c->aOpt && c->aOpt[i].zLong; i++) help_option(f, &c->aOpt[i]);
	help_option(f, &kHelpOpt);
	if (c->zMore) fprintf(f, "\n%s\n", c->zMore);
}
