/* sbom: see sbom.h; the model is described in sbomInt.h. This file holds the store (components, edges, firmware),
 * the compact table, the queries and the vulnerability ground truth; cdx.c reads CycloneDX documents into it. */
#include "vehicles/sbomInt.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vehicles/purl.h"

/* ---- the store ------------------------------------------------------------------------------------------ */

veh_sbom *veh_sbom_new(void) { return calloc(1, sizeof(veh_sbom)); }

void veh_sbom_free(veh_sbom *s) {
	if (!s) return;
	for (sb_block *b = s->pArena, *n; b; b = n) {
		n = b->pNext;
		free(b);
	}
	for (int i = 0; i < s->nDoc; i++) veh__sb_map_free(&s->aDoc[i].refs);
	for (int i = 0; i < s->nEnt; i++) free(s->aEnt[i].aRoot);
	for (int i = 0; i < s->nVuln; i++) {
		for (int a = 0; a < s->aVuln[i].nAff; a++) {
			for (int v = 0; v < s->aVuln[i].aAff[a].nVer; v++) {
				veh_vers *r = s->aVuln[i].aAff[a].aVer[v].pRange;
				if (r) veh_vers_free(r), free(r);
			}
			free(s->aVuln[i].aAff[a].aVer);
		}
		free(s->aVuln[i].aAff);
	}
	free(s->aComp);
	veh__sb_map_free(&s->ids);
	free(s->aEdge);
	free(s->aAdj);
	free(s->aDoc);
	free(s->aEnt);
	free(s->aVuln);
	free(s);
}

static char *arena_alloc(veh_sbom *s, size_t n) {
	sb_block *b = s->pArena;
	if (!b || b->nCap - b->nUsed < n) {
		size_t nCap = n > 65536 ? n : 65536;
		sb_block *nb = malloc(sizeof *nb + nCap);
		if (!nb) return NULL;
		nb->nUsed = 0;
		nb->nCap = nCap;
		nb->pNext = s->pArena;
		s->pArena = b = nb;
	}
	char *z = b->a + b->nUsed;
	b->nUsed += n;
	return z;
}

char *veh__sb_strdup(veh_sbom *s, const char *z) {
	size_t n = strlen(z) + 1;
	char *o = arena_alloc(s, n);
	if (o) memcpy(o, z, n);
	return o;
}

/* FNV-1a, 32 bits, then MurmurHash3's finalizer: FNV alone left long linear-probing runs on keys that differ only
 * in their last digits ("r1234", "r1235"), a third of the load time of a 16 MiB document. */
