/* cli (ui/replay): see cli.h. Headless frames are drawn by the same code as the window, on a software renderer
 * over an RGBA32 surface (no display needed), and written as PNG. */
#include "ui/replay/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <SDL.h>
#include <jansson.h>

#include "engine/opt.h"
#include "ui/replay/draw.h"
#include "ui/replay/png.h"
#include "ui/replay/source.h"
#include "ui/replay/view.h"

enum { O_HEADLESS = KY_OPT_LONG + 60, O_COMPARE, O_AT, O_OUT, O_FRAMES, O_EVERY, O_SIZE, O_KEYS, O_FULLSCREEN };

static const ky_opt kReplayOpts[] = {
	{ "headless", O_HEADLESS, NULL, "no window: write the frame at --at to --out (or a sequence to --frames) and print\n"
	                                "its describe line (one JSON object) on stdout" },
	{ "at", O_AT, "T", "the moment shown (default: 0 in the window, the end of the drill headless)" },
	{ "out", O_OUT, "FRAME.png", "the PNG to write (8-bit RGBA); with --keys, the window's last frame" },
	{ "size", O_SIZE, "WxH", "the frame's size in pixels (default 1280x720; 480x320 to 16384x16384)" },
	{ "compare", O_COMPARE, "OTHER.db", "a second drill (e.g. a what-if) beside the first, on one timeline" },
	{ "frames", O_FRAMES, "DIR", "headless: a numbered PNG sequence DIR/frame-00001.png ... (for a video)" },
	{ "every", O_EVERY, "T", "the time between two frames of --frames (default 1m)" },
	{ "keys", O_KEYS, "KEY,...", "a scripted window: keys played one per frame, then it closes (space, right,\n"
	                             "left, home, end, plus, minus, c, f, help, 0..9, wheelup, wheeldown, wait)" },
	{ "fullscreen", O_FULLSCREEN, NULL, "open the window full screen (F toggles it)" },
	{ NULL, 0, NULL, NULL },
};
static const ky_cmd kReplay = {
	"replay", "FILE.db [OPTION]...",
	"The replay viewer on a drill's journal: the fleet (every car a cell in its state's colour), the timeline of\n"
	"attack steps, injects, shares and each team's actions, the counts and scores over time, what happened around\n"
	"the playhead; the world shown exactly as the drill had it at any moment. Keys: space, + -, <- ->, Home End,\n"
	"1..9, C, F, ? (docs/replay.md).",
	kReplayOpts,
	"Exit status: 0 done; 1 a missing, empty, damaged or newer journal, a time after the end of an interrupted\n"
	"drill's recording, an output that cannot be written, no display for the window; 2 usage.",
	1, 1,
};

typedef struct replay_args {
	const char *zDb, *zCompare, *zOut, *zFrames, *zKeys;
	int bHeadless, bFullscreen, bAt;
	int w, h;
	eng_time_t t, every;
} replay_args;

static int replay_option(const ky_opts *g, int id, replay_args *a) {
	switch (id) {
	case O_HEADLESS: a->bHeadless = 1; return 0;
	case O_FULLSCREEN: a->bFullscreen = 1; return 0;
	case O_COMPARE: a->zCompare = g->zArg; return 0;
	case O_OUT: a->zOut = g->zArg; return 0;
	case O_FRAMES: a->zFrames = g->zArg; return 0;
	case O_KEYS: a->zKeys = g->zArg; return 0;
	case O_AT: a->bAt = 1; return ky_opts_time(g, &a->t);
	case O_EVERY:
		if (ky_opts_time(g, &a->every)) return KY_EXIT_USAGE;
		return a->every > 0 ? 0 : ky_opts_usage(g, "--every: must be more than 0");
	case O_SIZE:
		if (sscanf(g->zArg, "%dx%d", &a->w, &a->h) != 2 || a->w < 480 || a->h < 320 || a->w > 16384 || a->h > 16384)
			return ky_opts_usage(g, "--size: '%s' is not WxH from 480x320 to 16384x16384", g->zArg);
		return 0;
	}
	return KY_EXIT_USAGE;
}

