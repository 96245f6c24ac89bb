/* source (ui/replay): see source.h. */
#include "ui/replay/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scenarios/impact.h"
#include "scenarios/resume.h"

/* One group per cohort; past RPL_MAX_GROUPS, the rest in the last ("(and more cohorts)", consecutive car ids). */
static void add_group(rpl_source *s, const char *zLabel, uint32_t iFirst, uint32_t n) {
	rpl_side *d = &s->side;
	if (d->nGroup == RPL_MAX_GROUPS) {
		d->aCount[d->nGroup - 1] += n;
		free(s->azGroup[d->nGroup - 1]);
		s->azGroup[d->nGroup - 1] = strdup("(and more cohorts)");
		d->azGroup[d->nGroup - 1] = s->azGroup[d->nGroup - 1];
		return;
	}
	s->azGroup[d->nGroup] = strdup(zLabel);
	d->azGroup[d->nGroup] = s->azGroup[d->nGroup];
	d->aFirst[d->nGroup] = iFirst;
	d->aCount[d->nGroup++] = n;
}

static void cohort_label(json_t *c, const char *zOrg, char *z, size_t n) {
	snprintf(z, n, "%s%s%s \xC2\xB7 %s", zOrg ? zOrg : "", zOrg ? " \xC2\xB7 " : "", json_string_value(json_object_get(c, "model")),
	         json_string_value(json_object_get(c, "region")));
}

/* The groups of the fleet from the world's catalog: the cohorts in car-id order (their cars are consecutive ids,
 * in the catalog's order). With orgs declared: each org's cohorts together, orgs in the order declared, labelled
 * "ORG NAME · model · region"; when there are more cohorts than groups, car-id order (merged into the last). */
