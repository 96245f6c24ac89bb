/* score: see score.h for the rules. Small arrays in declaration order; a drill has tens of expectations. */
#include "engine/score.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct score_team {
	char *zName;
	double expectPts, penalties, grades, adjust;
	int met, missed, pending;
} score_team;

typedef struct score_exp {
	char *zInject, *zKind, *zLabel;
	int iTeam;
	json_t *args;  /* owned, may be NULL */
	eng_time_t within, opened, metAt;
	double points, awarded;
	int status;
	int64_t seq;
} score_exp;

typedef struct score_pen {
	int iTeam;  /* -1: any */
	char *zKind, *zReason;
	json_t *args;
	double points;
	int bOnce;
	unsigned char *aHit;  /* per team, for bOnce */
} score_pen;

typedef struct score_grade {
	int64_t seq;
	int iTeam;
	double points;
} score_grade;

typedef struct score_term {
	char *zMetric;
	double best, worst, points, value;
} score_term;

struct eng_score {
	score_team *aTeam;
	int nTeam, nTeamAlloc;
	score_exp *aExp;
	int nExp, nExpAlloc;
	score_pen *aPen;
	int nPen, nPenAlloc;
	score_grade *aGrade;
	int nGrade, nGradeAlloc;
	score_term *aTerm;
	int nTerm, nTermAlloc;
	double outcome;
};

/* Grows *pa (n used, *pnAlloc capacity) to hold one more element of size sz; 0 or KY_ENOMEM. */
static int grow(void **pa, int n, int *pnAlloc, size_t sz) {
	if (n < *pnAlloc) return 0;
	int nNew = *pnAlloc ? *pnAlloc * 2 : 8;
	void *p = realloc(*pa, (size_t)nNew * sz);
	if (!p) return KY_ENOMEM;
	*pa = p;
	*pnAlloc = nNew;
	return 0;
}

eng_score *eng_score_new(void) { return calloc(1, sizeof(eng_score)); }

void eng_score_free(eng_score *s) {
	if (!s) return;
	for (int i = 0; i < s->nTeam; i++) free(s->aTeam[i].zName);
	for (int i = 0; i < s->nExp; i++) {
		score_exp *e = &s->aExp[i];
		free(e->zInject); free(e->zKind); free(e->zLabel);
		json_decref(e->args);
	}
	for (int i = 0; i < s->nPen; i++) {
		free(s->aPen[i].zKind); free(s->aPen[i].zReason); free(s->aPen[i].aHit);
		json_decref(s->aPen[i].args);
	}
	for (int i = 0; i < s->nTerm; i++) free(s->aTerm[i].zMetric);
	free(s->aTeam); free(s->aExp); free(s->aPen); free(s->aGrade); free(s->aTerm);
	free(s);
}

static int team_index(const eng_score *s, const char *z) {
	if (!z) return -1;
	for (int i = 0; i < s->nTeam; i++) {
		if (!strcmp(s->aTeam[i].zName, z)) return i;
	}
	return -1;
}

int eng_score_has_team(const eng_score *s, const char *zTeam) { return team_index(s, zTeam) >= 0; }

int eng_score_add_team(eng_score *s, const char *zTeam, ky_err *err) {
	if (!zTeam || !*zTeam) return ky_err_set(err, KY_EINVAL, "score: empty team id");
	if (team_index(s, zTeam) >= 0) return ky_err_set(err, KY_EINVAL, "score: duplicate team '%s'", zTeam);
	if (grow((void **)&s->aTeam, s->nTeam, &s->nTeamAlloc, sizeof(score_team))) goto oom;
	score_team *t = &s->aTeam[s->nTeam];
	memset(t, 0, sizeof *t);
	if (!(t->zName = strdup(zTeam))) goto oom;
	s->nTeam++;
	for (int i = 0; i < s->nPen; i++) {  /* penalties declared before this team need one more flag */
		unsigned char *p = realloc(s->aPen[i].aHit, (size_t)s->nTeam);
		if (!p) goto oom;
		p[s->nTeam - 1] = 0;
		s->aPen[i].aHit = p;
	}
	return 0;
oom:
	return ky_err_set(err, KY_ENOMEM, "score: out of memory adding team '%s'", zTeam);
}

