/* draw (ui/replay): see draw.h. Colours other than the five state colours are chosen off them (and off any blend
 * of text with its background), so that counting a state colour anywhere in the fleet panel counts cars. */
#include "ui/replay/draw.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rgb {
	uint8_t r, g, b, a;
} rgb;

static const SDL_Color cBg = { 15, 17, 21, 255 }, cPanel = { 23, 26, 32, 255 }, cPanel2 = { 29, 32, 40, 255 },
                       cGrid = { 50, 55, 66, 255 }, cText = { 228, 231, 238, 255 }, cDim = { 146, 153, 166, 255 },
                       cErr = { 255, 110, 110, 255 }, cHead = { 255, 255, 255, 255 };
static const SDL_Color aLaneColour[RPL_LANE_TEAM0] = { { 255, 92, 92, 255 }, { 122, 178, 255, 255 }, { 201, 160, 255, 255 },
	                                                   { 190, 190, 190, 255 } };
static const char *const azLane[RPL_LANE_TEAM0] = { "attack", "injects", "shares", "facilitator" };
static const SDL_Color aTeamColour[] = { { 240, 228, 66, 255 }, { 0, 114, 178, 255 }, { 230, 159, 0, 255 }, { 143, 209, 79, 255 },
	                                     { 154, 123, 255, 255 }, { 46, 196, 182, 255 }, { 255, 143, 177, 255 }, { 200, 200, 200, 255 } };

SDL_Color rpl_draw_team_colour(int i) { return aTeamColour[(unsigned)i % (sizeof aTeamColour / sizeof aTeamColour[0])]; }

static SDL_Color lane_colour(int lane) {
	return lane < RPL_LANE_TEAM0 ? aLaneColour[lane] : lane == RPL_LANE_WORLD ? cDim : rpl_draw_team_colour(lane - RPL_LANE_TEAM0);
}

/* The fleet panel of one drill: its pixels, its texture, its cells. */
typedef struct fleetbuf {
	uint32_t *pix;
	int w, h;
	SDL_Texture *tex;
	SDL_Renderer *r;
	rpl_cells L;
	int bLayout, nGroupKey;
	uint32_t aCountKey[RPL_MAX_GROUPS], aFirstKey[RPL_MAX_GROUPS];
	int bFirstKey;
	int64_t aGroupDrawn[RPL_MAX_GROUPS][RPL_NCLASS];
	/* each group's header strip (label on the background, kept off the state colours), redrawn when its text changes */
	char *azStrip[RPL_MAX_GROUPS];
	uint32_t *aStrip[RPL_MAX_GROUPS];
} fleetbuf;

static void strips_free(fleetbuf *f) {
	for (int g = 0; g < RPL_MAX_GROUPS; g++) {
		free(f->azStrip[g]);
		free(f->aStrip[g]);
		f->azStrip[g] = NULL;
		f->aStrip[g] = NULL;
	}
}

struct rpl_draw {
	double scale;
	rpl_text *text;
	SDL_PixelFormat *fmt;   /* RGBA32: R, G, B, A bytes in memory */
	uint32_t aPix[RPL_NCLASS];
	fleetbuf fb[2];
	int laneH;
};

static int px(const rpl_draw *d, double v) { return (int)floor(v * d->scale + 0.5); }

rpl_draw *rpl_draw_new(double scale) {
	rpl_draw *d = calloc(1, sizeof *d);
	if (!d) return NULL;
	d->scale = scale > 0 ? scale : 1;
	d->text = rpl_text_new(d->scale);
	d->fmt = SDL_AllocFormat(SDL_PIXELFORMAT_RGBA32);
	if (!d->text || !d->fmt) {
		rpl_draw_free(d);
		return NULL;
	}
	for (int c = 0; c < RPL_NCLASS; c++) d->aPix[c] = SDL_MapRGBA(d->fmt, rpl_palette[c][0], rpl_palette[c][1], rpl_palette[c][2], 255);
	return d;
}

void rpl_draw_flush(rpl_draw *d) {
	for (int k = 0; k < 2; k++) {
		if (d->fb[k].tex) SDL_DestroyTexture(d->fb[k].tex);
		d->fb[k].tex = NULL;
		d->fb[k].r = NULL;
	}
	rpl_text_flush(d->text);
}

void rpl_draw_free(rpl_draw *d) {
	if (!d) return;
	rpl_draw_flush(d);
	for (int k = 0; k < 2; k++) {
		free(d->fb[k].pix);
		rpl_cells_free(&d->fb[k].L);
		strips_free(&d->fb[k]);
	}
	rpl_text_free(d->text);
	if (d->fmt) SDL_FreeFormat(d->fmt);
	free(d);
}

rpl_text *rpl_draw_text(rpl_draw *d) { return d->text; }

/* ---- small helpers -------------------------------------------------------------------------------------------- */

static void set_colour(SDL_Renderer *r, SDL_Color c) { SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a); }

static void fill(SDL_Renderer *r, const SDL_Rect *rc, SDL_Color c) {
	set_colour(r, c);
	SDL_RenderFillRect(r, rc);
}

static void text(rpl_draw *d, SDL_Renderer *r, int size, int x, int y, SDL_Color c, int maxW, const char *zFmt, ...)
	__attribute__((format(printf, 8, 9)));
static void text(rpl_draw *d, SDL_Renderer *r, int size, int x, int y, SDL_Color c, int maxW, const char *zFmt, ...) {
	char z[512];
	va_list ap;
	va_start(ap, zFmt);
	vsnprintf(z, sizeof z, zFmt, ap);
	va_end(ap);
	rpl_text_draw(d->text, r, size, z, x, y, c, maxW);
}

/* 1234567 -> "1,234,567" */
static const char *grouped(int64_t v, char *z, size_t n) {
	char t[32];
	int len = snprintf(t, sizeof t, "%lld", (long long)(v < 0 ? -v : v)), o = 0;
	if (v < 0 && o < (int)n - 1) z[o++] = '-';
	for (int i = 0; i < len && o < (int)n - 1; i++) {
		if (i && (len - i) % 3 == 0 && o < (int)n - 1) z[o++] = ',';
		z[o++] = t[i];
	}
	z[o] = 0;
	return z;
}

