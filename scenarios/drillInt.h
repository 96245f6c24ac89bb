/* drillInt: the drill's internals shared by drill.c (runtime: engine events, actions, observers) and script.c
 * (the Lua scenario API). Nothing outside scenarios/ includes this; the design notes live here.
 *
 * Life of a drill: scn_drill_open creates the sim (seed), the world, the score and the sandbox; registers the
 * scenario API in the sandbox's _ENV (script.c); runs the file's top-level chunk, which declares scenario{},
 * teams{}, fleet{}, sbom{}, injects, timers, conditions and handlers; validates what could only be checked at the
 * end (teams named in `to`, expectations' teams); then starts the world and schedules: every inject with `at`,
 * every at/every timer, the metric sample (SCN_DRILL_SAMPLE_US; it also evaluates the when() conditions and
 * closes expectation windows) and the snapshot tick. Everything after that happens inside engine events
 * (scn_drill_advance_to) or in scn_drill_action/inject/grade/read calls between two advances. */
#ifndef SCN_DRILL_INT_H
#define SCN_DRILL_INT_H

#include <stdint.h>

#include <jansson.h>

#include "engine/rng.h"
#include "engine/score.h"
#include "engine/sim.h"
#include "scenarios/drill.h"
#include "vehicles/world.h"

#define SCN_MAX_OBS 8
#define SCN_MAX_CB_ERRORS 5
#define SCN_MAX_INJECTS 20000     /* per drill, declared and sent from callbacks */
#define SCN_MAX_CALLBACKS 20000   /* at/after/every/when/on registrations per drill */

typedef struct scn_script scn_script;

/* What the drill needs of the scenario's Lua (script.c sets it): callbacks are registry refs (ints) the drill
 * keeps in its tables; it calls them through these hooks, each under the sandbox's instruction budget. A runtime
 * error is reported as a "scenario.error" event (file:line) by the hook, which then returns -1. */
typedef struct scn_script_ops {
	/* at/after/every and a when's body: called with the sim time in seconds. 1 ran (an `every` goes on), 0 it
	 * returned false (an `every` stops), -1 error. */
	int (*call_timer)(scn_drill *d, int ref, const char *zWhat);
	/* a when() condition: 1 true, 0 false, -1 error */
	int (*test)(scn_drill *d, int ref, const char *zWhat);
	/* an on() handler, with arg (borrowed) as its one argument; what it returned when that is a table (new ref, as
	 * JSON), else NULL */
	json_t *(*call_on)(scn_drill *d, int ref, json_t *arg, const char *zWhat);
} scn_script_ops;

typedef struct scn_inject_def {
	char *zId;
	int line;            /* declaring line (0: facilitator or runtime) */
	eng_time_t at;       /* when it is due (-1: sent at once) */
	json_t *to;          /* array of team ids ("all" expanded at validation) */
	json_t *msg;         /* {"type":"inject","id","severity","title","body"} (t_us added when sent) */
	json_t *expects;     /* array of {"action","args","within_us","points","team","label","objective","notes","line"} */
	char *zNotes;        /* the facilitator's notes (MSEL `notes`; never sent to a team), may be NULL */
	int bSent, bRegistered;
} scn_inject_def;

enum { SCN_TIMER_AT = 0, SCN_TIMER_EVERY, SCN_TIMER_WHEN, SCN_TIMER_ON };

typedef struct scn_callback {
	int type;            /* SCN_TIMER_* */
	int fnRef, condRef;  /* registry refs (condRef for when) */
	int line;
	eng_time_t t, period, stop;
	int64_t fires;
	int nErrors;         /* runtime errors so far; an `every` stops at SCN_MAX_CB_ERRORS */
	int bDone;           /* a when that fired, an every that stopped, a callback that failed its condition */
	char zEvent[32];     /* on(): the event name */
} scn_callback;

/* A team action the drill has given a seq: staged (checked, recorded, not yet applied) until scn_drill_action_apply.
 * Records from nApplied on are staged. Kind, args and inject are kept after apply too: the impact figures re-run
 * the drill without some teams' actions (impact.h), and `kyodo serve` does so at the end of a drill. */
typedef struct scn_action_rec {
	int64_t seq;
	char *zTeam, *zClientId;
	eng_time_t t;
	char *zKind, *zInject;
	json_t *pArgs;
} scn_action_rec;

struct scn_drill {
	char *zPath, *zDir, *zBase;  /* the file, its folder, its name */
	char *zSource;
	size_t nSource;
	char zSha[65];

	/* scenario{} */
	int bScenario;
	char *zId, *zTitle, *zDesc;
	eng_time_t duration;
	uint64_t scenarioSeed, seed;
	json_t *techniques;   /* array of strings */
	json_t *files;        /* {NAME: text} of the files the scenario loaded beside it (sbom.load), for the journal */
	json_t *malware, *tools; /* arrays of strings (scenario{ malware = {..}, tools = {..} }): for the STIX export */
	int bTruthVisible;    /* scenario{ visibility = "truth" }: the teams' fleet views show the truth */
	json_t *teams;        /* array of {"id","name","org"?} (org: with orgs{}, the organisation the team acts for) */
	int bFleet;

