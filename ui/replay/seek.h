/* seek (ui/replay): the world of a recorded drill at any sim time, exactly as the drill had it, without Lua.
 * The journal holds the world's configuration (meta world_config), its seed, every input the world was given
 * (world_inputs: the scenario's verbs and the teams' actions, each with the count of the world's own events run
 * before it), and snapshots with a note of where each was taken. A seek restores the nearest saved state before
 * the asked moment (a snapshot of the journal, or a checkpoint this module kept in memory while it ran forward)
 * and runs the world's own code from there, applying each input after exactly as many of the world's events as
 * in the drill: the same steps in the same order, hence the same state (tests/c/test_replay_seek.c checks it
 * against re-simulation). Journals without a world log (older kyodo) fall back to scenarios/resume's
 * re-simulation with the scenario. Knows the journal and the world; nothing of pixels. */
#ifndef RPL_SEEK_H
#define RPL_SEEK_H

#include <stddef.h>

#include "engine/err.h"
#include "engine/journal.h"
#include "engine/time.h"
#include "vehicles/world.h"

typedef struct rpl_seek rpl_seek;

/* Opens zDbPath read-only and prepares the world (built once, from the recorded configuration). NULL with err:
 * KY_ENOENT no such file or an empty one, KY_EVERSION a newer kyodo's journal, KY_EIO/KY_EPARSE not a journal or
 * damaged, KY_EINVAL a journal without a recorded drill (no world configuration nor scenario). */
rpl_seek *rpl_seek_open(const char *zDbPath, ky_err *err);
void rpl_seek_close(rpl_seek *s);

/* The world at t (clamped to 0 .. rpl_seek_end): after every event at a time <= t and every input of time <= t, as
 * `kyodo run --until t` leaves it (an action given at t is applied; what it schedules for t does not run). The
 * world is borrowed, valid until the next seek or close. NULL with err when the journal's rows are damaged or do
 * not re-run (KY_EPARSE names the input). */
const veh_world *rpl_seek_world(rpl_seek *s, eng_time_t t, ky_err *err);
/* Up to when the journal can show the world: the end of the drill, or of what was recorded before it stopped. */
eng_time_t rpl_seek_end(const rpl_seek *s);
/* The drill's duration (from the exercise metadata; rpl_seek_end when unknown). */
eng_time_t rpl_seek_duration(const rpl_seek *s);
/* 1 when seeks re-run the world from the journal's world log, 0 when they re-simulate the scenario (fallback). */
int rpl_seek_exact_log(const rpl_seek *s);
/* The journal (borrowed, read-only). */
eng_journal *rpl_seek_journal(rpl_seek *s);

/* In-memory checkpoints taken while running forward: one per `every` of sim time at most, within nBytes in all
 * (defaults: 5 minutes, 256 MiB; every <= 0 turns them off). */
void rpl_seek_set_checkpoints(rpl_seek *s, eng_time_t every, size_t nBytes);

/* Runs the world once through the whole recording, keeping checkpoints (what a viewer does once at open, so that
 * every later seek starts at most one checkpoint interval before its moment). 0 or the seek's error. */
int rpl_seek_prewarm(rpl_seek *s, ky_err *err);

/* Counters of the last seek, for tests and the benchmark. */
typedef struct rpl_seek_stats {
	eng_time_t tBase;      /* time of the state the seek started from */
	int base;              /* 0 the world as it was (forward), 1 a checkpoint, 2 a journal snapshot, 3 the start */
	size_t nInputs;        /* inputs applied */
	size_t nCheckpoints;   /* checkpoints held */
} rpl_seek_stats;
void rpl_seek_last_stats(const rpl_seek *s, rpl_seek_stats *out);

#endif
