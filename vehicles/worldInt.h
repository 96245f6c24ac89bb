/* worldInt: the world's internal structures, shared by world.c (configuration, events, services, metrics),
 * attack.c (scenario verbs), respond.c (team actions) and codec.c (snapshot, restore, state hash).
 * The design notes live here; the model's numbers and their sources are in docs/world-model.md.
 *
 * Time: the world keeps sim seconds (uint32) per car; events run in eng_time_t microseconds.
 * Check-ins: a timing wheel of nSlot slots of width slotUs over one check-in period. Each car has a fixed phase
 * (seconds into the period, drawn once from the "veh.phase" stream); the cars of a slot are runs of aRun (CSR by
 * slot; within a cohort phases ascend with the car id, so a slot holds one run of ids per cohort, kept as (first,
 * count, cohort): no index per car, and a tick walks the columns sequentially). One "veh.tick" event is pending at a time: it runs the
 * next non-empty slot and re-arms itself, so a million cars cost one heap entry, not a million.
 * Randomness: "veh.tick" (check-ins: churn, jitter, IDS), "veh.ota" (durations, outcomes), "veh.attack" (victim
 * choice), "veh.vsoc"; each stream's state is part of the snapshot.
 * Counters kept incrementally, so that a metrics read costs O(orgs x services + campaigns) whatever the fleet size:
 * per organisation (veh_counts) nComp, nOffline, nBricked, nFlagged, nPatched, nRevoked, aOtaN (cars per OTA
 * state), per attack campaign nComp and per OTA campaign nBusy. Every state transition of a car updates them where it happens:
 * compromise through veh__comp_set/clear, OTA state through veh__ota_set, the patched/revoked flags next to the line
 * that flips them. The snapshot stores nComp, nOffline and nBricked (restore checks them against the columns) and
 * restore recounts the others. World totals are the sums over organisations (veh__totals).
 *
 * Organisations (org.c). Everything that belongs to one organisation lives in its veh_org: its backend services, the
 * counters of its cars, and its view of each attack campaign (the true alerts its VSOC holds, its incident, whether
 * its gateway blocks the campaign's C2). A drill that declares no orgs has one implicit organisation, index 0, which
 * owns every cohort and the only backend: the code has one path, and the snapshot of such a world is byte for byte
 * the KYW2 format of before organisations existed (codec.c). A cohort names its org (veh_cohort.iOrg), so a car's
 * org is aCohOrg[aCohort[i]]: no byte per car. An attack campaign spans organisations (one C2 can reach several
 * OEMs' cars); it is active for a car unless stopped by the scenario or blocked by that car's org. What an org
 * observes (its flagged cars, its VSOC's incidents, its monitoring of its backend) is kept in its veh_org too.
 *
 * Declared services, credentials, recalls (svc.c, recall.c). A drill may declare backend services of its story
 * (services{}: a dealer management system, a charge-point operator, an MNO's SMS gateway) beside the built-in ones.
 * They share one index space with them: s < VEH_SVC_N is a built-in service (one per OEM org, in veh_org.aSvc),
 * VEH_SVC_N <= s < VEH_SVC_N + nSvcX is declared service s - VEH_SVC_N (one in the world, owned by one org, in
 * aSvcX); veh__svc_at / _usable / _set take either, so attack entries, spread paths and team actions need no second
 * path. Credentials (credentials{}: service accounts, API keys, signing keys) reach services; an attack step that
 * names one works only while the attacker holds its current generation (leakedGen == gen); rotate_credential bumps
 * gen (the stolen copy is dead at once) and holds the services that use it degraded for its rotation time (a
 * "veh.rotate" event, registered with the first credential so that drills without any keep their event kinds).
 * Recalls (recall.c) patch cars at dealers at a rate per day, in the "veh.vsoc" event. None of this is in the KYW2/KYW3
 * body: a world that declares none of them writes the same bytes as before (same state hash); one that does writes
 * KYW4, the same body plus an extension section (codec.c). The harm they cause (customer-hours without a declared
 * service, dealer visits) is kept beside the counters: veh__customer_hours_extra is the hook for the harm index.
 *
 * Harm (harm.c, docs/world-model.md §10): the harm index is a weighted sum of five quantities, each kept as it
 * changes and per organisation (veh_counts), so that a metrics read is O(orgs x services). Two are integrals over
 * time, advanced by veh__comp_account before every change of what they integrate (and at the start of every event):
 * car-hours compromised (compCarUs, over nComp) and customer-hours without a service (custUs, over
 * veh__customers_now: each of the org's customers for each of its customer-facing backend services that is unusable,
 * plus nCarLoss, the services single cars have lost: a revoked certificate, a bricked car, each disabled feature;
 * plus veh__customer_hours_extra, the declared services and recalls). Three are counts: records exfiltrated
 * (nRecords), unsafe events (nUnsafe), cars bricked (nBricked). Every change of a car's revoked/bricked flags or its
 * disabled features goes through veh__loss_begin / veh__loss_end around it. The customer-hours integral and what the
 * incident has used (svcPath, featAbused, azAbuseSel, azTargetSel: what makes an action "effective") are kept out of the
 * hashed body, so the state hash of a world is what it was before the harm index existed: the snapshot carries them
 * in an optional trailer the hash does not cover (codec.c). */