	eng_sim *sim;
	veh_world *world;
	eng_score *score;
	scn_script *script;              /* the scenario's Lua state (script.c); the drill never touches Lua itself */
	const scn_script_ops *ops;       /* how the drill calls back into it */

	uint32_t kInject, kTimer, kSample, kSnapshot;
	int bLoading, bStarted, bEnded, bCheckOnly;
	int nAutoInject;
	scn_inject_def injScratch;  /* the inject being parsed (freed by the drill if a Lua error interrupts it) */

	scn_inject_def *aInj;
	int nInj, nInjAlloc;
	scn_callback *aCb;
	int nCb, nCbAlloc;
	scn_action_rec *aAct;
	int64_t nAct, nActAlloc;
	int64_t nApplied;      /* aAct[0..nApplied) are applied, the rest staged */
	int64_t nRefused;      /* applied actions the world refused */
	json_t *actSchemas;    /* veh_action_schemas of this drill (teams and parties known at the end of loading) */
	json_t *parties;       /* extra parties a notify may name (parties{}), array of ids */
	json_t *partyNames;    /* {id: name} of the parties{} that gave a name (for the pages) */
	json_t *dashboard;     /* dashboard{}: {"tiles":[{"metric","label"?}],"series":[{"metric","label"?,"axis"}]}, or NULL */
	json_t *dashboardDefs; /* [{"metric","what","line"}] checked against the world's metrics at the end of loading */
	json_t *penaltyDefs;   /* [{"action","args","team","line"}] for checking once the schemas are known */
	json_t *outcomeDefs;   /* [{"metric","line"}] likewise */

	json_t *backlog;       /* {TEAM: [protocol messages...]} */
	json_t *inputs;        /* every applied input, in order (scn_drill_inputs_json) */
	json_t *shares;        /* with orgs: every share delivered, as journaled (share.c), for relays */
	scn_observer aObs[SCN_MAX_OBS];
	int nObs;
	int64_t nScenarioErrors, nLog;
	int64_t nInjectsSent;
};

/* script.c: the scenario's Lua life: a sandbox with the scenario API in its _ENV, the file loaded and its top level
 * run (declarations fill the drill; d->bLoading is set meanwhile); sets d->script and d->ops. 0 or KY_E* with err
 * "FILE:LINE: message". scn_script_close frees it (NULL-safe), before the world it may refer to. */
int scn_script_open(scn_drill *d, ky_err *err);
void scn_script_close(scn_drill *d);
/* script.c: splits "FILE:LINE: rest" (a sandbox error) at the position; 0, or -1 when it has none. */
int scn_script_split_pos(const char *zMsg, size_t *pnPos, const char **pzRest);
/* script.c: checks what needed the whole file (teams of injects and expectations); "FILE:LINE: msg". */
int scn_script_validate(scn_drill *d, ky_err *err);
/* script.c: registers an inject's expectations with the score (once); err names the inject's line. */
int scn_script_register_expects(scn_drill *d, scn_inject_def *inj, ky_err *err);
/* script.c: frees an inject definition's fields and zeroes it. */
void scn_script_free_inject(scn_inject_def *inj);

/* drill.c: what script.c needs of the runtime. */
int scn_drill__add_inject(scn_drill *d, scn_inject_def *inj, ky_err *err);  /* steals inj's fields */
int scn_drill__send_inject(scn_drill *d, int iInj);
int scn_drill__add_callback(scn_drill *d, const scn_callback *cb, ky_err *err);
void scn_drill__event(scn_drill *d, const char *zKind, const char *zSubject, json_t *detail);
void scn_drill__script_error(scn_drill *d, const ky_err *err, const char *zWhat);
void scn_drill__message(scn_drill *d, json_t *msg);  /* steals msg; delivers to its "to" */
int scn_drill__team_known(const scn_drill *d, const char *zTeam);
/* share.c: applies a team's share (its TLP across orgs, relay, ingest, the journal's "share" event); *pResult (new
 * ref, may be NULL without orgs) says who received it. A relay the sender may not make is refused (err). */
int scn_drill__share(scn_drill *d, const scn_action_rec *r, json_t **pResult, ky_err *err);
/* A notify accepted by the world whose party is an organisation: a message to that organisation's teams (share.c). */
void scn_drill__notify(scn_drill *d, const scn_action_rec *r);
/* share.c: the organisation team zTeam acts for (borrowed), NULL without orgs or for an unknown team. */
const char *scn_drill__team_org(const scn_drill *d, const char *zTeam);
/* names.c: the static scan of service and credential names (entry, via, service, credential, a service call's name)
 * in the whole source, callbacks included; "FILE:LINE: message" naming the known names. */
int scn_names_check(const scn_drill *d, ky_err *err);
/* drill.c: builds d->actSchemas from the world and the declared teams and parties (end of loading). */
int scn_drill__build_schemas(scn_drill *d, ky_err *err);

#endif
