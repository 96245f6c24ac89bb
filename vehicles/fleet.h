/* fleet: the cars as struct-of-arrays indexed by vehicle id, the names they are described by (models, regions,
 * ECU classes, features, states), packed semantic versions, and selectors compiled from JSON and evaluated
 * over the arrays without copying cars. Knows nothing of events, services or attacks (see world.c). */
#ifndef VEH_FLEET_H
#define VEH_FLEET_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "engine/err.h"

/* ECU classes fitted to a car. */
enum { VEH_ECU_TCU, VEH_ECU_GW, VEH_ECU_IVI, VEH_ECU_BCM, VEH_ECU_ADAS, VEH_ECU_N };
/* Remote features a car may offer through the app API (bit i of a feature mask). */
enum { VEH_FEAT_REMOTE_UNLOCK, VEH_FEAT_REMOTE_START, VEH_FEAT_REMOTE_CLIMATE, VEH_FEAT_LOCATION,
       VEH_FEAT_HORN_LIGHTS, VEH_FEAT_N };
#define VEH_FEAT_ALL ((uint8_t)((1u << VEH_FEAT_N) - 1))

/* Car flags (veh_fleet.aFlags). */
#define VEH_F_COMP     0x0001u  /* compromised */
#define VEH_F_PERSIST  0x0002u  /* the compromise survives a power cycle */
#define VEH_F_PATCHED  0x0004u  /* an OTA campaign completed on this car */
#define VEH_F_OFFLINE  0x0008u  /* no connectivity (parked, no coverage) */
#define VEH_F_BRICKED  0x0010u  /* a failed/malicious update left it unusable */
#define VEH_F_REVOKED  0x0020u  /* its certificate is revoked: the backend refuses it */
#define VEH_F_FLAGGED  0x0040u  /* compromised and seen: an IDS alert of it reached a working VSOC (cleared with the compromise) */

/* OTA state of a car (veh_fleet.aOta). */
enum { VEH_OTA_NONE, VEH_OTA_OFFERED, VEH_OTA_DOWNLOADING, VEH_OTA_INSTALLING, VEH_OTA_DONE, VEH_OTA_FAILED };

/* Selector states (bits of veh_selector.stateAny). */
enum { VEH_ST_CLEAN, VEH_ST_COMPROMISED, VEH_ST_PATCHED, VEH_ST_OFFLINE, VEH_ST_ONLINE, VEH_ST_BRICKED,
       VEH_ST_REVOKED, VEH_ST_N };

#define VEH_VER_NONE UINT32_MAX  /* ECU not fitted */

const char *veh_ecu_name(int iEcu);
int veh_ecu_index(const char *z);            /* -1 if unknown */
const char *veh_feature_name(int iFeat);
int veh_feature_index(const char *z);        /* -1 if unknown */
const char *veh_state_name(int iState);
int veh_state_index(const char *z);          /* -1 if unknown */

/* Packs "MAJOR.MINOR[.PATCH]" (each 0..1023 / 0..2047 / 0..2047) into an integer that compares like semver.
 * KY_EPARSE naming the text when malformed. */
int veh_version_parse(const char *z, uint32_t *pOut, ky_err *err);
char *veh_version_format(uint32_t v, char *z, size_t n);

typedef struct veh_cohort {
	uint16_t iModel, iRegion;
	uint8_t iOrg;                     /* its organisation (the world's org index; 0 when none are declared) */
	uint8_t features;                 /* features fitted */
	uint32_t aVer[VEH_ECU_N];         /* initial firmware */
	uint32_t iFirst, nCount;          /* car ids [iFirst, iFirst+nCount) */
	double online;                    /* fraction online at start */
} veh_cohort;

/* The fleet. Columns are plain arrays (one entry per car); the world writes them directly. */
typedef struct veh_fleet {
	uint32_t n, nAlloc;
	uint16_t *aCohort;
	uint32_t *aVer[VEH_ECU_N];
	uint16_t *aFlags;
	uint8_t *aCamp;      /* attack campaign index + 1, 0 = none */
	uint8_t *aEntry;     /* entry point of the compromise (ECU index or 8 + service index) */
	uint8_t *aFeatOff;   /* features disabled by a team action */
	uint8_t *aOta;       /* VEH_OTA_* */
	uint8_t *aOtaCamp;   /* OTA campaign index + 1, 0 = none */
	uint32_t *aOtaT;     /* sim second at which the current OTA step ends */
	uint32_t *aLast;     /* last check-in: sim second + 1, 0 = never */
	uint16_t *aPhase;    /* check-in phase within the period, seconds */
	/* names */
	char **azModel; int nModel;
	char **azRegion; int nRegion;
	char **azOrg; int nOrg;          /* organisation ids for selectors (0 when the drill declares none) */
	veh_cohort *aCoh; int nCoh;
} veh_fleet;

/* An empty fleet; frees with veh_fleet_clear. */
void veh_fleet_init(veh_fleet *f);
void veh_fleet_clear(veh_fleet *f);
/* Adds nCount cars of a cohort (names copied) owned by organisation iOrg (an index of veh_fleet_org_add, or 0 when
 * none is declared). KY_ENOMEM, KY_ELIMIT past 65535 cohorts/models/regions or 2^31 cars. */
int veh_fleet_add(veh_fleet *f, const char *zModel, const char *zRegion, const uint32_t aVer[VEH_ECU_N],
                  uint8_t features, double online, uint32_t nCount, int iOrg, ky_err *err);
/* Names organisation number f->nOrg (the world keeps its details under the same index). Its index, or KY_ENOMEM,
 * KY_EINVAL when the id is taken, KY_ELIMIT past 250. */
int veh_fleet_org_add(veh_fleet *f, const char *zId);
int veh_fleet_org_index(const veh_fleet *f, const char *z);
int veh_fleet_model_index(const veh_fleet *f, const char *z);
int veh_fleet_region_index(const veh_fleet *f, const char *z);
/* Bytes held by the per-car columns, divided by the number of cars (0 when empty). */
size_t veh_fleet_bytes_per_car(const veh_fleet *f);

/* A compiled selector: cars whose cohort is in the cohort mask, whose ECU version passes, and (if any state is
 * given) that are in one of the states. */
typedef struct veh_selector {
	uint8_t *aCohOk;     /* per cohort: model/region match (owned) */
	int iEcu;            /* -1: no ECU condition */
	int op;              /* 0 fitted, 1 below, 2 equal */
	uint32_t ver;
	uint32_t stateAny;   /* bits of VEH_ST_*, 0 = any */
} veh_selector;

/* Compiles {"model","region","org","ecu","below","version","state"} (model/region/org/state may be a string or an
 * array of strings = any of them; org only when the drill declares organisations; NULL or {} = every car). Errors name the field after the prefix zWhere
 * ("attack.compromise: select." gives "attack.compromise: select.model: unknown model 'Sedn-A' (known: Sedan-A, SUV-B)"). */
int veh_selector_compile(const veh_fleet *f, json_t *sel, const char *zWhere, veh_selector *out, ky_err *err);
void veh_selector_free(veh_selector *s);
/* Does car i match? (flags as stored; an offline car is neither online nor counted as offline when bricked) */
int veh_selector_match(const veh_fleet *f, const veh_selector *s, uint32_t i);
/* Number of matching cars. */
int64_t veh_selector_count(const veh_fleet *f, const veh_selector *s);
/* Does car i's state bits include state iState? */
int veh_car_in_state(const veh_fleet *f, uint32_t i, int iState);

#endif
