/* draw (ui/replay): one frame of the replay viewer, drawn on any SDL_Renderer (the window's, or a software
 * renderer on a surface for headless PNGs): the header (drill, time, the fleet's counts), the fleet panel (every
 * car a cell, cells.h), the event panel (what happened around the playhead), the timeline (attack steps, injects,
 * shares, the facilitator, each team's actions; the playhead), the metric curves (the world's counts, the harm
 * index against the baseline's with the harm averted between them, and each team's score over time) and the help
 * overlay. With a second drill (compare), both fleets side by side on one
 * shared timeline, both curves overlaid. The fleet panel is drawn into a pixel buffer and copied without blending,
 * so that inside it only the cars carry the five state colours (labels there are kept off them).
 * Knows SDL, the model and the world's read-only views; nothing of the journal's storage. */
#ifndef RPL_DRAW_H
#define RPL_DRAW_H

#include <SDL.h>

#include "engine/err.h"
#include "ui/replay/cells.h"
#include "ui/replay/model.h"
#include "ui/replay/text.h"
#include "vehicles/world.h"

#define RPL_MAX_GROUPS 64

/* The baseline of the impact figures (the same scenario and seed with nobody acting): its harm at each metric
 * sample received so far, run in a child process (scenarios/impact.h), so that the curve fills in. */
enum { RPL_BASE_NONE, RPL_BASE_RUNNING, RPL_BASE_DONE, RPL_BASE_FAILED, RPL_BASE_TIMEOUT };
typedef struct rpl_baseline {
	int state;                   /* RPL_BASE_*: NONE when it could not be started (zNote says why) */
	size_t n;                    /* samples so far, in time order */
	const eng_time_t *aT;
	const double *aH;
	const char *zNote;           /* why there is none / why it stopped short (NULL: nothing to say) */
} rpl_baseline;

/* One drill as the frame shows it. */
typedef struct rpl_side {
	const rpl_model *m;
	const veh_world *w;          /* the world at the frame's time */
	const char *zLabel;          /* "A  drill.db" */
	int nGroup;                  /* cohorts (grouped by organisation when the drill declares them) */
	uint32_t aCount[RPL_MAX_GROUPS];
	int bFirst;                  /* aFirst given; 0: the groups are consecutive car ids from 0, in group order */
	uint32_t aFirst[RPL_MAX_GROUPS]; /* each group's first car id */
	const char *azGroup[RPL_MAX_GROUPS]; /* "Sedan-A · JP-Kanto", "A自動車 · A-Sedan · JP-Kanto" */
	const rpl_baseline *base;    /* the baseline's harm (NULL: none; only the first drill's is drawn) */
} rpl_side;

typedef struct rpl_view {
	eng_time_t t;                /* the playhead */
	eng_time_t t0, t1;           /* the timeline's visible span (zoom); t1 <= t0: the whole drill */
	unsigned long laneMask;      /* timeline lanes shown (bit per RPL_LANE_*) */
	int bCompare;                /* show the second drill */
	int bHelp;                   /* the keys overlay */
	int bPlaying;
	double speed;                /* sim seconds per wall second */
	const char *zStatus;         /* a note for the header (NULL: none) */
} rpl_view;

/* What a frame drew, for the describe line and the tests. */
typedef struct rpl_frame_info {
	SDL_Rect header, fleet, fleetB, events, timeline, curves; /* fleetB.w == 0 without a second drill */
	eng_time_t t0, t1;           /* the timeline's span */
	int64_t drawn[2][RPL_NCLASS];
	veh_metrics counts[2];       /* the worlds' counts */
	double carArea[2];           /* pixels per car */
	int nSides;
	int w, h;                    /* the frame */
	int laneH;                   /* height of a timeline lane: lane i spans timeline.y + i * laneH, laneH rows */
	int nGroup;                  /* the first drill's blocks in the fleet panel, in the order drawn: */
	struct {
		int y, h;                /* its rows in the panel (from the top of its label strip), relative to fleet.y */
		int64_t drawn[RPL_NCLASS]; /* its cars per colour */
	} aGroup[RPL_MAX_GROUPS];
	SDL_Rect harm;               /* the harm plot inside the curves (w == 0: the journal has no harm) */
	double harmMax;              /* its scale: 0 at the bottom, harmMax at the top row */
	double harmAt, baseAt;       /* the run's harm at t (its metric sample) and the baseline's (bBaseAt) */
	int bHarmAt, bBaseAt;
} rpl_frame_info;

typedef struct rpl_draw rpl_draw;

/* scale: output pixels per window point (HiDPI). NULL when out of memory. */
rpl_draw *rpl_draw_new(double scale);
void rpl_draw_free(rpl_draw *d);
/* Forgets textures made for the current renderer (before destroying it). */
void rpl_draw_flush(rpl_draw *d);
rpl_text *rpl_draw_text(rpl_draw *d);

/* Draws a frame of w x h output pixels. b may be NULL (no compare). 0, or KY_ENOMEM / KY_EINVAL (a window too
 * small for the panels) with err. */
int rpl_draw_frame(rpl_draw *d, SDL_Renderer *r, int w, int h, const rpl_side *a, const rpl_side *b, const rpl_view *v,
                   rpl_frame_info *out, ky_err *err);

/* The x of time t on a timeline rectangle showing [t0, t1]: X + round((t - t0) * (W - 1) / (t1 - t0)), the formula
 * every marker and the playhead use (docs/replay.md). And back, for the mouse. */
int rpl_draw_time_x(const SDL_Rect *tl, eng_time_t t0, eng_time_t t1, eng_time_t t);
eng_time_t rpl_draw_x_time(const SDL_Rect *tl, eng_time_t t0, eng_time_t t1, int x);
/* The lane under y in the timeline rectangle (RPL_LANE_*), or -1. */
int rpl_draw_lane_at(const rpl_draw *d, const SDL_Rect *tl, int nTeam, int y);
/* The team colour of team i. */
SDL_Color rpl_draw_team_colour(int i);

#endif
