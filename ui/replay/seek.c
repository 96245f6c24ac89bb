/* seek (ui/replay): see seek.h.
 *
 * Design notes
 * - The recorded drill is a path of steps: the world's own events (check-in slots, VSOC rounds, C2 blocks) and
 *   its inputs, in one order. A position on it is (inputs applied, events run); a row of world_inputs says after
 *   how many events it was given (step). Running from a position means: for the next input, run exactly step - S
 *   events with time <= its time (eng_sim_run_steps), then the clock is at its time, apply it; and so on.
 * - The replay's engine holds only the world's events. Their order among themselves is the drill's: the same code
 *   inserts them in the same order. After a restore (journal snapshot or checkpoint) the pending events are put
 *   back in the recorded order (veh_world_rearm), since veh_world_restore inserts them in a fixed one.
 * - "The world at T" is `kyodo run --until T`: every event at a time <= T has run, then the actions at T were
 *   applied (and what a scenario handler did in answer to them). So the target is: up to the last input of time T
 *   given between two engine runs (phase 1) if there is one, else every input of time <= T and every event <= T.
 * - Any position on the path is a valid start: the current one (seeking forward while the viewer plays), an
 *   in-memory checkpoint, a journal snapshot with its mark row (position and pending order), or the start.
 *   Checkpoints are taken only at positions known to lie on the path: just before an input, or after every event
 *   up to a time earlier than the next input. */
#include "ui/replay/seek.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenarios/resume.h"

#define MARK (-1) /* kind of a mark row in rpl_input */

typedef struct rpl_input {
	eng_time_t t;
	int64_t step;   /* the world's events run before it */
	int phase;      /* 1: given between two engine runs */
	int kind;       /* VEH_INPUT_*, or MARK */
	char *zName, *zTeam;
	json_t *args;   /* a mark's: the pending events */
} rpl_input;

typedef struct rpl_ckpt {
	eng_time_t t;
	int64_t step;
	size_t iNext;
	unsigned char *pBlob;
	size_t nBlob;
	json_t *pending;
} rpl_ckpt;

struct rpl_seek {
	eng_journal *j;
	scn_seek *pFallback;     /* no world log: re-simulation by scenarios/resume */
	json_t *config;
	uint64_t seed;
	eng_time_t tEnd, duration;
	rpl_input *a;
	size_t n, nAlloc;
	eng_sim *sim;
	veh_world *w;
	/* the world's position: inputs a[0..iNext) applied, stepBase + veh_world_steps(w) events run */
	int bValid;
	size_t iNext;
	int64_t stepBase;
	/* checkpoints, in time order */
	rpl_ckpt *aCk;
	size_t nCk, nCkAlloc, nCkBytes, nCkMax;
	eng_time_t ckEvery, tCkNext;
	int bNoMarks;            /* prewarm: run from the start, whatever the journal's snapshots */
	rpl_seek_stats stats;
};

static int64_t steps_run(const rpl_seek *s) { return s->stepBase + (int64_t)veh_world_steps(s->w); }

/* ---- loading ------------------------------------------------------------------------------------------- */

static int load_row(void *ctx, const eng_journal_world_row *r) {
	rpl_seek *s = ctx;
	if (s->n == s->nAlloc) {
		size_t n = s->nAlloc ? 2 * s->nAlloc : 256;
		rpl_input *a = realloc(s->a, n * sizeof *a);
		if (!a) return KY_ENOMEM;
		s->a = a;
		s->nAlloc = n;
	}
	int bMark = r->zKind && !strcmp(r->zKind, "mark"), kind = bMark ? MARK : veh_input_kind_index(r->zKind);
	if (kind == -1 && !bMark) return KY_EPARSE;
	rpl_input *in = &s->a[s->n];
	memset(in, 0, sizeof *in);
	in->t = r->t;
	in->step = r->step;
	in->phase = r->phase;
	in->kind = kind;
	in->zName = r->zName ? strdup(r->zName) : NULL;
	in->zTeam = r->zTeam ? strdup(r->zTeam) : NULL;
	in->args = r->zArgs ? json_loads(r->zArgs, JSON_DECODE_ANY, NULL) : json_object();
	if (!in->args || (r->zName && !in->zName) || (r->zTeam && !in->zTeam)) {
		free(in->zName);
		free(in->zTeam);
		json_decref(in->args);
		return KY_EPARSE;
	}
	s->n++;
	return 0;
}

