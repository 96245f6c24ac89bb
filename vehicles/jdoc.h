/* jdoc: a read-only JSON document for large inputs (CycloneDX SBOMs up to 16 MiB): one pass over the text builds a
 * preorder array of nodes, strings are decoded into one buffer, nothing is allocated per value. It exists because
 * building jansson objects for a 16 MiB SBOM took about 0.5 s on this machine (one json_t and a hashtable per
 * object); this reader takes a tenth of that (bench/sbom prints both). Everything else in kyodo speaks jansson.
 * Errors name the line, the column and the JSON path of the place ("$.components[12].hashes[0]").
 * Knows nothing of CycloneDX.
 *
 * Layout: node 0 is the root. A node's subtree is the nodes [i, a[i].end). An array's items are its children in
 * order: the first at i + 1, each next one at the previous one's end. An object's members are pairs (key node,
 * value subtree) in order: the first key at i + 1, its value at key + 1, the next key at the value's end.
 * Strings are UTF-8 checked, NUL-terminated, and may not contain U+0000. Duplicate keys in an object are refused. */
#ifndef VEH_JDOC_H
#define VEH_JDOC_H

#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"

enum { VEH_J_NULL, VEH_J_FALSE, VEH_J_TRUE, VEH_J_NUMBER, VEH_J_STRING, VEH_J_ARRAY, VEH_J_OBJECT };

#define VEH_JNONE UINT32_MAX   /* "no such node" */
#define VEH_JDOC_DEPTH 64      /* deepest nesting accepted */

typedef struct veh_jnode {
	uint8_t type;    /* VEH_J_* */
	uint32_t n;      /* ARRAY: items; OBJECT: members; STRING, NUMBER: bytes */
	uint32_t end;    /* index one past this node's subtree */
	uint32_t off;    /* byte offset of the value in the text */
	const char *z;   /* STRING: decoded, NUL-terminated; NUMBER: its text (not terminated); else NULL */
} veh_jnode;

typedef struct veh_jdoc {
	veh_jnode *a;
	uint32_t n, nAlloc;
	char *zStr;          /* decoded strings, back to back */
	const char *zText;   /* the text parsed (borrowed: must outlive the document) */
	size_t nText;
} veh_jdoc;

/* Parses nText bytes of zText (borrowed for the document's life; a UTF-8 byte order mark is skipped). 0, or
 * KY_EPARSE with "line L column C ($.path): what" in err, KY_ELIMIT past VEH_JDOC_DEPTH or 4 Gi nodes, KY_ENOMEM.
 * On error the document is empty (veh_jdoc_free is still fine). */
int veh_jdoc_parse(veh_jdoc *d, const char *zText, size_t nText, ky_err *err);
void veh_jdoc_free(veh_jdoc *d);

/* The value of member zKey of object i, or VEH_JNONE (also when i is not an object). */
uint32_t veh_jdoc_get(const veh_jdoc *d, uint32_t i, const char *zKey);
/* The string at i (NULL unless a string); the string member zKey of object i (NULL when absent or not a string). */
const char *veh_jdoc_str(const veh_jdoc *d, uint32_t i);
const char *veh_jdoc_get_str(const veh_jdoc *d, uint32_t i, const char *zKey);
/* The type of node i, VEH_J_NULL for VEH_JNONE. */
int veh_jdoc_type(const veh_jdoc *d, uint32_t i);
/* Iteration: the first child (array item or object key) of i, and the child after child c of i; VEH_JNONE at the end.
 * For objects, c is a key and c + 1 its value. */
uint32_t veh_jdoc_first(const veh_jdoc *d, uint32_t i);
uint32_t veh_jdoc_next(const veh_jdoc *d, uint32_t i, uint32_t c);
/* The source text of node i's value (a valid JSON text) as (pointer, length). */
const char *veh_jdoc_raw(const veh_jdoc *d, uint32_t i, size_t *pLen);
/* An integer number at i into *pOut: 1, else 0 (not a number, a fraction, out of range). */
int veh_jdoc_int(const veh_jdoc *d, uint32_t i, long long *pOut);

#endif
