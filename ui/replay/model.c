/* model (ui/replay): see model.h. */
#include "ui/replay/model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

typedef struct loader {
	rpl_model *m;
	size_t nMarkAlloc, nLineAlloc, nSampleAlloc, nScoreAlloc;
	int bOom;
} loader;

static int grow(void **pa, size_t n, size_t *pnAlloc, size_t sz) {
	if (n < *pnAlloc) return 0;
	size_t nNew = *pnAlloc ? 2 * *pnAlloc : 64;
	void *p = realloc(*pa, nNew * sz);
	if (!p) return -1;
	*pa = p;
	*pnAlloc = nNew;
	return 0;
}

static int team_index(const rpl_model *m, const char *zTeam) {
	for (int i = 0; zTeam && i < m->nTeam; i++)
		if (!strcmp(m->azTeam[i], zTeam)) return i;
	return -1;
}

static int lane_of_team(const rpl_model *m, const char *zTeam) {
	int i = team_index(m, zTeam);
	return i >= 0 ? RPL_LANE_TEAM0 + i : RPL_LANE_FACILITATOR;
}

static void add_marker(loader *l, eng_time_t t, int lane, int bError, const char *zLabel) {
	rpl_model *m = l->m;
	if (grow((void **)&m->aMark, m->nMark, &l->nMarkAlloc, sizeof *m->aMark) != 0) {
		l->bOom = 1;
		return;
	}
	m->aMark[m->nMark++] = (rpl_marker){ t, lane, bError, strdup(zLabel ? zLabel : "") };
}

static void add_line(loader *l, eng_time_t t, int lane, int bError, const char *zFmt, ...) __attribute__((format(printf, 5, 6)));
static void add_line(loader *l, eng_time_t t, int lane, int bError, const char *zFmt, ...) {
	rpl_model *m = l->m;
	char z[400];
	va_list ap;
	va_start(ap, zFmt);
	vsnprintf(z, sizeof z, zFmt, ap);
	va_end(ap);
	if (grow((void **)&m->aLine, m->nLine, &l->nLineAlloc, sizeof *m->aLine) != 0) {
		l->bOom = 1;
		return;
	}
	m->aLine[m->nLine] = (rpl_line){ t, lane, bError, strdup(z), m->nLine };
	m->nLine++;
}

/* Compact text of a JSON value (at most n - 1 bytes, "..." when cut). */
static const char *brief(json_t *v, char *z, size_t n) {
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	snprintf(z, n, "%s", s ? s : "");
	if (s && strlen(s) >= n && n > 4) memcpy(z + n - 4, "...", 4);
	free(s);
	return z;
}

/* An object as "key=value key=value" (strings bare, the long "text" last and quoted), for the event panel. */
static const char *kv(json_t *o, char *z, size_t n) {
	const char *k;
	json_t *v;
	size_t at = 0;
	z[0] = 0;
	if (!json_is_object(o)) return brief(o, z, n);
	json_object_foreach(o, k, v) {
		char zv[160];
		if (!strcmp(k, "text") || at >= n) continue;
		const char *s = json_is_string(v) ? json_string_value(v) : brief(v, zv, sizeof zv);
		if (json_is_real(v)) snprintf(zv, sizeof zv, "%.3g", json_real_value(v)), s = zv;
		at += (size_t)snprintf(z + at, n - at, "%s%s=%s", at ? " " : "", k, s);
	}
	json_t *t = json_object_get(o, "text");
	if (json_is_string(t) && at < n) snprintf(z + at, n - at, "%s\"%s\"", at ? " " : "", json_string_value(t));
	return z;
}

/* ---- rows ------------------------------------------------------------------------------------------------- */