/* The recorded world's configuration, seed, extent and inputs. KY_ENOENT when the journal has no world log. */
static int load_log(rpl_seek *s, ky_err *err) {
	char *zCfg = eng_journal_meta_get(s->j, "world_config", NULL);
	char *zSeed = eng_journal_meta_get(s->j, "seed", NULL);
	int rc = 0;
	if (!zCfg || !zSeed) {
		rc = ky_err_set(err, KY_ENOENT, "journal has no world configuration");
		goto out;
	}
	s->seed = strtoull(zSeed, NULL, 10);
	if (!(s->config = json_loads(zCfg, 0, NULL))) {
		rc = ky_err_set(err, KY_EPARSE, "journal: meta world_config is not JSON");
		goto out;
	}
	ky_err e = { 0 };
	rc = eng_journal_world_inputs(s->j, 0, s->tEnd, load_row, s, &e);
	if (rc == KY_EPARSE) rc = ky_err_set(err, KY_EPARSE, "journal: a world_inputs row is damaged (%zu read)", s->n);
	else if (rc == KY_ENOMEM) rc = ky_err_set(err, KY_ENOMEM, "seek: out of memory");
	else if (rc != 0 && err) *err = e;
out:
	free(zCfg);
	free(zSeed);
	return rc;
}

/* A new world, configured and started at 0: the position at the very start. */
static int build_world(rpl_seek *s, ky_err *err) {
	veh_world_free(s->w);
	eng_sim_free(s->sim);
	s->w = NULL;
	s->bValid = 0;
	if (!(s->sim = eng_sim_new(s->seed))) return ky_err_set(err, KY_ENOMEM, "seek: out of memory");
	if (!(s->w = veh_world_new(s->sim, err))) return err ? err->code : KY_ENOMEM;
	int rc = veh_world_configure(s->w, s->config, err);
	if (rc == 0) rc = veh_world_start(s->w, err);
	if (rc != 0) return ky_err_prefix(err, "seek: the recorded world");
	s->iNext = 0;
	s->stepBase = 0;
	s->bValid = 1;
	return 0;
}

/* End of the journal: the final time of a drill closed normally (it has a summary, or its resume point reached the
 * drill's duration); otherwise just before the resume point: every row of an earlier time is in the file, those of
 * that very time may not all be. */
static void read_extent(rpl_seek *s) {
	eng_time_t tClean = 0, tLast = 0;
	eng_journal_clean_time(s->j, &tClean, NULL);
	eng_journal_last_time(s->j, &tLast, NULL);
	char *zSum = eng_journal_meta_get(s->j, "summary", NULL), *zEx = eng_journal_meta_get(s->j, "exercise", NULL);
	json_t *ex = zEx ? json_loads(zEx, 0, NULL) : NULL;
	json_t *jDur = json_object_get(ex, "duration_us");
	s->duration = json_is_integer(jDur) ? json_integer_value(jDur) : (tClean > tLast ? tClean : tLast);
	if (zSum || tClean >= s->duration) s->tEnd = tClean > tLast ? tClean : tLast;
	else s->tEnd = tClean > 0 ? tClean - 1 : 0;
	if (s->tEnd > s->duration) s->tEnd = s->duration;
	json_decref(ex);
	free(zEx);
	free(zSum);
}

rpl_seek *rpl_seek_open(const char *zDbPath, ky_err *err) {
	rpl_seek *s = calloc(1, sizeof *s);
	if (!s) {
		ky_err_set(err, KY_ENOMEM, "seek: out of memory");
		return NULL;
	}
	s->ckEvery = ENG_S(300);
	s->nCkMax = (size_t)256 << 20;
	if (!(s->j = eng_journal_open(zDbPath, ENG_JOURNAL_READONLY, err))) goto fail;
	char *zText = eng_journal_meta_get(s->j, "scenario_text", NULL);
	int bDrill = zText != NULL;
	free(zText);
	read_extent(s);
	ky_err e = { 0 };
	int rc = load_log(s, &e);
	if (rc == 0) {
		if (build_world(s, err) != 0) goto fail;
		return s;
	}
	if (rc != KY_ENOENT) {
		if (err) *err = e;
		goto fail;
	}
	/* an older journal: no world log, the scenario re-simulates */
	if (!bDrill) {
		ky_err_set(err, KY_EINVAL, "journal %s: no drill recorded in it (no scenario, no world configuration)", zDbPath);
		goto fail;
	}
	if (!(s->pFallback = scn_seek_open(zDbPath, NULL, err))) goto fail;
	return s;
fail:
	rpl_seek_close(s);
	return NULL;
}

