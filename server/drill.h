/* drill (server): the seam between the server and the drill. The only server file that includes the Drill API
 * (scenarios/drill.h) and the journal (scenarios/record.h, resume.h): it opens the drill with its journal,
 * turns the drill's observer callbacks into messages for a sink (the server's routing), and offers the
 * server the few calls it makes. Everything sim-time lives behind it; the server owns wall time and pacing. */
#ifndef SRV_DRILL_H
#define SRV_DRILL_H

#include <stdint.h>

#include <jansson.h>

#include "engine/err.h"
#include "engine/time.h"

typedef struct srv_drill srv_drill;

/* Where the drill's output goes. Messages are CONTRACT §4 objects, borrowed for the call. */
typedef struct srv_drill_sink {
	void *ctx;
	void (*to_team)(void *ctx, const char *zTeam, json_t *msg);      /* one team's connections */
	void (*to_facilitator)(void *ctx, json_t *msg);                  /* facilitator connections */
	void (*to_everyone)(void *ctx, json_t *msg);                     /* every joined connection (unused for now) */
} srv_drill_sink;

/* Opens the scenario with its journal at zDb (created; or, with bResume, re-opened and replayed up to the sim
 * time it had reached). The sink is called from inside srv_drill_* calls only. NULL with err set on failure. */
srv_drill *srv_drill_open(const char *zScenario, const char *zDb, int bResume, const srv_drill_sink *pSink, ky_err *err);
/* Flushes and closes the journal, frees the drill. 0 or the journal's error (the drill is freed anyway). */
int srv_drill_close(srv_drill *d, ky_err *err);

/* Team ids in scenario order (borrowed, valid until close). */
int srv_drill_team_count(const srv_drill *d);
const char *srv_drill_team_id(const srv_drill *d, int i);
/* The organisation a team acts for (borrowed), NULL when the drill declares no orgs. */
const char *srv_drill_team_org(const srv_drill *d, const char *zTeam);
/* The exercise object of a welcome (new ref): for teams without the scenario source or anything that would give
 * away what is coming; for the facilitator everything except the source text. */
json_t *srv_drill_exercise(const srv_drill *d, int bFacilitator);
/* The exercise of team zTeam's welcome: srv_drill_exercise's, with an OEM team's catalog limited to its own org's
 * cohorts, models and regions. New ref. */
json_t *srv_drill_team_exercise(const srv_drill *d, const char *zTeam);

eng_time_t srv_drill_now(const srv_drill *d);
eng_time_t srv_drill_duration(const srv_drill *d);
uint64_t srv_drill_events(const srv_drill *d);
int srv_drill_advance_to(srv_drill *d, eng_time_t t, ky_err *err);

/* One team action of a group (srv_drill_actions). In: borrowed for the call. Out: rc 0 and its sequence and sim
 * time (the same for a resent client id, which changes nothing), or rc < 0 and err. */
typedef struct srv_drill_act {
	const char *zTeam, *zClientId, *zKind, *zInject;
	json_t *pArgs;
	int rc;
	int64_t iSeq;
	eng_time_t t;
	int bRepeat;   /* 1: the client id was already acked or staged before (a resend); rc and seq are its first use's */
	ky_err err;
	/* Set by srv_drill_actions_cb: 1 when the action was answered early (passed to fnDurable); iSeqEarly is the
	 * seq it was answered with (fnDurable saw rc 0) — the applied iSeq should equal it. */
	int bEarly;
	int64_t iSeqEarly;
} srv_drill_act;
/* Actions that arrived together, in arrival order, with one durable commit (group commit): each is validated
 * and its row staged in the journal, the group is committed (one fsync), then they are applied in order at the
 * current sim time. rc 0 means durable and applied. When the commit fails, every action of the group gets that
 * error and none was applied. A client id repeated inside the group, or already known, gets the seq of its first
 * use. An action refused by the drill gets its error and takes no seq. */
void srv_drill_actions(srv_drill *d, srv_drill_act *aAct, int nAct);
/* The same, and once the group's commit has succeeded, before anything of it is applied, calls fnDurable with every
 * action's answer as known then: rc 0 with the seq and sim time it is stored under (staged now, or a repeat), or
 * rc < 0 with the error of an action the drill refused at validation. The ack only promises durability, so the
 * caller can answer there and the group's effects (action records, messages, scores) go out after the answers.
 * An action the world then refuses keeps its ack; the refusal is in its action record (`error`). Not called when
 * the commit fails. After the call every action's fields hold the final outcome as with srv_drill_actions. */