#ifndef VEH_WORLD_INT_H
#define VEH_WORLD_INT_H

#include <assert.h>

#include "vehicles/fleet.h"
#include "vehicles/sbom.h"
#include "vehicles/world.h"

enum { VEH_SVC_TELEMATICS, VEH_SVC_OTA, VEH_SVC_VSOC, VEH_SVC_PKI, VEH_SVC_APP_API, VEH_SVC_N };
enum { VEH_H_UP, VEH_H_DEGRADED, VEH_H_DOWN, VEH_H_COMPROMISED, VEH_H_N };
/* Kinds of organisation (CONTRACT §2 orgs{}): only an OEM has cars and a backend. */
enum { VEH_ORG_OEM, VEH_ORG_SUPPLIER, VEH_ORG_ISAC, VEH_ORG_SOC, VEH_ORG_REGULATOR, VEH_ORG_KIND_N };
#define VEH_ENTRY_SVC 8   /* aEntry >= 8: entered through service (aEntry - 8) */
#define VEH_CAMP_MAX 250
#define VEH_OTA_MAX 250
#define VEH_ORG_MAX 32
#define VEH_ABUSE_SEL_MAX 8
#define VEH_TARGET_SEL_MAX 16  /* target selectors of attack steps kept for the incident (the first ones) */
#define VEH_SVCX_MAX 32    /* declared services per drill (aEntry = 8 + service index must fit a byte) */
#define VEH_CRED_MAX 64    /* declared credentials (a service mask is 64 bits: VEH_SVC_N + VEH_SVCX_MAX fits) */
#define VEH_RECALL_MAX 64  /* recall campaigns */
enum { VEH_CRED_SERVICE_ACCOUNT, VEH_CRED_API_KEY, VEH_CRED_SIGNING_KEY, VEH_CRED_KIND_N };
#define VEH_CATALOG_COMPONENTS 2000   /* component suggestions in the catalog */

typedef struct veh_service {
	int health;            /* VEH_H_* */
	int bIsolated;         /* taken offline by a team */
	eng_time_t tDownSince; /* when it became unusable (down or isolated), -1 if usable */
	eng_time_t downUs;     /* accumulated unusable time before tDownSince */
} veh_service;

/* A declared service (services{}), index VEH_SVC_N + k in the service space (see the notes above). */
typedef struct veh_svcx {
	char zId[33];
	char zName[128];
	char zOperator[33];    /* the outside party that runs it ("" : its org runs it); teams cannot isolate it */
	int iOrg;              /* whose service (its customers, its data): 0 without orgs */
	int64_t nCustomers;    /* customers who use it directly (configuration) */
	double degradedLoss;   /* share of its customers a degraded service fails (configuration, default 0.5) */
	veh_service s;
	eng_time_t tDegSince;  /* degraded and usable since, -1 */
	eng_time_t degUs;      /* accumulated degraded time before tDegSince */
} veh_svcx;

