/* codec: the world's snapshot (a binary blob of the whole state), its restore, and the state hash (SHA-256 of the
 * snapshot). Format "KYW2", little-endian, with a fixed layout: two snapshots of one world differ only where its
 * state differs, at the same offsets, so that the journal's XOR against the previous snapshot is mostly zeros.
 * Delta coding and any compression are the journal's business; this codec only has to be fast and stable.
 *   header   magic, cars, seed, cohorts, attack campaigns, OTA campaigns, version exceptions      32 bytes
 *   scalars  started, start time, params, services, random streams, counters, pending times      8 bytes each
 *   columns  20 bytes per car (SNAP_CAR), one column after the other: ECU version codes x5, flags (2 byte
 *            planes), campaign, entry, features off, OTA state, OTA campaign, OTA step end (4 byte planes),
 *            last check-in (4 byte planes)
 *   tables   attack campaigns, OTA campaigns (selectors as JSON text, recompiled on restore), version exceptions
 * Version code: 0 = the cohort's initial firmware, k = the target version of OTA campaign k (the lowest such k; a
 * car's firmware only changes by OTA), 255 = any other version, listed in the exceptions (car, ECU, version).
 * Byte planes: a multi-byte column is stored as every car's low byte, then every car's next byte, ...: a check-in
 * time moves in its low bytes, so the high planes stay the same from one snapshot to the next. Only a new campaign
 * (or exception) changes the length. Phases are not stored: they follow from the seed. The sim's clock is not
 * stored either, so the hash of a restored world equals the hash of the world it was taken from.
 * Restore checks every field (ranges, the columns against each other and against the stored counters, version
 * codes against the campaigns), decodes into new arrays and only then swaps them in: a corrupt blob is KY_EPARSE
 * and changes nothing. The counters that are not stored (patched, revoked, per OTA state) are recounted. */
#include "vehicles/worldInt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SNAP_HDR 32
#define SNAP_CAR 20
#define VER_EXC 255

/* ---- SHA-256 (FIPS 180-4) ------------------------------------------------------------------------------- */

