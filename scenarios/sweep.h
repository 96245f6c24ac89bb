/* sweep (scenarios): the pure part of a sweep, many seeds of one drill. Which seeds a shard runs, the line one run
 * leaves (its digest, one JSON object) and the aggregation of those lines into the sweep's result. No I/O, no
 * processes, no printing: the worker pool is spawn.h, the printers and `kyodo sweep merge` are in cli.c.
 * The result depends only on the set of lines (sorted by seed here, every double summed in seed order and
 * round-tripped exactly through JSON), so shards run anywhere and merged give byte for byte what one machine gives.
 *
 * A line: {"sweep":N,"seed":S,"scenario":ID,"kyodo":VERSION,"inputs":SHA256,"actions":PATH|null,"teams":{…},
 *          "joint":X,"expectations":[{"label","team","status","awarded"}…],"branches":[…],"scenario_errors":N,
 *          "state_hash":HEX}
 * where sweep, scenario, kyodo and inputs (a digest of the scenario's and the actions file's bytes) must agree
 * across the lines of one sweep. */
#ifndef SCN_SWEEP_H
#define SCN_SWEEP_H

#include <jansson.h>

#include "engine/err.h"

#define SCN_SWEEP_MAX 1000000  /* seeds in one sweep */

/* The seeds of shard iShard (0-based) of nShards in a sweep of seeds 1..nSweep: contiguous blocks, the first
 * nSweep % nShards shards one seed longer. *pFirst > *pLast when the shard is empty (more shards than seeds). */
void scn_sweep_shard_seeds(int nSweep, int iShard, int nShards, int *pFirst, int *pLast);

/* The line of one run: the fields of summary (borrowed, a `kyodo run --json` summary) that the aggregation needs,
 * plus the sweep's identity ident (borrowed: sweep, kyodo, inputs, actions). New reference, NULL on no memory. */
json_t *scn_sweep_digest(const json_t *summary, const json_t *ident);

/* 0 when line (borrowed) has every field of a line with the right type; KY_EPARSE with err naming the field. */
int scn_sweep_check_line(const json_t *line, ky_err *err);

/* Aggregates lines (a borrowed array of lines, in any order) into the sweep's result (new reference):
 * {"runs":N,"scenario":ID,"teams":{T:{"mean","min","max"}},"expectations":[{"label","team","met","runs",
 * "mean_points"}],"branches":[{…,"fires","runs_fired"}],"distinct_state_hashes":N,"scenario_errors":N}.
 * Expectations are keyed by label and branches by type, line and event, in the order of first appearance by seed
 * (runs may declare different things at run time: an inject sent from a when() that fired in one run only).
 * NULL with err (KY_EINVAL) when the lines are not every seed 1..N exactly once of one sweep (naming the missing or
 * repeated seeds, or the field that differs), or KY_EPARSE naming a malformed line. */
json_t *scn_sweep_aggregate(const json_t *lines, ky_err *err);

#endif