typedef void (*srv_drill_durable_fn)(void *pCtx, const srv_drill_act *aAct, int nAct);
void srv_drill_actions_cb(srv_drill *d, srv_drill_act *aAct, int nAct, srv_drill_durable_fn fnDurable, void *pCtx);
/* A facilitator's ad-hoc inject, recorded durably (for resume) before it goes out. */
int srv_drill_inject(srv_drill *d, json_t *pMsg, ky_err *err);
/* Commits the journal's pending rows (called on a wall-clock timer); 0 or the first recording error. */
int srv_drill_flush(srv_drill *d, ky_err *err);
/* Journals a facilitator's clock control (pause, resume, speed, hold_at, stop) at the drill's current time. */
void srv_drill_control_note(srv_drill *d, const char *zCmd, double speed, int bRunning, eng_time_t tHold);
int srv_drill_grade(srv_drill *d, int64_t iSeq, double points, const char *zComment, ky_err *err);
int srv_drill_read(srv_drill *d, const char *zTeam, const char *zInject, ky_err *err);

/* What a welcome sends after itself (new refs): a team's backlog; a team's current score message, with its
 * `expectations` as that audience sees them (a team: no answer key for open windows; docs/protocol.md); the latest
 * fleet message (NULL before the first sample): the truth with the teams' view under "team_view" for the
 * facilitator, the team's view for a team. */
json_t *srv_drill_backlog(const srv_drill *d, const char *zTeam);
json_t *srv_drill_score_msg(const srv_drill *d, const char *zTeam, int bFacilitator);
json_t *srv_drill_fleet_msg(const srv_drill *d, const char *zTeam);  /* zTeam NULL: the facilitator's (the truth) */
/* The `fleet` message team zTeam gets for a full sample (srv_drill_take_fleet's): what its org observes. New ref. */
json_t *srv_drill_team_fleet(const srv_drill *d, json_t *pFull, const char *zTeam);
/* The rest of a welcome's backlog (new ref, an array of messages; extensions of CONTRACT §4, see docs/protocol.md):
 * for a team (zTeam) its own `action` records (client id, seq, t_us, kind, args, result or error, points and
 * comment once graded) and its `read` receipts; for the facilitator (zTeam NULL) every action record, a `grade`
 * per graded action, every `read` receipt and the timeline of `event`s; the `score_change` messages not tied to an
 * action (an action's are on its record as `effects`); then for both a `fleet_history`. All of it
 * is rebuilt by a --resume's re-simulation, so it comes back after a restart. */
json_t *srv_drill_replay(const srv_drill *d, const char *zTeam);
/* Called once a wall second: refills the live budget of attack facts and, if some were held back, tells the
 * facilitator how many in one `event` of kind `attack.suppressed` (they stay in the welcome's timeline); sends the
 * facilitator an `impact` message (harm averted so far against the baseline run at start, docs/protocol.md) when
 * the sim time moved, and the final one with each team's attribution once the drill has ended and it is computed. */
void srv_drill_tick(srv_drill *d);
/* The drill is over (its end, or the facilitator's stop): starts the per-team attribution of what was played up to
 * now, in a child process (once). */
void srv_drill_finish(srv_drill *d);
/* The latest fleet message if a new sample came since the last call (new ref), else NULL. Samples are
 * coalesced: the sink never gets fleet messages directly; the server sends this once per step. */
json_t *srv_drill_take_fleet(srv_drill *d);

/* Token hashes kept in the journal: {"facilitator":HEX,"teams":{ID:HEX}} (new ref), or NULL when the journal has
 * none yet. srv_drill_store_tokens writes them (durably) for a later --resume. */
json_t *srv_drill_load_tokens(srv_drill *d);
int srv_drill_store_tokens(srv_drill *d, json_t *pHashes, ky_err *err);

/* ---- the hot wash (docs/protocol.md `feedback`, `name`) ---- */
/* The display name of the participant who sent action (zTeam, zClientId), given before the group that stores it:
 * the journal keeps it (actors) and the action's record says `by`. 0, or the journal's error (the action goes on). */
int srv_drill_actor(srv_drill *d, const char *zTeam, const char *zClientId, const char *zName);
/* A participant's answers to the feedback form (borrowed), durable when this returns 0. */
int srv_drill_feedback(srv_drill *d, const char *zTeam, const char *zParticipant, const char *zName, json_t *pAnswers, ky_err *err);
/* {"type":"hotwash","answered":N,"teams":{TEAM:N}}: how many participants answered (new ref). */
json_t *srv_drill_hotwash_msg(const srv_drill *d);

/* The drill's `kyodo run --json` summary (state_hash included), new ref: for tests and reports. */
json_t *srv_drill_summary(const srv_drill *d);

/* Sim time the journal says was reached before a --resume (0 for a new drill). */
eng_time_t srv_drill_resumed_at(const srv_drill *d);

#endif