int eng_score_expect(eng_score *s, const char *zInject, const char *zTeam, const char *zKind, json_t *args,
                     eng_time_t within, double points, const char *zLabel, int *pIdx, ky_err *err) {
	int iTeam = team_index(s, zTeam);
	if (iTeam < 0) return ky_err_set(err, KY_ENOENT, "unknown team '%s'", zTeam ? zTeam : "(none)");
	if (!zInject || !zKind) return ky_err_set(err, KY_EINVAL, "expectation needs an inject and an action kind");
	if (within <= 0) return ky_err_set(err, KY_EINVAL, "expectation window must be > 0");
	if (!(points >= 0) || !isfinite(points)) return ky_err_set(err, KY_EINVAL, "expectation points must be >= 0");
	if (grow((void **)&s->aExp, s->nExp, &s->nExpAlloc, sizeof(score_exp))) goto oom;
	score_exp *e = &s->aExp[s->nExp];
	memset(e, 0, sizeof *e);
	char zAuto[160];
	if (!zLabel) {
		int n = 1;
		for (int i = 0; i < s->nExp; i++) n += !strcmp(s->aExp[i].zInject, zInject);
		snprintf(zAuto, sizeof zAuto, "%s#%d", zInject, n);
		zLabel = zAuto;
	}
	e->zInject = strdup(zInject);
	e->zKind = strdup(zKind);
	e->zLabel = strdup(zLabel);
	if (!e->zInject || !e->zKind || !e->zLabel) {
		free(e->zInject); free(e->zKind); free(e->zLabel);
		goto oom;
	}
	e->args = args ? json_deep_copy(args) : NULL;
	e->iTeam = iTeam;
	e->within = within;
	e->points = points;
	e->status = ENG_EXP_UNFIRED;
	if (pIdx) *pIdx = s->nExp;
	s->nExp++;
	return 0;
oom:
	return ky_err_set(err, KY_ENOMEM, "score: out of memory");
}

int eng_score_open(eng_score *s, const char *zInject, eng_time_t t) {
	int n = 0;
	for (int i = 0; i < s->nExp; i++) {
		score_exp *e = &s->aExp[i];
		if (e->status != ENG_EXP_UNFIRED || strcmp(e->zInject, zInject)) continue;
		e->status = ENG_EXP_PENDING;
		e->opened = t;
		s->aTeam[e->iTeam].pending++;
		n++;
	}
	return n;
}

int eng_score_penalty(eng_score *s, const char *zTeam, const char *zKind, json_t *args, double points, int bOnce,
                      const char *zReason, ky_err *err) {
	int iTeam = -1;
	if (zTeam) {
		iTeam = team_index(s, zTeam);
		if (iTeam < 0) return ky_err_set(err, KY_ENOENT, "unknown team '%s'", zTeam);
	}
	if (!zKind) return ky_err_set(err, KY_EINVAL, "penalty needs an action kind");
	if (!(points > 0) || !isfinite(points)) return ky_err_set(err, KY_EINVAL, "penalty points must be > 0");
	if (grow((void **)&s->aPen, s->nPen, &s->nPenAlloc, sizeof(score_pen))) goto oom;
	score_pen *p = &s->aPen[s->nPen];
	memset(p, 0, sizeof *p);
	p->zKind = strdup(zKind);
	p->zReason = strdup(zReason ? zReason : zKind);
	p->aHit = calloc((size_t)(s->nTeam ? s->nTeam : 1), 1);
	if (!p->zKind || !p->zReason || !p->aHit) {
		free(p->zKind); free(p->zReason); free(p->aHit);
		goto oom;
	}
	p->iTeam = iTeam;
	p->args = args ? json_deep_copy(args) : NULL;
	p->points = points;
	p->bOnce = bOnce;
	s->nPen++;
	return 0;
oom:
	return ky_err_set(err, KY_ENOMEM, "score: out of memory");
}

