/* view (ui/replay): see view.h. Keys and mouse: docs/replay.md. */
#include "ui/replay/view.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>

#include "ui/replay/draw.h"
#include "ui/replay/png.h"

#define SPEED_MIN 1.0     /* sim seconds per wall second */
#define SPEED_MAX 7680.0
#define ZOOM_MIN ENG_S(60) /* the narrowest timeline span */

typedef struct viewer {
	const rpl_view_opts *o;
	SDL_Window *win;
	SDL_Renderer *r;
	rpl_draw *d;
	double scale;
	rpl_view v;
	eng_time_t tEnd, tShown;
	int bQuit, bDrag, bFull, iSolo, bVsync;
	rpl_frame_info fi;
	char zStatus[300];
	const char *zKeys;   /* the rest of the script */
} viewer;

static eng_time_t clamp_t(const viewer *x, eng_time_t t) { return t < 0 ? 0 : t > x->tEnd ? x->tEnd : t; }

static unsigned long all_lanes(void) { return ~0ul; }

/* The output pixels per window point (HiDPI), and the drawing state made for it. */
static int rescale(viewer *x, ky_err *err) {
	int wp, hp, wo, ho;
	SDL_GetWindowSize(x->win, &wp, &hp);
	SDL_GetRendererOutputSize(x->r, &wo, &ho);
	double s = wp > 0 ? (double)wo / wp : 1;
	if (x->d && fabs(s - x->scale) < 1e-6) return 0;
	if (x->d) {
		rpl_draw_flush(x->d);
		rpl_draw_free(x->d);
	}
	x->scale = s;
	if (!(x->d = rpl_draw_new(s))) return ky_err_set(err, KY_ENOMEM, "replay: out of memory");
	return 0;
}

static void jump_marker(viewer *x, int dir) {
	const rpl_model *m = &x->o->a->m;
	long i = dir > 0 ? rpl_model_marker_after(m, x->v.t, x->v.laneMask) : rpl_model_marker_before(m, x->v.t, x->v.laneMask);
	if (i >= 0) x->v.t = m->aMark[i].t;
}

/* 1..9: only that team's lane among the teams (again: all); 0: every lane. */
static void solo(viewer *x, int k) {
	int nTeam = x->o->a->m.nTeam;
	if (k == 0 || k > nTeam || x->iSolo == k) {
		x->iSolo = 0;
		x->v.laneMask = all_lanes();
		return;
	}
	x->iSolo = k;
	x->v.laneMask = ((1ul << RPL_LANE_TEAM0) - 1) | (1ul << (RPL_LANE_TEAM0 + k - 1));
}

static void zoom(viewer *x, int mouseX, double factor) {
	eng_time_t t0 = x->fi.t0, t1 = x->fi.t1;
	eng_time_t at = mouseX >= x->fi.timeline.x ? rpl_draw_x_time(&x->fi.timeline, t0, t1, mouseX) : x->v.t;
	double span = (double)(t1 - t0) * factor;
	if (span < ZOOM_MIN) span = ZOOM_MIN;
	if (span >= (double)x->o->a->m.duration) {
		x->v.t0 = x->v.t1 = 0; /* the whole drill */
		return;
	}
	double f = t1 > t0 ? (double)(at - t0) / (double)(t1 - t0) : 0.5;
	eng_time_t n0 = at - (eng_time_t)(f * span), n1 = n0 + (eng_time_t)span;
	if (n0 < 0) n1 -= n0, n0 = 0;
	if (n1 > x->o->a->m.duration) n0 -= n1 - x->o->a->m.duration, n1 = x->o->a->m.duration;
	x->v.t0 = n0 < 0 ? 0 : n0;
	x->v.t1 = n1;
}

