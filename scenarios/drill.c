/* drill: see drill.h; the design notes are in drillInt.h. */
#include "scenarios/drillInt.h"

#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sha256.h"
#include "vehicles/action.h"

#define SCENARIO_MAX_BYTES (4 << 20)


int scn_drill__team_known(const scn_drill *d, const char *zTeam) {
	return zTeam && json_object_get(d->backlog, zTeam) != NULL;
}

static void free_action_rec(scn_action_rec *r);

/* --- observers -------------------------------------------------------------------------------------- */

void scn_drill__event(scn_drill *d, const char *zKind, const char *zSubject, json_t *detail) {
	eng_time_t t = eng_sim_now(d->sim);
	for (int i = 0; i < d->nObs; i++) {
		if (d->aObs[i].on_event) d->aObs[i].on_event(d->aObs[i].ctx, t, zKind, zSubject ? zSubject : "", detail);
	}
}

void scn_drill_note(scn_drill *d, const char *zKind, json_t *detail) {
	if (!zKind || strncmp(zKind, "facilitator.", 12)) return; /* not a way to forge the simulation's facts */
	scn_drill__event(d, zKind, "facilitator", detail);
}

void scn_drill__script_error(scn_drill *d, const ky_err *err, const char *zWhat) {
	size_t nPos;
	const char *zRest;
	char zPos[300];
	const char *zMsg = err->zMsg;
	if (scn_script_split_pos(zMsg, &nPos, &zRest) == 0 && nPos < sizeof zPos) {
		memcpy(zPos, zMsg, nPos);
		zPos[nPos] = 0;
		zMsg = zRest;
	} else {
		snprintf(zPos, sizeof zPos, "%s:0", d->zPath);
	}
	d->nScenarioErrors++;
	json_t *det = json_pack("{s:s,s:s,s:s}", "message", zMsg, "in", zWhat, "code", ky_err_name(err->code));
	if (!det) det = json_pack("{s:s}", "message", "(message is not valid UTF-8)");
	scn_drill__event(d, "scenario.error", zPos, det);
	json_decref(det);
}

static void fact_sink(void *ctx, eng_time_t t, const char *zKind, const char *zSubject, json_t *detail) {
	scn_drill *d = ctx;
	for (int i = 0; i < d->nObs; i++) {
		if (d->aObs[i].on_event) d->aObs[i].on_event(d->aObs[i].ctx, t, zKind, zSubject ? zSubject : "", detail);
	}
}

static void emit_score(scn_drill *d, const char *zTeam) {
	json_t *m = eng_score_team_json(d->score, zTeam);
	if (!m) return;
	json_object_set_new(m, "type", json_string("score"));
	json_object_set_new(m, "team", json_string(zTeam));
	json_object_set_new(m, "t_us", json_integer(eng_sim_now(d->sim)));
	json_object_set_new(m, "joint", json_real(round(eng_score_joint(d->score) * 100) / 100));
	for (int i = 0; i < d->nObs; i++) {
		if (d->aObs[i].on_score) d->aObs[i].on_score(d->aObs[i].ctx, zTeam, m);
	}
	json_decref(m);
}

static void emit_all_scores(scn_drill *d) {
	size_t i;
	json_t *t;
	json_array_foreach(d->teams, i, t) emit_score(d, json_string_value(json_object_get(t, "id")));
}

/* The fleet sample: the world's truth, and under "team_view" what the teams see (CONTRACT §4: what their org
 * observes, or with visibility "truth" the truth itself). */
static json_t *fleet_msg(scn_drill *d) {
	json_t *m = veh_world_metrics_json(d->world);
	if (!m) m = json_object();
	json_t *view = d->bTruthVisible ? json_deep_copy(m) : veh_world_observed_json(d->world);
	if (view && d->bTruthVisible) json_object_set_new(view, "observed", json_false());
	if (view) json_object_set_new(m, "team_view", view);
	json_t *orgs = json_object_get(m, "orgs");
	if (orgs) {  /* with orgs: each org's own view (CONTRACT §4: a team sees its own org's cars only) */
		json_t *views = json_object();
		const char *zOrg;
		json_t *v;
		json_object_foreach(orgs, zOrg, v) {
			if (json_integer_value(json_object_get(v, "total")) == 0) continue;  /* no cars, nothing to see (server/drill.c) */
			json_t *ov = d->bTruthVisible ? json_deep_copy(v) : veh_world_org_observed_json(d->world, zOrg);
			if (ov && d->bTruthVisible) json_object_set_new(ov, "observed", json_false());
			if (ov) json_object_set_new(ov, "org", json_string(zOrg));
			json_object_set_new(views, zOrg, ov);
		}
		json_object_set_new(m, "team_views", views);
	}
	json_object_set_new(m, "type", json_string("fleet"));
	json_object_set_new(m, "t_us", json_integer(eng_sim_now(d->sim)));
	return m;
}

static void emit_fleet(scn_drill *d) {
	json_t *m = fleet_msg(d);
	eng_score_set_metrics(d->score, m);
	for (int i = 0; i < d->nObs; i++) {
		if (d->aObs[i].on_fleet) d->aObs[i].on_fleet(d->aObs[i].ctx, m);
	}
	json_decref(m);
}

void scn_drill__message(scn_drill *d, json_t *msg) {
	const char *zTo = json_string_value(json_object_get(msg, "to"));
	const char *zFrom = json_string_value(json_object_get(msg, "from"));
	json_t *pRecipients = json_object_get(msg, "recipients");  /* a share between orgs (share.c) names them */
	size_t i;
	json_t *t;
	json_array_foreach(d->teams, i, t) {
		const char *zTeam = json_string_value(json_object_get(t, "id"));
		int bFor = 0;
		size_t k;
		json_t *v;
		if (zFrom && !strcmp(zFrom, zTeam)) continue;
		if (pRecipients) {
			json_array_foreach(pRecipients, k, v) bFor |= !strcmp(json_string_value(v), zTeam);
			if (!bFor) continue;
		} else if (zTo && strcmp(zTo, "all") != 0 && strcmp(zTo, zTeam) != 0) {
			continue;
		}
		json_array_append(json_object_get(d->backlog, zTeam), msg);
	}
	for (int k = 0; k < d->nObs; k++) {
		if (d->aObs[k].on_message) d->aObs[k].on_message(d->aObs[k].ctx, msg);
	}
	json_decref(msg);
}

