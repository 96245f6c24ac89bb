/* codec: the world's snapshot (a binary blob of the whole state), its restore, and the state hash (SHA-256 of the
 * snapshot). Format "KYW2" (a world without organisations), "KYW3" (with them) or "KYW4" (with declared services,
 * credentials or recalls), little-endian, laid out in a stable order so that two snapshots of one world differ
 * only where its state differs, at the same offsets: the journal's XOR against the previous snapshot is then mostly
 * zeros. Delta coding and any compression are the journal's business; this codec only has to be fast and stable.
 *   header   magic, cars, seed, cohorts, attack campaigns, OTA campaigns, version exceptions,
 *            the width of each car column (13 bytes, padded to 16)                                48 bytes
 *   scalars  started, start time, params, services, random streams, counters, pending times      8 bytes each
 *   columns  one after the other, each n x width bytes: ECU version codes x5, flags, campaign, entry,
 *            features off, OTA state, OTA campaign, OTA step end, last check-in
 *   tables   attack campaigns, OTA campaigns (selectors as JSON text, recompiled on restore), version exceptions
 *   orgs     KYW3 only: the organisations (ids), and for each org after the first its services, counters and view of
 *            each campaign (alerts queued, incident, C2 blocked, block pending), then each OTA campaign's org
 * The per-organisation fields of KYW2 (services, counters, a campaign's alerts, incident and block) hold org 0's:
 * the implicit organisation of a drill without orgs, whose snapshot is therefore exactly what KYW2 always was (same
 * bytes, same state hash), and the first declared org in KYW3. Both are read.
 *   ext      KYW4 only, after the version exceptions: a u32 of flags (bit 0: the orgs section follows), the orgs
 *            section when flagged, then the declared services (id, health, isolated, down since, downtime, degraded
 *            since, degraded time), the credentials (id, generation, the attacker's generation, rotation end, services
 *            held degraded, uses), each attack campaign's credential, and the recall campaigns. A world writes KYW4 as
 *            soon as it declares a service or a credential or runs a recall, and KYW2/KYW3 otherwise: a drill that
 *            uses none of them keeps its bytes and its state hash. All three are read.
 * Byte planes: a column is stored as every car's low byte, then every car's next byte, ... up to its width, the
 * number of low bytes its largest value needs (0 when every car has 0; a check-in time needs 2 bytes for the first
 * 18 h). A check-in time moves in its low bytes, so its high planes stay the same from one snapshot to the next,
 * and columns nobody touched (features off, ECUs never updated) take no room. Widths only change with a new kind of
 * event (the first compromise, the first OTA of an ECU, a drill passing 18 h), and so does the length.
 * Version code: 0 = the cohort's initial firmware, k = the target version of OTA campaign k (the lowest such k; a
 * car's firmware only changes by OTA), 255 = any other version, listed in the exceptions (car, ECU, version).
 * Phases are not stored: they follow from the seed. The sim's clock is not stored either, so the hash of a
 * restored world equals the hash of the world it was taken from.
 * Restore checks every field first (ranges, canonical widths and version codes, the columns against each other and
 * against the stored counters), straight from the blob, and only then decodes in place: a corrupt blob is
 * KY_EPARSE and changes nothing. The counters that are not stored (patched, revoked, flagged, per OTA state) are
 * recounted. */
#include "vehicles/worldInt.h"

#include "engine/sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SNAP_HDR 48
#define VER_EXC 255

/* Car columns, in snapshot order, and their widest width in bytes. */
enum { C_VER, C_FLAGS = VEH_ECU_N, C_CAMP, C_ENTRY, C_FEAT, C_OTA, C_OTACAMP, C_OTAT, C_LAST, C_N };
static const unsigned char aColMax[C_N] = { 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 4, 4 };

/* ---- writer ------------------------------------------------------------------------------------------- */

typedef struct wbuf {
	unsigned char *p;
	size_t n, cap;
	int bOom;
} wbuf;

/* Room for n more bytes at b->p + b->n (NULL and bOom when out of memory). */
static unsigned char *w_room(wbuf *b, size_t n) {
	if (b->bOom) return NULL;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n) cap *= 2;
		unsigned char *q = realloc(b->p, cap);
		if (!q) {
			b->bOom = 1;
			return NULL;
		}
		b->p = q;
		b->cap = cap;
	}
	unsigned char *q = b->p + b->n;
	b->n += n;
	return q;
}
static void w_bytes(wbuf *b, const void *p, size_t n) {
	unsigned char *q = w_room(b, n);
	if (q && n) memcpy(q, p, n);
}
static void w_u32(wbuf *b, uint32_t v) {
	unsigned char *q = w_room(b, 4);
	for (int k = 0; q && k < 4; k++) q[k] = (unsigned char)(v >> (8 * k));
}
static void w_u64(wbuf *b, uint64_t v) {
	unsigned char *q = w_room(b, 8);
	for (int k = 0; q && k < 8; k++) q[k] = (unsigned char)(v >> (8 * k));
}
static void w_i64(wbuf *b, int64_t v) { w_u64(b, (uint64_t)v); }
static void w_f64(wbuf *b, double d) {
	uint64_t u;
	memcpy(&u, &d, 8);
	w_u64(b, u);
}
static void w_s(wbuf *b, const char *z) {
	size_t n = strlen(z);
	w_u32(b, (uint32_t)n);
	w_bytes(b, z, n);
}

/* Number of low bytes needed for every value whose bits are all in m. */
static unsigned width_of(uint32_t m) { return m > 0xffffffu ? 4 : m > 0xffffu ? 3 : m > 0xffu ? 2 : m ? 1 : 0; }

/* Appends a column of n values as byte planes, as many as its largest value needs; returns that width. */
static unsigned put_col8(wbuf *b, const uint8_t *a, uint32_t n) {
	unsigned m = 0;
	for (uint32_t i = 0; i < n; i++) m |= a[i];
	if (!m) return 0;
	w_bytes(b, a, n);
	return 1;
}
static unsigned put_col16(wbuf *b, const uint16_t *a, uint32_t n) {
	unsigned m = 0;
	for (uint32_t i = 0; i < n; i++) m |= a[i];
	unsigned w = width_of(m);
	unsigned char *q = w_room(b, (size_t)w * n);
	for (unsigned k = 0; q && k < w; k++, q += n)
		for (uint32_t i = 0; i < n; i++) q[i] = (unsigned char)(a[i] >> (8 * k));
	return w;
}
static unsigned put_col32(wbuf *b, const uint32_t *a, uint32_t n) {
	uint32_t m = 0;
	for (uint32_t i = 0; i < n; i++) m |= a[i];
	unsigned w = width_of(m);
	unsigned char *q = w_room(b, (size_t)w * n);
	for (unsigned k = 0; q && k < w; k++, q += n)
		for (uint32_t i = 0; i < n; i++) q[i] = (unsigned char)(a[i] >> (8 * k));
	return w;
}

/* The code of version v of ECU e on a car whose cohort started with vInit (see the top of the file). */
static unsigned ver_code(const veh_world *w, int e, uint32_t vInit, uint32_t v) {
	if (v == vInit) return 0;
	for (int o = 0; o < w->nOta; o++)
		if (w->aOta[o].iEcu == e && w->aOta[o].ver == v) return (unsigned)o + 1;
	return VER_EXC;
}