int eng_score_outcome_term(eng_score *s, const char *zMetric, double best, double worst, double points,
                           ky_err *err) {
	if (!zMetric || !*zMetric) return ky_err_set(err, KY_EINVAL, "outcome needs a metric");
	if (best == worst || !isfinite(best) || !isfinite(worst)) {
		return ky_err_set(err, KY_EINVAL, "outcome '%s': best and worst must differ", zMetric);
	}
	if (!(points >= 0) || !isfinite(points)) return ky_err_set(err, KY_EINVAL, "outcome points must be >= 0");
	if (grow((void **)&s->aTerm, s->nTerm, &s->nTermAlloc, sizeof(score_term))) goto oom;
	score_term *t = &s->aTerm[s->nTerm];
	if (!(t->zMetric = strdup(zMetric))) goto oom;
	t->best = best;
	t->worst = worst;
	t->points = points;
	t->value = points;  /* nothing measured yet: full */
	s->nTerm++;
	s->outcome += points;
	return 0;
oom:
	return ky_err_set(err, KY_ENOMEM, "score: out of memory");
}

static int ascii_contains_ci(const char *zHay, const char *zNeedle) {
	size_t n = strlen(zNeedle);
	if (!n) return 1;
	for (const char *p = zHay; *p; p++) {
		size_t i = 0;
		while (i < n && p[i] && tolower((unsigned char)p[i]) == tolower((unsigned char)zNeedle[i])) i++;
		if (i == n) return 1;
	}
	return 0;
}

int eng_score_match(json_t *want, json_t *got) {
	if (!want) return 1;
	if (!got) return 0;
	/* "a name or a list of names" (a schema's ["string","array"]): a list of one is the same value as its element,
	 * so a form that sends "update" meets what a script's ["update"] meets, and the other way round */
	if (json_is_array(got) && json_array_size(got) == 1 && !json_is_array(want) && !json_is_object(want))
		got = json_array_get(got, 0);
	if (json_is_array(want) && json_array_size(want) == 1 && !json_is_array(got) && !json_is_object(got))
		want = json_array_get(want, 0);
	switch (json_typeof(want)) {
	case JSON_OBJECT: {
		if (!json_is_object(got)) return 0;
		const char *k;
		json_t *v;
		json_object_foreach(want, k, v) {
			if (!eng_score_match(v, json_object_get(got, k))) return 0;
		}
		return 1;
	}
	case JSON_ARRAY: {
		if (!json_is_array(got)) return 0;
		size_t i, j;
		json_t *v, *g;
		json_array_foreach(want, i, v) {
			int bFound = 0;
			json_array_foreach(got, j, g) {
				if (eng_score_match(v, g)) { bFound = 1; break; }
			}
			if (!bFound) return 0;
		}
		return 1;
	}
	case JSON_STRING: {
		if (!json_is_string(got)) return 0;
		const char *zw = json_string_value(want), *zg = json_string_value(got);
		if (zw[0] == '~') return ascii_contains_ci(zg, zw + 1);
		return !strcmp(zw, zg);
	}
	case JSON_INTEGER:
	case JSON_REAL:
		return json_is_number(got) && json_number_value(want) == json_number_value(got);
	default:
		return json_equal(want, got);
	}
}

static void miss(eng_score *s, score_exp *e) {
	e->status = ENG_EXP_MISSED;
	s->aTeam[e->iTeam].pending--;
	s->aTeam[e->iTeam].missed++;
}

static void effect(json_t *a, json_t *o);

int eng_score_expire(eng_score *s, eng_time_t now, int bAll, json_t **pEffects) {
	json_t *a = pEffects ? json_array() : NULL;
	int n = 0;
	for (int i = 0; i < s->nExp; i++) {
		score_exp *e = &s->aExp[i];
		if (e->status != ENG_EXP_PENDING || (!bAll && e->opened + 2 * e->within > now)) continue;
		miss(s, e);
		effect(a, json_pack("{s:s,s:s,s:s,s:s,s:f,s:f}", "type", "missed", "team", s->aTeam[e->iTeam].zName,
		                    "expectation", e->zLabel, "inject", e->zInject, "points", 0.0, "possible", e->points));
		n++;
	}
	if (pEffects) *pEffects = a;
	return n;
}