/* --- callbacks -------------------------------------------------------------------------------------- */

static int grow(void **pa, int64_t n, void *pnAlloc, size_t sz, int bInt64) {
	int64_t nAlloc = bInt64 ? *(int64_t *)pnAlloc : *(int *)pnAlloc;
	if (n < nAlloc) return 0;
	int64_t nNew = nAlloc ? nAlloc * 2 : 16;
	void *p = realloc(*pa, (size_t)nNew * sz);
	if (!p) return KY_ENOMEM;
	*pa = p;
	if (bInt64) *(int64_t *)pnAlloc = nNew;
	else *(int *)pnAlloc = (int)nNew;
	return 0;
}

int scn_drill__add_inject(scn_drill *d, scn_inject_def *inj, ky_err *err) {
	if (d->nInj >= SCN_MAX_INJECTS) return ky_err_set(err, KY_ELIMIT, "more than %d injects", SCN_MAX_INJECTS);
	if (grow((void **)&d->aInj, d->nInj, &d->nInjAlloc, sizeof *d->aInj, 0)) {
		return ky_err_set(err, KY_ENOMEM, "out of memory");
	}
	int i = d->nInj++;
	d->aInj[i] = *inj;
	memset(inj, 0, sizeof *inj);
	if (!d->bLoading) {
		scn_inject_def *p = &d->aInj[i];
		if (p->at < 0 || p->at <= eng_sim_now(d->sim)) return scn_drill__send_inject(d, i);
		return eng_sim_schedule(d->sim, p->at, d->kInject, (uint32_t)i, 0, NULL);
	}
	return 0;
}

int scn_drill__add_callback(scn_drill *d, const scn_callback *cb, ky_err *err) {
	if (d->nCb >= SCN_MAX_CALLBACKS) return ky_err_set(err, KY_ELIMIT, "more than %d callbacks", SCN_MAX_CALLBACKS);
	if (grow((void **)&d->aCb, d->nCb, &d->nCbAlloc, sizeof *d->aCb, 0)) {
		return ky_err_set(err, KY_ENOMEM, "out of memory");
	}
	int i = d->nCb++;
	d->aCb[i] = *cb;
	if (!d->bLoading && (cb->type == SCN_TIMER_AT || cb->type == SCN_TIMER_EVERY) && cb->t <= d->duration) {
		int rc = eng_sim_schedule(d->sim, cb->t, d->kTimer, (uint32_t)i, 0, NULL);
		if (rc) return ky_err_set(err, rc, "cannot schedule at %lld us", (long long)cb->t);
	}
	return 0;
}

static void cb_name(const scn_drill *d, const scn_callback *cb, char *z, size_t n) {
	static const char *const azType[] = { "at", "every", "when", "on" };
	snprintf(z, n, "%s (%s:%d)", azType[cb->type], d->zBase, cb->line);
}

static void on_timer(eng_sim *sim, void *ctx, const eng_event *ev) {
	scn_drill *d = ctx;
	(void)sim;
	if (ev->a >= (uint32_t)d->nCb) return;
	scn_callback *cb = &d->aCb[ev->a];
	if (cb->bDone) return;
	char zWhat[200];
	cb_name(d, cb, zWhat, sizeof zWhat);
	cb->fires++;
	int r = d->ops->call_timer(d, cb->fnRef, zWhat);
	cb = &d->aCb[ev->a];  /* the callback may have added callbacks (realloc) */
	if (r < 0 && ++cb->nErrors >= SCN_MAX_CB_ERRORS) {
		char zPos[300];
		snprintf(zPos, sizeof zPos, "%s:%d", d->zPath, cb->line);
		json_t *det = json_pack("{s:s,s:i}", "message", "every: stopped after repeated errors", "errors", cb->nErrors);
		scn_drill__event(d, "scenario.stopped", zPos, det);
		json_decref(det);
	} else if (r < 0) {
		r = 1;  /* an `every` goes on after an error (reported), up to SCN_MAX_CB_ERRORS */
	}
	if (cb->type == SCN_TIMER_EVERY && r == 1) {
		eng_time_t next = eng_sim_now(d->sim) + cb->period;
		if (next <= cb->stop && next <= d->duration) eng_sim_schedule(d->sim, next, d->kTimer, ev->a, 0, NULL);
		else cb->bDone = 1;
	} else {
		cb->bDone = 1;  /* an `every` that returned false or failed stops */
	}
}

static void run_whens(scn_drill *d) {
	for (int i = 0; i < d->nCb; i++) {
		if (d->aCb[i].type != SCN_TIMER_WHEN || d->aCb[i].bDone) continue;
		eng_time_t now = eng_sim_now(d->sim);
		if (d->aCb[i].t >= 0 && now - d->aCb[i].t < d->aCb[i].period) continue;
		d->aCb[i].t = now;
		char zWhat[200];
		cb_name(d, &d->aCb[i], zWhat, sizeof zWhat);
		int r = d->ops->test(d, d->aCb[i].condRef, zWhat);
		if (r < 0) {
			d->aCb[i].bDone = 1;  /* a failing condition is reported once, then dropped */
			continue;
		}
		if (!r) continue;
		d->aCb[i].bDone = 1;
		d->aCb[i].fires++;
		d->ops->call_timer(d, d->aCb[i].fnRef, zWhat);
	}
}

/* Calls the on(zEvent) handlers with arg; the fields of the tables they return are merged into pRet (may be NULL:
 * dropped), later handlers winning. */