/* 0, or the exit code of a usage error / help. */
static int parse(int argc, char **argv, replay_args *a) {
	ky_opts g;
	int id, rc = 0;
	memset(a, 0, sizeof *a);
	a->every = ENG_S(60);
	ky_opts_init(&g, &kReplay, argc, argv);
	while (rc == 0 && (id = ky_opts_next(&g)) > 0) rc = replay_option(&g, id, a);
	if (rc) return rc;
	if (id < 0) return g.rc ? g.rc : -1; /* -1: the help was printed */
	a->zDb = g.azPos[0];
	if (a->zFrames) a->bHeadless = 1;
	if (a->bHeadless && !a->zOut && !a->zFrames) return ky_opts_usage(&g, "--headless needs --out FRAME.png or --frames DIR");
	if (!a->w) a->w = a->bHeadless ? 1280 : 0, a->h = a->bHeadless ? 720 : 0;
	return 0;
}

/* ---- headless ------------------------------------------------------------------------------------------- */

typedef struct headless {
	SDL_Surface *sf;
	SDL_Renderer *r;
	rpl_draw *d;
} headless;

static int headless_open(headless *h, int w, int hgt, ky_err *err) {
	memset(h, 0, sizeof *h);
	h->sf = SDL_CreateRGBSurfaceWithFormat(0, w, hgt, 32, SDL_PIXELFORMAT_RGBA32);
	h->r = h->sf ? SDL_CreateSoftwareRenderer(h->sf) : NULL;
	h->d = h->r ? rpl_draw_new(1.0) : NULL;
	if (!h->d) return ky_err_set(err, KY_ENOMEM, "replay: cannot make a %dx%d software renderer: %s", w, hgt, SDL_GetError());
	return 0;
}

static void headless_close(headless *h) {
	if (h->d) rpl_draw_flush(h->d);
	rpl_draw_free(h->d);
	if (h->r) SDL_DestroyRenderer(h->r);
	if (h->sf) SDL_FreeSurface(h->sf);
}

static json_t *rect_json(const SDL_Rect *r) { return json_pack("[iiii]", r->x, r->y, r->w, r->h); }

static json_t *counts_json(const veh_metrics *m) {
	return json_pack("{sIsIsIsIsI}", "total", (json_int_t)m->total, "compromised", (json_int_t)m->compromised, "patched",
	                 (json_int_t)m->patched, "offline", (json_int_t)m->offline, "bricked", (json_int_t)m->bricked);
}

static json_t *drawn_json(const int64_t *n) {
	json_t *o = json_object();
	for (int c = 0; c < RPL_NCLASS; c++) json_object_set_new(o, rpl_class_name(c), json_integer(n[c]));
	return o;
}

static const char *lane_name(const rpl_model *m, int lane) {
	static const char *const az[] = { "attack", "injects", "shares", "facilitator" };
	return lane < RPL_LANE_TEAM0 ? az[lane] : m->azTeam[lane - RPL_LANE_TEAM0];
}

/* The fleet's blocks in the order drawn: label, first car id, cars, rows of the panel (y, h from fleet.y), cars per
 * colour. */
static json_t *groups_json(const rpl_side *s, const rpl_frame_info *fi) {
	json_t *a = json_array();
	uint32_t at = 0;
	for (int g = 0; g < s->nGroup; g++) {
		uint32_t iFirst = s->bFirst ? s->aFirst[g] : at;
		json_t *o = json_pack("{sssIsI}", "label", s->azGroup[g] ? s->azGroup[g] : "", "first", (json_int_t)iFirst, "cars",
		                      (json_int_t)s->aCount[g]);
		if (g < fi->nGroup) {
			json_object_set_new(o, "rows", json_pack("[ii]", fi->aGroup[g].y, fi->aGroup[g].h));
			json_object_set_new(o, "drawn", drawn_json(fi->aGroup[g].drawn));
		}
		json_array_append_new(a, o);
		at += s->aCount[g];
	}
	return a;
}

static const char *const azBaseState[] = { "unavailable", "running", "done", "failed", "timed out" };

/* The harm plot: the run's harm and the baseline's at t, the gap (averted so far, and as a share of the baseline),
 * the summary's final share averted, the baseline's state and why it is missing. */
static json_t *harm_json(const rpl_frame_info *fi, const rpl_source *a) {
	const rpl_baseline *bl = &a->base;
	json_t *o = json_pack("{sIsfso}", "t_us", (json_int_t)a->t, "max", fi->harmMax, "harm", fi->bHarmAt ? json_real(fi->harmAt) : json_null());
	json_object_set_new(o, "baseline", fi->bBaseAt ? json_real(fi->baseAt) : json_null());
	int bGap = fi->bHarmAt && fi->bBaseAt;
	json_object_set_new(o, "averted_so_far", bGap ? json_real(fi->baseAt - fi->harmAt) : json_null());
	json_object_set_new(o, "averted_so_far_share", bGap && fi->baseAt > 0 ? json_real((fi->baseAt - fi->harmAt) / fi->baseAt) : json_null());
	json_object_set_new(o, "averted", a->m.bImpact ? json_real(a->m.impactAverted) : json_null());
	json_object_set_new(o, "baseline_state", json_string(a->side.base ? azBaseState[bl->state] : "not started"));
	json_object_set_new(o, "baseline_samples", json_integer((json_int_t)bl->n));
	if (a->side.base && bl->zNote) json_object_set_new(o, "note", json_string(bl->zNote));
	return o;
}