/* A declared credential (credentials{}). */
typedef struct veh_cred {
	char zId[65];
	char zName[128];
	char zHeldBy[33];      /* a team or org id, as declared */
	int kind;              /* VEH_CRED_* */
	int iHolder;           /* the holder's org (with orgs; else 0) */
	int iOrg;              /* whose built-in services it reaches (with orgs; else 0) */
	uint64_t reach;        /* bit s: the services it opens (service space) */
	uint64_t usedBy;       /* bit s: the services that need it (degraded while it rotates) */
	eng_time_t rotation;   /* how long a rotation holds them degraded */
	int bLeakedAtStart;    /* configuration: the attacker holds it from the start */
	/* state */
	int64_t gen;           /* rotations so far */
	int64_t leakedGen;     /* the generation the attacker holds, -1 none */
	eng_time_t tRotEnd;    /* a rotation under way ends then, -1 none */
	eng_event_id rotId;
	uint64_t heldDeg;      /* services this rotation set degraded (set back up at its end) */
	int64_t nUses;         /* attack steps that used it */
} veh_cred;

/* A recall campaign (recall action): cars come to dealers and get the ECU re-flashed. */
typedef struct veh_recall {
	int iEcu;
	uint32_t ver;
	int iOrg;
	int iVia;              /* a service the dealers need (service space), -1 none */
	char *zSel;
	veh_selector sel;
	double perDay;         /* share of the targeted cars that come in per day */
	double uptake;         /* share that ever comes */
	eng_time_t visitUs;    /* a customer's time per visit */
	eng_time_t activeUs;   /* time the dealers could work on it (its via service usable) */
	int64_t nTarget, nDone;
	uint64_t cursor;       /* next position in the visiting order */
} veh_recall;

typedef struct veh_campaign {      /* an attack campaign, keyed by its C2 indicator; it may span organisations */
	char azInd[4][96];             /* indicators: azInd[0] is the C2 address */
	int nInd;
	char zTechnique[48];
	char *zSel;                    /* the target selector as JSON text (for spread), never NULL */
	int entry;                     /* entry point (ECU index or VEH_ENTRY_SVC + service) */
	int bPersist;
	int bStopped;                  /* stopped by the scenario (attack.stop) */
	int64_t recordsPerBeacon;      /* exfiltration per active car check-in (attack.exfiltrate) */
	int64_t nComp;                 /* cars compromised by it now */
	int iCred;                     /* the credential it uses (index + 1, 0 none): its service paths need it */
} veh_campaign;

typedef struct veh_ota_camp {
	int iEcu;
	uint32_t ver;
	int iOrg;                      /* the organisation whose OTA server runs it (its cars only) */
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
	eng_time_t tQuota;             /* cache: the quota below was computed at this time (-1 never; not in the snapshot) */
	double quota;                  /* cars it may have offered by tQuota */
} veh_ota_camp;

/* The counters of one organisation's cars and backend; the world's totals are their sums (veh__totals). */
typedef struct veh_counts {
	int64_t nComp, nOffline, nBricked, nPatched, nRevoked;
	int64_t nFlagged;                   /* cars with VEH_F_FLAGGED: the compromised cars its detection has seen */
	int64_t aOtaN[VEH_OTA_FAILED + 1];  /* cars per OTA state (VEH_OTA_*) */
	double compCarUs;                   /* car-microseconds spent compromised, up to the world's tCompLast */
	int64_t nRecords, nUnsafe, nCustomers, nCheckins, nAlerts, nFalseQueued, nIncidents;
	int64_t nCmd, nCmdFailed, nRecvTrue, nRecvFalse;
	double cmdFrac, pkiFrac;
	int64_t nRevokedWaiting;
	/* harm (harm.c): not in the hashed body of the snapshot */
	double custUs;                      /* customer-microseconds without a service, up to the world's tCompLast */
	int64_t nCarLoss;                   /* services single cars have lost now: revoked + bricked + features off */
	int64_t nCarDeprived;               /* cars that have lost at least one of them now */
} veh_counts;

