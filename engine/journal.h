/* journal: the drill's record in one store (sqlite3 today), the only source of truth after the fact.
 * It stores exercise metadata, time-stamped rows (events, injects and their deliveries and read receipts,
 * messages, actions, grades, scores, metric samples), opaque snapshot blobs and team token hashes.
 * It knows nothing of cars, Lua or sockets: detail columns are JSON text, snapshots are bytes. Every call
 * here is the whole interface, so another store (PostgreSQL) can replace sqlite3 behind it.
 * Durability and schema: docs/journal.md. */
#ifndef ENG_JOURNAL_H
#define ENG_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/time.h"

typedef struct eng_journal eng_journal;

/* The schema version this build writes (PRAGMA user_version). Older files are migrated on a writable open; a
 * read-only open reads schema 1 and later as they are (2 only added a snapshot encoding; 3 the feedback and actors
 * tables: an older file read as it is has none, and the calls below see them empty; 4 the world_inputs table:
 * eng_journal_world_inputs gives KY_ENOENT on an older file). */
#define ENG_JOURNAL_SCHEMA 4

/* Open flags. */
#define ENG_JOURNAL_CREATE 1   /* create the file if it does not exist */
#define ENG_JOURNAL_TRUNCATE 2 /* start a new journal: an existing file's rows are removed */
#define ENG_JOURNAL_READONLY 4 /* read only: write calls give KY_ESTATE */

/* Opens (or creates) the journal at zPath; an older schema is migrated (unless read-only). On error returns NULL
 * with err naming the file and the cause: KY_ENOENT no such file (without CREATE) or, read-only, an empty file
 * (a drill killed while creating it); KY_EVERSION written by a newer kyodo (schema above ours); KY_EIO not a
 * journal, damaged or unreadable. Never crashes on a damaged file: damage found later fails the call with KY_EIO. */
eng_journal *eng_journal_open(const char *zPath, int flags, ky_err *err);
/* Flushes pending rows and closes. Returns 0 or KY_EIO (rows may be lost; the file stays consistent). j may be NULL. */
int eng_journal_close(eng_journal *j, ky_err *err);

/* Batching of the high-rate rows (events, deliveries, messages, scores, metrics, snapshots, metadata): they are
 * written into one open transaction (synchronous=NORMAL: safe against a process crash) that is committed when it
 * holds nRows rows, when a row's sim time is more than simInterval past the transaction's first row, on
 * eng_journal_flush, before any input (action, grade, read, ad-hoc inject, token) and on close. Defaults: 4096
 * rows, 60 s of sim time. nRows <= 1 commits every row. */
void eng_journal_set_batch(eng_journal *j, int nRows, eng_time_t simInterval);
/* Commits the open batch now (the server calls it on a wall-clock timer). 0 or KY_EIO. */
int eng_journal_flush(eng_journal *j, ky_err *err);
/* Says the simulation has reached t: every row with a time before t has been given to the journal. Stored with
 * the next commit as the resume point (see eng_journal_clean_time). Times only go forward. */
void eng_journal_mark(eng_journal *j, eng_time_t t);

/* ---- exercise metadata (key/value; batched: call eng_journal_flush after a header) ---- */
/* Sets one metadata value (text). Well-known keys: scenario_id, scenario_sha256, scenario_text, seed,
 * started_at (UTC wall time, ISO 8601), kyodo_version, exercise (JSON of the drill's static facts). */
int eng_journal_meta_set(eng_journal *j, const char *zKey, const char *zValue, ky_err *err);
/* The value of zKey as a new malloc'd string (caller frees), or NULL when absent (err->code KY_ENOENT) or on error. */
char *eng_journal_meta_get(eng_journal *j, const char *zKey, ky_err *err);

