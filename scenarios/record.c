/* record: the journal-writing observer (see record.h). Callbacks cannot fail the drill (except on_action, which
 * must: an action is acknowledged only once stored), so the first error is kept and reported at close. */
#include "scenarios/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/version.h"
#include "vehicles/world.h"

struct scn_record {
	scn_drill *d;
	eng_journal *j;
	eng_time_t tSkip;        /* derived rows before it are in the journal already (resume) */
	int bReplaying;          /* inputs are being replayed: do not write them again */
	eng_time_t snapInterval; /* at most one snapshot per this much sim time */
	eng_time_t snapMax;      /* adaptive: at least one per this much sim time; 0: fixed interval */
	eng_time_t tLastSnap;    /* -1: none yet */
	eng_time_t tLastMetrics; /* time of the last metrics row, -1: none yet */
	double wallStart;        /* adaptive: wall clock at attach (s) */
	double wallSnap;         /* adaptive: wall time spent in snapshots so far (s) */
	double wallLastCost;     /* adaptive: wall time of the last snapshot (s) */
	ky_err err;              /* first error met in a callback */
	int bGroup;              /* a journal group is open (scn_record_group_begin) */
	json_t *summary;         /* the run summary to store at close (scn_record_set_summary), NULL: the drill's own */
};

static void keep_err(scn_record *r, const ky_err *e) {
	if (r->err.code == 0 && e->code != 0) r->err = *e;
}

/* Compact JSON text of v (malloc'd) or NULL for NULL. */
static char *dump(json_t *v) {
	return v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
}

static eng_time_t msg_time(scn_record *r, json_t *msg) {
	json_t *t = json_object_get(msg, "t_us");
	return json_is_integer(t) ? (eng_time_t)json_integer_value(t) : scn_drill_now(r->d);
}

static double wall_s(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The note that goes with a snapshot at t in world_inputs: where it was taken among the world's events and
 * inputs (step, and the rows before it), and the order of the world's pending events then (veh_world_rearm puts
 * it back after a restore). The last note of a time goes with the snapshot of that time (a later snapshot at the
 * same time replaces the earlier one, and so does its note). */
static void write_mark(scn_record *r, veh_world *w, eng_time_t t, ky_err *e) {
	json_t *pend = veh_world_pending_json(w);
	char *z = dump(pend);
	json_decref(pend);
	if (!z) {
		ky_err_set(e, KY_ENOMEM, "record: out of memory");
		return;
	}
	eng_journal_world_input(r->j, t, (int64_t)veh_world_steps(w), !eng_sim_running(scn_drill_sim(r->d)), "mark", NULL,
	                        NULL, z, e);
	free(z);
}

/* Whether a snapshot is due at t. Fixed mode: every snapInterval. Adaptive mode (the default): at most every
 * snapInterval, at least every snapMax, and in between only while snapshots have cost under
 * SCN_RECORD_SNAPSHOT_BUDGET of the wall time since attach (a paced drill snapshots every minute; a batch run
 * as fast as possible keeps the journal's cost low). Snapshot timing never changes the simulation. */
static int snapshot_due(scn_record *r, eng_time_t t) {
	if (r->tLastSnap < 0) return 1;
	if (t < r->tLastSnap + r->snapInterval) return 0;
	if (r->snapMax <= 0 || t >= r->tLastSnap + r->snapMax) return 1;
	double wall = wall_s() - r->wallStart;
	return r->wallSnap + r->wallLastCost <= SCN_RECORD_SNAPSHOT_BUDGET * wall;
}

/* Takes a snapshot at t if one is due (bForce: whatever the interval, e.g. the final state at close). */
static void take_snapshot(scn_record *r, eng_time_t t, int bForce) {
	ky_err e = { 0 };
	unsigned char *p = NULL;
	size_t n = 0;
	if (r->snapInterval <= 0 || t < r->tSkip) return;
	if (!bForce && !snapshot_due(r, t)) return;
	veh_world *w = scn_drill_world(r->d);
	if (!w) return;
	double t0 = wall_s();
	if (veh_world_snapshot(w, &p, &n, &e) == 0 && eng_journal_snapshot(r->j, t, p, n, &e) == 0) {
		r->tLastSnap = t;
		write_mark(r, w, t, &e);
		/* commit now: the blob's pages are written at the commit, and belong to this snapshot's cost */
		eng_journal_flush(r->j, &e);
	}
	free(p);
	r->wallLastCost = wall_s() - t0;
	r->wallSnap += r->wallLastCost;
	keep_err(r, &e);
}

