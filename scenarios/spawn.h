/* spawn (scenarios): a pool of fork()ed worker processes that run one job per seed and hand back the one JSON
 * object each job produced, for a sweep (sweep.h says what the jobs' lines hold). Worker w of W runs seeds
 * first+w, first+w+W, ...; each writes a line per seed to its pipe, and the parent reads every pipe as it fills
 * (poll), so no worker waits on another. Knows nothing of drills: the job is a callback. Prints nothing. */
#ifndef SCN_SPAWN_H
#define SCN_SPAWN_H

#include <jansson.h>
#include <stdint.h>

#include "engine/err.h"

/* One job, run in a worker process: returns the seed's object (new reference), or NULL when the run failed (the
 * worker then stops and exits 1; the job has said why on stderr, as a cli module may). */
typedef json_t *(*scn_spawn_job)(void *ctx, uint64_t seed);

/* The machine's cores as this process may use them (its CPU affinity mask), at least 1. */
int scn_spawn_cores(void);

/* Runs job for every seed first..last on nWorkers processes (fewer when there are fewer seeds); *pLines gets a new
 * array of the objects received, in no particular order (fewer than the seeds when a job failed or a worker died).
 * 0 when every worker exited 0; KY_ESTATE with err naming the first worker that did not; KY_EIO when a pipe or
 * fork failed (err says which; *pLines is still set). */
int scn_spawn_run(int first, int last, int nWorkers, scn_spawn_job job, void *ctx, json_t **pLines, ky_err *err);

#endif