static void ckpt_free(rpl_ckpt *c) {
	free(c->pBlob);
	json_decref(c->pending);
}

void rpl_seek_close(rpl_seek *s) {
	if (!s) return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->a[i].zName);
		free(s->a[i].zTeam);
		json_decref(s->a[i].args);
	}
	for (size_t i = 0; i < s->nCk; i++) ckpt_free(&s->aCk[i]);
	free(s->aCk);
	free(s->a);
	veh_world_free(s->w);
	eng_sim_free(s->sim);
	json_decref(s->config);
	scn_seek_close(s->pFallback);
	eng_journal_close(s->j, NULL);
	free(s);
}

eng_time_t rpl_seek_end(const rpl_seek *s) { return s->tEnd; }
eng_time_t rpl_seek_duration(const rpl_seek *s) { return s->duration; }
int rpl_seek_exact_log(const rpl_seek *s) { return s->pFallback == NULL; }
eng_journal *rpl_seek_journal(rpl_seek *s) { return s->j; }
void rpl_seek_last_stats(const rpl_seek *s, rpl_seek_stats *out) { *out = s->stats; }

void rpl_seek_set_checkpoints(rpl_seek *s, eng_time_t every, size_t nBytes) {
	s->ckEvery = every;
	s->nCkMax = nBytes;
}

/* ---- checkpoints --------------------------------------------------------------------------------------- */

/* Halves the checkpoints (every other one goes) and doubles the interval: what a memory cap leaves. */
static void ckpt_thin(rpl_seek *s) {
	size_t k = 0;
	for (size_t i = 0; i < s->nCk; i++) {
		if (i % 2) {
			s->nCkBytes -= s->aCk[i].nBlob;
			ckpt_free(&s->aCk[i]);
		} else {
			s->aCk[k++] = s->aCk[i];
		}
	}
	s->nCk = k;
	s->ckEvery *= 2;
}

/* Keeps the world's current position (which must lie on the recorded path) as a checkpoint, in time order. */
static void ckpt_take(rpl_seek *s) {
	eng_time_t t = eng_sim_now(s->sim);
	size_t at = s->nCk;
	if (s->ckEvery <= 0) return;
	while (at > 0 && s->aCk[at - 1].t > t) at--;
	/* one per interval: none if a neighbour is closer than the interval (an earlier seek kept this stretch) */
	if ((at > 0 && t - s->aCk[at - 1].t < s->ckEvery) || (at < s->nCk && s->aCk[at].t - t < s->ckEvery)) return;
	rpl_ckpt c = { .t = t, .step = steps_run(s), .iNext = s->iNext };
	if (veh_world_snapshot(s->w, &c.pBlob, &c.nBlob, NULL) != 0) return;
	c.pending = veh_world_pending_json(s->w);
	if (!c.pending || c.nBlob > s->nCkMax / 2) {
		ckpt_free(&c);
		return;
	}
	while (s->nCkBytes + c.nBlob > s->nCkMax && s->nCk > 1) {
		ckpt_thin(s);
		ckpt_free(&c);
		return; /* the interval doubled: this one may not fit the new spacing */
	}
	if (s->nCk == s->nCkAlloc) {
		size_t n = s->nCkAlloc ? 2 * s->nCkAlloc : 64;
		rpl_ckpt *a = realloc(s->aCk, n * sizeof *a);
		if (!a) {
			ckpt_free(&c);
			return;
		}
		s->aCk = a;
		s->nCkAlloc = n;
	}
	memmove(&s->aCk[at + 1], &s->aCk[at], (s->nCk - at) * sizeof *s->aCk);
	s->aCk[at] = c;
	s->nCk++;
	s->nCkBytes += c.nBlob;
}

/* The next checkpoint time after t. */
static eng_time_t ckpt_next(const rpl_seek *s, eng_time_t t) {
	return s->ckEvery > 0 ? (t / s->ckEvery + 1) * s->ckEvery : ENG_TIME_MAX;
}

