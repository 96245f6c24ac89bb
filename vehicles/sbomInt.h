/* sbomInt: the SBOM store's internal structures, shared by sbom.c (components, graph, firmware, queries, ground
 * truth) and cdx.c (reading CycloneDX documents into it). The design notes live here.
 *
 * Components are nodes of one graph, unique by identity: the canonical purl when a component has one, else
 * (type, group, name, version) (a missing type is "library"). A component named without a purl in one document and
 * with one in another is one node: a purl-less mention joins the node of the same (type, group, name, version),
 * and a purl given later is attached to a purl-less node of that identity. So a supplier's SBOM of a part (its
 * metadata.component) and the firmware SBOM that lists the part meet in one node.
 * Edges say "contains": a component's nested components, a document's `dependencies` (ref -> dependsOn), and a
 * document's subject (metadata.component) -> whatever in that document is not reached from it otherwise. Edges of
 * every document are merged: what a part's own SBOM says it contains, it contains in every firmware that lists it.
 * A firmware (ECU class, version) has roots: its documents' subjects, or (no subject, or a sbom{} table) the
 * components listed at its first level. What a firmware contains is what a breadth-first walk from its roots
 * reaches; the walk's parents give the shortest path, for display.
 * Vulnerabilities: every `vulnerabilities[]` entry of every document is a statement (id, analysis state, affects).
 * For one id, statements are applied in load order, the later one winning for a component: each marks the
 * components its affects resolve to as affected or not affected. A firmware is affected when the walk from its roots
 * reaches an affected component without passing through a not-affected one (a product's not_affected statement
 * shields what it contains).
 * Strings live in an arena freed with the store; indices, not pointers, link the arrays (they grow by realloc). */
#ifndef VEH_SBOM_INT_H
#define VEH_SBOM_INT_H

#include "vehicles/sbom.h"
#include "vehicles/vers.h"

typedef struct sb_block {
	struct sb_block *pNext;
	size_t nUsed, nCap;
	char a[];
} sb_block;

/* A string -> int map (open addressing, at most half full). Keys are borrowed: they must outlive the map. */
typedef struct sb_slot {
	uint32_t val;              /* value + 1, 0 empty */
	uint32_t hash;
	const char *zKey;
} sb_slot;
typedef struct sb_map {
	sb_slot *a;                /* one array: a probe touches one cache line */
	uint32_t nSlot;            /* power of two */
	uint32_t nKey;
} sb_map;
uint32_t veh__sb_hash(const char *z);
/* The value of zKey (hash h), or -1. */
int veh__sb_map_get(const sb_map *m, const char *zKey, uint32_t h);
/* Sets zKey (hash h) to v when absent; returns the value it has now (v, or the one it had), KY_ENOMEM. */
int veh__sb_map_put(sb_map *m, const char *zKey, uint32_t h, int v);
void veh__sb_map_free(sb_map *m);

typedef struct sb_comp {
	const char *zType, *zGroup, *zName, *zVer;  /* "" when absent (zType "library") */
	const char *zPurl;                          /* canonical purl with version, NULL when none */
	const char *zPType, *zPNs, *zPName, *zPVer; /* its parts (zPVer NULL when the purl has no version) */
	const char *zLabel;                         /* "group/name@version" */
	const char *zFamT, *zFamP;                  /* keys without the version: "T\1type\1group\1name", "P\1purl" */
	int iDoc;                                   /* the first document that lists it, -1 for a sbom{} table */
	int bFirmware;                              /* the subject of a firmware's document (the firmware itself) */
	uint32_t iAdj, nAdj;                        /* its edges: aAdj[iAdj .. iAdj + nAdj) */
} sb_comp;

typedef struct sb_doc {
	const char *zFile;
	const char *zSerial;       /* "urn:uuid:…" or NULL */
	long long version;         /* the BOM's version (1 when absent) */
	const char *zSpec;         /* specVersion */
	int iSubject;              /* metadata.component, -1 */
	const char *zSubjectRef;   /* its bom-ref, NULL */
	sb_map refs;               /* bom-ref -> component */
	int kind;                  /* VEH_SBOM_FIRMWARE, VEH_SBOM_PART, VEH_SBOM_VEX */
	int iEcu;                  /* firmware: the entry it describes */
	uint32_t ver;
} sb_doc;

typedef struct sb_entry {      /* a firmware: (ECU class, version) */
	int iEcu;
	uint32_t ver;
	int *aRoot;
	int nRoot;
	int iDoc;                  /* the first document describing it, -1 for a table */
} sb_entry;

enum { SB_VS_AFFECTED, SB_VS_UNAFFECTED, SB_VS_UNKNOWN };

typedef struct sb_aver {       /* affects[].versions[] */
	const char *zVer;          /* exact version, or NULL */
	veh_vers *pRange;          /* or a range (owned) */
	int status;                /* SB_VS_* */
} sb_aver;

typedef struct sb_affect {
	const char *zRef;          /* bom-ref, BOM-Link (urn:cdx:…) or purl */
	sb_aver *aVer;
	int nVer;
} sb_affect;

typedef struct sb_vuln {       /* one vulnerabilities[] entry */
	const char *zId;
	int iDoc;
	const char *zState;        /* analysis.state, NULL */
	int bNeg;                  /* the state says not affected: not_affected, false_positive, resolved, resolved_with_pedigree */
	const char *zJson;         /* the entry as JSON text (for the journal and the report) */
	sb_affect *aAff;
	int nAff;
} sb_vuln;

struct veh_sbom {
	sb_block *pArena;
	sb_comp *aComp;
	int nComp, nCompAlloc;
	sb_map ids;                /* identity -> comp: keys "P\1purl" and "T\1type\1group\1name\1version" */
	int (*aEdge)[2];           /* (from, to) in insertion order */
	int nEdge, nEdgeAlloc;
	uint32_t *aAdj;            /* CSR of aEdge, by source, insertion order inside */
	sb_doc *aDoc;
	int nDoc;
	sb_entry *aEnt;
	int nEnt;
	sb_vuln *aVuln;
	int nVuln;
};

/* sbom.c, for cdx.c */
char *veh__sb_strdup(veh_sbom *s, const char *z);
/* The component of this identity (created if new). zType NULL or "" is "library"; zPurl may be NULL (checked by the
 * caller with veh_purl_parse). -1 and err on out of memory. */
int veh__sb_comp(veh_sbom *s, const char *zType, const char *zGroup, const char *zName, const char *zVer,
                 const char *zPurl, int iDoc, ky_err *err);
int veh__sb_edge(veh_sbom *s, int iFrom, int iTo);
sb_entry *veh__sb_entry(veh_sbom *s, int iEcu, uint32_t ver);
int veh__sb_entry_root(sb_entry *e, int iComp);
/* Rebuilds the adjacency (CSR) after edges were added. */
int veh__sb_index(veh_sbom *s);

#endif