static void run_ons(scn_drill *d, const char *zEvent, json_t *arg, json_t *pRet) {
	for (int i = 0; i < d->nCb; i++) {
		if (d->aCb[i].type != SCN_TIMER_ON || strcmp(d->aCb[i].zEvent, zEvent) != 0) continue;
		char zWhat[200];
		cb_name(d, &d->aCb[i], zWhat, sizeof zWhat);
		d->aCb[i].fires++;
		json_t *r = d->ops->call_on(d, d->aCb[i].fnRef, arg, zWhat);
		if (pRet && json_is_object(r)) json_object_update(pRet, r);
		json_decref(r);
	}
}

int scn_drill__send_inject(scn_drill *d, int iInj) {
	scn_inject_def *inj = &d->aInj[iInj];
	if (inj->bSent) return 0;
	inj->bSent = 1;
	eng_time_t now = eng_sim_now(d->sim);
	json_t *m = json_deep_copy(inj->msg);
	json_object_set_new(m, "t_us", json_integer(now));
	size_t i;
	json_t *t;
	json_array_foreach(inj->to, i, t) {
		const char *zTeam = json_string_value(t);
		json_array_append(json_object_get(d->backlog, zTeam), m);
		for (int k = 0; k < d->nObs; k++) {
			if (d->aObs[k].on_inject) d->aObs[k].on_inject(d->aObs[k].ctx, zTeam, m);
		}
	}
	d->nInjectsSent++;
	if (eng_score_open(d->score, inj->zId, now) > 0) emit_all_scores(d);  /* the teams see their windows open */
	json_t *arg = json_pack("{s:s,s:O,s:f}", "id", inj->zId, "to", inj->to, "t", (double)now / ENG_US_PER_S);
	json_decref(m);
	run_ons(d, "inject", arg, NULL);
	json_decref(arg);
	return 0;
}

static void on_inject_ev(eng_sim *sim, void *ctx, const eng_event *ev) {
	(void)sim;
	scn_drill *d = ctx;
	if (ev->a < (uint32_t)d->nInj) scn_drill__send_inject(d, (int)ev->a);
}

/* Closes the expectation windows that ended by now (every open one when bAll): one "score.change" event per team
 * that missed something, detail {"effects":[{"type":"missed","expectation":..,"inject":..,"possible":P},...]},
 * followed by that team's score when bScores. */
static void expire_windows(scn_drill *d, eng_time_t now, int bAll, int bScores) {
	json_t *effects = NULL, *t, *e;
	size_t i, k;
	if (eng_score_expire(d->score, now, bAll, &effects) > 0) {
		json_array_foreach(d->teams, i, t) {
			const char *zTeam = json_string_value(json_object_get(t, "id"));
			json_t *mine = json_array();
			json_array_foreach(effects, k, e) {
				if (!strcmp(json_string_value(json_object_get(e, "team")), zTeam)) json_array_append(mine, e);
			}
			if (json_array_size(mine) > 0) {
				json_t *det = json_pack("{s:O}", "effects", mine);
				scn_drill__event(d, "score.change", zTeam, det);
				json_decref(det);
				if (bScores) emit_score(d, zTeam);
			}
			json_decref(mine);
		}
	}
	json_decref(effects);
}

static void on_sample(eng_sim *sim, void *ctx, const eng_event *ev) {
	scn_drill *d = ctx;
	(void)ev;
	eng_time_t now = eng_sim_now(sim);
	expire_windows(d, now, 0, 1);
	run_whens(d);
	emit_fleet(d);
	if (now + SCN_DRILL_SAMPLE_US <= d->duration) eng_sim_after(sim, SCN_DRILL_SAMPLE_US, d->kSample, 0, 0, NULL);
}

static void on_snapshot_ev(eng_sim *sim, void *ctx, const eng_event *ev) {
	scn_drill *d = ctx;
	(void)ev;
	eng_time_t now = eng_sim_now(sim);
	for (int i = 0; i < d->nObs; i++) {
		if (d->aObs[i].on_snapshot) d->aObs[i].on_snapshot(d->aObs[i].ctx, now);
	}
	if (now + SCN_DRILL_SNAPSHOT_US <= d->duration) eng_sim_after(sim, SCN_DRILL_SNAPSHOT_US, d->kSnapshot, 0, 0, NULL);
}

/* --- open / free ------------------------------------------------------------------------------------ */

static int read_file(const char *zPath, char **pz, size_t *pn, ky_err *err) {
	FILE *f = fopen(zPath, "rb");
	if (!f) return ky_err_set(err, KY_ENOENT, "%s: cannot open the scenario file", zPath);
	char *buf = malloc(SCENARIO_MAX_BYTES + 1);
	size_t n = buf ? fread(buf, 1, SCENARIO_MAX_BYTES + 1, f) : 0;
	int bErr = ferror(f);
	fclose(f);
	if (!buf) return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zPath);
	if (bErr || n > SCENARIO_MAX_BYTES) {
		free(buf);
		return ky_err_set(err, KY_EIO, "%s: %s", zPath, bErr ? "read failed" : "larger than 4 MiB");
	}
	buf[n] = 0;
	*pz = buf;
	*pn = n;
	return 0;
}

static int schedule_all(scn_drill *d, ky_err *err) {
	int rc = 0;
	for (int i = 0; i < d->nInj && !rc; i++) rc = eng_sim_schedule(d->sim, d->aInj[i].at, d->kInject, (uint32_t)i, 0, NULL);
	for (int i = 0; i < d->nCb && !rc; i++) {
		scn_callback *cb = &d->aCb[i];
		if ((cb->type == SCN_TIMER_AT || (cb->type == SCN_TIMER_EVERY && cb->t <= cb->stop)) && cb->t <= d->duration) {
			rc = eng_sim_schedule(d->sim, cb->t, d->kTimer, (uint32_t)i, 0, NULL);
		}
	}
	if (!rc) rc = eng_sim_schedule(d->sim, 0, d->kSample, 0, 0, NULL);
	if (!rc) rc = eng_sim_schedule(d->sim, SCN_DRILL_SNAPSHOT_US <= d->duration ? SCN_DRILL_SNAPSHOT_US : d->duration,
	                               d->kSnapshot, 0, 0, NULL);
	if (rc) return ky_err_set(err, rc, "%s: cannot schedule the scenario's events", d->zPath);
	return 0;
}

