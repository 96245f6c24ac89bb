/* codec: the world's snapshot (a compact binary blob: varints, run-length coded car columns), its restore, and
 * the state hash (SHA-256 of the snapshot). Format "KYW1", little-endian:
 *   header  magic, seed, cars, cohorts                      (restore checks them against the world)
 *   scalars params, services, random streams, counters, pending event times
 *   tables  attack campaigns, OTA campaigns (selectors as JSON text, recompiled on restore)
 *   columns per car: ECU versions x5, flags, campaign, entry, features off, OTA state, OTA campaign, OTA time,
 *           last check-in; each as (run length, value) varint pairs.
 * Phases are not stored: they follow from the seed. The sim's clock is not stored either, so the hash of a
 * restored world equals the hash of the world it was taken from. */
#include "vehicles/worldInt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void w_bytes(wbuf *b, const void *p, size_t n) {
	if (b->bOom) return;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n) cap *= 2;
		unsigned char *q = realloc(b->p, cap);
		if (!q) {
			b->bOom = 1;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}
static void w_u(wbuf *b, uint64_t v) {
	unsigned char z[10];
	int k = 0;
	do {
		z[k++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	w_bytes(b, z, (size_t)k);
}
static void w_i(wbuf *b, int64_t v) { w_u(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63)); }
static void w_d(wbuf *b, double d) {
	uint64_t u;
	memcpy(&u, &d, 8);
	unsigned char z[8];
	for (int i = 0; i < 8; i++) z[i] = (unsigned char)(u >> (8 * i));
	w_bytes(b, z, 8);
}
static void w_s(wbuf *b, const char *z) {
	size_t n = strlen(z);
	w_u(b, n);
	w_bytes(b, z, n);
}

/* A column as (run, value) pairs; get(i) reads car i. */
#define W_COL(b, n, expr) do { \
	uint32_t i_ = 0; \
	while (i_ < (n)) { \
		uint32_t i = i_; uint64_t v_ = (uint64_t)(expr); uint32_t j_ = i_ + 1; \
		for (i = j_; i < (n) && (uint64_t)(expr) == v_; i++) {} \
		w_u(b, i - i_); w_u(b, v_); i_ = i; \
	} } while (0)

