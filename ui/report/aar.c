/* aar (report): see aar.h. One function per section; the analysis (find.c) gives the numbers and findings, the
 * charts come from chart.c, every word from msg.c. Figures are numbered; each has its caption above and its
 * "source" line below, inside one block that print never splits (tests check both land on one PDF page). */
#include "ui/report/aar.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui/report/chart.h"
#include "ui/report/find.h"
#include "ui/report/msel.h"

#define TIMELINE_MAX 600   /* rows of the timeline table; the rest are counted (they are in the journal) */
#define RESPONSE_ROWS 26   /* rows of one time-to-respond figure (a taller one would not fit an A4 page) */

typedef struct aar {
	rep_buf *b;
	const rep_data *d;
	rep_lang lang;
	json_t *m;    /* the analysis (find.h) */
	int nFig;     /* figures so far */
} aar;

static const char *str(json_t *o, const char *k) {
	const char *z = json_string_value(json_object_get(o, k));
	return z ? z : "";
}
static long long ival(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static double nval(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }

static const char *M(aar *a, const char *zKey) { return rep_msg(a->lang, zKey); }
static void put(aar *a, const char *z) { rep_buf_puts(a->b, z); }
static void esc(aar *a, const char *z) { rep_buf_html(a->b, z); }
static void tmsg(aar *a, const char *zKey) { rep_buf_html(a->b, rep_msg(a->lang, zKey)); }

/* <tag class="...">escaped catalogue text</tag> */
static void tag_msg(aar *a, const char *zTag, const char *zKey) {
	rep_buf_printf(a->b, "<%s>", zTag);
	tmsg(a, zKey);
	rep_buf_printf(a->b, "</%s>", zTag);
}

static void num_cell(aar *a, const char *zK, const char *zTeam, double v) {
	rep_buf_printf(a->b, "<td class=\"num\" data-k=\"%s\"", zK);
	if (zTeam) {
		put(a, " data-team=\"");
		esc(a, zTeam);
		put(a, "\"");
	}
	rep_buf_printf(a->b, " data-v=\"%.10g\">", v);
	rep_buf_num(a->b, v);
	put(a, "</td>");
}

static const char *kind_label(aar *a, const char *zKind) {
	char zKey[64];
	snprintf(zKey, sizeof zKey, "kind.%s", zKind);
	const char *z = rep_msg(a->lang, zKey);
	return strcmp(z, zKey) ? z : zKind;
}

/* Wall time of an ISO 8601 UTC stamp in the local time zone (TZ), with the zone: "2025-03-01 18:00 JST (+0900)". */
static char *wall_local(const char *zIso, int nDays, int bDateOnly, char *z, size_t n) {
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (!zIso || !strptime(zIso, "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(z, n, "—");
		return z;
	}
	time_t t = timegm(&tm) + (time_t)nDays * 86400;
	struct tm lt;
	localtime_r(&t, &lt);
	strftime(z, n, bDateOnly ? "%Y-%m-%d" : "%Y-%m-%d %H:%M %Z (UTC%z)", &lt);
	return z;
}

/* ---- figures ---- */

/* Opens figure N: its caption above (the PDF test finds "Figure N." and "Figure N source" on one page). */
static void fig_open(aar *a, const char *zId, const char *zTitle) {
	char zN[16];
	snprintf(zN, sizeof zN, "%d", ++a->nFig);
	rep_buf_printf(a->b, "<figure class=\"fig\" id=\"%s\" data-fig=\"%d\"><figcaption>", zId, a->nFig);
	rep_msgf(a->b, a->lang, 1, "fig.caption", "n", zN, "title", zTitle, NULL);
	put(a, "</figcaption>");
}

static void fig_close(aar *a, const char *zSource) {
	char zN[16];
	snprintf(zN, sizeof zN, "%d", a->nFig);
	put(a, "<p class=\"src\">");
	rep_msgf(a->b, a->lang, 1, "fig.source", "n", zN, "source", zSource, NULL);
	put(a, "</p></figure>");
}

/* ---- document ---- */

static const char zCss[] =
	"@page{size:A4;margin:14mm 13mm 16mm}"
	"*{box-sizing:border-box}"
	"html{font-family:'DejaVu Sans','Noto Sans','Helvetica Neue',Arial,'Noto Sans CJK JP','IPAPGothic','IPAexGothic',"
	"'Hiragino Sans','Yu Gothic','Meiryo',sans-serif;font-size:10.5pt;line-height:1.45;color:#1b1f24;background:#fff}"
	"html:lang(ja){font-family:'Noto Sans CJK JP','Noto Sans JP','IPAPGothic','IPAexGothic','Hiragino Sans','Yu Gothic',"
	"'Meiryo','DejaVu Sans',sans-serif}"
	"code{font-family:'DejaVu Sans Mono',monospace;font-size:9pt}"
	"body{margin:0 auto;max-width:190mm;padding:10mm 4mm}"
	"h1{font-size:21pt;margin:0 0 4mm;line-height:1.2}h2{font-size:14.5pt;margin:9mm 0 3mm;padding-bottom:1.5mm;"
	"border-bottom:2px solid #0072B2;break-after:avoid}h3{font-size:12pt;margin:6mm 0 2mm;break-after:avoid}"
	"h4{font-size:10.5pt;margin:4mm 0 1.5mm;break-after:avoid}"
	"p{margin:1.5mm 0 2.5mm}.muted{color:#5b6570}.small{font-size:9pt}"
	".cover{border-left:6px solid #0072B2;padding:2mm 0 2mm 6mm;margin-bottom:8mm}"
	".cover .kicker{text-transform:uppercase;letter-spacing:.08em;color:#0072B2;font-weight:700;font-size:9.5pt}"
	".cover .sub{font-size:11.5pt;color:#39424c}"
	"nav.toc{margin-top:4mm}nav.toc ol{margin:0;padding-left:5mm;columns:2}nav.toc a{color:inherit;text-decoration:none}"
	"table{border-collapse:collapse;width:100%;margin:1.5mm 0 4mm;font-size:9.5pt}"
	"thead{display:table-header-group}tr{break-inside:avoid}"
	"th,td{border-bottom:1px solid #d5dbe1;padding:1.2mm 1.6mm;text-align:left;vertical-align:top;overflow-wrap:anywhere}"
	"th{background:#eef3f7;font-weight:700}td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}"
	"table.kv th{width:32%;background:none;color:#39424c}"
	".t{white-space:nowrap;font-variant-numeric:tabular-nums;color:#39424c}"
	".cat{display:inline-block;padding:0 1.5mm;border-radius:2mm;font-size:8.5pt;font-weight:700;white-space:nowrap}"
	".cat-attack{background:#fbe3d6;color:#8a3600}.cat-inject{background:#dcecf7;color:#00466e}"
	".cat-action{background:#e9f5ee;color:#005c43}.cat-share{background:#f3e8f0;color:#7a3d66}"
	".cat-grade{background:#fff4d6;color:#6b4f00}.cat-error{background:#fde2e2;color:#8c1c1c}"
	".cat-fact{background:#eceff2;color:#39424c}"
	".rating{display:inline-block;min-width:7mm;text-align:center;font-weight:700;border-radius:1.5mm;padding:0 1mm}"
	".r-P{background:#009E73;color:#fff}.r-S{background:#56B4E9;color:#00243a}.r-M{background:#E69F00;color:#2b1d00}"
	".r-U{background:#D55E00;color:#fff}"
	".st-met{color:#006e50;font-weight:700}.st-missed{color:#b0390a;font-weight:700}.st-late{color:#8a5a00;font-weight:700}"
	".st-unfired,.st-pending{color:#5b6570}"
	".findings{display:grid;grid-template-columns:1fr 1fr;gap:5mm}.findings section{break-inside:avoid}"
	".findings ol{margin:0;padding-left:5mm}.findings li{margin-bottom:1.5mm}"
	".kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:3mm;margin:3mm 0 4mm;break-inside:avoid}"
	".kpi{border:1px solid #d5dbe1;border-radius:2mm;padding:2mm 3mm}.kpi .v{font-size:16pt;font-weight:700}"
	".kpi .l{font-size:8.5pt;color:#5b6570}"
	"figure.fig{margin:4mm 0 6mm;break-inside:avoid;page-break-inside:avoid}"
	"figure.fig figcaption{font-weight:700;font-size:10pt;margin-bottom:1.5mm}"
	"figure.fig svg{width:100%;height:auto;display:block}"
	"p.src{font-size:8.5pt;color:#5b6570;margin:1mm 0 0}"
	"svg text{font-family:inherit}svg .tick{font-size:9px;fill:#39424c}svg .label{font-size:10px;fill:#1b1f24}"
	"svg .late{fill:#b0390a}svg .grid{stroke:#e3e8ec;stroke-width:1}svg .axis{stroke:#7c8791;stroke-width:1}"
	"svg .zero{stroke:#7c8791;stroke-dasharray:3 2}svg .window{stroke:#1b1f24;stroke-width:1.2;stroke-dasharray:4 2}"
	"svg .missed{fill:none;stroke:#D55E00;stroke-dasharray:3 3}"
	".na{border:1px dashed #aeb7c0;border-radius:2mm;padding:3mm;color:#39424c;break-inside:avoid}"
	".team{break-before:auto}.teamhead{display:flex;justify-content:space-between;align-items:baseline;gap:4mm}"
	"blockquote{margin:1mm 0 2mm;padding:1mm 3mm;border-left:3px solid #d5dbe1;break-inside:avoid}"
	".bars{font-family:monospace;letter-spacing:-.05em;color:#0072B2}"
	"footer{margin-top:10mm;font-size:8.5pt;color:#5b6570;border-top:1px solid #d5dbe1;padding-top:2mm}"
	"@media print{body{max-width:none;padding:0}.cover{break-after:page}h2{break-before:auto}a{color:inherit}}";

static void doc_head(aar *a) {
	put(a, "<!doctype html>\n<html lang=\"");
	put(a, rep_lang_code(a->lang));
	put(a, "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	       "<meta name=\"generator\" content=\"kyodo report\"><title>");
	rep_msgf(a->b, a->lang, 1, "doc.title", "title", str(a->d->exercise, "title"), NULL);
	put(a, "</title><style>");
	put(a, zCss);
	put(a, "</style></head>\n<body>\n");
}

static void cover(aar *a) {
	char z1[96], z2[96];
	put(a, "<header class=\"cover\"><div class=\"kicker\">");
	tmsg(a, "doc.kicker");
	put(a, "</div><h1>");
	esc(a, str(a->d->exercise, "title"));
	put(a, "</h1><div class=\"sub\">");
	rep_msgf(a->b, a->lang, 1, "doc.sub", "id", str(a->d->exercise, "id"), "start",
	         wall_local(a->d->zStartedAt, 0, 0, z1, sizeof z1), "end", wall_local(a->d->zEndedAt, 0, 0, z2, sizeof z2), NULL);
	put(a, "</div>");
	if (!a->d->summary) {
		put(a, "<p class=\"na\" data-k=\"nosummary\">");
		tmsg(a, "doc.nosummary");
		put(a, "</p>");
	}
	put(a, "<nav class=\"toc\"><ol>");
	static const char *const aToc[][2] = { { "overview", "sec.overview" }, { "summary", "sec.summary" },
	                                        { "timeline", "sec.timeline" },  { "teams", "sec.teams" },
	                                        { "plan", "sec.plan" },          { "hotwash", "sec.hotwash" },
	                                        { "method", "sec.method" } };
	for (size_t i = 0; i < sizeof aToc / sizeof aToc[0]; i++) {
		rep_buf_printf(a->b, "<li><a href=\"#%s\">", aToc[i][0]);
		tmsg(a, aToc[i][1]);
		put(a, "</a></li>");
	}
	put(a, "</ol></nav></header>\n");
}

static void kv_row(aar *a, const char *zKey, const char *zValue, const char *zK) {
	put(a, "<tr><th>");
	tmsg(a, zKey);
	put(a, "</th><td");
	if (zK) rep_buf_printf(a->b, " data-k=\"%s\"", zK);
	put(a, ">");
	esc(a, zValue);
	put(a, "</td></tr>");
}

/* 1. Exercise overview: what, when (wall clock with the zone), how long, who (teams and orgs), objectives. */
static void overview(aar *a) {
	const rep_data *d = a->d;
	char z1[96], z2[96], z3[160];
	put(a, "<section id=\"overview\"><h2>1. ");
	tmsg(a, "sec.overview");
	put(a, "</h2><table class=\"kv\">");
	kv_row(a, "ov.name", str(d->exercise, "title"), "title");
	snprintf(z3, sizeof z3, "%s (%s, sha256 %.12s…)", str(d->exercise, "id"), str(d->exercise, "file"), d->zSha ? d->zSha : "");
	kv_row(a, "ov.scenario", z3, NULL);
	if (*str(d->exercise, "description")) kv_row(a, "ov.description", str(d->exercise, "description"), NULL);
	kv_row(a, "ov.start", wall_local(d->zStartedAt, 0, 0, z1, sizeof z1), "started");
	kv_row(a, "ov.end", wall_local(d->zEndedAt, 0, 0, z2, sizeof z2), "ended");
	rep_dur(a->lang, ival(d->exercise, "duration_us"), z1, sizeof z1);
	rep_dur(a->lang, d->tEnd, z2, sizeof z2);
	char *z = rep_msg_str(a->lang, "ov.duration.v", "planned", z1, "reached", z2, NULL);
	kv_row(a, "ov.duration", z ? z : "", "duration");
	free(z);
	snprintf(z1, sizeof z1, "%lld", d->seed);
	kv_row(a, "ov.seed", z1, NULL);
	rep_buf tech;
	rep_buf_init(&tech);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(d->exercise, "techniques"), i, v) {
		if (i) rep_buf_puts(&tech, ", ");
		rep_buf_puts(&tech, json_string_value(v));
	}
	kv_row(a, "ov.techniques", tech.z ? tech.z : "—", "techniques");
	rep_buf_free(&tech);
	put(a, "</table>");
	/* teams and their orgs */
	put(a, "<h3>");
	tmsg(a, "ov.teams");
	put(a, "</h3><table><thead><tr><th>");
	tmsg(a, "col.team");
	put(a, "</th><th>");
	tmsg(a, "col.id");
	put(a, "</th><th>");
	tmsg(a, "col.org");
	put(a, "</th><th>");
	tmsg(a, "col.participants");
	put(a, "</th></tr></thead><tbody>");
	json_t *t;
	json_array_foreach(json_object_get(a->m, "teams"), i, t) {
		put(a, "<tr data-k=\"team\" data-team=\"");
		esc(a, str(t, "id"));
		put(a, "\"><td>");
		esc(a, str(t, "name"));
		put(a, "</td><td><code>");
		esc(a, str(t, "id"));
		put(a, "</code></td><td>");
		esc(a, json_object_get(t, "org") ? str(t, "org_name") : "—");
		put(a, "</td><td>");
		size_t k;
		json_array_foreach(json_object_get(t, "by"), k, v) {
			if (k) put(a, ", ");
			esc(a, json_string_value(v));
		}
		if (!json_array_size(json_object_get(t, "by"))) put(a, "—");
		put(a, "</td></tr>");
	}
	put(a, "</tbody></table>");
	/* objectives: those the expectations evidence (named by the scenario, or the capability of their kind) */
	put(a, "<h3>");
	tmsg(a, "ov.objectives");
	put(a, "</h3><ol data-k=\"objectives\">");
	json_array_foreach(json_object_get(a->m, "objectives"), i, v) {
		put(a, "<li>");
		esc(a, json_string_value(v));
		put(a, "</li>");
	}
	put(a, "</ol>");
	if (!json_array_size(json_object_get(a->m, "objectives"))) {
		put(a, "<p class=\"muted\">");
		tmsg(a, "ov.noobjectives");
		put(a, "</p>");
	}
	put(a, "</section>\n");
}

/* ---- 2. executive summary ---- */

static void kpi(aar *a, const char *zLabelKey, const char *zK, double v, const char *zSuffix) {
	rep_buf_printf(a->b, "<div class=\"kpi\"><div class=\"v\" data-k=\"%s\" data-v=\"%.10g\">", zK, v);
	rep_buf_num(a->b, v);
	if (zSuffix) put(a, zSuffix);
	put(a, "</div><div class=\"l\">");
	tmsg(a, zLabelKey);
	put(a, "</div></div>");
}

static void finding_list(aar *a, const char *zTitleKey, const char *zK, json_t *list, const char *zNoneKey) {
	put(a, "<section>");
	tag_msg(a, "h3", zTitleKey);
	rep_buf_printf(a->b, "<ol data-k=\"%s\">", zK);
	size_t i;
	json_t *f;
	json_array_foreach(list, i, f) {
		if (i >= 3) break;
		put(a, "<li>");
		esc(a, str(f, "text"));
		put(a, "</li>");
	}
	put(a, "</ol>");
	if (!json_array_size(list)) {
		put(a, "<p class=\"muted\">");
		tmsg(a, zNoneKey);
		put(a, "</p>");
	}
	put(a, "</section>");
}

/* The impact figures of CONTRACT §1 when the run computed them, else "not computed". */
static void impact(aar *a) {
	json_t *imp = json_object_get(a->d->summary, "impact");
	put(a, "<h3>");
	tmsg(a, "sum.impact");
	put(a, "</h3>");
	if (!json_is_object(imp) || !json_is_number(json_object_get(imp, "averted"))) {
		put(a, "<p class=\"na\" data-k=\"impact\" data-v=\"not computed\">");
		tmsg(a, "impact.na");
		put(a, "</p>");
		return;
	}
	char zPct[32];
	snprintf(zPct, sizeof zPct, "%.1f%%", nval(imp, "averted") * 100);
	put(a, "<p>");
	rep_buf_printf(a->b, "<strong data-k=\"impact.averted\" data-v=\"%.10g\">", nval(imp, "averted"));
	esc(a, zPct);
	put(a, "</strong> ");
	char zH[32], zH0[32];
	snprintf(zH, sizeof zH, "%.1f", nval(imp, "harm"));
	snprintf(zH0, sizeof zH0, "%.1f", nval(imp, "baseline"));
	rep_msgf(a->b, a->lang, 1, "impact.text", "harm", zH, "baseline", zH0, NULL);
	put(a, "</p>");
	fig_open(a, "fig-impact", M(a, "fig.impact"));
	rep_chart_impact(a->b, imp, a->d->teams, a->lang);
	fig_close(a, M(a, "src.impact"));
	put(a, "<table><thead><tr><th>");
	tmsg(a, "col.team");
	put(a, "</th><th class=\"num\">");
	tmsg(a, "col.averted");
	put(a, "</th></tr></thead><tbody>");
	size_t i;
	json_t *t;
	json_array_foreach(a->d->teams, i, t) {
		json_t *pt = json_object_get(json_object_get(imp, "teams"), str(t, "id"));
		put(a, "<tr><td>");
		esc(a, str(t, "name"));
		put(a, "</td>");
		if (pt) num_cell(a, "impact.team", str(t, "id"), nval(pt, "averted") * 100);
		else {
			put(a, "<td class=\"num\">");
			tmsg(a, "na");
			put(a, "</td>");
		}
		put(a, "</tr>");
	}
	put(a, "</tbody></table>");
}

static void summary(aar *a) {
	json_t *n = json_object_get(a->m, "counts");
	put(a, "<section id=\"summary\"><h2>2. ");
	tmsg(a, "sec.summary");
	put(a, "</h2>");
	tag_msg(a, "h3", "sum.what");
	size_t i;
	json_t *v;
	put(a, "<p data-k=\"story\">");
	json_array_foreach(json_object_get(a->m, "story"), i, v) {
		if (i) put(a, " ");
		esc(a, json_string_value(v));
	}
	put(a, "</p><div class=\"kpis\">");
	kpi(a, "kpi.injects", "count.injects_sent", (double)ival(n, "injects_sent"), NULL);
	kpi(a, "kpi.actions", "count.actions", (double)ival(n, "actions"), NULL);
	kpi(a, "kpi.met", "count.met", (double)ival(n, "met"), NULL);
	kpi(a, "kpi.missed", "count.missed", (double)ival(n, "missed"), NULL);
	kpi(a, "kpi.shares", "count.shares", (double)ival(n, "shares"), NULL);
	kpi(a, "kpi.refused", "count.refused", (double)ival(n, "refused"), NULL);
	kpi(a, "kpi.grades", "count.grades", (double)ival(n, "grades"), NULL);
	kpi(a, "kpi.errors", "count.scenario_errors", (double)ival(n, "scenario_errors"), NULL);
	put(a, "</div>");
	if (json_array_size(a->d->metrics) > 0) {
		fig_open(a, "fig-fleet", M(a, "fig.fleet"));
		int nSamples = rep_chart_fleet(a->b, a->d->metrics, a->d->tEnd > 0 ? a->d->tEnd : 1, a->lang);
		char zN[32];
		snprintf(zN, sizeof zN, "%d", nSamples);
		char *z = rep_msg_str(a->lang, "src.fleet", "n", zN, NULL);
		fig_close(a, z ? z : "");
		free(z);
	}
	impact(a);
	put(a, "<div class=\"findings\">");
	finding_list(a, "sum.strengths", "strengths", json_object_get(a->m, "strengths"), "sum.nostrengths");
	finding_list(a, "sum.improve", "improvements", json_object_get(a->m, "improvements"), "sum.noimprove");
	put(a, "</div></section>\n");
}

/* ---- 3. timeline ---- */

typedef struct tl_row { long long t; int cat; size_t ord; char *zTeam, *zText; } tl_row;
enum { CAT_ATTACK, CAT_INJECT, CAT_ACTION, CAT_SHARE, CAT_GRADE, CAT_ERROR, CAT_FACT };
static const char *const azCat[] = { "attack", "inject", "action", "share", "grade", "error", "fact" };

typedef struct tl { tl_row *a; size_t n, nCap; } tl;

static void tl_add(tl *l, long long t, int cat, const char *zTeam, char *zText) {
	if (!zText) return;
	if (l->n == l->nCap) {
		size_t nCap = l->nCap ? 2 * l->nCap : 128;
		tl_row *p = realloc(l->a, nCap * sizeof *p);
		if (!p) {
			free(zText);
			return;
		}
		l->a = p;
		l->nCap = nCap;
	}
	l->a[l->n] = (tl_row){ t, cat, l->n, zTeam ? strdup(zTeam) : NULL, zText };
	l->n++;
}

static int tl_cmp(const void *pa, const void *pb) {
	const tl_row *a = pa, *b = pb;
	if (a->t != b->t) return a->t < b->t ? -1 : 1;
	return a->ord < b->ord ? -1 : a->ord > b->ord;
}

/* A text built in a buffer (new string, or NULL). */
static char *buf_take(rep_buf *b) {
	if (b->bOom) {
		rep_buf_free(b);
		return NULL;
	}
	char *z = b->z ? b->z : strdup("");
	rep_buf_init(b);
	return z;
}

/* A drill-level fact of the world in words (the detail's numbers named), or its kind and detail as they are. */
static void world_fact(aar *a, rep_buf *b, const char *zKind, const char *zSubject, json_t *det) {
	char z1[32], z2[32];
	if (!strcmp(zKind, "vsoc.incident")) {
		snprintf(z1, sizeof z1, "%lld", ival(det, "cars_compromised"));
		rep_msgf(b, a->lang, 0, "tl.vsoc", "indicator", zSubject, "n", z1, "technique", str(det, "technique"), NULL);
	} else if (!strcmp(zKind, "c2.blocked")) {
		snprintf(z1, sizeof z1, "%lld", ival(det, "cars_cut"));
		rep_msgf(b, a->lang, 0, "tl.c2blocked", "indicator", zSubject, "n", z1, NULL);
	} else if (!strcmp(zKind, "ota.campaign")) {
		snprintf(z1, sizeof z1, "%lld", ival(det, "targeted"));
		snprintf(z2, sizeof z2, "%lld", ival(det, "campaign"));
		rep_msgf(b, a->lang, 0, "tl.ota", "n", z2, "ecu", zSubject, "version", str(det, "version"), "cars", z1, "team",
		         rep_data_team_name(a->d, str(det, "team")), NULL);
	} else if (!strcmp(zKind, "service.health")) {
		rep_msgf(b, a->lang, 0, "tl.health", "service", zSubject, "health", *str(det, "health") ? str(det, "health") : str(det, "status"), NULL);
	} else {
		char *zDet = json_dumps(det, JSON_COMPACT | JSON_SORT_KEYS);
		rep_msgf(b, a->lang, 0, "tl.fact", "kind", zKind, "subject", zSubject, "detail", zDet ? zDet : "", NULL);
		free(zDet);
	}
}

static void tl_attacks(aar *a, tl *l) {
	size_t i;
	json_t *e;
	json_array_foreach(a->d->events, i, e) {
		const char *zKind = str(e, "kind");
		json_t *det = json_object_get(e, "detail");
		rep_buf b;
		rep_buf_init(&b);
		int cat = CAT_FACT;
		if (!strncmp(zKind, "attack.", 7)) {
			cat = CAT_ATTACK;
			char zN[32];
			snprintf(zN, sizeof zN, "%lld", ival(det, "count"));
			const char *zTech = str(det, "technique");
			if (!strcmp(zKind, "attack.compromise"))
				rep_msgf(&b, a->lang, 0, *zTech ? "tl.compromise" : "tl.compromise_notech", "n", zN, "entry", str(det, "entry"),
				         "technique", zTech, "c2", str(e, "subject"), NULL);
			else if (!strcmp(zKind, "attack.spread"))
				rep_msgf(&b, a->lang, 0, "tl.spread", "n", zN, "c2", str(e, "subject"), NULL);
			else if (!strcmp(zKind, "attack.stop"))
				rep_msgf(&b, a->lang, 0, "tl.stop", "c2", str(e, "subject"), NULL);
			else {
				char *zDet = json_dumps(det, JSON_COMPACT | JSON_SORT_KEYS);
				rep_msgf(&b, a->lang, 0, "tl.attack", "kind", zKind + 7, "subject", str(e, "subject"), "detail", zDet ? zDet : "", NULL);
				free(zDet);
			}
		} else if (!strcmp(zKind, "scenario.error") || !strcmp(zKind, "scenario.stopped")) {
			cat = CAT_ERROR;
			rep_msgf(&b, a->lang, 0, "tl.error", "where", str(e, "subject"), "message", str(det, "message"), NULL);
		} else if (!strcmp(zKind, "c2.blocked") || !strcmp(zKind, "vsoc.incident") || !strcmp(zKind, "ota.campaign") ||
		           !strncmp(zKind, "service.", 8) || !strncmp(zKind, "ingest.", 7)) {
			world_fact(a, &b, zKind, str(e, "subject"), det);
		} else {
			rep_buf_free(&b);
			continue;
		}
		tl_add(l, ival(e, "t_us"), cat, NULL, buf_take(&b));
	}
}

static void tl_injects(aar *a, tl *l) {
	size_t i;
	json_t *p;
	json_array_foreach(a->d->plan, i, p) {
		json_t *sent = json_object_get(a->d->injects, str(p, "id"));
		if (!sent) continue;
		rep_buf b, to;
		rep_buf_init(&b);
		rep_buf_init(&to);
		size_t k;
		json_t *v;
		json_array_foreach(json_object_get(p, "to"), k, v) {
			if (k) rep_buf_puts(&to, ", ");
			rep_buf_puts(&to, rep_data_team_name(a->d, json_string_value(v)));
		}
		char zSev[48];
		snprintf(zSev, sizeof zSev, "sev.%s", str(p, "severity"));
		rep_msgf(&b, a->lang, 0, "tl.inject", "id", str(p, "id"), "title", str(p, "title"), "to", to.z ? to.z : "", "severity",
		         M(a, zSev), NULL);
		rep_buf_free(&to);
		tl_add(l, ival(sent, "t_us"), CAT_INJECT, NULL, buf_take(&b));
	}
}

static void tl_actions(aar *a, tl *l) {
	size_t i;
	json_t *x;
	json_array_foreach(a->d->actions, i, x) {
		rep_buf b, args;
		rep_buf_init(&b);
		rep_buf_init(&args);
		json_t *ar = json_object_get(x, "args");
		const char *zKind = str(x, "kind");
		int bShare = !strcmp(zKind, "share");
		char zSeq[32];
		snprintf(zSeq, sizeof zSeq, "%lld", ival(x, "seq"));
		if (bShare) {
			char zTlp[32];
			snprintf(zTlp, sizeof zTlp, "TLP:%s", *str(ar, "tlp") ? str(ar, "tlp") : "clear");
			for (char *q = zTlp; *q; q++) *q = (char)(*q >= 'a' && *q <= 'z' ? *q - 32 : *q);
			const char *zTo = str(ar, "to");
			rep_msgf(&b, a->lang, 0, "tl.share", "seq", zSeq, "to", !strcmp(zTo, "all") ? M(a, "to.all") : rep_data_team_name(a->d, zTo),
			         "tlp", zTlp, "text", str(ar, "text"), NULL);
			size_t nInd = json_array_size(json_object_get(ar, "indicators"));
			if (nInd) {
				char zN[32];
				snprintf(zN, sizeof zN, "%zu", nInd);
				rep_buf_puts(&b, " ");
				rep_msgf(&b, a->lang, 0, "tl.indicators", "n", zN, NULL);
			}
		} else {
			rep_msel_action(&args, zKind, ar);
			const char *zArgs = args.z ? strchr(args.z, ' ') : NULL;
			rep_msgf(&b, a->lang, 0, "tl.action", "seq", zSeq, "kind", kind_label(a, zKind), "args", zArgs ? zArgs + 1 : "", NULL);
		}
		const char *zErr = json_string_value(json_object_get(json_object_get(x, "result"), "error"));
		if (zErr) {
			rep_buf_puts(&b, " — ");
			rep_msgf(&b, a->lang, 0, "tl.refused", "error", zErr, NULL);
		}
		if (json_object_get(x, "by")) {
			rep_buf_puts(&b, " ");
			rep_msgf(&b, a->lang, 0, "tl.by", "name", str(x, "by"), NULL);
		}
		rep_buf_free(&args);
		tl_add(l, ival(x, "t_us"), bShare ? CAT_SHARE : CAT_ACTION, str(x, "team"), buf_take(&b));
	}
	json_array_foreach(a->d->grades, i, x) {
		rep_buf b;
		rep_buf_init(&b);
		char zSeq[32], zPts[32];
		snprintf(zSeq, sizeof zSeq, "%lld", ival(x, "seq"));
		snprintf(zPts, sizeof zPts, "%+g", nval(x, "points"));
		json_t *act = NULL, *y;
		size_t k;
		json_array_foreach(a->d->actions, k, y) if (ival(y, "seq") == ival(x, "seq")) act = y;
		rep_msgf(&b, a->lang, 0, *str(x, "comment") ? "tl.grade" : "tl.grade_nocomment", "seq", zSeq, "points", zPts, "kind",
		         act ? kind_label(a, str(act, "kind")) : "?", "comment", str(x, "comment"), NULL);
		tl_add(l, ival(x, "t_us"), CAT_GRADE, act ? str(act, "team") : NULL, buf_take(&b));
	}
}

static void timeline(aar *a) {
	tl l = { 0 };
	tl_attacks(a, &l);
	tl_injects(a, &l);
	tl_actions(a, &l);
	qsort(l.a, l.n, sizeof *l.a, tl_cmp);
	put(a, "<section id=\"timeline\"><h2>3. ");
	tmsg(a, "sec.timeline");
	put(a, "</h2><p class=\"muted small\">");
	tmsg(a, "tl.intro");
	put(a, "</p><table><thead><tr><th>");
	tmsg(a, "col.time");
	put(a, "</th><th>");
	tmsg(a, "col.what");
	put(a, "</th><th>");
	tmsg(a, "col.team");
	put(a, "</th><th>");
	tmsg(a, "col.event");
	put(a, "</th></tr></thead><tbody>");
	char zT[32], zKey[32];
	for (size_t i = 0; i < l.n; i++) {
		tl_row *r = &l.a[i];
		if (i < TIMELINE_MAX) {
			rep_buf_printf(a->b, "<tr data-k=\"tl\" data-cat=\"%s\" data-t=\"%lld\"><td class=\"t\">%s</td><td><span class=\"cat cat-%s\">",
			               azCat[r->cat], r->t, rep_simt(r->t, zT, sizeof zT), azCat[r->cat]);
			snprintf(zKey, sizeof zKey, "cat.%s", azCat[r->cat]);
			tmsg(a, zKey);
			put(a, "</span></td><td>");
			esc(a, r->zTeam ? rep_data_team_name(a->d, r->zTeam) : "");
			put(a, "</td><td>");
			esc(a, r->zText);
			put(a, "</td></tr>");
		}
		free(r->zTeam);
		free(r->zText);
	}
	put(a, "</tbody></table>");
	if (l.n > TIMELINE_MAX) {
		char zN[32];
		snprintf(zN, sizeof zN, "%zu", l.n - TIMELINE_MAX);
		put(a, "<p class=\"muted\">");
		rep_msgf(a->b, a->lang, 1, "tl.more", "n", zN, NULL);
		put(a, "</p>");
	}
	free(l.a);
	put(a, "</section>\n");
}

/* ---- 4. analysis per team ---- */

static void th(aar *a, const char *zKey, int bNum) {
	put(a, bNum ? "<th class=\"num\">" : "<th>");
	tmsg(a, zKey);
	put(a, "</th>");
}

static void team_ratings(aar *a, json_t *t) {
	json_t *r = json_object_get(t, "ratings");
	tag_msg(a, "h4", "team.ratings");
	if (!json_array_size(r)) {
		put(a, "<p class=\"muted\">");
		tmsg(a, "team.noratings");
		put(a, "</p>");
		return;
	}
	put(a, "<table><thead><tr>");
	th(a, "col.objective", 0);
	th(a, "col.rating", 0);
	th(a, "col.points", 1);
	th(a, "col.expectations", 1);
	put(a, "</tr></thead><tbody>");
	size_t i;
	json_t *v;
	json_array_foreach(r, i, v) {
		const char *zR = str(v, "rating");
		char zKey[32];
		put(a, "<tr data-k=\"rating\" data-team=\"");
		esc(a, str(t, "id"));
		put(a, "\" data-objective=\"");
		esc(a, str(v, "objective"));
		rep_buf_printf(a->b, "\" data-rating=\"%s\"><td>", zR);
		esc(a, str(v, "objective"));
		rep_buf_printf(a->b, "</td><td><span class=\"rating r-%s\">%s</span> ", zR, zR);
		snprintf(zKey, sizeof zKey, "rating.%s", zR);
		tmsg(a, zKey);
		put(a, "</td><td class=\"num\">");
		rep_buf_num(a->b, nval(v, "earned"));
		put(a, " / ");
		rep_buf_num(a->b, nval(v, "possible"));
		rep_buf_printf(a->b, "</td><td class=\"num\">%lld</td></tr>", ival(v, "n"));
	}
	put(a, "</tbody></table>");
}

static void team_expectations(aar *a, json_t *t) {
	json_t *ex = json_object_get(t, "expectations");
	tag_msg(a, "h4", "team.expectations");
	if (!json_array_size(ex)) {
		put(a, "<p class=\"muted\">");
		tmsg(a, a->d->summary ? "team.noexpectations" : "team.nosummary");
		put(a, "</p>");
		return;
	}
	put(a, "<table><thead><tr>");
	th(a, "col.inject", 0);
	th(a, "col.expectation", 0);
	th(a, "col.objective", 0);
	th(a, "col.window", 1);
	th(a, "col.response", 1);
	th(a, "col.status", 0);
	th(a, "col.points", 1);
	put(a, "</tr></thead><tbody>");
	size_t i;
	json_t *e;
	char z[48], zKey[48];
	json_array_foreach(ex, i, e) {
		const char *zSt = json_is_true(json_object_get(e, "late")) ? "late" : str(e, "status");
		json_t *resp = json_object_get(e, "response_us");
		put(a, "<tr data-k=\"exp\" data-team=\"");
		esc(a, str(t, "id"));
		put(a, "\" data-label=\"");
		esc(a, str(e, "label"));
		rep_buf_printf(a->b, "\" data-status=\"%s\"", str(e, "status"));
		if (resp) rep_buf_printf(a->b, " data-response-s=\"%.6g\"", (double)json_integer_value(resp) / 1e6);
		put(a, "><td><code>");
		esc(a, str(e, "inject"));
		put(a, "</code></td><td>");
		esc(a, str(e, "what"));
		put(a, " <span class=\"muted small\">");
		esc(a, str(e, "label"));
		put(a, "</span></td><td>");
		esc(a, str(e, "objective"));
		rep_buf_printf(a->b, "</td><td class=\"num\">%s</td><td class=\"num\">", rep_dur(a->lang, ival(e, "within_us"), z, sizeof z));
		esc(a, resp ? rep_dur(a->lang, json_integer_value(resp), z, sizeof z) : "—");
		snprintf(zKey, sizeof zKey, "status.%s", zSt);
		rep_buf_printf(a->b, "</td><td class=\"st-%s\">", zSt);
		tmsg(a, zKey);
		put(a, "</td><td class=\"num\">");
		rep_buf_num(a->b, nval(e, "awarded"));
		put(a, " / ");
		rep_buf_num(a->b, nval(e, "points"));
		put(a, "</td></tr>");
	}
	put(a, "</tbody></table>");
}

static void team_grades(aar *a, json_t *t) {
	json_t *g = json_object_get(t, "grades"), *p = json_object_get(t, "penalties"), *r = json_object_get(t, "refusals");
	size_t i;
	json_t *v;
	char z[32];
	if (json_array_size(g)) {
		tag_msg(a, "h4", "team.grades");
		put(a, "<table><thead><tr>");
		th(a, "col.action", 0);
		th(a, "col.points", 1);
		th(a, "col.comment", 0);
		put(a, "</tr></thead><tbody>");
		json_array_foreach(g, i, v) {
			rep_buf_printf(a->b, "<tr data-k=\"grade\" data-seq=\"%lld\"><td>#%lld ", ival(v, "seq"), ival(v, "seq"));
			esc(a, kind_label(a, str(v, "kind")));
			put(a, "</td>");
			num_cell(a, "grade.points", str(t, "id"), nval(v, "points"));
			put(a, "<td>");
			esc(a, str(v, "comment"));
			put(a, "</td></tr>");
		}
		put(a, "</tbody></table>");
	}
	if (json_array_size(p)) {
		tag_msg(a, "h4", "team.penalties");
		put(a, "<ul>");
		json_array_foreach(p, i, v) {
			rep_buf_printf(a->b, "<li><span class=\"t\">%s</span> ", rep_simt(ival(v, "t_us"), z, sizeof z));
			esc(a, str(v, "reason"));
			put(a, " (");
			rep_buf_num(a->b, nval(v, "points"));
			put(a, ")</li>");
		}
		put(a, "</ul>");
	}
	if (json_array_size(r)) {
		tag_msg(a, "h4", "team.refusals");
		put(a, "<ul>");
		json_array_foreach(r, i, v) {
			rep_buf_printf(a->b, "<li data-k=\"refusal\"><span class=\"t\">%s</span> #%lld ", rep_simt(ival(v, "t_us"), z, sizeof z),
			               ival(v, "seq"));
			esc(a, kind_label(a, str(v, "kind")));
			put(a, ": ");
			esc(a, str(v, "error"));
			put(a, "</li>");
		}
		put(a, "</ul>");
	}
}

static void team_section(aar *a, json_t *t) {
	put(a, "<section class=\"team\" data-team=\"");
	esc(a, str(t, "id"));
	put(a, "\"><div class=\"teamhead\"><h3>");
	esc(a, str(t, "name"));
	if (json_object_get(t, "org")) {
		put(a, " <span class=\"muted small\">");
		esc(a, str(t, "org_name"));
		put(a, "</span>");
	}
	put(a, "</h3></div><table><thead><tr>");
	static const char *const aCol[] = { "col.score", "col.earned", "col.met", "col.late", "col.missed", "col.unfired",
	                                    "col.actions", "col.refused", "col.shares" };
	for (size_t i = 0; i < sizeof aCol / sizeof aCol[0]; i++) th(a, aCol[i], 1);
	put(a, "</tr></thead><tbody><tr>");
	const char *zId = str(t, "id");
	num_cell(a, "team.score", zId, nval(t, "score"));
	rep_buf_printf(a->b, "<td class=\"num\" data-k=\"team.earned\" data-team=\"");
	esc(a, zId);
	rep_buf_printf(a->b, "\" data-v=\"%.10g\">", nval(t, "earned"));
	rep_buf_num(a->b, nval(t, "earned"));
	put(a, " / ");
	rep_buf_num(a->b, nval(t, "possible"));
	put(a, "</td>");
	num_cell(a, "team.met", zId, (double)ival(t, "met"));
	num_cell(a, "team.late", zId, (double)ival(t, "late"));
	num_cell(a, "team.missed", zId, (double)ival(t, "missed"));
	num_cell(a, "team.unfired", zId, (double)ival(t, "unfired"));
	num_cell(a, "team.actions", zId, (double)ival(t, "actions"));
	num_cell(a, "team.refused", zId, (double)ival(t, "refused"));
	num_cell(a, "team.shares", zId, (double)ival(t, "shares"));
	put(a, "</tr></tbody></table>");
	team_ratings(a, t);
	team_expectations(a, t);
	team_grades(a, t);
	put(a, "</section>");
}

static void teams(aar *a) {
	put(a, "<section id=\"teams\"><h2>4. ");
	tmsg(a, "sec.teams");
	put(a, "</h2><p class=\"muted small\">");
	tmsg(a, "teams.intro");
	put(a, "</p>");
	fig_open(a, "fig-scores", M(a, "fig.scores"));
	rep_chart_scores(a->b, a->d->scores, a->d->teams, a->d->tEnd, a->lang);
	fig_close(a, M(a, "src.scores"));
	json_t *rows = json_object_get(a->m, "response");
	size_t n = json_array_size(rows);
	for (size_t i0 = 0; i0 < n; i0 += RESPONSE_ROWS) {
		size_t i1 = i0 + RESPONSE_ROWS < n ? i0 + RESPONSE_ROWS : n;
		char zId[32];
		snprintf(zId, sizeof zId, "fig-response-%zu", i0 / RESPONSE_ROWS + 1);
		fig_open(a, zId, M(a, i0 ? "fig.response_more" : "fig.response"));
		rep_chart_response(a->b, rows, i0, i1, a->d->teams, a->lang);
		fig_close(a, M(a, "src.response"));
	}
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(a->m, "teams"), i, t) team_section(a, t);
	put(a, "</section>\n");
}