/* ---------------------------------------------------------------- observer callbacks */

static void rec_inject(void *ctx, const char *team, json_t *msg) {
	scn_record *r = ctx;
	ky_err e = { 0 };
	eng_time_t t = msg_time(r, msg);
	if (t < r->tSkip) return;
	const char *zId = json_string_value(json_object_get(msg, "id"));
	char *z = dump(msg);
	eng_journal_inject(r->j, t, team, zId ? zId : "", z, &e);
	free(z);
	keep_err(r, &e);
}

static void rec_message(void *ctx, json_t *msg) {
	scn_record *r = ctx;
	ky_err e = { 0 };
	eng_time_t t = msg_time(r, msg);
	if (t < r->tSkip) return;
	json_t *to = json_object_get(msg, "to");
	char *zTo = json_is_string(to) ? strdup(json_string_value(to)) : dump(to);
	char *z = dump(msg);
	eng_journal_message(r->j, t, json_string_value(json_object_get(msg, "from")), zTo, z, &e);
	free(z);
	free(zTo);
	keep_err(r, &e);
}

static void rec_score(void *ctx, const char *team, json_t *msg) {
	scn_record *r = ctx;
	ky_err e = { 0 };
	eng_time_t t = msg_time(r, msg);
	if (t < r->tSkip) return;
	char *z = dump(msg);
	eng_journal_score(r->j, t, team, json_number_value(json_object_get(msg, "score")), z, &e);
	free(z);
	keep_err(r, &e);
}

/* Fleet samples: the drill sends one every SCN_DRILL_SAMPLE_US and one at the end of every advance (the paced
 * server advances many times a second). The journal keeps the regular ones, and an extra one only when no row
 * was written for a whole sample interval (so a drill advanced in big steps still has its series). */
static void rec_fleet(void *ctx, json_t *msg) {
	scn_record *r = ctx;
	ky_err e = { 0 };
	eng_time_t t = msg_time(r, msg);
	eng_journal_mark(r->j, t);
	if (t < r->tSkip || t <= r->tLastMetrics) return;
	if (r->tLastMetrics >= 0 && t % SCN_DRILL_SAMPLE_US != 0 && t - r->tLastMetrics < SCN_DRILL_SAMPLE_US) return;
	char *z = dump(msg);
	eng_journal_metrics(r->j, t, z, &e);
	free(z);
	keep_err(r, &e);
	r->tLastMetrics = t;
	/* the end of the drill: the final snapshot, at close, holds this state or a later one of the same time */
	if (t < scn_drill_duration(r->d)) take_snapshot(r, t, 0);
}

/* The last metrics row and snapshot, of the final state, at close. */
static void final_sample(scn_record *r) {
	eng_time_t t = scn_drill_now(r->d);
	veh_world *w = scn_drill_world(r->d);
	if (t > r->tLastMetrics && t >= r->tSkip && w) {
		ky_err e = { 0 };
		json_t *m = veh_world_metrics_json(w);
		if (m) {
			json_object_set_new(m, "type", json_string("fleet"));
			json_object_set_new(m, "t_us", json_integer(t));
			char *z = dump(m);
			eng_journal_metrics(r->j, t, z, &e);
			free(z);
			json_decref(m);
			r->tLastMetrics = t;
		}
		keep_err(r, &e);
	}
	take_snapshot(r, t, 1);
}