int eng_score_tick(eng_score *s, eng_time_t now) { return eng_score_expire(s, now, 0, NULL); }

int eng_score_finish(eng_score *s, eng_time_t end) { return eng_score_expire(s, end, 1, NULL); }

static void effect(json_t *a, json_t *o) {
	if (a) json_array_append_new(a, o);
	else json_decref(o);
}

int eng_score_action(eng_score *s, int64_t seq, const char *zTeam, eng_time_t t, const char *zKind, json_t *args,
                     json_t **pEffects) {
	int iTeam = team_index(s, zTeam);
	if (pEffects) *pEffects = NULL;
	if (iTeam < 0 || !zKind) return KY_ENOENT;
	json_t *a = pEffects ? json_array() : NULL;
	int n = 0;
	eng_score_tick(s, t);
	for (int i = 0; i < s->nExp; i++) {
		score_exp *e = &s->aExp[i];
		if (e->status != ENG_EXP_PENDING || e->iTeam != iTeam || strcmp(e->zKind, zKind)) continue;
		if (t < e->opened || !eng_score_match(e->args, args)) continue;
		eng_time_t dt = t - e->opened;
		double pts = e->points;
		if (dt > e->within) pts = e->points * (2.0 - (double)dt / (double)e->within);
		if (pts < 0) pts = 0;
		e->status = ENG_EXP_MET;
		e->metAt = t;
		e->awarded = pts;
		e->seq = seq;
		score_team *tm = &s->aTeam[iTeam];
		tm->pending--;
		tm->met++;
		tm->expectPts += pts;
		effect(a, json_pack("{s:s,s:s,s:s,s:f,s:f}", "type", "met", "expectation", e->zLabel, "inject", e->zInject,
		                    "points", pts, "possible", e->points));
		n++;
	}
	for (int i = 0; i < s->nPen; i++) {
		score_pen *p = &s->aPen[i];
		if ((p->iTeam >= 0 && p->iTeam != iTeam) || strcmp(p->zKind, zKind)) continue;
		if ((p->bOnce && p->aHit[iTeam]) || !eng_score_match(p->args, args)) continue;
		p->aHit[iTeam] = 1;
		s->aTeam[iTeam].penalties += p->points;
		effect(a, json_pack("{s:s,s:s,s:f}", "type", "penalty", "reason", p->zReason, "points", -p->points));
		n++;
	}
	if (pEffects) *pEffects = a;
	return n;
}

int eng_score_grade(eng_score *s, int64_t seq, const char *zTeam, double points, ky_err *err) {
	int iTeam = team_index(s, zTeam);
	if (iTeam < 0) return ky_err_set(err, KY_ENOENT, "grade: unknown team '%s'", zTeam ? zTeam : "(none)");
	if (!isfinite(points)) return ky_err_set(err, KY_EINVAL, "grade: points must be a finite number");
	for (int i = 0; i < s->nGrade; i++) {
		score_grade *g = &s->aGrade[i];
		if (g->seq != seq) continue;
		s->aTeam[g->iTeam].grades -= g->points;
		g->points = points;
		g->iTeam = iTeam;
		s->aTeam[iTeam].grades += points;
		return 0;
	}
	if (grow((void **)&s->aGrade, s->nGrade, &s->nGradeAlloc, sizeof(score_grade))) {
		return ky_err_set(err, KY_ENOMEM, "score: out of memory");
	}
	s->aGrade[s->nGrade++] = (score_grade){ seq, iTeam, points };
	s->aTeam[iTeam].grades += points;
	return 0;
}

int eng_score_adjust(eng_score *s, const char *zTeam, double points, ky_err *err) {
	int iTeam = team_index(s, zTeam);
	if (iTeam < 0) return ky_err_set(err, KY_ENOENT, "unknown team '%s'", zTeam ? zTeam : "(none)");
	if (!isfinite(points)) return ky_err_set(err, KY_EINVAL, "score adjustment must be a finite number");
	s->aTeam[iTeam].adjust += points;
	return 0;
}