/* ---- 5. improvement plan ---- */

static void plan(aar *a) {
	json_t *list = json_object_get(a->m, "improvements");
	put(a, "<section id=\"plan\"><h2>5. ");
	tmsg(a, "sec.plan");
	put(a, "</h2><p class=\"muted small\">");
	tmsg(a, "plan.intro");
	put(a, "</p>");
	if (!json_array_size(list)) {
		put(a, "<p class=\"muted\">");
		tmsg(a, "sum.noimprove");
		put(a, "</p></section>\n");
		return;
	}
	put(a, "<table data-k=\"plan\"><thead><tr>");
	th(a, "col.n", 1);
	th(a, "col.issue", 0);
	th(a, "col.capability", 0);
	th(a, "col.corrective", 0);
	th(a, "col.owner", 0);
	th(a, "col.priority", 0);
	th(a, "col.due", 0);
	put(a, "</tr></thead><tbody>");
	size_t i;
	json_t *f;
	char z[64], zKey[48];
	json_array_foreach(list, i, f) {
		rep_buf_printf(a->b, "<tr data-k=\"plan.row\"><td class=\"num\">%zu</td><td>", i + 1);
		esc(a, str(f, "text"));
		put(a, "</td><td>");
		esc(a, *str(f, "objective") ? str(f, "objective") : "—");
		put(a, "</td><td>");
		esc(a, str(f, "corrective"));
		put(a, "</td><td>");
		esc(a, str(f, "owner"));
		snprintf(zKey, sizeof zKey, "prio.%s", str(f, "priority"));
		put(a, "</td><td>");
		tmsg(a, zKey);
		rep_buf_printf(a->b, "</td><td class=\"t\">%s</td></tr>", wall_local(a->d->zStartedAt, (int)ival(f, "due_days"), 1, z, sizeof z));
	}
	put(a, "</tbody></table></section>\n");
}