static const char *hms(eng_time_t t, char *z, size_t n) { return eng_time_format(t < 0 ? 0 : t, z, n); }

int rpl_draw_time_x(const SDL_Rect *tl, eng_time_t t0, eng_time_t t1, eng_time_t t) {
	if (t1 <= t0) return tl->x;
	return tl->x + (int)floor((double)(t - t0) * (double)(tl->w - 1) / (double)(t1 - t0) + 0.5);
}

eng_time_t rpl_draw_x_time(const SDL_Rect *tl, eng_time_t t0, eng_time_t t1, int x) {
	if (tl->w <= 1) return t0;
	double f = (double)(x - tl->x) / (double)(tl->w - 1);
	f = f < 0 ? 0 : f > 1 ? 1 : f;
	return t0 + (eng_time_t)floor(f * (double)(t1 - t0) + 0.5);
}

int rpl_draw_lane_at(const rpl_draw *d, const SDL_Rect *tl, int nTeam, int y) {
	if (d->laneH <= 0 || y < tl->y || y >= tl->y + tl->h) return -1;
	int lane = (y - tl->y) / d->laneH;
	return lane < RPL_LANE_TEAM0 + nTeam ? lane : -1;
}

/* ---- layout ------------------------------------------------------------------------------------------------- */

/* The harm plot's band at the bottom of the curves (the band of the counts and the scores' keep their sizes). */
static int harm_band_h(const rpl_draw *d, int h) { return (int)fmax(px(d, 48), h * 0.08); }

typedef struct layout {
	SDL_Rect header, fleetTitle, fleet, fleetTitleB, fleetB, events, gutter, timeline, ticks, curves;
	int harmH;     /* the harm plot's band at the bottom of the curves (0: none) */
} layout;

static int make_layout(rpl_draw *d, int w, int h, int nTeam, int bCompare, int bHarm, layout *L, ky_err *err) {
	int pad = px(d, 8), titleH = rpl_text_height(d->text, RPL_TEXT_NORMAL) + px(d, 4);
	int nLane = RPL_LANE_TEAM0 + nTeam, gutterW = px(d, 96);
	if (w < 480 || h < 320) return ky_err_set(err, KY_EINVAL, "replay: a frame of %dx%d is too small (480x320 at least)", w, h);
	memset(L, 0, sizeof *L);
	L->header = (SDL_Rect){ 0, 0, w, px(d, 40) };
	d->laneH = (int)fmin(px(d, 12), fmax(4, (h * 0.2) / nLane));
	int tlH = d->laneH * nLane, ticksH = rpl_text_height(d->text, RPL_TEXT_SMALL) + px(d, 2);
	int curvesH = (int)fmax(px(d, 96), h * 0.2), yTop = L->header.h + pad;
	/* the harm plot below the curves, when it leaves the fleet its room (a small frame goes without it) */
	L->harmH = bHarm ? harm_band_h(d, h) : 0;
	if (h - pad - curvesH - L->harmH - ticksH - tlH - pad - yTop < 100) L->harmH = 0;
	curvesH += L->harmH;
	int yBottom = h - pad - curvesH - ticksH - tlH;
	int topH = yBottom - pad - yTop;
	int fleetW = (int)((w - 3 * pad) * 0.66);
	L->events = (SDL_Rect){ pad + fleetW + pad, yTop, w - 3 * pad - fleetW, topH };
	L->gutter = (SDL_Rect){ pad, yBottom, gutterW, tlH };
	L->timeline = (SDL_Rect){ pad + gutterW, yBottom, w - 2 * pad - gutterW, tlH };
	L->ticks = (SDL_Rect){ L->timeline.x, yBottom + tlH, L->timeline.w, ticksH };
	L->curves = (SDL_Rect){ L->timeline.x, yBottom + tlH + ticksH, L->timeline.w, curvesH };
	int fw = bCompare ? (fleetW - pad) / 2 : fleetW;
	L->fleetTitle = (SDL_Rect){ pad, yTop, fw, titleH };
	L->fleet = (SDL_Rect){ pad, yTop + titleH, fw, topH - titleH };
	if (bCompare) {
		L->fleetTitleB = (SDL_Rect){ pad + fw + pad, yTop, fw, titleH };
		L->fleetB = (SDL_Rect){ pad + fw + pad, yTop + titleH, fw, topH - titleH };
	}
	if (topH < 100 || L->timeline.w < 200) return ky_err_set(err, KY_EINVAL, "replay: a frame of %dx%d leaves no room for the panels", w, h);
	return 0;
}

/* ---- the fleet panel ---------------------------------------------------------------------------------------- */

/* A pixel of a label or the background that happens to equal a state colour is moved off it (blue +-1). */
static void keep_off_palette(const rpl_draw *d, uint32_t *p, size_t n) {
	uint32_t mask = d->fmt->Rmask | d->fmt->Gmask | d->fmt->Bmask, one = 1u << d->fmt->Bshift;
	for (size_t i = 0; i < n; i++) {
		for (int c = 0; c < RPL_NCLASS; c++) {
			if ((p[i] & mask) != (d->aPix[c] & mask)) continue;
			p[i] = (p[i] & d->fmt->Bmask) ? p[i] - one : p[i] + one;
			break;
		}
	}
}

