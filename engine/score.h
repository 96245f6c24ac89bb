/* score: scoring of a drill. Expectations (an inject's `expects`), penalties for harmful actions, manual grades,
 * scenario adjustments and an outcome score computed from named metrics. Knows nothing of Lua or cars: actions
 * are (team, kind, args JSON) and metrics a JSON object of numbers; matching is kind + an args subset.
 *
 * Rules (docs/scenario-api.md "Scoring"):
 *  - An expectation belongs to an inject and a team. Its window opens when the inject is delivered (t0).
 *    The first action of that team with the same kind whose args contain the expected args (see
 *    eng_score_match) at t in [t0, t0 + 2*within) meets it: full points when t - t0 <= within, else
 *    points * (2 - (t - t0)/within), falling linearly to zero at twice the window. Not met by then: missed.
 *    Expectations of an inject never delivered stay "unfired" (not counted as missed).
 *  - A penalty (team or any, kind, args subset) deducts its points from the acting team for each matching
 *    action (or only the first one per team when bOnce).
 *  - Grades (by action seq) add to the acting team; a second grade of the same seq replaces the first.
 *  - Outcome terms map a metric linearly from `best` (full points) to `worst` (zero), clamped.
 *  - Team score = expectation points - penalties + grades + adjustments; joint = sum of teams + outcome.
 * Deterministic: teams and expectations are kept in declaration order. Ownership: JSON borrowed unless said. */
#ifndef ENG_SCORE_H
#define ENG_SCORE_H

#include <stdint.h>

#include <jansson.h>

#include "engine/err.h"
#include "engine/time.h"

typedef struct eng_score eng_score;

enum { ENG_EXP_UNFIRED = 0, ENG_EXP_PENDING, ENG_EXP_MET, ENG_EXP_MISSED };

/* NULL when out of memory. */
eng_score *eng_score_new(void);
void eng_score_free(eng_score *s);

/* Declares a team (in order). KY_EINVAL for a duplicate. */
int eng_score_add_team(eng_score *s, const char *zTeam, ky_err *err);
int eng_score_has_team(const eng_score *s, const char *zTeam);

/* Declares an expectation of inject zInject for zTeam: an action `kind` whose args contain `args` (may be NULL),
 * within `within` (> 0) for `points` (>= 0). zLabel (may be NULL: "INJECT#n") names it in reports.
 * *pIdx (may be NULL) gets its index. KY_ENOENT for an unknown team, KY_EINVAL for a bad window or points. */
int eng_score_expect(eng_score *s, const char *zInject, const char *zTeam, const char *zKind, json_t *args,
                     eng_time_t within, double points, const char *zLabel, int *pIdx, ky_err *err);
/* Opens the (still unfired) expectations of zInject at t; returns how many were opened. */
int eng_score_open(eng_score *s, const char *zInject, eng_time_t t);

/* Declares a penalty: points (> 0) deducted from the acting team for each action of `kind` matching `args`
 * (NULL matches any) by zTeam (NULL: any team); bOnce: only the first such action per team. */
int eng_score_penalty(eng_score *s, const char *zTeam, const char *zKind, json_t *args, double points, int bOnce,
                      const char *zReason, ky_err *err);

/* Declares an outcome term on metric zMetric (a key of the metrics object, dotted for nested: "services.ota"
 * is not a number and is ignored): full `points` at value `best`, zero at `worst`, linear and clamped between. */
int eng_score_outcome_term(eng_score *s, const char *zMetric, double best, double worst, double points,
                           ky_err *err);

/* Scores one action at time t. Marks expectations missed whose window closed before t first (as eng_score_tick).
 * *pEffects (may be NULL) gets a new array of what it changed:
 *   [{"type":"met","expectation":LABEL,"inject":ID,"points":P,"possible":P0}, {"type":"penalty","reason":R,"points":-P}]
 * (P < P0 when met late, in the second half of the window).
 * Returns the number of effects (>= 0) or a KY_E* code (unknown team). */
int eng_score_action(eng_score *s, int64_t seq, const char *zTeam, eng_time_t t, const char *zKind, json_t *args,
                     json_t **pEffects);
/* Time passes: every pending expectation whose window ended at or before now is missed. Returns how many. */
int eng_score_tick(eng_score *s, eng_time_t now);
/* The drill ended at `end`: every pending expectation still unmet is missed. Returns how many. */
int eng_score_finish(eng_score *s, eng_time_t end);
/* eng_score_tick (bAll = 0) or eng_score_finish (bAll = 1) that also says what it missed: *pEffects (may be NULL)
 * gets a new array, in declaration order, of
 *   {"type":"missed","team":T,"expectation":LABEL,"inject":ID,"points":0,"possible":P}
 * Returns how many were missed. */
int eng_score_expire(eng_score *s, eng_time_t now, int bAll, json_t **pEffects);

/* A manual grade of action seq (by zTeam); replaces an earlier grade of the same seq. */
int eng_score_grade(eng_score *s, int64_t seq, const char *zTeam, double points, ky_err *err);
/* A scenario adjustment (positive or negative) to a team. */
int eng_score_adjust(eng_score *s, const char *zTeam, double points, ky_err *err);
/* Recomputes the outcome from a metrics object (numbers by key). */
void eng_score_set_metrics(eng_score *s, json_t *metrics);

double eng_score_team(const eng_score *s, const char *zTeam);
double eng_score_joint(const eng_score *s);
double eng_score_outcome(const eng_score *s);
/* {"score":N,"met":N,"missed":N,"pending":N,"expect_points":N,"penalties":N,"grades":N,"adjust":N} (new ref),
 * NULL for an unknown team. */
json_t *eng_score_team_json(const eng_score *s, const char *zTeam);
/* {"teams":{TEAM:{...}},"joint":N,"outcome":N} (new ref). */
json_t *eng_score_json(const eng_score *s);
/* Every expectation in order: [{"label","inject","team","kind","args","within_us","points","status",
 * "opened_us"?, "met_us"?, "awarded"?, "seq"?}] (new ref). */
json_t *eng_score_expectations_json(const eng_score *s);
int eng_score_expectation_count(const eng_score *s);

/* 1 if every member of `want` is in `got`: objects key by key recursively, arrays as "every wanted element
 * matches some element", numbers by value (1 == 1.0), strings exactly, except a wanted string starting with
 * '~' which matches when the rest occurs in the got string, case-insensitively (ASCII); a list of one element is the
 * same value as that element (a name or a list of names). NULL want matches. */
int eng_score_match(json_t *want, json_t *got);

#endif
