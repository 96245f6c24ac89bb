/* sim: see sim.h. */
#include "engine/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENG_KINDS_MAX 256

typedef struct eng_kind {
	char zName[48];
	eng_handler_fn fn;
	void *pCtx;
} eng_kind;

struct eng_sim {
	eng_queue *q;
	eng_time_t now;
	uint64_t seed;
	uint64_t nRun;
	uint64_t digest;
	int bPauseReq, bPaused, bRunning;
	uint32_t nKind;
	eng_kind aKind[ENG_KINDS_MAX];
};

eng_sim *eng_sim_new(uint64_t seed) {
	eng_sim *s = calloc(1, sizeof *s);
	if (!s) return NULL;
	s->q = eng_queue_new();
	if (!s->q) {
		free(s);
		return NULL;
	}
	s->seed = seed;
	s->digest = 0xcbf29ce484222325ULL;
	return s;
}

void eng_sim_free(eng_sim *s) {
	if (!s) return;
	eng_queue_free(s->q);
	free(s);
}

int eng_sim_register(eng_sim *s, const char *zName, eng_handler_fn fn, void *pCtx, uint32_t *pKind) {
	if (!fn || !pKind) return KY_EINVAL;
	if (s->nKind >= ENG_KINDS_MAX) return KY_ELIMIT;
	eng_kind *k = &s->aKind[s->nKind];
	snprintf(k->zName, sizeof k->zName, "%s", zName ? zName : "?");
	k->fn = fn;
	k->pCtx = pCtx;
	*pKind = s->nKind++;
	return KY_OK;
}

const char *eng_sim_kind_name(const eng_sim *s, uint32_t kind) {
	return kind < s->nKind ? s->aKind[kind].zName : "?";
}

int eng_sim_schedule(eng_sim *s, eng_time_t t, uint32_t kind, uint32_t a, uint64_t b, eng_event_id *pId) {
	if (kind >= s->nKind) return KY_ENOENT;
	if (t < s->now) return KY_EPAST;
	return eng_queue_push(s->q, t, kind, a, b, pId);
}

int eng_sim_after(eng_sim *s, eng_time_t delay, uint32_t kind, uint32_t a, uint64_t b, eng_event_id *pId) {
	if (delay < 0) return KY_EPAST;
	if (s->now > ENG_TIME_MAX - delay) return KY_EINVAL;
	return eng_sim_schedule(s, s->now + delay, kind, a, b, pId);
}

int eng_sim_cancel(eng_sim *s, eng_event_id id) { return eng_queue_cancel(s->q, id); }

/* One event into the trace digest: each word is xored in and the state multiplied by an odd constant and
 * rotated (three multiplies per event; FNV-1a byte by byte cost more than the queue). */
static void digest_mix(eng_sim *s, uint64_t v) {
	uint64_t h = (s->digest ^ v) * 0x9e3779b97f4a7c15ULL;
	s->digest = (h << 29) | (h >> 35);
}

/* The run loop of eng_sim_run_until and eng_sim_run_steps: at most nMax events (< 0: no limit) with time <= t. */
static int64_t run_loop(eng_sim *s, eng_time_t t, int64_t nMax) {
	eng_event ev;
	int64_t n = 0;
	if (s->bRunning) return KY_ESTATE;
	if (t < s->now) return KY_EPAST;
	s->bPauseReq = 0;
	s->bPaused = 0;
	s->bRunning = 1;
	while ((nMax < 0 || n < nMax) && eng_queue_pop_until(s->q, t, &ev) == 0) {
		s->now = ev.t;
		digest_mix(s, (uint64_t)ev.t);
		digest_mix(s, ((uint64_t)ev.kind << 32) | ev.a);
		digest_mix(s, ev.b);
		s->aKind[ev.kind].fn(s, s->aKind[ev.kind].pCtx, &ev);
		n++;
		if (s->bPauseReq) {
			s->bPauseReq = 0;
			s->bPaused = 1;
			s->bRunning = 0;
			s->nRun += (uint64_t)n;
			return n;
		}
	}
	s->bRunning = 0;
	s->nRun += (uint64_t)n;
	/* stopped by nMax: the clock may only move to t if nothing earlier than t is left */
	if (eng_queue_peek(s->q, &ev) != 0 || ev.t >= t) s->now = t;
	return n;
}

int64_t eng_sim_run_until(eng_sim *s, eng_time_t t) { return run_loop(s, t, -1); }
int64_t eng_sim_run_steps(eng_sim *s, eng_time_t t, int64_t nMax) { return run_loop(s, t, nMax); }

int eng_sim_rewind(eng_sim *s, eng_time_t t) {
	if (s->bRunning) return KY_ESTATE;
	int rc = eng_queue_clear(s->q);
	if (rc == KY_OK) s->now = t;
	return rc;
}

int eng_sim_running(const eng_sim *s) { return s->bRunning; }

int64_t eng_sim_advance_to(eng_sim *s, eng_time_t t) { return eng_sim_run_until(s, t); }
void eng_sim_pause(eng_sim *s) { s->bPauseReq = 1; }
int eng_sim_paused(const eng_sim *s) { return s->bPaused; }
eng_time_t eng_sim_now(const eng_sim *s) { return s->now; }
uint64_t eng_sim_seed(const eng_sim *s) { return s->seed; }
uint64_t eng_sim_events_run(const eng_sim *s) { return s->nRun; }
size_t eng_sim_pending(const eng_sim *s) { return eng_queue_size(s->q); }
uint64_t eng_sim_trace_digest(const eng_sim *s) { return s->digest; }
void eng_sim_stream(const eng_sim *s, const char *zPurpose, eng_rng *pRng) {
	eng_rng_seed_named(pRng, s->seed, zPurpose);
}