static int fleet_prepare(rpl_draw *d, fleetbuf *f, const rpl_side *s, int w, int h) {
	int bSame = f->bLayout && f->w == w && f->h == h && f->nGroupKey == s->nGroup &&
	            !memcmp(f->aCountKey, s->aCount, (size_t)s->nGroup * sizeof *s->aCount) && f->bFirstKey == s->bFirst &&
	            (!s->bFirst || !memcmp(f->aFirstKey, s->aFirst, (size_t)s->nGroup * sizeof *s->aFirst));
	if (bSame) return 0;
	rpl_cells_free(&f->L);
	strips_free(f);
	f->bLayout = 0;
	if (f->w != w || f->h != h || !f->pix) {
		free(f->pix);
		f->pix = malloc((size_t)w * (size_t)h * sizeof *f->pix);
		if (!f->pix) return KY_ENOMEM;
		if (f->tex) SDL_DestroyTexture(f->tex);
		f->tex = NULL;
		f->w = w, f->h = h;
	}
	int hdr = rpl_text_font(d->text) ? rpl_text_height(d->text, RPL_TEXT_SMALL) + px(d, 2) : 0;
	if (rpl_cells_layout(&f->L, w, h, s->aCount, s->bFirst ? s->aFirst : NULL, s->nGroup, hdr) != 0) return KY_EINVAL;
	memcpy(f->aCountKey, s->aCount, (size_t)s->nGroup * sizeof *s->aCount);
	memcpy(f->aFirstKey, s->aFirst, (size_t)s->nGroup * sizeof *s->aFirst);
	f->bFirstKey = s->bFirst;
	f->nGroupKey = s->nGroup;
	f->bLayout = 1;
	return 0;
}

/* A group's header strip: its label blended on the background, every pixel kept off the state colours; NULL when
 * out of memory. bg is the background pixel. */
static uint32_t *make_strip(rpl_draw *d, int w, int hdr, uint32_t bg, const char *z) {
	uint32_t *p = malloc((size_t)w * (size_t)hdr * sizeof *p);
	if (!p) return NULL;
	for (size_t i = 0, n = (size_t)w * (size_t)hdr; i < n; i++) p[i] = bg;
	SDL_Surface *dst = SDL_CreateRGBSurfaceWithFormatFrom(p, w, hdr, 32, w * 4, SDL_PIXELFORMAT_RGBA32);
	SDL_Surface *t = dst ? rpl_text_surface(d->text, RPL_TEXT_SMALL, z, cText, w - px(d, 4)) : NULL;
	if (t) {
		SDL_Rect at = { px(d, 2), 0, t->w, t->h };
		SDL_SetSurfaceBlendMode(t, SDL_BLENDMODE_BLEND);
		SDL_BlitSurface(t, NULL, dst, &at);
		SDL_FreeSurface(t);
	}
	SDL_FreeSurface(dst);
	keep_off_palette(d, p, (size_t)w * (size_t)hdr);
	return p;
}

/* The groups' labels in their header strips (made again only when a label's text changed). */
static void fleet_labels(rpl_draw *d, fleetbuf *f, const rpl_side *s, uint32_t bg, uint32_t *buf, int pitch) {
	if (!f->L.hdr) return;
	for (int g = 0; g < f->L.nGroup; g++) {
		const rpl_cells_group *G = &f->L.aGroup[g];
		const int64_t *n = f->aGroupDrawn[g];
		char z[300], a[5][32];
		snprintf(z, sizeof z, "%s   %s cars   %s compromised  %s offline  %s patched  %s bricked",
		         s->azGroup[g] ? s->azGroup[g] : "", grouped(G->n, a[0], 32), grouped(n[RPL_COMPROMISED], a[1], 32),
		         grouped(n[RPL_OFFLINE], a[2], 32), grouped(n[RPL_PATCHED], a[3], 32), grouped(n[RPL_BRICKED], a[4], 32));
		if (!f->aStrip[g] || strcmp(f->azStrip[g], z) != 0) {
			free(f->azStrip[g]);
			free(f->aStrip[g]);
			f->azStrip[g] = strdup(z);
			f->aStrip[g] = f->azStrip[g] ? make_strip(d, f->w, f->L.hdr, bg, z) : NULL;
			if (!f->aStrip[g]) continue;
		}
		int rows = G->y + f->L.hdr <= f->h ? f->L.hdr : f->h - G->y;
		for (int y = 0; y < rows; y++)
			memcpy(buf + (size_t)(G->y + y) * (size_t)pitch, f->aStrip[g] + (size_t)y * (size_t)f->w, (size_t)f->w * sizeof *buf);
	}
}

/* The fleet is drawn straight into the locked streaming texture (one copy less per frame), or into f->pix then
 * uploaded when the renderer cannot lock it. */
static int draw_fleet(rpl_draw *d, SDL_Renderer *r, int k, const rpl_side *s, const SDL_Rect *rc, rpl_frame_info *out) {
	fleetbuf *f = &d->fb[k];
	int rc2 = fleet_prepare(d, f, s, rc->w, rc->h);
	if (rc2) return rc2;
	if (f->r != r) f->tex = NULL; /* made for another renderer (rpl_draw_flush destroys them in time) */
	if (!f->tex) {
		f->tex = SDL_CreateTexture(r, SDL_PIXELFORMAT_RGBA32, SDL_TEXTUREACCESS_STREAMING, f->w, f->h);
		f->r = r;
		if (!f->tex) return KY_ENOMEM;
		SDL_SetTextureBlendMode(f->tex, SDL_BLENDMODE_NONE);
	}
	void *pLock = NULL;
	int pitchB = 0, bLocked = SDL_LockTexture(f->tex, NULL, &pLock, &pitchB) == 0 && pitchB % 4 == 0;
	uint32_t *buf = bLocked ? pLock : f->pix;
	int pitch = bLocked ? pitchB / 4 : f->w;
	uint32_t bg = SDL_MapRGBA(d->fmt, cPanel.r, cPanel.g, cPanel.b, 255);
	for (int y = 0; y < f->h; y++)
		for (uint32_t *p = buf + (size_t)y * (size_t)pitch, *e = p + f->w; p < e; p++) *p = bg;
	uint32_t nCars = 0;
	const uint16_t *aFlags = veh_world_flags(s->w, &nCars);
	rpl_cells_raster(&f->L, aFlags, d->aPix, buf, pitch, out->drawn[k], f->aGroupDrawn);
	fleet_labels(d, f, s, bg, buf, pitch);
	if (bLocked) SDL_UnlockTexture(f->tex);
	else SDL_UpdateTexture(f->tex, NULL, f->pix, f->w * 4);
	SDL_RenderCopy(r, f->tex, NULL, rc);
	out->carArea[k] = rpl_cells_car_area(&f->L);
	for (int g = 0; k == 0 && g < f->L.nGroup && g < RPL_MAX_GROUPS; g++) {
		out->aGroup[g].y = f->L.aGroup[g].y;
		out->aGroup[g].h = f->L.hdr + f->L.aGroup[g].rows * (f->L.cellH + f->L.gap);
		memcpy(out->aGroup[g].drawn, f->aGroupDrawn[g], sizeof out->aGroup[g].drawn);
		out->nGroup = g + 1;
	}
	return 0;
}

