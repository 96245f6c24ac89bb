/* cdx: reads CycloneDX JSON documents (1.2 to 1.7) into the SBOM store (sbomInt.h), in two passes over a jdoc:
 * check everything (each message names the file and the JSON path), then add (only memory can fail there), so a
 * refused document adds nothing. What is read: metadata.component (the subject) and its nested components,
 * components (nested), their bom-refs, dependencies, services' bom-refs (so that dependencies may name them), and
 * vulnerabilities (id, analysis, affects with versions and ranges). Everything else is accepted and ignored. */
#include "vehicles/sbomInt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vehicles/jdoc.h"
#include "vehicles/purl.h"

/* ---- pass 1: checks ------------------------------------------------------------------------------------- */

typedef struct chk {
	const veh_jdoc *d;
	const char *zFile;
	ky_err *err;
	char zPath[512];
	size_t nPath;
	sb_map refs;   /* bom-refs of the document (keys in the jdoc) */
	int nTop, nComp, nVuln, nDep;
} chk;

static int chk_fail(chk *c, int code, const char *zFmt, ...) __attribute__((format(printf, 3, 4)));
static int chk_fail(chk *c, int code, const char *zFmt, ...) {
	char zMsg[600];
	va_list ap;
	va_start(ap, zFmt);
	vsnprintf(zMsg, sizeof zMsg, zFmt, ap);
	va_end(ap);
	return ky_err_set(c->err, code, "%s: %s: %s", c->zFile, c->zPath, zMsg);
}

/* Path segments: push returns the length to pop back to (hand-formatted: this runs for every component). */
static size_t push_text(chk *c, const char *z, size_t m) {
	size_t n = c->nPath;
	if (n + m + 1 > sizeof c->zPath) m = sizeof c->zPath - 1 - n;
	memcpy(c->zPath + n, z, m);
	c->nPath = n + m;
	c->zPath[c->nPath] = 0;
	return n;
}
static size_t push_key(chk *c, const char *zKey) {
	char z[128];
	size_t m = strlen(zKey);
	if (m > sizeof z - 2) m = sizeof z - 2;
	z[0] = '.';
	memcpy(z + 1, zKey, m);
	return push_text(c, z, m + 1);
}
static size_t push_index(chk *c, size_t i) {
	char z[32], *p = z + sizeof z;
	*--p = ']';
	do *--p = (char)('0' + i % 10), i /= 10;
	while (i);
	*--p = '[';
	return push_text(c, p, (size_t)(z + sizeof z - p));
}
static void pop(chk *c, size_t n) {
	c->nPath = n;
	c->zPath[n] = 0;
}

/* An optional string member: 0 and *pz (NULL when absent), or an error. */
static int opt_str(chk *c, uint32_t i, const char *zKey, const char **pz) {
	uint32_t v = veh_jdoc_get(c->d, i, zKey);
	*pz = NULL;
	if (v == VEH_JNONE) return 0;
	if (veh_jdoc_type(c->d, v) != VEH_J_STRING) {
		size_t n = push_key(c, zKey);
		int rc = chk_fail(c, KY_EINVAL, "expected a string");
		pop(c, n);
		return rc;
	}
	*pz = veh_jdoc_str(c->d, v);
	return 0;
}

static int add_ref(chk *c, const char *zRef) {
	uint32_t n = c->refs.nKey;
	int rc = veh__sb_map_put(&c->refs, zRef, veh__sb_hash(zRef), 0);
	if (rc < 0) return chk_fail(c, KY_ENOMEM, "out of memory");
	if (c->refs.nKey == n) return chk_fail(c, KY_EINVAL, "the bom-ref '%.200s' is used twice (each must be unique)", zRef);
	return 0;
}

static int has_ref(const chk *c, const char *zRef) { return veh__sb_map_get(&c->refs, zRef, veh__sb_hash(zRef)) >= 0; }

static int chk_components(chk *c, uint32_t iArr, int bTop);

/* One component at node i (the path names it). */
static int chk_component(chk *c, uint32_t i) {
	const char *zName, *zType, *zGroup, *zVer, *zPurl, *zRef;
	int rc;
	if (veh_jdoc_type(c->d, i) != VEH_J_OBJECT) return chk_fail(c, KY_EINVAL, "expected a component (an object)");
	if ((rc = opt_str(c, i, "name", &zName)) || (rc = opt_str(c, i, "type", &zType)) || (rc = opt_str(c, i, "group", &zGroup)) ||
	    (rc = opt_str(c, i, "version", &zVer)) || (rc = opt_str(c, i, "purl", &zPurl)) || (rc = opt_str(c, i, "bom-ref", &zRef)))
		return rc;
	if (!zName || !*zName) return chk_fail(c, KY_EINVAL, "a component needs a name");
	if (zPurl) {
		veh_purl p;
		ky_err e2 = { 0 };
		rc = veh_purl_parse(zPurl, &p, &e2);
		veh_purl_free(&p);
		if (rc) {
			size_t n = push_key(c, "purl");
			rc = chk_fail(c, rc, "%s", e2.zMsg);
			pop(c, n);
			return rc;
		}
	}
	if (zRef && (rc = add_ref(c, zRef))) return rc;
	c->nComp++;
	uint32_t sub = veh_jdoc_get(c->d, i, "components");
	if (sub == VEH_JNONE) return 0;
	size_t n = push_key(c, "components");
	rc = chk_components(c, sub, 0);
	pop(c, n);
	return rc;
}