/* ---- batched rows (JSON text is copied; may be NULL) ---- */
int eng_journal_event(eng_journal *j, eng_time_t t, const char *zKind, const char *zSubject, const char *zDetail, ky_err *err);
/* One delivery of inject zInject to zTeam; the inject itself (zMsg, the protocol message) is stored once per id. */
int eng_journal_inject(eng_journal *j, eng_time_t t, const char *zTeam, const char *zInject, const char *zMsg, ky_err *err);
int eng_journal_message(eng_journal *j, eng_time_t t, const char *zFrom, const char *zTo, const char *zMsg, ky_err *err);
int eng_journal_score(eng_journal *j, eng_time_t t, const char *zTeam, double score, const char *zMsg, ky_err *err);
int eng_journal_metrics(eng_journal *j, eng_time_t t, const char *zMetrics, ky_err *err);
/* A snapshot blob at t (copied). Stored as a keyframe (whole, or with its zero runs elided when that saves an
 * eighth) at least every nKeyEvery-th snapshot (default 8), otherwise as a compact delta (XOR with the previous
 * blob, zero runs elided) when that is under 3/4 of the keyframe; all exact, seek undoes them. A second snapshot
 * at the time of the previous one replaces it (and is not written at all when its bytes are the same). */
int eng_journal_snapshot(eng_journal *j, eng_time_t t, const unsigned char *pBlob, size_t nBlob, ky_err *err);
void eng_journal_set_keyframes(eng_journal *j, int nKeyEvery);

/* ---- human inputs (committed, with any open batch, before the call returns) ---- */
/* A team's action. KY_ESTATE when (zTeam, zClientId) or seq is already recorded (nothing written). The row is
 * durable when this returns 0: committed with synchronous=FULL (docs/journal.md), or, inside a group, staged
 * for the group's commit (below). zClientId, zArgs, zResult,
 * zInject may be NULL. */
int eng_journal_action(eng_journal *j, int64_t seq, const char *zTeam, const char *zClientId, eng_time_t t,
                       const char *zKind, const char *zArgs, const char *zResult, const char *zInject, ky_err *err);
/* Group commit: inputs given between eng_journal_group_begin and eng_journal_group_commit are written into one
 * transaction and are durable (synchronous=FULL) together when eng_journal_group_commit returns 0, for the cost
 * of one fsync. Inside a group eng_journal_action (and grade/read/adhoc) only insert: a 0 return then means
 * "staged", not "durable". Batched rows given inside a group join it. eng_journal_flush does nothing while a
 * group is open. group_begin commits the open batch first; KY_ESTATE if a group is already open, else 0 or
 * KY_EIO. group_commit: 0, or KY_EIO and then none of the group's rows is stored (it was rolled back) and the
 * input order continues as if they had never been given; KY_ESTATE without an open group. group_abort rolls the
 * group back the same way (nothing if none is open); close aborts an open group. */
int eng_journal_group_begin(eng_journal *j, ky_err *err);
int eng_journal_group_commit(eng_journal *j, ky_err *err);
void eng_journal_group_abort(eng_journal *j);
/* The effect of action seq once applied (JSON text, may be NULL) and the inject it answers (may be NULL: kept as
 * it was): a batched update of the action's row. */
int eng_journal_action_result(eng_journal *j, eng_time_t t, int64_t seq, const char *zResult, const char *zInject, ky_err *err);
/* The seq of the action (zTeam, zClientId) into *pSeq; KY_ENOENT if none. */
int eng_journal_action_find(eng_journal *j, const char *zTeam, const char *zClientId, int64_t *pSeq, ky_err *err);
int eng_journal_grade(eng_journal *j, eng_time_t t, int64_t seq, double points, const char *zComment, ky_err *err);
int eng_journal_read(eng_journal *j, eng_time_t t, const char *zTeam, const char *zInject, ky_err *err);
/* A facilitator's ad-hoc inject (zMsg is what the facilitator sent), for resume to re-issue it. */
int eng_journal_adhoc(eng_journal *j, eng_time_t t, const char *zMsg, ky_err *err);

/* ---- team tokens: the server stores a digest (hex) of each team's token, never the token ---- */
int eng_journal_token_put(eng_journal *j, const char *zTeam, const char *zDigestHex, ky_err *err);
/* Copies the digest into zOut (NUL-terminated, truncated to nOut); KY_ENOENT if the team has none. */
int eng_journal_token_get(eng_journal *j, const char *zTeam, char *zOut, size_t nOut, ky_err *err);

