/* drill: one running exercise = a sandboxed Lua scenario + the simulated world + the engine + scoring.
 * The one place that knows all three; the journal (record.c), the server and the CLI drive it through this
 * API and watch it through observers. Single-threaded: every call runs on the engine's thread.
 * Ownership: JSON arguments are borrowed unless said otherwise; functions returning json_t* give a new reference.
 * Errors: 0 or a negative KY_E* code with a ky_err naming what and where (scenario errors as "FILE:LINE: msg"). */
#ifndef SCN_DRILL_H
#define SCN_DRILL_H

#include <stdint.h>

#include <jansson.h>

#include "engine/err.h"
#include "engine/sim.h"
#include "engine/time.h"

typedef struct veh_world veh_world;
typedef struct scn_drill scn_drill;

/* Everything observable leaves the drill through observers (the journal writer and the server each attach
 * one; scn_drill_add_observer may attach several, called in attach order). Each callback may be NULL.
 * JSON arguments are borrowed for the call. Protocol-shaped objects are exactly CONTRACT §4's messages.
 * An observer must not call back into the drill (except the read-only *_json queries). */
typedef struct scn_observer {
	void *ctx;
	/* {"type":"inject","id",..,"t_us",..,"severity","title","body"} one per recipient team (never expects) */
	void (*on_inject)(void *ctx, const char *team, json_t *inject_msg);
	/* {"type":"message","from","to","tlp","text","t_us"} (a team's share) */
	void (*on_message)(void *ctx, json_t *msg);
	/* {"type":"score","team",..,"score",..,"met","missed","pending","joint"} after every change for that team */
	void (*on_score)(void *ctx, const char *team, json_t *score_msg);
	/* {"type":"fleet","t_us",..,"total",..} metric sample (every sample interval and at the end of an advance) */
	void (*on_fleet)(void *ctx, json_t *fleet_msg);
	/* world facts, scenario errors ("scenario.error", subject "FILE:LINE", detail {"message":..}), log() ("log") */
	void (*on_event)(void *ctx, eng_time_t t, const char *kind, const char *subject, json_t *detail);
	/* A team action when it is staged (scn_drill_action_stage), before it is applied; non-zero fails the action (no
	 * seq is taken, the error goes back to the caller). result is NULL here; the outcome is reported when it is
	 * applied, via on_event "action.result" (or "action.error") with detail
	 * {"seq","team","id"?,"kind","args","inject"?,"t_us","result"|"error"}. */
	int (*on_action)(void *ctx, int64_t seq, const char *team, const char *zClientId, eng_time_t t,
	                 const char *kind, json_t *args, json_t *result, ky_err *err);
	void (*on_grade)(void *ctx, int64_t seq, double points, const char *zComment);
	void (*on_read)(void *ctx, const char *team, const char *zInject, eng_time_t t);
	/* at a fixed sim interval (SCN_DRILL_SNAPSHOT_US): the journal takes veh_world_snapshot */
	void (*on_snapshot)(void *ctx, eng_time_t t);
} scn_observer;

#define SCN_DRILL_SAMPLE_US (60LL * 1000000LL)     /* fleet metric sample interval: 1 min of sim time */
#define SCN_DRILL_SNAPSHOT_US (600LL * 1000000LL)  /* snapshot interval: 10 min of sim time */

typedef struct scn_drill_opts {
	uint64_t seed;
	int bSeed;                 /* bSeed=0: the scenario's own seed */
	const scn_observer *pObs;  /* may be NULL; attached first (before scheduling), so it sees everything */
	int bCheckOnly;            /* 1: load and validate only (kyodo check); the world is built but not started */
} scn_drill_opts;

/* Loads and validates the scenario file (sandboxed Lua), builds the world, schedules injects and callbacks.
 * NULL on error with err set ("FILE:LINE: message" for scenario errors). */
scn_drill *scn_drill_open(const char *zPath, const scn_drill_opts *opts, ky_err *err);
void scn_drill_free(scn_drill *d);

/* Static facts for check/welcome: id, title, description, duration(_us), seed, teams [{id,name}], injects count,
 * expectations count, techniques, scenario file text ("source") and its sha256 ("sha256"). New ref. */
json_t *scn_drill_exercise_json(const scn_drill *d);
eng_time_t scn_drill_duration(const scn_drill *d);
eng_time_t scn_drill_now(const scn_drill *d);

/* Runs the simulation up to t (clamped to the duration); injects, callbacks and metric samples fire through
 * the observers. KY_EPAST when t < now. */
int scn_drill_advance_to(scn_drill *d, eng_time_t t, ky_err *err);

/* Team actions, in two steps (the server's group commit acknowledges many actions with one fsync between them).
 * 1. scn_drill_action_stage checks the action (the team is known; kind and args against the one table of action
 *    kinds, vehicles/action.h), gives it the next seq and records it through the observers' on_action (the journal
 *    commits the row, or stages it in an open journal group). Nothing else changes yet: not the world, the score or
 *    the messages. A client id the team already used (staged or applied) is a repeat: *pOut gets the first use's
 *    seq and time with bRepeat = 1, and nothing happens. On error no seq is taken: KY_EINVAL / KY_ENOENT for a bad
 *    action (err names the field), KY_ESTATE when the drill is not running, KY_EIO when an observer could not
 *    record it.
 * 2. scn_drill_action_apply applies the oldest staged action, which must be seq, at the time it was staged (no
 *    advance in between): the world's effect, the score, the share's message, on("action") handlers. A refusal by
 *    the world is recorded ("action.error" event) and returned (err names the field); its seq stays used.
 *    KY_ESTATE when seq is not the oldest staged action or the clock moved since it was staged.
 * scn_drill_action_unstage drops every staged action (a group whose commit failed): their seqs are given again.
 * scn_drill_action does both steps. zInject (may be NULL) is the inject the action answers. */
