/* record: the observer that writes a drill into the journal (engine/journal). Everything observable (injects and
 * their deliveries, messages, scores, metric samples, world facts, actions, grades, read receipts) goes in as it
 * happens, plus world snapshots at a fixed sim interval for the replay's seek. Knows the drill and the world's
 * snapshot codec; the journal below it knows neither. Schema and durability: docs/journal.md.
 * `kyodo run --db FILE` and `kyodo serve --db FILE` call scn_record_attach right after scn_drill_open;
 * `kyodo serve --resume` gets its recorder from scn_resume_open (scenarios/resume.h). */
#ifndef SCN_RECORD_H
#define SCN_RECORD_H

#include "engine/err.h"
#include "engine/journal.h"
#include "scenarios/drill.h"

typedef struct scn_record scn_record;

/* World snapshots (for the replay's seek) are taken at fleet samples (on_fleet), so a snapshot holds the world
 * the metrics row of the same time describes, and at close (the final state). By default the interval adapts:
 * at most one per SCN_RECORD_SNAPSHOT_US of sim time, at least one per SCN_RECORD_SNAPSHOT_MAX_US, and in
 * between only while snapshots have cost under SCN_RECORD_SNAPSHOT_BUDGET of the wall time since attach. A
 * paced drill (`serve`) thus gets one every sim minute; a batch run (`run --db`) as fast as possible keeps
 * the journal's cost low. scn_record_set_snapshot_interval fixes the interval instead. */
#define SCN_RECORD_SNAPSHOT_US (60LL * 1000000LL)
#define SCN_RECORD_SNAPSHOT_MAX_US (60LL * 60 * 1000000LL)
#define SCN_RECORD_SNAPSHOT_BUDGET 0.03

/* Creates a new journal at zPath (an existing file there is replaced), writes the exercise header (scenario id,
 * sha256 and text, seed, start wall time, kyodo version, the exercise JSON) and attaches an observer to d that
 * records everything from now on. Returns the recorder (free it with scn_record_close after the drill, before
 * scn_drill_free) or NULL with err set. */
scn_record *scn_record_attach(scn_drill *d, const char *zPath, ky_err *err);
/* Records the current sim time as the resume point, writes the run's footer (meta `summary`: the run summary,
 * `plan`: the master scenario events list, `ended_at`: the wall time; docs/journal.md) and flushes; closes the
 * journal; returns 0 or the first error met while recording (callbacks cannot fail the drill, so errors wait
 * here). NULL is a no-op. */
int scn_record_close(scn_record *r, ky_err *err);
/* The summary stored at close as meta `summary` (copied; NULL: scn_drill_summary_json at close, the default):
 * `kyodo run` gives the summary it prints, with what it adds (impact figures, refused actions). */
void scn_record_set_summary(scn_record *r, json_t *summary);
/* Hot wash: one participant's feedback (answers borrowed), durable when this returns 0 (eng_journal_feedback);
 * stamped with the drill's sim time and the wall time. KY_ESTATE for a NULL recorder. */
int scn_record_feedback(scn_record *r, const char *zTeam, const char *zParticipant, const char *zName, json_t *answers,
                        ky_err *err);
/* The display name of the participant who sent action (zTeam, zClientId): batched, committed with the group's
 * commit that stores the action when given before it. No-op (0) for a NULL recorder, client id or empty name. */
int scn_record_actor(scn_record *r, const char *zTeam, const char *zClientId, const char *zName, ky_err *err);
/* Commits pending rows now (the server calls it on a wall-clock timer, e.g. every second). NULL: 0. */
int scn_record_flush(scn_record *r, ky_err *err);
/* The first error met by a callback so far (0 if none), with its message in err. NULL: 0. */
int scn_record_error(const scn_record *r, ky_err *err);
/* The journal, borrowed (e.g. for the server's eng_journal_token_put / _get); NULL for NULL. */
eng_journal *scn_record_journal(scn_record *r);
/* Fixes the snapshot interval (sim time; <= 0 disables snapshots, even the final one). */
void scn_record_set_snapshot_interval(scn_record *r, eng_time_t interval);

/* A facilitator's ad-hoc inject: records it durably (so that resume re-issues it), then scn_drill_inject.
 * r NULL (no journal): scn_drill_inject only. */
int scn_record_inject(scn_record *r, scn_drill *d, json_t *msg, ky_err *err);

/* ---- for scenarios/resume.c ---- */
/* Attaches a recorder that appends to an open journal j (taken over: closed by scn_record_close). Derived rows
 * (everything but inputs) with a time before tSkip are not written: the journal has them already. */
scn_record *scn_record_attach_journal(scn_drill *d, eng_journal *j, eng_time_t tSkip, ky_err *err);
/* While on, inputs (actions, grades, read receipts) are not written: they are being replayed from the journal. */
void scn_record_replaying(scn_record *r, int bOn);

/* Group commit of actions (the server acknowledges many actions with one fsync). The caller, holding the drill
 * still (no advance in between):
 *   1. scn_record_group_begin: opens a journal group (eng_journal_group_begin);
 *   2. scn_drill_action_stage for each action: the recorder inserts its row into the group;
 *   3. scn_record_group_commit: one durable commit. On failure none of the rows is stored: the caller calls
 *      scn_drill_action_unstage and answers every staged action with the error;
 *   4. on success, scn_drill_action_apply for each staged action, in order;
 *   5. scn_record_group_end (also after a failure; it aborts a group never committed).
 * Applying after the commit at the same sim time, in input order, is what resume does, so the state is the same
 * as without grouping. */
int scn_record_group_begin(scn_record *r, ky_err *err);
int scn_record_group_commit(scn_record *r, ky_err *err);
void scn_record_group_end(scn_record *r);

#endif