static int chk_components(chk *c, uint32_t iArr, int bTop) {
	if (veh_jdoc_type(c->d, iArr) != VEH_J_ARRAY) return chk_fail(c, KY_EINVAL, "expected an array of components");
	size_t k = 0;
	for (uint32_t i = veh_jdoc_first(c->d, iArr); i != VEH_JNONE; i = veh_jdoc_next(c->d, iArr, i), k++) {
		size_t n = push_index(c, k);
		int rc = chk_component(c, i);
		pop(c, n);
		if (rc) return rc;
		c->nTop += bTop;
	}
	return 0;
}

/* services[] (nested too): only their bom-refs matter (dependencies may name them). */
static int chk_services(chk *c, uint32_t iArr) {
	if (veh_jdoc_type(c->d, iArr) != VEH_J_ARRAY) return chk_fail(c, KY_EINVAL, "expected an array of services");
	size_t k = 0;
	for (uint32_t i = veh_jdoc_first(c->d, iArr); i != VEH_JNONE; i = veh_jdoc_next(c->d, iArr, i), k++) {
		const char *zRef;
		size_t n = push_index(c, k);
		int rc = veh_jdoc_type(c->d, i) != VEH_J_OBJECT ? chk_fail(c, KY_EINVAL, "expected a service (an object)") : opt_str(c, i, "bom-ref", &zRef);
		if (!rc && zRef) rc = add_ref(c, zRef);
		uint32_t sub = veh_jdoc_get(c->d, i, "services");
		if (!rc && sub != VEH_JNONE) {
			size_t n2 = push_key(c, "services");
			rc = chk_services(c, sub);
			pop(c, n2);
		}
		pop(c, n);
		if (rc) return rc;
	}
	return 0;
}

static int chk_ref_known(chk *c, uint32_t v) {
	const char *z = veh_jdoc_str(c->d, v);
	if (!z) return chk_fail(c, KY_EINVAL, "expected a bom-ref (a string)");
	if (!has_ref(c, z)) return chk_fail(c, KY_ENOENT, "'%.200s' names no bom-ref in this document", z);
	return 0;
}

static int chk_dependency(chk *c, uint32_t i) {
	if (veh_jdoc_type(c->d, i) != VEH_J_OBJECT) return chk_fail(c, KY_EINVAL, "expected {\"ref\": …, \"dependsOn\": […]}");
	uint32_t ref = veh_jdoc_get(c->d, i, "ref"), dep = veh_jdoc_get(c->d, i, "dependsOn");
	size_t n = push_key(c, "ref");
	int rc = ref == VEH_JNONE ? chk_fail(c, KY_EINVAL, "required") : chk_ref_known(c, ref);
	pop(c, n);
	if (rc || dep == VEH_JNONE) return rc;
	n = push_key(c, "dependsOn");
	if (veh_jdoc_type(c->d, dep) != VEH_J_ARRAY) rc = chk_fail(c, KY_EINVAL, "expected an array of bom-refs");
	size_t k = 0;
	for (uint32_t j = veh_jdoc_first(c->d, dep); !rc && j != VEH_JNONE; j = veh_jdoc_next(c->d, dep, j), k++) {
		size_t n2 = push_index(c, k);
		rc = chk_ref_known(c, j);
		pop(c, n2);
	}
	pop(c, n);
	c->nDep++;
	return rc;
}

static int one_of(const char *z, const char *const *az) {
	for (int i = 0; az[i]; i++)
		if (!strcmp(z, az[i])) return 1;
	return 0;
}

static const char *const azState[] = { "resolved", "resolved_with_pedigree", "exploitable", "in_triage", "false_positive",
                                       "not_affected", NULL };
static const char *const azJustification[] = { "code_not_present", "code_not_reachable", "requires_configuration",
                                                "requires_dependency", "requires_environment", "protected_by_compiler",
                                                "protected_at_runtime", "protected_at_perimeter",
                                                "protected_by_mitigating_control", NULL };
static const char *const azResponse[] = { "can_not_fix", "will_not_fix", "update", "rollback", "workaround_available", NULL };
static const char *const azVerStatus[] = { "affected", "unaffected", "unknown", NULL };

