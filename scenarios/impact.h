/* impact: the counterfactual runs behind the impact figures (CONTRACT §1 `impact`): the same scenario and seed
 * with no team actions (the baseline) and, for each team that acted, without that team's actions. The simulation is
 * a pure function of (scenario, seed, inputs), so every such run is identical to the real one up to the first
 * action it leaves out: a run is forked (fork(2): copy-on-write of the world, the engine and the Lua state) from
 * the real run at that moment and plays on by itself, on another core, while the real run goes on. A child process
 * never writes the journal, never prints, and exits with _exit once it has written its harm into its pipe.
 *
 * Two ways in: a run loop that plays inputs itself (`kyodo run`) calls scn_impact_fork_point before applying each
 * one and scn_impact_finish at its end; scn_impact_replay does the whole thing from scratch, quietly (`kyodo serve`
 * at the end of a drill, from its recorded inputs; the tests). Same inputs => same figures: every figure comes from a
 * deterministic run, whichever process ran it. Not thread-safe; the caller must not have other children it waits
 * for with wait(2) on any child. Errors: negative KY_E* with a ky_err naming the run. */
#ifndef SCN_IMPACT_H
#define SCN_IMPACT_H

#include <jansson.h>

#include "engine/err.h"
#include "engine/time.h"
#include "scenarios/drill.h"

/* One input of a run, at its sim time: a team action, or (zTeam NULL) a facilitator's ad-hoc inject whose message
 * is args. Borrowed strings and JSON. */
typedef struct scn_play {
	eng_time_t t;
	int line;                          /* the actions file's line, 0 when none */
	const char *zTeam, *zKind, *zId, *zInject;
	json_t *args;
} scn_play;

/* Applies one input to the drill at its (current) time. 0; a bad action (no seq taken) KY_EINVAL / KY_ENOENT; an
 * action the world refused returns its error with *pSeq > 0. pSeq may be NULL. */
int scn_play_one(scn_drill *d, const scn_play *p, int64_t *pSeq, ky_err *err);

/* The inputs of scn_drill_inputs_json as plays (pointing into `inputs`, which must outlive them); *pn their number.
 * NULL with n = 0 when there are none or out of memory (KY_ENOMEM in err then). */
scn_play *scn_play_from_inputs(json_t *inputs, int *pn, ky_err *err);

typedef struct scn_impact scn_impact;

/* Plans the counterfactual runs of a drill about to play a[0..n) (sorted by time, borrowed: they must outlive the
 * plan) up to `end`. teams: the drill's teams [{"id":..},...] (borrowed). NULL with err when out of memory. */
scn_impact *scn_impact_plan(const scn_play *a, int n, json_t *teams, eng_time_t end, ky_err *err);
/* The real run's loop calls this with its drill at the moment a[i] is about to be applied (after the advance to its
 * time, after a[0..i) were applied): the runs that leave out a[i] are forked here. In the child process the call
 * does not return. 0, or KY_EIO when fork or pipe failed. */
int scn_impact_fork_point(scn_impact *m, scn_drill *d, int i, ky_err *err);
/* At the end of the real run (d at `end`): waits for every child and builds
 * {"harm":H,"baseline":H0,"averted":A,"teams":{TEAM:{"averted":A_T,"harm_without":H_T}},"runs":N} (new ref in
 * *pImpact; CONTRACT §1's formulas). KY_EIO when a run failed (err names it). */
int scn_impact_finish(scn_impact *m, scn_drill *d, json_t **pImpact, ky_err *err);
/* Puts the impact object (borrowed) into a run summary (borrowed, changed in place) as "impact", right before its
 * "teams": a tool that takes the last "TEAM":{…} of the text finds the team's score, not its share of the harm. */
void scn_impact_summary_put(json_t *summary, json_t *impact);
/* The same for any key (a value already there under zKey is replaced): `kyodo whatif` puts "impact_recorded" (the
 * recorded drill's figures) right after its "impact" this way. */
void scn_impact_summary_put_as(json_t *summary, const char *zKey, json_t *v);
/* Frees the plan; children still running are killed and reaped. NULL is a no-op. */
void scn_impact_free(scn_impact *m);

/* A whole run from scratch, quietly (no journal, nothing printed): opens zPath (with the seed when bSeed, else the
 * scenario's), plays a[0..n) at their times up to end (0 or past the duration: the whole drill), with the impact
 * figures' fork points when bImpact. *pSummary gets scn_drill_summary_json of the run, with "impact" when bImpact
 * (new ref). An action the world refuses is counted, as in `kyodo run`; a malformed one is an error naming it. */
typedef struct scn_replay {
	const char *zPath;
	uint64_t seed;
	int bSeed;
	const scn_play *a;
	int n;
	eng_time_t end;
	int bImpact;
} scn_replay;
int scn_impact_replay(const scn_replay *r, json_t **pSummary, ky_err *err);

#endif

/* ---- live: `kyodo serve` -----------------------------------------------------------------------------------------
 * The server cannot block on a re-run, so each runs in a child process of its own (inherited descriptors closed,
 * killed with the server) and the server polls its pipe once a wall second. */
typedef struct scn_impact_live scn_impact_live;
/* Starts the baseline of a served drill: zPath with seed and no team actions, its harm at every metric sample
 * (SCN_DRILL_SAMPLE_US) to the end, sent as it goes. NULL with err when fork or pipe failed. */
scn_impact_live *scn_impact_live_start(const char *zPath, uint64_t seed, ky_err *err);
/* Reads what the children have sent so far and reaps finished ones; never blocks. NULL is a no-op. */
void scn_impact_live_poll(scn_impact_live *l);
/* The baseline's harm at t (at its last sample at or before t): 1 with *pH0, or 0 when that is not known yet. */
int scn_impact_live_baseline(const scn_impact_live *l, eng_time_t t, double *pH0);
/* The baseline's samples received so far (the viewer draws them as a curve): their number, and sample i's time and
 * harm (0 when i is out of range). scn_impact_live_baseline_ended: 1 once its child has closed its pipe (done, or
 * failed: then the last sample is before the drill's end), 0 while it runs. Call scn_impact_live_poll first. */
size_t scn_impact_live_baseline_count(const scn_impact_live *l);
int scn_impact_live_baseline_sample(const scn_impact_live *l, size_t i, eng_time_t *pT, double *pH);
int scn_impact_live_baseline_ended(const scn_impact_live *l);
/* Starts the attribution (scn_impact_replay with bImpact) of the served drill's inputs (scn_drill_inputs_json,
 * borrowed) up to end; once (later calls return 0 and change nothing). 0 or KY_EIO. */
int scn_impact_live_finish(scn_impact_live *l, json_t *inputs, eng_time_t end, ky_err *err);
/* The attribution's impact object once its child is done (new ref), else NULL; *pbFailed (may be NULL) is 1 when it
 * ended without one. With timeoutMs > 0 it waits that long at most for it (a clean stop before the journal closes). */
json_t *scn_impact_live_result(scn_impact_live *l, int timeoutMs, int *pbFailed);
/* Kills the children still running and frees. NULL is a no-op. */
void scn_impact_live_free(scn_impact_live *l);
