/* cells (ui/replay): see cells.h. */
#include "ui/replay/cells.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vehicles/fleet.h"

#define GROUP_GAP 4 /* pixels between two groups */
#define CELL_MAX 40 /* largest cell of a car of its own */

const uint8_t rpl_palette[RPL_NCLASS][3] = {
	[RPL_CLEAN] = { 0x56, 0xB4, 0xE9 },       /* #56B4E9 */
	[RPL_COMPROMISED] = { 0xD5, 0x5E, 0x00 }, /* #D55E00 */
	[RPL_OFFLINE] = { 0x99, 0x99, 0x99 },     /* #999999 */
	[RPL_PATCHED] = { 0x00, 0x9E, 0x73 },     /* #009E73 */
	[RPL_BRICKED] = { 0xCC, 0x79, 0xA7 },     /* #CC79A7 */
};

static const char *const azClass[RPL_NCLASS] = { "clean", "compromised", "offline", "patched", "bricked" };

const char *rpl_class_name(int c) { return c >= 0 && c < RPL_NCLASS ? azClass[c] : "?"; }

int rpl_class_of(uint16_t fl) {
	if (fl & VEH_F_BRICKED) return RPL_BRICKED;
	if (fl & VEH_F_COMP) return RPL_COMPROMISED;
	if (fl & VEH_F_OFFLINE) return RPL_OFFLINE;
	if (fl & VEH_F_PATCHED) return RPL_PATCHED;
	return RPL_CLEAN;
}

/* The class of every flag combination that matters (bits 0..4). */
static uint8_t aLut[32];
static void lut_init(void) {
	if (aLut[VEH_F_COMP] == RPL_COMPROMISED) return;
	for (unsigned f = 0; f < 32; f++) aLut[f] = (uint8_t)rpl_class_of((uint16_t)f);
}
static inline int class_fast(uint16_t fl) { return aLut[fl & 31]; }

/* ---- layout ----------------------------------------------------------------------------------------------- */

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* Height of the panel's content with `cols` cells per row, rows `pitch` apart, and `per` cars per cell. */
static int64_t content_height(const uint32_t *aCount, int nGroup, int hdr, int cols, int pitch, int64_t per) {
	int64_t h = 0;
	for (int g = 0; g < nGroup; g++) h += hdr + ceil_div(ceil_div(aCount[g], per), cols) * pitch + (g ? GROUP_GAP : 0);
	return h;
}

/* Fills the groups' positions for the chosen cells. */
static int place_groups(rpl_cells *L, const uint32_t *aCount, const uint32_t *aFirst) {
	L->aGroup = calloc((size_t)L->nGroup + 1, sizeof *L->aGroup);
	if (!L->aGroup) return -1;
	int y = 0, pitch = L->cellH + L->gap;
	uint32_t iFirst = 0;
	for (int g = 0; g < L->nGroup; g++) {
		rpl_cells_group *p = &L->aGroup[g];
		y += g ? GROUP_GAP : 0;
		p->y = y;
		p->iFirst = aFirst ? aFirst[g] : iFirst;
		p->n = aCount[g];
		p->rows = (int)ceil_div(ceil_div(aCount[g], L->perCell), L->cols);
		y += L->hdr + p->rows * pitch;
		iFirst += aCount[g];
	}
	assert(y <= L->h);
	return 0;
}

/* The fewest cars per shared cell that fit, or 0. Height only falls as cars per cell rise. */
static int64_t shared_per_cell(const uint32_t *aCount, int nGroup, int hdr, int cols, int h) {
	int64_t nMax = 1;
	for (int g = 0; g < nGroup; g++) nMax = aCount[g] > nMax ? aCount[g] : nMax;
	if (content_height(aCount, nGroup, hdr, cols, RPL_CELL, nMax) > h) return 0;
	int64_t lo = 2, hi = nMax < 2 ? 2 : nMax;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (content_height(aCount, nGroup, hdr, cols, RPL_CELL, mid) <= h) hi = mid;
		else lo = mid + 1;
	}
	return lo;
}

