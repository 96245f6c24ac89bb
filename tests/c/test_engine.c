/* The engine's suite: the event queue against a reference, cancel, errors, determinism of traces and
 * random streams, pause and paced steps. (test_engine_basic.c holds the first smoke tests.) */
#include "tests/c/ky_test.h"

#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/queue.h"
#include "engine/rng.h"
#include "engine/sim.h"

/* ---- a simple reference queue: a binary heap of (t, id) with lazy deletion and a state per id ---- */

enum { REF_NONE, REF_PENDING, REF_CANCELLED, REF_FIRED };

typedef struct ref_ev { int64_t t; uint64_t id; uint32_t kind, a; uint64_t b; } ref_ev;

typedef struct ref_q {
	ref_ev *aHeap;
	size_t nHeap, nHeapCap;
	unsigned char *aState;   /* by id */
	size_t nStateCap;
	uint64_t nextId;
	size_t nLive;
	int64_t lastPop;
} ref_q;

static int ref_less(const ref_ev *x, const ref_ev *y) {
	return x->t < y->t || (x->t == y->t && x->id < y->id);
}

static void ref_init(ref_q *r) {
	memset(r, 0, sizeof *r);
	r->nextId = 1;
	r->lastPop = INT64_MIN;
}

static void ref_free(ref_q *r) {
	free(r->aHeap);
	free(r->aState);
}

static int ref_push(ref_q *r, int64_t t, uint32_t kind, uint32_t a, uint64_t b, uint64_t *pId) {
	size_t i;
	ref_ev e;
	if (t < r->lastPop) return KY_EPAST;
	if (r->nHeap == r->nHeapCap) {
		r->nHeapCap = r->nHeapCap ? 2 * r->nHeapCap : 1024;
		r->aHeap = realloc(r->aHeap, r->nHeapCap * sizeof *r->aHeap);
	}
	if (r->nextId >= r->nStateCap) {
		size_t old = r->nStateCap;
		r->nStateCap = r->nStateCap ? 2 * r->nStateCap : 1024;
		r->aState = realloc(r->aState, r->nStateCap);
		memset(r->aState + old, REF_NONE, r->nStateCap - old);
	}
	if (!r->aHeap || !r->aState) abort();
	e = (ref_ev){ t, r->nextId++, kind, a, b };
	r->aState[e.id] = REF_PENDING;
	for (i = r->nHeap++; i > 0 && ref_less(&e, &r->aHeap[(i - 1) / 2]); i = (i - 1) / 2) r->aHeap[i] = r->aHeap[(i - 1) / 2];
	r->aHeap[i] = e;
	r->nLive++;
	*pId = e.id;
	return 0;
}

static void ref_remove_top(ref_q *r) {
	ref_ev e = r->aHeap[--r->nHeap];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= r->nHeap) break;
		if (c + 1 < r->nHeap && ref_less(&r->aHeap[c + 1], &r->aHeap[c])) c++;
		if (!ref_less(&r->aHeap[c], &e)) break;
		r->aHeap[i] = r->aHeap[c];
		i = c;
	}
	if (r->nHeap) r->aHeap[i] = e;
}

static int ref_pop(ref_q *r, ref_ev *pOut) {
	while (r->nHeap && r->aState[r->aHeap[0].id] != REF_PENDING) ref_remove_top(r);
	if (!r->nHeap) return KY_ENOENT;
	*pOut = r->aHeap[0];
	ref_remove_top(r);
	r->aState[pOut->id] = REF_FIRED;
	r->lastPop = pOut->t;
	r->nLive--;
	return 0;
}

static int ref_cancel(ref_q *r, uint64_t id) {
	if (id == 0 || id >= r->nextId) return KY_ENOENT;
	if (r->aState[id] != REF_PENDING) return KY_ESTATE;
	r->aState[id] = REF_CANCELLED;
	r->nLive--;
	return 0;
}

/* ---- the queue ---- */