static int on_metrics(void *ctx, const eng_journal_row *r) {
	loader *l = ctx;
	rpl_model *m = l->m;
	static const char *const azKey[RPL_M_N] = { "total", "compromised", "patched", "offline", "bricked", "records_exfiltrated", "harm" };
	json_t *o = r->zJson ? json_loads(r->zJson, 0, NULL) : NULL;
	if (!o) return KY_EPARSE;
	if (grow((void **)&m->aSample, m->nSample, &l->nSampleAlloc, sizeof *m->aSample) != 0) {
		json_decref(o);
		return KY_ENOMEM;
	}
	rpl_sample *s = &m->aSample[m->nSample++];
	s->t = r->t;
	for (int k = 0; k < RPL_M_N; k++) s->v[k] = json_number_value(json_object_get(o, azKey[k]));
	if (json_is_number(json_object_get(o, "harm"))) m->bHarm = 1;
	json_decref(o);
	return 0;
}

static int on_score(void *ctx, const eng_journal_row *r) {
	loader *l = ctx;
	rpl_model *m = l->m;
	int i = team_index(m, r->zTeam);
	if (i < 0) return 0;
	if (grow((void **)&m->aScore, m->nScore, &l->nScoreAlloc, sizeof *m->aScore) != 0) return KY_ENOMEM;
	m->aScore[m->nScore++] = (rpl_score){ r->t, i, r->value };
	if (r->value < m->scoreMin) m->scoreMin = r->value;
	if (r->value > m->scoreMax) m->scoreMax = r->value;
	return 0;
}

/* World facts: attack steps are markers; the rest are lines of the event panel. */
typedef struct fact_row {
	eng_time_t t;
	const char *zSubject;
} fact_row;

static void fact_line(loader *l, const fact_row *r, const char *k, json_t *d) {
	char zB[240];
	const char *zS = r->zSubject ? r->zSubject : "";
	if (!strcmp(k, "alert") && !strcmp(zS, "vsoc")) {
		add_line(l, r->t, RPL_LANE_WORLD, 0, "VSOC alerts: %lld received (%lld true), %lld queued",
		         (long long)json_integer_value(json_object_get(d, "received")),
		         (long long)json_integer_value(json_object_get(d, "true_positive")), (long long)json_integer_value(json_object_get(d, "queued")));
	} else if (!strcmp(k, "vsoc.incident")) {
		add_line(l, r->t, RPL_LANE_WORLD, 0, "VSOC incident on %s: %lld cars compromised", zS,
		         (long long)json_integer_value(json_object_get(d, "cars_compromised")));
	} else if (!strcmp(k, "c2.blocked")) {
		add_line(l, r->t, RPL_LANE_WORLD, 0, "C2 %s blocked: %lld cars cut off", zS, (long long)json_integer_value(json_object_get(d, "cars_cut")));
	} else if (!strcmp(k, "service.health")) {
		add_line(l, r->t, RPL_LANE_WORLD, 0, "service %s: %s -> %s%s", zS, json_string_value(json_object_get(d, "from")),
		         json_string_value(json_object_get(d, "to")), json_is_true(json_object_get(d, "isolated")) ? " (isolated)" : "");
	} else {
		add_line(l, r->t, RPL_LANE_WORLD, 0, "%s %s %s", k, zS, kv(d, zB, sizeof zB));
	}
}

