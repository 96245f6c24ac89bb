/* chart (report): see chart.h. Coordinates are SVG user units; numbers print with one decimal so that a chart
 * of 4,000 samples stays a few tens of kilobytes. Long series are thinned per horizontal pixel to the minimum
 * and the maximum of the bucket (a peak never disappears). */
#include "ui/report/chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const azTeamColour[] = { "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9",
	                                        "#000000", "#999999" };

const char *rep_chart_team_colour(size_t i) { return azTeamColour[i % (sizeof azTeamColour / sizeof azTeamColour[0])]; }

/* A step of 1, 2 or 5 times a power of ten giving about n ticks over [0, hi]. */
static double nice_step(double hi, int n) {
	if (hi <= 0) return 1;
	double raw = hi / n, p = pow(10, floor(log10(raw)));
	double f = raw / p;
	return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

/* A tick value, compact: 1200 -> "1.2k", 50000 -> "50k". */
static void tick_label(char *z, size_t n, double v) {
	if (fabs(v) >= 1e6) snprintf(z, n, "%gM", round(v / 1e5) / 10);
	else if (fabs(v) >= 1e4) snprintf(z, n, "%gk", round(v / 1e2) / 10);
	else snprintf(z, n, "%g", round(v * 100) / 100);
}

static void text(rep_buf *b, double x, double y, const char *zAnchor, const char *zClass, const char *z) {
	rep_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">", x, y, zAnchor, zClass);
	rep_buf_html(b, z);
	rep_buf_puts(b, "</text>");
}

/* Axes of a plot area (x0,y0 top-left, w x h) for time [0, tEnd] and values [0, yMax]: grid, y ticks, x ticks in
 * hours (or minutes for a short drill). */
static void axes(rep_buf *b, double x0, double y0, double w, double h, eng_time_t tEnd, double yMax) {
	char z[32];
	double step = nice_step(yMax, 4);
	for (double v = 0; v <= yMax * 1.0001; v += step) {
		double y = y0 + h - h * v / yMax;
		rep_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>", x0, y, x0 + w, y);
		tick_label(z, sizeof z, v);
		text(b, x0 - 4, y + 3.5, "end", "tick", z);
	}
	double hours = (double)tEnd / 3.6e9;
	double xStep = hours > 2 ? nice_step(hours, 6) : nice_step(hours * 60, 6) / 60;
	for (double t = 0; t <= hours * 1.0001 && xStep > 0; t += xStep) {
		double x = x0 + w * t / (hours > 0 ? hours : 1);
		if (hours > 2) snprintf(z, sizeof z, "%gh", round(t * 100) / 100);
		else snprintf(z, sizeof z, "%gm", round(t * 60));
		rep_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>", x, y0 + h, x, y0 + h + 3);
		text(b, x, y0 + h + 13, "middle", "tick", z);
	}
	rep_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>", x0, y0 + h, x0 + w, y0 + h);
}

/* ---- fleet ---- */

static const struct { const char *zKey, *zColour; } aFleet[] = {
	{ "compromised", "#D55E00" }, { "patched", "#009E73" }, { "offline", "#999999" }, { "bricked", "#CC79A7" },
};

/* One series of the metrics as a polyline, thinned per pixel column to its minimum and maximum. */
static void fleet_series(rep_buf *b, json_t *metrics, const char *zKey, double x0, double y0, double w, double h,
                         eng_time_t tEnd, double yMax, const char *zColour) {
	rep_buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" points=\"", zColour);
	size_t n = json_array_size(metrics);
	long lastCol = -1;
	double lo = 0, hi = 0, tLo = 0, tHi = 0;
	for (size_t i = 0; i <= n; i++) {
		json_t *m = json_array_get(metrics, i);
		double t = m ? (double)json_integer_value(json_object_get(m, "t_us")) : 0;
		double v = m ? json_number_value(json_object_get(m, zKey)) : 0;
		long col = m ? (long)floor(w * t / (double)(tEnd > 0 ? tEnd : 1)) : -2;
		if (col != lastCol && lastCol != -1) { /* flush the bucket: its min and max, in time order */
			double a = tLo <= tHi ? lo : hi, ta = tLo <= tHi ? tLo : tHi;
			double c = tLo <= tHi ? hi : lo, tc = tLo <= tHi ? tHi : tLo;
			rep_buf_printf(b, "%.1f,%.1f ", x0 + w * ta / (double)tEnd, y0 + h - h * a / yMax);
			if (tc != ta) rep_buf_printf(b, "%.1f,%.1f ", x0 + w * tc / (double)tEnd, y0 + h - h * c / yMax);
		}
		if (!m) break;
		if (col != lastCol) lo = hi = v, tLo = tHi = t;
		if (v < lo) lo = v, tLo = t;
		if (v > hi) hi = v, tHi = t;
		lastCol = col;
	}
	rep_buf_puts(b, "\"/>");
}