/* ---- reading back ---- */
/* The resume point: every row with a time before *pT was committed (0 for a new journal). */
int eng_journal_clean_time(eng_journal *j, eng_time_t *pT, ky_err *err);
/* The latest sim time of any committed row, 0 if none. */
int eng_journal_last_time(eng_journal *j, eng_time_t *pT, ky_err *err);

/* The human inputs (actions, grades, reads, ad-hoc injects) in the order they were made. kind is "action",
 * "grade", "read" or "adhoc"; fields not used by a kind are NULL/0. Strings are borrowed for the call.
 * A non-zero return from the callback stops the walk and is returned. */
typedef struct eng_journal_input {
	const char *zKind;
	eng_time_t t;
	int64_t seq;              /* action, grade */
	const char *zTeam;        /* action, read */
	const char *zClientId;    /* action */
	const char *zActionKind;  /* action */
	const char *zArgs;        /* action */
	const char *zInject;      /* action (may be NULL), read */
	double points;            /* grade */
	const char *zText;        /* grade comment, adhoc message */
} eng_journal_input;
typedef int (*eng_journal_input_fn)(void *ctx, const eng_journal_input *in);
int eng_journal_inputs(eng_journal *j, eng_journal_input_fn fn, void *ctx, ky_err *err);

/* Events with t0 <= t < t1 in order; strings borrowed for the call; non-zero from fn stops the walk. */
typedef int (*eng_journal_event_fn)(void *ctx, eng_time_t t, const char *zKind, const char *zSubject, const char *zDetail);
int eng_journal_events(eng_journal *j, eng_time_t t0, eng_time_t t1, eng_journal_event_fn fn, void *ctx, ky_err *err);

/* The latest snapshot at or before t, decoded: *ppBlob (malloc'd, caller frees), *pLen, *pT its time.
 * KY_ENOENT when there is none at or before t; KY_EIO/KY_EPARSE on a damaged row. */
int eng_journal_snapshot_at(eng_journal *j, eng_time_t t, unsigned char **ppBlob, size_t *pLen, eng_time_t *pT, ky_err *err);

/* Removes the derived rows (events, deliveries, injects, messages, scores, metrics, snapshots, world_inputs) with a
 * time at or after t; inputs, metadata and tokens stay; the resume point becomes t if it was later. Resume uses it
 * to drop a half-written last step, a what-if run to drop what followed its starting time. KY_ESTATE inside a group. */
int eng_journal_truncate_derived(eng_journal *j, eng_time_t t, ky_err *err);

/* Removes the human inputs (actions, grades, read receipts, ad-hoc injects) with a time at or after t (a what-if
 * run replaces them). KY_ESTATE inside a group. */
int eng_journal_truncate_inputs(eng_journal *j, eng_time_t t, ky_err *err);
/* Copies the whole journal (committed rows) into a new file at zDstPath (an existing file there is replaced).
 * 0, or KY_EIO naming both files. */
int eng_journal_copy(eng_journal *j, const char *zDstPath, ky_err *err);

/* ---- the world's inputs (batched, derived: resume regenerates them) ---- */
/* One input to the simulated world at sim time t, kept in the order given: zKind says what ("call", "action",
 * "params", or "mark" for a note that goes with the snapshot of the same time), zName the verb or action kind,
 * zTeam (may be NULL), zArgs JSON text (may be NULL); step counts the world's own events run before it; phase is 1
 * for an input given between two engine runs (a team's action), 0 for one given while the engine runs. With the
 * world's configuration (meta world_config) and the snapshots, these re-run the world to any moment without the
 * scenario (docs/journal.md, ui/replay). */
int eng_journal_world_input(eng_journal *j, eng_time_t t, int64_t step, int phase, const char *zKind, const char *zName,
                            const char *zTeam, const char *zArgs, ky_err *err);

/* The world's inputs with t0 <= t <= t1, in the order given: fn gets each row (strings borrowed for the call).
 * A non-zero return from fn stops the walk and is returned; KY_ENOENT when the file predates schema 4 (an older
 * kyodo's journal: the replay then re-simulates). */
