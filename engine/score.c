/* score: see score.h for the rules. Small arrays in declaration order; a drill has tens of expectations. */
#include "engine/score.h"

#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

typedef struct score_team {
	char *zName;
	double expectPts, penalties, grades, adjust;
	int met, missed, pending;
	int64_t repeats;
} score_team;

typedef struct score_exp {
	char *zInject, *zKind, *zLabel;
	int iTeam;
	json_t *args;  /* owned, may be NULL */
	eng_time_t within, opened, metAt;
	double points, awarded;
	int status;
	int64_t seq;
	int bGated;
	json_t *effect, *contains;  /* owned, may be NULL */
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
	int bPenalty;        /* a metric penalty: -points per `per` above `above` (best = above, worst = per) */
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
	uint64_t *aSeen;     /* digests of (team, kind, args, effectiveness) seen: open addressing, 0 = empty */
	size_t nSeen, nSeenAlloc;
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
		json_decref(e->effect);
		json_decref(e->contains);
	}
	for (int i = 0; i < s->nPen; i++) {
		free(s->aPen[i].zKind); free(s->aPen[i].zReason); free(s->aPen[i].aHit);
		json_decref(s->aPen[i].args);
	}
	for (int i = 0; i < s->nTerm; i++) free(s->aTerm[i].zMetric);
	free(s->aTeam); free(s->aExp); free(s->aPen); free(s->aGrade); free(s->aTerm); free(s->aSeen);
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
	eng_expect_def def = { zInject, zTeam, zKind, zLabel, args, within, points, 0, NULL, NULL };
	return eng_score_expect_def(s, &def, pIdx, err);
}