/* One load of the file with a known seed: sandbox, world, declarations, validation, scheduling. */
static scn_drill *open_pass(const char *zPath, uint64_t seed, const scn_observer *pObs, int bCheckOnly, ky_err *err) {
	scn_drill *d = calloc(1, sizeof *d);
	if (!d) {
		ky_err_set(err, KY_ENOMEM, "%s: out of memory", zPath);
		return NULL;
	}
	d->zPath = strdup(zPath);
	char *zTmp1 = strdup(zPath), *zTmp2 = strdup(zPath);
	if (zTmp1 && zTmp2) {
		d->zDir = strdup(dirname(zTmp1));
		d->zBase = strdup(basename(zTmp2));
	}
	free(zTmp1);
	free(zTmp2);
	d->teams = json_array();
	d->backlog = json_object();
	d->inputs = json_array();
	d->shares = json_array();
	d->techniques = json_array();
	d->files = json_object();
	d->parties = json_array();
	d->partyNames = json_object();
	d->dashboardDefs = json_array();
	d->penaltyDefs = json_array();
	d->outcomeDefs = json_array();
	d->scenarioSeed = 1;
	d->seed = seed;
	d->bCheckOnly = bCheckOnly;
	if (!d->zPath || !d->zDir || !d->zBase || !d->teams || !d->backlog || !d->inputs || !d->shares || !d->techniques ||
	    !d->files ||
	    !d->parties || !d->penaltyDefs || !d->outcomeDefs || !d->partyNames || !d->dashboardDefs) {
		ky_err_set(err, KY_ENOMEM, "%s: out of memory", zPath);
		goto fail;
	}
	if (read_file(zPath, &d->zSource, &d->nSource, err)) goto fail;
	eng_sha256_hex(d->zSource, d->nSource, d->zSha);
	d->sim = eng_sim_new(seed);
	d->score = eng_score_new();
	if (!d->sim || !d->score) {
		ky_err_set(err, KY_ENOMEM, "%s: out of memory", zPath);
		goto fail;
	}
	if (pObs && scn_drill_add_observer(d, pObs)) goto fail;
	d->world = veh_world_new(d->sim, err);
	if (!d->world) goto fail;
	veh_world_set_fact_sink(d->world, fact_sink, d);
	if (eng_sim_register(d->sim, "scn.inject", on_inject_ev, d, &d->kInject) ||
	    eng_sim_register(d->sim, "scn.timer", on_timer, d, &d->kTimer) ||
	    eng_sim_register(d->sim, "scn.sample", on_sample, d, &d->kSample) ||
	    eng_sim_register(d->sim, "scn.snapshot", on_snapshot_ev, d, &d->kSnapshot)) {
		ky_err_set(err, KY_ELIMIT, "%s: cannot register the drill's event kinds", zPath);
		goto fail;
	}
	if (scn_script_open(d, err)) goto fail;
	if (scn_drill__build_schemas(d, err) || scn_script_validate(d, err)) goto fail;
	if (bCheckOnly) return d;
	if (veh_world_start(d->world, err)) {
		ky_err_prefix(err, "%s", zPath);
		goto fail;
	}
	if (schedule_all(d, err)) goto fail;
	d->bStarted = 1;
	return d;
fail:
	scn_drill_free(d);
	return NULL;
}

scn_drill *scn_drill_open(const char *zPath, const scn_drill_opts *opts, ky_err *err) {
	const scn_observer *pObs = opts ? opts->pObs : NULL;
	int bCheck = opts && opts->bCheckOnly;
	if (opts && opts->bSeed) return open_pass(zPath, opts->seed, pObs, bCheck, err);
	/* The scenario declares its own seed, but the sim (and every random stream) needs it before the file runs:
	 * a first pass reads it without observers, the second builds the drill with it. Loading is pure, so both
	 * passes declare the same things. */
	scn_drill *d = open_pass(zPath, 1, bCheck ? pObs : NULL, 1, err);
	if (!d) return NULL;
	uint64_t seed = d->scenarioSeed;
	if (bCheck) {  /* nothing is drawn before the world starts: one pass is enough for checking */
		d->seed = seed;
		return d;
	}
	scn_drill_free(d);
	return open_pass(zPath, seed, pObs, bCheck, err);
}

void scn_drill_free(scn_drill *d) {
	if (!d) return;
	scn_script_close(d);  /* first: Lua may hold nothing of ours, but close it before the world */
	veh_world_free(d->world);
	eng_sim_free(d->sim);
	eng_score_free(d->score);
	for (int i = 0; i < d->nInj; i++) scn_script_free_inject(&d->aInj[i]);
	scn_script_free_inject(&d->injScratch);
	for (int64_t i = 0; i < d->nAct; i++) free_action_rec(&d->aAct[i]);
	free(d->aInj);
	free(d->aCb);
	free(d->aAct);
	json_decref(d->teams);
	json_decref(d->backlog);
	json_decref(d->inputs);
	json_decref(d->shares);
	json_decref(d->techniques);
	json_decref(d->files);
	json_decref(d->malware);
	json_decref(d->tools);
	json_decref(d->actSchemas);
	json_decref(d->parties);
	json_decref(d->partyNames);
	json_decref(d->dashboard);
	json_decref(d->dashboardDefs);
	json_decref(d->penaltyDefs);
	json_decref(d->outcomeDefs);
	free(d->zPath); free(d->zDir); free(d->zBase); free(d->zSource);
	free(d->zId); free(d->zTitle); free(d->zDesc);
	free(d);
}

int scn_drill_add_observer(scn_drill *d, const scn_observer *obs) {
	if (!obs) return KY_EINVAL;
	if (d->nObs >= SCN_MAX_OBS) return KY_ELIMIT;
	d->aObs[d->nObs++] = *obs;
	return 0;
}

void scn_drill_detach_observers(scn_drill *d) {
	d->nObs = 0;
	veh_world_set_tap(d->world, NULL);  /* the journal's tap on the world's inputs (record.c) too */
}