static void write_world(const veh_world *w, wbuf *b) {
	const veh_fleet *f = &w->f;
	const veh_params *p = &w->p;
	w_bytes(b, "KYW1", 4);
	w_u(b, eng_sim_seed(w->sim));
	w_u(b, f->n);
	w_u(b, (uint64_t)f->nCoh);
	w_u(b, (uint64_t)w->bStarted);
	w_i(b, w->tStart);
	/* params */
	w_i(b, p->checkinPeriod), w_i(b, p->slotWidth), w_i(b, p->jitter), w_d(b, p->offlineFrac), w_i(b, p->offlineMean);
	w_d(b, p->idsDetect), w_d(b, p->idsFp), w_i(b, p->vsocInterval), w_d(b, p->vsocPerHour), w_i(b, p->blockDelay);
	w_i(b, p->dlMin), w_i(b, p->dlMax), w_i(b, p->instMin), w_i(b, p->instMax), w_d(b, p->otaFail), w_d(b, p->otaBrick);
	w_d(b, p->pkiPerHour), w_d(b, p->appCmdPerDay), w_d(b, p->degradedLoss), w_i(b, p->recordsPerCar);
	for (int s = 0; s < VEH_SVC_N; s++) {
		w_u(b, (uint64_t)w->aSvc[s].health), w_u(b, (uint64_t)w->aSvc[s].bIsolated);
		w_i(b, w->aSvc[s].tDownSince), w_i(b, w->aSvc[s].downUs);
	}
	const eng_rng *aR[4] = { &w->rTick, &w->rOta, &w->rAttack, &w->rVsoc };
	for (int r = 0; r < 4; r++)
		for (int k = 0; k < 4; k++) w_u(b, aR[r]->s[k]);
	w_i(b, w->nComp), w_i(b, w->nOffline), w_i(b, w->nBricked), w_i(b, w->tCompLast), w_d(b, w->compCarUs);
	w_i(b, w->nRecords), w_i(b, w->nUnsafe), w_i(b, w->nCustomers), w_i(b, w->nCheckins), w_i(b, w->nAlerts);
	w_i(b, w->nFalseQueued), w_i(b, w->nIncidents), w_i(b, w->nCmd), w_i(b, w->nCmdFailed), w_i(b, w->nRecvTrue);
	w_i(b, w->nRecvFalse), w_d(b, w->cmdFrac), w_d(b, w->pkiFrac), w_i(b, w->nRevokedWaiting), w_u(b, w->nCarEvents);
	w_u(b, w->iSlotNext), w_i(b, w->tTick), w_i(b, w->tVsoc);
	w_u(b, (uint64_t)w->nCamp);
	for (int c = 0; c < w->nCamp; c++) {
		const veh_campaign *k = &w->aCamp[c];
		w_u(b, (uint64_t)k->nInd);
		for (int i = 0; i < k->nInd; i++) w_s(b, k->azInd[i]);
		w_s(b, k->zTechnique), w_s(b, k->zSel);
		w_u(b, (uint64_t)k->entry), w_u(b, (uint64_t)k->bPersist), w_u(b, (uint64_t)k->bStopped), w_u(b, (uint64_t)k->bBlocked);
		w_i(b, k->tBlockAt), w_i(b, k->recordsPerBeacon), w_i(b, k->nComp), w_i(b, k->nQueued), w_u(b, (uint64_t)k->bIncident);
	}
	w_u(b, (uint64_t)w->nOta);
	for (int o = 0; o < w->nOta; o++) {
		const veh_ota_camp *c = &w->aOta[o];
		w_u(b, (uint64_t)c->iEcu), w_u(b, c->ver), w_s(b, c->zSel), w_d(b, c->rollout), w_d(b, c->brick), w_i(b, c->iAttack);
		w_i(b, c->tStart), w_i(b, c->nTarget), w_i(b, c->nOffered), w_i(b, c->nDone), w_i(b, c->nFailed), w_i(b, c->nBricked);
		w_u(b, (uint64_t)c->bDoneFact), w_u(b, (uint64_t)c->bRevoked);
	}
	for (int e = 0; e < VEH_ECU_N; e++) W_COL(b, f->n, f->aVer[e][i]);
	W_COL(b, f->n, f->aFlags[i]);
	W_COL(b, f->n, f->aCamp[i]);
	W_COL(b, f->n, f->aEntry[i]);
	W_COL(b, f->n, f->aFeatOff[i]);
	W_COL(b, f->n, f->aOta[i]);
	W_COL(b, f->n, f->aOtaCamp[i]);
	W_COL(b, f->n, f->aOtaT[i]);
	W_COL(b, f->n, f->aLast[i]);
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

static uint64_t r_u(rbuf *b) {
	uint64_t v = 0;
	for (int s = 0; s < 64; s += 7) {
		if (b->i >= b->n) {
			b->bBad = 1;
			return 0;
		}
		unsigned char c = b->p[b->i++];
		v |= (uint64_t)(c & 0x7f) << s;
		if (!(c & 0x80)) return v;
	}
	b->bBad = 1;
	return 0;
}
static int64_t r_i(rbuf *b) {
	uint64_t u = r_u(b);
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}
static double r_d(rbuf *b) {
	uint64_t u = 0;
	double d;
	if (b->i + 8 > b->n) {
		b->bBad = 1;
		return 0;
	}
	for (int i = 0; i < 8; i++) u |= (uint64_t)b->p[b->i++] << (8 * i);
	memcpy(&d, &u, 8);
	return d;
}
/* A string into z (size n); bad when longer. */
static void r_s(rbuf *b, char *z, size_t n) {
	uint64_t len = r_u(b);
	if (b->bBad || len >= n || b->i + len > b->n) {
		b->bBad = 1;
		z[0] = 0;
		return;
	}
	memcpy(z, b->p + b->i, len);
	z[len] = 0;
	b->i += len;
}
static char *r_sdup(rbuf *b) {
	uint64_t len = r_u(b);
	if (b->bBad || b->i + len > b->n || len > (1u << 20)) {
		b->bBad = 1;
		return NULL;
	}
	char *z = malloc(len + 1);
	if (!z) {
		b->bBad = 1;
		return NULL;
	}
	memcpy(z, b->p + b->i, len);
	z[len] = 0;
	b->i += len;
	return z;
}
#define TIME_OK(t, lo) ((t) >= (lo) && (t) <= ENG_TIME_MAX / 4)

/* Reads a column of n values, each <= max, through set(i, v). */
#define R_COL(b, n, max, stmt) do { \
	uint32_t i_ = 0; \
	while (i_ < (n) && !(b)->bBad) { \
		uint64_t run_ = r_u(b), v = r_u(b); \
		if (run_ == 0 || run_ > (uint64_t)((n) - i_) || v > (uint64_t)(max)) { (b)->bBad = 1; break; } \
		for (uint32_t i = i_; i < i_ + (uint32_t)run_; i++) { stmt; } \
		i_ += (uint32_t)run_; \
	} } while (0)

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
	t->tStart = r_i(b);
	p->checkinPeriod = r_i(b), p->slotWidth = r_i(b), p->jitter = r_i(b), p->offlineFrac = r_d(b), p->offlineMean = r_i(b);
	p->idsDetect = r_d(b), p->idsFp = r_d(b), p->vsocInterval = r_i(b), p->vsocPerHour = r_d(b), p->blockDelay = r_i(b);
	p->dlMin = r_i(b), p->dlMax = r_i(b), p->instMin = r_i(b), p->instMax = r_i(b), p->otaFail = r_d(b), p->otaBrick = r_d(b);
	p->pkiPerHour = r_d(b), p->appCmdPerDay = r_d(b), p->degradedLoss = r_d(b), p->recordsPerCar = r_i(b);
	if (!veh__params_valid(p) || !TIME_OK(t->tStart, 0)) b->bBad = 1;
	for (int s = 0; s < VEH_SVC_N; s++) {
		veh_service *v = &t->aSvc[s];
		v->health = (int)r_u(b), v->bIsolated = (int)r_u(b), v->tDownSince = r_i(b), v->downUs = r_i(b);
		if (v->health < 0 || v->health >= VEH_H_N || v->bIsolated > 1 || !TIME_OK(v->tDownSince, -1) || !TIME_OK(v->downUs, 0))
			b->bBad = 1;
	}
	eng_rng *aR[4] = { &t->rTick, &t->rOta, &t->rAttack, &t->rVsoc };
	for (int r = 0; r < 4; r++)
		for (int k = 0; k < 4; k++) aR[r]->s[k] = r_u(b);
	t->nComp = r_i(b), t->nOffline = r_i(b), t->nBricked = r_i(b), t->tCompLast = r_i(b), t->compCarUs = r_d(b);
	t->nRecords = r_i(b), t->nUnsafe = r_i(b), t->nCustomers = r_i(b), t->nCheckins = r_i(b), t->nAlerts = r_i(b);
	t->nFalseQueued = r_i(b), t->nIncidents = r_i(b), t->nCmd = r_i(b), t->nCmdFailed = r_i(b), t->nRecvTrue = r_i(b);
	t->nRecvFalse = r_i(b), t->cmdFrac = r_d(b), t->pkiFrac = r_d(b), t->nRevokedWaiting = r_i(b), t->nCarEvents = r_u(b);
	t->iSlotNext = r_u(b), t->tTick = r_i(b), t->tVsoc = r_i(b);
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