/* ---- 6. hot wash ---- */

/* Rating questions in first-seen order over every answer, with their mean, count and distribution of 1..5. */
static json_t *hw_ratings(const rep_data *d) {
	json_t *out = json_object();
	size_t i;
	json_t *f;
	json_array_foreach(d->feedback, i, f) {
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(json_object_get(f, "answers"), "ratings"), k, v) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 5) continue;
			json_t *q = json_object_get(out, k);
			if (!q) {
				q = json_pack("{s:i,s:i,s:[iiiii]}", "n", 0, "sum", 0, "dist", 0, 0, 0, 0, 0);
				json_object_set_new(out, k, q);
			}
			int r = (int)json_integer_value(v);
			json_object_set_new(q, "n", json_integer(ival(q, "n") + 1));
			json_object_set_new(q, "sum", json_integer(ival(q, "sum") + r));
			json_t *dist = json_object_get(q, "dist");
			json_array_set_new(dist, (size_t)(r - 1), json_integer(json_integer_value(json_array_get(dist, (size_t)(r - 1))) + 1));
		}
	}
	return out;
}

static void hw_texts(aar *a, const char *zField, const char *zTitleKey) {
	size_t i, n = 0;
	json_t *f;
	json_array_foreach(a->d->feedback, i, f) {
		const char *z = str(json_object_get(f, "answers"), zField);
		if (!*z) continue;
		if (!n++) tag_msg(a, "h4", zTitleKey);
		rep_buf_printf(a->b, "<blockquote data-k=\"hw.text\" data-q=\"%s\">", zField);
		esc(a, z);
		put(a, "<br><span class=\"muted small\">— ");
		esc(a, *str(f, "name") ? str(f, "name") : M(a, "hw.anonymous"));
		put(a, ", ");
		esc(a, rep_data_team_name(a->d, str(f, "team")));
		put(a, "</span></blockquote>");
	}
}