uint32_t veh__sb_hash(const char *z) {
	uint32_t h = 2166136261u;
	for (; *z; z++) h = (h ^ (unsigned char)*z) * 16777619u;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

int veh__sb_map_get(const sb_map *m, const char *zKey, uint32_t h) {
	if (!m->nSlot) return -1;
	for (uint32_t i = h & (m->nSlot - 1);; i = (i + 1) & (m->nSlot - 1)) {
		const sb_slot *x = &m->a[i];
		if (!x->val) return -1;
		if (x->hash == h && !strcmp(x->zKey, zKey)) return (int)x->val - 1;
	}
}

int veh__sb_map_put(sb_map *m, const char *zKey, uint32_t h, int v) {
	assert(v >= 0);
	int old = veh__sb_map_get(m, zKey, h);
	if (old >= 0) return old;
	if ((m->nKey + 1) * 2 > m->nSlot) {
		uint32_t nNew = m->nSlot ? m->nSlot * 2 : 256;
		sb_slot *a = calloc(nNew, sizeof *a);
		if (!a) return KY_ENOMEM;
		for (uint32_t k = 0; k < m->nSlot; k++) {
			if (!m->a[k].val) continue;
			uint32_t i = m->a[k].hash & (nNew - 1);
			while (a[i].val) i = (i + 1) & (nNew - 1);
			a[i] = m->a[k];
		}
		free(m->a);
		m->a = a;
		m->nSlot = nNew;
	}
	uint32_t i = h & (m->nSlot - 1);
	while (m->a[i].val) i = (i + 1) & (m->nSlot - 1);
	m->a[i] = (sb_slot){ (uint32_t)v + 1, h, zKey };
	m->nKey++;
	return v;
}

void veh__sb_map_free(sb_map *m) {
	free(m->a);
	memset(m, 0, sizeof *m);
}

/* Joins up to 5 strings with separator c (0: none) into z (size n); returns z, or NULL when too long. */
static char *join(char *z, size_t n, char c, const char *a, const char *b, const char *d, const char *e, const char *f) {
	const char *az[5] = { a, b, d, e, f };
	size_t k = 0;
	for (int i = 0; i < 5 && az[i]; i++) {
		size_t m = strlen(az[i]);
		if (k + m + 2 > n) return NULL;
		if (i && c) z[k++] = c;
		memcpy(z + k, az[i], m);
		k += m;
	}
	z[k] = 0;
	return z;
}

/* Fills the purl fields of c from the purl (already checked by the caller); zCanon is its canonical text. */
static int comp_set_purl(veh_sbom *s, sb_comp *c, const veh_purl *p, const char *zCanon) {
	char zNoVer[2048];
	c->zPurl = veh__sb_strdup(s, zCanon);
	c->zPType = veh__sb_strdup(s, p->zType);
	c->zPNs = veh__sb_strdup(s, p->zNs);
	c->zPName = veh__sb_strdup(s, p->zName);
	c->zPVer = p->zVer ? veh__sb_strdup(s, p->zVer) : NULL;
	zNoVer[0] = 'P', zNoVer[1] = 1;
	veh_purl_format(p, 0, zNoVer + 2, sizeof zNoVer - 2);
	c->zFamP = veh__sb_strdup(s, zNoVer);
	return c->zPurl && c->zPType && c->zPNs && c->zPName && (!p->zVer || c->zPVer) && c->zFamP ? 0 : KY_ENOMEM;
}

/* A new component (the caller registers its keys). -1 on out of memory. */
static int comp_new(veh_sbom *s, const char *zType, const char *zGroup, const char *zName, const char *zVer, int iDoc) {
	char z[2048];
	if (s->nComp == s->nCompAlloc) {
		int nNew = s->nCompAlloc ? s->nCompAlloc * 2 : 256;
		sb_comp *a = realloc(s->aComp, (size_t)nNew * sizeof *a);
		if (!a) return -1;
		s->aComp = a;
		s->nCompAlloc = nNew;
	}
	sb_comp *c = &s->aComp[s->nComp];
	memset(c, 0, sizeof *c);
	c->zType = veh__sb_strdup(s, zType);
	c->zGroup = veh__sb_strdup(s, zGroup);
	c->zName = veh__sb_strdup(s, zName);
	c->zVer = veh__sb_strdup(s, zVer);
	char zQual[1024];
	if (!join(zQual, sizeof zQual, '/', *zGroup ? zGroup : zName, *zGroup ? zName : NULL, NULL, NULL, NULL)) return -1;
	c->zLabel = veh__sb_strdup(s, join(z, sizeof z, '@', zQual, *zVer ? zVer : NULL, NULL, NULL, NULL) ? z : zQual);
	c->zFamT = join(z, sizeof z, 1, "T", zType, zGroup, zName, NULL) ? veh__sb_strdup(s, z) : NULL;
	c->iDoc = iDoc;
	if (!c->zType || !c->zGroup || !c->zName || !c->zVer || !c->zLabel || !c->zFamT) return -1;
	return s->nComp++;
}

int veh__sb_comp(veh_sbom *s, const char *zType, const char *zGroup, const char *zName, const char *zVer,
                 const char *zPurl, int iDoc, ky_err *err) {
	char zT[2048], zP[2048];
	if (!zType || !*zType) zType = "library";
	if (!zGroup) zGroup = "";
	if (!zVer) zVer = "";
	if (!join(zT, sizeof zT, 1, "T", zType, zGroup, zName, zVer)) return ky_err_set(err, KY_ELIMIT, "sbom: a component name longer than 2000 bytes");
	uint32_t hT = veh__sb_hash(zT);
	int iT = veh__sb_map_get(&s->ids, zT, hT), rc = 0;
	if (!zPurl) {
		if (iT >= 0) return iT;
		int i = comp_new(s, zType, zGroup, zName, zVer, iDoc);
		const char *zKey = i >= 0 ? veh__sb_strdup(s, zT) : NULL;
		if (!zKey || veh__sb_map_put(&s->ids, zKey, hT, i) < 0) return ky_err_set(err, KY_ENOMEM, "sbom: out of memory");
		return i;
	}
	veh_purl p;
	if ((rc = veh_purl_parse(zPurl, &p, err))) {
		veh_purl_free(&p);
		return rc;
	}
	if (!p.zVer && *zVer) p.zVer = zVer;   /* a purl without a version names this version of it */
	zP[0] = 'P', zP[1] = 1;
	if (veh_purl_format(&p, 1, zP + 2, sizeof zP - 2) >= sizeof zP - 2) {
		veh_purl_free(&p);
		return ky_err_set(err, KY_ELIMIT, "sbom: a package URL longer than 2000 bytes");
	}
	uint32_t hP = veh__sb_hash(zP);
	int i = veh__sb_map_get(&s->ids, zP, hP);
	if (i < 0 && iT >= 0 && !s->aComp[iT].zPurl) i = iT;   /* the purl-less node of this identity gets the purl */
	else if (i < 0 && (i = comp_new(s, zType, zGroup, zName, zVer, iDoc)) < 0) rc = KY_ENOMEM;
	else if (s->aComp[i].zPurl) {
		veh_purl_free(&p);
		return i;
	}
	const char *zKey = rc ? NULL : veh__sb_strdup(s, zP);
	if (!zKey || comp_set_purl(s, &s->aComp[i], &p, zP + 2) || veh__sb_map_put(&s->ids, zKey, hP, i) < 0) rc = KY_ENOMEM;
	if (!rc && iT < 0) {
		const char *zTKey = veh__sb_strdup(s, zT);
		if (!zTKey || veh__sb_map_put(&s->ids, zTKey, hT, i) < 0) rc = KY_ENOMEM;
	}
	veh_purl_free(&p);
	return rc ? ky_err_set(err, KY_ENOMEM, "sbom: out of memory") : i;
}

int veh__sb_edge(veh_sbom *s, int iFrom, int iTo) {
	assert(iFrom >= 0 && iFrom < s->nComp && iTo >= 0 && iTo < s->nComp);
	if (s->nEdge == s->nEdgeAlloc) {
		int nNew = s->nEdgeAlloc ? s->nEdgeAlloc * 2 : 1024;
		int(*a)[2] = realloc(s->aEdge, (size_t)nNew * sizeof *a);
		if (!a) return KY_ENOMEM;
		s->aEdge = a;
		s->nEdgeAlloc = nNew;
	}
	s->aEdge[s->nEdge][0] = iFrom;
	s->aEdge[s->nEdge][1] = iTo;
	s->nEdge++;
	return 0;
}

int veh__sb_index(veh_sbom *s) {
	uint32_t *aAdj = malloc(((size_t)s->nEdge + 1) * sizeof *aAdj);
	if (!aAdj) return KY_ENOMEM;
	for (int i = 0; i < s->nComp; i++) s->aComp[i].nAdj = 0;
	for (int e = 0; e < s->nEdge; e++) s->aComp[s->aEdge[e][0]].nAdj++;
	uint32_t k = 0;
	for (int i = 0; i < s->nComp; i++) {
		s->aComp[i].iAdj = k;
		k += s->aComp[i].nAdj;
		s->aComp[i].nAdj = 0;
	}
	for (int e = 0; e < s->nEdge; e++) {
		sb_comp *c = &s->aComp[s->aEdge[e][0]];
		aAdj[c->iAdj + c->nAdj++] = (uint32_t)s->aEdge[e][1];
	}
	free(s->aAdj);
	s->aAdj = aAdj;
	return 0;
}

sb_entry *veh__sb_entry(veh_sbom *s, int iEcu, uint32_t ver) {
	for (int i = 0; i < s->nEnt; i++)
		if (s->aEnt[i].iEcu == iEcu && s->aEnt[i].ver == ver) return &s->aEnt[i];
	sb_entry *a = realloc(s->aEnt, (size_t)(s->nEnt + 1) * sizeof *a);
	if (!a) return NULL;
	s->aEnt = a;
	memset(&a[s->nEnt], 0, sizeof a[0]);
	a[s->nEnt].iEcu = iEcu;
	a[s->nEnt].ver = ver;
	a[s->nEnt].iDoc = -1;
	return &a[s->nEnt++];
}

int veh__sb_entry_root(sb_entry *e, int iComp) {
	for (int i = 0; i < e->nRoot; i++)
		if (e->aRoot[i] == iComp) return 0;
	int *a = realloc(e->aRoot, (size_t)(e->nRoot + 1) * sizeof *a);
	if (!a) return KY_ENOMEM;
	e->aRoot = a;
	a[e->nRoot++] = iComp;
	return 0;
}

/* ---- queries -------------------------------------------------------------------------------------------- */

typedef struct sb_query {
	int bPurl;
	veh_purl purl;
	char *zQual;          /* plain: "group/name" as written (malloc'd with the version) */
	const char *zVer;     /* NULL: any version */
	veh_vers range;
	int bRange;
	const char *zText;    /* the query as given, for messages */
} sb_query;

static void query_free(sb_query *q) {
	veh_purl_free(&q->purl);
	veh_vers_free(&q->range);
	free(q->zQual);
	memset(q, 0, sizeof *q);
}

/* The '@' that separates the version: the last one that neither starts the text nor a path segment (npm scopes). */
static const char *version_at(const char *z) {
	const char *at = NULL;
	for (const char *p = z; *p; p++)
		if (*p == '@' && p > z && p[-1] != '/') at = p;
	return at;
}

static int query_parse(const char *z, const char *zRange, sb_query *q, ky_err *err) {
	memset(q, 0, sizeof *q);
	q->zText = z;
	for (const char *p = z; *p; p++)
		if ((unsigned char)*p <= ' ') return ky_err_set(err, KY_EINVAL, "'%.200s': a component has no spaces (name@version, group/name@version or pkg:…)", z);
	if (!*z) return ky_err_set(err, KY_EINVAL, "empty component (name@version, group/name@version or pkg:…)");
	int rc;
	const char *zVerRange = NULL;
	if (veh_purl_is(z)) {
		if ((rc = veh_purl_parse(z, &q->purl, err))) return rc;
		q->bPurl = 1;
		q->zVer = q->purl.zVer;
		if (q->zVer && veh_vers_is(q->zVer)) zVerRange = q->zVer, q->zVer = NULL;
	} else {
		const char *at = version_at(z);
		q->zQual = strdup(z);
		if (!q->zQual) return ky_err_set(err, KY_ENOMEM, "out of memory");
		if (at) {
			q->zQual[at - z] = 0;
			q->zVer = q->zQual + (at - z) + 1;
			if (!*q->zVer) return ky_err_set(err, KY_EINVAL, "'%.200s': nothing after '@' (name@version)", z);
			if (veh_vers_is(q->zVer)) zVerRange = q->zVer, q->zVer = NULL;
		}
		size_t n = strlen(q->zQual);
		if (!n || q->zQual[0] == '/' || q->zQual[n - 1] == '/')
			return ky_err_set(err, KY_EINVAL, "'%.200s': expected name@version, group/name@version or a purl", z);
	}
	if (zVerRange && zRange) return ky_err_set(err, KY_EINVAL, "'%.200s': a range twice (in the component and in range)", z);
	if (!zRange) zRange = zVerRange;
	if (zRange) {
		if (q->zVer) return ky_err_set(err, KY_EINVAL, "'%.200s': a version and a range: give one of them", z);
		if ((rc = veh_vers_parse(zRange, &q->range, err))) return rc;
		q->bRange = 1;
	}
	return 0;
}

/* Versions equal, a leading 'v' before a digit ignored on both sides (composer and Go write v7.12.0). */
static int ver_eq(const char *a, const char *b) {
	if (!strcmp(a, b)) return 1;
	if ((*a == 'v' || *a == 'V') && a[1] >= '0' && a[1] <= '9') a++;
	if ((*b == 'v' || *b == 'V') && b[1] >= '0' && b[1] <= '9') b++;
	return !strcmp(a, b);
}

static int version_ok(const sb_query *q, const sb_comp *c) {
	const char *az[2] = { c->zVer, c->zPVer };
	for (int k = 0; k < 2; k++) {
		if (!az[k] || (k == 1 && c->zPVer && !strcmp(c->zPVer, c->zVer))) continue;
		if (q->zVer && *az[k] && ver_eq(q->zVer, az[k])) return 1;
		if (q->bRange && *az[k] && veh_vers_contains(&q->range, az[k])) return 1;
		if (!q->zVer && !q->bRange) return 1;
	}
	return !q->zVer && !q->bRange;
}

static int name_eq(const char *a, const char *b, int bFold) { return bFold ? !strcasecmp(a, b) : !strcmp(a, b); }

/* "group/name" or "name" into z. */
static const char *qualified(const char *zGroup, const char *zName, char *z, size_t n) {
	snprintf(z, n, "%s%s%s", zGroup, *zGroup ? "/" : "", zName);
	return z;
}

static int name_ok(const sb_query *q, const sb_comp *c) {
	char z[1024];
	if (q->bPurl) {
		if (c->zPurl)
			return !strcmp(q->purl.zType, c->zPType) && !strcmp(q->purl.zNs, c->zPNs) && !strcmp(q->purl.zName, c->zPName);
		int bFold = veh_purl_type_folds(q->purl.zType);
		return name_eq(q->purl.zNs, c->zGroup, bFold) && name_eq(q->purl.zName, c->zName, bFold);
	}
	if (!strcmp(q->zQual, qualified(c->zGroup, c->zName, z, sizeof z))) return 1;
	return c->zPurl && name_eq(q->zQual, qualified(c->zPNs, c->zPName, z, sizeof z), veh_purl_type_folds(c->zPType));
}

/* ---- walks ---------------------------------------------------------------------------------------------- */

enum { MK_NONE, MK_TARGET, MK_BLOCK };

typedef struct walk {
	int *aParent;     /* -1: a root; -2: not reached */
	int *aQueue;
	int nQueue;
} walk;

static int walk_init(walk *w, int n) {
	w->aParent = malloc(((size_t)n + 1) * sizeof(int));
	w->aQueue = malloc(((size_t)n + 1) * sizeof(int));
	if (!w->aParent || !w->aQueue) return KY_ENOMEM;
	for (int i = 0; i < n; i++) w->aParent[i] = -2;
	return 0;
}

static void walk_free(walk *w) {
	free(w->aParent);
	free(w->aQueue);
}

/* Breadth-first from the entry's roots, not through blocked nodes; the first target reached (or -1). Leaves the
 * parents of the nodes reached for path(); walk_reset clears them. */
static int walk_entry(const veh_sbom *s, const sb_entry *e, const uint8_t *aMark, walk *w) {
	w->nQueue = 0;
	for (int r = 0; r < e->nRoot; r++) {
		int i = e->aRoot[r];
		if (w->aParent[i] != -2 || aMark[i] == MK_BLOCK) continue;
		w->aParent[i] = -1;
		w->aQueue[w->nQueue++] = i;
	}
	for (int h = 0; h < w->nQueue; h++) {
		int i = w->aQueue[h];
		if (aMark[i] == MK_TARGET) return i;
		const sb_comp *c = &s->aComp[i];
		for (uint32_t k = 0; k < c->nAdj; k++) {
			int j = (int)s->aAdj[c->iAdj + k];
			if (w->aParent[j] != -2 || aMark[j] == MK_BLOCK) continue;
			w->aParent[j] = i;
			w->aQueue[w->nQueue++] = j;
		}
	}
	return -1;
}

static void walk_reset(walk *w) {
	for (int h = 0; h < w->nQueue; h++) w->aParent[w->aQueue[h]] = -2;
	w->nQueue = 0;
}

/* {"ecu","version","path","direct"} of the node found in entry e. */
static json_t *hit_json(const veh_sbom *s, const sb_entry *e, const walk *w, int iFound) {
	char z[32];
	json_t *path = json_array();
	int depth = 0, iRoot = iFound;
	for (int i = iFound; i >= 0; i = w->aParent[i], depth++) iRoot = i;
	/* root first: the parents in reverse, without inserting at the front (quadratic on a long chain) */
	int *a = malloc((size_t)depth * sizeof *a), k = depth;
	for (int i = iFound; a && i >= 0; i = w->aParent[i]) a[--k] = i;
	for (k = 0; a && k < depth; k++) json_array_append_new(path, json_string(s->aComp[a[k]].zLabel));
	free(a);
	/* depth counts the nodes on the path; a firmware document's subject is the firmware itself */
	int bDirect = depth <= (s->aComp[iRoot].bFirmware ? 2 : 1);
	return json_pack("{sssssosb}", "ecu", veh_ecu_name(e->iEcu), "version", veh_version_format(e->ver, z, sizeof z), "path",
	                 path, "direct", bDirect);
}

/* Walks every firmware with the marks; fills e->aHit and detail.firmware. */
static int eval_walk(const veh_sbom *s, const uint8_t *aMark, veh_sbom_eval *ev, ky_err *err) {
	walk w;
	json_t *fw = json_array();
	ev->aHit = malloc(((size_t)s->nEnt + 1) * sizeof *ev->aHit);
	if (walk_init(&w, s->nComp) || !ev->aHit || !fw) {
		walk_free(&w);
		json_decref(fw);
		return ky_err_set(err, KY_ENOMEM, "sbom: out of memory");
	}
	for (int i = 0; i < s->nEnt; i++) {
		const sb_entry *e = &s->aEnt[i];
		int iFound = walk_entry(s, e, aMark, &w);
		if (iFound >= 0) {
			ev->aHit[ev->nHit].iEcu = e->iEcu;
			ev->aHit[ev->nHit].ver = e->ver;
			ev->nHit++;
			json_array_append_new(fw, hit_json(s, e, &w, iFound));
		}
		walk_reset(&w);
	}
	walk_free(&w);
	json_object_set_new(ev->detail, "firmware", fw);
	return 0;
}

void veh_sbom_eval_free(veh_sbom_eval *e) {
	free(e->aHit);
	json_decref(e->detail);
	memset(e, 0, sizeof *e);
}

static int vcmp_generic(const void *a, const void *b) {
	return veh_version_cmp(VEH_VS_GENERIC, *(const char *const *)a, *(const char *const *)b);
}

/* The versions at which the query's name is known (sorted, unique, at most 16). */
static json_t *other_versions(const veh_sbom *s, const sb_query *q) {
	sb_query any = *q;
	any.zVer = NULL;
	any.bRange = 0;
	const char **az = malloc(((size_t)s->nComp + 1) * sizeof *az);
	int n = 0;
	json_t *a = json_array();
	if (!az) return a;
	for (int i = 0; i < s->nComp; i++)
		if (name_ok(&any, &s->aComp[i]) && *s->aComp[i].zVer) az[n++] = s->aComp[i].zVer;
	qsort(az, (size_t)n, sizeof *az, vcmp_generic);
	for (int i = 0; i < n && json_array_size(a) < 16; i++)
		if (!i || strcmp(az[i], az[i - 1])) json_array_append_new(a, json_string(az[i]));
	free(az);
	return a;
}

static json_t *no_match_note(const sb_query *q, json_t *other) {
	char z[1024];
	const char *zName = q->bPurl ? qualified(q->purl.zNs, q->purl.zName, z, sizeof z) : q->zQual;
	if (!json_array_size(other)) return json_sprintf("no component named '%s' in any SBOM", zName);
	char zList[512] = "";
	size_t i, k = 0;
	json_t *v;
	json_array_foreach(other, i, v) k += (size_t)snprintf(zList + k, k < sizeof zList ? sizeof zList - k : 0, "%s%s", i ? ", " : "", json_string_value(v));
	return json_sprintf("no component '%s' in any SBOM; '%s' is known at %s", q->zText, zName, zList);
}

int veh_sbom_eval_component(const veh_sbom *s, const char *zQuery, const char *zRange, veh_sbom_eval *ev, ky_err *err) {
	sb_query q;
	memset(ev, 0, sizeof *ev);
	int rc = query_parse(zQuery, zRange, &q, err);
	if (rc) {
		query_free(&q);
		return rc;
	}
	uint8_t *aMark = calloc((size_t)s->nComp + 1, 1);
	ev->detail = json_object();
	json_t *matches = json_array();
	int nMatch = 0;
	if (!aMark || !ev->detail || !matches) {
		free(aMark);
		json_decref(matches);
		query_free(&q);
		return ky_err_set(err, KY_ENOMEM, "sbom: out of memory");
	}
	for (int i = 0; i < s->nComp; i++) {
		if (!name_ok(&q, &s->aComp[i]) || !version_ok(&q, &s->aComp[i])) continue;
		aMark[i] = MK_TARGET;
		if (nMatch++ < 20) json_array_append_new(matches, json_string(s->aComp[i].zLabel));
	}
	json_object_set_new(ev->detail, "known", json_boolean(nMatch > 0));
	json_object_set_new(ev->detail, "matches", matches);
	json_object_set_new(ev->detail, "matches_total", json_integer(nMatch));
	if (!nMatch) {
		json_t *other = (q.zVer || q.bRange) ? other_versions(s, &q) : json_array();
		json_object_set_new(ev->detail, "note", no_match_note(&q, other));
		json_object_set_new(ev->detail, "other_versions", other);
	}
	rc = eval_walk(s, aMark, ev, err);
	free(aMark);
	query_free(&q);
	return rc;
}

/* ---- vulnerabilities ------------------------------------------------------------------------------------ */

int veh_sbom_vuln_known(const veh_sbom *s, const char *zId) {
	for (int i = 0; i < s->nVuln; i++)
		if (!strcmp(s->aVuln[i].zId, zId)) return 1;
	return 0;
}

static int ref_find(const sb_doc *d, const char *zRef) { return veh__sb_map_get(&d->refs, zRef, veh__sb_hash(zRef)); }

static int hexval(char c) {
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decodes z into o (a bad escape is kept as it is). */
static void pct_decode(const char *z, char *o, size_t n) {
	size_t k = 0;
	for (; *z && k + 1 < n; z++) {
		if (*z == '%' && hexval(z[1]) >= 0 && hexval(z[2]) >= 0) {
			o[k++] = (char)(hexval(z[1]) * 16 + hexval(z[2]));
			z += 2;
		} else {
			o[k++] = *z;
		}
	}
	o[k] = 0;
}

/* Adds to aOut (size s->nComp, as flags) the components an affects ref names. Returns how many. */
static int resolve_ref(const veh_sbom *s, const sb_vuln *v, const char *zRef, uint8_t *aOut) {
	int n = 0;
	if (!strncmp(zRef, "urn:cdx:", 8)) {
		/* BOM-Link: urn:cdx:SERIAL/VERSION#BOM-REF (the serial without its urn:uuid: prefix) */
		const char *slash = strchr(zRef + 8, '/'), *hash = strchr(zRef + 8, '#');
		if (!hash) return 0;
		char zSerial[128], zFrag[1024];
		snprintf(zSerial, sizeof zSerial, "urn:uuid:%.*s", (int)((slash && slash < hash ? slash : hash) - (zRef + 8)), zRef + 8);
		long long version = slash && slash < hash ? strtoll(slash + 1, NULL, 10) : 0;
		pct_decode(hash + 1, zFrag, sizeof zFrag);
		for (int pass = 0; pass < 2 && !n; pass++) {   /* the exact BOM version first, then any version of that serial */
			for (int d = 0; d < s->nDoc; d++) {
				const sb_doc *doc = &s->aDoc[d];
				if (!doc->zSerial || strcasecmp(doc->zSerial, zSerial) || (pass == 0 && version && doc->version != version)) continue;
				int i = ref_find(doc, zFrag);
				if (i >= 0) aOut[i] = 1, n++;
			}
		}
		return n;
	}
	if (veh_purl_is(zRef)) {
		sb_query q;
		if (query_parse(zRef, NULL, &q, NULL) == 0) {
			for (int i = 0; i < s->nComp; i++)
				if (name_ok(&q, &s->aComp[i]) && version_ok(&q, &s->aComp[i])) aOut[i] = 1, n++;
		}
		query_free(&q);
		return n;
	}
	int i = ref_find(&s->aDoc[v->iDoc], zRef);   /* the statement's own document first, then any other */
	if (i >= 0) return aOut[i] = 1, 1;
	for (int d = 0; d < s->nDoc; d++)
		if (d != v->iDoc && (i = ref_find(&s->aDoc[d], zRef)) >= 0) aOut[i] = 1, n++;
	return n;
}

/* The status the versions list gives component c: SB_VS_*. An exact version wins over a range. */
static int version_status(const sb_affect *a, const sb_comp *c) {
	for (int k = 0; k < a->nVer; k++)
		if (a->aVer[k].zVer && (ver_eq(a->aVer[k].zVer, c->zVer) || (c->zPVer && ver_eq(a->aVer[k].zVer, c->zPVer)))) return a->aVer[k].status;
	for (int k = 0; k < a->nVer; k++) {
		const veh_vers *r = a->aVer[k].pRange;
		if (r && ((*c->zVer && veh_vers_contains(r, c->zVer)) || (c->zPVer && veh_vers_contains(r, c->zPVer)))) return a->aVer[k].status;
	}
	return SB_VS_UNKNOWN;
}

static int same_family(const sb_comp *a, const sb_comp *b) {
	return (a->zFamP && b->zFamP && !strcmp(a->zFamP, b->zFamP)) || !strcmp(a->zFamT, b->zFamT);
}

/* Applies one affects entry of statement v to the marks. */
static void apply_affect(const veh_sbom *s, const sb_vuln *v, const sb_affect *a, uint8_t *aRes, uint8_t *aMark,
                         json_t *unresolved) {
	memset(aRes, 0, (size_t)s->nComp);
	if (!resolve_ref(s, v, a->zRef, aRes)) {
		json_array_append_new(unresolved, json_string(a->zRef));
		return;
	}
	int markAff = v->bNeg ? MK_BLOCK : MK_TARGET;
	if (!a->nVer) {
		for (int i = 0; i < s->nComp; i++)
			if (aRes[i]) aMark[i] = (uint8_t)markAff;
		return;
	}
	/* with versions: every version of the component named (its family), by its status in the list */
	for (int i = 0; i < s->nComp; i++) {
		if (!aRes[i]) continue;
		for (int j = 0; j < s->nComp; j++) {
			if (aRes[j] == 2 || !same_family(&s->aComp[i], &s->aComp[j])) continue;
			int st = version_status(a, &s->aComp[j]);
			if (st == SB_VS_AFFECTED) aMark[j] = (uint8_t)markAff;
			else if (st == SB_VS_UNAFFECTED) aMark[j] = MK_BLOCK;
			if (!aRes[j]) aRes[j] = 2;   /* done (a member of the family, not named itself) */
		}
	}
}

static json_t *labels_marked(const veh_sbom *s, const uint8_t *aMark, int mark) {
	json_t *a = json_array();
	for (int i = 0; i < s->nComp && json_array_size(a) < 100; i++)
		if (aMark[i] == mark) json_array_append_new(a, json_string(s->aComp[i].zLabel));
	return a;
}

int veh_sbom_eval_vulnerability(const veh_sbom *s, const char *zId, veh_sbom_eval *ev, ky_err *err) {
	memset(ev, 0, sizeof *ev);
	uint8_t *aMark = calloc((size_t)s->nComp + 1, 1), *aRes = malloc((size_t)s->nComp + 1);
	json_t *unresolved = json_array();
	ev->detail = json_object();
	if (!aMark || !aRes || !unresolved || !ev->detail) {
		free(aMark);
		free(aRes);
		json_decref(unresolved);
		return ky_err_set(err, KY_ENOMEM, "sbom: out of memory");
	}
	int bKnown = 0;
	for (int i = 0; i < s->nVuln; i++) {
		const sb_vuln *v = &s->aVuln[i];
		if (strcmp(v->zId, zId)) continue;
		bKnown = 1;
		for (int a = 0; a < v->nAff; a++) apply_affect(s, v, &v->aAff[a], aRes, aMark, unresolved);
	}
	json_object_set_new(ev->detail, "known", json_boolean(bKnown));
	json_object_set_new(ev->detail, "components", labels_marked(s, aMark, MK_TARGET));
	json_object_set_new(ev->detail, "not_affected", labels_marked(s, aMark, MK_BLOCK));
	json_object_set_new(ev->detail, "unresolved", unresolved);
	int rc = eval_walk(s, aMark, ev, err);
	free(aMark);
	free(aRes);
	return rc;
}

/* ---- the compact table ---------------------------------------------------------------------------------- */

/* Adds one table item (a query with a version) as a component; *piComp gets its index. */
static int table_item(veh_sbom *s, const char *z, int *piComp, ky_err *err) {
	sb_query q;
	int rc = query_parse(z, NULL, &q, err);
	if (!rc && !q.zVer) rc = ky_err_set(err, KY_EINVAL, "'%.200s': expected \"name@version\" (a version, not a range)", z);
	if (!rc) {
		if (q.bPurl) {
			*piComp = veh__sb_comp(s, "library", q.purl.zNs, q.purl.zName, q.purl.zVer, z, -1, err);
		} else {
			char *slash = strrchr(q.zQual, '/');
			if (slash) *slash = 0;
			*piComp = veh__sb_comp(s, "library", slash ? q.zQual : "", slash ? slash + 1 : q.zQual, q.zVer, NULL, -1, err);
		}
		if (*piComp < 0) rc = *piComp;
	}
	query_free(&q);
	return rc;
}

int veh_sbom_add_json(veh_sbom *s, json_t *sbom, ky_err *err) {
	const char *zEcu, *zVer;
	json_t *jVers, *jList, *jItem;
	size_t idx;
	if (!json_is_object(sbom)) return ky_err_set(err, KY_EINVAL, "sbom: expected {ECU: {VERSION: [\"name@version\", ...]}}");
	/* validate everything first so that an error adds nothing */
	json_object_foreach(sbom, zEcu, jVers) {
		if (veh_ecu_index(zEcu) < 0)
			return ky_err_set(err, KY_ENOENT, "sbom: unknown ECU '%s' (known: tcu, gw, ivi, bcm, adas)", zEcu);
		if (!json_is_object(jVers)) return ky_err_set(err, KY_EINVAL, "sbom.%s: expected {VERSION: [components]}", zEcu);
		json_object_foreach(jVers, zVer, jList) {
			uint32_t v;
			if (veh_version_parse(zVer, &v, err)) return ky_err_prefix(err, "sbom.%s", zEcu);
			if (!json_is_array(jList)) return ky_err_set(err, KY_EINVAL, "sbom.%s[\"%s\"]: expected a list of \"name@version\"", zEcu, zVer);
			json_array_foreach(jList, idx, jItem) {
				sb_query q;
				const char *z = json_string_value(jItem);
				int rc = z ? query_parse(z, NULL, &q, err) : KY_EINVAL;
				int bOk = !rc && q.zVer;
				query_free(&q);
				if (!bOk)
					return ky_err_set(err, KY_EINVAL, "sbom.%s[\"%s\"][%zu]: expected \"name@version\", \"group/name@version\" or a "
					                  "purl with a version", zEcu, zVer, idx + 1);
			}
		}
	}
	json_object_foreach(sbom, zEcu, jVers) {
		json_object_foreach(jVers, zVer, jList) {
			uint32_t v = 0;
			veh_version_parse(zVer, &v, NULL);
			sb_entry *e = veh__sb_entry(s, veh_ecu_index(zEcu), v);
			if (!e) return ky_err_set(err, KY_ENOMEM, "sbom: out of memory");
			json_array_foreach(jList, idx, jItem) {
				int iComp, rc = table_item(s, json_string_value(jItem), &iComp, err);
				if (rc || (rc = veh__sb_entry_root(e, iComp))) return rc < 0 ? ky_err_set(err, rc, "sbom: out of memory") : rc;
			}
		}
	}
	return veh__sb_index(s) ? ky_err_set(err, KY_ENOMEM, "sbom: out of memory") : 0;
}

/* ---- reading out ---------------------------------------------------------------------------------------- */

int veh_sbom_has_firmware(const veh_sbom *s, int iEcu, uint32_t ver) {
	for (int i = 0; i < s->nEnt; i++)
		if (s->aEnt[i].iEcu == iEcu && s->aEnt[i].ver == ver) return 1;
	return 0;
}

int veh_sbom_component_count(const veh_sbom *s) { return s->nComp; }

json_t *veh_sbom_components_json(const veh_sbom *s, int nMax) {
	json_t *a = json_array();
	for (int i = 0; i < s->nComp && (int)json_array_size(a) < nMax; i++) json_array_append_new(a, json_string(s->aComp[i].zLabel));
	return a;
}

static json_t *firmware_json(const veh_sbom *s, const sb_entry *e) {
	char z[32];
	json_t *o = json_pack("{ssss}", "ecu", veh_ecu_name(e->iEcu), "version", veh_version_format(e->ver, z, sizeof z));
	if (e->iDoc < 0) return o;
	const sb_doc *d = &s->aDoc[e->iDoc];
	if (d->zFile) json_object_set_new(o, "file", json_string(d->zFile));
	if (d->zSerial) json_object_set_new(o, "serial", json_string(d->zSerial));
	json_object_set_new(o, "bom_version", json_integer(d->version));
	if (d->iSubject >= 0) {
		const sb_comp *c = &s->aComp[d->iSubject];
		json_object_set_new(o, "name", json_string(c->zLabel));
		if (c->zPurl) json_object_set_new(o, "purl", json_string(c->zPurl));
	}
	if (d->zSubjectRef) json_object_set_new(o, "bom_ref", json_string(d->zSubjectRef));
	return o;
}

json_t *veh_sbom_json(const veh_sbom *s) {
	json_t *o = json_object(), *fw = json_array(), *vulns = json_array();
	for (int i = 0; i < s->nEnt; i++) json_array_append_new(fw, firmware_json(s, &s->aEnt[i]));
	for (int i = 0; i < s->nVuln; i++) {
		int bFirst = 1;
		for (int k = 0; k < i && bFirst; k++) bFirst = strcmp(s->aVuln[k].zId, s->aVuln[i].zId) != 0;
		if (!bFirst) continue;
		veh_sbom_eval ev;
		if (veh_sbom_eval_vulnerability(s, s->aVuln[i].zId, &ev, NULL)) continue;
		json_t *v = json_pack("{ss}", "id", s->aVuln[i].zId);
		json_t *st = json_loads(s->aVuln[i].zJson, 0, NULL);
		if (st) json_object_set_new(v, "statement", st);
		json_object_set(v, "firmware", json_object_get(ev.detail, "firmware"));
		json_object_set(v, "components", json_object_get(ev.detail, "components"));
		json_array_append_new(vulns, v);
		veh_sbom_eval_free(&ev);
	}
	json_object_set_new(o, "firmware", fw);
	json_object_set_new(o, "vulnerabilities", vulns);
	return o;
}