/* An optional member whose string value must be one of az. */
static int chk_enum(chk *c, uint32_t i, const char *zKey, const char *const *az, const char *zKnown) {
	const char *z;
	int rc = opt_str(c, i, zKey, &z);
	if (rc || !z || one_of(z, az)) return rc;
	size_t n = push_key(c, zKey);
	rc = chk_fail(c, KY_EINVAL, "'%.100s' is not one of %s", z, zKnown);
	pop(c, n);
	return rc;
}

static int chk_analysis(chk *c, uint32_t a) {
	if (veh_jdoc_type(c->d, a) != VEH_J_OBJECT) return chk_fail(c, KY_EINVAL, "expected an object");
	int rc = chk_enum(c, a, "state", azState, "resolved, resolved_with_pedigree, exploitable, in_triage, false_positive, not_affected");
	if (!rc) rc = chk_enum(c, a, "justification", azJustification, "code_not_present, code_not_reachable, requires_configuration, "
	                       "requires_dependency, requires_environment, protected_by_compiler, protected_at_runtime, "
	                       "protected_at_perimeter, protected_by_mitigating_control");
	uint32_t r = veh_jdoc_get(c->d, a, "response");
	if (rc || r == VEH_JNONE) return rc;
	size_t n = push_key(c, "response");
	if (veh_jdoc_type(c->d, r) != VEH_J_ARRAY) rc = chk_fail(c, KY_EINVAL, "expected an array");
	for (uint32_t j = veh_jdoc_first(c->d, r); !rc && j != VEH_JNONE; j = veh_jdoc_next(c->d, r, j))
		if (!veh_jdoc_str(c->d, j) || !one_of(veh_jdoc_str(c->d, j), azResponse))
			rc = chk_fail(c, KY_EINVAL, "each response is one of can_not_fix, will_not_fix, update, rollback, workaround_available");
	pop(c, n);
	return rc;
}

static int chk_version_entry(chk *c, uint32_t v) {
	const char *zVer, *zRange;
	int rc;
	if (veh_jdoc_type(c->d, v) != VEH_J_OBJECT) return chk_fail(c, KY_EINVAL, "expected {\"version\"|\"range\", \"status\"}");
	if ((rc = opt_str(c, v, "version", &zVer)) || (rc = opt_str(c, v, "range", &zRange))) return rc;
	if (!zVer == !zRange) return chk_fail(c, KY_EINVAL, "give one of version and range");
	if ((rc = chk_enum(c, v, "status", azVerStatus, "affected, unaffected, unknown"))) return rc;
	if (!zRange) return 0;
	veh_vers r;
	ky_err e2 = { 0 };
	rc = veh_vers_parse(zRange, &r, &e2);
	veh_vers_free(&r);
	if (!rc) return 0;
	size_t n = push_key(c, "range");
	rc = chk_fail(c, rc, "%s", e2.zMsg);
	pop(c, n);
	return rc;
}

static int chk_affects(chk *c, uint32_t a) {
	if (veh_jdoc_type(c->d, a) != VEH_J_ARRAY) return chk_fail(c, KY_EINVAL, "expected an array");
	size_t k = 0;
	for (uint32_t i = veh_jdoc_first(c->d, a); i != VEH_JNONE; i = veh_jdoc_next(c->d, a, i), k++) {
		size_t n = push_index(c, k);
		const char *zRef;
		int rc = veh_jdoc_type(c->d, i) != VEH_J_OBJECT ? chk_fail(c, KY_EINVAL, "expected {\"ref\": …}") : opt_str(c, i, "ref", &zRef);
		if (!rc && (!zRef || !*zRef)) rc = chk_fail(c, KY_EINVAL, "an affects entry needs a ref");
		uint32_t vs = rc ? VEH_JNONE : veh_jdoc_get(c->d, i, "versions");
		if (vs != VEH_JNONE) {
			size_t n2 = push_key(c, "versions");
			if (veh_jdoc_type(c->d, vs) != VEH_J_ARRAY) rc = chk_fail(c, KY_EINVAL, "expected an array");
			size_t kv = 0;
			for (uint32_t v = veh_jdoc_first(c->d, vs); !rc && v != VEH_JNONE; v = veh_jdoc_next(c->d, vs, v), kv++) {
				size_t n3 = push_index(c, kv);
				rc = chk_version_entry(c, v);
				pop(c, n3);
			}
			pop(c, n2);
		}
		pop(c, n);
		if (rc) return rc;
	}
	return 0;
}