/* One organisation (see the notes above). */
typedef struct veh_org {
	char zId[33];
	char zName[128];
	int kind;                            /* VEH_ORG_* */
	eng_time_t ingest;                   /* automated ingestion of shared indicators after this delay; -1 none */
	int64_t nCars;                       /* its fleet (configuration) */
	veh_service aSvc[VEH_SVC_N];         /* its backend (used only when it has cars) */
	veh_counts c;
	/* its view of each attack campaign */
	int64_t aQueued[VEH_CAMP_MAX];       /* true alerts waiting in its VSOC */
	uint8_t aIncident[VEH_CAMP_MAX];     /* its VSOC opened an incident */
	uint8_t aBlocked[VEH_CAMP_MAX];      /* its gateway blocks the campaign's C2 */
	eng_time_t aBlockAt[VEH_CAMP_MAX];   /* a block pending at this time, -1 none */
	eng_event_id aBlockId[VEH_CAMP_MAX];
} veh_org;

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

/* A run of the check-in wheel: cars [iFirst, iFirst + nCount) of cohort iCoh share a slot. */
typedef struct veh__run {
	uint32_t iFirst, nCount;
	uint16_t iCoh;
} veh__run;

struct veh_world {
	eng_sim *sim;
	uint32_t kTick, kVsoc, kBlock;
	veh_fleet f;
	veh_sbom *pSb;                 /* SBOMs and VEX statements (owned) */
	veh_params p;
	veh_org *aOrg;                 /* nOrg >= 1 (org 0 implicit while bOrgs == 0) */
	int nOrg;
	int bOrgs;                     /* the drill declared its organisations */
	uint8_t *aCohOrg;              /* per cohort: its org (a copy of veh_cohort.iOrg the check-ins read) */
	veh_campaign *aCamp;
	int nCamp;
	veh_ota_camp *aOta;
	int nOta;
	veh_svcx *aSvcX;               /* declared services */
	int nSvcX;
	veh_cred *aCred;               /* declared credentials */
	int nCred;
	uint32_t kRotate;              /* "veh.rotate", registered with the first credential */
	veh_recall *aRecall;
	int nRecall;
	/* timing wheel */
	uint32_t nSlot;
	uint32_t *aSlotStart;          /* nSlot + 1: slot s holds runs aSlotStart[s] .. aSlotStart[s + 1] - 1 */
	veh__run *aRun;                /* the runs of cars of one cohort in one slot */
	uint32_t nRun;
	uint64_t iSlotNext;            /* global index of the next slot to run (slot = i % nSlot) */
	eng_time_t tStart;
	eng_event_id tickId, vsocId;
	eng_time_t tTick, tVsoc;       /* when they are due, -1 none */
	eng_rng rTick, rOta, rAttack, rVsoc;
	eng_time_t tCompLast;          /* compCarUs and custUs of every org are integrated up to here */
	uint64_t nCarEvents;
	int bOtaOffers;                /* some OTA campaign could offer a car now (veh__ota_offers_open; a tick's cache) */
	/* harm (harm.c): configuration and what the incident used, not in the hashed body of the snapshot */
	double aHarmW[VEH_HARM_N];     /* the weights of the harm index */
	uint64_t svcPath;              /* bit s: an attack step used service s (cleared when it is restored clean) */
	uint8_t featAbused;            /* bit k: an attack abused feature k */
	char *azAbuseSel[VEH_FEAT_N][VEH_ABUSE_SEL_MAX];  /* the selectors (JSON text) of those abuses, deduplicated */
	char *azTargetSel[VEH_TARGET_SEL_MAX];  /* the selectors of compromise and spread steps, deduplicated */
	int8_t aTargetEcu[VEH_TARGET_SEL_MAX];  /* the ECU each entered through, -1 a service or any */
	int bStarted;
	veh_fact_fn fnFact;
	void *pFactCtx;
	/* re-running without the scenario (tap.c): configuration given so far, events run, the input tap */
	json_t *jConfig;
	uint64_t nSteps;
	veh_tap tap;
};