int rep_chart_fleet(rep_buf *b, json_t *metrics, eng_time_t tEnd, rep_lang lang) {
	const double W = 680, H = 330, pw = 276, ph = 100;
	if (tEnd <= 0) tEnd = 1;
	rep_buf_printf(b, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" class=\"chart\">", W, H);
	for (size_t k = 0; k < sizeof aFleet / sizeof aFleet[0]; k++) {
		double x0 = 46 + (double)(k % 2) * (pw + 56), y0 = 22 + (double)(k / 2) * (ph + 58);
		double yMax = 0, last = 0;
		size_t i;
		json_t *m;
		json_array_foreach(metrics, i, m) {
			double v = json_number_value(json_object_get(m, aFleet[k].zKey));
			if (v > yMax) yMax = v;
			last = v;
		}
		double step = nice_step(yMax > 0 ? yMax : 1, 4);
		yMax = step * ceil((yMax > 0 ? yMax : 1) / step);
		char zKey[48], zTitle[160];
		snprintf(zKey, sizeof zKey, "fleet.%s", aFleet[k].zKey);
		snprintf(zTitle, sizeof zTitle, "%s (%s %.0f)", rep_msg(lang, zKey), rep_msg(lang, "chart.end"), last);
		rep_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>", x0, y0 - 16, aFleet[k].zColour);
		text(b, x0 + 14, y0 - 7, "start", "label", zTitle);
		axes(b, x0, y0, pw, ph, tEnd, yMax);
		fleet_series(b, metrics, aFleet[k].zKey, x0, y0, pw, ph, tEnd, yMax, aFleet[k].zColour);
	}
	rep_buf_puts(b, "</svg>");
	return (int)json_array_size(metrics);
}

/* ---- scores ---- */

void rep_chart_scores(rep_buf *b, json_t *scores, json_t *teams, eng_time_t tEnd, rep_lang lang) {
	const double W = 680, x0 = 50, y0 = 16, w = 460, h = 200;
	size_t nTeams = json_array_size(teams);
	double H = y0 + h + 40 > 30 + 16.0 * (double)nTeams ? y0 + h + 40 : 30 + 16.0 * (double)nTeams;
	double lo = 0, hi = 0;
	const char *k;
	json_t *a, *p;
	size_t i;
	if (tEnd <= 0) tEnd = 1;
	json_object_foreach(scores, k, a) json_array_foreach(a, i, p) {
		double v = json_number_value(json_array_get(p, 1));
		if (v > hi) hi = v;
		if (v < lo) lo = v;
	}
	double step = nice_step(hi - lo > 0 ? hi - lo : 10, 5);
	hi = step * ceil((hi > 0 ? hi : step) / step);
	lo = step * floor(lo / step);
	rep_buf_printf(b, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" class=\"chart\">", W, H);
	/* the value axis from lo to hi: shift by -lo so that axes() draws from zero */
	axes(b, x0, y0, w, h, tEnd, hi - lo);
	if (lo < 0) {
		char z[32];
		double yz = y0 + h - h * (0 - lo) / (hi - lo);
		rep_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"zero\"/>", x0, yz, x0 + w, yz);
		snprintf(z, sizeof z, "%s 0", rep_msg(lang, "chart.zero"));
		text(b, x0 + w + 2, yz + 3, "start", "tick", z);
	}
	json_t *t;
	json_array_foreach(teams, i, t) {
		const char *zId = json_string_value(json_object_get(t, "id"));
		json_t *pts = json_object_get(scores, zId ? zId : "");
		double x = x0, y = y0 + h - h * (0 - lo) / (hi - lo), v = 0;
		rep_buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s points=\"%.1f,%.1f ",
		               rep_chart_team_colour(i), i >= 8 ? " stroke-dasharray=\"4 2\"" : "", x, y);
		size_t m;
		json_array_foreach(pts, m, p) {
			double nx = x0 + w * (double)json_integer_value(json_array_get(p, 0)) / (double)tEnd;
			v = json_number_value(json_array_get(p, 1));
			double ny = y0 + h - h * (v - lo) / (hi - lo);
			rep_buf_printf(b, "%.1f,%.1f %.1f,%.1f ", nx, y, nx, ny);
			y = ny;
		}
		rep_buf_printf(b, "%.1f,%.1f\"/>", x0 + w, y);
		/* the legend, in team order, at the right: name and final score */
		char zLbl[200];
		double ly = y0 + 8 + 16.0 * (double)i;
		rep_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>", x0 + w + 30,
		               ly - 4, x0 + w + 44, ly - 4, rep_chart_team_colour(i));
		snprintf(zLbl, sizeof zLbl, "%s %g", json_string_value(json_object_get(t, "name")), round(v * 100) / 100);
		text(b, x0 + w + 48, ly, "start", "label", zLbl);
	}
	rep_buf_puts(b, "</svg>");
}

/* ---- impact ---- */

static void hbar(rep_buf *b, double x0, double y, double w, double v, double vMax, const char *zColour, const char *zLabel,
                 const char *zValue) {
	double len = vMax > 0 ? w * fabs(v) / vMax : 0;
	text(b, x0 - 6, y + 11, "end", "label", zLabel);
	rep_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"14\" fill=\"%s\"/>", x0, y, len, zColour);
	text(b, x0 + len + 4, y + 11, "start", "tick", zValue);
}