typedef struct ver_exc {
	uint32_t car, ecu, ver;
} ver_exc;

/* Appends the version codes of ECU e (width 1, or nothing when every car runs its initial firmware); versions
 * without a code are appended to *paExc. Returns the width. */
static unsigned put_versions(const veh_world *w, int e, wbuf *b, ver_exc **paExc, uint32_t *pnExc) {
	const veh_fleet *f = &w->f;
	const uint32_t *a = f->aVer[e];
	uint32_t n = f->n;
	unsigned char *q = w_room(b, n);
	unsigned any = 0;
	for (int c = 0; q && c < f->nCoh; c++) {
		const veh_cohort *k = &f->aCoh[c];
		uint32_t vInit = k->aVer[e], vLast = vInit, iEnd = k->iFirst + k->nCount;
		unsigned code = 0;
		for (uint32_t i = k->iFirst; i < iEnd; i++) {
			uint32_t v = a[i];
			if (v != vLast) {
				vLast = v;
				code = ver_code(w, e, vInit, v);
			}
			q[i] = (unsigned char)code;
			any |= code;
		}
	}
	if (!q) return 0;
	if (!any) {
		b->n -= n;
		return 0;
	}
	for (const unsigned char *x = memchr(q, VER_EXC, n); x; x = memchr(x + 1, VER_EXC, n - (size_t)(x + 1 - q))) {
		ver_exc *aE = realloc(*paExc, (*pnExc + 1) * sizeof *aE);
		if (!aE) {
			b->bOom = 1;
			break;
		}
		uint32_t i = (uint32_t)(x - q);
		aE[*pnExc] = (ver_exc){ i, (uint32_t)e, a[i] };
		*paExc = aE;
		(*pnExc)++;
		if (x + 1 == q + n) break;
	}
	return 1;
}

static void write_services(const veh_org *o, wbuf *b) {
	for (int s = 0; s < VEH_SVC_N; s++) {
		w_u64(b, (uint64_t)o->aSvc[s].health), w_u64(b, (uint64_t)o->aSvc[s].bIsolated);
		w_i64(b, o->aSvc[s].tDownSince), w_i64(b, o->aSvc[s].downUs);
	}
}

/* An org's counters after its compromised, offline and bricked counts (KYW2's order, which has tCompLast between). */
static void write_counts_rest(const veh_counts *c, wbuf *b) {
	w_f64(b, c->compCarUs);
	w_i64(b, c->nRecords), w_i64(b, c->nUnsafe), w_i64(b, c->nCustomers), w_i64(b, c->nCheckins), w_i64(b, c->nAlerts);
	w_i64(b, c->nFalseQueued), w_i64(b, c->nIncidents), w_i64(b, c->nCmd), w_i64(b, c->nCmdFailed), w_i64(b, c->nRecvTrue);
	w_i64(b, c->nRecvFalse), w_f64(b, c->cmdFrac), w_f64(b, c->pkiFrac), w_i64(b, c->nRevokedWaiting);
}

static void write_scalars(const veh_world *w, wbuf *b) {
	const veh_params *p = &w->p;
	const veh_counts *c = &w->aOrg[0].c;
	w_u64(b, (uint64_t)w->bStarted), w_i64(b, w->tStart);
	w_i64(b, p->checkinPeriod), w_i64(b, p->slotWidth), w_i64(b, p->jitter), w_f64(b, p->offlineFrac), w_i64(b, p->offlineMean);
	w_f64(b, p->idsDetect), w_f64(b, p->idsFp), w_i64(b, p->vsocInterval), w_f64(b, p->vsocPerHour), w_i64(b, p->blockDelay);
	w_i64(b, p->dlMin), w_i64(b, p->dlMax), w_i64(b, p->instMin), w_i64(b, p->instMax), w_f64(b, p->otaFail), w_f64(b, p->otaBrick);
	w_f64(b, p->pkiPerHour), w_f64(b, p->appCmdPerDay), w_f64(b, p->degradedLoss), w_i64(b, p->recordsPerCar);
	write_services(&w->aOrg[0], b);
	const eng_rng *aR[4] = { &w->rTick, &w->rOta, &w->rAttack, &w->rVsoc };
	for (int r = 0; r < 4; r++)
		for (int k = 0; k < 4; k++) w_u64(b, aR[r]->s[k]);
	w_i64(b, c->nComp), w_i64(b, c->nOffline), w_i64(b, c->nBricked), w_i64(b, w->tCompLast);
	write_counts_rest(c, b);
	w_u64(b, w->nCarEvents);
	w_u64(b, w->iSlotNext), w_i64(b, w->tTick), w_i64(b, w->tVsoc);
}

static void write_tables(const veh_world *w, wbuf *b) {
	const veh_org *g = &w->aOrg[0];
	for (int c = 0; c < w->nCamp; c++) {
		const veh_campaign *k = &w->aCamp[c];
		w_u64(b, (uint64_t)k->entry), w_u64(b, (uint64_t)k->bPersist), w_u64(b, (uint64_t)k->bStopped);
		w_u64(b, (uint64_t)g->aBlocked[c]), w_i64(b, g->aBlockAt[c]), w_i64(b, k->recordsPerBeacon), w_i64(b, k->nComp);
		w_i64(b, g->aQueued[c]), w_u64(b, (uint64_t)g->aIncident[c]), w_u64(b, (uint64_t)k->nInd);
		for (int i = 0; i < k->nInd; i++) w_s(b, k->azInd[i]);
		w_s(b, k->zTechnique), w_s(b, k->zSel);
	}
	for (int o = 0; o < w->nOta; o++) {
		const veh_ota_camp *c = &w->aOta[o];
		w_u64(b, (uint64_t)c->iEcu), w_u64(b, c->ver), w_f64(b, c->rollout), w_f64(b, c->brick), w_i64(b, c->iAttack);
		w_i64(b, c->tStart), w_i64(b, c->nTarget), w_i64(b, c->nOffered), w_i64(b, c->nDone), w_i64(b, c->nFailed);
		w_i64(b, c->nBricked), w_u64(b, (uint64_t)c->bDoneFact), w_u64(b, (uint64_t)c->bRevoked | (uint64_t)c->bPaused << 1);
		w_s(b, c->zSel);
	}
}

/* KYW3: the organisations after the first, and the org of each OTA campaign (see the top of the file). */
static void write_orgs(const veh_world *w, wbuf *b) {
	w_u32(b, (uint32_t)w->nOrg);
	for (int k = 0; k < w->nOrg; k++) {
		const veh_org *o = &w->aOrg[k];
		w_s(b, o->zId);
		if (k == 0) continue;
		write_services(o, b);
		w_i64(b, o->c.nComp), w_i64(b, o->c.nOffline), w_i64(b, o->c.nBricked);
		write_counts_rest(&o->c, b);
		for (int c = 0; c < w->nCamp; c++) {
			w_i64(b, o->aQueued[c]), w_u64(b, o->aIncident[c]), w_u64(b, o->aBlocked[c]), w_i64(b, o->aBlockAt[c]);
		}
	}
	for (int k = 0; k < w->nOta; k++) w_u32(b, (uint32_t)w->aOta[k].iOrg);
}