TEST(queue_pops_equal_times_in_push_order_even_when_pushed_after_popping_started) {
	eng_queue *q = eng_queue_new();
	eng_event ev;
	eng_event_id id;
	ASSERT_TRUE(q != NULL);
	/* 3000 events on 7 distinct times, interleaved */
	for (uint32_t i = 0; i < 3000; i++) ASSERT_EQ_INT(eng_queue_push(q, (i * 5) % 7 * 100, 0, i, 0, &id), 0);
	ASSERT_EQ_INT(eng_queue_pop(q, &ev), 0);
	ASSERT_EQ_INT(ev.t, 0);
	ASSERT_EQ_INT(ev.a, 0);
	/* more events at times already in the front (0 and 100) and later ones */
	for (uint32_t i = 3000; i < 3100; i++) ASSERT_EQ_INT(eng_queue_push(q, (i % 3) * 100, 0, i, 0, &id), 0);
	int64_t tPrev = -1;
	uint64_t idPrev = 0;
	size_t n = 1;
	while (eng_queue_pop(q, &ev) == 0) {
		ASSERT_TRUE(ev.t > tPrev || (ev.t == tPrev && ev.id > idPrev));
		ASSERT_EQ_U64(ev.id, (uint64_t)ev.a + 1);
		tPrev = ev.t;
		idPrev = ev.id;
		n++;
	}
	ASSERT_EQ_INT(n, 3100);
	ASSERT_EQ_INT(eng_queue_size(q), 0);
	eng_queue_free(q);
}

TEST(queue_same_time_burst_of_200k_pops_in_fifo_order) {
	eng_queue *q = eng_queue_new();
	eng_event ev;
	for (uint32_t i = 0; i < 200000; i++) ASSERT_EQ_INT(eng_queue_push(q, 5000, 0, i, i, NULL), 0);
	for (uint32_t i = 0; i < 200000; i++) {
		ASSERT_EQ_INT(eng_queue_pop(q, &ev), 0);
		ASSERT_EQ_INT(ev.a, i);
		if (i % 1000 == 0) ASSERT_EQ_INT(eng_queue_push(q, 5000, 0, 200000 + i / 1000, 0, NULL), 0);
	}
	for (uint32_t i = 0; i < 200; i++) {
		ASSERT_EQ_INT(eng_queue_pop(q, &ev), 0);
		ASSERT_EQ_INT(ev.a, 200000 + i);
	}
	ASSERT_EQ_INT(eng_queue_pop(q, &ev), KY_ENOENT);
	eng_queue_free(q);
}

TEST(queue_handles_extreme_times_without_overflow) {
	eng_queue *q = eng_queue_new();
	eng_event ev;
	int64_t aT[] = { ENG_TIME_MAX, 0, ENG_TIME_MAX - 1, 1, INT64_MAX / 2, ENG_TIME_MAX, 3 };
	for (int i = 0; i < 7; i++) ASSERT_EQ_INT(eng_queue_push(q, aT[i], 0, (uint32_t)i, 0, NULL), 0);
	int aWant[] = { 1, 3, 6, 4, 2, 0, 5 };
	for (int i = 0; i < 7; i++) {
		ASSERT_EQ_INT(eng_queue_pop(q, &ev), 0);
		ASSERT_EQ_INT(ev.a, aWant[i]);
	}
	ASSERT_EQ_INT(eng_queue_push(q, ENG_TIME_MAX, 0, 9, 0, NULL), 0);
	ASSERT_EQ_INT(eng_queue_pop(q, &ev), 0);
	ASSERT_EQ_INT(ev.a, 9);
	eng_queue_free(q);
}

TEST(queue_cancel_before_the_time_removes_and_after_firing_is_estate) {
	eng_queue *q = eng_queue_new();
	eng_event ev;
	eng_event_id a, b, c;
	ASSERT_EQ_INT(eng_queue_push(q, 10, 1, 0, 0, &a), 0);
	ASSERT_EQ_INT(eng_queue_push(q, 20, 2, 0, 0, &b), 0);
	ASSERT_EQ_INT(eng_queue_push(q, 30, 3, 0, 0, &c), 0);
	ASSERT_EQ_INT(eng_queue_cancel(q, b), 0);
	ASSERT_EQ_INT(eng_queue_size(q), 2);
	ASSERT_EQ_INT(eng_queue_cancel(q, b), KY_ESTATE);
	ASSERT_EQ_INT(eng_queue_pop(q, &ev), 0);
	ASSERT_EQ_U64(ev.id, a);
	ASSERT_EQ_INT(eng_queue_cancel(q, a), KY_ESTATE);
	ASSERT_EQ_INT(eng_queue_peek(q, &ev), 0);
	ASSERT_EQ_U64(ev.id, c);
	ASSERT_EQ_INT(ev.kind, 3);
	ASSERT_EQ_INT(eng_queue_cancel(q, 0), KY_ENOENT);
	ASSERT_EQ_INT(eng_queue_cancel(q, c + 1), KY_ENOENT);
	ASSERT_EQ_INT(eng_queue_cancel(q, UINT64_MAX), KY_ENOENT);
	ASSERT_EQ_INT(eng_queue_cancel(q, c), 0);
	ASSERT_EQ_INT(eng_queue_pop(q, &ev), KY_ENOENT);
	ASSERT_EQ_INT(eng_queue_peek(q, &ev), KY_ENOENT);
	ASSERT_EQ_INT(eng_queue_size(q), 0);
	eng_queue_free(q);
}

