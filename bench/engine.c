/* bench/engine: PHOLD on kyodo's engine, side by side with ns-3's simulator core in the same run.
 *
 * PHOLD: nLP logical processes (pending / 8) hold `pending` events in flight; each event, when it runs,
 * counts itself at its process and schedules one new event at now + an exponential delay (mean 1 s, in
 * whole microseconds) to a uniformly random process. Population is not timed; then `events` events are
 * run and timed. Both sides draw from the same xoshiro256** stream, so they run the same delays.
 * Memory: heap bytes in use (mallinfo2) with the events pending, minus the bytes before populating,
 * divided by the pending events.
 * Prints one JSON line per (size, metric), as DEVELOPERS.md / PLAN.md say, then a human summary that
 * also shows each ns-3 scheduler and our queue against a plain 4-ary heap on the same workload.
 * Usage: build/bench/engine [--quick]   (--quick: a tenth of the events, for development) */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/ns3_phold.h"
#include "engine/queue.h"
#include "engine/rng.h"
#include "engine/sim.h"

#define PH_MEAN_US 1000000.0
#define PH_SEED 20261128u
#define PH_NS3_BUDGET_S 3.0      /* CPU seconds at most to run, per ns-3 run */
#define PH_NS3_POP_BUDGET_S 10.0 /* and to schedule the initial events (its calendar scheduler crawls at 1M) */
#define PH_RUNS_OURS 3        /* best of, for ours */
#define PH_RUNS_NS3 2         /* best of, for each ns-3 scheduler */

typedef struct ph_size {
	const char *zName;   /* "1k" */
	uint32_t nPending;
	uint64_t nEvents;    /* events timed in one run of ours */
	uint64_t nEventsNs3; /* events timed in one ns-3 run (it is 5-20x slower) */
} ph_size;

typedef struct ph_result {
	double eventsPerS, bytesPerEvent;
	uint64_t digest;
} ph_result;

static const char *azNs3[] = { "ns3::MapScheduler", "ns3::HeapScheduler", "ns3::CalendarScheduler" };
#define N_NS3 3