int eng_score_expect_def(eng_score *s, const eng_expect_def *def, int *pIdx, ky_err *err) {
	const char *zInject = def->zInject, *zTeam = def->zTeam, *zKind = def->zKind, *zLabel = def->zLabel;
	json_t *args = def->args;
	eng_time_t within = def->within;
	double points = def->points;
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
	if (def->contains && eng_score_contains_check(def->contains, err)) {
		free(e->zInject); free(e->zKind); free(e->zLabel);
		return err ? err->code : KY_EINVAL;
	}
	e->args = args ? json_deep_copy(args) : NULL;
	e->bGated = def->bGated;
	e->effect = def->effect ? json_deep_copy(def->effect) : NULL;
	e->contains = def->contains ? json_deep_copy(def->contains) : NULL;
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

int eng_score_metric_penalty(eng_score *s, const char *zMetric, double above, double per, double points, ky_err *err) {
	if (!zMetric || !*zMetric) return ky_err_set(err, KY_EINVAL, "penalty needs a metric");
	if (!(per > 0) || !isfinite(per) || !isfinite(above))
		return ky_err_set(err, KY_EINVAL, "penalty on '%s': per must be a number > 0 (and above a number)", zMetric);
	if (!(points > 0) || !isfinite(points)) return ky_err_set(err, KY_EINVAL, "penalty on '%s': points must be > 0", zMetric);
	if (grow((void **)&s->aTerm, s->nTerm, &s->nTermAlloc, sizeof(score_term))) goto oom;
	score_term *t = &s->aTerm[s->nTerm];
	memset(t, 0, sizeof *t);
	if (!(t->zMetric = strdup(zMetric))) goto oom;
	t->best = above;
	t->worst = per;
	t->points = points;
	t->bPenalty = 1;
	s->nTerm++;
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
	memset(t, 0, sizeof *t);
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

/* FNV-1a over n bytes, continuing from h. */
static uint64_t fnv(uint64_t h, const void *p, size_t n) {
	for (size_t i = 0; i < n; i++) h = (h ^ ((const unsigned char *)p)[i]) * 0x100000001b3ULL;
	return h;
}

/* Records the digest of this action; 1 if the team had made the same action before, 0 if not, KY_ENOMEM. */
static int seen_before(eng_score *s, int iTeam, const char *zKind, json_t *args, json_t *result) {
	char *z = args ? json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_t *eff = json_object_get(result, "effective");
	unsigned char cEff = (unsigned char)(eff ? 1 + json_is_true(eff) : 0);
	uint64_t h = fnv(0xcbf29ce484222325ULL, &iTeam, sizeof iTeam);
	h = fnv(h, &cEff, 1);
	h = fnv(h, zKind, strlen(zKind) + 1);
	h = fnv(h, z ? z : "{}", strlen(z ? z : "{}"));
	free(z);
	if (!h) h = 1;
	if ((s->nSeen + 1) * 2 > s->nSeenAlloc) {  /* keep the table at most half full */
		size_t nNew = s->nSeenAlloc ? s->nSeenAlloc * 2 : 64;
		uint64_t *a = calloc(nNew, sizeof *a);
		if (!a) return KY_ENOMEM;
		for (size_t i = 0; i < s->nSeenAlloc; i++) {
			if (!s->aSeen[i]) continue;
			size_t j = s->aSeen[i] & (nNew - 1);
			while (a[j]) j = (j + 1) & (nNew - 1);
			a[j] = s->aSeen[i];
		}
		free(s->aSeen);
		s->aSeen = a;
		s->nSeenAlloc = nNew;
	}
	size_t j = h & (s->nSeenAlloc - 1);
	while (s->aSeen[j]) {
		if (s->aSeen[j] == h) return 1;
		j = (j + 1) & (s->nSeenAlloc - 1);
	}
	s->aSeen[j] = h;
	s->nSeen++;
	return 0;
}

/* Does the result carry the effect an expectation requires? Numbers: at least; other values: equal. */
static int effect_ok(const score_exp *e, json_t *result) {
	if (e->bGated && !json_is_true(json_object_get(result, "effective"))) return 0;
	const char *k;
	json_t *want;
	json_object_foreach(e->effect, k, want) {
		json_t *got = json_object_get(result, k);
		if (json_is_number(want) ? !(json_is_number(got) && json_number_value(got) >= json_number_value(want))
		                         : !got || !json_equal(want, got))
			return 0;
	}
	return 1;
}

int eng_score_action(eng_score *s, int64_t seq, const char *zTeam, eng_time_t t, const char *zKind, json_t *args,
                     json_t **pEffects) {
	return eng_score_action_result(s, seq, zTeam, t, zKind, args, NULL, pEffects, NULL);
}

int64_t eng_score_repeats(const eng_score *s, const char *zTeam) {
	int i = team_index(s, zTeam);
	return i < 0 ? 0 : s->aTeam[i].repeats;
}

int eng_score_action_result(eng_score *s, int64_t seq, const char *zTeam, eng_time_t t, const char *zKind, json_t *args,
                            json_t *result, json_t **pEffects, int *pbRepeat) {
	int iTeam = team_index(s, zTeam);
	if (pEffects) *pEffects = NULL;
	if (pbRepeat) *pbRepeat = 0;
	if (iTeam < 0 || !zKind) return KY_ENOENT;
	int bRepeat = seen_before(s, iTeam, zKind, args, result);
	if (bRepeat < 0) return bRepeat;
	if (pbRepeat) *pbRepeat = bRepeat;
	s->aTeam[iTeam].repeats += bRepeat;
	json_t *a = pEffects ? json_array() : NULL;
	int n = 0;
	eng_score_tick(s, t);
	const char *zText = json_string_value(json_object_get(args, "text"));
	for (int i = 0; i < s->nExp && !bRepeat; i++) {
		score_exp *e = &s->aExp[i];
		if (e->status != ENG_EXP_PENDING || e->iTeam != iTeam || strcmp(e->zKind, zKind)) continue;
		if (t < e->opened || !eng_score_match(e->args, args) || !effect_ok(e, result)) continue;
		if (e->contains && !eng_score_text_has(e->contains, zText ? zText : "")) continue;
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
		if (t->bPenalty) {
			if (metric_value(metrics, t->zMetric, &v) == 0) t->value = v > t->best ? -t->points * (v - t->best) / t->worst : 0;
		} else if (metric_value(metrics, t->zMetric, &v) == 0) {
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
		if (e->bGated) json_object_set_new(o, "gated", json_true());
		if (e->effect) json_object_set(o, "effect", e->effect);
		if (e->contains) json_object_set(o, "contains", e->contains);
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

/* ---- facts in a text (contains) --------------------------------------------------------------------------- */

/* A copy of z, lowercase (ASCII), each run of white space one space, trimmed (malloc'd). */
static char *fold(const char *z) {
	char *o = malloc(strlen(z) + 1), *q = o;
	if (!o) return NULL;
	int bSpace = 0;
	for (; *z; z++) {
		if (isspace((unsigned char)*z)) {
			bSpace = q > o;
			continue;
		}
		if (bSpace) *q++ = ' ';
		bSpace = 0;
		*q++ = (char)tolower((unsigned char)*z);
	}
	*q = 0;
	return o;
}

static int is_sep(char c) { return c == ',' || c == '.' || c == ' ' || c == '\''; }

/* The digits of a number written "45000" or "45,000" ("45.000", "45 000", "45'000") into zDigits; 1 if z is one. */
static int number_of(const char *z, char *zDigits, size_t n) {
	size_t k = 0, nLead = 0;
	while (isdigit((unsigned char)z[nLead])) nLead++;
	if (nLead == 0) return 0;
	const char *p = z + nLead;
	if (*p && nLead > 3) return 0;
	while (*p) {  /* groups of exactly three digits after a separator */
		if (!is_sep(p[0]) || !isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]) || !isdigit((unsigned char)p[3]))
			return 0;
		p += 4;
	}
	for (p = z; *p && k + 1 < n; p++)
		if (isdigit((unsigned char)*p)) zDigits[k++] = *p;
	zDigits[k] = 0;
	return k + 1 < n;
}

/* Is the number zDigits written in z, with or without thousands separators, and not inside a longer number? */
static int has_number(const char *z, const char *zDigits) {
	for (const char *p = z; *p; p++) {
		if (!isdigit((unsigned char)*p) || (p > z && (isdigit((unsigned char)p[-1]) ||
		                                              (p - 1 > z && is_sep(p[-1]) && isdigit((unsigned char)p[-2])))))
			continue;
		char zGot[64];
		size_t k = 0;
		const char *q = p;
		while (isdigit((unsigned char)*q) && k + 1 < sizeof zGot) zGot[k++] = *q++;
		while (is_sep(q[0]) && isdigit((unsigned char)q[1]) && isdigit((unsigned char)q[2]) && isdigit((unsigned char)q[3]) &&
		       !isdigit((unsigned char)q[4]) && k + 4 < sizeof zGot) {
			zGot[k++] = q[1], zGot[k++] = q[2], zGot[k++] = q[3];
			q += 4;
		}
		zGot[k] = 0;
		if (!strcmp(zGot, zDigits)) return 1;
	}
	return 0;
}

/* Is one fact (a string) in the folded text? */
static int fact_in(const char *zFact, const char *zFolded, const char *zRaw) {
	size_t n = strlen(zFact);
	char zDigits[64];
	if (n >= 3 && zFact[0] == '/' && zFact[n - 1] == '/') {
		char *zRe = strndup(zFact + 1, n - 2);
		regex_t re;
		int bHit = 0;
		if (zRe && regcomp(&re, zRe, REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0) {
			bHit = regexec(&re, zRaw, 0, NULL, 0) == 0;
			regfree(&re);
		}
		free(zRe);
		return bHit;
	}
	if (number_of(zFact, zDigits, sizeof zDigits)) return has_number(zRaw, zDigits);
	char *zF = fold(zFact);
	int bHit = zF && *zF && strstr(zFolded, zF) != NULL;
	free(zF);
	return bHit;
}

int eng_score_text_has(json_t *contains, const char *z) {
	if (!contains) return 1;
	char *zFolded = fold(z ? z : "");
	if (!zFolded) return 0;
	int bAll = 1;
	size_t i, j;
	json_t *v, *alt;
	json_array_foreach(contains, i, v) {
		int bAny = 0;
		if (json_is_string(v)) bAny = fact_in(json_string_value(v), zFolded, z ? z : "");
		json_array_foreach(v, j, alt) bAny |= json_is_string(alt) && fact_in(json_string_value(alt), zFolded, z ? z : "");
		if (!bAny) {
			bAll = 0;
			break;
		}
	}
	free(zFolded);
	return bAll;
}

static int fact_check(json_t *v, const char *zWhere, ky_err *err) {
	if (!json_is_string(v) || !*json_string_value(v)) return ky_err_set(err, KY_EINVAL, "%s: expected a non-empty string", zWhere);
	const char *z = json_string_value(v);
	size_t n = strlen(z);
	if (n >= 3 && z[0] == '/' && z[n - 1] == '/') {
		char *zRe = strndup(z + 1, n - 2);
		regex_t re;
		int rc = zRe ? regcomp(&re, zRe, REG_EXTENDED | REG_ICASE | REG_NOSUB) : -1;
		free(zRe);
		if (rc != 0) return ky_err_set(err, KY_EINVAL, "%s: '%s' is not a valid regular expression (POSIX extended)", zWhere, z);
		regfree(&re);
	}
	return 0;
}

int eng_score_contains_check(json_t *contains, ky_err *err) {
	char zWhere[80];
	size_t i, j;
	json_t *v, *alt;
	if (!json_is_array(contains) || json_array_size(contains) == 0)
		return ky_err_set(err, KY_EINVAL, "contains: expected a list of facts (strings, or lists of alternatives)");
	json_array_foreach(contains, i, v) {
		snprintf(zWhere, sizeof zWhere, "contains[%zu]", i + 1);
		if (!json_is_array(v)) {
			if (fact_check(v, zWhere, err)) return err ? err->code : KY_EINVAL;
			continue;
		}
		if (json_array_size(v) == 0) return ky_err_set(err, KY_EINVAL, "%s: an empty list of alternatives", zWhere);
		json_array_foreach(v, j, alt) {
			snprintf(zWhere, sizeof zWhere, "contains[%zu][%zu]", i + 1, j + 1);
			if (fact_check(alt, zWhere, err)) return err ? err->code : KY_EINVAL;
		}
	}
	return 0;
}
