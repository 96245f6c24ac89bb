/* sbom: software bills of materials of ECU firmware and the vulnerability statements (VEX) about them: which
 * components each firmware (ECU class, version) contains, directly or through what its components contain, from
 * kyodo's compact table or CycloneDX JSON 1.2-1.7 documents; which firmware a component query or a vulnerability
 * reaches, with the path for display. Knows nothing of cars (world.c counts them) nor of Lua.
 * The model (identity, graph, statements) is described in sbomInt.h; the formats and the queries in docs/sbom.md.
 *
 * Component queries ("what a team or a scenario writes"):
 *   "name@version"                a component without a group ("cookie@0.4.1" is not "@types/cookie@0.4.1")
 *   "group/name@version"          a group or namespace ("asm89/stack-cors@1.3.0", "@types/cookie@0.4.1",
 *                                 "github.com/gin-gonic/gin@v1.9.1" as Go modules are named)
 *   "pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS#SUBPATH"   a package URL (purl.h): type, namespace, name, version;
 *                                 against a component without a purl, its namespace and name are the group and name
 *   without "@version"            any version; "name@vers:generic/<3.0.8" or a separate range: the versions inside it
 * Versions compare exactly, except that a leading 'v' before a digit is ignored on both sides (v7.12.0 = 7.12.0).
 * Ownership: every string argument is borrowed; json_t results are new references. Errors: 0 or a negative KY_E*
 * with err naming the field; on error nothing in the store has changed. */
#ifndef VEH_SBOM_H
#define VEH_SBOM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "engine/err.h"
#include "vehicles/fleet.h"

typedef struct veh_sbom veh_sbom;

#define VEH_SBOM_MAX_BYTES (16 << 20)   /* the largest CycloneDX document read */

enum { VEH_SBOM_FIRMWARE, VEH_SBOM_PART, VEH_SBOM_VEX };

/* NULL when out of memory. */
veh_sbom *veh_sbom_new(void);
void veh_sbom_free(veh_sbom *s);

/* kyodo's table: {"tcu":{"2.3.1":["openssl@1.1.1k","pkg:npm/%40types/cookie@0.4.1",...]}}, each item a query with a
 * version. Adds (merges) firmware. Errors name the ECU/version/item: sbom.tcu["2.3.1"][2]. */
int veh_sbom_add_json(veh_sbom *s, json_t *sbom, ky_err *err);

/* How veh_sbom_add_cyclonedx takes a document, and what it found. */
typedef struct veh_sbom_load {
	const char *zEcu;        /* in: the firmware's ECU class; NULL: metadata.component's name or the file name */
	const char *zVersion;    /* in: its version; NULL: metadata.component's version or the file name */
	int bPart;               /* in: the SBOM of a part (a supplier's library, its metadata.component), not a firmware */
	int kind;                /* out: VEH_SBOM_FIRMWARE, VEH_SBOM_PART, or VEH_SBOM_VEX (no components, only vulnerabilities) */
	char zEcuOut[16], zVersionOut[40];   /* out: the firmware it describes (kind FIRMWARE) */
	int nTop, nComp, nVuln;  /* out: top-level components, all components (nested, metadata.component), vulnerabilities */
} veh_sbom_load;

/* Reads a CycloneDX JSON document (specVersion 1.2 to 1.7, at most VEH_SBOM_MAX_BYTES) of nText bytes: components
 * (nested too) with bom-refs, dependencies, metadata.component, vulnerabilities. zFile names it in messages, which
 * give the JSON path: "tcu.cdx.json: $.components[3].purl: 'pkg:npm' is not a package URL: no type (pkg:TYPE/NAME)".
 * Refused: not JSON (line, column and path), not CycloneDX ($.bomFormat), an unsupported specVersion, a component
 * without a name, a malformed purl, a bom-ref used twice, a dependency naming no bom-ref of the document, a
 * vulnerability without an id, an unknown analysis state or justification, a malformed version range. KY_EPARSE /
 * KY_EINVAL / KY_ENOENT (unknown ECU) / KY_ELIMIT (size) / KY_ENOMEM. */
int veh_sbom_add_cyclonedx(veh_sbom *s, const char *zText, size_t nText, const char *zFile, veh_sbom_load *opt,
                           ky_err *err);
/* Checks a CycloneDX document without adding it (the same checks) and returns it as JSON (new ref) in *pOut, for an
 * inject that carries an advisory. */
int veh_sbom_check_cyclonedx(const char *zText, size_t nText, const char *zFile, json_t **pOut, ky_err *err);

/* The firmware a query reaches. */
typedef struct veh_sbom_hit {
	int iEcu;
	uint32_t ver;
} veh_sbom_hit;
typedef struct veh_sbom_eval {
	veh_sbom_hit *aHit;      /* malloc'd */
	int nHit;
	json_t *detail;          /* new ref, see below */
} veh_sbom_eval;
void veh_sbom_eval_free(veh_sbom_eval *e);

/* Which firmware contains a component matching zQuery (and, when zRange is not NULL, with a version inside that
 * "vers:" range). detail: {"known":B (some SBOM lists a match), "matches":[labels, at most 20], "matches_total":N,
 * "firmware":[{"ecu","version","path":[labels from the firmware down to the match],"direct":B}],
 * "other_versions":[versions of that name, when nothing matched a versioned query], "note":TEXT when nothing matched}.
 * KY_EINVAL for a malformed query or range (err names it). */
int veh_sbom_eval_component(const veh_sbom *s, const char *zQuery, const char *zRange, veh_sbom_eval *e, ky_err *err);
/* Which firmware the statements about vulnerability zId make affected. detail: {"known":B (a statement names zId),
 * "firmware":[{"ecu","version","path","direct"}], "components":[affected labels], "not_affected":[labels a
 * statement clears], "unresolved":[affects refs that name nothing loaded]}. */
int veh_sbom_eval_vulnerability(const veh_sbom *s, const char *zId, veh_sbom_eval *e, ky_err *err);

/* Does a statement name vulnerability zId? */
int veh_sbom_vuln_known(const veh_sbom *s, const char *zId);
/* Is there an SBOM of firmware (iEcu, ver)? */
int veh_sbom_has_firmware(const veh_sbom *s, int iEcu, uint32_t ver);
/* The labels of the components (at most nMax, in order of first appearance), for the UI's suggestions. */
json_t *veh_sbom_components_json(const veh_sbom *s, int nMax);
int veh_sbom_component_count(const veh_sbom *s);
/* What the journal keeps for reports (docs/sbom.md "In the journal"): {"firmware":[{"ecu","version","name",
 * "purl"?,"bom_ref"?,"serial"?,"bom_version"?,"file"?}], "vulnerabilities":[{"id","statement":{the first
 * statement's vulnerability object},"firmware":[the affected firmware with paths],"components":[...]}]}. */
json_t *veh_sbom_json(const veh_sbom *s);

#endif