int rpl_cells_layout(rpl_cells *L, int w, int h, const uint32_t *aCount, const uint32_t *aFirst, int nGroup, int hdr) {
	memset(L, 0, sizeof *L);
	L->w = w;
	L->h = h;
	L->nGroup = nGroup;
	lut_init();
	for (int pass = 0; pass < 2; pass++, hdr = 0) {
		L->hdr = hdr;
		/* cells of their own, largest first: s x (s + 1), then s x s */
		for (int k = 2 * CELL_MAX; k >= 2; k--) {
			int s = k / 2, sh = s + (k % 2), gap = s >= 6;
			int cols = (w + gap) / (s + gap);
			if (cols < 1 || content_height(aCount, nGroup, hdr, cols, sh + gap, 1) > h) continue;
			L->cell = s, L->cellH = sh, L->gap = gap, L->cols = cols, L->perCell = 1;
			return place_groups(L, aCount, aFirst);
		}
		int cols = w / RPL_CELL;
		int64_t per = cols > 0 ? shared_per_cell(aCount, nGroup, hdr, cols, h) : 0;
		if (per > 0) {
			L->bShared = 1, L->cell = L->cellH = RPL_CELL, L->gap = 0, L->cols = cols, L->perCell = per;
			return place_groups(L, aCount, aFirst);
		}
	}
	return -1;
}

void rpl_cells_free(rpl_cells *L) {
	free(L->aGroup);
	L->aGroup = NULL;
}

double rpl_cells_car_area(const rpl_cells *L) {
	return (double)(L->cell * L->cellH) / (double)L->perCell;
}

/* ---- raster ------------------------------------------------------------------------------------------------ */

static void raster_own(const rpl_cells *L, const uint16_t *aFlags, const uint32_t aPix[RPL_NCLASS], uint32_t *buf, int pitch,
                       int64_t (*aGroupDrawn)[RPL_NCLASS]) {
	int s = L->cell, sh = L->cellH, step = L->cell + L->gap, stepH = L->cellH + L->gap;
	for (int g = 0; g < L->nGroup; g++) {
		const rpl_cells_group *G = &L->aGroup[g];
		int64_t *drawn = aGroupDrawn[g];
		const uint16_t *fl = aFlags + G->iFirst;
		uint32_t *row0 = buf + (size_t)(G->y + L->hdr) * (size_t)pitch;
		for (uint32_t k = 0; k < G->n; k++) {
			int c = class_fast(fl[k]);
			drawn[c]++;
			uint32_t px = aPix[c];
			uint32_t *p = row0 + (size_t)(k / (uint32_t)L->cols) * (size_t)stepH * (size_t)pitch + (k % (uint32_t)L->cols) * (uint32_t)step;
			if (s == 1 && sh == 1) {
				*p = px;
				continue;
			}
			for (int y = 0; y < sh; y++, p += pitch)
				for (int x = 0; x < s; x++) p[x] = px;
		}
	}
}

/* Shared cells: the pixels of the panel are given to the classes in proportion to their cars, cell by cell, each
 * class's running total kept within a pixel of a * (its cars so far); a cell's pixels go to the classes of its own
 * cars. Inside a cell the pixels are filled row by row, class after class (compromised first). */
typedef struct carry {
	double a;          /* pixels per car */
	int64_t nCars;     /* cars so far */
	double E[RPL_NCLASS];
	int64_t D[RPL_NCLASS];
} carry;