static int has_ext(const veh_world *w) { return w->nSvcX > 0 || w->nCred > 0 || w->nRecall > 0; }

/* KYW4: the extension section (see the top of the file). */
static void write_ext(const veh_world *w, wbuf *b) {
	w_u32(b, (uint32_t)w->nSvcX), w_u32(b, (uint32_t)w->nCred), w_u32(b, (uint32_t)w->nRecall);
	for (int k = 0; k < w->nSvcX; k++) {
		const veh_svcx *x = &w->aSvcX[k];
		w_s(b, x->zId);
		w_u64(b, (uint64_t)x->s.health), w_u64(b, (uint64_t)x->s.bIsolated), w_i64(b, x->s.tDownSince), w_i64(b, x->s.downUs);
		w_i64(b, x->tDegSince), w_i64(b, x->degUs);
	}
	for (int k = 0; k < w->nCred; k++) {
		const veh_cred *c = &w->aCred[k];
		w_s(b, c->zId);
		w_i64(b, c->gen), w_i64(b, c->leakedGen), w_i64(b, c->tRotEnd), w_u64(b, c->heldDeg), w_i64(b, c->nUses);
	}
	for (int k = 0; k < w->nCamp; k++) w_u32(b, (uint32_t)w->aCamp[k].iCred);
	for (int k = 0; k < w->nRecall; k++) {
		const veh_recall *r = &w->aRecall[k];
		w_u64(b, (uint64_t)r->iEcu), w_u64(b, r->ver), w_u32(b, (uint32_t)r->iOrg), w_i64(b, r->iVia), w_f64(b, r->perDay);
		w_f64(b, r->uptake), w_i64(b, r->visitUs), w_i64(b, r->activeUs), w_i64(b, r->nTarget), w_i64(b, r->nDone);
		w_u64(b, r->cursor), w_s(b, r->zSel);
	}
}

static void write_world(const veh_world *w, wbuf *b) {
	const veh_fleet *f = &w->f;
	uint32_t n = f->n, nExc = 0;
	ver_exc *aExc = NULL;
	unsigned char aW[16] = { 0 };
	b->cap = SNAP_HDR + 1024 + (size_t)20 * n + 4096;  /* every column at its widest: no realloc on the way */
	if (!(b->p = malloc(b->cap))) {
		b->bOom = 1;
		return;
	}
	w_bytes(b, has_ext(w) ? "KYW4" : w->bOrgs ? "KYW3" : "KYW2", 4);
	w_u32(b, n);
	w_u64(b, eng_sim_seed(w->sim));
	w_u32(b, (uint32_t)f->nCoh), w_u32(b, (uint32_t)w->nCamp), w_u32(b, (uint32_t)w->nOta);
	w_u32(b, 0);          /* exceptions: patched below */
	w_bytes(b, aW, 16);   /* widths: patched below */
	write_scalars(w, b);
	for (int e = 0; e < VEH_ECU_N; e++) aW[C_VER + e] = (unsigned char)put_versions(w, e, b, &aExc, &nExc);
	aW[C_FLAGS] = (unsigned char)put_col16(b, f->aFlags, n);
	aW[C_CAMP] = (unsigned char)put_col8(b, f->aCamp, n);
	aW[C_ENTRY] = (unsigned char)put_col8(b, f->aEntry, n);
	aW[C_FEAT] = (unsigned char)put_col8(b, f->aFeatOff, n);
	aW[C_OTA] = (unsigned char)put_col8(b, f->aOta, n);
	aW[C_OTACAMP] = (unsigned char)put_col8(b, f->aOtaCamp, n);
	aW[C_OTAT] = (unsigned char)put_col32(b, f->aOtaT, n);
	aW[C_LAST] = (unsigned char)put_col32(b, f->aLast, n);
	write_tables(w, b);
	for (uint32_t k = 0; k < nExc; k++) w_u32(b, aExc[k].car), w_u32(b, aExc[k].ecu), w_u32(b, aExc[k].ver);
	free(aExc);
	if (has_ext(w)) w_u32(b, (uint32_t)w->bOrgs);
	if (w->bOrgs) write_orgs(w, b);
	if (has_ext(w)) write_ext(w, b);
	if (b->bOom) return;
	for (int k = 0; k < 4; k++) b->p[28 + k] = (unsigned char)(nExc >> (8 * k));
	memcpy(b->p + 32, aW, 16);
}

int veh_world_snapshot(const veh_world *w, unsigned char **pBuf, size_t *pLen, ky_err *err) {
	wbuf b = { 0 };
	write_world(w, &b);
	if (b.bOom) {
		free(b.p);
		return ky_err_set(err, KY_ENOMEM, "world snapshot: out of memory");
	}
	*pBuf = b.p;
	*pLen = b.n;
	return 0;
}