static void draw_fleet_title(rpl_draw *d, SDL_Renderer *r, const SDL_Rect *rc, const rpl_side *s, const rpl_frame_info *out, int k) {
	char a[32], b[32];
	fill(r, rc, cBg);
	text(d, r, RPL_TEXT_NORMAL, rc->x, rc->y + px(d, 1), cText, rc->w, "%s   %s cars, %s px per car%s", s->zLabel ? s->zLabel : "Fleet",
	     grouped(out->counts[k].total, a, sizeof a),
	     out->carArea[k] >= 1 ? grouped((int64_t)out->carArea[k], b, sizeof b) : (snprintf(b, sizeof b, "%.3g", out->carArea[k]), b),
	     rpl_text_cjk(d->text) ? "" : "   (no Japanese font: fonts-ipafont-gothic)");
}

/* ---- header --------------------------------------------------------------------------------------------------- */

static void draw_header(rpl_draw *d, SDL_Renderer *r, const SDL_Rect *rc, const rpl_side *a, const rpl_view *v,
                        const rpl_frame_info *out) {
	char z1[32], z2[32];
	fill(r, rc, cPanel2);
	int x = px(d, 8), y = px(d, 3);
	x += rpl_text_draw(d->text, r, RPL_TEXT_LARGE, a->m->zTitle, x, y, cText, rc->w / 3) + px(d, 14);
	text(d, r, RPL_TEXT_LARGE, x, y, cHead, 0, "%s / %s", hms(v->t, z1, sizeof z1), hms(a->m->duration, z2, sizeof z2));
	x += rpl_text_width(d->text, RPL_TEXT_LARGE, "00:00:00 / 00:00:00") + px(d, 10);
	text(d, r, RPL_TEXT_SMALL, x, y + px(d, 4), cDim, 0, "%s  x%g", v->bPlaying ? "playing" : "paused", v->speed);
	/* the swatches and how many cars of the first drill are drawn in each colour */
	static const int aShow[] = { RPL_CLEAN, RPL_COMPROMISED, RPL_OFFLINE, RPL_PATCHED, RPL_BRICKED };
	const int64_t *aVal = out->drawn[0];
	int x2 = px(d, 8), y2 = y + rpl_text_height(d->text, RPL_TEXT_LARGE);
	for (size_t i = 0; i < sizeof aShow / sizeof aShow[0]; i++) {
		int c = aShow[i];
		SDL_Rect sw = { x2, y2 + px(d, 3), px(d, 9), px(d, 9) };
		fill(r, &sw, (SDL_Color){ rpl_palette[c][0], rpl_palette[c][1], rpl_palette[c][2], 255 });
		char zv[32];
		x2 += px(d, 13);
		char zl[64];
		snprintf(zl, sizeof zl, "%s %s", rpl_class_name(c), grouped(aVal[c], zv, sizeof zv));
		x2 += rpl_text_draw(d->text, r, RPL_TEXT_SMALL, zl, x2, y2, cText, 0) + px(d, 12);
	}
	if (a->m->zWhatif) x2 += rpl_text_draw(d->text, r, RPL_TEXT_SMALL, a->m->zWhatif, x2, y2, cErr, rc->w / 3) + px(d, 12);
	if (v->zStatus) rpl_text_draw(d->text, r, RPL_TEXT_SMALL, v->zStatus, x2, y2, cDim, rc->w - x2 - px(d, 8));
}

/* ---- event panel ---------------------------------------------------------------------------------------------- */

/* The lines up to the playhead that fit, newest at the bottom, then the next ones dimmed. */
static void draw_events(rpl_draw *d, SDL_Renderer *r, const SDL_Rect *rc, const rpl_model *m, const rpl_view *v) {
	char z[32];
	fill(r, rc, cPanel);
	int lh = rpl_text_height(d->text, RPL_TEXT_SMALL), pad = px(d, 6);
	text(d, r, RPL_TEXT_NORMAL, rc->x + pad, rc->y + pad, cText, rc->w - 2 * pad, "What happened around %s (later lines dimmed)", hms(v->t, z, sizeof z));
	int y0 = rc->y + pad + rpl_text_height(d->text, RPL_TEXT_NORMAL) + px(d, 4);
	int nFit = (rc->y + rc->h - pad - y0) / lh, nNext = nFit / 4;
	size_t iNow = 0; /* first line after the playhead */
	while (iNow < m->nLine && m->aLine[iNow].t <= v->t) iNow++;
	size_t nPast = (size_t)(nFit - nNext), i0 = iNow > nPast ? iNow - nPast : 0;
	int y = y0;
	for (size_t i = i0; i < m->nLine && y + lh <= rc->y + rc->h - pad; i++, y += lh) {
		const rpl_line *l = &m->aLine[i];
		if (i == iNow) {
			SDL_Rect sep = { rc->x + pad, y, rc->w - 2 * pad, 1 };
			fill(r, &sep, cGrid);
		}
		SDL_Color c = l->bError ? cErr : lane_colour(l->lane);
		if (i >= iNow) c = cDim;
		text(d, r, RPL_TEXT_SMALL, rc->x + pad, y, i >= iNow ? cDim : cText, 0, "%s", hms(l->t, z, sizeof z));
		int xt = rc->x + pad + rpl_text_width(d->text, RPL_TEXT_SMALL, "00:00:00 ");
		rpl_text_draw(d->text, r, RPL_TEXT_SMALL, l->zText, xt, y, c, rc->x + rc->w - pad - xt);
	}
}

/* ---- timeline ------------------------------------------------------------------------------------------------- */

static int lane_shown(const rpl_view *v, int lane) { return lane >= 64 || ((v->laneMask >> lane) & 1); }