static void rec_event(void *ctx, eng_time_t t, const char *kind, const char *subject, json_t *detail) {
	scn_record *r = ctx;
	ky_err e = { 0 };
	if (t < r->tSkip) return;
	char *z = dump(detail);
	eng_journal_event(r->j, t, kind, subject, z, &e);
	free(z);
	keep_err(r, &e);
	if (kind && (strcmp(kind, "action.result") == 0 || strcmp(kind, "action.error") == 0)) {
		json_t *seq = json_object_get(detail, "seq");
		int bError = kind[7] == 'e';
		json_t *res = bError ? json_pack("{s:O?}", "error", json_object_get(detail, "error"))
		                     : json_incref(json_object_get(detail, "result"));
		char *zRes = dump(res);
		json_decref(res);
		if (json_is_integer(seq) && (res || json_object_get(detail, "inject"))) {
			eng_journal_action_result(r->j, t, json_integer_value(seq), zRes,
			                          json_string_value(json_object_get(detail, "inject")), &e);
		}
		free(zRes);
		keep_err(r, &e);
	}
}

/* The world's tap: every input the world is given goes into world_inputs, with the number of the world's own
 * events run before it and whether the engine was running (an input from a scenario callback) or not (a team's
 * action, or what a scenario handler did in answer to it, between two runs). */
static void rec_world_input(void *ctx, int kind, const char *zName, const char *zTeam, json_t *args) {
	scn_record *r = ctx;
	ky_err e = { 0 };
	eng_time_t t = scn_drill_now(r->d);
	if (t < r->tSkip) return;
	char *z = dump(args);
	eng_journal_world_input(r->j, t, (int64_t)veh_world_steps(scn_drill_world(r->d)), !eng_sim_running(scn_drill_sim(r->d)),
	                        veh_input_kind_name(kind), zName, zTeam, z, &e);
	free(z);
	keep_err(r, &e);
}

/* An action being staged (scn_drill_action_stage): its row is committed now, or, inside a group, inserted for the
 * group's commit. Replayed inputs (resume) are in the journal already. */
static int rec_action(void *ctx, int64_t seq, const char *team, const char *zClientId, eng_time_t t,
                      const char *kind, json_t *args, json_t *result, ky_err *err) {
	scn_record *r = ctx;
	if (r->bReplaying) return 0;
	char *zArgs = dump(args), *zResult = dump(result);
	const char *zInject = json_string_value(json_object_get(args, "inject"));
	int rc = eng_journal_action(r->j, seq, team, zClientId, t, kind, zArgs, zResult, zInject, err);
	free(zArgs);
	free(zResult);
	return rc;
}

static void rec_grade(void *ctx, int64_t seq, double points, const char *zComment) {
	scn_record *r = ctx;
	ky_err e = { 0 };
	if (r->bReplaying) return;
	eng_journal_grade(r->j, scn_drill_now(r->d), seq, points, zComment, &e);
	keep_err(r, &e);
}

static void rec_read(void *ctx, const char *team, const char *zInject, eng_time_t t) {
	scn_record *r = ctx;
	ky_err e = { 0 };
	if (r->bReplaying) return;
	eng_journal_read(r->j, t, team, zInject, &e);
	keep_err(r, &e);
}

/* ---------------------------------------------------------------- attach / close */

scn_record *scn_record_attach_journal(scn_drill *d, eng_journal *j, eng_time_t tSkip, ky_err *err) {
	scn_record *r = calloc(1, sizeof *r);
	if (!r) {
		ky_err_set(err, KY_ENOMEM, "record: out of memory");
		return NULL;
	}
	r->d = d;
	r->j = j;
	r->tSkip = tSkip;
	r->snapInterval = SCN_RECORD_SNAPSHOT_US;
	r->snapMax = SCN_RECORD_SNAPSHOT_MAX_US;
	r->tLastSnap = -1;
	r->tLastMetrics = -1;
	r->wallStart = wall_s();
	scn_observer obs = {
		.ctx = r,
		.on_inject = rec_inject,
		.on_message = rec_message,
		.on_score = rec_score,
		.on_fleet = rec_fleet,
		.on_event = rec_event,
		.on_action = rec_action,
		.on_grade = rec_grade,
		.on_read = rec_read,
		/* not .on_snapshot: snapshots are taken at the fleet samples (every minute), so that the world a snapshot
		 * holds is the one the metrics row of the same time describes */
	};
	int rc = scn_drill_add_observer(d, &obs);
	if (rc != 0) {
		ky_err_set(err, rc, "record: cannot attach the journal's observer (%s)", ky_err_name(rc));
		free(r);
		return NULL;
	}
	veh_tap tap = { .ctx = r, .on_input = rec_world_input };
	if (scn_drill_world(d)) veh_world_set_tap(scn_drill_world(d), &tap);
	return r;
}