typedef struct scn_action_in {
	const char *zTeam, *zClientId, *zKind, *zInject;  /* zClientId, zInject may be NULL */
	json_t *pArgs;                                    /* borrowed; NULL is {} */
} scn_action_in;
typedef struct scn_action_out {
	int64_t seq;
	eng_time_t t;
	int bRepeat;
} scn_action_out;
int scn_drill_action_stage(scn_drill *d, const scn_action_in *in, scn_action_out *pOut, ky_err *err);
int scn_drill_action_apply(scn_drill *d, int64_t seq, ky_err *err);
void scn_drill_action_unstage(scn_drill *d);
/* *pSeq (may be NULL) gets the action's seq (also when the world refused it: then the return is its error). */
int scn_drill_action(scn_drill *d, const char *team, const char *zClientId, const char *kind, json_t *args,
                     const char *zInject, int64_t *pSeq, ky_err *err);
/* The action catalog of this drill: {KIND: JSON Schema of its args} (CONTRACT §4 exercise.catalog.actions). New ref. */
json_t *scn_drill_action_schemas(const scn_drill *d);

/* Facilitator: ad-hoc inject {"to":[...]|"all","title":..,"body":..,"severity":..,"id"?:..} sent now. */
int scn_drill_inject(scn_drill *d, json_t *msg, ky_err *err);
/* A fact from outside the simulation, told to the observers (the journal) at the drill's current time: the facilitator's
 * clock controls (kind "facilitator.control", detail {"cmd","speed","running","hold_at_us"?}) so that the debrief
 * can show when the room paused. zKind must start with "facilitator."; the world and the scores never see it. */
void scn_drill_note(scn_drill *d, const char *zKind, json_t *detail);
/* Facilitator grade of an action by seq: points add to that action's team (a second grade replaces the first). */
int scn_drill_grade(scn_drill *d, int64_t seq, double points, const char *zComment, ky_err *err);
/* Read receipt of a team for an inject (KY_ENOENT for an unknown team or an inject it has not received). */
int scn_drill_read(scn_drill *d, const char *team, const char *zInject, ky_err *err);

/* The files the scenario loaded beside it (sbom.load) as {NAME: text}, so that a journal can rebuild the drill
 * without the scenario's folder (new ref). */
json_t *scn_drill_files_json(const scn_drill *d);
/* Scores: {"teams":{TEAM:{"score":N,"met":N,"missed":N,"pending":N,...}},"joint":N,"outcome":N} (new ref). */
json_t *scn_drill_scores_json(const scn_drill *d);
/* Every expectation in declaration order, as eng_score_expectations_json (label, inject, team, kind, args,
 * within_us, points, status, opened_us once its inject is sent, met_us/awarded/seq once met). New ref. */
json_t *scn_drill_expectations_json(const scn_drill *d);
/* What a team already had (for a reconnect's backlog): injects delivered so far and messages to it, in order
 * (array of protocol messages, new ref); NULL for an unknown team. */
json_t *scn_drill_backlog_json(const scn_drill *d, const char *team);
/* The drill's state digest (CONTRACT state_hash): SHA-256 over the world's veh_world_state_hash and the scores
 * (compact JSON, sorted keys), as 64 hex characters + NUL. Same scenario + seed + actions => same digest. */
void scn_drill_state_hash(const scn_drill *d, char hex[65]);
/* The master scenario events list as declared so far (static injects, and those declared by callbacks up to now):
 * [{"id","at_us" (-1: sent when declared),"to":[teams],"severity","title","body","notes"?,"line","sent",
 *   "expects":[{"action","args"?,"within_us","points","team","label"?,"objective"?,"notes"?}]}] in declaration
 * order, ad-hoc injects included (line 0). For the journal's `plan` (MSEL export, reports). New ref. */
json_t *scn_drill_plan_json(const scn_drill *d);
/* The `kyodo run --json` summary object of CONTRACT §1 (state_hash included). New ref. */
json_t *scn_drill_summary_json(const scn_drill *d);
veh_world *scn_drill_world(scn_drill *d);
eng_sim *scn_drill_sim(scn_drill *d);

/* Attaches one more observer (copied). KY_ELIMIT past 8 observers. */
int scn_drill_add_observer(scn_drill *d, const scn_observer *obs);
/* Drops every observer and the world's tap (veh_world_set_tap): a counterfactual run forked from a recorded one
 * (impact.h) must not write its journal or speak for it. */
void scn_drill_detach_observers(scn_drill *d);

/* Every input applied so far, in order (new ref): team actions {"t_us","team","kind","args","id"?,"inject"?} (also
 * those the world refused) and the facilitator's ad-hoc injects {"t_us","adhoc":{...the scn_drill_inject message}}.
 * Replaying them at their times on the same scenario and seed gives the same drill (the impact runs of `serve`). */
json_t *scn_drill_inputs_json(const scn_drill *d);
/* The scenario file and the seed the drill runs with. */
const char *scn_drill_path(const scn_drill *d);
uint64_t scn_drill_seed(const scn_drill *d);

#endif
