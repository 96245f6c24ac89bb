/* sbom: software bills of materials of ECU firmware: (ECU class, firmware version) -> components
 * ("name@version"), from kyodo's compact JSON or from CycloneDX documents, and the reverse query a
 * vulnerability needs: which (ECU, version) pairs contain a component. Knows nothing of cars (world.c counts them). */
#ifndef VEH_SBOM_H
#define VEH_SBOM_H

#include <stdint.h>

#include <jansson.h>

#include "engine/err.h"
#include "vehicles/fleet.h"

typedef struct veh_sbom_entry {
	int iEcu;
	uint32_t ver;
	int *aComp;   /* component ids, sorted, unique */
	int nComp;
} veh_sbom_entry;

typedef struct veh_sbom {
	char **azComp;   /* "name@version" */
	int nComp;
	veh_sbom_entry *aEnt;
	int nEnt;
} veh_sbom;

/* The (ECU, version) pairs that contain a component. */
typedef struct veh_sbom_hits {
	int n;
	int aEcu[64];
	uint32_t aVer[64];
} veh_sbom_hits;

void veh_sbom_init(veh_sbom *s);
void veh_sbom_clear(veh_sbom *s);
/* {"tcu":{"2.3.1":["openssl@1.1.1k","busybox@1.31.1"]}}: adds (merges) entries. Errors name the ECU/version/item;
 * on error nothing is added. */
int veh_sbom_add_json(veh_sbom *s, json_t *sbom, ky_err *err);
/* A CycloneDX BOM ("components", nested "components" too; each with "name" and "version"). */
int veh_sbom_add_cyclonedx(veh_sbom *s, const char *zEcu, const char *zVersion, json_t *bom, ky_err *err);
/* Which (ECU, version) pairs contain zComp ("openssl@1.1.1k" exact, or "openssl" = any version). Returns the
 * number of pairs (also in pHits->n); 0 when none. KY_ELIMIT past 64 pairs. */
int veh_sbom_find(const veh_sbom *s, const char *zComp, veh_sbom_hits *pHits, ky_err *err);
/* Is zComp known in any SBOM? */
int veh_sbom_known(const veh_sbom *s, const char *zComp);

#endif