/* CPU time of the process: the machine is shared, so wall time would measure the neighbours too. */
static double now_s(void) {
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t heap_in_use(void) {
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static eng_time_t ph_delay(eng_rng *r) {
	return (eng_time_t)eng_rng_exp(r, PH_MEAN_US);
}

/* ---- ours: the whole engine (eng_sim: queue + dispatch + trace digest) ---- */

typedef struct ph_ctx {
	eng_rng rng;
	uint32_t nLP, kind;
	uint64_t left, digest;
	uint64_t *aCount;
} ph_ctx;

static void ph_event(eng_sim *s, void *pCtx, const eng_event *ev) {
	ph_ctx *c = pCtx;
	c->aCount[ev->a]++;
	c->digest += ev->a;
	if (--c->left == 0) eng_sim_pause(s);
	eng_time_t d = ph_delay(&c->rng);
	uint32_t to = (uint32_t)eng_rng_below(&c->rng, c->nLP);
	if (eng_sim_after(s, d, c->kind, to, 0, NULL) != 0) {
		fprintf(stderr, "engine bench: schedule failed\n");
		exit(1);
	}
}

static int run_ours(const ph_size *z, ph_result *pOut) {
	ph_ctx c = { 0 };
	eng_sim *s = eng_sim_new(PH_SEED);
	size_t before;
	double t0, t1;
	if (!s) return -1;
	c.nLP = z->nPending / 8 ? z->nPending / 8 : 1;
	c.aCount = calloc(c.nLP, sizeof *c.aCount);
	if (!c.aCount || eng_sim_register(s, "phold", ph_event, &c, &c.kind) != 0) return -1;
	{ /* the same seeding as the ns-3 side: splitmix64 from the seed */
		uint64_t x = PH_SEED;
		for (int i = 0; i < 4; i++) {
			uint64_t v = (x += 0x9e3779b97f4a7c15ULL);
			v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ULL;
			v = (v ^ (v >> 27)) * 0x94d049bb133111ebULL;
			c.rng.s[i] = v ^ (v >> 31);
		}
	}
	before = heap_in_use();
	for (uint32_t i = 0; i < z->nPending; i++) {
		if (eng_sim_schedule(s, ph_delay(&c.rng), c.kind, i % c.nLP, 0, NULL) != 0) return -1;
	}
	c.left = z->nEvents;
	t0 = now_s();
	eng_sim_run_until(s, ENG_TIME_MAX);
	t1 = now_s();
	pOut->eventsPerS = (double)(z->nEvents - c.left) / (t1 - t0);
	pOut->bytesPerEvent = (double)(heap_in_use() - before) / z->nPending;
	pOut->digest = c.digest;
	eng_sim_free(s);
	free(c.aCount);
	return 0;
}

/* ---- the queue alone, calendar (engine/queue.c) against a plain 4-ary heap, same PHOLD ---- */

typedef struct hp_queue { eng_event *a; size_t n, cap; uint64_t next; } hp_queue;

static int hp_less(const eng_event *x, const eng_event *y) {
	return x->t < y->t || (x->t == y->t && x->id < y->id);
}

static void hp_push(hp_queue *h, eng_time_t t, uint32_t a) {
	size_t i;
	eng_event e = { .t = t, .id = ++h->next, .a = a };
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 1024;
		h->a = realloc(h->a, h->cap * sizeof *h->a);
		if (!h->a) exit(1);
	}
	i = h->n++;
	while (i > 0 && hp_less(&e, &h->a[(i - 1) / 4])) {
		h->a[i] = h->a[(i - 1) / 4];
		i = (i - 1) / 4;
	}
	h->a[i] = e;
}

static eng_event hp_pop(hp_queue *h) {
	eng_event top = h->a[0], e = h->a[--h->n];
	size_t i = 0;
	for (;;) {
		size_t c = 4 * i + 1, best = c;
		if (c >= h->n) break;
		for (size_t k = c + 1; k < c + 4 && k < h->n; k++) {
			if (hp_less(&h->a[k], &h->a[best])) best = k;
		}
		if (!hp_less(&h->a[best], &e)) break;
		h->a[i] = h->a[best];
		i = best;
	}
	h->a[i] = e;
	return top;
}

/* Events/s of the bare queue on PHOLD (no sim, no handler table); bHeap picks the 4-ary heap. */
static double run_queue(const ph_size *z, int bHeap, double *pBytes) {
	eng_rng r;
	uint32_t nLP = z->nPending / 8 ? z->nPending / 8 : 1;
	eng_queue *q = eng_queue_new();
	hp_queue h = { 0 };
	eng_event ev;
	double t0, t1;
	eng_rng_seed(&r, PH_SEED, 1);
	for (uint32_t i = 0; i < z->nPending; i++) {
		if (bHeap) hp_push(&h, ph_delay(&r), i % nLP);
		else eng_queue_push(q, ph_delay(&r), 0, i % nLP, 0, NULL);
	}
	t0 = now_s();
	for (uint64_t k = 0; k < z->nEvents; k++) {
		if (bHeap) {
			ev = hp_pop(&h);
			hp_push(&h, ev.t + ph_delay(&r), (uint32_t)eng_rng_below(&r, nLP));
		} else {
			eng_queue_pop(q, &ev);
			eng_queue_push(q, ev.t + ph_delay(&r), 0, (uint32_t)eng_rng_below(&r, nLP), 0, NULL);
		}
	}
	t1 = now_s();
	*pBytes = bHeap ? (double)(h.cap * sizeof *h.a) / z->nPending : (double)eng_queue_bytes(q) / z->nPending;
	eng_queue_free(q);
	free(h.a);
	return (double)z->nEvents / (t1 - t0);
}

static void print_json(const char *zBench, const char *zMetric, double v, const char *zUnit, const char *zPeer,
                       double peer, double ratio) {
	printf("{\"bench\":\"%s\",\"metric\":\"%s\",\"value\":%.1f,\"unit\":\"%s\",\"peer\":\"%s\",\"peer_value\":%.1f,"
	       "\"ratio\":%.2f}\n",
	       zBench, zMetric, v, zUnit, zPeer, peer, ratio);
}

static const char *short_name(const char *z) {
	return z + strlen("ns3::");
}

int main(int argc, char **argv) {
	int bQuick = argc > 1 && strcmp(argv[1], "--quick") == 0;
	ph_size aSize[] = {
		{ "1k", 1000, 4000000, 1000000 },
		{ "100k", 100000, 4000000, 1000000 },
		{ "1M", 1000000, 3000000, 1000000 },
	};
	ph_result aOurs[3], aNs3[3][N_NS3];
	uint64_t aNs3Events[3][N_NS3], aCheck[3];
	uint32_t aNs3Populated[3][N_NS3];
	int nSame = 0, nDone = 0;
	double aHeap[3], aCal[3], aHeapB[3], aCalB[3];
	int aBest[3];
	for (int i = 0; i < 3; i++) {
		ph_size *z = &aSize[i];
		char zBench[64], zPeer[64];
		int best = 0, bestB = 0;
		if (bQuick) {
			z->nEvents /= 10;
			z->nEventsNs3 /= 10;
		}
		memset(&aOurs[i], 0, sizeof aOurs[i]);
		for (int n = 0; n < PH_RUNS_OURS; n++) {
			ph_result r;
			if (run_ours(z, &r) != 0) {
				fprintf(stderr, "engine bench: out of memory at %s\n", z->zName);
				return 1;
			}
			if (r.eventsPerS > aOurs[i].eventsPerS) aOurs[i] = r;
		}
		{ /* ours over exactly the ns-3 runs' event count, for the cross-check of the workloads */
			ph_size zc = *z;
			ph_result r;
			zc.nEvents = z->nEventsNs3;
			if (run_ours(&zc, &r) != 0) return 1;
			aCheck[i] = r.digest;
		}
		for (int k = 0; k < N_NS3; k++) {
			uint32_t nLP = z->nPending / 8 ? z->nPending / 8 : 1;
			memset(&aNs3[i][k], 0, sizeof aNs3[i][k]);
			for (int n = 0; n < PH_RUNS_NS3; n++) {
				ns3_phold_result r;
				if (ns3_phold_run(azNs3[k], z->nPending, nLP, PH_MEAN_US, z->nEventsNs3, PH_NS3_POP_BUDGET_S,
				                  PH_NS3_BUDGET_S, PH_SEED, &r) != 0) {
					if (aNs3[i][k].eventsPerS == 0) aNs3Populated[i][k] = r.populated;
					break;   /* could not even schedule the initial events within the budget */
				}
				aNs3Populated[i][k] = r.populated;
				if (r.events_per_s <= aNs3[i][k].eventsPerS) continue;
				aNs3Events[i][k] = r.events;
				aNs3[i][k].eventsPerS = r.events_per_s;
				aNs3[i][k].bytesPerEvent = r.bytes_per_event;
				aNs3[i][k].digest = r.digest;
			}
			if (aNs3[i][k].eventsPerS > aNs3[i][best].eventsPerS) best = k;
			if (aNs3[i][k].eventsPerS > 0 &&
			    (aNs3[i][bestB].eventsPerS == 0 || aNs3[i][k].bytesPerEvent < aNs3[i][bestB].bytesPerEvent)) {
				bestB = k;
			}
		}
		aBest[i] = best;
		snprintf(zBench, sizeof zBench, "engine.phold.%s", z->zName);
		snprintf(zPeer, sizeof zPeer, "ns-%s %s", ns3_phold_version(), short_name(azNs3[best]));
		print_json(zBench, "events_per_s", aOurs[i].eventsPerS, "1/s", zPeer, aNs3[i][best].eventsPerS,
		           aOurs[i].eventsPerS / aNs3[i][best].eventsPerS);
		snprintf(zPeer, sizeof zPeer, "ns-%s %s", ns3_phold_version(), short_name(azNs3[bestB]));
		print_json(zBench, "bytes_per_event", aOurs[i].bytesPerEvent, "B", zPeer, aNs3[i][bestB].bytesPerEvent,
		           aNs3[i][bestB].bytesPerEvent / aOurs[i].bytesPerEvent);
		fflush(stdout);
		fprintf(stderr, "engine bench: %s done\n", z->zName);
		aCal[i] = run_queue(z, 0, &aCalB[i]);
		aHeap[i] = run_queue(z, 1, &aHeapB[i]);
	}
	printf("\nPHOLD (mean delay 1 s, pending/8 processes, random destinations), events/s and heap bytes per pending event\n");
	printf("best of %d runs (ours) and %d runs (each ns-3 scheduler); CPU time of the process\n", PH_RUNS_OURS,
	       PH_RUNS_NS3);
	printf("%-8s %10s | %-22s %-22s %-22s | %6s\n", "pending", "events", "kyodo engine", "ns-3 Map", "ns-3 Heap",
	       "ratio");
	for (int i = 0; i < 3; i++) {
		printf("%-8s %10llu | %9.2fM/s %6.1f B   ", aSize[i].zName, (unsigned long long)aSize[i].nEvents,
		       aOurs[i].eventsPerS / 1e6, aOurs[i].bytesPerEvent);
		for (int k = 0; k < 2; k++) {
			if (aNs3[i][k].eventsPerS == 0) printf("%-22s ", "(gave up, see below)");
			else printf("%9.2fM/s %6.1f B   ", aNs3[i][k].eventsPerS / 1e6, aNs3[i][k].bytesPerEvent);
		}
		printf("| %5.1fx\n", aOurs[i].eventsPerS / aNs3[i][aBest[i]].eventsPerS);
	}
	printf("ns-3 Calendar:");
	for (int i = 0; i < 3; i++) {
		if (aNs3[i][2].eventsPerS == 0) printf("  %s (gave up)", aSize[i].zName);
		else printf("  %s %.2fM/s %.1f B", aSize[i].zName, aNs3[i][2].eventsPerS / 1e6, aNs3[i][2].bytesPerEvent);
	}
	printf("\n(ratio = kyodo / the fastest ns-3 scheduler at that size)\n");
	printf("\nQueue alone on the same PHOLD (no dispatch): calendar queue (engine/queue.c) vs plain 4-ary heap\n");
	for (int i = 0; i < 3; i++) {
		printf("%-8s calendar %6.2fM/s (%.1f B/event)   4-ary heap %6.2fM/s (%.1f B/event)   %.2fx\n",
		       aSize[i].zName, aCal[i] / 1e6, aCalB[i], aHeap[i] / 1e6, aHeapB[i], aCal[i] / aHeap[i]);
	}
	for (int i = 0; i < 3; i++) {
		for (int k = 0; k < N_NS3; k++) {
			if (aNs3Populated[i][k] < aSize[i].nPending) {
				printf("note: %s %s gave up: scheduling the initial events alone took over %.0f s CPU (%u of %u done)\n",
				       aSize[i].zName, azNs3[k], PH_NS3_POP_BUDGET_S, aNs3Populated[i][k], aSize[i].nPending);
				continue;
			}
			if (aNs3Events[i][k] < aSize[i].nEventsNs3) {
				printf("note: %s %s hit its %.0f s budget after %llu of %llu events (rate over those)\n",
				       aSize[i].zName, azNs3[k], PH_NS3_BUDGET_S, (unsigned long long)aNs3Events[i][k],
				       (unsigned long long)aSize[i].nEventsNs3);
				continue;
			}
			nDone++;
			if (aNs3[i][k].digest != aCheck[i]) {
				printf("note: %s %s ran a different destination sum than kyodo (%llu vs %llu)\n", aSize[i].zName,
				       azNs3[k], (unsigned long long)aNs3[i][k].digest, (unsigned long long)aCheck[i]);
			} else {
				nSame++;
			}
		}
	}
	printf("cross-check: %d of %d ns-3 runs that finished ran exactly kyodo's events (same sum of destinations)\n",
	       nSame, nDone);
	return 0;
}