static int chk_vulnerability(chk *c, uint32_t i) {
	const char *zId;
	int rc;
	if (veh_jdoc_type(c->d, i) != VEH_J_OBJECT) return chk_fail(c, KY_EINVAL, "expected a vulnerability (an object)");
	if ((rc = opt_str(c, i, "id", &zId))) return rc;
	if (!zId || !*zId) return chk_fail(c, KY_EINVAL, "a vulnerability needs an id (e.g. \"CVE-2022-3602\")");
	uint32_t a = veh_jdoc_get(c->d, i, "analysis"), f = veh_jdoc_get(c->d, i, "affects");
	size_t n;
	if (a != VEH_JNONE) {
		n = push_key(c, "analysis");
		rc = chk_analysis(c, a);
		pop(c, n);
		if (rc) return rc;
	}
	if (f != VEH_JNONE) {
		n = push_key(c, "affects");
		rc = chk_affects(c, f);
		pop(c, n);
	}
	return rc;
}

/* Calls fn for each item of the array member zKey of the root (absent: nothing), with the path set. */
static int chk_each(chk *c, const char *zKey, int (*fn)(chk *, uint32_t)) {
	uint32_t a = veh_jdoc_get(c->d, 0, zKey);
	if (a == VEH_JNONE) return 0;
	size_t n = push_key(c, zKey);
	int rc = veh_jdoc_type(c->d, a) != VEH_J_ARRAY ? chk_fail(c, KY_EINVAL, "expected an array") : 0;
	size_t k = 0;
	for (uint32_t i = veh_jdoc_first(c->d, a); !rc && i != VEH_JNONE; i = veh_jdoc_next(c->d, a, i), k++) {
		size_t n2 = push_index(c, k);
		rc = fn(c, i);
		pop(c, n2);
	}
	pop(c, n);
	return rc;
}

static int chk_vuln_count(chk *c, uint32_t i) {
	int rc = chk_vulnerability(c, i);
	c->nVuln += !rc;
	return rc;
}

static int chk_header(chk *c) {
	static const char *const azSpec[] = { "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", NULL };
	const veh_jdoc *d = c->d;
	const char *zFormat = veh_jdoc_get_str(d, 0, "bomFormat"), *zSpec, *zSerial;
	int rc;
	if (veh_jdoc_type(d, 0) != VEH_J_OBJECT || !zFormat || strcmp(zFormat, "CycloneDX")) {
		push_key(c, "bomFormat");
		return chk_fail(c, KY_EINVAL, "not a CycloneDX document (bomFormat must be \"CycloneDX\")");
	}
	if ((rc = opt_str(c, 0, "specVersion", &zSpec)) || (rc = opt_str(c, 0, "serialNumber", &zSerial))) return rc;
	if (!zSpec || !one_of(zSpec, azSpec)) {
		push_key(c, "specVersion");
		return chk_fail(c, KY_EINVAL, "%s%s%s (kyodo reads CycloneDX JSON 1.2 to 1.7)", zSpec ? "'" : "missing", zSpec ? zSpec : "",
		                zSpec ? "' is not read" : "");
	}
	if (zSerial && strncmp(zSerial, "urn:uuid:", 9)) {
		push_key(c, "serialNumber");
		return chk_fail(c, KY_EINVAL, "expected \"urn:uuid:…\"");
	}
	long long v;
	uint32_t iv = veh_jdoc_get(d, 0, "version");
	if (iv != VEH_JNONE && (!veh_jdoc_int(d, iv, &v) || v < 1)) {
		push_key(c, "version");
		return chk_fail(c, KY_EINVAL, "expected an integer >= 1 (the BOM's version)");
	}
	return 0;
}

/* Checks the whole document; fills the counts. */
static int chk_document(chk *c) {
	int rc = chk_header(c);
	if (rc) return rc;
	uint32_t meta = veh_jdoc_get(c->d, 0, "metadata");
	uint32_t subj = meta == VEH_JNONE ? VEH_JNONE : veh_jdoc_get(c->d, meta, "component");
	if (subj != VEH_JNONE) {
		size_t n = push_key(c, "metadata");
		push_key(c, "component");
		rc = chk_component(c, subj);
		pop(c, n);
		if (rc) return rc;
	}
	uint32_t comps = veh_jdoc_get(c->d, 0, "components"), svcs = veh_jdoc_get(c->d, 0, "services");
	if (comps != VEH_JNONE) {
		size_t n = push_key(c, "components");
		rc = chk_components(c, comps, 1);
		pop(c, n);
		if (rc) return rc;
	}
	if (svcs != VEH_JNONE) {
		size_t n = push_key(c, "services");
		rc = chk_services(c, svcs);
		pop(c, n);
		if (rc) return rc;
	}
	if ((rc = chk_each(c, "dependencies", chk_dependency))) return rc;
	return chk_each(c, "vulnerabilities", chk_vuln_count);
}

/* ---- pass 2: adding ------------------------------------------------------------------------------------- */

