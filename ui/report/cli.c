/* cli (report): see cli.h. The options in one table (engine/opt.h: getopt_long, help, one error style). */
#include "ui/report/cli.h"

#include <stdio.h>
#include <string.h>

#include "engine/opt.h"
#include "ui/report/aar.h"
#include "ui/report/data.h"
#include "ui/report/msel.h"
#include "ui/report/stix.h"
#include "ui/report/vex.h"

enum { R_OUT = 'o', R_LANG = KY_OPT_LONG, R_MSEL, R_STIX, R_VEX, R_NO_HTML };

static const ky_opt kReportOpts[] = {
	{ "out", R_OUT, "FILE", "the after-action report, one self-contained HTML file (default, when no export is\n"
	                        "asked for: the journal's name with .html)" },
	{ "lang", R_LANG, "ja|en", "the language of the report and of the MSEL's objectives (default en)" },
	{ "msel", R_MSEL, "FILE", "also write the master scenario events list (CSV, UTF-8 with a BOM)" },
	{ "stix", R_STIX, "FILE", "also write a STIX 2.1 bundle of what was learned and shared (TLP:RED never)" },
	{ "vex", R_VEX, "FILE", "also write the CycloneDX 1.5 VEX of each org's final vulnerability assessments\n"
	                        "(the assess actions that name a vulnerability; docs/sbom.md)" },
	{ "no-html", R_NO_HTML, NULL, "no report, even with --out (only the exports asked for)" },
	{ NULL, 0, NULL, NULL },
};
static const ky_cmd kReport = {
	"report", "FILE.db [OPTION]...",
	"After-action report and exports of a drill, from its journal only (nothing is re-simulated): the report\n"
	"(HSEEP AAR/IP: overview, executive summary, timeline, analysis per team with P/S/M/U ratings, improvement\n"
	"plan, hot wash), the MSEL as CSV, the STIX 2.1 bundle. docs/reports.md.",
	kReportOpts,
	"Times are shown in the time zone of TZ.\n\n"
	"Exit status: 0 written; 1 a journal that cannot be read or a file that cannot be written; 2 usage.",
	1, 1,
};

typedef struct rep_opts {
	const char *zDb, *zOut, *zMsel, *zStix, *zVex;
	rep_lang lang;
	int bNoHtml;
} rep_opts;

/* One option into o; 0 or the usage exit code (the message printed). */
static int report_option(const ky_opts *g, int id, rep_opts *o) {
	switch (id) {
	case R_OUT: o->zOut = g->zArg; return 0;
	case R_MSEL: o->zMsel = g->zArg; return 0;
	case R_STIX: o->zStix = g->zArg; return 0;
	case R_VEX: o->zVex = g->zArg; return 0;
	case R_NO_HTML: o->bNoHtml = 1; return 0;
	case R_LANG:
		if (rep_lang_parse(g->zArg, &o->lang)) return ky_opts_usage(g, "%s: '%s' is not ja or en", g->zOpt, g->zArg);
		return 0;
	}
	return KY_EXIT_USAGE;
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
	ky_opts g;
	int id, rc = 0;
	memset(&o, 0, sizeof o);
	ky_opts_init(&g, &kReport, argc, argv);
	while (rc == 0 && (id = ky_opts_next(&g)) > 0) rc = report_option(&g, id, &o);
	if (rc) return rc;
	if (id < 0) return g.rc;
	o.zDb = g.azPos[0];
	ky_err err = { 0 };
	rep_data *d = rep_data_load(o.zDb, &err);
	if (!d) {
		fprintf(stderr, "kyodo report: %s\n", err.zMsg);
		return KY_EXIT_FAIL;
	}
	char zOut[4096];
	if (!o.zOut) default_out(o.zDb, zOut, sizeof zOut);
	/* the report is written when asked for (--out) or when nothing else is */
	int bHtml = !o.bNoHtml && (o.zOut || (!o.zMsel && !o.zStix && !o.zVex));
	rc = 0;
	if (bHtml) rc |= write_one(d, o.lang, rep_aar_html, o.zOut ? o.zOut : zOut, "report");
	if (o.zMsel) rc |= write_one(d, o.lang, rep_msel_csv, o.zMsel, "--msel");
	if (o.zStix) rc |= write_one(d, o.lang, rep_stix_bundle, o.zStix, "--stix");
	rep_data_free(d);
	if (o.zVex) {
		if (rep_vex_write(o.zDb, o.zVex, &err)) {
			fprintf(stderr, "kyodo report: --vex: %s\n", err.zMsg);
			rc |= 1;
		} else {
			fprintf(stderr, "kyodo report: wrote %s\n", o.zVex);
		}
	}
	return rc ? KY_EXIT_FAIL : KY_EXIT_OK;
}