/* UTC wall time now, ISO 8601 ("2025-03-01T09:00:00Z"), into z. */
static char *wall_iso(char *z, size_t n) {
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(z, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return z;
}

/* meta zKey = compact JSON of v (stolen). */
static int meta_json(eng_journal *j, const char *zKey, json_t *v, ky_err *err) {
	char *z = dump(v);
	json_decref(v);
	if (!z) return ky_err_set(err, KY_ENOMEM, "record: %s: out of memory", zKey);
	int rc = eng_journal_meta_set(j, zKey, z, err);
	free(z);
	return rc;
}

/* What a report needs of the run that only the drill knows at its end: the run summary (`kyodo run --json`:
 * scores, every expectation's outcome and response time, the state hash, and the impact figures once computed),
 * the master scenario events list with the injects declared by callbacks, and the wall time of the end. */
static int write_footer(scn_record *r, ky_err *err) {
	char zNow[32];
	json_t *sum = r->summary ? json_incref(r->summary) : scn_drill_summary_json(r->d);
	int rc = meta_json(r->j, "summary", sum, err);
	if (rc == 0) rc = meta_json(r->j, "plan", scn_drill_plan_json(r->d), err);
	if (rc == 0) rc = eng_journal_meta_set(r->j, "ended_at", wall_iso(zNow, sizeof zNow), err);
	return rc;
}

/* Writes the exercise header of a new journal. */
static int write_header(eng_journal *j, scn_drill *d, ky_err *err) {
	json_t *ex = scn_drill_exercise_json(d);
	int rc = 0;
	char zNum[32], zNow[32];
	wall_iso(zNow, sizeof zNow);
	json_t *seed = json_object_get(ex, "seed");
	snprintf(zNum, sizeof zNum, "%" JSON_INTEGER_FORMAT, json_is_integer(seed) ? json_integer_value(seed) : 0);
	char *zEx = dump(ex);
	json_t *cfg = veh_world_config_json(scn_drill_world(d)), *files = scn_drill_files_json(d);
	char *zCfg = dump(cfg), *zFiles = json_object_size(files) ? dump(files) : NULL;
	json_decref(cfg);
	json_decref(files);
	json_t *sb = veh_world_sbom_json(scn_drill_world(d));   /* firmware and VEX ground truth, for reports */
	char *zSbom = dump(sb);
	json_decref(sb);
	struct { const char *zKey, *zValue; } a[] = {
		{ "scenario_id", json_string_value(json_object_get(ex, "id")) },
		{ "scenario_sha256", json_string_value(json_object_get(ex, "sha256")) },
		{ "scenario_text", json_string_value(json_object_get(ex, "source")) },
		{ "seed", zNum },
		{ "started_at", zNow },
		{ "kyodo_version", KY_VERSION },
		{ "exercise", zEx },
		{ "world_config", zCfg }, /* the world built without the scenario (ui/replay) */
		{ "scenario_files", zFiles }, /* what the scenario loaded beside it (resume, what-if) */
		{ "sbom", zSbom },
	};
	for (size_t i = 0; i < sizeof a / sizeof a[0] && rc == 0; i++)
		if (a[i].zValue || (strcmp(a[i].zKey, "scenario_files") != 0 && strcmp(a[i].zKey, "world_config") != 0))
			rc = eng_journal_meta_set(j, a[i].zKey, a[i].zValue, err); /* without a world_config, replay re-simulates */
	if (rc == 0) rc = meta_json(j, "plan", scn_drill_plan_json(d), err); /* replaced at close */
	if (rc == 0) rc = eng_journal_flush(j, err);
	free(zEx);
	free(zCfg);
	free(zFiles);
	free(zSbom);
	json_decref(ex);
	return rc;
}

scn_record *scn_record_attach(scn_drill *d, const char *zPath, ky_err *err) {
	eng_journal *j = eng_journal_open(zPath, ENG_JOURNAL_CREATE | ENG_JOURNAL_TRUNCATE, err);
	if (!j) return NULL;
	if (write_header(j, d, err) != 0) {
		eng_journal_close(j, NULL);
		return NULL;
	}
	scn_record *r = scn_record_attach_journal(d, j, 0, err);
	if (!r) eng_journal_close(j, NULL);
	return r;
}

int scn_record_close(scn_record *r, ky_err *err) {
	if (!r) return 0;
	final_sample(r); /* the final state, for a replay that seeks to the end */
	ky_err ef = { 0 };
	if (write_footer(r, &ef) != 0) keep_err(r, &ef);
	json_decref(r->summary);
	if (scn_drill_world(r->d)) veh_world_set_tap(scn_drill_world(r->d), NULL);
	int rc = r->err.code;
	if (rc && err) *err = r->err;
	scn_record_group_end(r);
	eng_journal_mark(r->j, scn_drill_now(r->d));
	ky_err e = { 0 };
	int rc2 = eng_journal_close(r->j, &e);
	if (rc == 0 && rc2 != 0) {
		rc = rc2;
		if (err) *err = e;
	}
	free(r);
	return rc;
}

void scn_record_set_summary(scn_record *r, json_t *summary) {
	if (!r) return;
	json_decref(r->summary);
	r->summary = summary ? json_deep_copy(summary) : NULL;
}

int scn_record_feedback(scn_record *r, const char *zTeam, const char *zParticipant, const char *zName, json_t *answers,
                        ky_err *err) {
	char zNow[32];
	if (!r) return ky_err_set(err, KY_ESTATE, "feedback: no journal");
	char *z = dump(answers);
	if (!z) return ky_err_set(err, KY_ENOMEM, "feedback: out of memory");
	int rc = eng_journal_feedback(r->j, scn_drill_now(r->d), zTeam, zParticipant, zName, z, wall_iso(zNow, sizeof zNow), err);
	free(z);
	return rc;
}

int scn_record_actor(scn_record *r, const char *zTeam, const char *zClientId, const char *zName, ky_err *err) {
	if (!r || !zClientId || !zName || !*zName) return 0;
	return eng_journal_actor(r->j, zTeam, zClientId, zName, err);
}

int scn_record_flush(scn_record *r, ky_err *err) {
	if (!r) return 0;
	eng_journal_mark(r->j, scn_drill_now(r->d));
	return eng_journal_flush(r->j, err);
}

int scn_record_error(const scn_record *r, ky_err *err) {
	if (!r) return 0;
	if (r->err.code && err) *err = r->err;
	return r->err.code;
}

eng_journal *scn_record_journal(scn_record *r) {
	return r ? r->j : NULL;
}

void scn_record_set_snapshot_interval(scn_record *r, eng_time_t interval) {
	r->snapInterval = interval;
	r->snapMax = 0;
}

void scn_record_replaying(scn_record *r, int bOn) {
	r->bReplaying = bOn;
}

/* ---------------------------------------------------------------- group commit */

int scn_record_group_begin(scn_record *r, ky_err *err) {
	if (r->bGroup) return ky_err_set(err, KY_ESTATE, "record: a group is already open");
	int rc = eng_journal_group_begin(r->j, err);
	if (rc == 0) r->bGroup = 1;
	return rc;
}

int scn_record_group_commit(scn_record *r, ky_err *err) {
	if (!r->bGroup) return ky_err_set(err, KY_ESTATE, "record: no group to commit");
	r->bGroup = 0;
	return eng_journal_group_commit(r->j, err);
}

void scn_record_group_end(scn_record *r) {
	if (r->bGroup) eng_journal_group_abort(r->j);
	r->bGroup = 0;
}

int scn_record_inject(scn_record *r, scn_drill *d, json_t *msg, ky_err *err) {
	if (!r) return scn_drill_inject(d, msg, err);
	char *z = dump(msg);
	if (!z) return ky_err_set(err, KY_EINVAL, "inject: not JSON");
	int rc = eng_journal_adhoc(r->j, scn_drill_now(d), z, err);
	free(z);
	if (rc != 0) return rc;
	return scn_drill_inject(d, msg, err);
}
