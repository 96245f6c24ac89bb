/* ns3_phold: the PHOLD workload of bench/engine.c run on ns-3's simulator core (C++, bench only).
 * Same generator (xoshiro256** from the same seed), same delays (integer microseconds, exponential),
 * same random destinations; events carry the destination as their one argument. */
#ifndef NS3_PHOLD_H
#define NS3_PHOLD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ns3_phold_result {
	double events_per_s;    /* events run / CPU seconds of the process, population excluded */
	uint64_t events;        /* events run (fewer than asked when the time budget ran out) */
	double populate_s;      /* CPU seconds spent scheduling the initial events (not in the rate) */
	uint32_t populated;     /* initial events scheduled (fewer than asked when that alone ran out of budget) */
	double bytes_per_event; /* heap bytes in use with the events pending / pending events */
	uint64_t digest;        /* sum of destinations of the events run (a cross-check, not a trace) */
} ns3_phold_result;

/* Runs PHOLD with nPending events over nLP processes, mean delay meanUs, for nEvents events or until
 * budgetS CPU seconds have passed, on the ns-3 scheduler type zScheduler ("ns3::MapScheduler",
 * "ns3::HeapScheduler", "ns3::CalendarScheduler"). Returns 0, or 1 when scheduling the initial events
 * alone took longer than popBudgetS (the run is then abandoned: events_per_s is 0). */
int ns3_phold_run(const char *zScheduler, uint32_t nPending, uint32_t nLP, double meanUs, uint64_t nEvents,
                  double popBudgetS, double budgetS, uint64_t seed, ns3_phold_result *pOut);
/* "3.37" or whatever version the library reports. */
const char *ns3_phold_version(void);

#ifdef __cplusplus
}
#endif

#endif