/* The describe line of CONTRACT §1, and what else the frame shows (markers at their x, the second drill). */
static json_t *describe(const rpl_frame_info *fi, const rpl_source *a, const rpl_source *b, int w, int h, const char *zFont) {
	json_t *panels = json_pack("{soso}", "fleet", rect_json(&fi->fleet), "header", rect_json(&fi->header));
	if (fi->nSides == 2) json_object_set_new(panels, "fleet_b", rect_json(&fi->fleetB));
	json_object_set_new(panels, "events", rect_json(&fi->events));
	json_object_set_new(panels, "timeline", rect_json(&fi->timeline));
	json_object_set_new(panels, "curves", rect_json(&fi->curves));
	if (fi->harm.w) json_object_set_new(panels, "harm", rect_json(&fi->harm));
	json_t *marks = json_array();
	for (size_t i = 0; i < a->m.nMark; i++) {
		const rpl_marker *k = &a->m.aMark[i];
		if (k->t < fi->t0 || k->t > fi->t1 || k->lane >= RPL_LANE_TEAM0 + a->m.nTeam) continue;
		json_array_append_new(marks, json_pack("{sIsisiss}", "t_us", (json_int_t)k->t, "x",
		                                       rpl_draw_time_x(&fi->timeline, fi->t0, fi->t1, k->t), "y",
		                                       fi->timeline.y + k->lane * fi->laneH + fi->laneH / 2, "lane", lane_name(&a->m, k->lane)));
	}
	json_t *o = json_pack("{sIs[ii]sososo}", "t_us", (json_int_t)a->t, "size", w, h, "panels", panels, "fleet",
	                      counts_json(&fi->counts[0]), "drawn", drawn_json(fi->drawn[0]));
	json_object_set_new(o, "car_area", json_real(fi->carArea[0]));
	json_object_set_new(o, "duration_us", json_integer(a->m.duration));
	json_object_set_new(o, "view", json_pack("[II]", (json_int_t)fi->t0, (json_int_t)fi->t1));
	json_object_set_new(o, "exact", json_string(rpl_seek_exact_log(a->seek) ? "world log" : "re-simulation"));
	json_object_set_new(o, "font", zFont ? json_string(zFont) : json_null());
	json_object_set_new(o, "markers", marks);
	json_object_set_new(o, "groups", groups_json(&a->side, fi));
	if (fi->harm.w) json_object_set_new(o, "harm", harm_json(fi, a));
	if (b && fi->nSides == 2)
		json_object_set_new(o, "compare", json_pack("{sIsosos{so}}", "t_us", (json_int_t)b->t, "fleet", counts_json(&fi->counts[1]),
		                                            "drawn", drawn_json(fi->drawn[1]), "panels", "fleet", rect_json(&fi->fleetB)));
	return o;
}

/* How long a headless frame waits for the baseline's harm (then drawn without it, and the describe line says so). */
#define BASELINE_WAIT_MS 60000

/* Seeks both drills to t and draws the frame into h's surface. */
static int frame_at(headless *h, rpl_source *a, rpl_source *b, eng_time_t t, rpl_frame_info *fi, ky_err *err) {
	int rc = rpl_source_at(a, t, err);
	if (rc == 0 && b) rc = rpl_source_at(b, t, err);
	if (rc) return rc;
	rpl_source_baseline_wait(a, BASELINE_WAIT_MS);
	rpl_view v = { .t = a->t, .laneMask = ~0ul, .bCompare = b != NULL, .speed = 60, .zStatus = NULL };
	rc = rpl_draw_frame(h->d, h->r, h->sf->w, h->sf->h, &a->side, b ? &b->side : NULL, &v, fi, err);
	SDL_RenderFlush(h->r);
	return rc;
}

static int write_png(headless *h, const char *zPath, ky_err *err) {
	return rpl_png_write(zPath, h->sf->pixels, h->sf->w, h->sf->h, h->sf->pitch, err);
}