/* The thresholds of one check-in slot for one organisation's cars (world.c computes them once per slot; ota.c reads
 * them); nCheckins gathers the slot's accepted check-ins of that org. */
typedef struct tick_ctx {
	uint32_t thrOff, thrOn, thrFp, thrDetect, thrLoss;
	int bReach;          /* telematics accepts check-ins */
	int bDegraded;
	int bOta;            /* OTA server usable */
	int bVsocSees;       /* its VSOC works: a true alert flags its car */
	uint64_t jitterS;    /* checkin.jitter in seconds */
	uint32_t periodS;
	int iOrg;
	int iCoh;            /* the cohort of the run being ticked */
	int bNoneCan;        /* some open OTA campaign targets this cohort's initial firmware (veh__ota_run_gate) */
	int nDoneOpen, iDoneOpen;  /* open OTA campaigns whose selector takes this cohort: how many, the last one */
	int64_t nCheckins;
} veh__tick_ctx;

/* The organisation of car i. */
static inline int veh__org_of(const veh_world *w, uint32_t i) { return w->aCohOrg[w->f.aCohort[i]]; }
static inline veh_counts *veh__counts_of(veh_world *w, uint32_t i) { return &w->aOrg[veh__org_of(w, i)].c; }

/* org.c: organisations */
int veh__org_implicit(veh_world *w, ky_err *err);          /* org 0 of a new world (replaced by the first declared) */
int veh__org_index(const veh_world *w, const char *zId);   /* -1 if unknown */
void veh__org_fresh(const veh_org *src, veh_org *dst);      /* src's configuration, no state (for a restore) */
const char *veh__org_kind_name(int kind);
int veh__org_has_fleet(const veh_world *w, int iOrg);
/* The org an argument names: args.org (an org id), or when absent the only OEM (or org 0 without orgs). zWhere
 * prefixes errors ("service.degrade"); KY_EINVAL when several OEMs could be meant, KY_ENOENT for an unknown id. */
int veh__arg_org(const veh_world *w, json_t *args, const char *zWhere, int *piOrg, ky_err *err);
/* Adds "org":ID to a fact's detail when the drill declares orgs (steals and returns detail). */
json_t *veh__org_tag(const veh_world *w, int iOrg, json_t *detail);
/* World totals: the sum of every org's counters. */
void veh__totals(const veh_world *w, veh_counts *out);
/* Metrics of one org (iOrg) or of the world (iOrg < 0). */
void veh__metrics(const veh_world *w, int iOrg, veh_metrics *m);

/* svc.c: the service space (built-in and declared services, see the notes above) and credentials. */
static inline int veh__svc_count(const veh_world *w) { return VEH_SVC_N + w->nSvcX; }
int veh__svc_find(const veh_world *w, const char *z);         /* built-in or declared, -1 if unknown */
const char *veh__svc_label(const veh_world *w, int s);        /* its name or id */
void veh__svc_known(const veh_world *w, char *z, size_t n);  /* "telematics, ota, vsoc, pki, app_api, dms" */
veh_service *veh__svc_at(veh_world *w, int iOrg, int s);      /* org iOrg's built-in s, or declared s */
const veh_service *veh__svc_cat(const veh_world *w, int iOrg, int s);
int veh__svc_owner(const veh_world *w, int iOrg, int s);       /* whose service: iOrg, or the declared one's org */
/* Does credential k work for the attacker (it holds the current generation)? */
static inline int veh__cred_works(const veh_world *w, int k) {
	return k >= 0 && k < w->nCred && w->aCred[k].leakedGen == w->aCred[k].gen;
}
int veh__cred_find(const veh_world *w, const char *z);        /* -1 if unknown */
/* The credential named args.credential (*pk = -1 when absent); KY_ENOENT naming the known ones. */
int veh__arg_cred(const veh_world *w, json_t *args, const char *zWhere, int *pk, ky_err *err);
/* An attack step uses credential k: the attacker holds it now unless it was rotated after they took it (then 0:
 * the step fails). A first use takes it (a leak the scenario did not narrate). Counts the use; 1 works. */
