/* sim: the discrete-event simulator: one clock, one event queue, handlers by kind, seeded random streams.
 * Used as a batch run (eng_sim_run_until) or in paced steps by the server (eng_sim_advance_to), pausable
 * at any time from inside a handler. Knows nothing of cars, Lua, sockets or pixels. */
#ifndef ENG_SIM_H
#define ENG_SIM_H

#include <stdint.h>

#include "engine/err.h"
#include "engine/queue.h"
#include "engine/rng.h"
#include "engine/time.h"

typedef struct eng_sim eng_sim;
/* A handler runs one event. It may schedule, cancel and pause; it must not free the sim. */
typedef void (*eng_handler_fn)(eng_sim *pSim, void *pCtx, const eng_event *pEv);

/* A new simulator at time 0 with the run seed; NULL when out of memory. */
eng_sim *eng_sim_new(uint64_t seed);
void eng_sim_free(eng_sim *pSim);

/* Registers a handler for a new event kind; *pKind gets its number. zName is copied (for traces and errors).
 * KY_ELIMIT past 256 kinds. pCtx is borrowed and must outlive the sim. */
int eng_sim_register(eng_sim *pSim, const char *zName, eng_handler_fn fn, void *pCtx, uint32_t *pKind);
const char *eng_sim_kind_name(const eng_sim *pSim, uint32_t kind);

/* Schedules an event; t < now gives KY_EPAST, an unregistered kind KY_ENOENT. pId may be NULL. */
int eng_sim_schedule(eng_sim *pSim, eng_time_t t, uint32_t kind, uint32_t a, uint64_t b, eng_event_id *pId);
/* Schedules at now + delay: a negative delay is KY_EPAST, one past ENG_TIME_MAX KY_EINVAL. */
int eng_sim_after(eng_sim *pSim, eng_time_t delay, uint32_t kind, uint32_t a, uint64_t b, eng_event_id *pId);
/* Cancels a pending event: KY_ENOENT for an unknown id, KY_ESTATE for one already fired or cancelled. */
int eng_sim_cancel(eng_sim *pSim, eng_event_id id);

/* Runs every event with time <= t in order, then sets now = t. Returns the number of events run (>= 0),
 * or stops early, with now at the last event run, if a handler called eng_sim_pause; t < now is KY_EPAST,
 * a call from inside a handler KY_ESTATE.
 * eng_sim_advance_to is the same call under the name the paced server loop uses. */
int64_t eng_sim_run_until(eng_sim *pSim, eng_time_t t);
int64_t eng_sim_advance_to(eng_sim *pSim, eng_time_t t);
/* Runs at most nMax events with time <= t, in order: a re-simulation that must act between two events of the
 * same time steps through them this way. Returns the number run (>= 0). now becomes t unless an event earlier
 * than t is still pending (nMax reached first), in which case now is the time of the last event run. A handler's
 * eng_sim_pause stops it as in eng_sim_run_until. nMax < 0 is no limit. KY_EPAST for t < now, KY_ESTATE inside
 * a run. */
int64_t eng_sim_run_steps(eng_sim *pSim, eng_time_t t, int64_t nMax);
/* Drops every pending event and sets now = t, earlier or later than now: a re-simulation going back to a saved
 * state re-schedules from there. Ids of the dropped events stay used (cancelling one gives KY_ESTATE). Handlers,
 * the seed and the counters stay. KY_ESTATE inside a run, KY_ENOMEM (nothing changed). */
int eng_sim_rewind(eng_sim *pSim, eng_time_t t);
/* 1 while a run executes events (code called from a handler), 0 between runs. */
int eng_sim_running(const eng_sim *pSim);
/* Asks the current run to return after the event being handled. */
void eng_sim_pause(eng_sim *pSim);
/* 1 if the last run returned because of eng_sim_pause. */
int eng_sim_paused(const eng_sim *pSim);

eng_time_t eng_sim_now(const eng_sim *pSim);
uint64_t eng_sim_seed(const eng_sim *pSim);
uint64_t eng_sim_events_run(const eng_sim *pSim);
size_t eng_sim_pending(const eng_sim *pSim);
/* Digest of the sequence of events run so far (time, kind, a, b of each), a 64-bit multiply-rotate chain;
 * the same runs give the same digest on every machine. */
uint64_t eng_sim_trace_digest(const eng_sim *pSim);
/* Seeds *pRng as the stream for a purpose name under this sim's seed (see rng.h). */
void eng_sim_stream(const eng_sim *pSim, const char *zPurpose, eng_rng *pRng);

#endif