typedef struct add {
	veh_sbom *s;
	const veh_jdoc *d;
	int iDoc;
	int *aListed;     /* every component of the document in order (nested too), subject excluded */
	int nListed;
	int e0;           /* the first edge this document added */
	ky_err *err;
} add;

static int add_ref_map(add *a, const char *zRef, int iComp) {
	const char *z = veh__sb_strdup(a->s, zRef);
	return z && veh__sb_map_put(&a->s->aDoc[a->iDoc].refs, z, veh__sb_hash(z), iComp) >= 0 ? 0 : KY_ENOMEM;
}

static int add_components(add *a, uint32_t iArr, int iParent);

/* One component: its node, bom-ref, an edge from its parent, its nested components. -1 on error. */
static int add_component(add *a, uint32_t i, int iParent, int bListed) {
	const veh_jdoc *d = a->d;
	int iComp = veh__sb_comp(a->s, veh_jdoc_get_str(d, i, "type"), veh_jdoc_get_str(d, i, "group"), veh_jdoc_get_str(d, i, "name"),
	                         veh_jdoc_get_str(d, i, "version"), veh_jdoc_get_str(d, i, "purl"), a->iDoc, a->err);
	if (iComp < 0) return -1;
	const char *zRef = veh_jdoc_get_str(d, i, "bom-ref");
	if ((zRef && add_ref_map(a, zRef, iComp)) || (iParent >= 0 && veh__sb_edge(a->s, iParent, iComp))) return -1;
	if (bListed) a->aListed[a->nListed++] = iComp;
	uint32_t sub = veh_jdoc_get(d, i, "components");
	if (sub != VEH_JNONE && add_components(a, sub, iComp)) return -1;
	return iComp;
}

static int add_components(add *a, uint32_t iArr, int iParent) {
	for (uint32_t i = veh_jdoc_first(a->d, iArr); i != VEH_JNONE; i = veh_jdoc_next(a->d, iArr, i))
		if (add_component(a, i, iParent, 1) < 0) return -1;
	return 0;
}

static int doc_ref(const sb_doc *doc, const char *zRef) { return zRef ? veh__sb_map_get(&doc->refs, zRef, veh__sb_hash(zRef)) : -1; }

static int add_dependencies(add *a) {
	const veh_jdoc *d = a->d;
	const sb_doc *doc = &a->s->aDoc[a->iDoc];
	uint32_t deps = veh_jdoc_get(d, 0, "dependencies");
	if (deps == VEH_JNONE) return 0;
	for (uint32_t i = veh_jdoc_first(d, deps); i != VEH_JNONE; i = veh_jdoc_next(d, deps, i)) {
		int iFrom = doc_ref(doc, veh_jdoc_get_str(d, i, "ref")), rc;
		uint32_t on = veh_jdoc_get(d, i, "dependsOn");
		if (iFrom < 0 || on == VEH_JNONE) continue;   /* a service */
		for (uint32_t j = veh_jdoc_first(d, on); j != VEH_JNONE; j = veh_jdoc_next(d, on, j)) {
			int iTo = doc_ref(doc, veh_jdoc_str(d, j));
			if (iTo >= 0 && iTo != iFrom && (rc = veh__sb_edge(a->s, iFrom, iTo))) return rc;
		}
	}
	return 0;
}

/* Makes every listed component reachable: breadth-first over this document's edges from iSubject (or from nothing),
 * each listed component not reached gets an edge from the subject (or becomes a root of entry e). */
static int attach_listed(add *a, int iSubject, sb_entry *e) {
	veh_sbom *s = a->s;
	int n = s->nComp, nE = s->nEdge - a->e0, rc = 0;
	int *aStart = calloc((size_t)n + 1, sizeof(int)), *aTo = malloc(((size_t)nE + 1) * sizeof(int)), *aQ = malloc(((size_t)n + 1) * sizeof(int));
	uint8_t *aSeen = calloc((size_t)n + 1, 1);
	if (!aStart || !aTo || !aQ || !aSeen) {
		rc = KY_ENOMEM;
		goto done;
	}
	for (int k = a->e0; k < s->nEdge; k++) aStart[s->aEdge[k][0] + 1]++;
	for (int i = 0; i < n; i++) aStart[i + 1] += aStart[i];
	int *aFill = aQ;   /* borrowed as the fill cursor, reset below */
	memcpy(aFill, aStart, (size_t)n * sizeof(int));
	for (int k = a->e0; k < s->nEdge; k++) aTo[aFill[s->aEdge[k][0]]++] = s->aEdge[k][1];
	int nQ = 0;
	if (iSubject >= 0) aSeen[iSubject] = 1, aQ[nQ++] = iSubject;
	for (int l = -1, h = 0; l < a->nListed; l++) {
		if (l >= 0) {
			int i = a->aListed[l];
			if (aSeen[i]) continue;
			aSeen[i] = 1;
			aQ[nQ++] = i;
			rc = iSubject >= 0 ? veh__sb_edge(s, iSubject, i) : veh__sb_entry_root(e, i);
			if (rc) goto done;
		}
		for (; h < nQ; h++)
			for (int k = aStart[aQ[h]]; k < aStart[aQ[h] + 1]; k++)
				if (!aSeen[aTo[k]]) aSeen[aTo[k]] = 1, aQ[nQ++] = aTo[k];
	}
done:
	free(aStart);
	free(aTo);
	free(aQ);
	free(aSeen);
	return rc;
}