static void load_groups(rpl_source *s, const veh_world *w) {
	json_t *cat = veh_world_catalog_json(w), *orgs = veh_world_orgs_json(w), *coh = json_object_get(cat, "cohorts");
	size_t i, k, nCoh = json_array_size(coh);
	json_t *c, *o;
	uint32_t *aFirst = calloc(nCoh + 1, sizeof *aFirst), at = 0;
	char z[300];
	json_array_foreach(coh, i, c) {
		aFirst[i] = at;
		at += (uint32_t)json_integer_value(json_object_get(c, "count"));
	}
	int bByOrg = json_array_size(orgs) > 0 && nCoh <= RPL_MAX_GROUPS && aFirst;
	json_array_foreach(bByOrg ? orgs : NULL, k, o) {
		const char *zId = json_string_value(json_object_get(o, "id")), *zName = json_string_value(json_object_get(o, "name"));
		json_array_foreach(coh, i, c) {
			if (!zId || strcmp(zId, json_string_value(json_object_get(c, "org")) ? json_string_value(json_object_get(c, "org")) : "")) continue;
			cohort_label(c, zName ? zName : zId, z, sizeof z);
			add_group(s, z, aFirst[i], (uint32_t)json_integer_value(json_object_get(c, "count")));
		}
	}
	if (bByOrg && (size_t)s->side.nGroup != nCoh) { /* a cohort of no declared org: car-id order then */
		for (int g = 0; g < s->side.nGroup; g++) free(s->azGroup[g]), s->azGroup[g] = NULL;
		s->side.nGroup = 0;
		bByOrg = 0;
	}
	s->side.bFirst = bByOrg;
	json_array_foreach(bByOrg ? NULL : coh, i, c) {
		const char *zOrg = json_string_value(json_object_get(c, "org"));
		const char *zName = NULL;
		json_array_foreach(orgs, k, o)
			if (zOrg && !strcmp(zOrg, json_string_value(json_object_get(o, "id")))) zName = json_string_value(json_object_get(o, "name"));
		cohort_label(c, zName, z, sizeof z);
		add_group(s, z, aFirst ? aFirst[i] : 0, (uint32_t)json_integer_value(json_object_get(c, "count")));
	}
	free(aFirst);
	json_decref(orgs);
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

/* ---- the baseline ------------------------------------------------------------------------------------------- */

static void base_note(rpl_source *s, int state, const char *zFmt, const char *zArg) __attribute__((format(printf, 3, 0)));
static void base_note(rpl_source *s, int state, const char *zFmt, const char *zArg) {
	s->base.state = state;
	snprintf(s->zBaseNote, sizeof s->zBaseNote, zFmt, zArg ? zArg : "");
	s->base.zNote = s->zBaseNote;
}

static void temp_drop(rpl_source *s) {
	if (!s->temp) return;
	scn_temp_scenario_remove(s->temp);
	free(s->temp);
	s->temp = NULL;
}

void rpl_source_baseline_start(rpl_source *s) {
	ky_err err = { 0 };
	s->side.base = &s->base;
	if (!s->m.bHarm) return base_note(s, RPL_BASE_NONE, "the journal has no harm index (an older kyodo)%s", NULL);
	if (!(s->temp = calloc(1, sizeof *s->temp))) return base_note(s, RPL_BASE_NONE, "out of memory%s", NULL);
	if (scn_temp_scenario_write(rpl_seek_journal(s->seek), s->temp, &err) != 0) {
		free(s->temp);
		s->temp = NULL;
		return base_note(s, RPL_BASE_NONE, "the scenario cannot be rebuilt from the journal: %s", err.zMsg);
	}
	if (!(s->live = scn_impact_live_start(s->temp->zPath, s->m.seed, &err))) {
		temp_drop(s);
		return base_note(s, RPL_BASE_NONE, "the baseline cannot be started: %s", err.zMsg);
	}
	s->base.state = RPL_BASE_RUNNING;
}

void rpl_source_poll(rpl_source *s) {
	if (!s->live || s->base.state != RPL_BASE_RUNNING) return;
	scn_impact_live_poll(s->live);
	size_t n = scn_impact_live_baseline_count(s->live);
	if (n > s->nBaseAlloc) {
		size_t nNew = n * 2;
		eng_time_t *aT = realloc(s->aBaseT, nNew * sizeof *aT);
		if (aT) s->aBaseT = aT;
		double *aH = aT ? realloc(s->aBaseH, nNew * sizeof *aH) : NULL;
		if (aH) s->aBaseH = aH;
		if (!aT || !aH) return;
		s->nBaseAlloc = nNew;
	}
	for (size_t i = s->base.n; i < n; i++) scn_impact_live_baseline_sample(s->live, i, &s->aBaseT[i], &s->aBaseH[i]);
	s->base.n = n, s->base.aT = s->aBaseT, s->base.aH = s->aBaseH;
	if (n || scn_impact_live_baseline_ended(s->live)) temp_drop(s); /* the drill has opened its files */
	if (!scn_impact_live_baseline_ended(s->live)) return;
	if (n && s->aBaseT[n - 1] >= s->m.duration) s->base.state = RPL_BASE_DONE;
	else {
		char z[32];
		base_note(s, RPL_BASE_FAILED, "the scenario cannot be rebuilt (a file it loads missing?): the baseline stopped at %s",
		          eng_time_format(n ? s->aBaseT[n - 1] : 0, z, sizeof z));
	}
}

void rpl_source_baseline_wait(rpl_source *s, int timeoutMs) {
	for (int waited = 0; s->base.state == RPL_BASE_RUNNING; waited += 20) {
		rpl_source_poll(s);
		if (s->base.state != RPL_BASE_RUNNING) break;
		if (waited >= timeoutMs) {
			char z[32];
			snprintf(z, sizeof z, "%d", timeoutMs / 1000);
			base_note(s, RPL_BASE_TIMEOUT, "the baseline did not finish within %s s", z);
			scn_impact_live_free(s->live);
			s->live = NULL;
			temp_drop(s);
			break;
		}
		struct timespec ts = { 0, 20 * 1000000L };
		nanosleep(&ts, NULL);
	}
}

void rpl_source_close(rpl_source *s) {
	if (!s) return;
	scn_impact_live_free(s->live);
	temp_drop(s);
	free(s->aBaseT);
	free(s->aBaseH);
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