TEST(queue_rejects_the_past_and_oversized_kinds_and_stays_unchanged) {
	eng_queue *q = eng_queue_new();
	eng_event ev;
	eng_event_id id = 77;
	ASSERT_EQ_INT(eng_queue_push(q, 100, 0, 1, 0, NULL), 0);
	ASSERT_EQ_INT(eng_queue_push(q, 200, 0, 2, 0, NULL), 0);
	ASSERT_EQ_INT(eng_queue_pop(q, &ev), 0);
	ASSERT_EQ_INT(eng_queue_push(q, 99, 0, 3, 0, &id), KY_EPAST);
	ASSERT_EQ_INT(eng_queue_push(q, INT64_MIN, 0, 3, 0, &id), KY_EPAST);
	ASSERT_EQ_INT(eng_queue_push(q, 150, 65536, 3, 0, &id), KY_EINVAL);
	ASSERT_EQ_U64(id, 77);
	ASSERT_EQ_INT(eng_queue_size(q), 1);
	ASSERT_EQ_INT(eng_queue_push(q, 100, 65535, 4, 0, &id), 0);
	ASSERT_EQ_U64(id, 3);
	ASSERT_EQ_INT(eng_queue_pop(q, &ev), 0);
	ASSERT_EQ_INT(ev.a, 4);
	ASSERT_EQ_INT(ev.kind, 65535);
	eng_queue_free(q);
}

TEST(queue_mass_cancel_frees_memory_and_keeps_the_rest_in_order) {
	eng_queue *q = eng_queue_new();
	eng_event ev;
	eng_event_id aId[60000];
	size_t bytesFull;
	for (uint32_t i = 0; i < 60000; i++) ASSERT_EQ_INT(eng_queue_push(q, (i * 7919) % 100000, 0, i, 0, &aId[i]), 0);
	ASSERT_EQ_INT(eng_queue_pop(q, &ev), 0);
	bytesFull = eng_queue_bytes(q);
	for (uint32_t i = 0; i < 60000; i++) {
		if (i % 10 != 0 && aId[i] != ev.id) ASSERT_EQ_INT(eng_queue_cancel(q, aId[i]), 0);
	}
	ASSERT_EQ_INT(eng_queue_size(q), 5999);
	/* the purged records went back to the pool: pushing as many again must not grow the queue */
	for (uint32_t i = 0; i < 50000; i++) ASSERT_EQ_INT(eng_queue_push(q, 200000 + i, 0, 0, 0, NULL), 0);
	ASSERT_LE(eng_queue_bytes(q), bytesFull * 1.02);
	int64_t tPrev = -1;
	size_t n = 0;
	while (eng_queue_pop(q, &ev) == 0) {
		ASSERT_TRUE(ev.t >= tPrev);
		if (ev.t < 200000) ASSERT_EQ_INT(ev.a % 10, 0);
		tPrev = ev.t;
		n++;
	}
	ASSERT_EQ_INT(n, 5999 + 50000);
	eng_queue_free(q);
}

static int64_t rand_time(eng_rng *r, int64_t now, int phase) {
	uint64_t u = eng_rng_below(r, 100);
	if (u < 10) return now;                                         /* same time as now: ties */
	if (u < 20) return now + (int64_t)eng_rng_below(r, 4);          /* near ties */
	if (u < 22) return now + (int64_t)eng_rng_below(r, 1u << 30) * 1000;   /* far future */
	if (phase == 1) return now + (int64_t)eng_rng_below(r, 1000);   /* dense */
	return now + (int64_t)eng_rng_exp(r, 1e6);
}

