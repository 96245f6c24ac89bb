/* vex (report): `kyodo report FILE.db --vex OUT.json`, the CycloneDX 1.5 VEX document of each org's final
 * vulnerability assessments (the `assess` actions that name a vulnerability), read from a drill's journal only:
 * the actions' results (which products, the firmware, each statement covered), the exercise's teams and orgs, and
 * the `sbom` metadata the recorder stored (the firmware's SBOM identities and each vulnerability's advisory). The
 * output is a pure function of the journal: no wall clock, orgs in the scenario's order, vulnerabilities by id,
 * products by ECU and version. The format, with an example: docs/sbom.md "VEX out". */
#ifndef REP_VEX_H
#define REP_VEX_H

#include <jansson.h>

#include "engine/err.h"

/* The VEX document (new ref) from the journal's pieces, all borrowed:
 *   exercise  meta `exercise` ({"id","title","seed","sha256","teams":[{"id","name","org"?}],"orgs"?:[{"id","name"}]})
 *   sbom      meta `sbom` (veh_world_sbom_json; NULL or {} when the drill had none)
 *   actions   [{"seq","team","t_us","kind","args","result"}] of applied actions, any order (others than assess ignored)
 *   zVersion  the kyodo version that ran the drill (meta `kyodo_version`), NULL for unknown.
 * NULL with err on out of memory. A drill without vulnerability assessments gives a valid document without
 * vulnerabilities. */
json_t *rep_vex_build(json_t *exercise, json_t *sbom, json_t *actions, const char *zVersion, ky_err *err);

/* Reads the journal zDb (read-only) and writes the VEX document to zOut (through a temporary file renamed over it).
 * 0, or KY_ENOENT / KY_EIO / KY_EPARSE naming the file. */
int rep_vex_write(const char *zDb, const char *zOut, ky_err *err);


#endif