static void hotwash(aar *a) {
	const rep_data *d = a->d;
	size_t n = json_array_size(d->feedback);
	char zN[32];
	put(a, "<section id=\"hotwash\"><h2>6. ");
	tmsg(a, "sec.hotwash");
	put(a, "</h2>");
	snprintf(zN, sizeof zN, "%zu", n);
	rep_buf_printf(a->b, "<p data-k=\"hw.respondents\" data-v=\"%zu\">", n);
	rep_msgf(a->b, a->lang, 1, n ? "hw.respondents" : "hw.none", "n", zN, NULL);
	put(a, "</p>");
	if (!n) {
		put(a, "</section>\n");
		return;
	}
	/* who answered, per team */
	put(a, "<table><thead><tr>");
	th(a, "col.team", 0);
	th(a, "col.respondents", 1);
	put(a, "</tr></thead><tbody>");
	size_t i, k;
	json_t *t, *f;
	json_array_foreach(d->teams, i, t) {
		int c = 0;
		json_array_foreach(d->feedback, k, f) c += !strcmp(str(f, "team"), str(t, "id"));
		put(a, "<tr><td>");
		esc(a, str(t, "name"));
		put(a, "</td>");
		num_cell(a, "hw.team", str(t, "id"), c);
		put(a, "</tr>");
	}
	put(a, "</tbody></table>");
	json_t *q = hw_ratings(d);
	if (json_object_size(q)) {
		tag_msg(a, "h4", "hw.ratings");
		put(a, "<table><thead><tr>");
		th(a, "col.question", 0);
		th(a, "col.mean", 1);
		th(a, "col.answers", 1);
		th(a, "col.distribution", 0);
		put(a, "</tr></thead><tbody>");
		const char *zK;
		json_t *v;
		json_object_foreach(q, zK, v) {
			char zKey[96];
			snprintf(zKey, sizeof zKey, "hw.q.%s", zK);
			const char *zLabel = rep_msg(a->lang, zKey);
			put(a, "<tr><td>");
			esc(a, strcmp(zLabel, zKey) ? zLabel : zK);
			put(a, "</td>");
			double mean = (double)ival(v, "sum") / (double)ival(v, "n");
			rep_buf_printf(a->b, "<td class=\"num\" data-k=\"hw.mean\" data-q=\"");
			esc(a, zK);
			rep_buf_printf(a->b, "\" data-v=\"%.4f\">%.1f</td><td class=\"num\">%lld</td><td class=\"small\">", mean, mean, ival(v, "n"));
			for (int r = 0; r < 5; r++) {
				rep_buf_printf(a->b, "%s%d: %lld", r ? " · " : "", r + 1, (long long)json_integer_value(json_array_get(json_object_get(v, "dist"), (size_t)r)));
			}
			put(a, "</td></tr>");
		}
		put(a, "</tbody></table><p class=\"muted small\">");
		tmsg(a, "hw.scale");
		put(a, "</p>");
	}
	json_decref(q);
	hw_texts(a, "well", "hw.well");
	hw_texts(a, "improve", "hw.improve");
	hw_texts(a, "surprise", "hw.surprise");
	put(a, "</section>\n");
}