static int on_event(void *ctx, eng_time_t t, const char *zKind, const char *zSubject, const char *zDetail) {
	loader *l = ctx;
	const fact_row row = { t, zSubject }, *r = &row;
	const char *k = zKind ? zKind : "";
	if (!strcmp(k, "score.change") || !strncmp(k, "action.", 7) || !strcmp(k, "drill.end")) return 0;
	json_t *d = zDetail ? json_loads(zDetail, 0, NULL) : NULL;
	char zB[240], zLabel[96];
	const char *zTech = json_string_value(json_object_get(d, "technique"));
	if (!strncmp(k, "attack.", 7)) {
		json_t *n = json_object_get(d, "count");
		snprintf(zLabel, sizeof zLabel, "%s%s%s", zTech ? zTech : "", zTech ? " " : "", k + 7);
		if (json_is_integer(n)) snprintf(zLabel + strlen(zLabel), sizeof zLabel - strlen(zLabel), " %lld", (long long)json_integer_value(n));
		add_marker(l, r->t, RPL_LANE_ATTACK, 0, zLabel);
		add_line(l, r->t, RPL_LANE_ATTACK, 0, "%s %s %s", k, r->zSubject ? r->zSubject : "", kv(d, zB, sizeof zB));
	} else if (!strcmp(k, "log")) {
		add_line(l, r->t, RPL_LANE_FACILITATOR, 0, "log: %s", json_string_value(json_object_get(d, "text")));
	} else if (!strcmp(k, "facilitator.control")) { /* the room's clock: pause, resume, speed, hold_at, stop */
		const char *zCmd = json_string_value(json_object_get(d, "cmd"));
		json_t *jHold = json_object_get(d, "hold_at_us");
		char zHold[32] = "";
		if (json_is_integer(jHold)) eng_time_format((eng_time_t)json_integer_value(jHold), zHold, sizeof zHold);
		snprintf(zLabel, sizeof zLabel, "%s", zCmd ? zCmd : "control");
		add_marker(l, r->t, RPL_LANE_FACILITATOR, 0, zLabel);
		add_line(l, r->t, RPL_LANE_FACILITATOR, 0, "facilitator: %s, speed x%g, %s%s%s", zLabel,
		         json_number_value(json_object_get(d, "speed")), json_is_true(json_object_get(d, "running")) ? "running" : "paused",
		         zHold[0] ? ", pause at " : "", zHold);
	} else if (!strncmp(k, "scenario.", 9)) {
		add_line(l, r->t, RPL_LANE_FACILITATOR, 1, "%s %s: %s", k, r->zSubject ? r->zSubject : "",
		         json_string_value(json_object_get(d, "message")));
	} else {
		fact_line(l, r, k, d);
	}
	json_decref(d);
	return 0;
}

static int on_inject(void *ctx, const eng_journal_row *r) {
	loader *l = ctx;
	json_t *o = r->zJson ? json_loads(r->zJson, 0, NULL) : NULL;
	const char *zTitle = json_string_value(json_object_get(o, "title"));
	const char *zSev = json_string_value(json_object_get(o, "severity"));
	add_marker(l, r->t, RPL_LANE_INJECT, 0, r->zInject);
	add_line(l, r->t, RPL_LANE_INJECT, 0, "inject %s [%s] %s", r->zInject ? r->zInject : "", zSev ? zSev : "",
	         zTitle ? zTitle : "");
	json_decref(o);
	return 0;
}

static int on_action(void *ctx, const eng_journal_row *r) {
	loader *l = ctx;
	json_t *args = r->zArgs ? json_loads(r->zArgs, 0, NULL) : NULL, *res = r->zResult ? json_loads(r->zResult, 0, NULL) : NULL;
	json_t *jErr = json_object_get(res, "error");
	if (!json_is_string(jErr)) jErr = NULL; /* assess's result has a numeric "error" (its relative error) */
	int lane = lane_of_team(l->m, r->zTeam);
	char zA[200], zR[160];
	add_marker(l, r->t, lane, jErr != NULL, r->zKind);
	if (jErr) {
		add_line(l, r->t, lane, 1, "%s %s %s: refused: %s", r->zTeam, r->zKind, kv(args, zA, sizeof zA),
		         json_is_string(jErr) ? json_string_value(jErr) : "error");
	} else {
		add_line(l, r->t, lane, 0, "%s %s %s%s%s", r->zTeam, r->zKind, kv(args, zA, sizeof zA), res ? " -> " : "",
		         res ? kv(res, zR, sizeof zR) : "");
	}
	json_decref(args);
	json_decref(res);
	return 0;
}

