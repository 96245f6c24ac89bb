/* source (ui/replay): one recorded drill opened for viewing: the exact world at any moment (seek.h), what the
 * panels show besides (model.h) and the fleet's groups (cohorts: model and region, in car-id order), together as
 * the rpl_side a frame draws. Reads the journal and the world; nothing of pixels. */
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
} rpl_source;

/* Opens zPath read-only (zTag: "A", "B" or NULL, shown before the file's name). NULL with err naming the file:
 * KY_ENOENT missing or empty, KY_EVERSION newer kyodo, KY_EIO/KY_EPARSE not a journal or damaged, KY_EINVAL no
 * drill recorded in it. */
rpl_source *rpl_source_open(const char *zPath, const char *zTag, ky_err *err);
void rpl_source_close(rpl_source *s);
/* The world at t (clamped to the recording) into s->side.w. 0 or the seek's error. */
int rpl_source_at(rpl_source *s, eng_time_t t, ky_err *err);
/* Up to when the journal shows the drill (its end, or where the recording stopped). */
eng_time_t rpl_source_end(const rpl_source *s);

#endif
