/* view (ui/replay): the replay viewer's window: the frame of draw.h redrawn as the facilitator plays, seeks and
 * compares, with the keys and mouse of docs/replay.md. One thread; the world is re-run by seek.h for every frame
 * whose time changed (forward from the last one while playing). Knows SDL and the sources; prints nothing. */
#ifndef RPL_VIEW_H
#define RPL_VIEW_H

#include "engine/err.h"
#include "ui/replay/source.h"

typedef struct rpl_view_opts {
	rpl_source *a, *b;   /* b may be NULL */
	eng_time_t tStart;
	int w, h;            /* window size in points (0: 1280 x 720) */
	int bFullscreen;
	/* Scripted run (demos, tests, screenshots): keys fed one per frame, comma-separated ("space", "right", "left",
	 * "home", "end", "plus", "minus", "c", "f", "help", "0".."9", "wheelup", "wheeldown", "wait"), with a fixed
	 * 1/30 s of wall time per frame; the window closes after the last. NULL: interactive. */
	const char *zKeys;
	const char *zShot;   /* with zKeys: the last frame as PNG (NULL: none) */
	rpl_frame_info *pLast; /* the last frame drawn (may be NULL) */
	int *pbScripted;     /* set to 1 when the run was scripted: zKeys, or no screen (SDL's dummy or offscreen video
	                      * driver: one frame, then the window closes); may be NULL */
} rpl_view_opts;

/* Opens the window and runs until it is closed. 0, or an error (no display: KY_ESTATE naming SDL's reason). */
int rpl_view_run(const rpl_view_opts *o, ky_err *err);

#endif