/* Attack campaigns into t->aCamp (allocated; t->nCamp counts the entries to free). KY_ENOMEM or 0. */
static int read_campaigns(rbuf *b, veh_world *t) {
	uint64_t n = r_u(b);
	if (b->bBad || n > VEH_CAMP_MAX) {
		b->bBad = 1;
		return 0;
	}
	if (!(t->aCamp = calloc(n + 1, sizeof *t->aCamp))) return KY_ENOMEM;
	while (t->nCamp < (int)n && !b->bBad) {
		veh_campaign *k = &t->aCamp[t->nCamp++];
		k->nInd = (int)r_u(b);
		if (k->nInd < 1 || k->nInd > 4) {
			b->bBad = 1;
			break;
		}
		for (int i = 0; i < k->nInd; i++) r_s(b, k->azInd[i], sizeof k->azInd[i]);
		r_s(b, k->zTechnique, sizeof k->zTechnique);
		k->zSel = r_sdup(b);
		k->entry = (int)r_u(b), k->bPersist = (int)r_u(b), k->bStopped = (int)r_u(b), k->bBlocked = (int)r_u(b);
		k->tBlockAt = r_i(b), k->recordsPerBeacon = r_i(b), k->nComp = r_i(b), k->nQueued = r_i(b), k->bIncident = (int)r_u(b);
		if (!TIME_OK(k->tBlockAt, -1) || !TIME_OK(k->recordsPerBeacon, 0) || !TIME_OK(k->nQueued, 0) ||
		    !TIME_OK(k->nComp, 0) || k->entry >= VEH_ENTRY_SVC + VEH_SVC_N || (k->entry >= VEH_ECU_N && k->entry < VEH_ENTRY_SVC))
			b->bBad = 1;
	}
	return 0;
}