static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
	0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
	0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2 };

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(uint32_t h[8], const unsigned char *p) {
	uint32_t w[64], a, b, c, d, e, f, g, k;
	for (int i = 0; i < 16; i++) w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = k + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

void veh__sha256(const unsigned char *p, size_t n, unsigned char out[32]) {
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	unsigned char tail[128];
	size_t full = n / 64 * 64, rest = n - full;
	for (size_t i = 0; i < full; i += 64) sha_block(h, p + i);
	memset(tail, 0, sizeof tail);
	memcpy(tail, p + full, rest);
	tail[rest] = 0x80;
	size_t tlen = rest < 56 ? 64 : 128;
	uint64_t bits = (uint64_t)n * 8;
	for (int i = 0; i < 8; i++) tail[tlen - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha_block(h, tail);
	if (tlen == 128) sha_block(h, tail + 64);
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 4; j++) out[4 * i + j] = (unsigned char)(h[i] >> (24 - 8 * j));
}

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

/* Byte planes of a column of n values. */
static void put_planes16(unsigned char *q, const uint16_t *a, uint32_t n) {
	unsigned char *q1 = q + n;
	for (uint32_t i = 0; i < n; i++) {
		q[i] = (unsigned char)a[i];
		q1[i] = (unsigned char)(a[i] >> 8);
	}
}
static void put_planes32(unsigned char *q, const uint32_t *a, uint32_t n) {
	unsigned char *q1 = q + n, *q2 = q1 + n, *q3 = q2 + n;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = a[i];
		q[i] = (unsigned char)v;
		q1[i] = (unsigned char)(v >> 8);
		q2[i] = (unsigned char)(v >> 16);
		q3[i] = (unsigned char)(v >> 24);
	}
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

/* Version codes of ECU e into q (one byte per car); versions without a code are appended to *paExc. */
static void put_versions(const veh_world *w, int e, unsigned char *q, ver_exc **paExc, uint32_t *pnExc, wbuf *b) {
	const veh_fleet *f = &w->f;
	for (int c = 0; c < f->nCoh; c++) {
		const veh_cohort *k = &f->aCoh[c];
		uint32_t vInit = k->aVer[e], vLast = vInit;
		unsigned code = 0;
		for (uint32_t i = k->iFirst; i < k->iFirst + k->nCount; i++) {
			uint32_t v = f->aVer[e][i];
			if (v != vLast) {
				vLast = v;
				code = ver_code(w, e, vInit, v);
			}
			q[i] = (unsigned char)code;
			if (code != VER_EXC) continue;
			ver_exc *a = realloc(*paExc, (*pnExc + 1) * sizeof *a);
			if (!a) {
				b->bOom = 1;
				return;
			}
			a[*pnExc] = (ver_exc){ i, (uint32_t)e, v };
			*paExc = a;
			(*pnExc)++;
		}
	}
}

static void write_scalars(const veh_world *w, wbuf *b) {
	const veh_params *p = &w->p;
	w_u64(b, (uint64_t)w->bStarted), w_i64(b, w->tStart);
	w_i64(b, p->checkinPeriod), w_i64(b, p->slotWidth), w_i64(b, p->jitter), w_f64(b, p->offlineFrac), w_i64(b, p->offlineMean);
	w_f64(b, p->idsDetect), w_f64(b, p->idsFp), w_i64(b, p->vsocInterval), w_f64(b, p->vsocPerHour), w_i64(b, p->blockDelay);
	w_i64(b, p->dlMin), w_i64(b, p->dlMax), w_i64(b, p->instMin), w_i64(b, p->instMax), w_f64(b, p->otaFail), w_f64(b, p->otaBrick);
	w_f64(b, p->pkiPerHour), w_f64(b, p->appCmdPerDay), w_f64(b, p->degradedLoss), w_i64(b, p->recordsPerCar);
	for (int s = 0; s < VEH_SVC_N; s++) {
		w_u64(b, (uint64_t)w->aSvc[s].health), w_u64(b, (uint64_t)w->aSvc[s].bIsolated);
		w_i64(b, w->aSvc[s].tDownSince), w_i64(b, w->aSvc[s].downUs);
	}
	const eng_rng *aR[4] = { &w->rTick, &w->rOta, &w->rAttack, &w->rVsoc };
	for (int r = 0; r < 4; r++)
		for (int k = 0; k < 4; k++) w_u64(b, aR[r]->s[k]);
	w_i64(b, w->nComp), w_i64(b, w->nOffline), w_i64(b, w->nBricked), w_i64(b, w->tCompLast), w_f64(b, w->compCarUs);
	w_i64(b, w->nRecords), w_i64(b, w->nUnsafe), w_i64(b, w->nCustomers), w_i64(b, w->nCheckins), w_i64(b, w->nAlerts);
	w_i64(b, w->nFalseQueued), w_i64(b, w->nIncidents), w_i64(b, w->nCmd), w_i64(b, w->nCmdFailed), w_i64(b, w->nRecvTrue);
	w_i64(b, w->nRecvFalse), w_f64(b, w->cmdFrac), w_f64(b, w->pkiFrac), w_i64(b, w->nRevokedWaiting), w_u64(b, w->nCarEvents);
	w_u64(b, w->iSlotNext), w_i64(b, w->tTick), w_i64(b, w->tVsoc);
}

static void write_tables(const veh_world *w, wbuf *b) {
	for (int c = 0; c < w->nCamp; c++) {
		const veh_campaign *k = &w->aCamp[c];
		w_u64(b, (uint64_t)k->entry), w_u64(b, (uint64_t)k->bPersist), w_u64(b, (uint64_t)k->bStopped);
		w_u64(b, (uint64_t)k->bBlocked), w_i64(b, k->tBlockAt), w_i64(b, k->recordsPerBeacon), w_i64(b, k->nComp);
		w_i64(b, k->nQueued), w_u64(b, (uint64_t)k->bIncident), w_u64(b, (uint64_t)k->nInd);
		for (int i = 0; i < k->nInd; i++) w_s(b, k->azInd[i]);
		w_s(b, k->zTechnique), w_s(b, k->zSel);
	}
	for (int o = 0; o < w->nOta; o++) {
		const veh_ota_camp *c = &w->aOta[o];
		w_u64(b, (uint64_t)c->iEcu), w_u64(b, c->ver), w_f64(b, c->rollout), w_f64(b, c->brick), w_i64(b, c->iAttack);
		w_i64(b, c->tStart), w_i64(b, c->nTarget), w_i64(b, c->nOffered), w_i64(b, c->nDone), w_i64(b, c->nFailed);
		w_i64(b, c->nBricked), w_u64(b, (uint64_t)c->bDoneFact), w_u64(b, (uint64_t)c->bRevoked);
		w_s(b, c->zSel);
	}
}

static void write_world(const veh_world *w, wbuf *b) {
	const veh_fleet *f = &w->f;
	uint32_t n = f->n, nExc = 0;
	ver_exc *aExc = NULL;
	b->cap = SNAP_HDR + 1024 + (size_t)SNAP_CAR * n + 4096;
	if (!(b->p = malloc(b->cap))) {
		b->bOom = 1;
		return;
	}
	w_bytes(b, "KYW2", 4);
	w_u32(b, n);
	w_u64(b, eng_sim_seed(w->sim));
	w_u32(b, (uint32_t)f->nCoh), w_u32(b, (uint32_t)w->nCamp), w_u32(b, (uint32_t)w->nOta);
	w_u32(b, 0);  /* exceptions: patched below */
	write_scalars(w, b);
	size_t iCols = b->n;
	if (!w_room(b, (size_t)SNAP_CAR * n)) return;
	unsigned char *q = b->p + iCols;
	for (int e = 0; e < VEH_ECU_N; e++, q += n) put_versions(w, e, q, &aExc, &nExc, b);
	put_planes16(q, f->aFlags, n), q += 2 * (size_t)n;
	memcpy(q, f->aCamp, n), q += n;
	memcpy(q, f->aEntry, n), q += n;
	memcpy(q, f->aFeatOff, n), q += n;
	memcpy(q, f->aOta, n), q += n;
	memcpy(q, f->aOtaCamp, n), q += n;
	put_planes32(q, f->aOtaT, n), q += 4 * (size_t)n;
	put_planes32(q, f->aLast, n);
	write_tables(w, b);
	for (uint32_t k = 0; k < nExc; k++) w_u32(b, aExc[k].car), w_u32(b, aExc[k].ecu), w_u32(b, aExc[k].ver);
	free(aExc);
	if (!b->bOom)
		for (int k = 0; k < 4; k++) b->p[28 + k] = (unsigned char)(nExc >> (8 * k));
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
	veh__sha256(b.p, b.n, d);
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
	if (strlen(z) != len) b->bBad = 1;  /* an embedded NUL */
	return z;
}
#define TIME_OK(t, lo) ((t) >= (lo) && (t) <= ENG_TIME_MAX / 4)

typedef struct cols {
	uint32_t *aVer[VEH_ECU_N];
	uint16_t *aFlags;
	uint8_t *aCamp, *aEntry, *aFeatOff, *aOta, *aOtaCamp;
	uint32_t *aOtaT, *aLast;
} cols;

static void cols_free(cols *c) {
	for (int e = 0; e < VEH_ECU_N; e++) free(c->aVer[e]);
	free(c->aFlags), free(c->aCamp), free(c->aEntry), free(c->aFeatOff), free(c->aOta), free(c->aOtaCamp), free(c->aOtaT);
	free(c->aLast);
}

static void camps_free(veh_campaign *a, int n, veh_ota_camp *o, int nO) {
	for (int i = 0; i < n; i++) free(a[i].zSel);
	for (int i = 0; i < nO; i++) {
		free(o[i].zSel);
		veh_selector_free(&o[i].sel);
	}
	free(a);
	free(o);
}

/* Parameters, services, streams, counters and pending times into t (b->bBad on a bad or out-of-range value). */
static void read_scalars(rbuf *b, veh_world *t) {
	veh_params *p = &t->p;
	r_bool(b);  /* started: the target world is started before the load */
	t->tStart = r_i64(b);
	p->checkinPeriod = r_i64(b), p->slotWidth = r_i64(b), p->jitter = r_i64(b), p->offlineFrac = r_f64(b), p->offlineMean = r_i64(b);
	p->idsDetect = r_f64(b), p->idsFp = r_f64(b), p->vsocInterval = r_i64(b), p->vsocPerHour = r_f64(b), p->blockDelay = r_i64(b);
	p->dlMin = r_i64(b), p->dlMax = r_i64(b), p->instMin = r_i64(b), p->instMax = r_i64(b), p->otaFail = r_f64(b), p->otaBrick = r_f64(b);
	p->pkiPerHour = r_f64(b), p->appCmdPerDay = r_f64(b), p->degradedLoss = r_f64(b), p->recordsPerCar = r_i64(b);
	if (!veh__params_valid(p) || !TIME_OK(t->tStart, 0)) b->bBad = 1;
	for (int s = 0; s < VEH_SVC_N; s++) {
		veh_service *v = &t->aSvc[s];
		uint64_t h = r_u64(b);
		v->health = h < VEH_H_N ? (int)h : VEH_H_UP, v->bIsolated = r_bool(b), v->tDownSince = r_i64(b), v->downUs = r_i64(b);
		if (h >= VEH_H_N || !TIME_OK(v->tDownSince, -1) || !TIME_OK(v->downUs, 0)) b->bBad = 1;
		if ((v->tDownSince >= 0) != (v->bIsolated || v->health == VEH_H_DOWN)) b->bBad = 1;  /* down since: iff unusable */
	}
	eng_rng *aR[4] = { &t->rTick, &t->rOta, &t->rAttack, &t->rVsoc };
	for (int r = 0; r < 4; r++)
		for (int k = 0; k < 4; k++) aR[r]->s[k] = r_u64(b);
	t->nComp = r_i64(b), t->nOffline = r_i64(b), t->nBricked = r_i64(b), t->tCompLast = r_i64(b), t->compCarUs = r_f64(b);
	t->nRecords = r_i64(b), t->nUnsafe = r_i64(b), t->nCustomers = r_i64(b), t->nCheckins = r_i64(b), t->nAlerts = r_i64(b);
	t->nFalseQueued = r_i64(b), t->nIncidents = r_i64(b), t->nCmd = r_i64(b), t->nCmdFailed = r_i64(b), t->nRecvTrue = r_i64(b);
	t->nRecvFalse = r_i64(b), t->cmdFrac = r_f64(b), t->pkiFrac = r_f64(b), t->nRevokedWaiting = r_i64(b), t->nCarEvents = r_u64(b);
	t->iSlotNext = r_u64(b), t->tTick = r_i64(b), t->tVsoc = r_i64(b);
	if (!TIME_OK(t->tCompLast, 0) || !TIME_OK(t->tTick, -1) || !TIME_OK(t->tVsoc, -1)) b->bBad = 1;
	if (!(t->cmdFrac >= 0 && t->cmdFrac < 1) || !(t->pkiFrac >= 0 && t->pkiFrac < 1) || !(t->compCarUs >= 0 && t->compCarUs < 1e30))
		b->bBad = 1;
	const int64_t aCount[] = { t->nComp, t->nOffline, t->nBricked, t->nRecords, t->nUnsafe, t->nCustomers, t->nCheckins,
		                       t->nAlerts, t->nFalseQueued, t->nIncidents, t->nCmd, t->nCmdFailed, t->nRecvTrue,
		                       t->nRecvFalse, t->nRevokedWaiting };
	for (size_t k = 0; k < sizeof aCount / sizeof aCount[0]; k++)
		if (!TIME_OK(aCount[k], 0)) b->bBad = 1;  /* counters: same bounds as times */
	if (!b->bBad && t->iSlotNext != UINT64_MAX && t->iSlotNext > (uint64_t)(ENG_TIME_MAX / 4 / p->slotWidth)) b->bBad = 1;
}

/* nCamp attack campaigns into t->aCamp (allocated; t->nCamp counts the entries to free). KY_ENOMEM or 0. */
static int read_campaigns(rbuf *b, veh_world *t, uint32_t nCamp) {
	if (!(t->aCamp = calloc((size_t)nCamp + 1, sizeof *t->aCamp))) return KY_ENOMEM;
	while (t->nCamp < (int)nCamp && !b->bBad) {
		veh_campaign *k = &t->aCamp[t->nCamp++];
		uint64_t entry = r_u64(b);
		k->entry = (int)(entry & 0xff), k->bPersist = r_bool(b), k->bStopped = r_bool(b), k->bBlocked = r_bool(b);
		k->tBlockAt = r_i64(b), k->recordsPerBeacon = r_i64(b), k->nComp = r_i64(b), k->nQueued = r_i64(b);
		k->bIncident = r_bool(b);
		uint64_t nInd = r_u64(b);
		if (nInd < 1 || nInd > 4 || entry >= VEH_ENTRY_SVC + VEH_SVC_N || (entry >= VEH_ECU_N && entry < VEH_ENTRY_SVC) ||
		    !TIME_OK(k->tBlockAt, -1) || !TIME_OK(k->recordsPerBeacon, 0) || !TIME_OK(k->nQueued, 0) || !TIME_OK(k->nComp, 0)) {
			b->bBad = 1;
			break;
		}
		k->nInd = (int)nInd;
		for (int i = 0; i < k->nInd; i++) r_s(b, k->azInd[i], sizeof k->azInd[i]);
		r_s(b, k->zTechnique, sizeof k->zTechnique);
		k->zSel = r_sdup(b);
		if (k->bBlocked && k->tBlockAt >= 0) b->bBad = 1;  /* a block pending on a blocked campaign */
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
		o->tStart = r_i64(b), o->nTarget = r_i64(b), o->nOffered = r_i64(b), o->nDone = r_i64(b), o->nFailed = r_i64(b);
		o->nBricked = r_i64(b), o->bDoneFact = r_bool(b), o->bRevoked = r_bool(b);
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

static void get_planes16(uint16_t *a, const unsigned char *q, uint32_t n) {
	const unsigned char *q1 = q + n;
	for (uint32_t i = 0; i < n; i++) a[i] = (uint16_t)(q[i] | q1[i] << 8);
}
static void get_planes32(uint32_t *a, const unsigned char *q, uint32_t n) {
	const unsigned char *q1 = q + n, *q2 = q1 + n, *q3 = q2 + n;
	for (uint32_t i = 0; i < n; i++) a[i] = (uint32_t)q[i] | (uint32_t)q1[i] << 8 | (uint32_t)q2[i] << 16 | (uint32_t)q3[i] << 24;
}

/* Version codes of ECU e (q, one byte per car) into a, checked against t's OTA campaigns: a code must name a
 * campaign of that ECU, be the lowest one with its version and differ from the cohort's initial firmware; codes
 * VER_EXC take their version from the exceptions (aExc, nExc, in car order; *piExc walks them). 0 or bad. */
static int get_versions(uint32_t *a, const unsigned char *q, int e, const veh_fleet *f, const veh_world *t,
                        const ver_exc *aExc, uint32_t nExc, uint32_t *piExc) {
	uint8_t aCanon[VEH_OTA_MAX + 1] = { 0 };   /* code k usable for ECU e */
	for (int o = 0; o < t->nOta; o++) {
		if (t->aOta[o].iEcu != e) continue;
		aCanon[o + 1] = 1;
		for (int p = 0; p < o; p++)
			if (t->aOta[p].iEcu == e && t->aOta[p].ver == t->aOta[o].ver) aCanon[o + 1] = 0;
	}
	for (int c = 0; c < f->nCoh; c++) {
		const veh_cohort *k = &f->aCoh[c];
		uint32_t vInit = k->aVer[e];
		for (uint32_t i = k->iFirst; i < k->iFirst + k->nCount; i++) {
			unsigned code = q[i];
			if (code == 0) {
				a[i] = vInit;
			} else if (code == VER_EXC) {
				const ver_exc *x = *piExc < nExc ? &aExc[*piExc] : NULL;
				if (!x || x->car != i || x->ecu != (uint32_t)e || ver_code(t, e, vInit, x->ver) != VER_EXC) return -1;
				a[i] = x->ver;
				(*piExc)++;
			} else {
				if (code > (unsigned)t->nOta || !aCanon[code] || t->aOta[code - 1].ver == vInit) return -1;
				a[i] = t->aOta[code - 1].ver;
			}
		}
	}
	return 0;
}

/* Decodes the columns at q (SNAP_CAR x nc bytes) into c (allocated here), every value range-checked.
 * KY_ENOMEM, 0, or 1 when a value is bad. */
static int read_columns(const unsigned char *q, cols *c, const veh_fleet *f, const veh_world *t, const ver_exc *aExc,
                        uint32_t nExc) {
	uint32_t nc = f->n, iExc = 0;
	for (int e = 0; e < VEH_ECU_N; e++)
		if (!(c->aVer[e] = malloc((size_t)nc * 4 + 4))) return KY_ENOMEM;
	c->aFlags = malloc((size_t)nc * 2 + 2), c->aCamp = malloc(nc + 1u), c->aEntry = malloc(nc + 1u), c->aFeatOff = malloc(nc + 1u);
	c->aOta = malloc(nc + 1u), c->aOtaCamp = malloc(nc + 1u), c->aOtaT = malloc((size_t)nc * 4 + 4), c->aLast = malloc((size_t)nc * 4 + 4);
	if (!c->aFlags || !c->aCamp || !c->aEntry || !c->aFeatOff || !c->aOta || !c->aOtaCamp || !c->aOtaT || !c->aLast) return KY_ENOMEM;
	for (int e = 0; e < VEH_ECU_N; e++, q += nc)
		if (get_versions(c->aVer[e], q, e, f, t, aExc, nExc, &iExc)) return 1;
	if (iExc != nExc) return 1;
	get_planes16(c->aFlags, q, nc), q += 2 * (size_t)nc;
	memcpy(c->aCamp, q, nc), q += nc;
	memcpy(c->aEntry, q, nc), q += nc;
	memcpy(c->aFeatOff, q, nc), q += nc;
	memcpy(c->aOta, q, nc), q += nc;
	memcpy(c->aOtaCamp, q, nc), q += nc;
	get_planes32(c->aOtaT, q, nc), q += 4 * (size_t)nc;
	get_planes32(c->aLast, q, nc);
	return 0;
}

/* Checks each car's values and the columns against each other and the stored counters, and recounts the counters
 * the snapshot does not store (patched, revoked, per OTA state, per OTA campaign busy) into t.
 * 1 consistent, 0 not, KY_ENOMEM. */
static int columns_consistent(const cols *c, veh_world *t, uint32_t nc) {
	int64_t nComp = 0, nOff = 0, nBrick = 0, nPatched = 0, nRevoked = 0, aOtaN[VEH_OTA_FAILED + 1] = { 0 };
	int bOk = 1;
	int64_t *aCampN = calloc((size_t)t->nCamp + 1, sizeof *aCampN);
	if (!aCampN) return KY_ENOMEM;
	for (int o = 0; o < t->nOta; o++) t->aOta[o].nBusy = 0;
	for (uint32_t i = 0; i < nc && bOk; i++) {
		uint16_t fl = c->aFlags[i];
		int bComp = (fl & VEH_F_COMP) != 0;
		unsigned camp = c->aCamp[i], entry = c->aEntry[i], ota = c->aOta[i], otaCamp = c->aOtaCamp[i];
		if (fl > 0x3f || camp > (unsigned)t->nCamp || bComp != (camp != 0) || ((fl & VEH_F_PERSIST) && !bComp) ||
		    (!bComp && entry != 0) || entry >= VEH_ENTRY_SVC + VEH_SVC_N || (entry >= VEH_ECU_N && entry < VEH_ENTRY_SVC) ||
		    ((fl & VEH_F_OFFLINE) && (fl & VEH_F_BRICKED)) || c->aFeatOff[i] > VEH_FEAT_ALL || ota > VEH_OTA_FAILED ||
		    otaCamp > (unsigned)t->nOta || (ota == VEH_OTA_NONE) != (otaCamp == 0)) {
			bOk = 0;
			break;
		}
		nComp += bComp;
		nOff += (fl & VEH_F_OFFLINE) != 0;
		nBrick += (fl & VEH_F_BRICKED) != 0;
		nPatched += (fl & VEH_F_PATCHED) != 0;
		nRevoked += (fl & VEH_F_REVOKED) != 0;
		aOtaN[ota]++;
		if (veh__ota_busy(ota)) t->aOta[otaCamp - 1].nBusy++;
		if (camp) aCampN[camp - 1]++;
	}
	for (int k = 0; k < t->nCamp; k++)
		if (aCampN[k] != t->aCamp[k].nComp) bOk = 0;
	free(aCampN);
	if (!bOk || nComp != t->nComp || nOff != t->nOffline || nBrick != t->nBricked) return 0;
	t->nPatched = nPatched;
	t->nRevoked = nRevoked;
	memcpy(t->aOtaN, aOtaN, sizeof aOtaN);
	return 1;
}

/* Swaps the decoded columns and tables into w, copies the scalars and re-arms the world's pending events. */
static void commit(veh_world *w, veh_world *t, cols *c) {
	veh_fleet *f = &w->f;
	for (int e = 0; e < VEH_ECU_N; e++) {
		uint32_t *x = f->aVer[e];
		f->aVer[e] = c->aVer[e];
		c->aVer[e] = x;
	}
#define SWAP(field) do { void *x_ = f->field; f->field = c->field; c->field = x_; } while (0)
	SWAP(aFlags); SWAP(aCamp); SWAP(aEntry); SWAP(aFeatOff); SWAP(aOta); SWAP(aOtaCamp); SWAP(aOtaT); SWAP(aLast);
#undef SWAP
	for (int k = 0; k < w->nCamp; k++)
		if (w->aCamp[k].tBlockAt >= 0) eng_sim_cancel(w->sim, w->aCamp[k].blockId);
	camps_free(w->aCamp, w->nCamp, w->aOta, w->nOta);
	eng_time_t tTick = t->tTick, tVsoc = t->tVsoc;
	t->tTick = w->tTick, t->tVsoc = w->tVsoc, t->tickId = w->tickId, t->vsocId = w->vsocId;
	t->f = w->f;  /* columns were swapped in place */
	*w = *t;
	veh__sched_tick(w, tTick);
	veh__sched_vsoc(w, tVsoc);
	for (int k = 0; k < w->nCamp; k++) {
		eng_time_t tb = w->aCamp[k].tBlockAt;
		w->aCamp[k].tBlockAt = -1;
		if (tb >= 0) veh__sched_block(w, k, tb);
	}
}

/* The exceptions (strictly ascending by ECU, then car) into *paExc (allocated). KY_ENOMEM or 0. */
static int read_exceptions(rbuf *b, uint32_t nExc, uint32_t nCars, ver_exc **paExc) {
	ver_exc *a = malloc(((size_t)nExc + 1) * sizeof *a);
	if (!a) return KY_ENOMEM;
	*paExc = a;
	for (uint32_t k = 0; k < nExc && !b->bBad; k++) {
		a[k].car = r_u32(b), a[k].ecu = r_u32(b), a[k].ver = r_u32(b);
		uint64_t key = (uint64_t)a[k].ecu * nCars + a[k].car;
		if (a[k].car >= nCars || a[k].ecu >= VEH_ECU_N ||
		    (k > 0 && key <= (uint64_t)a[k - 1].ecu * nCars + a[k - 1].car))
			b->bBad = 1;
	}
	return 0;
}

int veh_world_restore(veh_world *w, const unsigned char *buf, size_t len, ky_err *err) {
	rbuf b = { buf, len, 4, 0 };
	veh_world t;  /* decoded here, moved into w only when everything checked out */
	cols c;
	ver_exc *aExc = NULL;
	const veh_fleet *f = &w->f;
	int rc;
	memset(&c, 0, sizeof c);
	if (!w->bStarted && (rc = veh_world_start(w, err))) return rc;
	if (len < SNAP_HDR || memcmp(buf, "KYW2", 4) != 0) return ky_err_set(err, KY_EPARSE, "world restore: not a world snapshot");
	uint32_t n = r_u32(&b);
	uint64_t seed = r_u64(&b);
	uint32_t nCoh = r_u32(&b), nCamp = r_u32(&b), nOta = r_u32(&b), nExc = r_u32(&b);
	if (n != f->n || nCoh != (uint32_t)f->nCoh)
		return ky_err_set(err, KY_EINVAL, "world restore: snapshot of %u cars in %u cohorts, this world has %u in %d", n, nCoh,
		                  f->n, f->nCoh);
	if (seed != eng_sim_seed(w->sim))
		return ky_err_set(err, KY_EINVAL, "world restore: snapshot seed %llu differs from the world's %llu",
		                  (unsigned long long)seed, (unsigned long long)eng_sim_seed(w->sim));
	if (nCamp > VEH_CAMP_MAX || nOta > VEH_OTA_MAX || nExc > (uint64_t)n * VEH_ECU_N)
		return ky_err_set(err, KY_EPARSE, "world restore: corrupt snapshot header");
	t = *w;
	t.aCamp = NULL, t.nCamp = 0, t.aOta = NULL, t.nOta = 0;
	read_scalars(&b, &t);
	if (!b.bBad && (t.p.checkinPeriod != w->p.checkinPeriod || t.p.slotWidth != w->p.slotWidth))
		return ky_err_set(err, KY_EINVAL, "world restore: the snapshot's check-in period or slot differs from this world's");
	const unsigned char *pCols = r_take(&b, (size_t)SNAP_CAR * n);
	rc = b.bBad ? 0 : read_campaigns(&b, &t, nCamp);
	if (!rc && !b.bBad) rc = read_otas(&b, &t, f, nOta);
	if (!rc && !b.bBad) rc = read_exceptions(&b, nExc, n, &aExc);
	if (!rc && !b.bBad && b.i != b.n) b.bBad = 1;
	if (!rc && !b.bBad) {
		rc = read_columns(pCols, &c, f, &t, aExc, nExc);
		if (rc == 1) rc = 0, b.bBad = 1, b.i = (size_t)(pCols - buf);
	}
	if (!rc && !b.bBad) {
		int ok = columns_consistent(&c, &t, f->n);
		if (ok < 0) rc = ok;
		if (ok == 0) b.bBad = 1, b.i = (size_t)(pCols - buf);
	}
	free(aExc);
	if (!rc && !b.bBad) {
		commit(w, &t, &c);
		cols_free(&c);
		return 0;
	}
	cols_free(&c);
	camps_free(t.aCamp, t.nCamp, t.aOta, t.nOta);
	if (rc) return ky_err_set(err, KY_ENOMEM, "world restore: out of memory");
	return ky_err_set(err, KY_EPARSE, "world restore: corrupt snapshot (at byte %zu of %zu)", b.i, len);
}