/* ---- the target and the base ---------------------------------------------------------------------------- */

typedef struct target {
	eng_time_t t;
	size_t iEnd;     /* apply a[0..iEnd) */
	int bEvents;     /* then run every event <= t (no input of time t was given between two runs) */
	int64_t stepMax; /* !bEvents: the events run before the last input */
} target;

static target target_of(const rpl_seek *s, eng_time_t t) {
	target g = { .t = t, .bEvents = 1 };
	size_t i = 0;
	while (i < s->n && s->a[i].t <= t) i++;
	g.iEnd = i;
	for (size_t k = i; k-- > 0 && s->a[k].t == t;) {
		if (s->a[k].kind != MARK && s->a[k].phase == 1) {
			g.iEnd = k + 1;
			g.bEvents = 0;
			g.stepMax = s->a[k].step;
			break;
		}
	}
	return g;
}

/* Does a position (time, inputs applied, events run) lie before or at the target on the recorded path? */
static int before_target(const target *g, eng_time_t t, size_t iNext, int64_t step) {
	return t <= g->t && iNext <= g->iEnd && (g->bEvents || step <= g->stepMax);
}

/* The last mark at or before the target whose snapshot is the journal's one of its time (a later snapshot at the
 * same time replaces the earlier, and the last mark of a time goes with it); its index, or -1. */
static long mark_before(const rpl_seek *s, const target *g) {
	for (size_t k = g->iEnd; k-- > 0;) {
		const rpl_input *m = &s->a[k];
		if (m->kind != MARK || !before_target(g, m->t, k + 1, m->step)) continue;
		int bLater = 0;
		for (size_t q = k + 1; q < s->n && s->a[q].t == m->t && !bLater; q++) bLater = s->a[q].kind == MARK;
		if (!bLater) return (long)k;
	}
	return -1;
}

static long ckpt_before(const rpl_seek *s, const target *g) {
	for (size_t i = s->nCk; i-- > 0;)
		if (before_target(g, s->aCk[i].t, s->aCk[i].iNext, s->aCk[i].step)) return (long)i;
	return -1;
}

/* Puts the world in a saved state: blob and pending order at time t, position (iNext, step). */
static int restore(rpl_seek *s, eng_time_t t, const unsigned char *p, size_t n, json_t *pending, size_t iNext,
                   int64_t step, ky_err *err) {
	s->bValid = 0;
	int rc = eng_sim_rewind(s->sim, t);
	if (rc == 0) rc = veh_world_restore(s->w, p, n, err);
	if (rc == 0) rc = veh_world_rearm(s->w, pending, err);
	if (rc != 0) return ky_err_prefix(err, "seek: restore at %lld us", (long long)t);
	s->iNext = iNext;
	s->stepBase = step - (int64_t)veh_world_steps(s->w);
	s->bValid = 1;
	return 0;
}

static int restore_mark(rpl_seek *s, size_t k, ky_err *err) {
	const rpl_input *m = &s->a[k];
	unsigned char *p = NULL;
	size_t n = 0;
	eng_time_t tSnap = -1;
	int rc = eng_journal_snapshot_at(s->j, m->t, &p, &n, &tSnap, err);
	if (rc == 0 && tSnap != m->t) rc = ky_err_set(err, KY_EPARSE, "seek: the snapshot of the mark at %lld us is missing", (long long)m->t);
	if (rc == 0) rc = restore(s, m->t, p, n, m->args, k + 1, m->step, err);
	free(p);
	return rc;
}

/* Chooses and restores the latest valid state at or before the target. */
static int restore_base(rpl_seek *s, const target *g, ky_err *err) {
	eng_time_t tCur = s->bValid && before_target(g, eng_sim_now(s->sim), s->iNext, steps_run(s)) ? eng_sim_now(s->sim) : -1;
	long iCk = ckpt_before(s, g), iMark = s->bNoMarks ? -1 : mark_before(s, g);
	eng_time_t tCk = iCk >= 0 ? s->aCk[iCk].t : -1, tMark = iMark >= 0 ? s->a[iMark].t : -1;
	if (tCur >= 0 && tCur >= tCk && tCur >= tMark) {
		s->stats.base = 0;
		s->stats.tBase = tCur;
		return 0;
	}
	if (iCk >= 0 && tCk >= tMark) {
		const rpl_ckpt *c = &s->aCk[iCk];
		s->stats.base = 1;
		s->stats.tBase = c->t;
		return restore(s, c->t, c->pBlob, c->nBlob, c->pending, c->iNext, c->step, err);
	}
	if (iMark >= 0 && restore_mark(s, (size_t)iMark, NULL) == 0) {
		s->stats.base = 2;
		s->stats.tBase = tMark;
		return 0;
	}
	s->stats.base = 3;
	s->stats.tBase = 0;
	return build_world(s, err);
}

