/* source (ui/replay): one recorded drill opened for viewing: the exact world at any moment (seek.h), what the
 * panels show besides (model.h), the fleet's groups (cohorts: model and region, in car-id order; with orgs declared,
 * the cohorts of each organisation together, in the order the orgs were declared, labelled with its name) and the
 * baseline's harm (the same drill with nobody acting, run in a child process), together as the rpl_side a frame
 * draws. Reads the journal and the world; nothing of pixels. */
#ifndef RPL_SOURCE_H
#define RPL_SOURCE_H

#include "engine/err.h"
#include "ui/replay/draw.h"
#include "ui/replay/model.h"
#include "ui/replay/seek.h"

typedef struct rpl_source {
	char *zPath;
	rpl_seek *seek;
	rpl_model m;
	rpl_side side;              /* side.w: the world of the last rpl_source_at */
	eng_time_t t;               /* its time */
	char zLabel[300];
	char *azGroup[RPL_MAX_GROUPS];
	/* the baseline of the impact figures (rpl_source_baseline_start), drawn under the run's harm */
	struct scn_impact_live *live;
	struct scn_temp_scenario *temp;  /* the rebuilt scenario, removed once the baseline has opened it */
	rpl_baseline base;
	eng_time_t *aBaseT;
	double *aBaseH;
	size_t nBaseAlloc;
	char zBaseNote[700];
} rpl_source;

/* Opens zPath read-only (zTag: "A", "B" or NULL, shown before the file's name). NULL with err naming the file:
 * KY_ENOENT missing or empty, KY_EVERSION newer kyodo, KY_EIO/KY_EPARSE not a journal or damaged, KY_EINVAL no
 * drill recorded in it. */
rpl_source *rpl_source_open(const char *zPath, const char *zTag, ky_err *err);
void rpl_source_close(rpl_source *s);
/* The world at t (clamped to the recording) into s->side.w. 0 or the seek's error. */
int rpl_source_at(rpl_source *s, eng_time_t t, ky_err *err);
/* Starts the baseline of the impact figures (the recorded scenario rebuilt from the journal, its seed, no team
 * actions: scenarios/impact.h) in a child process; its harm at each metric sample comes in through
 * rpl_source_poll. When the journal has no harm, or the scenario cannot be rebuilt, side.base says why (state
 * RPL_BASE_NONE) and the frame draws the run's harm only. Call it before SDL starts threads (it forks). */
void rpl_source_baseline_start(rpl_source *s);
/* Takes in what the baseline has sent so far; never blocks. */
void rpl_source_poll(rpl_source *s);
/* Waits up to timeoutMs for the baseline to finish (headless frames); then RPL_BASE_TIMEOUT, and it is stopped. */
void rpl_source_baseline_wait(rpl_source *s, int timeoutMs);
/* Up to when the journal shows the drill (its end, or where the recording stopped). */
eng_time_t rpl_source_end(const rpl_source *s);

#endif