void rep_chart_impact(rep_buf *b, json_t *impact, json_t *teams, rep_lang lang) {
	double h = json_number_value(json_object_get(impact, "harm"));
	double h0 = json_number_value(json_object_get(impact, "baseline"));
	json_t *per = json_object_get(impact, "teams");
	size_t nTeams = json_array_size(teams);
	double W = 680, H = 70 + 22.0 * (double)nTeams + 30, x0 = 220, w = 380;
	char z[64];
	rep_buf_printf(b, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" class=\"chart\">", W, H);
	double vMax = h > h0 ? h : h0;
	snprintf(z, sizeof z, "%.1f", h0);
	hbar(b, x0, 8, w, h0, vMax, "#999999", rep_msg(lang, "impact.baseline"), z);
	snprintf(z, sizeof z, "%.1f", h);
	hbar(b, x0, 28, w, h, vMax, "#D55E00", rep_msg(lang, "impact.harm"), z);
	text(b, x0 - 6, 68, "end", "label", rep_msg(lang, "impact.by_team"));
	/* each team's averted share (of the baseline), a diverging bar around zero */
	double aMax = 0.0001;
	size_t i;
	json_t *t;
	json_array_foreach(teams, i, t) {
		double a = json_number_value(json_object_get(json_object_get(per, json_string_value(json_object_get(t, "id"))), "averted"));
		if (fabs(a) > aMax) aMax = fabs(a);
	}
	json_array_foreach(teams, i, t) {
		json_t *pt = json_object_get(per, json_string_value(json_object_get(t, "id")));
		double a = json_number_value(json_object_get(pt, "averted"));
		double y = 76 + 22.0 * (double)i;
		if (!pt) snprintf(z, sizeof z, "%s", rep_msg(lang, "na"));
		else snprintf(z, sizeof z, "%.1f%%", a * 100);
		hbar(b, x0, y, w * 0.8, a, aMax, a >= 0 ? rep_chart_team_colour(i) : "#D55E00", json_string_value(json_object_get(t, "name")), z);
	}
	rep_buf_puts(b, "</svg>");
}

/* ---- time to respond ---- */

static size_t team_pos(json_t *teams, const char *zTeam) {
	size_t i;
	json_t *t;
	json_array_foreach(teams, i, t) if (!strcmp(json_string_value(json_object_get(t, "id")), zTeam)) return i;
	return 0;
}

void rep_chart_response(rep_buf *b, json_t *rows, size_t i0, size_t i1, json_t *teams, rep_lang lang) {
	const double W = 680, x0 = 200, w = 360, rh = 18, top = 22;
	double H = top + rh * (double)(i1 - i0) + 10;
	char z[96], z1[48], z2[48];
	rep_buf_printf(b, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" class=\"chart\">", W, H);
	/* the scale: 0, the window (100 %) and twice the window (200 %: no points left) */
	for (int k = 0; k <= 2; k++) {
		double x = x0 + w * k / 2;
		rep_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"%s\"/>", x, top - 4, x, H - 6,
		               k == 1 ? "window" : "grid");
		text(b, x, top - 8, "middle", "tick", rep_msg(lang, k == 0 ? "resp.zero" : k == 1 ? "resp.window" : "resp.twice"));
	}
	for (size_t i = i0; i < i1; i++) {
		json_t *r = json_array_get(rows, i);
		double y = top + rh * (double)(i - i0);
		const char *zTeam = json_string_value(json_object_get(r, "team"));
		const char *zStatus = json_string_value(json_object_get(r, "status"));
		json_t *resp = json_object_get(r, "response_us");
		long long win = json_integer_value(json_object_get(r, "within_us"));
		size_t iTeam = team_pos(teams, zTeam);
		snprintf(z, sizeof z, "%s · %s", json_string_value(json_object_get(r, "inject")),
		         json_string_value(json_object_get(json_array_get(teams, iTeam), "name")));
		text(b, x0 - 6, y + 12, "end", "label", z);
		if (resp) {
			double f = win > 0 ? (double)json_integer_value(resp) / (double)win : 0;
			if (f > 2) f = 2;
			rep_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"12\" fill=\"%s\"/>", x0, y + 2,
			               w * f / 2 > 1 ? w * f / 2 : 1, rep_chart_team_colour(iTeam));
			snprintf(z, sizeof z, "%s / %s", rep_dur(lang, json_integer_value(resp), z1, sizeof z1), rep_dur(lang, win, z2, sizeof z2));
			text(b, x0 + w + 6, y + 12, "start", !strcmp(zStatus, "late") ? "tick late" : "tick", z);
		} else {
			rep_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"12\" class=\"missed\"/>", x0, y + 2, w);
			snprintf(z, sizeof z, "%s (%s)", rep_msg(lang, !strcmp(zStatus, "pending") ? "status.pending" : "status.missed"),
			         rep_dur(lang, win, z1, sizeof z1));
			text(b, x0 + w + 6, y + 12, "start", "tick late", z);
		}
	}
	rep_buf_puts(b, "</svg>");
}