static void draw_markers(rpl_draw *d, SDL_Renderer *r, const SDL_Rect *tl, const rpl_model *m, const rpl_view *v, eng_time_t t0,
                         eng_time_t t1, int half) {
	int lh = d->laneH;
	for (size_t i = 0; i < m->nMark; i++) {
		const rpl_marker *k = &m->aMark[i];
		if (k->t < t0 || k->t > t1 || !lane_shown(v, k->lane) || k->lane >= RPL_LANE_TEAM0 + m->nTeam) continue;
		int x = rpl_draw_time_x(tl, t0, t1, k->t), y = tl->y + k->lane * lh + 1, hh = lh - 2;
		if (half == 1) hh = hh / 2;
		if (half == 2) y += hh / 2, hh -= hh / 2;
		SDL_Color c = k->bError ? cErr : lane_colour(k->lane);
		if (half == 2) c = (SDL_Color){ (uint8_t)(c.r / 2 + 40), (uint8_t)(c.g / 2 + 40), (uint8_t)(c.b / 2 + 40), 255 };
		SDL_Rect line = { x, y, 1, hh };
		fill(r, &line, c);
		SDL_Rect head = { x - 1, y, 3, hh > 3 ? 3 : hh };
		fill(r, &head, c);
	}
}

static void draw_timeline(rpl_draw *d, SDL_Renderer *r, const layout *L, const rpl_side *a, const rpl_side *b,
                          const rpl_view *v, eng_time_t t0, eng_time_t t1) {
	const SDL_Rect *tl = &L->timeline;
	const rpl_model *m = a->m;
	int nLane = RPL_LANE_TEAM0 + m->nTeam;
	for (int lane = 0; lane < nLane; lane++) {
		SDL_Rect row = { tl->x, tl->y + lane * d->laneH, tl->w, d->laneH };
		fill(r, &row, lane % 2 ? cPanel : cPanel2);
		SDL_Rect g = { L->gutter.x, row.y, L->gutter.w, d->laneH };
		fill(r, &g, cBg);
		SDL_Color c = lane_shown(v, lane) ? lane_colour(lane) : cGrid;
		const char *z = lane < RPL_LANE_TEAM0 ? azLane[lane] : m->azTeam[lane - RPL_LANE_TEAM0];
		if (d->laneH >= rpl_text_height(d->text, RPL_TEXT_SMALL) - 4) {
			char zl[64];
			snprintf(zl, sizeof zl, "%s%s", lane >= RPL_LANE_TEAM0 && lane - RPL_LANE_TEAM0 < 9 ? "" : "", z);
			if (lane >= RPL_LANE_TEAM0 && lane - RPL_LANE_TEAM0 < 9) snprintf(zl, sizeof zl, "%d %s", lane - RPL_LANE_TEAM0 + 1, z);
			rpl_text_draw(d->text, r, RPL_TEXT_SMALL, zl, g.x + px(d, 2), g.y + (d->laneH - rpl_text_height(d->text, RPL_TEXT_SMALL)) / 2,
			              c, g.w - px(d, 4));
		}
	}
	/* hour (or finer) ticks through the timeline and the curves */
	eng_time_t span = t1 - t0, step = ENG_S(3600);
	static const eng_time_t aStep[] = { ENG_S(60), ENG_S(300), ENG_S(600), ENG_S(1800), ENG_S(3600), ENG_S(7200), ENG_S(21600) };
	for (size_t i = 0; i < sizeof aStep / sizeof aStep[0]; i++) {
		step = aStep[i];
		if (span / step <= 10) break;
	}
	fill(r, &L->ticks, cBg);
	/* what lies after the playhead is on a lighter ground (opaque: blending a large area costs the software renderer) */
	int xNow = rpl_draw_time_x(tl, t0, t1, v->t < t0 ? t0 : v->t > t1 ? t1 : v->t);
	SDL_Rect after = { xNow + 1, L->curves.y, L->curves.x + L->curves.w - xNow - 1, L->curves.h };
	if (after.w > 0) fill(r, &after, cPanel);
	for (eng_time_t t = (t0 + step - 1) / step * step; t <= t1; t += step) {
		int x = rpl_draw_time_x(tl, t0, t1, t);
		SDL_Rect g = { x, tl->y, 1, tl->h + L->ticks.h + L->curves.h };
		fill(r, &g, cGrid);
		char z[32];
		hms(t, z, sizeof z);
		z[5] = 0; /* HH:MM */
		rpl_text_draw(d->text, r, RPL_TEXT_SMALL, z, x + px(d, 2), L->ticks.y, cDim, 0);
	}
	draw_markers(d, r, tl, m, v, t0, t1, b ? 1 : 0);
	if (b) draw_markers(d, r, tl, b->m, v, t0, t1, 2);
	/* where a what-if leaves the recorded drill */
	for (int k = 0; k < 2; k++) {
		const rpl_model *mk = k ? (b ? b->m : NULL) : m;
		if (!mk || mk->tWhatif < t0 || mk->tWhatif > t1) continue;
		int x = rpl_draw_time_x(tl, t0, t1, mk->tWhatif);
		for (int y = tl->y; y < tl->y + tl->h + L->ticks.h + L->curves.h; y += 4) {
			SDL_Rect dash = { x, y, 1, 2 };
			fill(r, &dash, cErr);
		}
		text(d, r, RPL_TEXT_SMALL, x + px(d, 3), L->curves.y + L->curves.h - rpl_text_height(d->text, RPL_TEXT_SMALL) - px(d, 2),
		     cErr, 0, "%s diverges", k ? "B" : "what-if");
	}
}

/* ---- curves ----------------------------------------------------------------------------------------------------- */

typedef struct plot {
	SDL_Rect rc;
	eng_time_t t0, t1;
	double lo, hi;
} plot;

static int plot_y(const plot *p, double v) {
	double f = p->hi > p->lo ? (v - p->lo) / (p->hi - p->lo) : 0;
	f = f < 0 ? 0 : f > 1 ? 1 : f;
	return p->rc.y + p->rc.h - 1 - (int)floor(f * (p->rc.h - 1) + 0.5);
}

