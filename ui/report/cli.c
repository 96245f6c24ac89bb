/* cli (report): see cli.h. Options with getopt_long: `--opt value` and `--opt=value`. */
#include "ui/report/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ui/report/aar.h"
#include "ui/report/data.h"
#include "ui/report/msel.h"
#include "ui/report/stix.h"

static const char zUsage[] =
	"usage: kyodo report FILE.db [--out AAR.html] [--lang ja|en] [--msel FILE.csv] [--stix FILE.json]\n"
	"  --out FILE     the after-action report, one self-contained HTML file (default: FILE.db's name with .html)\n"
	"  --lang ja|en   the report's language (default en)\n"
	"  --msel FILE    also write the master scenario events list (CSV, UTF-8 with BOM)\n"
	"  --stix FILE    also write a STIX 2.1 bundle of what was shared (TLP:RED shares are never exported)\n"
	"  --no-html      write only the exports asked for (--msel, --stix)\n"
	"  -h, --help     this help\n";

typedef struct rep_opts {
	const char *zDb, *zOut, *zMsel, *zStix;
	rep_lang lang;
	int bNoHtml;
} rep_opts;

/* Parses argv into o; returns -1 to go on, else the exit code (0 for --help, 2 for a usage error). */
static int parse_opts(int argc, char **argv, rep_opts *o) {
	static const struct option aOpt[] = {
		{ "out", required_argument, NULL, 'o' },  { "lang", required_argument, NULL, 'l' },
		{ "msel", required_argument, NULL, 'm' }, { "stix", required_argument, NULL, 's' },
		{ "no-html", no_argument, NULL, 'n' },    { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof *o);
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":h", aOpt, NULL)) != -1) {
		switch (c) {
		case 'o': o->zOut = optarg; break;
		case 'm': o->zMsel = optarg; break;
		case 's': o->zStix = optarg; break;
		case 'n': o->bNoHtml = 1; break;
		case 'h': fputs(zUsage, stdout); return 0;
		case 'l':
			if (rep_lang_parse(optarg, &o->lang)) {
				fprintf(stderr, "kyodo report: --lang: '%s' is not ja or en\n", optarg);
				return 2;
			}
			break;
		case ':':
			fprintf(stderr, "kyodo report: %s needs a value\n%s", argv[optind - 1], zUsage);
			return 2;
		default:
			fprintf(stderr, "kyodo report: unknown option '%s'\n%s", argv[optind - 1], zUsage);
			return 2;
		}
	}
	for (; optind < argc; optind++) {
		if (o->zDb) {
			fprintf(stderr, "kyodo report: unexpected '%s' (one journal at a time)\n%s", argv[optind], zUsage);
			return 2;
		}
		o->zDb = argv[optind];
	}
	if (!o->zDb) {
		fprintf(stderr, "kyodo report: which journal? (FILE.db)\n%s", zUsage);
		return 2;
	}
	return -1;
}

/* The default report path: the journal's path with its extension replaced by .html. */
static void default_out(const char *zDb, char *z, size_t n) {
	const char *zDot = strrchr(zDb, '.'), *zSlash = strrchr(zDb, '/');
	size_t k = zDot && (!zSlash || zDot > zSlash) ? (size_t)(zDot - zDb) : strlen(zDb);
	snprintf(z, n, "%.*s.html", (int)k, zDb);
}

typedef int (*write_fn)(rep_buf *b, const rep_data *d, rep_lang lang, ky_err *err);

static int write_one(const rep_data *d, rep_lang lang, write_fn fn, const char *zPath, const char *zWhat) {
	rep_buf b;
	ky_err err = { 0 };
	rep_buf_init(&b);
	int rc = fn(&b, d, lang, &err);
	if (rc == 0) rc = rep_buf_write(&b, zPath, &err);
	rep_buf_free(&b);
	if (rc) {
		fprintf(stderr, "kyodo report: %s: %s\n", zWhat, err.zMsg);
		return 1;
	}
	fprintf(stderr, "kyodo report: wrote %s\n", zPath);
	return 0;
}

int rep_cli_report(int argc, char **argv) {
	rep_opts o;
	int rc = parse_opts(argc, argv, &o);
	if (rc >= 0) return rc;
	ky_err err = { 0 };
	rep_data *d = rep_data_load(o.zDb, &err);
	if (!d) {
		fprintf(stderr, "kyodo report: %s\n", err.zMsg);
		return 1;
	}
	char zOut[4096];
	if (!o.zOut) default_out(o.zDb, zOut, sizeof zOut);
	rc = 0;
	if (!o.bNoHtml) rc |= write_one(d, o.lang, rep_aar_html, o.zOut ? o.zOut : zOut, "report");
	if (o.zMsel) rc |= write_one(d, o.lang, rep_msel_csv, o.zMsel, "--msel");
	if (o.zStix) rc |= write_one(d, o.lang, rep_stix_bundle, o.zStix, "--stix");
	rep_data_free(d);
	return rc;
}
