/* source (ui/replay): see source.h. */
#include "ui/replay/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The groups of the fleet from the world's catalog: one per cohort; past RPL_MAX_GROUPS, the rest in the last. */
static void load_groups(rpl_source *s, const veh_world *w) {
	json_t *cat = veh_world_catalog_json(w);
	size_t i;
	json_t *c;
	rpl_side *d = &s->side;
	json_array_foreach(json_object_get(cat, "cohorts"), i, c) {
		uint32_t n = (uint32_t)json_integer_value(json_object_get(c, "count"));
		if (d->nGroup == RPL_MAX_GROUPS) {
			d->aCount[d->nGroup - 1] += n;
			free(s->azGroup[d->nGroup - 1]);
			s->azGroup[d->nGroup - 1] = strdup("(and more cohorts)");
			d->azGroup[d->nGroup - 1] = s->azGroup[d->nGroup - 1];
			continue;
		}
		char z[200];
		snprintf(z, sizeof z, "%s \xC2\xB7 %s", json_string_value(json_object_get(c, "model")),
		         json_string_value(json_object_get(c, "region")));
		s->azGroup[d->nGroup] = strdup(z);
		d->azGroup[d->nGroup] = s->azGroup[d->nGroup];
		d->aCount[d->nGroup++] = n;
	}
	json_decref(cat);
}

rpl_source *rpl_source_open(const char *zPath, const char *zTag, ky_err *err) {
	rpl_source *s = calloc(1, sizeof *s);
	if (!s || !(s->zPath = strdup(zPath))) {
		free(s);
		ky_err_set(err, KY_ENOMEM, "replay: out of memory");
		return NULL;
	}
	if (!(s->seek = rpl_seek_open(zPath, err))) goto fail;
	if (rpl_model_load(&s->m, rpl_seek_journal(s->seek), err) != 0) goto fail;
	if (!s->m.duration) s->m.duration = rpl_seek_duration(s->seek);
	const char *zBase = strrchr(zPath, '/');
	snprintf(s->zLabel, sizeof s->zLabel, "%s%s%s", zTag ? zTag : "", zTag ? "  " : "", zBase ? zBase + 1 : zPath);
	s->side.m = &s->m;
	s->side.zLabel = s->zLabel;
	if (rpl_source_at(s, 0, err) != 0) goto fail;
	load_groups(s, s->side.w);
	return s;
fail:
	ky_err_prefix(err, "%s", zPath);
	rpl_source_close(s);
	return NULL;
}

void rpl_source_close(rpl_source *s) {
	if (!s) return;
	for (int i = 0; i < RPL_MAX_GROUPS; i++) free(s->azGroup[i]);
	rpl_model_free(&s->m);
	rpl_seek_close(s->seek);
	free(s->zPath);
	free(s);
}

int rpl_source_at(rpl_source *s, eng_time_t t, ky_err *err) {
	const veh_world *w = rpl_seek_world(s->seek, t, err);
	if (!w) return err && err->code ? err->code : KY_EIO;
	s->side.w = w;
	s->t = t < 0 ? 0 : t > rpl_seek_end(s->seek) ? rpl_seek_end(s->seek) : t;
	return 0;
}

eng_time_t rpl_source_end(const rpl_source *s) { return rpl_seek_end(s->seek); }