static int add_vulnerability(add *a, uint32_t i) {
	veh_sbom *s = a->s;
	const veh_jdoc *d = a->d;
	sb_vuln *av = realloc(s->aVuln, (size_t)(s->nVuln + 1) * sizeof *av);
	if (!av) return KY_ENOMEM;
	s->aVuln = av;
	sb_vuln *v = &av[s->nVuln];
	memset(v, 0, sizeof *v);
	size_t nRaw;
	const char *zRaw = veh_jdoc_raw(d, i, &nRaw);
	char *zJson = malloc(nRaw + 1);
	if (!zJson) return KY_ENOMEM;
	memcpy(zJson, zRaw, nRaw);
	zJson[nRaw] = 0;
	v->zJson = veh__sb_strdup(s, zJson);
	free(zJson);
	v->zId = veh__sb_strdup(s, veh_jdoc_get_str(d, i, "id"));
	v->iDoc = a->iDoc;
	const char *zState = veh_jdoc_get_str(d, veh_jdoc_get(d, i, "analysis"), "state");
	static const char *const azNeg[] = { "not_affected", "false_positive", "resolved", "resolved_with_pedigree", NULL };
	v->zState = zState ? veh__sb_strdup(s, zState) : NULL;
	v->bNeg = zState && one_of(zState, azNeg);
	s->nVuln++;   /* counted now: freed with the store whatever follows */
	if (!v->zJson || !v->zId || (zState && !v->zState)) return KY_ENOMEM;
	uint32_t f = veh_jdoc_get(d, i, "affects");
	if (f == VEH_JNONE) return 0;
	v->aAff = calloc(d->a[f].n + 1, sizeof *v->aAff);
	if (!v->aAff) return KY_ENOMEM;
	for (uint32_t k = veh_jdoc_first(d, f); k != VEH_JNONE; k = veh_jdoc_next(d, f, k)) {
		sb_affect *af = &v->aAff[v->nAff++];
		af->zRef = veh__sb_strdup(s, veh_jdoc_get_str(d, k, "ref"));
		uint32_t vs = veh_jdoc_get(d, k, "versions");
		if (!af->zRef) return KY_ENOMEM;
		if (vs == VEH_JNONE) continue;
		af->aVer = calloc(d->a[vs].n + 1, sizeof *af->aVer);
		if (!af->aVer) return KY_ENOMEM;
		for (uint32_t e = veh_jdoc_first(d, vs); e != VEH_JNONE; e = veh_jdoc_next(d, vs, e)) {
			sb_aver *x = &af->aVer[af->nVer++];
			const char *zSt = veh_jdoc_get_str(d, e, "status"), *zVer = veh_jdoc_get_str(d, e, "version");
			x->status = !zSt || !strcmp(zSt, "affected") ? SB_VS_AFFECTED : !strcmp(zSt, "unaffected") ? SB_VS_UNAFFECTED : SB_VS_UNKNOWN;
			if (zVer && !(x->zVer = veh__sb_strdup(s, zVer))) return KY_ENOMEM;
			if (!zVer) {
				if (!(x->pRange = calloc(1, sizeof *x->pRange))) return KY_ENOMEM;
				if (veh_vers_parse(veh_jdoc_get_str(d, e, "range"), x->pRange, NULL)) return KY_ENOMEM;   /* checked: only memory */
			}
		}
	}
	return 0;
}