/* Drives the queue and the reference with the same random operations and compares every result. */
TEST(queue_matches_a_reference_over_a_million_random_operations) {
	eng_queue *q = eng_queue_new();
	ref_q ref;
	eng_rng r;
	int64_t now = 0;
	uint64_t nPop = 0, nCancelOk = 0, nPast = 0;
	ref_init(&ref);
	eng_rng_seed_named(&r, 42, "test.queue.random");
	for (uint32_t op = 0; op < 1000000; op++) {
		int phase = (op / 50000) % 4;  /* 0 grow, 1 dense, 2 cancel-heavy, 3 drain */
		uint64_t u = eng_rng_below(&r, 100);
		uint64_t pushW = phase == 3 ? 30 : 55, cancelW = phase == 2 ? 40 : 10;
		if (u < pushW) {
			int64_t t = rand_time(&r, now, phase);
			uint32_t kind = (uint32_t)eng_rng_below(&r, 65536), a = (uint32_t)eng_rng_u64(&r);
			uint64_t b = eng_rng_u64(&r), idQ = 0, idR = 0;
			if (eng_rng_below(&r, 200) == 0 && now > 0) {
				t = now - 1 - (int64_t)eng_rng_below(&r, 10);
				nPast++;
			}
			int rcQ = eng_queue_push(q, t, kind, a, b, &idQ), rcR = ref_push(&ref, t, kind, a, b, &idR);
			ASSERT_EQ_INT(rcQ, rcR);
			if (rcR == 0) ASSERT_EQ_U64(idQ, idR);
		} else if (u < pushW + cancelW) {
			uint64_t id;
			uint64_t v = eng_rng_below(&r, 20);
			if (v == 0) id = ref.nextId + eng_rng_below(&r, 3);            /* unknown */
			else if (v < 4 || ref.nextId < 64) id = eng_rng_below(&r, ref.nextId); /* any issued (or 0) */
			else id = ref.nextId - 1 - eng_rng_below(&r, 64);             /* recent: often pending */
			int rc = eng_queue_cancel(q, id);
			ASSERT_EQ_INT(rc, ref_cancel(&ref, id));
			if (rc == 0) nCancelOk++;
		} else {
			eng_event ev;
			ref_ev want;
			int rcR = ref_pop(&ref, &want);
			if (eng_rng_below(&r, 4) == 0) {
				int rcPeek = eng_queue_peek(q, &ev);
				ASSERT_EQ_INT(rcPeek, rcR);
				if (rcR == 0) ASSERT_EQ_U64(ev.id, want.id);
			}
			int rcQ = eng_queue_pop(q, &ev);
			ASSERT_EQ_INT(rcQ, rcR);
			if (rcR == 0) {
				ASSERT_EQ_U64(ev.id, want.id);
				ASSERT_EQ_INT(ev.t, want.t);
				ASSERT_EQ_INT(ev.kind, want.kind);
				ASSERT_EQ_INT(ev.a, want.a);
				ASSERT_EQ_U64(ev.b, want.b);
				now = ev.t;
				nPop++;
			}
		}
		if (op % 1024 == 0) ASSERT_EQ_INT(eng_queue_size(q), ref.nLive);
	}
	ASSERT_EQ_INT(eng_queue_size(q), ref.nLive);
	/* everything left comes out in the reference's order */
	for (;;) {
		eng_event ev;
		ref_ev want;
		int rcR = ref_pop(&ref, &want);
		ASSERT_EQ_INT(eng_queue_pop(q, &ev), rcR);
		if (rcR) break;
		ASSERT_EQ_U64(ev.id, want.id);
	}
	/* the run exercised what it meant to */
	ASSERT_LT(100000, nPop);
	ASSERT_LT(10000, nCancelOk);
	ASSERT_LT(100, nPast);
	ref_free(&ref);
	eng_queue_free(q);
}

/* Few pending events, but some of them live for the whole run while millions of short ones come and go:
 * the pending-id bookkeeping must stay small and still answer cancel exactly (checked against the
 * reference). */