json_t *scn_drill_inputs_json(const scn_drill *d) { return json_deep_copy(d->inputs); }
const char *scn_drill_path(const scn_drill *d) { return d->zPath; }
uint64_t scn_drill_seed(const scn_drill *d) { return d->seed; }

/* --- running ---------------------------------------------------------------------------------------- */

eng_time_t scn_drill_duration(const scn_drill *d) { return d->duration; }
eng_time_t scn_drill_now(const scn_drill *d) { return eng_sim_now(d->sim); }
veh_world *scn_drill_world(scn_drill *d) { return d->world; }
eng_sim *scn_drill_sim(scn_drill *d) { return d->sim; }

int scn_drill_advance_to(scn_drill *d, eng_time_t t, ky_err *err) {
	if (!d->bStarted) return ky_err_set(err, KY_ESTATE, "%s: the drill was opened for checking only", d->zPath);
	if (t > d->duration) t = d->duration;
	if (t < eng_sim_now(d->sim)) {
		char z1[32], z2[32];
		return ky_err_set(err, KY_EPAST, "advance to %s: the drill is already at %s", eng_time_format(t, z1, sizeof z1),
		                  eng_time_format(eng_sim_now(d->sim), z2, sizeof z2));
	}
	for (;;) {
		int64_t n = eng_sim_run_until(d->sim, t);
		if (n < 0) return ky_err_set(err, (int)n, "%s: the engine stopped: %s", d->zPath, ky_err_name((int)n));
		if (!eng_sim_paused(d->sim) || eng_sim_now(d->sim) >= t) break;
	}
	if (t >= d->duration && !d->bEnded) {
		d->bEnded = 1;
		emit_fleet(d);
		expire_windows(d, d->duration, 1, 0);
		emit_all_scores(d);
		scn_drill__event(d, "drill.end", d->zId, NULL);
	}
	return 0;
}

static int one_of(const char *z, const char *const *az) {
	for (int i = 0; az[i]; i++) {
		if (!strcmp(z, az[i])) return 1;
	}
	return 0;
}

/* --- actions: stage, then apply ------------------------------------------------------------------------ */

int scn_drill__build_schemas(scn_drill *d, ky_err *err) {
	json_t *ids = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(d->teams, i, t) json_array_append(ids, json_object_get(t, "id"));
	json_t *ctx = json_pack("{s:o,s:O}", "teams", ids, "parties", d->parties);
	json_decref(d->actSchemas);
	d->actSchemas = ctx ? veh_action_schemas(d->world, ctx) : NULL;
	json_decref(ctx);
	return d->actSchemas ? 0 : ky_err_set(err, KY_ENOMEM, "%s: out of memory", d->zPath);
}

json_t *scn_drill_action_schemas(const scn_drill *d) { return json_deep_copy(d->actSchemas); }

static scn_action_rec *find_client_id(scn_drill *d, const char *zTeam, const char *zClientId) {
	for (int64_t i = 0; zClientId && i < d->nAct; i++) {
		scn_action_rec *r = &d->aAct[i];
		if (r->zClientId && !strcmp(r->zClientId, zClientId) && !strcmp(r->zTeam, zTeam)) return r;
	}
	return NULL;
}

static void free_action_rec(scn_action_rec *r) {
	free(r->zTeam);
	free(r->zClientId);
	free(r->zKind);
	free(r->zInject);
	json_decref(r->pArgs);
	memset(r, 0, sizeof *r);
}

/* Appends a staged record (steals args). */
static int remember_action(scn_drill *d, int64_t seq, const scn_action_in *in, json_t *args) {
	if (grow((void **)&d->aAct, d->nAct, &d->nActAlloc, sizeof *d->aAct, 1)) return KY_ENOMEM;
	scn_action_rec *r = &d->aAct[d->nAct];
	memset(r, 0, sizeof *r);
	r->seq = seq;
	r->t = eng_sim_now(d->sim);
	r->zTeam = strdup(in->zTeam);
	r->zClientId = in->zClientId ? strdup(in->zClientId) : NULL;
	r->zKind = strdup(in->zKind);
	r->zInject = in->zInject ? strdup(in->zInject) : NULL;
	r->pArgs = args;
	if (!r->zTeam || !r->zKind || (in->zClientId && !r->zClientId) || (in->zInject && !r->zInject)) {
		free_action_rec(r);
		return KY_ENOMEM;
	}
	d->nAct++;
	return 0;
}

int scn_drill_action_stage(scn_drill *d, const scn_action_in *in, scn_action_out *pOut, ky_err *err) {
	scn_action_out out = { 0, 0, 0 };
	if (pOut) *pOut = out;
	if (!d->bStarted) return ky_err_set(err, KY_ESTATE, "action: the drill is not running");
	if (!scn_drill__team_known(d, in->zTeam)) return ky_err_set(err, KY_ENOENT, "action: unknown team '%s'", in->zTeam ? in->zTeam : "");
	scn_action_rec *pFirst = find_client_id(d, in->zTeam, in->zClientId);
	if (pFirst) {
		out = (scn_action_out){ pFirst->seq, pFirst->t, 1 };
		if (pOut) *pOut = out;
		return 0;
	}
	json_t *a = in->pArgs ? json_incref(in->pArgs) : json_object();
	int rc = veh_action_check(d->actSchemas, in->zKind, a, err);
	int64_t seq = d->nAct + 1;
	eng_time_t now = eng_sim_now(d->sim);
	for (int i = 0; rc == 0 && i < d->nObs; i++) {
		if (!d->aObs[i].on_action) continue;
		ky_err e2 = { 0 };
		int orc = d->aObs[i].on_action(d->aObs[i].ctx, seq, in->zTeam, in->zClientId, now, in->zKind, a, NULL, &e2);
		if (orc) rc = ky_err_set(err, orc < 0 ? orc : KY_EIO, "action not recorded: %s", e2.zMsg[0] ? e2.zMsg : "observer refused it");
	}
	if (rc == 0 && remember_action(d, seq, in, a)) return ky_err_set(err, KY_ENOMEM, "action: out of memory");
	if (rc) {
		json_decref(a);
		return rc;
	}
	out = (scn_action_out){ seq, now, 0 };
	if (pOut) *pOut = out;
	return 0;
}