void veh_world_state_hash(const veh_world *w, char hex[65]) {
	wbuf b = { 0 };
	unsigned char d[32];
	write_world(w, &b);
	if (b.bOom) {
		memset(hex, '0', 64);  /* cannot happen short of memory exhaustion; never equal to a real digest by chance */
		hex[64] = 0;
		free(b.p);
		return;
	}
	eng_sha256(b.p, b.n, d);
	free(b.p);
	for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* ---- reader ------------------------------------------------------------------------------------------- */

typedef struct rbuf {
	const unsigned char *p;
	size_t n, i;
	int bBad;
} rbuf;

static const unsigned char *r_take(rbuf *b, size_t n) {
	if (b->bBad || n > b->n - b->i) {
		b->bBad = 1;
		return NULL;
	}
	const unsigned char *q = b->p + b->i;
	b->i += n;
	return q;
}
static uint32_t r_u32(rbuf *b) {
	const unsigned char *q = r_take(b, 4);
	uint32_t v = 0;
	for (int k = 0; q && k < 4; k++) v |= (uint32_t)q[k] << (8 * k);
	return v;
}
static uint64_t r_u64(rbuf *b) {
	const unsigned char *q = r_take(b, 8);
	uint64_t v = 0;
	for (int k = 0; q && k < 8; k++) v |= (uint64_t)q[k] << (8 * k);
	return v;
}
static int64_t r_i64(rbuf *b) { return (int64_t)r_u64(b); }
static double r_f64(rbuf *b) {
	uint64_t u = r_u64(b);
	double d;
	memcpy(&d, &u, 8);
	return d;
}
/* A flag (0 or 1; anything else is bad). */
static int r_bool(rbuf *b) {
	uint64_t v = r_u64(b);
	if (v > 1) b->bBad = 1;
	return (int)(v & 1);
}
/* A string into z (size n); bad when longer. */
static void r_s(rbuf *b, char *z, size_t n) {
	uint32_t len = r_u32(b);
	const unsigned char *q = b->bBad || len >= n ? NULL : r_take(b, len);
	if (!q) {
		b->bBad = 1;
		z[0] = 0;
		return;
	}
	memcpy(z, q, len);
	z[len] = 0;
	if (strlen(z) != len) b->bBad = 1;  /* an embedded NUL */
}
static char *r_sdup(rbuf *b) {
	uint32_t len = r_u32(b);
	const unsigned char *q = b->bBad || len > (1u << 20) ? NULL : r_take(b, len);
	char *z = q ? malloc((size_t)len + 1) : NULL;
	if (!z) {
		b->bBad = 1;
		return NULL;
	}
	memcpy(z, q, len);
	z[len] = 0;
	if (strlen(z) != len) b->bBad = 1;
	return z;
}
#define TIME_OK(t, lo) ((t) >= (lo) && (t) <= ENG_TIME_MAX / 4)

static void camps_free(veh_campaign *a, int n, veh_ota_camp *o, int nO) {
	for (int i = 0; i < n; i++) free(a[i].zSel);
	for (int i = 0; i < nO; i++) {
		free(o[i].zSel);
		veh_selector_free(&o[i].sel);
	}
	free(a);
	free(o);
}

/* An org's services (b->bBad on a bad value). */
static void read_services(rbuf *b, veh_org *o) {
	for (int s = 0; s < VEH_SVC_N; s++) {
		veh_service *v = &o->aSvc[s];
		uint64_t h = r_u64(b);
		v->health = h < VEH_H_N ? (int)h : VEH_H_UP, v->bIsolated = r_bool(b), v->tDownSince = r_i64(b), v->downUs = r_i64(b);
		if (h >= VEH_H_N || !TIME_OK(v->tDownSince, -1) || !TIME_OK(v->downUs, 0)) b->bBad = 1;
		if ((v->tDownSince >= 0) != (v->bIsolated || v->health == VEH_H_DOWN)) b->bBad = 1;  /* down since: iff unusable */
	}
}

/* The counters write_counts_rest wrote, checked. */
static void read_counts_rest(rbuf *b, veh_counts *c) {
	c->compCarUs = r_f64(b);
	c->nRecords = r_i64(b), c->nUnsafe = r_i64(b), c->nCustomers = r_i64(b), c->nCheckins = r_i64(b), c->nAlerts = r_i64(b);
	c->nFalseQueued = r_i64(b), c->nIncidents = r_i64(b), c->nCmd = r_i64(b), c->nCmdFailed = r_i64(b), c->nRecvTrue = r_i64(b);
	c->nRecvFalse = r_i64(b), c->cmdFrac = r_f64(b), c->pkiFrac = r_f64(b), c->nRevokedWaiting = r_i64(b);
	if (!(c->cmdFrac >= 0 && c->cmdFrac < 1) || !(c->pkiFrac >= 0 && c->pkiFrac < 1) || !(c->compCarUs >= 0 && c->compCarUs < 1e30))
		b->bBad = 1;
	const int64_t aCount[] = { c->nComp, c->nOffline, c->nBricked, c->nRecords, c->nUnsafe, c->nCustomers, c->nCheckins,
		                       c->nAlerts, c->nFalseQueued, c->nIncidents, c->nCmd, c->nCmdFailed, c->nRecvTrue,
		                       c->nRecvFalse, c->nRevokedWaiting };
	for (size_t k = 0; k < sizeof aCount / sizeof aCount[0]; k++)
		if (!TIME_OK(aCount[k], 0)) b->bBad = 1;  /* counters: same bounds as times */
}

/* Parameters, org 0's services and counters, streams and pending times into t (b->bBad on a bad value). */
static void read_scalars(rbuf *b, veh_world *t) {
	veh_params *p = &t->p;
	veh_counts *c = &t->aOrg[0].c;
	r_bool(b);  /* started: the target world is started before the load */
	t->tStart = r_i64(b);
	p->checkinPeriod = r_i64(b), p->slotWidth = r_i64(b), p->jitter = r_i64(b), p->offlineFrac = r_f64(b), p->offlineMean = r_i64(b);
	p->idsDetect = r_f64(b), p->idsFp = r_f64(b), p->vsocInterval = r_i64(b), p->vsocPerHour = r_f64(b), p->blockDelay = r_i64(b);
	p->dlMin = r_i64(b), p->dlMax = r_i64(b), p->instMin = r_i64(b), p->instMax = r_i64(b), p->otaFail = r_f64(b), p->otaBrick = r_f64(b);
	p->pkiPerHour = r_f64(b), p->appCmdPerDay = r_f64(b), p->degradedLoss = r_f64(b), p->recordsPerCar = r_i64(b);
	if (!veh__params_valid(p) || !TIME_OK(t->tStart, 0)) b->bBad = 1;
	read_services(b, &t->aOrg[0]);
	eng_rng *aR[4] = { &t->rTick, &t->rOta, &t->rAttack, &t->rVsoc };
	for (int r = 0; r < 4; r++)
		for (int k = 0; k < 4; k++) aR[r]->s[k] = r_u64(b);
	c->nComp = r_i64(b), c->nOffline = r_i64(b), c->nBricked = r_i64(b), t->tCompLast = r_i64(b);
	read_counts_rest(b, c);
	t->nCarEvents = r_u64(b);
	t->iSlotNext = r_u64(b), t->tTick = r_i64(b), t->tVsoc = r_i64(b);
	if (!TIME_OK(t->tCompLast, 0) || !TIME_OK(t->tTick, -1) || !TIME_OK(t->tVsoc, -1)) b->bBad = 1;
	if (!b->bBad && t->iSlotNext != UINT64_MAX && t->iSlotNext > (uint64_t)(ENG_TIME_MAX / 4 / p->slotWidth)) b->bBad = 1;
}

/* One org's view of campaign k: its alerts, incident, block and pending block (b->bBad when inconsistent). */
static void check_camp_view(rbuf *b, const veh_org *o, int k) {
	if (!TIME_OK(o->aQueued[k], 0) || !TIME_OK(o->aBlockAt[k], -1)) b->bBad = 1;
	if (o->aBlocked[k] && o->aBlockAt[k] >= 0) b->bBad = 1;  /* a block pending on a blocked campaign */
}

/* KYW3: the orgs section into t, whose orgs are configured like the blob's (same ids, in order). */
static void read_orgs(rbuf *b, veh_world *t) {
	uint32_t nOrg = r_u32(b);
	if (nOrg != (uint32_t)t->nOrg) {
		b->bBad = 1;
		return;
	}
	for (int k = 0; k < t->nOrg && !b->bBad; k++) {
		veh_org *o = &t->aOrg[k];
		char zId[sizeof o->zId];
		r_s(b, zId, sizeof zId);
		if (strcmp(zId, o->zId) != 0) b->bBad = 1;
		if (k == 0 || b->bBad) continue;
		read_services(b, o);
		o->c.nComp = r_i64(b), o->c.nOffline = r_i64(b), o->c.nBricked = r_i64(b);
		read_counts_rest(b, &o->c);
		for (int c = 0; c < t->nCamp && !b->bBad; c++) {
			o->aQueued[c] = r_i64(b), o->aIncident[c] = (uint8_t)r_bool(b), o->aBlocked[c] = (uint8_t)r_bool(b);
			o->aBlockAt[c] = r_i64(b);
			check_camp_view(b, o, c);
		}
	}
	for (int k = 0; k < t->nOta && !b->bBad; k++) {
		uint32_t iOrg = r_u32(b);
		if (iOrg >= (uint32_t)t->nOrg || !veh__org_has_fleet(t, (int)iOrg)) b->bBad = 1;
		else t->aOta[k].iOrg = (int)iOrg, veh__ota_scope(t, &t->aOta[k]);
	}
}

static void recalls_free(veh_recall *a, int n) {
	for (int k = 0; k < n; k++) {
		free(a[k].zSel);
		veh_selector_free(&a[k].sel);
	}
	free(a);
}

/* KYW4: the declared services' and credentials' state into t's copies of their arrays (configured like the blob's:
 * same ids, in order), the campaigns' credentials and the recalls (t->aRecall allocated). KY_ENOMEM or 0. */
static int read_ext(rbuf *b, veh_world *t) {
	uint32_t nSvcX = r_u32(b), nCred = r_u32(b), nRecall = r_u32(b);
	char zId[65];
	if (nSvcX != (uint32_t)t->nSvcX || nCred != (uint32_t)t->nCred || nRecall > VEH_RECALL_MAX) b->bBad = 1;
	for (int k = 0; k < t->nSvcX && !b->bBad; k++) {
		veh_svcx *x = &t->aSvcX[k];
		r_s(b, zId, sizeof zId);
		uint64_t h = r_u64(b);
		x->s.health = h < VEH_H_N ? (int)h : VEH_H_UP, x->s.bIsolated = r_bool(b), x->s.tDownSince = r_i64(b), x->s.downUs = r_i64(b);
		x->tDegSince = r_i64(b), x->degUs = r_i64(b);
		int bUsable = !x->s.bIsolated && x->s.health != VEH_H_DOWN;
		if (strcmp(zId, x->zId) != 0 || h >= VEH_H_N || !TIME_OK(x->s.tDownSince, -1) || !TIME_OK(x->s.downUs, 0) ||
		    !TIME_OK(x->tDegSince, -1) || !TIME_OK(x->degUs, 0) || (x->s.tDownSince >= 0) != !bUsable ||
		    (x->tDegSince >= 0) != (bUsable && x->s.health == VEH_H_DEGRADED))
			b->bBad = 1;
	}
	for (int k = 0; k < t->nCred && !b->bBad; k++) {
		veh_cred *c = &t->aCred[k];
		r_s(b, zId, sizeof zId);
		c->gen = r_i64(b), c->leakedGen = r_i64(b), c->tRotEnd = r_i64(b), c->heldDeg = r_u64(b), c->nUses = r_i64(b);
		if (strcmp(zId, c->zId) != 0 || !TIME_OK(c->gen, 0) || c->leakedGen < -1 || c->leakedGen > c->gen ||
		    !TIME_OK(c->tRotEnd, -1) || (c->heldDeg & ~c->usedBy) || (c->heldDeg != 0) != (c->tRotEnd >= 0) || !TIME_OK(c->nUses, 0))
			b->bBad = 1;
	}
	for (int k = 0; k < t->nCamp && !b->bBad; k++) {
		uint32_t iCred = r_u32(b);
		if (iCred > (uint32_t)t->nCred) b->bBad = 1;
		else t->aCamp[k].iCred = (int)iCred;
	}
	if (b->bBad) return 0;
	if (!(t->aRecall = calloc((size_t)nRecall + 1, sizeof *t->aRecall))) return KY_ENOMEM;
	while (t->nRecall < (int)nRecall && !b->bBad) {
		veh_recall *r = &t->aRecall[t->nRecall++];
		uint64_t iEcu = r_u64(b), ver = r_u64(b);
		uint32_t iOrg = r_u32(b);
		r->iEcu = (int)(iEcu & 0xf), r->ver = (uint32_t)ver, r->iOrg = (int)(iOrg & 0xff);
		int64_t iVia = r_i64(b);
		r->iVia = iVia >= -1 && iVia < veh__svc_count(t) ? (int)iVia : -1;
		r->perDay = r_f64(b), r->uptake = r_f64(b), r->visitUs = r_i64(b), r->activeUs = r_i64(b), r->nTarget = r_i64(b);
		r->nDone = r_i64(b), r->cursor = r_u64(b), r->zSel = r_sdup(b);
		if (b->bBad || iEcu >= VEH_ECU_N || ver > UINT32_MAX || iOrg >= (uint32_t)t->nOrg || !veh__org_has_fleet(t, (int)iOrg) ||
		    iVia < -1 || iVia >= veh__svc_count(t) || !(r->perDay > 0 && r->perDay <= 1) || !(r->uptake >= 0 && r->uptake <= 1) ||
		    !TIME_OK(r->visitUs, 0) || !TIME_OK(r->activeUs, 0) || r->nTarget < 0 || r->nTarget > (int64_t)t->f.n ||
		    r->nDone < 0 || r->nDone > r->nTarget || r->cursor > t->f.n || veh__recall_compile(t, r) != 0)
			b->bBad = 1;
	}
	return 0;
}

/* t's own copies of w's declared services and credentials (configuration and state), for a restore to decode into. */
static int ext_copy(const veh_world *w, veh_world *t) {
	t->aSvcX = NULL, t->aCred = NULL, t->aRecall = NULL, t->nRecall = 0;
	if (w->nSvcX && !(t->aSvcX = malloc((size_t)w->nSvcX * sizeof *t->aSvcX))) return KY_ENOMEM;
	if (w->nCred && !(t->aCred = malloc((size_t)w->nCred * sizeof *t->aCred))) return KY_ENOMEM;
	if (w->nSvcX) memcpy(t->aSvcX, w->aSvcX, (size_t)w->nSvcX * sizeof *t->aSvcX);
	if (w->nCred) memcpy(t->aCred, w->aCred, (size_t)w->nCred * sizeof *t->aCred);
	return 0;
}

static void ext_free(veh_world *t) {
	free(t->aSvcX);
	free(t->aCred);
	recalls_free(t->aRecall, t->nRecall);
	t->aSvcX = NULL, t->aCred = NULL, t->aRecall = NULL, t->nRecall = 0;
}

/* nCamp attack campaigns into t->aCamp (allocated; t->nCamp counts the entries to free). KY_ENOMEM or 0. */
static int read_campaigns(rbuf *b, veh_world *t, uint32_t nCamp) {
	if (!(t->aCamp = calloc((size_t)nCamp + 1, sizeof *t->aCamp))) return KY_ENOMEM;
	while (t->nCamp < (int)nCamp && !b->bBad) {
		veh_campaign *k = &t->aCamp[t->nCamp++];
		veh_org *o = &t->aOrg[0];
		int c = t->nCamp - 1;
		uint64_t entry = r_u64(b);
		k->entry = (int)(entry & 0xff), k->bPersist = r_bool(b), k->bStopped = r_bool(b), o->aBlocked[c] = (uint8_t)r_bool(b);
		o->aBlockAt[c] = r_i64(b), k->recordsPerBeacon = r_i64(b), k->nComp = r_i64(b), o->aQueued[c] = r_i64(b);
		o->aIncident[c] = (uint8_t)r_bool(b);
		uint64_t nInd = r_u64(b);
		check_camp_view(b, o, c);
		if (nInd < 1 || nInd > 4 || entry >= (uint64_t)(VEH_ENTRY_SVC + veh__svc_count(t)) || (entry >= VEH_ECU_N && entry < VEH_ENTRY_SVC) ||
		    k->recordsPerBeacon < 0 || k->recordsPerBeacon > 1000000000 || !TIME_OK(k->nComp, 0)) {
			b->bBad = 1;
			break;
		}
		k->nInd = (int)nInd;
		for (int i = 0; i < k->nInd; i++) r_s(b, k->azInd[i], sizeof k->azInd[i]);
		r_s(b, k->zTechnique, sizeof k->zTechnique);
		k->zSel = r_sdup(b);
	}
	return 0;
}

/* nOta OTA campaigns into t->aOta, their selectors recompiled against the fleet. KY_ENOMEM or 0. */
static int read_otas(rbuf *b, veh_world *t, const veh_fleet *f, uint32_t nOta) {
	if (!(t->aOta = calloc((size_t)nOta + 1, sizeof *t->aOta))) return KY_ENOMEM;
	while (t->nOta < (int)nOta && !b->bBad) {
		veh_ota_camp *o = &t->aOta[t->nOta++];
		uint64_t iEcu = r_u64(b), ver = r_u64(b);
		int64_t iAttack;
		o->iEcu = (int)(iEcu & 0xf), o->ver = (uint32_t)ver, o->rollout = r_f64(b), o->brick = r_f64(b), iAttack = r_i64(b);
		o->iAttack = iAttack >= -1 && iAttack < t->nCamp ? (int)iAttack : -1;
		o->tQuota = -1;
		o->tStart = r_i64(b), o->nTarget = r_i64(b), o->nOffered = r_i64(b), o->nDone = r_i64(b), o->nFailed = r_i64(b);
		o->nBricked = r_i64(b), o->bDoneFact = r_bool(b);
		uint64_t fl = r_u64(b);  /* bit 0 revoked, bit 1 paused (a snapshot from before pauses has 0 or 1) */
		if (fl > 3) b->bBad = 1;
		o->bRevoked = (int)(fl & 1), o->bPaused = (int)(fl >> 1 & 1);
		o->zSel = r_sdup(b);
		const int64_t aN[] = { o->tStart, o->nTarget, o->nOffered, o->nDone, o->nFailed, o->nBricked };
		for (size_t k = 0; k < sizeof aN / sizeof aN[0]; k++)
			if (!TIME_OK(aN[k], 0)) b->bBad = 1;
		if (b->bBad || iEcu >= VEH_ECU_N || ver > UINT32_MAX || iAttack < -1 || iAttack >= t->nCamp ||
		    !(o->rollout > 0 && o->rollout <= 1) || !(o->brick >= 0 && o->brick <= 1)) {
			b->bBad = 1;
			break;
		}
		json_t *j = json_loads(o->zSel, 0, NULL);
		if (!j || veh_selector_compile(f, j, "", &o->sel, NULL) != 0) b->bBad = 1;
		json_decref(j);
	}
	return 0;
}

/* The exceptions (strictly ascending by ECU, then car) into *paExc (allocated). KY_ENOMEM or 0. */
static int read_exceptions(rbuf *b, uint32_t nExc, uint32_t nCars, ver_exc **paExc) {
	ver_exc *a = malloc(((size_t)nExc + 1) * sizeof *a);
	if (!a) return KY_ENOMEM;
	*paExc = a;
	for (uint32_t k = 0; k < nExc && !b->bBad; k++) {
		a[k].car = r_u32(b), a[k].ecu = r_u32(b), a[k].ver = r_u32(b);
		uint64_t key = (uint64_t)a[k].ecu * nCars + a[k].car;
		if (a[k].car >= nCars || a[k].ecu >= VEH_ECU_N || (k > 0 && key <= (uint64_t)a[k - 1].ecu * nCars + a[k - 1].car))
			b->bBad = 1;
	}
	return 0;
}

/* The car columns inside the blob. */
typedef struct snap_cols {
	const unsigned char *q[C_N];  /* plane 0 of each column */
	unsigned w[C_N];              /* its width */
	uint32_t n;
} snap_cols;

/* Values [i0, i0 + m) of column k into out. */
static void col_read(const snap_cols *s, int k, uint32_t i0, uint32_t m, uint32_t *out) {
	const unsigned char *q = s->q[k] + i0;
	if (!s->w[k]) {
		memset(out, 0, m * sizeof *out);
		return;
	}
	for (uint32_t j = 0; j < m; j++) out[j] = q[j];
	for (unsigned p = 1; p < s->w[k]; p++) {
		const unsigned char *r = q + (size_t)p * s->n;
		for (uint32_t j = 0; j < m; j++) out[j] |= (uint32_t)r[j] << (8 * p);
	}
}

/* Are the version codes of every ECU valid against t's OTA campaigns? A code must name a campaign of that ECU, be
 * the lowest one with its version and differ from the cohort's initial firmware; VER_EXC codes must meet the
 * exceptions in order, each a version no code could express. */
static int versions_ok(const snap_cols *s, const veh_fleet *f, const veh_world *t, const ver_exc *aExc, uint32_t nExc) {
	uint32_t iExc = 0;
	for (int e = 0; e < VEH_ECU_N; e++) {
		if (!s->w[C_VER + e]) continue;
		uint8_t aCanon[256] = { 0 };
		for (int o = 0; o < t->nOta; o++) {
			if (t->aOta[o].iEcu != e) continue;
			aCanon[o + 1] = 1;
			for (int p = 0; p < o; p++)
				if (t->aOta[p].iEcu == e && t->aOta[p].ver == t->aOta[o].ver) aCanon[o + 1] = 0;
		}
		const unsigned char *q = s->q[C_VER + e];
		for (int c = 0; c < f->nCoh; c++) {
			const veh_cohort *k = &f->aCoh[c];
			uint32_t vInit = k->aVer[e], iEnd = k->iFirst + k->nCount;
			for (uint32_t i = k->iFirst; i < iEnd; i++) {
				unsigned code = q[i];
				if (code == 0) continue;
				/* a firmware only changes when an update is done: a car with no OTA state runs its initial one,
				 * unless a recall re-flashed it at a dealer (then it is patched) */
				if ((!s->w[C_OTA] || s->q[C_OTA][i] == VEH_OTA_NONE) && (!t->nRecall || !s->w[C_FLAGS] || !(s->q[C_FLAGS][i] & VEH_F_PATCHED)))
					return 0;
				if (code == VER_EXC) {
					const ver_exc *x = iExc < nExc ? &aExc[iExc++] : NULL;
					if (!x || x->car != i || x->ecu != (uint32_t)e || ver_code(t, e, vInit, x->ver) != VER_EXC) return 0;
				} else if (!aCanon[code] || t->aOta[code - 1].ver == vInit) {
					return 0;
				}
			}
		}
	}
	return iExc == nExc;
}

/* Checks the columns of the blob: canonical widths, version codes, each car's values and the columns against each
 * other and the stored counters; recounts the counters the snapshot does not store (patched, revoked, per OTA
 * state, per OTA campaign busy) into t. 1 valid, 0 not. */
#define CHUNK 1024
static int columns_ok(const snap_cols *s, veh_world *t, const veh_fleet *f, const ver_exc *aExc, uint32_t nExc) {
	uint32_t n = s->n;
	for (int k = 0; k < C_N; k++) {  /* the top plane of a column has a non-zero byte, else it would be narrower */
		if (!s->w[k]) continue;
		const unsigned char *q = s->q[k] + (size_t)(s->w[k] - 1) * n;
		uint32_t i = 0;
		while (i < n && !q[i]) i++;
		if (i == n) return 0;
	}
	if (!versions_ok(s, f, t, aExc, nExc)) return 0;
	veh_counts aN[VEH_ORG_MAX];  /* recounted per org: compromised, offline, bricked, patched, revoked, flagged, per OTA state */
	memset(aN, 0, sizeof aN);
	int64_t aCampN[VEH_CAMP_MAX + 1] = { 0 }, aBusy[VEH_OTA_MAX + 1] = { 0 };
	uint32_t aFl[CHUNK], aCamp[CHUNK], aEntry[CHUNK], aFeat[CHUNK], aOta[CHUNK], aOtaCamp[CHUNK];
	for (uint32_t i0 = 0; i0 < n; i0 += CHUNK) {
		uint32_t m = n - i0 < CHUNK ? n - i0 : CHUNK;
		col_read(s, C_FLAGS, i0, m, aFl), col_read(s, C_CAMP, i0, m, aCamp), col_read(s, C_ENTRY, i0, m, aEntry);
		col_read(s, C_FEAT, i0, m, aFeat), col_read(s, C_OTA, i0, m, aOta), col_read(s, C_OTACAMP, i0, m, aOtaCamp);
		for (uint32_t j = 0; j < m; j++) {
			uint32_t fl = aFl[j], camp = aCamp[j], entry = aEntry[j], ota = aOta[j], otaCamp = aOtaCamp[j];
			int bComp = (fl & VEH_F_COMP) != 0;
			if (fl > 0x7f || camp > (uint32_t)t->nCamp || bComp != (camp != 0) || ((fl & (VEH_F_PERSIST | VEH_F_FLAGGED)) && !bComp) ||
			    (!bComp && entry != 0) || entry >= (uint32_t)(VEH_ENTRY_SVC + veh__svc_count(t)) || (entry >= VEH_ECU_N && entry < VEH_ENTRY_SVC) ||
			    ((fl & VEH_F_OFFLINE) && (fl & VEH_F_BRICKED)) || aFeat[j] > VEH_FEAT_ALL || ota > VEH_OTA_FAILED ||
			    otaCamp > (uint32_t)t->nOta || (ota == VEH_OTA_NONE) != (otaCamp == 0))
				return 0;
			veh_counts *c = &aN[t->aCohOrg[f->aCohort[i0 + j]]];
			c->nComp += bComp;
			c->nOffline += (fl & VEH_F_OFFLINE) != 0;
			c->nBricked += (fl & VEH_F_BRICKED) != 0;
			c->nPatched += (fl & VEH_F_PATCHED) != 0;
			c->nRevoked += (fl & VEH_F_REVOKED) != 0;
			c->nFlagged += (fl & VEH_F_FLAGGED) != 0;
			c->aOtaN[ota]++;
			aBusy[otaCamp] += veh__ota_busy(ota);
			aCampN[camp]++;
		}
	}
	for (int k = 0; k < t->nCamp; k++)
		if (aCampN[k + 1] != t->aCamp[k].nComp) return 0;
	for (int o = 0; o < t->nOrg; o++) {
		veh_counts *c = &t->aOrg[o].c;
		if (aN[o].nComp != c->nComp || aN[o].nOffline != c->nOffline || aN[o].nBricked != c->nBricked) return 0;
	}
	for (int o = 0; o < t->nOta; o++) t->aOta[o].nBusy = aBusy[o + 1];
	for (int o = 0; o < t->nOrg; o++) {
		veh_counts *c = &t->aOrg[o].c;
		c->nPatched = aN[o].nPatched;
		c->nRevoked = aN[o].nRevoked;
		c->nFlagged = aN[o].nFlagged;
		memcpy(c->aOtaN, aN[o].aOtaN, sizeof c->aOtaN);
	}
	return 1;
}

static void planes_get32(uint32_t *a, const unsigned char *q, unsigned w, uint32_t n) {
	if (!w) {
		memset(a, 0, (size_t)n * sizeof *a);
		return;
	}
	for (uint32_t i = 0; i < n; i++) a[i] = q[i];
	for (unsigned p = 1; p < w; p++, q += n)
		for (uint32_t i = 0; i < n; i++) a[i] |= (uint32_t)q[n + i] << (8 * p);
}
static void planes_get16(uint16_t *a, const unsigned char *q, unsigned w, uint32_t n) {
	if (!w) {
		memset(a, 0, (size_t)n * sizeof *a);
		return;
	}
	for (uint32_t i = 0; i < n; i++) a[i] = (uint16_t)(q[i] | (w > 1 ? q[n + i] << 8 : 0));
}
static void bytes_get(uint8_t *a, const unsigned char *q, unsigned w, uint32_t n) {
	if (w)
		memcpy(a, q, n);
	else
		memset(a, 0, n);
}

/* Decodes the (checked) columns into the fleet's arrays, versions through t's OTA campaigns. */
static void columns_load(const snap_cols *s, veh_fleet *f, const veh_world *t, const ver_exc *aExc, uint32_t nExc) {
	uint32_t n = s->n;
	for (int e = 0; e < VEH_ECU_N; e++) {
		uint32_t aVer[256], *a = f->aVer[e];
		const unsigned char *q = s->q[C_VER + e];
		for (int o = 0; o < t->nOta; o++) aVer[o + 1] = t->aOta[o].ver;
		aVer[VER_EXC] = 0;
		for (int c = 0; c < f->nCoh; c++) {
			const veh_cohort *k = &f->aCoh[c];
			uint32_t iEnd = k->iFirst + k->nCount;
			aVer[0] = k->aVer[e];
			if (!s->w[C_VER + e])
				for (uint32_t i = k->iFirst; i < iEnd; i++) a[i] = aVer[0];
			else
				for (uint32_t i = k->iFirst; i < iEnd; i++) a[i] = aVer[q[i]];  /* VER_EXC: set just below */
		}
	}
	for (uint32_t x = 0; x < nExc; x++) f->aVer[aExc[x].ecu][aExc[x].car] = aExc[x].ver;
	planes_get16(f->aFlags, s->q[C_FLAGS], s->w[C_FLAGS], n);
	bytes_get(f->aCamp, s->q[C_CAMP], s->w[C_CAMP], n);
	bytes_get(f->aEntry, s->q[C_ENTRY], s->w[C_ENTRY], n);
	bytes_get(f->aFeatOff, s->q[C_FEAT], s->w[C_FEAT], n);
	bytes_get(f->aOta, s->q[C_OTA], s->w[C_OTA], n);
	bytes_get(f->aOtaCamp, s->q[C_OTACAMP], s->w[C_OTACAMP], n);
	planes_get32(f->aOtaT, s->q[C_OTAT], s->w[C_OTAT], n);
	planes_get32(f->aLast, s->q[C_LAST], s->w[C_LAST], n);
}

/* Moves the decoded tables and scalars of t into w (whose columns were loaded in place) and re-arms the world's
 * pending events. */
static void commit(veh_world *w, veh_world *t) {
	for (int o = 0; o < w->nOrg; o++)
		for (int k = 0; k < w->nCamp; k++)
			if (w->aOrg[o].aBlockAt[k] >= 0) eng_sim_cancel(w->sim, w->aOrg[o].aBlockId[k]);
	for (int k = 0; k < w->nCred; k++)
		if (w->aCred[k].tRotEnd >= 0) eng_sim_cancel(w->sim, w->aCred[k].rotId);
	camps_free(w->aCamp, w->nCamp, w->aOta, w->nOta);
	ext_free(w);
	free(w->aOrg);
	eng_time_t tTick = t->tTick, tVsoc = t->tVsoc;
	t->tTick = w->tTick, t->tVsoc = w->tVsoc, t->tickId = w->tickId, t->vsocId = w->vsocId;
	t->f = w->f;
	*w = *t;
	veh__sched_tick(w, tTick);
	veh__sched_vsoc(w, tVsoc);
	for (int o = 0; o < w->nOrg; o++)
		for (int k = 0; k < w->nCamp; k++) {
			eng_time_t tb = w->aOrg[o].aBlockAt[k];
			w->aOrg[o].aBlockAt[k] = -1;
			if (tb >= 0) veh__sched_block(w, o, k, tb);
		}
	for (int k = 0; k < w->nCred; k++) {
		eng_time_t tr = w->aCred[k].tRotEnd;
		w->aCred[k].tRotEnd = -1;
		if (tr >= 0) veh__sched_rotate(w, k, tr);
	}
}

int veh_world_restore(veh_world *w, const unsigned char *buf, size_t len, ky_err *err) {
	rbuf b = { buf, len, 4, 0 };
	veh_world t;  /* decoded here, moved into w only when everything checked out */
	snap_cols s;
	ver_exc *aExc = NULL;
	veh_fleet *f = &w->f;
	int rc;
	if (!w->bStarted && (rc = veh_world_start(w, err))) return rc;
	if (len < SNAP_HDR || (memcmp(buf, "KYW2", 4) != 0 && memcmp(buf, "KYW3", 4) != 0 && memcmp(buf, "KYW4", 4) != 0))
		return ky_err_set(err, KY_EPARSE, "world restore: not a world snapshot");
	int bExt = buf[3] == '4', bOrgs = buf[3] == '3' || (bExt && w->bOrgs);
	if (!bExt && (w->nSvcX || w->nCred))
		return ky_err_set(err, KY_EINVAL, "world restore: a snapshot of a world without declared services or credentials, "
		                  "this world has some");
	if (bOrgs != w->bOrgs)
		return ky_err_set(err, KY_EINVAL, "world restore: a snapshot of a world %s organisations, this world has %s",
		                  bOrgs ? "with" : "without", w->bOrgs ? "some" : "none");
	uint32_t n = r_u32(&b);
	uint64_t seed = r_u64(&b);
	uint32_t nCoh = r_u32(&b), nCamp = r_u32(&b), nOta = r_u32(&b), nExc = r_u32(&b);
	const unsigned char *aW = r_take(&b, 16);
	if (n != f->n || nCoh != (uint32_t)f->nCoh)
		return ky_err_set(err, KY_EINVAL, "world restore: snapshot of %u cars in %u cohorts, this world has %u in %d", n, nCoh,
		                  f->n, f->nCoh);
	if (seed != eng_sim_seed(w->sim))
		return ky_err_set(err, KY_EINVAL, "world restore: snapshot seed %llu differs from the world's %llu",
		                  (unsigned long long)seed, (unsigned long long)eng_sim_seed(w->sim));
	int bHdrOk = nCamp <= VEH_CAMP_MAX && nOta <= VEH_OTA_MAX && nExc <= (uint64_t)n * VEH_ECU_N;
	size_t nColBytes = 0;
	for (int k = 0; k < 16; k++) {
		if (k < C_N ? aW[k] > aColMax[k] : aW[k] != 0) bHdrOk = 0;
		nColBytes += (size_t)aW[k] * n;
	}
	if (!bHdrOk) return ky_err_set(err, KY_EPARSE, "world restore: corrupt snapshot header");
	t = *w;
	t.aCamp = NULL, t.nCamp = 0, t.aOta = NULL, t.nOta = 0;
	if (ext_copy(w, &t) || !(t.aOrg = malloc((size_t)w->nOrg * sizeof *t.aOrg))) {
		ext_free(&t);
		return ky_err_set(err, KY_ENOMEM, "world restore: out of memory");
	}
	for (int o = 0; o < w->nOrg; o++) veh__org_fresh(&w->aOrg[o], &t.aOrg[o]);
	read_scalars(&b, &t);
	if (!b.bBad && (t.p.checkinPeriod != w->p.checkinPeriod || t.p.slotWidth != w->p.slotWidth)) {
		ext_free(&t);
		free(t.aOrg);
		return ky_err_set(err, KY_EINVAL, "world restore: the snapshot's check-in period or slot differs from this world's");
	}
	const unsigned char *pCols = r_take(&b, nColBytes);
	s.n = n;
	for (int k = 0; k < C_N; k++) {
		s.w[k] = aW[k];
		s.q[k] = pCols;
		if (pCols) pCols += (size_t)aW[k] * n;
	}
	rc = b.bBad ? 0 : read_campaigns(&b, &t, nCamp);
	if (!rc && !b.bBad) rc = read_otas(&b, &t, f, nOta);
	if (!rc && !b.bBad) rc = read_exceptions(&b, nExc, n, &aExc);
	if (!rc && !b.bBad && bExt && r_u32(&b) != (uint32_t)w->bOrgs) b.bBad = 1;
	if (!rc && !b.bBad && bOrgs) read_orgs(&b, &t);
	if (!rc && !b.bBad && bExt) rc = read_ext(&b, &t);
	if (!rc && !b.bBad && b.i != b.n) b.bBad = 1;
	if (!rc && !b.bBad && !columns_ok(&s, &t, f, aExc, nExc)) b.bBad = 1, b.i = (size_t)(s.q[0] - buf);
	if (!rc && !b.bBad) {
		columns_load(&s, f, &t, aExc, nExc);
		free(aExc);
		commit(w, &t);
		return 0;
	}
	free(aExc);
	camps_free(t.aCamp, t.nCamp, t.aOta, t.nOta);
	ext_free(&t);
	free(t.aOrg);
	if (rc) return ky_err_set(err, KY_ENOMEM, "world restore: out of memory");
	return ky_err_set(err, KY_EPARSE, "world restore: corrupt snapshot (at byte %zu of %zu)", b.i, len);
}