static int on_message(void *ctx, const eng_journal_row *r) {
	loader *l = ctx;
	json_t *o = r->zJson ? json_loads(r->zJson, 0, NULL) : NULL;
	const char *zTlp = json_string_value(json_object_get(o, "tlp")), *zText = json_string_value(json_object_get(o, "text"));
	char zLabel[80];
	snprintf(zLabel, sizeof zLabel, "%s>%s", r->zFrom ? r->zFrom : "?", r->zTo ? r->zTo : "?");
	add_marker(l, r->t, RPL_LANE_SHARE, 0, zLabel);
	json_t *pNotify = json_object_get(o, "notify");  /* a notify delivered to an organisation's teams (CONTRACT §3) */
	if (pNotify)
		add_line(l, r->t, RPL_LANE_SHARE, 0, "notify %s -> %s (%s) \"%s\"", r->zFrom ? r->zFrom : "?", r->zTo ? r->zTo : "?",
		         json_string_value(json_object_get(pNotify, "stage")), zText ? zText : "");
	else
		add_line(l, r->t, RPL_LANE_SHARE, 0, "share %s -> %s (TLP:%s) \"%s\"", r->zFrom ? r->zFrom : "?", r->zTo ? r->zTo : "?",
		         zTlp ? zTlp : "clear", zText ? zText : "");
	json_decref(o);
	return 0;
}

static int on_adhoc(void *ctx, const eng_journal_row *r) {
	loader *l = ctx;
	json_t *o = r->zJson ? json_loads(r->zJson, 0, NULL) : NULL;
	const char *zTitle = json_string_value(json_object_get(o, "title"));
	add_marker(l, r->t, RPL_LANE_FACILITATOR, 0, "inject");
	add_line(l, r->t, RPL_LANE_FACILITATOR, 0, "facilitator inject: %s", zTitle ? zTitle : "");
	json_decref(o);
	return 0;
}

/* ---- load -------------------------------------------------------------------------------------------------- */

static int cmp_marker(const void *pa, const void *pb) {
	const rpl_marker *a = pa, *b = pb;
	if (a->t != b->t) return a->t < b->t ? -1 : 1;
	return a->lane - b->lane;
}

static int cmp_line(const void *pa, const void *pb) {
	const rpl_line *a = pa, *b = pb;
	if (a->t != b->t) return a->t < b->t ? -1 : 1;
	return a->iOrder < b->iOrder ? -1 : a->iOrder > b->iOrder;
}

/* The impact figures of the run summary (meta summary, written at close) and the seed. */
static void load_impact(rpl_model *m, eng_journal *j) {
	char *zSum = eng_journal_meta_get(j, "summary", NULL), *zSeed = eng_journal_meta_get(j, "seed", NULL);
	json_t *sum = zSum ? json_loads(zSum, 0, NULL) : NULL, *im = json_object_get(sum, "impact");
	if (json_is_number(json_object_get(im, "averted"))) {
		m->bImpact = 1;
		m->impactHarm = json_number_value(json_object_get(im, "harm"));
		m->impactBaseline = json_number_value(json_object_get(im, "baseline"));
		m->impactAverted = json_number_value(json_object_get(im, "averted"));
	}
	m->seed = zSeed ? strtoull(zSeed, NULL, 10) : 0;
	json_decref(sum);
	free(zSum);
	free(zSeed);
}

static void load_exercise(rpl_model *m, eng_journal *j) {
	char *zEx = eng_journal_meta_get(j, "exercise", NULL), *zW = eng_journal_meta_get(j, "whatif", NULL);
	json_t *ex = zEx ? json_loads(zEx, 0, NULL) : NULL, *w = zW ? json_loads(zW, 0, NULL) : NULL;
	const char *zTitle = json_string_value(json_object_get(ex, "title")), *zId = json_string_value(json_object_get(ex, "id"));
	m->zTitle = strdup(zTitle ? zTitle : "(untitled drill)");
	m->zId = strdup(zId ? zId : "?");
	m->duration = json_integer_value(json_object_get(ex, "duration_us"));
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(ex, "teams"), i, t) {
		if (m->nTeam >= RPL_MAX_TEAMS) break;
		const char *zT = json_string_value(json_object_get(t, "id")), *zN = json_string_value(json_object_get(t, "name"));
		m->azTeam[m->nTeam] = strdup(zT ? zT : "?");
		m->azTeamName[m->nTeam++] = strdup(zN ? zN : (zT ? zT : "?"));
	}
	m->tWhatif = -1;
	if (w) {
		char z[200], zT[32];
		m->tWhatif = json_integer_value(json_object_get(w, "from_us"));
		const char *zA = json_string_value(json_object_get(w, "actions"));
		snprintf(z, sizeof z, "what-if from %s%s%s", eng_time_format(json_integer_value(json_object_get(w, "from_us")), zT, sizeof zT),
		         zA && *zA ? ", " : "", zA && *zA ? zA : "");
		m->zWhatif = strdup(z);
	}
	json_decref(ex);
	json_decref(w);
	free(zEx);
	free(zW);
	load_impact(m, j);
}