/* A step curve through (t, value) points; dotted draws every other segment (the compared drill). */
static void curve(SDL_Renderer *r, const plot *p, const eng_time_t *aT, const double *aV, size_t n, size_t stride, SDL_Color c,
                  int bDotted) {
	set_colour(r, c);
	int xPrev = -1, yPrev = 0;
	for (size_t i = 0; i < n; i++) {
		eng_time_t t = *(const eng_time_t *)((const char *)aT + i * stride);
		double v = *(const double *)((const char *)aV + i * stride);
		if (t > p->t1) { /* the last value runs on to the edge */
			if (xPrev >= 0) SDL_RenderDrawLine(r, xPrev, yPrev, p->rc.x + p->rc.w - 1, yPrev);
			break;
		}
		int x = rpl_draw_time_x(&p->rc, p->t0, p->t1, t < p->t0 ? p->t0 : t), y = plot_y(p, v);
		if (xPrev >= 0 && (!bDotted || (i % 2))) {
			SDL_RenderDrawLine(r, xPrev, yPrev, x, yPrev);
			SDL_RenderDrawLine(r, x, yPrev, x, y);
		}
		xPrev = x, yPrev = y;
	}
}

/* The world's counts over time, each on its own scale (its largest value over both drills, written in the
 * gutter), so that 120 compromised cars show beside 40,000 patched ones; compared drills share the scales. */
static const struct {
	int metric;
	int cls;       /* colour; -1: text colour */
	const char *zName;
} aCurve[] = { { RPL_M_COMPROMISED, RPL_COMPROMISED, "compromised" }, { RPL_M_PATCHED, RPL_PATCHED, "patched" },
	           { RPL_M_OFFLINE, RPL_OFFLINE, "offline" }, { RPL_M_BRICKED, RPL_BRICKED, "bricked" },
	           { RPL_M_RECORDS, -1, "records" } };
#define N_CURVE ((int)(sizeof aCurve / sizeof aCurve[0]))

static SDL_Color curve_colour(int k) {
	int c = aCurve[k].cls;
	return c < 0 ? cText : (SDL_Color){ rpl_palette[c][0], rpl_palette[c][1], rpl_palette[c][2], 255 };
}

static double metric_max(const rpl_model *m, int metric) {
	double v = 0;
	for (size_t i = 0; m && i < m->nSample; i++) v = fmax(v, m->aSample[i].v[metric]);
	return v;
}

static void draw_metric_curves(SDL_Renderer *r, const plot *p, const rpl_model *m, const double *aMax, int bDotted) {
	for (int k = 0; k < N_CURVE && m->nSample; k++) {
		plot q = *p;
		q.lo = 0;
		q.hi = aMax[k] > 0 ? aMax[k] : 1;
		const rpl_sample *s = m->aSample;
		curve(r, &q, &s[0].t, &s[0].v[aCurve[k].metric], m->nSample, sizeof *s, curve_colour(k), bDotted);
	}
}

static void draw_score_curves(SDL_Renderer *r, const plot *p, const rpl_model *m, int bDotted) {
	typedef struct pt {
		eng_time_t t;
		double v;
	} pt;
	pt *a = malloc((m->nScore + 2) * sizeof *a);
	for (int team = 0; a && team < m->nTeam; team++) {
		size_t n = 0;
		a[n++] = (pt){ 0, 0 };
		for (size_t i = 0; i < m->nScore; i++)
			if (m->aScore[i].team == team) a[n++] = (pt){ m->aScore[i].t, m->aScore[i].score };
		a[n] = (pt){ m->duration, a[n - 1].v };
		n++;
		curve(r, p, &a[0].t, &a[0].v, n, sizeof *a, rpl_draw_team_colour(team), bDotted);
	}
	free(a);
}

static void draw_harm(rpl_draw *d, SDL_Renderer *r, const SDL_Rect *g, const SDL_Rect *rc, const rpl_side *a, const rpl_side *b,
                      const rpl_view *v, eng_time_t t0, eng_time_t t1, rpl_frame_info *out);

static void draw_curves(rpl_draw *d, SDL_Renderer *r, const layout *L, const rpl_side *a, const rpl_side *b, const rpl_view *v,
                        eng_time_t t0, eng_time_t t1, rpl_frame_info *out) {
	SDL_Rect rcAll = L->curves, rcH = { 0, 0, 0, 0 };
	if (L->harmH) {
		int hh = L->harmH;
		rcAll.h -= hh;
		rcH = (SDL_Rect){ rcAll.x, rcAll.y + rcAll.h + px(d, 2), rcAll.w, hh - px(d, 4) };
		SDL_Rect g = { L->gutter.x, rcH.y, L->gutter.w, rcH.h };
		draw_harm(d, r, &g, &rcH, a, b, v, t0, t1, out);
	}
	const SDL_Rect *rc = &rcAll;
	SDL_Rect top = { rc->x, rc->y + px(d, 2), rc->w, rc->h * 55 / 100 - px(d, 4) };
	SDL_Rect bot = { rc->x, rc->y + rc->h * 55 / 100 + px(d, 2), rc->w, rc->h - rc->h * 55 / 100 - px(d, 4) };
	SDL_Rect gTop = { L->gutter.x, top.y, L->gutter.w, top.h }, gBot = { L->gutter.x, bot.y, L->gutter.w, bot.h };
	fill(r, &gTop, cBg);
	fill(r, &gBot, cBg);
	double aMax[N_CURVE];
	int lh = rpl_text_height(d->text, RPL_TEXT_SMALL);
	for (int k = 0; k < N_CURVE; k++) {
		char z[64], zv[32];
		aMax[k] = fmax(metric_max(a->m, aCurve[k].metric), b ? metric_max(b->m, aCurve[k].metric) : 0);
		snprintf(z, sizeof z, "%s %s", aCurve[k].zName, grouped((int64_t)aMax[k], zv, sizeof zv));
		if ((k + 1) * lh <= gTop.h) rpl_text_draw(d->text, r, RPL_TEXT_SMALL, z, gTop.x + px(d, 2), gTop.y + k * lh, curve_colour(k), gTop.w - px(d, 4));
	}
	char zs[64];
	snprintf(zs, sizeof zs, "scores %.0f..%.0f", fmin(a->m->scoreMin, b ? b->m->scoreMin : 0), fmax(a->m->scoreMax, b ? b->m->scoreMax : 0));
	rpl_text_draw(d->text, r, RPL_TEXT_SMALL, zs, gBot.x + px(d, 2), gBot.y, cDim, gBot.w - px(d, 4));
	if (b) rpl_text_draw(d->text, r, RPL_TEXT_SMALL, "B dotted", gBot.x + px(d, 2), gBot.y + lh, cDim, gBot.w - px(d, 4));
	plot p = { top, t0, t1, 0, 1 };
	draw_metric_curves(r, &p, a->m, aMax, 0);
	if (b) draw_metric_curves(r, &p, b->m, aMax, 1);
	double lo = fmin(a->m->scoreMin, b ? b->m->scoreMin : 0), hi = fmax(a->m->scoreMax, b ? b->m->scoreMax : 0);
	plot q = { bot, t0, t1, lo, hi > lo ? hi : lo + 1 };
	draw_score_curves(r, &q, a->m, 0);
	if (b) draw_score_curves(r, &q, b->m, 1);
}