int veh__cred_use(veh_world *w, int k, const char *zVerb);
json_t *veh__credentials_json(const veh_world *w, int iOrg, int bTruth);  /* the fleet views' list, new ref */
/* Customer-hours without a declared service (and dealer visits of recalls) of org iOrg (all when < 0): the hook the
 * harm index adds to its customer-hours. */
double veh__svcx_customer_hours(const veh_world *w, int iOrg);
double veh__customer_hours_extra(const veh_world *w, int iOrg);
int veh__rotate(veh_world *w, int k, const char *zTeam, json_t **result, ky_err *err);
int veh__sched_rotate(veh_world *w, int k, eng_time_t t);      /* the end of credential k's rotation at t (-1: none) */
int veh__steal(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err);        /* attack.steal_credential */
int veh__cred_status(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err);  /* credential.status */
void veh__svcx_free(veh_world *w);
/* recall.c */
void veh__recall_step(veh_world *w);                          /* every vsoc.interval */
double veh__recall_customer_hours(const veh_world *w, int iOrg);
int64_t veh__recall_visits(const veh_world *w, int iOrg);
void veh__recall_free(veh_world *w);
int veh__recall_add(veh_world *w, json_t *jSel, const char *zWhere, int iOrg, int iEcu, uint32_t ver, double perDay,
                    double uptake, eng_time_t visitUs, int iVia, int *piRecall, ky_err *err);
int veh__recall_compile(const veh_world *w, veh_recall *r);   /* its selector from zSel (restore); 0 or -1 */
uint32_t veh__recall_car(const veh_world *w, uint64_t pos);   /* the car at position pos of the visiting order */

/* state.c */
void veh__fact(veh_world *w, const char *zKind, const char *zSubject, json_t *detail);  /* steals detail */
void veh__comp_account(veh_world *w);  /* advances every org's two integrals of harm (compromised, customers) */
/* harm.c: see "Harm" above */
int64_t veh__customers_now(const veh_world *w, int iOrg);  /* customer-services lost now in org iOrg */
int veh__svc_customer_facing(int iSvc);
void veh__harm_defaults(veh_world *w);
void veh__harm_recount(veh_world *w);                   /* every org's nCarLoss, nCarDeprived from the columns */
void veh__path_mark(veh_world *w, int iSvc);            /* an attack step used service iSvc */
int veh__path_active(const veh_world *w, int iOrg, int iSvc);  /* is org iOrg's service on an attack path now? */
void veh__abuse_mark(veh_world *w, int iFeat, json_t *jSel);
void veh__target_mark(veh_world *w, int iEcu, json_t *jSel);  /* a compromise or spread step aimed at jSel */
void veh__harm_free(veh_world *w);
/* The five quantities now, of org iOrg or (iOrg < 0) the world, and their weighted sum (aPart may be NULL). */
void veh__harm_quantities(const veh_world *w, int iOrg, double q[VEH_HARM_N]);
double veh__harm(const veh_world *w, int iOrg, double aPart[VEH_HARM_N]);
void veh__harm_metrics_json(const veh_metrics *m, json_t *o);  /* adds m's harm, customer_hours, harm_parts */
int64_t veh__customers_affected(const veh_world *w, int iOrg);         /* customers without a service now */
/* A car's lost services (revoked, bricked, features off): veh__loss_begin / _end (below) around a change. */
static inline int veh__car_loss(const veh_fleet *f, uint32_t i) {
	return ((f->aFlags[i] & VEH_F_REVOKED) != 0) + ((f->aFlags[i] & VEH_F_BRICKED) != 0) + __builtin_popcount(f->aFeatOff[i]);
}
/* The incident's cars (harm.c): cars compromised now or targeted by an attack step, for an action's
 * "effective" and "coverage" (docs/world-model.md §4). iEcu >= 0: only the attack steps that concern that ECU
 * (they enter through it or select cars by it: what an update of it can fix or protect), and the cars whose firmware
 * of it a known vulnerability affects (the scenario's advisories and VEX statements); -1: any attack step. */