/* Looks up a dotted path ("a.b") of numbers in an object; 0 and *pV set when found. */
static int metric_value(json_t *m, const char *zPath, double *pV) {
	char zKey[128];
	const char *p = zPath;
	while (m && json_is_object(m)) {
		const char *zDot = strchr(p, '.');
		size_t n = zDot ? (size_t)(zDot - p) : strlen(p);
		if (n >= sizeof zKey) return -1;
		memcpy(zKey, p, n);
		zKey[n] = 0;
		m = json_object_get(m, zKey);
		if (!zDot) break;
		p = zDot + 1;
	}
	if (!m || !json_is_number(m)) return -1;
	*pV = json_number_value(m);
	return 0;
}

void eng_score_set_metrics(eng_score *s, json_t *metrics) {
	double sum = 0;
	for (int i = 0; i < s->nTerm; i++) {
		score_term *t = &s->aTerm[i];
		double v;
		if (metric_value(metrics, t->zMetric, &v) == 0) {
			double f = (t->worst - v) / (t->worst - t->best);
			if (f < 0) f = 0;
			if (f > 1) f = 1;
			t->value = t->points * f;
		}
		sum += t->value;
	}
	s->outcome = sum;
}

static double team_total(const score_team *t) { return t->expectPts - t->penalties + t->grades + t->adjust; }

double eng_score_team(const eng_score *s, const char *zTeam) {
	int i = team_index(s, zTeam);
	return i < 0 ? 0 : team_total(&s->aTeam[i]);
}

double eng_score_outcome(const eng_score *s) { return s->outcome; }

double eng_score_joint(const eng_score *s) {
	double sum = s->outcome;
	for (int i = 0; i < s->nTeam; i++) sum += team_total(&s->aTeam[i]);
	return sum;
}

/* Rounds to 0.01 so that JSON output stays readable and stable. */
static double r2(double x) { return round(x * 100.0) / 100.0; }

json_t *eng_score_team_json(const eng_score *s, const char *zTeam) {
	int i = team_index(s, zTeam);
	if (i < 0) return NULL;
	const score_team *t = &s->aTeam[i];
	return json_pack("{s:f,s:i,s:i,s:i,s:f,s:f,s:f,s:f}", "score", r2(team_total(t)), "met", t->met, "missed",
	                 t->missed, "pending", t->pending, "expect_points", r2(t->expectPts), "penalties",
	                 r2(t->penalties), "grades", r2(t->grades), "adjust", r2(t->adjust));
}

json_t *eng_score_json(const eng_score *s) {
	json_t *teams = json_object();
	for (int i = 0; i < s->nTeam; i++) {
		json_object_set_new(teams, s->aTeam[i].zName, eng_score_team_json(s, s->aTeam[i].zName));
	}
	return json_pack("{s:o,s:f,s:f}", "teams", teams, "joint", r2(eng_score_joint(s)), "outcome", r2(s->outcome));
}

static const char *status_name(int st) {
	switch (st) {
	case ENG_EXP_PENDING: return "pending";
	case ENG_EXP_MET: return "met";
	case ENG_EXP_MISSED: return "missed";
	default: return "unfired";
	}
}

json_t *eng_score_expectations_json(const eng_score *s) {
	json_t *a = json_array();
	for (int i = 0; i < s->nExp; i++) {
		const score_exp *e = &s->aExp[i];
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:f,s:s}", "label", e->zLabel, "inject", e->zInject, "team",
		                      s->aTeam[e->iTeam].zName, "kind", e->zKind, "within_us", (json_int_t)e->within,
		                      "points", e->points, "status", status_name(e->status));
		if (e->args) json_object_set(o, "args", e->args);
		if (e->status != ENG_EXP_UNFIRED) json_object_set_new(o, "opened_us", json_integer(e->opened));
		if (e->status == ENG_EXP_MET) {
			json_object_set_new(o, "met_us", json_integer(e->metAt));
			json_object_set_new(o, "awarded", json_real(r2(e->awarded)));
			json_object_set_new(o, "seq", json_integer(e->seq));
		}
		json_array_append_new(a, o);
	}
	return a;
}

int eng_score_expectation_count(const eng_score *s) { return s->nExp; }