/* OTA campaigns into t->aOta, their selectors recompiled against the fleet. KY_ENOMEM or 0. */
static int read_otas(rbuf *b, veh_world *t, const veh_fleet *f) {
	uint64_t n = b->bBad ? 0 : r_u(b);
	if (b->bBad || n > VEH_OTA_MAX) {
		b->bBad = 1;
		return 0;
	}
	if (!(t->aOta = calloc(n + 1, sizeof *t->aOta))) return KY_ENOMEM;
	while (t->nOta < (int)n && !b->bBad) {
		veh_ota_camp *o = &t->aOta[t->nOta++];
		o->iEcu = (int)r_u(b), o->ver = (uint32_t)r_u(b), o->zSel = r_sdup(b), o->rollout = r_d(b), o->brick = r_d(b);
		o->iAttack = (int)r_i(b), o->tStart = r_i(b), o->nTarget = r_i(b), o->nOffered = r_i(b), o->nDone = r_i(b);
		o->nFailed = r_i(b), o->nBricked = r_i(b), o->bDoneFact = (int)r_u(b), o->bRevoked = (int)r_u(b);
		if (b->bBad || o->bDoneFact > 1 || o->bRevoked > 1 || !TIME_OK(o->tStart, 0) || !(o->rollout > 0 && o->rollout <= 1) ||
		    !(o->brick >= 0 && o->brick <= 1) || o->iEcu < 0 || o->iEcu >= VEH_ECU_N || o->iAttack >= t->nCamp || o->iAttack < -1) {
			b->bBad = 1;
			break;
		}
		json_t *j = json_loads(o->zSel, 0, NULL);
		if (!j || veh_selector_compile(f, j, "", &o->sel, NULL) != 0) b->bBad = 1;
		json_decref(j);
	}
	return 0;
}

/* The car columns into c (allocated here). KY_ENOMEM or 0. */
static int read_columns(rbuf *b, cols *c, uint32_t nc, int nCamp, int nOta) {
	for (int e = 0; e < VEH_ECU_N; e++)
		if (!(c->aVer[e] = malloc((size_t)nc * 4 + 4))) return KY_ENOMEM;
	c->aFlags = malloc((size_t)nc * 2 + 2), c->aCamp = malloc(nc + 1u), c->aEntry = malloc(nc + 1u), c->aFeatOff = malloc(nc + 1u);
	c->aOta = malloc(nc + 1u), c->aOtaCamp = malloc(nc + 1u), c->aOtaT = malloc((size_t)nc * 4 + 4), c->aLast = malloc((size_t)nc * 4 + 4);
	if (!c->aFlags || !c->aCamp || !c->aEntry || !c->aFeatOff || !c->aOta || !c->aOtaCamp || !c->aOtaT || !c->aLast) return KY_ENOMEM;
	for (int e = 0; e < VEH_ECU_N; e++) R_COL(b, nc, UINT32_MAX, c->aVer[e][i] = (uint32_t)v);
	R_COL(b, nc, 0x3f, c->aFlags[i] = (uint16_t)v);
	R_COL(b, nc, nCamp, c->aCamp[i] = (uint8_t)v);
	R_COL(b, nc, VEH_ENTRY_SVC + VEH_SVC_N - 1, c->aEntry[i] = (uint8_t)v);
	R_COL(b, nc, VEH_FEAT_ALL, c->aFeatOff[i] = (uint8_t)v);
	R_COL(b, nc, VEH_OTA_FAILED, c->aOta[i] = (uint8_t)v);
	R_COL(b, nc, nOta, c->aOtaCamp[i] = (uint8_t)v);
	R_COL(b, nc, UINT32_MAX, c->aOtaT[i] = (uint32_t)v);
	R_COL(b, nc, UINT32_MAX, c->aLast[i] = (uint32_t)v);
	return 0;
}

