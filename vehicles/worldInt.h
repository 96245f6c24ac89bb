/* worldInt: the world's internal structures, shared by world.c (configuration, events, services, metrics),
 * attack.c (scenario verbs), respond.c (team actions) and codec.c (snapshot, restore, state hash).
 * The design notes live here; the model's numbers and their sources are in docs/world-model.md.
 *
 * Time: the world keeps sim seconds (uint32) per car; events run in eng_time_t microseconds.
 * Check-ins: a timing wheel of nSlot slots of width slotUs over one check-in period. Each car has a fixed phase
 * (seconds into the period, drawn once from the "veh.phase" stream); the cars of a slot are a contiguous run of
 * aSlotCar (CSR by slot, car ids ascending inside a slot). One "veh.tick" event is pending at a time: it runs the
 * next non-empty slot and re-arms itself, so a million cars cost one heap entry, not a million.
 * Randomness: "veh.tick" (check-ins: churn, jitter, IDS), "veh.ota" (durations, outcomes), "veh.attack" (victim
 * choice), "veh.vsoc"; each stream's state is part of the snapshot.
 * Counters kept incrementally, so that a metrics read costs O(services + campaigns) whatever the fleet size: nComp
 * (and per attack campaign), nOffline, nBricked, nPatched, nRevoked, aOtaN (cars per OTA state) and per OTA campaign
 * nBusy, nFlagged. Every state transition of a car updates them where it happens: compromise through veh__comp_set/clear,
 * OTA state through veh__ota_set, the patched/revoked flags next to the line that flips them. The snapshot stores
 * nComp, nOffline and nBricked (restore checks them against the columns) and restore recounts the others. */
#ifndef VEH_WORLD_INT_H
#define VEH_WORLD_INT_H

#include "vehicles/fleet.h"
#include "vehicles/sbom.h"
#include "vehicles/world.h"

enum { VEH_SVC_TELEMATICS, VEH_SVC_OTA, VEH_SVC_VSOC, VEH_SVC_PKI, VEH_SVC_APP_API, VEH_SVC_N };
enum { VEH_H_UP, VEH_H_DEGRADED, VEH_H_DOWN, VEH_H_COMPROMISED, VEH_H_N };
#define VEH_ENTRY_SVC 8   /* aEntry >= 8: entered through service (aEntry - 8) */
#define VEH_CAMP_MAX 250
#define VEH_OTA_MAX 250
#define VEH_CATALOG_COMPONENTS 2000   /* component suggestions in the catalog */

typedef struct veh_service {
	int health;            /* VEH_H_* */
	int bIsolated;         /* taken offline by a team */
	eng_time_t tDownSince; /* when it became unusable (down or isolated), -1 if usable */
	eng_time_t downUs;     /* accumulated unusable time before tDownSince */
} veh_service;

typedef struct veh_campaign {      /* an attack campaign, keyed by its C2 indicator */
	char azInd[4][96];             /* indicators: azInd[0] is the C2 address */
	int nInd;
	char zTechnique[48];
	char *zSel;                    /* the target selector as JSON text (for spread), never NULL */
	int entry;                     /* entry point (ECU index or VEH_ENTRY_SVC + service) */
	int bPersist;
	int bStopped;                  /* stopped by the scenario (attack.stop) */
	int bBlocked;                  /* C2 blocked (block_indicator after its delay) */
	eng_time_t tBlockAt;           /* pending block time, -1 none */
	eng_event_id blockId;
	int64_t recordsPerBeacon;      /* exfiltration per active car check-in (attack.exfiltrate) */
	int64_t nComp;                 /* cars compromised by it now */
	int64_t nQueued;               /* true alerts waiting in the VSOC queue */
	int bIncident;                 /* the VSOC has opened an incident for it */
} veh_campaign;