void scn_drill_action_unstage(scn_drill *d) {
	while (d->nAct > d->nApplied) free_action_rec(&d->aAct[--d->nAct]);
}

/* Scores an applied action and tells the observers what changed. */
static void score_action(scn_drill *d, const scn_action_rec *r, json_t *result) {
	json_t *effects = NULL;
	expire_windows(d, r->t, 0, 1);  /* a window that closed at this very time is missed first, and said so */
	if (eng_score_action_result(d->score, r->seq, r->zTeam, r->t, r->zKind, r->pArgs, result, &effects, NULL) > 0) {
		json_t *sd = json_pack("{s:I,s:o}", "seq", (json_int_t)r->seq, "effects", effects);
		scn_drill__event(d, "score.change", r->zTeam, sd);
		json_decref(sd);
		emit_score(d, r->zTeam);
	} else {
		json_decref(effects);
	}
}

int scn_drill_action_apply(scn_drill *d, int64_t seq, ky_err *err) {
	if (d->nApplied >= d->nAct || d->aAct[d->nApplied].seq != seq)
		return ky_err_set(err, KY_ESTATE, "action: seq %lld is not the next staged action", (long long)seq);
	scn_action_rec *r = &d->aAct[d->nApplied];
	if (r->t != eng_sim_now(d->sim))
		return ky_err_set(err, KY_ESTATE, "action: seq %lld was staged at another sim time", (long long)seq);
	d->nApplied++;
	json_t *in = json_pack("{s:I,s:s,s:s,s:O}", "t_us", (json_int_t)r->t, "team", r->zTeam, "kind", r->zKind, "args", r->pArgs);
	if (in && r->zClientId) json_object_set_new(in, "id", json_string(r->zClientId));
	if (in && r->zInject) json_object_set_new(in, "inject", json_string(r->zInject));
	if (in) json_array_append_new(d->inputs, in);
	json_t *result = NULL;
	ky_err we = { 0 };
	int wrc = 0;
	if (!strcmp(r->zKind, "share")) wrc = scn_drill__share(d, r, &result, &we);
	else wrc = veh_world_action_as(d->world, r->zTeam, scn_drill__team_org(d, r->zTeam), r->zKind, r->pArgs, &result, &we);
	if (!wrc && !strcmp(r->zKind, "notify")) scn_drill__notify(d, r);  /* to an organisation: its teams receive it */
	json_t *det = json_pack("{s:I,s:s,s:s,s:O,s:I}", "seq", (json_int_t)seq, "team", r->zTeam, "kind", r->zKind, "args",
	                        r->pArgs, "t_us", (json_int_t)r->t);
	if (r->zClientId) json_object_set_new(det, "id", json_string(r->zClientId));
	if (r->zInject) json_object_set_new(det, "inject", json_string(r->zInject));
	if (wrc) {
		json_object_set_new(det, "error", json_string(we.zMsg));
		d->nRefused++;
	} else {
		/* on("action") handlers see the world's result and may add to what the team observes (their returned table) */
		json_t *arg = json_deep_copy(det), *extra = json_object();
		if (result) json_object_set(arg, "result", result);
		json_object_set_new(arg, "t", json_real((double)r->t / ENG_US_PER_S));
		run_ons(d, "action", arg, extra);
		json_decref(arg);
		r = &d->aAct[seq - 1];  /* a handler's nested calls may have moved the array */
		if (json_object_size(extra)) {
			if (!result) result = json_object();
			json_object_update(result, extra);
		}
		json_decref(extra);
	}
	if (result) json_object_set_new(det, "result", result);
	scn_drill__event(d, wrc ? "action.error" : "action.result", r->zTeam, det);
	if (!wrc) score_action(d, r, result);
	json_decref(det);  /* the record keeps kind, args and inject: the counterfactual runs replay them (impact.h) */
	if (wrc) return ky_err_set(err, wrc, "%s", we.zMsg);
	return 0;
}

int scn_drill_action(scn_drill *d, const char *team, const char *zClientId, const char *kind, json_t *args,
                     const char *zInject, int64_t *pSeq, ky_err *err) {
	scn_action_in in = { team, zClientId, kind, zInject, args };
	scn_action_out out;
	if (pSeq) *pSeq = 0;
	int rc = scn_drill_action_stage(d, &in, &out, err);
	if (rc == 0 && pSeq) *pSeq = out.seq;
	if (rc || out.bRepeat) return rc;
	return scn_drill_action_apply(d, out.seq, err);
}

