/* resume: a drill rebuilt from its journal, and seeking a recorded drill's world to a sim time.
 * Resume re-simulates: the simulation is a pure function of (scenario file, seed, timestamped inputs), so the
 * recorded scenario and seed are loaded again and the recorded inputs (actions, grades, read receipts, ad-hoc
 * injects) are replayed at their sim times up to the last recorded time; the world then has the state hash of
 * an uninterrupted run with the same inputs. Seek serves the replay viewer: scn_seek_to restores the world from
 * the latest snapshot at or before the asked time (fast; exact at the snapshot's time, see record.h for their
 * interval); scn_seek_exact re-simulates to exactly the asked time (forward from the last exact seek).
 * Knows the drill, the journal and the world's snapshot codec; nothing of sockets or pixels. */
#ifndef SCN_RESUME_H
#define SCN_RESUME_H

#include "engine/err.h"
#include "engine/journal.h"
#include "engine/time.h"
#include "scenarios/drill.h"
#include "scenarios/record.h"

typedef struct scn_resume_opts {
	/* The scenario file. It must be the one recorded (same sha256), else KY_EINVAL. NULL: the text recorded in
	 * the journal, written to a temporary file (fine unless the scenario loads files beside it, e.g. sbom.load). */
	const char *zScenarioPath;
	/* Re-simulate up to this sim time at most (0: up to the last recorded time). */
	eng_time_t tStop;
	/* 1: only rebuild (what-if, exact state at tStop): the journal is opened read-only and no recorder is
	 * attached. 0: `kyodo serve --resume`: a half-written last step is dropped from the journal, rows are
	 * regenerated from the resume point on, and a recorder appending to the journal comes back in *ppRec. */
	int bReadOnly;
	/* Observer attached before the re-simulation, after the recorder (may be NULL): it sees everything the
	 * re-simulation does, and an action only once the journal has it. */
	const scn_observer *pObs;
	/* Told of each recorded input about to be replayed (may be NULL): after the advance to its time, before it is
	 * applied, as `kyodo run`'s loop is before an action (what-if: the impact figures fork there). zKind: action,
	 * grade, read or adhoc. Non-zero (a KY_E* with err set) stops the resume with that error. */
	int (*xInput)(void *ctx, scn_drill *d, const char *zKind, eng_time_t t, ky_err *err);
	void *pInputCtx;
} scn_resume_opts;

/* Rebuilds the drill recorded in the journal zDbPath. Returns the drill (its now = the resume time, also in *pT
 * if pT is non-NULL) and, unless bReadOnly, the recorder in *ppRec (close it with scn_record_close before
 * scn_drill_free). NULL with err set: KY_ENOENT no journal, KY_EVERSION/KY_EIO unusable journal, KY_EINVAL a
 * different scenario file, or the error of a replayed input that no longer replays the same (names its seq). */
scn_drill *scn_resume_open(const char *zDbPath, const scn_resume_opts *opts, scn_record **ppRec, eng_time_t *pT,
                           ky_err *err);

/* The recorded scenario rebuilt in a temporary folder (TMPDIR, else /tmp): its text (meta scenario_text) under its
 * recorded file name, and the files it loaded beside it (meta scenario_files), so that it opens as it did (the
 * viewer's baseline run). zPath: the scenario file. 0, or an error (no text recorded, a file that cannot be written);
 * remove it with scn_temp_scenario_remove (a no-op after a failed write). */
typedef struct scn_temp_scenario {
	char zDir[512];
	char zPath[700];
	json_t *files;
} scn_temp_scenario;
int scn_temp_scenario_write(eng_journal *j, scn_temp_scenario *ts, ky_err *err);
void scn_temp_scenario_remove(scn_temp_scenario *ts);

/* ---- seek (replay viewer, reports) ---- */
typedef struct scn_seek scn_seek;
/* Opens the journal read-only and builds, once, a world configured like the recorded one (zScenarioPath as in
 * scn_resume_opts; NULL: the recorded text). NULL with err set. */
scn_seek *scn_seek_open(const char *zDbPath, const char *zScenarioPath, ky_err *err);
void scn_seek_close(scn_seek *s);
/* Restores the world to the latest snapshot at or before t; *pTSnap (may be NULL) gets that snapshot's time.
 * KY_ENOENT when the journal has no snapshot that early. The world stays valid until the next seek or close. */
int scn_seek_to(scn_seek *s, eng_time_t t, eng_time_t *pTSnap, ky_err *err);
/* The exact drill at sim time t, by re-simulation (scenario, seed and recorded inputs): forward from the last
 * exact seek when t is later (cheap while a viewer plays on), from the start when t is earlier. The drill is
 * then scn_seek_drill(s) (borrowed; valid until the next exact seek or close). 0 or an error. */
int scn_seek_exact(scn_seek *s, eng_time_t t, ky_err *err);
scn_drill *scn_seek_drill(scn_seek *s);
/* The world (borrowed): read it with veh_world_metrics, veh_world_state_hash, ... after scn_seek_to. */
veh_world *scn_seek_world(scn_seek *s);
/* The journal (borrowed, read-only): events, metrics and the rest for the same drill. */
eng_journal *scn_seek_journal(scn_seek *s);

#endif