typedef struct veh_ota_camp {
	int iEcu;
	uint32_t ver;
	char *zSel;
	veh_selector sel;
	double rollout;                /* fraction of the targeted cars offered per hour */
	double brick;                  /* probability that an install bricks the car */
	int iAttack;                   /* malicious: attack campaign index, else -1 */
	eng_time_t tStart;
	int64_t nTarget, nOffered, nDone, nFailed, nBricked;
	int64_t nBusy;                 /* cars offered, downloading or installing it now (derived, not in the snapshot) */
	int bDoneFact;
	int bRevoked;                  /* malicious: its signing key was revoked, cars reject the package */
	int bPaused;                   /* paused by a team: no new offers; offered and downloading cars wait */
} veh_ota_camp;

typedef struct veh_params {
	eng_time_t checkinPeriod, slotWidth, jitter;
	double offlineFrac;
	eng_time_t offlineMean;
	double idsDetect, idsFp;
	eng_time_t vsocInterval;
	double vsocPerHour;
	eng_time_t blockDelay;
	eng_time_t dlMin, dlMax, instMin, instMax;
	double otaFail, otaBrick;
	double pkiPerHour;
	double appCmdPerDay;
	double degradedLoss;
	int64_t recordsPerCar;
} veh_params;

struct veh_world {
	eng_sim *sim;
	uint32_t kTick, kVsoc, kBlock;
	veh_fleet f;
	veh_sbom *pSb;                 /* SBOMs and VEX statements (owned) */
	veh_params p;
	veh_service aSvc[VEH_SVC_N];
	veh_campaign *aCamp;
	int nCamp;
	veh_ota_camp *aOta;
	int nOta;
	/* timing wheel */
	uint32_t nSlot;
	uint32_t *aSlotStart;          /* nSlot + 1 */
	uint32_t *aSlotCar;            /* n */
	uint64_t iSlotNext;            /* global index of the next slot to run (slot = i % nSlot) */
	eng_time_t tStart;
	eng_event_id tickId, vsocId;
	eng_time_t tTick, tVsoc;       /* when they are due, -1 none */
	eng_rng rTick, rOta, rAttack, rVsoc;
	/* counters */
	int64_t nComp, nOffline, nBricked;
	int64_t nFlagged;              /* cars with VEH_F_FLAGGED: the compromised cars the owner's detection has seen */
	int64_t nPatched, nRevoked;    /* cars with VEH_F_PATCHED, VEH_F_REVOKED */
	int64_t aOtaN[VEH_OTA_FAILED + 1];  /* cars per OTA state (VEH_OTA_*) */
	eng_time_t tCompLast;
	double compCarUs;
	int64_t nRecords, nUnsafe, nCustomers, nCheckins, nAlerts, nFalseQueued, nIncidents;
	int64_t nCmd, nCmdFailed, nRecvTrue, nRecvFalse;
	double cmdFrac, pkiFrac;
	int64_t nRevokedWaiting;
	uint64_t nCarEvents;
	int bStarted;
	veh_fact_fn fnFact;
	void *pFactCtx;
};

/* The thresholds of one check-in slot (world.c computes them once per slot; ota.c reads them). */
typedef struct tick_ctx {
	uint32_t thrOff, thrOn, thrFp, thrDetect, thrLoss;
	int bReach;          /* telematics accepts check-ins */
	int bDegraded;
	int bOta;            /* OTA server usable */
	uint32_t periodS;
} veh__tick_ctx;

/* state.c */
void veh__fact(veh_world *w, const char *zKind, const char *zSubject, json_t *detail);  /* steals detail */
void veh__comp_account(veh_world *w);
void veh__comp_set(veh_world *w, uint32_t i, int iCamp, int entry, int bPersist);
void veh__comp_clear(veh_world *w, uint32_t i);
int veh__svc_usable(const veh_world *w, int iSvc);
int veh__svc_index(const char *z);
const char *veh__svc_name(int iSvc);
const char *veh__health_name(int h);
int veh__health_index(const char *z);
void veh__svc_set(veh_world *w, int iSvc, int health, int bIsolated);
int veh__camp_active(const veh_world *w, int iCamp);
/* world.c */
int veh__sched_tick(veh_world *w, eng_time_t t);
int veh__sched_vsoc(veh_world *w, eng_time_t t);
int veh__sched_block(veh_world *w, int iCamp, eng_time_t t);
/* ota.c: a new campaign; a car's OTA step at its check-in; completion facts (every vsoc.interval) */
/* Does the fleet still accept campaign c's package? (always for a genuine one) */
int veh__ota_accepted(const veh_world *w, const veh_ota_camp *c);
void veh__ota_step(veh_world *w, const veh__tick_ctx *x, uint32_t i, uint32_t tS, eng_time_t now);
void veh__ota_progress_facts(veh_world *w);
int veh__ota_add(veh_world *w, json_t *sel, const char *zWhere, int iEcu, uint32_t ver, double rollout, double brick,
                 int iAttack, int *piOta, ky_err *err);