int scn_drill_inject(scn_drill *d, json_t *msg, ky_err *err) {
	static const char *const azSev[] = { "info", "low", "medium", "high", "critical", NULL };
	if (!d->bStarted) return ky_err_set(err, KY_ESTATE, "inject: the drill is not running");
	const char *zTitle = json_string_value(json_object_get(msg, "title"));
	const char *zBody = json_string_value(json_object_get(msg, "body"));
	const char *zSev = json_string_value(json_object_get(msg, "severity"));
	const char *zId = json_string_value(json_object_get(msg, "id"));
	json_t *to = json_object_get(msg, "to");
	if (!zTitle) return ky_err_set(err, KY_EINVAL, "inject: title is required");
	if (!zSev) zSev = "medium";
	if (!one_of(zSev, azSev)) return ky_err_set(err, KY_EINVAL, "inject: severity '%s' (known: info, low, medium, high, critical)", zSev);
	scn_inject_def inj;
	memset(&inj, 0, sizeof inj);
	inj.to = json_array();
	if (json_is_string(to)) {
		json_array_append(inj.to, to);
	} else if (json_is_array(to) && json_array_size(to) > 0) {
		size_t i;
		json_t *v;
		json_array_foreach(to, i, v) json_array_append(inj.to, v);
	} else {
		json_decref(inj.to);
		return ky_err_set(err, KY_EINVAL, "inject: to (a team id, a list of them or \"all\") is required");
	}
	json_t *out = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(inj.to, i, v) {
		const char *z = json_string_value(v);
		if (z && !strcmp(z, "all")) {
			size_t j;
			json_t *t;
			json_array_foreach(d->teams, j, t) json_array_append(out, json_object_get(t, "id"));
		} else if (z && scn_drill__team_known(d, z)) {
			json_array_append(out, v);
		} else {
			json_decref(out);
			json_decref(inj.to);
			return ky_err_set(err, KY_ENOENT, "inject: unknown team '%s' in to", z ? z : "(not a string)");
		}
	}
	json_decref(inj.to);
	inj.to = out;
	char zAuto[32];
	if (!zId) {
		snprintf(zAuto, sizeof zAuto, "F%d", ++d->nAutoInject);
		zId = zAuto;
	}
	for (int k = 0; k < d->nInj; k++) {
		if (!strcmp(d->aInj[k].zId, zId)) {
			json_decref(inj.to);
			return ky_err_set(err, KY_EINVAL, "inject: id '%s' is already used", zId);
		}
	}
	inj.zId = strdup(zId);
	inj.msg = json_pack("{s:s,s:s,s:s,s:s,s:s,s:O}", "type", "inject", "id", zId, "severity", zSev, "title", zTitle,
	                    "body", zBody ? zBody : "", "to", inj.to);
	inj.expects = json_array();
	inj.at = -1;
	inj.bRegistered = 1;
	if (!inj.zId || !inj.msg || !inj.expects) {
		scn_script_free_inject(&inj);
		return ky_err_set(err, KY_ENOMEM, "inject: out of memory");
	}
	json_t *in = json_pack("{s:I,s:O}", "t_us", (json_int_t)eng_sim_now(d->sim), "adhoc", msg);
	if (scn_drill__add_inject(d, &inj, err)) {
		scn_script_free_inject(&inj);
		json_decref(in);
		return err ? err->code : KY_ENOMEM;
	}
	if (in) json_array_append_new(d->inputs, in);
	return 0;
}

static scn_action_rec *find_action(scn_drill *d, int64_t seq) {
	if (seq < 1 || seq > d->nAct) return NULL;
	return &d->aAct[seq - 1];
}

int scn_drill_grade(scn_drill *d, int64_t seq, double points, const char *zComment, ky_err *err) {
	scn_action_rec *r = find_action(d, seq);
	if (!r) return ky_err_set(err, KY_ENOENT, "grade: no action with seq %lld", (long long)seq);
	if (!isfinite(points) || fabs(points) > 1000) return ky_err_set(err, KY_EINVAL, "grade: points must be within ±1000");
	if (eng_score_grade(d->score, seq, r->zTeam, points, err)) return err ? err->code : KY_EINVAL;
	for (int i = 0; i < d->nObs; i++) {
		if (d->aObs[i].on_grade) d->aObs[i].on_grade(d->aObs[i].ctx, seq, points, zComment ? zComment : "");
	}
	emit_score(d, r->zTeam);
	return 0;
}

int scn_drill_read(scn_drill *d, const char *team, const char *zInject, ky_err *err) {
	json_t *b = json_object_get(d->backlog, team ? team : "");
	if (!b) return ky_err_set(err, KY_ENOENT, "read: unknown team '%s'", team ? team : "");
	size_t i;
	json_t *m;
	json_array_foreach(b, i, m) {
		const char *zType = json_string_value(json_object_get(m, "type"));
		const char *zId = json_string_value(json_object_get(m, "id"));
		if (zType && zId && zInject && !strcmp(zType, "inject") && !strcmp(zId, zInject)) {
			for (int k = 0; k < d->nObs; k++) {
				if (d->aObs[k].on_read) d->aObs[k].on_read(d->aObs[k].ctx, team, zInject, eng_sim_now(d->sim));
			}
			return 0;
		}
	}
	return ky_err_set(err, KY_ENOENT, "read: team '%s' has not received inject '%s'", team, zInject ? zInject : "");
}

/* --- views ------------------------------------------------------------------------------------------ */

json_t *scn_drill_scores_json(const scn_drill *d) { return eng_score_json(d->score); }

json_t *scn_drill_expectations_json(const scn_drill *d) { return eng_score_expectations_json(d->score); }

json_t *scn_drill_files_json(const scn_drill *d) { return json_deep_copy(d->files); }

json_t *scn_drill_backlog_json(const scn_drill *d, const char *team) {
	json_t *b = json_object_get(d->backlog, team ? team : "");
	return b ? json_deep_copy(b) : NULL;
}

static int static_expectations(const scn_drill *d) {
	int n = 0;
	for (int i = 0; i < d->nInj; i++) n += (int)json_array_size(d->aInj[i].expects);
	return n;
}

json_t *scn_drill_exercise_json(const scn_drill *d) {
	char z[32];
	json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:s,s:I,s:O,s:i,s:i,s:O,s:s,s:s%,s:s}", "id", d->zId, "title", d->zTitle,
	                      "description", d->zDesc, "duration_us", (json_int_t)d->duration, "duration",
	                      eng_time_format(d->duration, z, sizeof z), "seed", (json_int_t)d->seed, "teams", d->teams,
	                      "injects", d->nInj, "expectations", static_expectations(d), "techniques", d->techniques,
	                      "file", d->zBase, "source", d->zSource, d->nSource, "sha256", d->zSha);
	if (!o) {  /* the file is not UTF-8: keep everything but the text */
		o = json_pack("{s:s,s:s,s:I,s:I,s:O,s:s}", "id", d->zId, "title", d->zTitle, "duration_us",
		              (json_int_t)d->duration, "seed", (json_int_t)d->seed, "teams", d->teams, "sha256", d->zSha);
	}
	json_t *inj = json_array();
	for (int i = 0; i < d->nInj; i++) {
		const scn_inject_def *p = &d->aInj[i];
		json_array_append_new(inj, json_pack("{s:s,s:I,s:O,s:O,s:i,s:i}", "id", p->zId, "at_us", (json_int_t)p->at, "to",
		                                     p->to, "title", json_object_get(p->msg, "title"), "expects",
		                                     (int)json_array_size(p->expects), "line", p->line));
	}
	json_object_set_new(o, "inject_list", inj);
	if (veh_world_has_orgs(d->world)) json_object_set_new(o, "orgs", veh_world_orgs_json(d->world));
	json_t *svc = veh_world_services_json(d->world), *cred = veh_world_credentials_json(d->world);
	if (json_array_size(svc)) json_object_set(o, "services", svc);  /* declared ones only: the drill's story */
	if (json_array_size(cred)) json_object_set(o, "credentials", cred);
	json_decref(svc);
	json_decref(cred);
	if (json_object_size(d->partyNames)) json_object_set(o, "parties", d->partyNames);
	if (d->dashboard) json_object_set(o, "dashboard", d->dashboard);
	if (d->malware) json_object_set(o, "malware", d->malware);
	if (d->tools) json_object_set(o, "tools", d->tools);
	return o;
}