typedef struct veh_incident {
	veh_selector *aSel;  /* the attack steps' target selectors */
	int nSel;
	uint8_t *aCampOk;    /* per attack campaign: its compromised cars count (its entry or its selector's ECU is iEcu) */
	uint32_t *aVulnVer;  /* iEcu >= 0: firmware versions of that ECU a known vulnerability affects (SBOM statements) */
	int nVulnVer;
	int iEcu, iFeat;     /* iFeat >= 0: the cars an abuse of that feature targeted (disable_feature) */
} veh_incident;
int veh__incident_open(const veh_world *w, int iEcu, int iFeat, veh_incident *inc);
int veh__incident_has(const veh_world *w, const veh_incident *inc, uint32_t i);
void veh__incident_close(veh_incident *inc);
void veh__comp_set(veh_world *w, uint32_t i, int iCamp, int entry, int bPersist);
void veh__comp_clear(veh_world *w, uint32_t i);
int veh__svc_usable(const veh_world *w, int iOrg, int iSvc);
int veh__svc_index(const char *z);
const char *veh__svc_name(int iSvc);
const char *veh__health_name(int h);
int veh__health_index(const char *z);
void veh__svc_set(veh_world *w, int iOrg, int iSvc, int health, int bIsolated);
/* Is campaign iCamp active for the cars of org iOrg (not stopped, its C2 not blocked by that org)? */
int veh__camp_active(const veh_world *w, int iOrg, int iCamp);
/* The cars of org iOrg compromised by campaign iCamp now (all of its cars when the world has no orgs). */
int64_t veh__camp_cars_of(const veh_world *w, int iCamp, int iOrg);
/* world.c */
int veh__sched_tick(veh_world *w, eng_time_t t);
int veh__sched_vsoc(veh_world *w, eng_time_t t);
int veh__sched_block(veh_world *w, int iOrg, int iCamp, eng_time_t t);
/* ota.c: a new campaign; a car's OTA step at its check-in; completion facts (every vsoc.interval) */
/* Does the fleet still accept campaign c's package? (always for a genuine one) */
int veh__ota_accepted(const veh_world *w, const veh_ota_camp *c);
/* Could some OTA campaign offer a car at time now (not paused, offers left within its quota, its package accepted)?
 * When not, a check-in of a car with no update under way has nothing to do: the tick skips its OTA step. Within one
 * tick (one `now`) it only goes from 1 to 0, as offers are made (ota.c updates w->bOtaOffers after each). */
int veh__ota_offers_open(veh_world *w, eng_time_t now);
/* The same per run of the wheel (x->iCoh): which cars of the cohort an offer could reach now (x->bNoneCan: a car never
 * updated, running the cohort's initial firmware; x->nDoneOpen/iDoneOpen: the open campaigns that take the cohort,
 * so a car done with the only one has nothing to be offered). Only shrinks within a tick, like w->bOtaOffers. */
void veh__ota_run_gate(veh_world *w, veh__tick_ctx *x, eng_time_t now);
void veh__ota_step(veh_world *w, const veh__tick_ctx *x, uint32_t i, uint32_t tS, eng_time_t now);
void veh__ota_progress_facts(veh_world *w);
void veh__ota_scope(const veh_world *w, veh_ota_camp *c);  /* its selector limited to its org's cars */
int veh__ota_add(veh_world *w, json_t *sel, const char *zWhere, int iOrg, int iEcu, uint32_t ver, double rollout,
                 double brick, int iAttack, int *piOta, ky_err *err);
