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
#include <lua.h>

#include "engine/rng.h"
#include "engine/score.h"
#include "engine/sim.h"
#include "scenarios/drill.h"
#include "scenarios/sandbox.h"
#include "vehicles/world.h"

#define SCN_MAX_OBS 8
#define SCN_MAX_CB_ERRORS 5
#define SCN_MAX_INJECTS 20000     /* per drill, declared and sent from callbacks */
#define SCN_MAX_CALLBACKS 20000   /* at/after/every/when/on registrations per drill */

typedef struct scn_inject_def {
	char *zId;
	int line;            /* declaring line (0: facilitator or runtime) */
	eng_time_t at;       /* when it is due (-1: sent at once) */
	json_t *to;          /* array of team ids ("all" expanded at validation) */
	json_t *msg;         /* {"type":"inject","id","severity","title","body"} (t_us added when sent) */
	json_t *expects;     /* array of {"action","args","within_us","points","team","label","line"} */
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

typedef struct scn_action_rec {
	int64_t seq;
	char *zTeam, *zClientId;
	eng_time_t t;
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
	json_t *teams;        /* array of {"id","name"} */
	int bFleet;

	eng_sim *sim;
	veh_world *world;
	eng_score *score;
	scn_sandbox *sb;
	lua_State *L;
	eng_rng rngLua;

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

	json_t *backlog;       /* {TEAM: [protocol messages...]} */
	scn_observer aObs[SCN_MAX_OBS];
	int nObs;
	int64_t nScenarioErrors, nLog;
	int64_t nInjectsSent;
};

/* script.c: registers the scenario API in the sandbox's _ENV; 0 or KY_E*. */
int scn_script_register(scn_drill *d, ky_err *err);
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
int scn_drill__action_kind_known(const char *zKind);

#endif