static void run_long_lived(uint32_t farEvery, int farMax, uint32_t cancelEvery, int bCheckBytes) {
	eng_queue *q = eng_queue_new();
	ref_q ref;
	eng_rng r;
	uint64_t aFar[4096], idQ, idR;
	int nFar = 0, nFarCancelled = 0;
	size_t bytesMax = 0;
	ref_init(&ref);
	eng_rng_seed_named(&r, 9, "test.queue.stragglers");
	for (int i = 0; i < 20; i++) {
		ASSERT_EQ_INT(eng_queue_push(q, (int64_t)i, 0, 0, 0, &idQ), 0);
		ASSERT_EQ_INT(ref_push(&ref, (int64_t)i, 0, 0, 0, &idR), 0);
	}
	for (uint32_t op = 0; op < 1500000; op++) {
		eng_event ev;
		ref_ev want;
		int rcR = ref_pop(&ref, &want);
		ASSERT_EQ_INT(eng_queue_pop(q, &ev), rcR);
		ASSERT_EQ_INT(rcR, 0);
		ASSERT_EQ_U64(ev.id, want.id);
		int64_t t = ev.t + 1 + (int64_t)eng_rng_below(&r, 1000);
		if (op % farEvery == 0 && nFar < farMax) t = ENG_S(1e6) + (int64_t)eng_rng_below(&r, 1000000); /* lives on */
		ASSERT_EQ_INT(eng_queue_push(q, t, 1, op, 0, &idQ), 0);
		ASSERT_EQ_INT(ref_push(&ref, t, 1, op, 0, &idR), 0);
		ASSERT_EQ_U64(idQ, idR);
		if (t >= ENG_S(1e6)) {
			aFar[nFar++] = idQ;
			ASSERT_EQ_INT(eng_queue_push(q, ev.t + 1, 1, op, 0, &idQ), 0);  /* keep the short ones going */
			ASSERT_EQ_INT(ref_push(&ref, ev.t + 1, 1, op, 0, &idR), 0);
		}
		if (op % cancelEvery == 0 && nFar > 0) {   /* cancel an old one (or find it already cancelled) */
			uint64_t id = aFar[eng_rng_below(&r, (uint64_t)nFar)];
			int rc = eng_queue_cancel(q, id);
			ASSERT_EQ_INT(rc, ref_cancel(&ref, id));
			nFarCancelled += rc == 0;
		}
		if (op % 1000 == 0) {
			uint64_t id = ref.nextId - 1 - eng_rng_below(&r, 5000);   /* mostly fired: ESTATE */
			ASSERT_EQ_INT(eng_queue_cancel(q, id), ref_cancel(&ref, id));
		}
		if (op == 300000) bytesMax = eng_queue_bytes(q);
	}
	ASSERT_LT(100, nFarCancelled);
	ASSERT_EQ_INT(eng_queue_size(q), ref.nLive);
	if (bCheckBytes) {
		/* without the straggler set the bitmap alone would hold one bit per id issued: ~190 KB here */
		ASSERT_LT(eng_queue_bytes(q), 96 * 1024);
		ASSERT_LE(eng_queue_bytes(q), bytesMax + 16 * 1024);
	}
	for (;;) {
		eng_event ev;
		ref_ev want;
		int rcR = ref_pop(&ref, &want);
		ASSERT_EQ_INT(eng_queue_pop(q, &ev), rcR);
		if (rcR) break;
		ASSERT_EQ_U64(ev.id, want.id);
	}
	ref_free(&ref);
	eng_queue_free(q);
}

TEST(queue_long_lived_events_keep_memory_bounded_and_match_the_reference) {
	run_long_lived(5000, 256, 7919, 1);
}

TEST(queue_thousands_of_long_lived_events_cancelled_at_random_match_the_reference) {
	run_long_lived(300, 4096, 97, 0);
}

TEST(queue_memory_per_pending_event_stays_under_40_bytes_on_phold) {
	eng_queue *q = eng_queue_new();
	eng_rng r;
	eng_event ev;
	eng_rng_seed(&r, 7, 1);
	for (uint32_t i = 0; i < 100000; i++) ASSERT_EQ_INT(eng_queue_push(q, (int64_t)eng_rng_exp(&r, 1e6), 0, i, 0, NULL), 0);
	for (uint32_t i = 0; i < 300000; i++) {
		ASSERT_EQ_INT(eng_queue_pop(q, &ev), 0);
		ASSERT_EQ_INT(eng_queue_push(q, ev.t + (int64_t)eng_rng_exp(&r, 1e6), 0, 0, 0, NULL), 0);
	}
	ASSERT_EQ_INT(eng_queue_size(q), 100000);
	ASSERT_LE((double)eng_queue_bytes(q) / 100000, 40.0);
	eng_queue_free(q);
}

#if !defined(__SANITIZE_ADDRESS__)
/* In a child under an address-space limit: push until the queue cannot grow; it must say KY_ENOMEM, keep
 * every event pushed before, and still pop them all in order (its front then cannot grow either). */