static void on_key(viewer *x, const SDL_KeyboardEvent *k) {
	SDL_Keycode c = k->keysym.sym;
	if (c == SDLK_ESCAPE || c == SDLK_q) x->bQuit = 1;
	else if (c == SDLK_SPACE) x->v.bPlaying = !x->v.bPlaying;
	else if (c == SDLK_PLUS || c == SDLK_EQUALS || c == SDLK_KP_PLUS) x->v.speed = fmin(SPEED_MAX, x->v.speed * 2);
	else if (c == SDLK_MINUS || c == SDLK_KP_MINUS) x->v.speed = fmax(SPEED_MIN, x->v.speed / 2);
	else if (c == SDLK_RIGHT) jump_marker(x, 1);
	else if (c == SDLK_LEFT) jump_marker(x, -1);
	else if (c == SDLK_HOME) x->v.t = 0;
	else if (c == SDLK_END) x->v.t = x->tEnd;
	else if (c == SDLK_c) x->v.bCompare = !x->v.bCompare;
	else if (c == SDLK_f) {
		x->bFull = !x->bFull;
		SDL_SetWindowFullscreen(x->win, x->bFull ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
	} else if (c == SDLK_QUESTION || (c == SDLK_SLASH && (k->keysym.mod & KMOD_SHIFT)) || c == SDLK_h) x->v.bHelp = !x->v.bHelp;
	else if (c >= SDLK_0 && c <= SDLK_9) solo(x, c - SDLK_0);
	x->v.t = clamp_t(x, x->v.t);
}

/* A click on the timeline: on a marker (within 4 points, in its lane) jumps to it; elsewhere seeks and starts a drag. */
static void on_click(viewer *x, int mx, int my) {
	const SDL_Rect *tl = &x->fi.timeline;
	int bCurves = my >= x->fi.curves.y && my < x->fi.curves.y + x->fi.curves.h;
	if (mx < tl->x || mx >= tl->x + tl->w || !(bCurves || (my >= tl->y - 6 && my < tl->y + tl->h))) return;
	const rpl_model *m = &x->o->a->m;
	int lane = rpl_draw_lane_at(x->d, tl, m->nTeam, my), best = -1, dBest = (int)(4 * x->scale) + 1;
	for (size_t i = 0; lane >= 0 && i < m->nMark; i++) {
		if (m->aMark[i].lane != lane || !((x->v.laneMask >> lane) & 1)) continue;
		int dx = abs(rpl_draw_time_x(tl, x->fi.t0, x->fi.t1, m->aMark[i].t) - mx);
		if (dx < dBest) dBest = dx, best = (int)i;
	}
	if (best >= 0) {
		x->v.t = m->aMark[best].t;
		return;
	}
	x->bDrag = 1;
	x->v.t = clamp_t(x, rpl_draw_x_time(tl, x->fi.t0, x->fi.t1, mx));
}

static void handle(viewer *x, const SDL_Event *e, ky_err *err) {
	int mx, my;
	switch (e->type) {
	case SDL_QUIT: x->bQuit = 1; break;
	case SDL_KEYDOWN: on_key(x, &e->key); break;
	case SDL_MOUSEBUTTONDOWN:
		if (e->button.button == SDL_BUTTON_LEFT) on_click(x, (int)(e->button.x * x->scale), (int)(e->button.y * x->scale));
		break;
	case SDL_MOUSEBUTTONUP: x->bDrag = 0; break;
	case SDL_MOUSEMOTION:
		if (x->bDrag) x->v.t = clamp_t(x, rpl_draw_x_time(&x->fi.timeline, x->fi.t0, x->fi.t1, (int)(e->motion.x * x->scale)));
		break;
	case SDL_MOUSEWHEEL:
		SDL_GetMouseState(&mx, &my);
		zoom(x, (int)(mx * x->scale), e->wheel.y > 0 ? 0.8 : 1.25);
		break;
	case SDL_WINDOWEVENT:
		if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED) rescale(x, err);
		break;
	}
}