/* ---- harm -------------------------------------------------------------------------------------------------------- */

static const SDL_Color cBase = { 255, 110, 110, 255 }, cAverted = { 34, 100, 74, 255 }, cAvertedText = { 120, 220, 170, 255 };

/* The baseline's harm at t (its last sample at or before t): 1 with *pH, 0 before its first or when none. */
static int base_at(const rpl_baseline *bl, eng_time_t t, double *pH) {
	size_t lo = 0, hi = bl ? bl->n : 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (bl->aT[mid] <= t) lo = mid + 1;
		else hi = mid;
	}
	if (!lo) return 0;
	*pH = bl->aH[lo - 1];
	return 1;
}

static int harm_at(const rpl_model *m, eng_time_t t, double *pH) {
	const rpl_sample *s = m->bHarm ? rpl_model_sample_at(m, t) : NULL;
	if (s) *pH = s->v[RPL_M_HARM];
	return s != NULL;
}

/* The harm plot's scale: the largest harm of either drill, of the baseline so far and of the summary's baseline (so
 * that it does not move while the baseline fills in). */
static double harm_scale(const rpl_side *a, const rpl_side *b) {
	double hi = fmax(metric_max(a->m, RPL_M_HARM), b && b->m->bHarm ? metric_max(b->m, RPL_M_HARM) : 0);
	if (a->m->bImpact) hi = fmax(hi, a->m->impactBaseline);
	for (size_t i = 0; a->base && i < a->base->n; i++) hi = fmax(hi, a->base->aH[i]);
	return hi > 0 ? hi : 1;
}

static const char *pct(double f, char *z, size_t n) {
	snprintf(z, n, "%.0f%%", f * 100);
	return z;
}

/* The gutter's legend: the scale, the two curves, the final share averted (the summary's, else from the curves). */
static void harm_legend(rpl_draw *d, SDL_Renderer *r, const SDL_Rect *g, const rpl_side *a, double hi) {
	char z[96], zv[32], zp[16];
	int lh = rpl_text_height(d->text, RPL_TEXT_SMALL), y = g->y, x = g->x + px(d, 2), w = g->w - px(d, 4);
	const rpl_baseline *bl = a->base;
	fill(r, g, cBg);
	snprintf(z, sizeof z, "harm %s", grouped((int64_t)floor(hi + 0.5), zv, sizeof zv));
	rpl_text_draw(d->text, r, RPL_TEXT_SMALL, z, x, y, cText, w);
	if (bl && bl->n && (y += lh) + lh <= g->y + g->h) rpl_text_draw(d->text, r, RPL_TEXT_SMALL, "nobody acting", x, y, cBase, w);
	double h0 = 0, h1 = 0;
	int bFinal = a->m->bImpact;
	double f = a->m->impactAverted;
	if (!bFinal && bl && bl->state == RPL_BASE_DONE && bl->n && harm_at(a->m, a->m->duration, &h1)) {
		h0 = bl->aH[bl->n - 1];
		f = h0 > 0 ? (h0 - h1) / h0 : 0, bFinal = 1;
	}
	if (bFinal && (y += lh) + lh <= g->y + g->h) {
		snprintf(z, sizeof z, "averted %s", pct(f, zp, sizeof zp));
		rpl_text_draw(d->text, r, RPL_TEXT_SMALL, z, x, y, cAvertedText, w);
	}
}

/* The run's harm index over time and the baseline's (the same scenario and seed, nobody acting) on one scale, the
 * gap between them up to the playhead filled: the harm averted so far. */