int rpl_model_load(rpl_model *m, eng_journal *j, ky_err *err) {
	static const struct {
		const char *zTable;
		eng_journal_row_fn fn;
	} aWalk[] = { { "metrics", on_metrics }, { "scores", on_score }, { "events", NULL }, { "injects", on_inject },
		          { "actions", on_action }, { "messages", on_message }, { "adhoc", on_adhoc } };
	memset(m, 0, sizeof *m);
	loader l = { .m = m };
	m->tWhatif = -1;
	load_exercise(m, j);
	for (size_t i = 0; i < sizeof aWalk / sizeof aWalk[0]; i++) {
		int rc = aWalk[i].fn ? eng_journal_rows(j, aWalk[i].zTable, aWalk[i].fn, &l, err)
		                     : eng_journal_events(j, 0, ENG_TIME_MAX, on_event, &l, err);
		if (rc == KY_EPARSE || rc == KY_ENOMEM) ky_err_set(err, rc, "replay: the journal's %s are damaged or too big", aWalk[i].zTable);
		if (rc == 0 && l.bOom) rc = ky_err_set(err, KY_ENOMEM, "replay: out of memory reading %s", aWalk[i].zTable);
		if (rc != 0) {
			rpl_model_free(m);
			return rc;
		}
	}
	qsort(m->aMark, m->nMark, sizeof *m->aMark, cmp_marker);
	qsort(m->aLine, m->nLine, sizeof *m->aLine, cmp_line);
	return 0;
}

void rpl_model_free(rpl_model *m) {
	for (size_t i = 0; i < m->nMark; i++) free(m->aMark[i].zLabel);
	for (size_t i = 0; i < m->nLine; i++) free(m->aLine[i].zText);
	for (int i = 0; i < m->nTeam; i++) free(m->azTeam[i]), free(m->azTeamName[i]);
	free(m->aMark);
	free(m->aLine);
	free(m->aSample);
	free(m->aScore);
	free(m->zTitle);
	free(m->zId);
	free(m->zWhatif);
	memset(m, 0, sizeof *m);
}

/* ---- queries ------------------------------------------------------------------------------------------------ */

const rpl_sample *rpl_model_sample_at(const rpl_model *m, eng_time_t t) {
	size_t lo = 0, hi = m->nSample; /* first sample after t */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->aSample[mid].t <= t) lo = mid + 1;
		else hi = mid;
	}
	return lo ? &m->aSample[lo - 1] : NULL;
}

double rpl_model_score_at(const rpl_model *m, int team, eng_time_t t) {
	double v = 0;
	for (size_t i = 0; i < m->nScore && m->aScore[i].t <= t; i++)
		if (m->aScore[i].team == team) v = m->aScore[i].score;
	return v;
}

static int lane_shown(int lane, unsigned long mask) { return lane >= 64 || ((mask >> lane) & 1); }

long rpl_model_marker_after(const rpl_model *m, eng_time_t t, unsigned long laneMask) {
	for (size_t i = 0; i < m->nMark; i++)
		if (m->aMark[i].t > t && lane_shown(m->aMark[i].lane, laneMask)) return (long)i;
	return -1;
}

long rpl_model_marker_before(const rpl_model *m, eng_time_t t, unsigned long laneMask) {
	for (size_t i = m->nMark; i-- > 0;)
		if (m->aMark[i].t < t && lane_shown(m->aMark[i].lane, laneMask)) return (long)i;
	return -1;
}

eng_time_t rpl_model_first_attack(const rpl_model *m) {
	for (size_t i = 0; i < m->nMark; i++)
		if (m->aMark[i].lane == RPL_LANE_ATTACK) return m->aMark[i].t;
	return -1;
}