/* Seeks both drills when the time moved, and draws. */
static int frame(viewer *x, ky_err *err) {
	rpl_source_poll(x->o->a); /* the baseline's harm curve fills in as its child sends it */
	if (x->v.t != x->tShown || !x->o->a->side.w) {
		int rc = rpl_source_at(x->o->a, x->v.t, err);
		if (rc == 0 && x->o->b) rc = rpl_source_at(x->o->b, x->v.t, err);
		if (rc) return rc;
		x->tShown = x->v.t;
	}
	int w, h;
	SDL_GetRendererOutputSize(x->r, &w, &h);
	snprintf(x->zStatus, sizeof x->zStatus, "%s%s   ? keys", x->o->b ? (x->v.bCompare ? "compare on (C)" : "compare off (C)") : "",
	         rpl_seek_exact_log(x->o->a->seek) ? "" : "   re-simulating (older journal)");
	x->v.zStatus = x->zStatus;
	ky_err e = { 0 };
	if (rpl_draw_frame(x->d, x->r, w, h, &x->o->a->side, x->o->b ? &x->o->b->side : NULL, &x->v, &x->fi, &e) != 0) {
		SDL_SetRenderDrawColor(x->r, 15, 17, 21, 255);
		SDL_RenderClear(x->r);
	}
	SDL_RenderPresent(x->r);
	return 0;
}

/* The next key of the script, as if pressed; 0 when the script is over. */
static int script_step(viewer *x) {
	static const struct {
		const char *z;
		SDL_Keycode k;
	} aKey[] = { { "space", SDLK_SPACE }, { "right", SDLK_RIGHT }, { "left", SDLK_LEFT }, { "home", SDLK_HOME }, { "end", SDLK_END },
		         { "plus", SDLK_PLUS }, { "minus", SDLK_MINUS }, { "c", SDLK_c }, { "f", SDLK_f }, { "help", SDLK_h } };
	if (!x->zKeys || !*x->zKeys) return 0;
	const char *e = strchr(x->zKeys, ',');
	size_t n = e ? (size_t)(e - x->zKeys) : strlen(x->zKeys);
	char z[32];
	snprintf(z, sizeof z, "%.*s", (int)(n < 31 ? n : 31), x->zKeys);
	x->zKeys = e ? e + 1 : x->zKeys + n;
	SDL_KeyboardEvent k = { .type = SDL_KEYDOWN };
	if (!strcmp(z, "wheelup") || !strcmp(z, "wheeldown")) {
		zoom(x, x->fi.timeline.x + x->fi.timeline.w / 2, z[5] == 'u' ? 0.5 : 2);
		return 1;
	}
	if (z[0] >= '0' && z[0] <= '9' && !z[1]) k.keysym.sym = SDLK_0 + (z[0] - '0');
	for (size_t i = 0; i < sizeof aKey / sizeof aKey[0]; i++)
		if (!strcmp(z, aKey[i].z)) k.keysym.sym = aKey[i].k;
	if (k.keysym.sym) on_key(x, &k);
	return 1;
}

/* The frame on screen, as PNG. */
static int screenshot(viewer *x, const char *zPath, ky_err *err) {
	int w, h;
	SDL_GetRendererOutputSize(x->r, &w, &h);
	uint8_t *p = malloc((size_t)w * (size_t)h * 4);
	if (!p) return ky_err_set(err, KY_ENOMEM, "replay: out of memory");
	int rc = SDL_RenderReadPixels(x->r, NULL, SDL_PIXELFORMAT_RGBA32, p, w * 4);
	rc = rc == 0 ? rpl_png_write(zPath, p, w, h, w * 4, err) : ky_err_set(err, KY_EIO, "replay: cannot read the frame: %s", SDL_GetError());
	free(p);
	return rc;
}