static int add_document(veh_sbom *s, const veh_jdoc *d, const char *zFile, int kind, int iEcu, uint32_t ver, int nListed,
                        ky_err *err) {
	sb_doc *ad = realloc(s->aDoc, (size_t)(s->nDoc + 1) * sizeof *ad);
	if (!ad) return ky_err_set(err, KY_ENOMEM, "sbom: out of memory");
	s->aDoc = ad;
	sb_doc *doc = &ad[s->nDoc];
	memset(doc, 0, sizeof *doc);
	add a = { .s = s, .d = d, .iDoc = s->nDoc++, .e0 = s->nEdge, .err = err };
	a.aListed = malloc(((size_t)nListed + 1) * sizeof(int));
	const char *zSerial = veh_jdoc_get_str(d, 0, "serialNumber");
	long long version = 1;
	veh_jdoc_int(d, veh_jdoc_get(d, 0, "version"), &version);
	doc->zFile = veh__sb_strdup(s, zFile);
	doc->zSerial = zSerial ? veh__sb_strdup(s, zSerial) : NULL;
	doc->version = version;
	doc->zSpec = veh__sb_strdup(s, veh_jdoc_get_str(d, 0, "specVersion"));
	doc->kind = kind;
	doc->iEcu = iEcu;
	doc->ver = ver;
	doc->iSubject = -1;
	int rc = !a.aListed || !doc->zFile || (zSerial && !doc->zSerial) || !doc->zSpec ? KY_ENOMEM : 0;
	uint32_t subj = veh_jdoc_get(d, veh_jdoc_get(d, 0, "metadata"), "component");
	if (!rc && subj != VEH_JNONE) {
		/* the subject's own nested components are listed under it */
		int iSubj = add_component(&a, subj, -1, 0);
		doc = &s->aDoc[a.iDoc];
		if (iSubj < 0) rc = KY_ENOMEM;
		else {
			doc->iSubject = iSubj;
			doc->zSubjectRef = veh_jdoc_get_str(d, subj, "bom-ref") ? veh__sb_strdup(s, veh_jdoc_get_str(d, subj, "bom-ref")) : NULL;
			if (kind == VEH_SBOM_FIRMWARE) s->aComp[iSubj].bFirmware = 1;
		}
	}
	uint32_t comps = veh_jdoc_get(d, 0, "components");
	if (!rc && comps != VEH_JNONE && add_components(&a, comps, -1)) rc = KY_ENOMEM;
	doc = &s->aDoc[a.iDoc];
	if (!rc) rc = add_dependencies(&a);
	sb_entry *e = NULL;
	if (!rc && kind == VEH_SBOM_FIRMWARE) {
		if (!(e = veh__sb_entry(s, iEcu, ver))) rc = KY_ENOMEM;
		else if (e->iDoc < 0) e->iDoc = a.iDoc;
		if (!rc && doc->iSubject >= 0) rc = veh__sb_entry_root(e, doc->iSubject);
	}
	if (!rc && kind != VEH_SBOM_VEX) rc = attach_listed(&a, doc->iSubject, e);
	uint32_t vulns = veh_jdoc_get(d, 0, "vulnerabilities");
	for (uint32_t i = vulns == VEH_JNONE ? VEH_JNONE : veh_jdoc_first(d, vulns); !rc && i != VEH_JNONE; i = veh_jdoc_next(d, vulns, i))
		rc = add_vulnerability(&a, i);
	if (!rc) rc = veh__sb_index(s);
	free(a.aListed);
	return rc ? ky_err_set(err, rc, "sbom: out of memory") : 0;
}

/* ---- which firmware a document describes ---------------------------------------------------------------- */

/* The ECU class named in a component name ("TCU firmware") or else in the file name ("tcu-2.3.1.cdx.json"). */
static const char *guess_ecu(const char *zCompName, const char *zFile, char zOut[16]) {
	const char *az[2] = { zCompName, zFile };
	for (int k = 0; k < 2; k++) {
		if (!az[k]) continue;
		char zLow[256];
		size_t n = 0;
		for (; az[k][n] && n < sizeof zLow - 1; n++) zLow[n] = (char)((az[k][n] >= 'A' && az[k][n] <= 'Z') ? az[k][n] + 32 : az[k][n]);
		zLow[n] = 0;
		for (int i = 0; i < VEH_ECU_N; i++) {
			const char *zEcu = veh_ecu_name(i), *p = strstr(zLow, zEcu);
			size_t m = strlen(zEcu);
			if (p && (p == zLow || !(p[-1] >= 'a' && p[-1] <= 'z')) && !(p[m] >= 'a' && p[m] <= 'z'))
				return snprintf(zOut, 16, "%s", zEcu), zOut;
		}
	}
	return NULL;
}

/* A MAJOR.MINOR.PATCH found in the file name ("tcu-2.3.1.cdx.json"), or NULL. */
static const char *guess_version(const char *zFile, char *zOut, size_t n) {
	for (const char *p = zFile; *p; p++) {
		int a, b, c, len = 0;
		if (*p < '0' || *p > '9' || (p > zFile && p[-1] >= '0' && p[-1] <= '9')) continue;
		if (sscanf(p, "%d.%d.%d%n", &a, &b, &c, &len) == 3 && len > 0) {
			snprintf(zOut, n, "%d.%d.%d", a, b, c);
			return zOut;
		}
	}
	return NULL;
}