/* One expectation of the plan: its declaration with the team resolved (an inject to one team expects that team). */
static json_t *plan_expect(const scn_inject_def *p, json_t *e) {
	json_t *o = json_deep_copy(e);
	json_object_del(o, "line");
	if (!json_object_get(o, "team") && json_array_size(p->to) == 1) json_object_set(o, "team", json_array_get(p->to, 0));
	return o;
}

json_t *scn_drill_plan_json(const scn_drill *d) {
	json_t *a = json_array();
	for (int i = 0; a && i < d->nInj; i++) {
		const scn_inject_def *p = &d->aInj[i];
		json_t *ex = json_array();
		size_t k;
		json_t *e;
		json_array_foreach(p->expects, k, e) json_array_append_new(ex, plan_expect(p, e));
		json_t *o = json_pack("{s:s,s:I,s:O,s:O,s:O,s:O,s:o,s:i,s:b}", "id", p->zId, "at_us", (json_int_t)p->at, "to", p->to,
		                      "severity", json_object_get(p->msg, "severity"), "title", json_object_get(p->msg, "title"),
		                      "body", json_object_get(p->msg, "body"), "expects", ex, "line", p->line, "sent", p->bSent);
		if (o && p->zNotes) json_object_set_new(o, "notes", json_string(p->zNotes));
		if (o) json_array_append_new(a, o);
	}
	return a;
}

void scn_drill_state_hash(const scn_drill *d, char hex[65]) {
	char zWorld[65];
	veh_world_state_hash(d->world, zWorld);
	json_t *scores = eng_score_json(d->score);
	char *zScores = json_dumps(scores, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(scores);
	size_t n = 64 + 1 + (zScores ? strlen(zScores) : 0);
	char *buf = malloc(n + 1);
	if (!buf) {
		memcpy(hex, zWorld, 65);
	} else {
		snprintf(buf, n + 1, "%s\n%s", zWorld, zScores ? zScores : "");
		eng_sha256_hex(buf, strlen(buf), hex);
	}
	free(buf);
	free(zScores);
}

json_t *scn_drill_summary_json(const scn_drill *d) {
	char zHash[65];
	scn_drill_state_hash(d, zHash);
	json_t *fleet = veh_world_metrics_json(d->world);
	json_t *scores = eng_score_json(d->score);
	json_t *teams = json_incref(json_object_get(scores, "teams"));
	const char *zTeam;
	json_t *tv;
	json_object_foreach(teams, zTeam, tv) json_object_set_new(tv, "repeats", json_integer(eng_score_repeats(d->score, zTeam)));
	json_t *branches = json_array();
	for (int i = 0; i < d->nCb; i++) {
		static const char *const azType[] = { "at", "every", "when", "on" };
		const scn_callback *cb = &d->aCb[i];
		json_t *b = json_pack("{s:s,s:i,s:I}", "type", azType[cb->type], "line", cb->line, "fires", (json_int_t)cb->fires);
		if (cb->type == SCN_TIMER_ON) json_object_set_new(b, "event", json_string(cb->zEvent));
		json_array_append_new(branches, b);
	}
	json_t *o = json_pack("{s:s,s:I,s:I,s:I,s:o,s:o,s:O,s:O,s:o,s:o,s:o,s:I,s:I,s:s}", "scenario", d->zId, "seed",
	                      (json_int_t)d->seed, "sim_end_us", (json_int_t)eng_sim_now(d->sim), "events",
	                      (json_int_t)eng_sim_events_run(d->sim), "fleet", fleet ? fleet : json_object(), "teams", teams,
	                      "joint", json_object_get(scores, "joint"), "outcome", json_object_get(scores, "outcome"),
	                      "expectations", eng_score_expectations_json(d->score), "branches", branches, "actions",
	                      json_pack("{s:I,s:I}", "applied", (json_int_t)(d->nApplied - d->nRefused), "refused",
	                                (json_int_t)d->nRefused), "injects_sent", (json_int_t)d->nInjectsSent, "scenario_errors",
	                      (json_int_t)d->nScenarioErrors, "state_hash", zHash);
	json_decref(scores);
	json_t *orgs = json_incref(json_object_get(fleet, "orgs"));
	if (orgs) {  /* CONTRACT §1: "orgs":{ORG:{total, compromised, patched, offline, ...}} beside the totals */
		const char *zOrg;
		json_t *v;
		json_object_foreach(orgs, zOrg, v) json_object_del(v, "ota_campaigns");
		json_object_del(fleet, "orgs");
		json_object_set_new(o, "orgs", orgs);
		int64_t nRelay = 0, nIngest = 0;
		size_t i;
		json_array_foreach(d->shares, i, v) {
			nRelay += json_object_get(v, "relay_of") != NULL;
			nIngest += (int64_t)json_array_size(json_object_get(v, "ingest"));
		}
		json_object_set_new(o, "sharing", json_pack("{s:I,s:I,s:I}", "shares", (json_int_t)json_array_size(d->shares),
		                                             "relays", (json_int_t)nRelay, "ingests", (json_int_t)nIngest));
	}
	return o;
}