/* assess.c: cars whose firmware contains zComp (a query, sbom.h); *pBy (may be NULL) gets {model: cars}. */
int64_t veh__affected(const veh_world *w, const char *zComp, json_t **pBy, ky_err *err);
/* The verb sbom.affected (with orgs: `org` limits it to that org's cars, and `by_org` says which org's cars carry it)
 * and the action assess of a team of org iOrg (its cars only; every org's when < 0) (docs/sbom.md). */
int veh__sbom_query(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err);
int veh__assess(veh_world *w, int iOrg, const char *zKind, json_t *args, json_t **result, ky_err *err);
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
/* Sets car i's OTA state and campaign (index + 1), keeping its org's aOtaN and the campaigns' nBusy exact. */
static inline int veh__ota_busy(unsigned st) { return st >= VEH_OTA_OFFERED && st <= VEH_OTA_INSTALLING; }
static inline void veh__ota_set(veh_world *w, uint32_t i, uint8_t st, uint8_t iCamp1) {
	veh_fleet *f = &w->f;
	veh_counts *c = veh__counts_of(w, i);
	uint8_t old = f->aOta[i];
	c->aOtaN[old]--;
	if (veh__ota_busy(old)) w->aOta[f->aOtaCamp[i] - 1].nBusy--;
	f->aOta[i] = st;
	f->aOtaCamp[i] = iCamp1;
	c->aOtaN[st]++;
	if (veh__ota_busy(st)) w->aOta[iCamp1 - 1].nBusy++;
}
/* tap.c: a configuration call that succeeded (args borrowed); an input about to be applied; one of the world's own
 * events starting (every event handler calls it first) */
void veh__config_note(veh_world *w, const char *zOp, json_t *args);
void veh__tap_input(veh_world *w, int kind, const char *zName, const char *zTeam, json_t *args);
void veh__step(veh_world *w);
/* attack.c: the scenario verbs; action.c: the table of team action kinds, whose effects are in respond.c */
int veh__call(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err);
/* iOrg: the acting team's organisation (-1: no scope, the bench and tests). */
int veh__action(veh_world *w, const char *zTeam, int iOrg, const char *zKind, json_t *args, json_t **result,
                ky_err *err);
/* respond.c: one effect per world-changing kind (args already checked against the kind's schema by the drill and
 * scoped to the acting org by action.c, so a selector carries "org" and a service action names its "org"; each still
 * refuses what it cannot apply, naming the field). iOrg is the acting org (-1 none). */
typedef int veh__act_fn(veh_world *w, const char *zTeam, int iOrg, const char *zKind, json_t *args, json_t **result,
                        ky_err *err);
veh__act_fn veh__act_block, veh__act_isolate, veh__act_restore, veh__act_revoke, veh__act_ota, veh__act_disable,
	veh__act_assess, veh__act_ota_pause, veh__act_ota_resume, veh__act_rotate, veh__act_recall, veh__act_advisory;
/* respond.c: blocks indicator zVal at org iOrg's gateway after delay (every campaign that uses it); the number of
 * campaigns matched and their compromised cars of that org. */
int veh__block(veh_world *w, int iOrg, const char *zVal, eng_time_t delay, int64_t *pnMatched, int64_t *pnCars,
               ky_err *err);

/* A car's lost services around a change of them (harm.c "Harm"): begin accounts and returns the count before. */
static inline int veh__loss_begin(veh_world *w, uint32_t i) {
	veh__comp_account(w);
	return veh__car_loss(&w->f, i);
}
static inline void veh__loss_end(veh_world *w, uint32_t i, int before) {
	int now = veh__car_loss(&w->f, i);
	veh_counts *c = veh__counts_of(w, i);
	c->nCarLoss += now - before;
	c->nCarDeprived += (now > 0) - (before > 0);
}

#endif