/* Do the columns agree with the counters and with each other? 1 yes, 0 no, KY_ENOMEM. */
static int columns_consistent(const cols *c, const veh_world *t, uint32_t nc) {
	int64_t nComp = 0, nOff = 0, nBrick = 0;
	int bOk = 1;
	int64_t *aCampN = calloc((size_t)t->nCamp + 1, sizeof *aCampN);
	if (!aCampN) return KY_ENOMEM;
	for (uint32_t i = 0; i < nc; i++) {
		uint16_t fl = c->aFlags[i];
		int bComp = (fl & VEH_F_COMP) != 0;
		nComp += bComp;
		nOff += (fl & VEH_F_OFFLINE) != 0;
		nBrick += (fl & VEH_F_BRICKED) != 0;
		if (bComp != (c->aCamp[i] != 0) || ((fl & VEH_F_OFFLINE) && (fl & VEH_F_BRICKED)) ||
		    (c->aOta[i] != VEH_OTA_NONE && c->aOtaCamp[i] == 0))
			bOk = 0;
		if (c->aCamp[i]) aCampN[c->aCamp[i] - 1]++;
	}
	for (int k = 0; k < t->nCamp; k++)
		if (aCampN[k] != t->aCamp[k].nComp) bOk = 0;
	free(aCampN);
	return bOk && nComp == t->nComp && nOff == t->nOffline && nBrick == t->nBricked;
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

int veh_world_restore(veh_world *w, const unsigned char *buf, size_t len, ky_err *err) {
	rbuf b = { buf, len, 4, 0 };
	veh_world t;  /* decoded here, moved into w only when everything checked out */
	cols c;
	const veh_fleet *f = &w->f;
	int rc;
	memset(&c, 0, sizeof c);
	if (!w->bStarted && (rc = veh_world_start(w, err))) return rc;
	if (len < 4 || memcmp(buf, "KYW1", 4) != 0) return ky_err_set(err, KY_EPARSE, "world restore: not a world snapshot");
	uint64_t seed = r_u(&b), n = r_u(&b), nCoh = r_u(&b);
	r_u(&b);
	if (b.bBad) return ky_err_set(err, KY_EPARSE, "world restore: corrupt snapshot header");
	if (n != f->n || nCoh != (uint64_t)f->nCoh)
		return ky_err_set(err, KY_EINVAL, "world restore: snapshot of %llu cars in %llu cohorts, this world has %u in %d",
		                  (unsigned long long)n, (unsigned long long)nCoh, f->n, f->nCoh);
	if (seed != eng_sim_seed(w->sim))
		return ky_err_set(err, KY_EINVAL, "world restore: snapshot seed %llu differs from the world's %llu",
		                  (unsigned long long)seed, (unsigned long long)eng_sim_seed(w->sim));
	t = *w;
	t.aCamp = NULL, t.nCamp = 0, t.aOta = NULL, t.nOta = 0;
	read_scalars(&b, &t);
	if (!b.bBad && (t.p.checkinPeriod != w->p.checkinPeriod || t.p.slotWidth != w->p.slotWidth))
		return ky_err_set(err, KY_EINVAL, "world restore: the snapshot's check-in period or slot differs from this world's");
	rc = b.bBad ? 0 : read_campaigns(&b, &t);
	if (!rc && !b.bBad) rc = read_otas(&b, &t, f);
	if (!rc && !b.bBad) rc = read_columns(&b, &c, f->n, t.nCamp, t.nOta);
	if (!rc && !b.bBad && b.i != b.n) b.bBad = 1;
	if (!rc && !b.bBad) {
		int ok = columns_consistent(&c, &t, f->n);
		if (ok < 0) rc = ok;
		if (ok == 0) b.bBad = 1;
	}
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