static void draw_harm(rpl_draw *d, SDL_Renderer *r, const SDL_Rect *g, const SDL_Rect *rc, const rpl_side *a, const rpl_side *b,
                      const rpl_view *v, eng_time_t t0, eng_time_t t1, rpl_frame_info *out) {
	const rpl_baseline *bl = a->base;
	double hi = harm_scale(a, b);
	plot p = { *rc, t0, t1, 0, hi };
	harm_legend(d, r, g, a, hi);
	int xNow = rpl_draw_time_x(rc, t0, t1, v->t < t0 ? t0 : v->t > t1 ? t1 : v->t);
	for (int x = rc->x; x <= xNow && x < rc->x + rc->w; x++) {
		eng_time_t t = rpl_draw_x_time(rc, t0, t1, x);
		double h0, h1;
		if (!base_at(bl, t, &h0) || !harm_at(a->m, t, &h1) || h0 <= h1) continue;
		int y0 = plot_y(&p, h0), y1 = plot_y(&p, h1);
		SDL_Rect col = { x, y0, 1, y1 - y0 + 1 };
		fill(r, &col, cAverted);
	}
	if (bl && bl->n) curve(r, &p, bl->aT, bl->aH, bl->n, sizeof *bl->aT, cBase, 0);
	const rpl_sample *s = a->m->aSample;
	if (a->m->nSample) curve(r, &p, &s[0].t, &s[0].v[RPL_M_HARM], a->m->nSample, sizeof *s, cText, 0);
	if (b && b->m->bHarm && b->m->nSample) curve(r, &p, &b->m->aSample[0].t, &b->m->aSample[0].v[RPL_M_HARM], b->m->nSample, sizeof *s, cText, 1);
	out->harm = *rc, out->harmMax = hi;
	out->bHarmAt = harm_at(a->m, v->t, &out->harmAt);
	out->bBaseAt = base_at(bl, v->t, &out->baseAt);
	/* what the playhead reads, or why there is no baseline */
	char z[200], zv[32], zp[16], zb[32];
	if (out->bHarmAt && out->bBaseAt)
		snprintf(z, sizeof z, "harm averted so far %s (%s of nobody acting's %s)",
		         grouped((int64_t)floor(out->baseAt - out->harmAt + 0.5), zv, sizeof zv),
		         pct(out->baseAt > 0 ? (out->baseAt - out->harmAt) / out->baseAt : 0, zp, sizeof zp),
		         grouped((int64_t)floor(out->baseAt + 0.5), zb, sizeof zb));
	else if (!bl || bl->state == RPL_BASE_NONE || bl->state == RPL_BASE_FAILED || bl->state == RPL_BASE_TIMEOUT)
		snprintf(z, sizeof z, "this run's harm only: %s", bl && bl->zNote ? bl->zNote : "no baseline");
	else
		snprintf(z, sizeof z, "the baseline (nobody acting) is being computed...");
	rpl_text_draw(d->text, r, RPL_TEXT_SMALL, z, rc->x + px(d, 4), rc->y, out->bBaseAt ? cAvertedText : cDim, rc->w * 3 / 4);
}

static void draw_playhead(rpl_draw *d, SDL_Renderer *r, const layout *L, const rpl_view *v, eng_time_t t0, eng_time_t t1) {
	if (v->t < t0 || v->t > t1) return;
	int x = rpl_draw_time_x(&L->timeline, t0, t1, v->t);
	SDL_Rect line = { x, L->timeline.y, 1, L->timeline.h + L->ticks.h + L->curves.h };
	fill(r, &line, cHead);
	SDL_Rect knob = { x - px(d, 3), L->timeline.y - px(d, 4), px(d, 7), px(d, 4) };
	fill(r, &knob, cHead);
}

/* ---- help ------------------------------------------------------------------------------------------------------- */

static void draw_help(rpl_draw *d, SDL_Renderer *r, int w, int h) {
	static const char *const azKey[] = {
		"space      play / pause",          "+  -       faster / slower",
		"<-  ->     previous / next marker", "Home End   start / end of the drill",
		"1 .. 9     only that team's markers (again: all)", "0          every lane",
		"C          compare on / off",        "F          full screen",
		"wheel      zoom the timeline",       "drag       seek (timeline, curves)",
		"click      a marker: jump to it",    "?          this help",
		"Esc  Q     quit",
	};
	int n = (int)(sizeof azKey / sizeof azKey[0]), lh = rpl_text_height(d->text, RPL_TEXT_NORMAL);
	SDL_Rect box = { w / 2 - px(d, 230), h / 2 - (n * lh) / 2 - px(d, 30), px(d, 460), n * lh + px(d, 50) };
	SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
	fill(r, &box, (SDL_Color){ 10, 12, 16, 230 });
	SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
	text(d, r, RPL_TEXT_LARGE, box.x + px(d, 16), box.y + px(d, 8), cText, box.w, "Keys");
	for (int i = 0; i < n; i++)
		rpl_text_draw(d->text, r, RPL_TEXT_NORMAL, azKey[i], box.x + px(d, 16), box.y + px(d, 36) + i * lh, cText, box.w - px(d, 24));
}

/* ---- the frame ---------------------------------------------------------------------------------------------------- */

int rpl_draw_frame(rpl_draw *d, SDL_Renderer *r, int w, int h, const rpl_side *a, const rpl_side *b, const rpl_view *v,
                   rpl_frame_info *out, ky_err *err) {
	layout L;
	memset(out, 0, sizeof *out);
	if (!(v->bCompare && b)) b = NULL;
	int rc = make_layout(d, w, h, a->m->nTeam, b != NULL, a->m->bHarm, &L, err);
	if (rc) return rc;
	eng_time_t t0 = v->t1 > v->t0 ? v->t0 : 0, t1 = v->t1 > v->t0 ? v->t1 : a->m->duration;
	if (b && b->m->duration > t1 && v->t1 <= v->t0) t1 = b->m->duration;
	if (t1 <= t0) t1 = t0 + 1;
	SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
	set_colour(r, cBg);
	SDL_RenderClear(r);
	out->nSides = b ? 2 : 1;
	veh_world_metrics(a->w, &out->counts[0]);
	if (b) veh_world_metrics(b->w, &out->counts[1]);
	if ((rc = draw_fleet(d, r, 0, a, &L.fleet, out)) != 0 || (b && (rc = draw_fleet(d, r, 1, b, &L.fleetB, out)) != 0))
		return ky_err_set(err, rc, "replay: cannot lay out %s cars in a panel of %dx%d", b ? "both drills'" : "the",
		                  L.fleet.w, L.fleet.h);
	draw_fleet_title(d, r, &L.fleetTitle, a, out, 0);
	if (b) draw_fleet_title(d, r, &L.fleetTitleB, b, out, 1);
	draw_header(d, r, &L.header, a, v, out);
	draw_events(d, r, &L.events, a->m, v);
	draw_timeline(d, r, &L, a, b, v, t0, t1);
	out->w = w, out->h = h;
	draw_curves(d, r, &L, a, b, v, t0, t1, out);
	draw_playhead(d, r, &L, v, t0, t1);
	if (v->bHelp) draw_help(d, r, w, h);
	out->header = L.header, out->fleet = L.fleet, out->fleetB = b ? L.fleetB : (SDL_Rect){ 0, 0, 0, 0 };
	out->events = L.events, out->timeline = L.timeline, out->curves = L.curves;
	out->t0 = t0, out->t1 = t1;
	out->w = w, out->h = h;
	out->laneH = d->laneH;
	return 0;
}