/* assess.c: cars whose firmware contains zComp (a query, sbom.h); *pBy (may be NULL) gets {model: cars}. */
int64_t veh__affected(const veh_world *w, const char *zComp, json_t **pBy, ky_err *err);
/* The verb sbom.affected and the action assess (docs/sbom.md). */
int veh__sbom_query(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err);
int veh__assess(veh_world *w, const char *zKind, json_t *args, json_t **result, ky_err *err);
/* The names a VEX statement's status, justification and response take (NULL-terminated; action.c's enums). */
extern const char *const veh__vex_statuses[], *const veh__vex_justifications[], *const veh__vex_responses[];
int veh__params_valid(const veh_params *p);   /* every parameter within its documented range (world.c) */
/* argument helpers: 0 and *pOut (def when absent) or an error naming zWhere.zField */
int veh__arg_fraction(json_t *args, const char *zField, double def, const char *zWhere, double *pOut, ky_err *err);
int veh__arg_time(json_t *args, const char *zField, eng_time_t def, const char *zWhere, eng_time_t *pOut, ky_err *err);
int veh__arg_string(json_t *args, const char *zField, const char *def, const char *zWhere, const char **pOut,
                    ky_err *err);
/* A non-negative whole number (a JSON integer, or a real such as Lua's 1e3 with no fraction) into *pOut: 1, else 0. */
static inline int veh__count(json_t *v, int64_t *pOut) {
	double x = json_is_integer(v) ? (double)json_integer_value(v) : json_is_real(v) ? json_real_value(v) : -1;
	if (!(x >= 0 && x <= 9007199254740992.0) || x != (double)(int64_t)x) return 0;
	*pOut = json_is_integer(v) ? json_integer_value(v) : (int64_t)x;
	return 1;
}
/* Sets car i's OTA state and campaign (index + 1), keeping aOtaN and the campaigns' nBusy exact. */
static inline int veh__ota_busy(unsigned st) { return st >= VEH_OTA_OFFERED && st <= VEH_OTA_INSTALLING; }
static inline void veh__ota_set(veh_world *w, uint32_t i, uint8_t st, uint8_t iCamp1) {
	veh_fleet *f = &w->f;
	uint8_t old = f->aOta[i];
	w->aOtaN[old]--;
	if (veh__ota_busy(old)) w->aOta[f->aOtaCamp[i] - 1].nBusy--;
	f->aOta[i] = st;
	f->aOtaCamp[i] = iCamp1;
	w->aOtaN[st]++;
	if (veh__ota_busy(st)) w->aOta[iCamp1 - 1].nBusy++;
}
/* attack.c: the scenario verbs; action.c: the table of team action kinds, whose effects are in respond.c */
int veh__call(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err);
int veh__action(veh_world *w, const char *zTeam, const char *zKind, json_t *args, json_t **result, ky_err *err);
/* respond.c: one effect per world-changing kind (args already checked against the kind's schema by the drill; each
 * still refuses what it cannot apply, naming the field). */
typedef int veh__act_fn(veh_world *w, const char *zTeam, const char *zKind, json_t *args, json_t **result, ky_err *err);
veh__act_fn veh__act_block, veh__act_isolate, veh__act_restore, veh__act_revoke, veh__act_ota, veh__act_disable,
	veh__act_assess, veh__act_ota_pause, veh__act_ota_resume;

#endif