/* The recording must reach t: an interrupted drill's journal stops before its end. */
static int check_time(const replay_args *ar, const rpl_source *a, ky_err *err) {
	char z1[32], z2[32];
	eng_time_t tEnd = rpl_source_end(a);
	if (ar->bAt && ar->t > tEnd && tEnd < a->m.duration)
		return ky_err_set(err, KY_EINVAL, "%s: --at %s is after the end of the recording (%s: the drill stopped there)",
		                  a->zPath, eng_time_format(ar->t, z1, sizeof z1), eng_time_format(tEnd, z2, sizeof z2));
	return 0;
}

static int run_one_frame(const replay_args *ar, headless *h, rpl_source *a, rpl_source *b, ky_err *err) {
	rpl_frame_info fi;
	int rc = frame_at(h, a, b, ar->bAt ? ar->t : rpl_source_end(a), &fi, err);
	if (rc == 0) rc = write_png(h, ar->zOut, err);
	if (rc) return rc;
	json_t *o = describe(&fi, a, b, h->sf->w, h->sf->h, rpl_text_font(rpl_draw_text(h->d)));
	json_dumpf(o, stdout, JSON_COMPACT);
	fputc('\n', stdout);
	json_decref(o);
	return 0;
}

static int run_frames(const replay_args *ar, headless *h, rpl_source *a, rpl_source *b, ky_err *err) {
	if (mkdir(ar->zFrames, 0777) != 0 && errno != EEXIST)
		return ky_err_set(err, KY_EIO, "replay: --frames %s: cannot create the folder: %s", ar->zFrames, strerror(errno));
	eng_time_t tEnd = rpl_source_end(a);
	int n = 0, rc = 0;
	for (eng_time_t t = 0; rc == 0; t += ar->every) {
		if (t > tEnd) t = tEnd;
		rpl_frame_info fi;
		char z[4200];
		snprintf(z, sizeof z, "%s/frame-%05d.png", ar->zFrames, ++n);
		rc = frame_at(h, a, b, t, &fi, err);
		if (rc == 0) rc = write_png(h, z, err);
		if (t == tEnd) break;
	}
	if (rc) return rc;
	json_t *o = json_pack("{sisssIs[ii]}", "frames", n, "dir", ar->zFrames, "every_us", (json_int_t)ar->every, "size", h->sf->w, h->sf->h);
	json_dumpf(o, stdout, JSON_COMPACT);
	fputc('\n', stdout);
	json_decref(o);
	return 0;
}

/* ---- the command ----------------------------------------------------------------------------------------- */

int rpl_cli_replay(int argc, char **argv) {
	replay_args ar;
	int rc = parse(argc, argv, &ar);
	if (rc) return rc < 0 ? KY_EXIT_OK : rc;
	ky_err err = { 0 };
	rpl_source *a = rpl_source_open(ar.zDb, ar.zCompare ? "A" : NULL, &err), *b = NULL;
	if (a && ar.zCompare) b = rpl_source_open(ar.zCompare, "B", &err);
	rc = !a || (ar.zCompare && !b) ? 1 : 0;
	if (rc == 0) rpl_source_baseline_start(a); /* before SDL starts any thread: it forks */
	if (rc == 0 && check_time(&ar, a, &err) != 0) rc = 1;
	if (rc == 0 && ar.bHeadless) {
		headless h;
		if (headless_open(&h, ar.w, ar.h, &err) != 0) rc = 1;
		else if ((ar.zFrames ? run_frames(&ar, &h, a, b, &err) : run_one_frame(&ar, &h, a, b, &err)) != 0) rc = 1;
		headless_close(&h);
	} else if (rc == 0) {
		rpl_frame_info fi;
		int bScripted = 0;
		rpl_view_opts vo = { a, b, ar.bAt ? ar.t : 0, ar.w, ar.h, ar.bFullscreen, ar.zKeys, ar.zOut, &fi, &bScripted };
		if (rpl_view_run(&vo, &err) != 0) rc = 1;
		if (rc == 0 && bScripted) {
			json_t *o = describe(&fi, a, b, fi.w, fi.h, NULL);
			json_dumpf(o, stdout, JSON_COMPACT);
			fputc('\n', stdout);
			json_decref(o);
		}
	}
	if (rc) fprintf(stderr, "kyodo replay: %s\n", err.zMsg);
	rpl_source_close(b);
	rpl_source_close(a);
	return rc;
}