static int open_window(viewer *x, ky_err *err) {
	if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0)
		return ky_err_set(err, KY_ESTATE, "replay: no display (%s); use --headless --out FRAME.png", SDL_GetError());
	char zTitle[300];
	snprintf(zTitle, sizeof zTitle, "kyodo replay - %s", x->o->a->m.zTitle);
	Uint32 fl = SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI | (x->o->bFullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
	x->win = SDL_CreateWindow(zTitle, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, x->o->w > 0 ? x->o->w : 1280,
	                          x->o->h > 0 ? x->o->h : 720, fl);
	if (!x->win) return ky_err_set(err, KY_ESTATE, "replay: cannot open a window: %s", SDL_GetError());
	x->r = SDL_CreateRenderer(x->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
	if (!x->r) x->r = SDL_CreateRenderer(x->win, -1, SDL_RENDERER_SOFTWARE);
	if (!x->r) return ky_err_set(err, KY_ESTATE, "replay: cannot make a renderer: %s", SDL_GetError());
	SDL_SetWindowMinimumSize(x->win, 480, 320);
	SDL_RendererInfo ri;
	x->bVsync = SDL_GetRendererInfo(x->r, &ri) == 0 && (ri.flags & SDL_RENDERER_PRESENTVSYNC);
	x->bFull = x->o->bFullscreen;
	return rescale(x, err);
}

int rpl_view_run(const rpl_view_opts *o, ky_err *err) {
	viewer x;
	memset(&x, 0, sizeof x);
	x.o = o;
	x.zKeys = o->zKeys;
	x.tEnd = rpl_source_end(o->a);
	x.v = (rpl_view){ .t = o->tStart, .laneMask = all_lanes(), .bCompare = o->b != NULL, .speed = 60 };
	x.v.t = clamp_t(&x, x.v.t);
	x.tShown = -1;
	int rc = open_window(&x, err);
	/* no screen to look at (SDL's dummy or offscreen driver, as in the tests): one frame, then close */
	const char *zDrv = SDL_GetCurrentVideoDriver();
	if (!x.zKeys && zDrv && (!strcmp(zDrv, "dummy") || !strcmp(zDrv, "offscreen"))) x.zKeys = "";
	/* one pass through the drill at open keeps checkpoints: then any seek is a few milliseconds (a big fleet
	 * relies on the journal's snapshots instead); a scripted run seeks little and skips it */
	uint32_t nCars = 0;
	veh_world_flags(o->a->side.w, &nCars);
	if (rc == 0 && nCars <= 2000000 && !x.zKeys) {
		SDL_SetRenderDrawColor(x.r, 15, 17, 21, 255);
		SDL_RenderClear(x.r);
		SDL_RenderPresent(x.r);
		rc = rpl_seek_prewarm(o->a->seek, err);
		if (rc == 0 && o->b) rc = rpl_seek_prewarm(o->b->seek, err);
	}
	if (x.zKeys) rpl_source_baseline_wait(o->a, 60000); /* a scripted window (demos, tests) shows it whole */
	Uint64 tPrev = SDL_GetPerformanceCounter();
	while (rc == 0 && !x.bQuit) {
		SDL_Event e;
		while (SDL_PollEvent(&e)) handle(&x, &e, err);
		Uint64 tNow = SDL_GetPerformanceCounter();
		double dt = x.zKeys ? 1.0 / 30 : (double)(tNow - tPrev) / (double)SDL_GetPerformanceFrequency();
		tPrev = tNow;
		if (x.v.bPlaying) {
			x.v.t = clamp_t(&x, x.v.t + (eng_time_t)(dt * x.v.speed * ENG_US_PER_S));
			if (x.v.t >= x.tEnd) x.v.bPlaying = 0;
		}
		rc = frame(&x, err);
		if (x.zKeys && !script_step(&x)) break;
		if (!x.bVsync && !x.zKeys) SDL_Delay(15);
	}
	if (rc == 0 && x.zKeys && o->zShot) rc = screenshot(&x, o->zShot, err);
	if (o->pLast) *o->pLast = x.fi;
	if (o->pbScripted) *o->pbScripted = x.zKeys != NULL;
	if (x.d) rpl_draw_flush(x.d);
	rpl_draw_free(x.d);
	if (x.r) SDL_DestroyRenderer(x.r);
	if (x.win) SDL_DestroyWindow(x.win);
	SDL_QuitSubSystem(SDL_INIT_VIDEO);
	return rc;
}