/* ---- running forward -------------------------------------------------------------------------------------- */

/* Runs every event with time <= t, where t is earlier than the next input's time or is the target (all inputs
 * up to it applied), taking a checkpoint at each interval boundary: those positions lie on the recorded path. */
static int run_events_to(rpl_seek *s, eng_time_t t, ky_err *err) {
	for (;;) {
		eng_time_t tCk = ckpt_next(s, eng_sim_now(s->sim));
		eng_time_t tTo = tCk < t ? tCk : t;
		int64_t n = eng_sim_run_until(s->sim, tTo);
		if (n < 0) return ky_err_set(err, (int)n, "seek: the engine stopped at %lld us", (long long)eng_sim_now(s->sim));
		if (tTo == tCk) ckpt_take(s);
		if (tTo == t) return 0;
	}
}

/* Applies input a[iNext] after running exactly the events the drill ran before it. */
static int apply_next(rpl_seek *s, ky_err *err) {
	const rpl_input *in = &s->a[s->iNext];
	if (in->kind == MARK) {
		s->iNext++;
		return 0;
	}
	int64_t need = in->step - steps_run(s);
	if (need > 0 && in->t > eng_sim_now(s->sim) + 1) {
		/* a long stretch of events only: run them to just before the input's time (checkpoints on the way) */
		int64_t before = steps_run(s);
		int rc = run_events_to(s, in->t - 1, err);
		if (rc) return rc;
		need -= steps_run(s) - before;
	}
	if (need < 0 || eng_sim_run_steps(s->sim, in->t, need) != need || steps_run(s) != in->step ||
	    eng_sim_now(s->sim) != in->t) {
		return ky_err_set(err, KY_EPARSE, "seek: world_inputs row %zu (%s %s at %lld us) does not re-run: %lld events "
		                  "run, the journal says %lld before it", s->iNext + 1, in->kind == MARK ? "mark" : veh_input_kind_name(in->kind),
		                  in->zName ? in->zName : "", (long long)in->t, (long long)steps_run(s), (long long)in->step);
	}
	if (s->tCkNext <= in->t) { /* just before an input: on the path too */
		ckpt_take(s);
		s->tCkNext = ckpt_next(s, in->t);
	}
	ky_err e = { 0 };
	veh_world_input(s->w, in->kind, in->zName, in->zTeam, in->args, &e); /* it fails again if it failed then */
	s->iNext++;
	s->stats.nInputs++;
	return 0;
}

const veh_world *rpl_seek_world(rpl_seek *s, eng_time_t t, ky_err *err) {
	if (t < 0) t = 0;
	if (t > s->tEnd) t = s->tEnd;
	memset(&s->stats, 0, sizeof s->stats);
	if (s->pFallback) {
		if (scn_seek_exact(s->pFallback, t, err) != 0) return NULL;
		return scn_drill_world(scn_seek_drill(s->pFallback));
	}
	target g = target_of(s, t);
	int rc = restore_base(s, &g, err);
	s->tCkNext = ckpt_next(s, eng_sim_now(s->sim));
	while (rc == 0 && s->iNext < g.iEnd) rc = apply_next(s, err);
	if (rc == 0 && g.bEvents) rc = run_events_to(s, t, err);
	s->stats.nCheckpoints = s->nCk;
	if (rc != 0) {
		s->bValid = 0;
		return NULL;
	}
	return s->w;
}

int rpl_seek_prewarm(rpl_seek *s, ky_err *err) {
	if (s->pFallback || s->ckEvery <= 0) return 0;
	s->bNoMarks = 1;
	int bOk = rpl_seek_world(s, 0, err) && rpl_seek_world(s, s->tEnd, err);
	s->bNoMarks = 0;
	return bOk ? 0 : (err && err->code ? err->code : KY_EIO);
}