static void apportion(carry *k, const int64_t n[RPL_NCLASS], int64_t nCell, int p[RPL_NCLASS]) {
	int64_t budget = (int64_t)floor(k->a * (double)(k->nCars + nCell) + 0.5) - (int64_t)floor(k->a * (double)k->nCars + 0.5);
	double q[RPL_NCLASS];
	int64_t sum = 0;
	k->nCars += nCell;
	for (int c = 0; c < RPL_NCLASS; c++) {
		k->E[c] += k->a * (double)n[c];
		q[c] = k->E[c] - (double)k->D[c];
		p[c] = n[c] && q[c] > 0 ? (int)floor(q[c]) : 0;
		sum += p[c];
	}
	for (int64_t r = budget - sum; r != 0;) {
		int best = -1;
		for (int c = 0; c < RPL_NCLASS; c++) {
			if (!n[c] || (r < 0 && p[c] == 0)) continue;
			if (best < 0 || (r > 0 ? q[c] - p[c] > q[best] - p[best] : q[c] - p[c] < q[best] - p[best])) best = c;
		}
		if (best < 0) break;
		p[best] += r > 0 ? 1 : -1;
		r += r > 0 ? -1 : 1;
	}
	for (int c = 0; c < RPL_NCLASS; c++) k->D[c] += p[c];
}

static void raster_shared(const rpl_cells *L, const uint16_t *aFlags, const uint32_t aPix[RPL_NCLASS], uint32_t *buf,
                          int pitch, int64_t (*aGroupDrawn)[RPL_NCLASS]) {
	static const int aOrder[RPL_NCLASS] = { RPL_COMPROMISED, RPL_BRICKED, RPL_OFFLINE, RPL_PATCHED, RPL_CLEAN };
	enum { cs = RPL_CELL }; /* a constant: the cell's pixel arithmetic becomes shifts */
	assert(L->cell == RPL_CELL);
	carry k = { .a = (double)(cs * cs) / (double)L->perCell };
	for (int g = 0; g < L->nGroup; g++) {
		const rpl_cells_group *G = &L->aGroup[g];
		int64_t *drawn = aGroupDrawn[g];
		int64_t nCells = ceil_div(G->n, L->perCell);
		for (int64_t j = 0; j < nCells; j++) {
			int64_t n[RPL_NCLASS] = { 0 }, k0 = j * L->perCell, k1 = k0 + L->perCell < G->n ? k0 + L->perCell : G->n;
			const uint16_t *fl = aFlags + G->iFirst;
			for (int64_t i = k0; i < k1; i++) n[class_fast(fl[i])]++;
			int p[RPL_NCLASS];
			apportion(&k, n, k1 - k0, p);
			uint32_t *cell = buf + (size_t)(G->y + L->hdr + (int)(j / L->cols) * cs) * (size_t)pitch + (size_t)(j % L->cols) * (size_t)cs;
			int at = 0;
			for (int o = 0; o < RPL_NCLASS; o++) {
				int c = aOrder[o];
				drawn[c] += n[c];
				for (int q = 0; q < p[c] && at < cs * cs; q++, at++) cell[(at / cs) * pitch + at % cs] = aPix[c];
			}
		}
	}
}

void rpl_cells_raster(const rpl_cells *L, const uint16_t *aFlags, const uint32_t aPix[RPL_NCLASS], uint32_t *buf, int pitch,
                      int64_t drawn[RPL_NCLASS], int64_t (*aGroupDrawn)[RPL_NCLASS]) {
	int64_t (*aG)[RPL_NCLASS] = aGroupDrawn ? aGroupDrawn : calloc((size_t)L->nGroup + 1, sizeof *aG);
	memset(drawn, 0, RPL_NCLASS * sizeof *drawn);
	if (!aG) return;
	if (aGroupDrawn) memset(aG, 0, (size_t)L->nGroup * sizeof *aG);
	lut_init();
	if (L->bShared) raster_shared(L, aFlags, aPix, buf, pitch, aG);
	else raster_own(L, aFlags, aPix, buf, pitch, aG);
	for (int g = 0; g < L->nGroup; g++)
		for (int c = 0; c < RPL_NCLASS; c++) drawn[c] += aG[g][c];
	if (!aGroupDrawn) free(aG);
}