typedef struct eng_journal_world_row {
	int64_t ord;
	eng_time_t t;
	const char *zKind, *zName, *zTeam, *zArgs;
	int64_t step;
	int phase;
} eng_journal_world_row;
typedef int (*eng_journal_world_fn)(void *ctx, const eng_journal_world_row *r);
int eng_journal_world_inputs(eng_journal *j, eng_time_t t0, eng_time_t t1, eng_journal_world_fn fn, void *ctx, ky_err *err);

/* ---- hot wash and who acted (schema 3) ---- */
/* One participant's feedback after the drill (HSEEP participant feedback form): zAnswers is the JSON text of the
 * answers ({"ratings":{..},"well":..,"improve":..,"surprise":..}), zParticipant the browser's own id, zName the
 * display name (may be NULL), zAt the wall time (UTC, ISO 8601; may be NULL). Every submission is kept (a
 * participant may send again; the latest counts). Durable like an input (synchronous=FULL) when this returns 0.
 * KY_ESTATE read-only; KY_EVERSION never for a writable open (it migrates). */
int eng_journal_feedback(eng_journal *j, eng_time_t t, const char *zTeam, const char *zParticipant, const char *zName,
                         const char *zAnswers, const char *zAt, ky_err *err);
/* The display name of the participant who sent action (zTeam, zClientId) (batched; a later call replaces it). */
int eng_journal_actor(eng_journal *j, const char *zTeam, const char *zClientId, const char *zName, ky_err *err);

/* ---- reading whole tables (the after-action report) ---- */
/* One row of eng_journal_rows; which fields a table fills (others NULL/0), strings borrowed for the call:
 *   injects     t, zInject (id), zJson (msg)
 *   deliveries  t, zTeam, zInject                  reads  t, zTeam, zInject (in input order)
 *   messages    t, zFrom, zTo, zJson (msg)
 *   actions     t, seq, zTeam, zClientId, zKind, zArgs, zResult, zInject, zActor (display name, schema 3)
 *   grades      t, seq, value (points), zText (comment)
 *   scores      t, zTeam, value (score), zJson (msg)
 *   metrics     t, zJson (data)                    adhoc  t, zJson (msg)
 *   feedback    t, seq (row id), zTeam, zParticipant, zActor (name), zJson (answers), zText (wall time)
 * Rows come in time order (actions by seq, reads, grades and adhoc in input order, feedback as submitted). */
typedef struct eng_journal_row {
	eng_time_t t;
	int64_t seq;
	const char *zTeam, *zInject, *zFrom, *zTo, *zKind, *zArgs, *zResult, *zClientId, *zActor, *zParticipant;
	const char *zJson, *zText;
	double value;
} eng_journal_row;
typedef int (*eng_journal_row_fn)(void *ctx, const eng_journal_row *r);
/* Walks every row of zTable (one of the tables listed above); a non-zero return from fn stops the walk and is
 * returned. KY_EINVAL for another name; KY_EIO on a read error. A table an older file does not have walks empty. */
int eng_journal_rows(eng_journal *j, const char *zTable, eng_journal_row_fn fn, void *ctx, ky_err *err);
/* Events whose kind starts with zPrefix ("attack.", "scenario."; "" for all), in time order (index on kind). */
int eng_journal_events_kind(eng_journal *j, const char *zPrefix, eng_journal_event_fn fn, void *ctx, ky_err *err);
/* The file's schema version (ENG_JOURNAL_SCHEMA after a writable open; a read-only open keeps an older one). */
int eng_journal_schema(const eng_journal *j);

/* Rows in a table, for tests and tools: "events", "injects", "deliveries", "reads", "messages", "actions",
 * "grades", "scores", "metrics", "snapshots", "tokens", "adhoc", "feedback", "actors", "world_inputs". -1 and err for
 * an unknown name. Counts
 * committed and pending rows of this connection. */
int64_t eng_journal_count(eng_journal *j, const char *zTable, ky_err *err);

#endif