/* ---- 7. method ---- */

static void method(aar *a) {
	static const char *const aKey[] = { "method.source", "method.expect", "method.rating", "method.findings", "method.plan",
	                                    "method.impact", "method.hotwash" };
	put(a, "<section id=\"method\"><h2>7. ");
	tmsg(a, "sec.method");
	put(a, "</h2>");
	for (size_t i = 0; i < sizeof aKey / sizeof aKey[0]; i++) {
		put(a, "<p>");
		tmsg(a, aKey[i]);
		put(a, "</p>");
	}
	put(a, "</section>\n<footer>");
	rep_msgf(a->b, a->lang, 1, "doc.footer", "version", a->d->zVersion ? a->d->zVersion : "?", "sha",
	         a->d->zSha ? a->d->zSha : "?", NULL);
	put(a, "</footer>\n</body></html>\n");
}

int rep_aar_html(rep_buf *b, const rep_data *d, rep_lang lang, ky_err *err) {
	aar a = { .b = b, .d = d, .lang = lang };
	a.m = rep_find_analyse(d, lang);
	if (!a.m) return ky_err_set(err, KY_ENOMEM, "report: out of memory");
	doc_head(&a);
	cover(&a);
	overview(&a);
	summary(&a);
	timeline(&a);
	teams(&a);
	plan(&a);
	hotwash(&a);
	method(&a);
	json_decref(a.m);
	if (b->bOom) return ky_err_set(err, KY_ENOMEM, "report: out of memory");
	return 0;
}