static int enomem_child(void) {
	struct rlimit rl;
	long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f || fscanf(f, "%ld", &pages) != 1) return 10;
	fclose(f);
	rl.rlim_cur = rl.rlim_max = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + (24u << 20);
	if (setrlimit(RLIMIT_AS, &rl) != 0) return 11;
	eng_queue *q = eng_queue_new();
	eng_event ev;
	int rc = 0;
	uint32_t n = 0;
	if (!q) return 12;
	while (n < 50000000 && (rc = eng_queue_push(q, 1000 + (n % 3), 0, n, 0, NULL)) == 0) n++;
	if (rc != KY_ENOMEM) return 13;
	if (eng_queue_size(q) != n) return 14;
	for (uint32_t k = 0; k < 3; k++) {
		for (uint32_t i = k; i < n; i += 3) {
			if (eng_queue_pop(q, &ev) != 0) return 15;
			if (ev.a != i || ev.t != 1000 + k) return 16;
		}
	}
	if (eng_queue_pop(q, &ev) != KY_ENOENT) return 17;
	eng_queue_free(q);
	return 0;
}
#endif

TEST(queue_out_of_memory_is_enomem_and_leaves_the_queue_intact) {
#if defined(__SANITIZE_ADDRESS__)
	/* AddressSanitizer reserves terabytes of shadow memory, so an address-space limit cannot be used. */
	return;
#else
	int status = 0;
	pid_t pid;
	fflush(stdout);
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (pid == 0) _exit(enomem_child());
	ASSERT_EQ_INT(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ_INT(WEXITSTATUS(status), 0);
#endif
}

/* ---- the simulator ---- */

typedef struct model {
	uint32_t kTick, kNoise;
	eng_rng rngTick, rngNoise;
	uint64_t nTick;
	int64_t pauseAt;   /* pause after this many events (-1: never) */
	uint64_t nSeen;
} model;

/* Each tick reschedules itself after a random delay and sometimes schedules noise at the same time. */
static void on_tick(eng_sim *s, void *pCtx, const eng_event *ev) {
	model *m = pCtx;
	m->nTick++;
	if (++m->nSeen == (uint64_t)m->pauseAt) eng_sim_pause(s);
	eng_sim_after(s, 1 + (eng_time_t)eng_rng_below(&m->rngTick, 5000000), m->kTick, ev->a, ev->b + 1, NULL);
	if (eng_rng_chance(&m->rngTick, 0.3)) eng_sim_after(s, 0, m->kNoise, ev->a, eng_rng_u64(&m->rngTick), NULL);
}

static void on_noise(eng_sim *s, void *pCtx, const eng_event *ev) {
	model *m = pCtx;
	(void)s;
	(void)ev;
	if (++m->nSeen == (uint64_t)m->pauseAt) eng_sim_pause(s);
}

static eng_sim *model_new(uint64_t seed, model *m) {
	eng_sim *s = eng_sim_new(seed);
	memset(m, 0, sizeof *m);
	m->pauseAt = -1;
	if (!s) return NULL;
	eng_sim_register(s, "tick", on_tick, m, &m->kTick);
	eng_sim_register(s, "noise", on_noise, m, &m->kNoise);
	eng_sim_stream(s, "test.tick", &m->rngTick);
	eng_sim_stream(s, "test.noise", &m->rngNoise);
	for (uint32_t i = 0; i < 200; i++) eng_sim_schedule(s, eng_rng_below(&m->rngTick, 1000000), m->kTick, i, 0, NULL);
	return s;
}

static uint64_t model_digest(uint64_t seed, int64_t *pEvents) {
	model m;
	eng_sim *s = model_new(seed, &m);
	eng_sim_run_until(s, ENG_S(600));
	uint64_t d = eng_sim_trace_digest(s);
	*pEvents = (int64_t)eng_sim_events_run(s);
	eng_sim_free(s);
	return d;
}

TEST(same_seed_gives_same_trace_digest_and_another_seed_a_different_one) {
	int64_t n1, n2, n3;
	uint64_t d1 = model_digest(11, &n1), d2 = model_digest(11, &n2), d3 = model_digest(12, &n3);
	ASSERT_EQ_U64(d1, d2);
	ASSERT_EQ_INT(n1, n2);
	ASSERT_LT(10000, n1);
	ASSERT_TRUE(d1 != d3);
}

TEST(random_streams_are_independent_of_draws_on_other_streams) {
	eng_rng a1, a2, b;
	uint64_t aPlain[1000];
	eng_rng_seed_named(&a1, 5, "fleet.checkin");
	for (int i = 0; i < 1000; i++) aPlain[i] = eng_rng_u64(&a1);
	eng_rng_seed_named(&a2, 5, "fleet.checkin");
	eng_rng_seed_named(&b, 5, "attack.spread");
	for (int i = 0; i < 1000; i++) {
		for (int k = 0; k < i % 7; k++) eng_rng_u64(&b);   /* extra draws elsewhere */
		ASSERT_EQ_U64(eng_rng_u64(&a2), aPlain[i]);
	}
	/* different names or seeds give different sequences */
	eng_rng_seed_named(&b, 5, "attack.spread");
	eng_rng_seed_named(&a2, 6, "fleet.checkin");
	int nSameB = 0, nSameSeed = 0;
	for (int i = 0; i < 1000; i++) {
		nSameB += eng_rng_u64(&b) == aPlain[i];
		nSameSeed += eng_rng_u64(&a2) == aPlain[i];
	}
	ASSERT_EQ_INT(nSameB, 0);
	ASSERT_EQ_INT(nSameSeed, 0);
	/* the sim's stream is the named stream under the sim's seed */
	eng_sim *s = eng_sim_new(5);
	eng_sim_stream(s, "fleet.checkin", &a2);
	ASSERT_EQ_U64(eng_rng_u64(&a2), aPlain[0]);
	eng_sim_free(s);
}

TEST(rng_below_and_exp_stay_in_range_with_the_right_mean) {
	eng_rng r;
	double sum = 0;
	eng_rng_seed(&r, 3, 3);
	for (int i = 0; i < 100000; i++) {
		uint64_t v = eng_rng_below(&r, 7);
		ASSERT_LT(v, 7);
		double e = eng_rng_exp(&r, 2.0);
		ASSERT_LE(0, e);
		sum += e;
		double u = eng_rng_double(&r);
		ASSERT_LE(0, u);
		ASSERT_LT(u, 1);
	}
	ASSERT_NEAR(sum / 100000, 2.0, 0.05);
	ASSERT_EQ_INT(eng_rng_chance(&r, 0), 0);
	ASSERT_EQ_INT(eng_rng_chance(&r, 1), 1);
}

TEST(pause_inside_a_handler_stops_after_that_event_and_resuming_gives_the_same_trace) {
	model m;
	int64_t nFull;
	uint64_t dFull = model_digest(21, &nFull);
	eng_sim *s = model_new(21, &m);
	m.pauseAt = 1000;
	int64_t n = eng_sim_run_until(s, ENG_S(600));
	ASSERT_EQ_INT(n, 1000);
	ASSERT_TRUE(eng_sim_paused(s));
	ASSERT_LT(eng_sim_now(s), ENG_S(600));
	eng_time_t tPaused = eng_sim_now(s);
	/* now is the time of the 1000th event: nothing earlier is left pending */
	ASSERT_LE(tPaused, ENG_S(600));
	m.pauseAt = 5000;
	n = eng_sim_run_until(s, ENG_S(600));
	ASSERT_EQ_INT(n, 4000);
	ASSERT_LE(tPaused, eng_sim_now(s));
	n = eng_sim_run_until(s, ENG_S(600));
	ASSERT_FALSE(eng_sim_paused(s));
	ASSERT_EQ_INT(eng_sim_now(s), ENG_S(600));
	ASSERT_EQ_INT((int64_t)eng_sim_events_run(s), nFull);
	ASSERT_EQ_U64(eng_sim_trace_digest(s), dFull);
	eng_sim_free(s);
}

TEST(advance_to_in_paced_steps_gives_the_same_trace_as_one_run_until) {
	model m;
	int64_t nFull, total = 0;
	uint64_t dFull = model_digest(31, &nFull);
	eng_sim *s = model_new(31, &m);
	for (eng_time_t t = 0; t <= ENG_S(600); t += 333333) {
		int64_t n = eng_sim_advance_to(s, t);
		ASSERT_LE(0, n);
		total += n;
		ASSERT_EQ_INT(eng_sim_now(s), t);
	}
	total += eng_sim_advance_to(s, ENG_S(600));
	ASSERT_EQ_INT(total, nFull);
	ASSERT_EQ_U64(eng_sim_trace_digest(s), dFull);
	eng_sim_free(s);
}

static int aOrder[8];
static int nOrder;
static eng_event_id idVictim;

static void rec_and_cancel(eng_sim *s, void *pCtx, const eng_event *ev) {
	(void)pCtx;
	aOrder[nOrder++] = (int)ev->a;
	if (ev->a == 1) {
		ASSERT_EQ_INT(eng_sim_cancel(s, idVictim), 0);      /* later event, same time: cancelled in time */
		ASSERT_EQ_INT(eng_sim_cancel(s, ev->id), KY_ESTATE);/* the running one has fired */
	}
}

TEST(sim_cancel_from_a_handler_before_the_time_and_after_firing) {
	eng_sim *s = eng_sim_new(1);
	uint32_t k;
	eng_event_id idFirst;
	nOrder = 0;
	ASSERT_EQ_INT(eng_sim_register(s, "rec", rec_and_cancel, NULL, &k), 0);
	ASSERT_EQ_INT(eng_sim_schedule(s, 50, k, 1, 0, &idFirst), 0);
	ASSERT_EQ_INT(eng_sim_schedule(s, 50, k, 2, 0, &idVictim), 0);
	ASSERT_EQ_INT(eng_sim_schedule(s, 60, k, 3, 0, NULL), 0);
	ASSERT_EQ_INT(eng_sim_run_until(s, 100), 2);
	ASSERT_EQ_INT(nOrder, 2);
	ASSERT_EQ_INT(aOrder[0], 1);
	ASSERT_EQ_INT(aOrder[1], 3);
	ASSERT_EQ_INT(eng_sim_cancel(s, idFirst), KY_ESTATE);
	ASSERT_EQ_INT(eng_sim_cancel(s, idVictim), KY_ESTATE);
	ASSERT_EQ_INT(eng_sim_cancel(s, 999), KY_ENOENT);
	ASSERT_EQ_INT(eng_sim_pending(s), 0);
	eng_sim_free(s);
}

static eng_sim *pNested;
static int64_t rcNested;

static void try_nested_run(eng_sim *s, void *pCtx, const eng_event *ev) {
	(void)pCtx;
	(void)ev;
	pNested = s;
	rcNested = eng_sim_run_until(s, 1000);
}

static void noop(eng_sim *s, void *pCtx, const eng_event *ev) {
	(void)s;
	(void)pCtx;
	(void)ev;
}

TEST(sim_bad_input_is_an_error_never_a_crash) {
	eng_sim *s = eng_sim_new(1);
	uint32_t k, kNest;
	ASSERT_EQ_INT(eng_sim_register(s, "noop", noop, NULL, &k), 0);
	ASSERT_EQ_INT(eng_sim_register(s, "nest", try_nested_run, NULL, &kNest), 0);
	ASSERT_EQ_INT(eng_sim_register(s, "nofn", NULL, NULL, &k), KY_EINVAL);
	ASSERT_EQ_INT(eng_sim_register(s, "nokind", noop, NULL, NULL), KY_EINVAL);
	ASSERT_EQ_INT(eng_sim_schedule(s, 10, 99, 0, 0, NULL), KY_ENOENT);
	ASSERT_EQ_INT(eng_sim_schedule(s, -1, k, 0, 0, NULL), KY_EPAST);
	ASSERT_EQ_INT(eng_sim_after(s, -5, k, 0, 0, NULL), KY_EPAST);
	ASSERT_EQ_INT(eng_sim_schedule(s, 10, kNest, 0, 0, NULL), 0);
	ASSERT_EQ_INT(eng_sim_run_until(s, 100), 1);
	ASSERT_EQ_INT(rcNested, KY_ESTATE);
	ASSERT_EQ_INT(eng_sim_run_until(s, 50), KY_EPAST);
	ASSERT_EQ_INT(eng_sim_schedule(s, 99, k, 0, 0, NULL), KY_EPAST);
	ASSERT_EQ_INT(eng_sim_after(s, ENG_TIME_MAX, k, 0, 0, NULL), KY_EINVAL);
	ASSERT_EQ_INT(eng_sim_schedule(s, ENG_TIME_MAX, k, 0, 0, NULL), 0);
	ASSERT_EQ_INT(eng_sim_run_until(s, ENG_TIME_MAX), 1);
	ASSERT_EQ_STR(eng_sim_kind_name(s, k), "noop");
	ASSERT_EQ_STR(eng_sim_kind_name(s, 12345), "?");
	for (int i = 2; i < 256; i++) ASSERT_EQ_INT(eng_sim_register(s, "more", noop, NULL, &k), 0);
	ASSERT_EQ_INT(eng_sim_register(s, "one too many", noop, NULL, &k), KY_ELIMIT);
	eng_sim_free(s);
	eng_sim_free(NULL);
	eng_queue_free(NULL);
}
