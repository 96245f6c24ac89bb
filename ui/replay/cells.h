/* cells (ui/replay): the fleet panel's cells and pixels, CONTRACT §1. Every car takes the same area: a cell of its
 * own (square, or one pixel taller than wide when that fills the panel better) when the panel has room (a pixel or
 * more per car), else a share of a cell of CELL x CELL pixels
 * with the other cars of that cell, the cell's pixels split among its cars' states in proportion (pixels given
 * out with carried remainders, so that over the panel each colour's area stays within a pixel or two of its share).
 * Cars are drawn in car-id order within a block, one block per group (cohort: model and region, with its
 * organisation when the drill declares them), each block under a header strip for its label. A car in several states takes the first of bricked, compromised, offline, patched, clean.
 * Pure pixel code over a caller's buffer: knows the world's flag bits, nothing of SDL or the journal. */
#ifndef RPL_CELLS_H
#define RPL_CELLS_H

#include <stddef.h>
#include <stdint.h>

/* Colour classes, in the order of the describe line's "drawn" object. */
enum { RPL_CLEAN, RPL_COMPROMISED, RPL_OFFLINE, RPL_PATCHED, RPL_BRICKED, RPL_NCLASS };

#define RPL_CELL 4 /* side of a shared cell, pixels */

/* The Okabe-Ito colours of the classes (sRGB) and their names ("clean", ...). */
extern const uint8_t rpl_palette[RPL_NCLASS][3];
const char *rpl_class_name(int c);
/* The class of a car from its flags (VEH_F_* of vehicles/fleet.h). */
int rpl_class_of(uint16_t flags);

typedef struct rpl_cells_group {
	uint32_t iFirst, n;  /* car ids [iFirst, iFirst + n) */
	int y;               /* top of its header strip, in the panel */
	int rows;            /* rows of cells */
} rpl_cells_group;

typedef struct rpl_cells {
	int w, h;            /* the panel */
	int bShared;         /* 0: a cell per car; 1: cars share cells of RPL_CELL pixels */
	int cell, cellH;     /* cell width and height */
	int gap, cols;       /* gap between cells, cells per row */
	int64_t perCell;     /* cars per cell (1 when not shared) */
	int hdr;             /* header strip height (0: no room for labels) */
	int nGroup;
	rpl_cells_group *aGroup;
} rpl_cells;

/* Lays out groups of aCount[i] cars in a w x h panel with header strips of hdr pixels (given up when they leave no
 * room): group i is car ids [aFirst[i], aFirst[i] + aCount[i]) (aFirst NULL: consecutive from 0, in group order; the
 * fleet grouped by organisation may list its cohorts out of car-id order). 0, or -1 when out of memory or the panel
 * is too small to hold one pixel per cell. */
int rpl_cells_layout(rpl_cells *L, int w, int h, const uint32_t *aCount, const uint32_t *aFirst, int nGroup, int hdr);
void rpl_cells_free(rpl_cells *L);
/* Pixels of one car (a fraction when cars share cells). */
double rpl_cells_car_area(const rpl_cells *L);

/* Draws the cars (aFlags: one entry per car) into buf (the panel, row stride pitch pixels) with aPix[class] as
 * pixel values; other pixels are not touched. drawn[class] gets the number of cars of each class, and
 * aGroupDrawn[group][class] (may be NULL) the same per group. */
void rpl_cells_raster(const rpl_cells *L, const uint16_t *aFlags, const uint32_t aPix[RPL_NCLASS], uint32_t *buf,
                      int pitch, int64_t drawn[RPL_NCLASS], int64_t (*aGroupDrawn)[RPL_NCLASS]);

#endif