/* Decides what the document is (opt->kind) and, for a firmware, its ECU class and version. */
static int decide_kind(const veh_jdoc *d, const chk *c, const char *zFile, veh_sbom_load *opt, int *piEcu, uint32_t *pVer,
                       ky_err *err) {
	uint32_t subj = veh_jdoc_get(d, veh_jdoc_get(d, 0, "metadata"), "component");
	char zGuessEcu[16], zGuessVer[40];
	if (opt->bPart) {
		opt->kind = VEH_SBOM_PART;
		if (subj == VEH_JNONE)
			return ky_err_set(err, KY_EINVAL, "%s: $.metadata.component: a part's SBOM needs metadata.component (the part it describes)", zFile);
		return 0;
	}
	if (!opt->zEcu && !opt->zVersion && c->nTop == 0 && c->nVuln > 0) {
		opt->kind = VEH_SBOM_VEX;
		return 0;
	}
	opt->kind = VEH_SBOM_FIRMWARE;
	const char *zEcu = opt->zEcu && *opt->zEcu ? opt->zEcu : guess_ecu(veh_jdoc_get_str(d, subj, "name"), zFile, zGuessEcu);
	const char *zVer = opt->zVersion && *opt->zVersion ? opt->zVersion : veh_jdoc_get_str(d, subj, "version");
	if (!zVer || !*zVer) zVer = guess_version(zFile, zGuessVer, sizeof zGuessVer);
	if (!zEcu || !zVer)
		return ky_err_set(err, KY_EINVAL, "%s: say which firmware it describes: metadata.component name/version, or "
		                  "sbom.load(FILE, { ecu = ..., version = ... })", zFile);
	if ((*piEcu = veh_ecu_index(zEcu)) < 0)
		return ky_err_set(err, KY_ENOENT, "%s: unknown ECU '%s' (known: tcu, gw, ivi, bcm, adas)", zFile, zEcu);
	if (veh_version_parse(zVer, pVer, err)) return ky_err_prefix(err, "%s: firmware version", zFile);
	snprintf(opt->zEcuOut, sizeof opt->zEcuOut, "%s", veh_ecu_name(*piEcu));
	snprintf(opt->zVersionOut, sizeof opt->zVersionOut, "%s", zVer);
	return 0;
}

/* ---- entry points --------------------------------------------------------------------------------------- */

/* Parses and checks; *pc holds the counts. */
static int parse_checked(const char *zText, size_t nText, const char *zFile, veh_jdoc *d, chk *c, ky_err *err) {
	memset(c, 0, sizeof *c);
	if (nText > VEH_SBOM_MAX_BYTES)
		return ky_err_set(err, KY_ELIMIT, "%s: larger than %d MiB", zFile, VEH_SBOM_MAX_BYTES >> 20);
	int rc = veh_jdoc_parse(d, zText, nText, err);
	if (rc) {
		if (err) ky_err_prefix(err, "%s: not JSON", zFile);
		return rc;
	}
	*c = (chk){ .d = d, .zFile = zFile, .err = err, .zPath = "$", .nPath = 1 };
	rc = chk_document(c);
	if (rc) veh_jdoc_free(d);
	return rc;
}

int veh_sbom_add_cyclonedx(veh_sbom *s, const char *zText, size_t nText, const char *zFile, veh_sbom_load *opt,
                           ky_err *err) {
	veh_jdoc d;
	chk c;
	veh_sbom_load dflt = { 0 };
	if (!opt) opt = &dflt;
	if (!zFile) zFile = "(CycloneDX)";
	int rc = parse_checked(zText, nText, zFile, &d, &c, err);
	if (rc) {
		veh__sb_map_free(&c.refs);
		return rc;
	}
	int iEcu = -1;
	uint32_t ver = 0;
	rc = decide_kind(&d, &c, zFile, opt, &iEcu, &ver, err);
	if (!rc) rc = add_document(s, &d, zFile, opt->kind, iEcu, ver, c.nComp, err);
	if (!rc) {
		opt->nTop = c.nTop;
		opt->nComp = c.nComp;
		opt->nVuln = c.nVuln;
	}
	veh__sb_map_free(&c.refs);
	veh_jdoc_free(&d);
	return rc;
}

int veh_sbom_check_cyclonedx(const char *zText, size_t nText, const char *zFile, json_t **pOut, ky_err *err) {
	veh_jdoc d;
	chk c;
	*pOut = NULL;
	int rc = parse_checked(zText, nText, zFile, &d, &c, err);
	veh__sb_map_free(&c.refs);
	if (rc) return rc;
	veh_jdoc_free(&d);
	json_error_t je;
	*pOut = json_loadb(zText, nText, JSON_REJECT_DUPLICATES, &je);
	return *pOut ? 0 : ky_err_set(err, KY_EPARSE, "%s: %s", zFile, je.text);
}
