/* resume: see resume.h. */
#include "scenarios/resume.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/journal.h"
#include "vehicles/world.h"

/* One recorded input, copied out of the journal (the replay writes to the same journal while it runs). */
typedef struct rsm_input {
	char *zKind;
	eng_time_t t;
	int64_t seq;
	char *zTeam, *zClientId, *zActionKind, *zArgs, *zInject, *zText;
	double points;
} rsm_input;

typedef struct rsm_inputs {
	rsm_input *a;
	size_t n, nAlloc;
	int bOom;
} rsm_inputs;

static char *dup_or_null(const char *z) {
	return z ? strdup(z) : NULL;
}

static int collect(void *ctx, const eng_journal_input *in) {
	rsm_inputs *v = ctx;
	if (v->n == v->nAlloc) {
		size_t n = v->nAlloc ? v->nAlloc * 2 : 64;
		rsm_input *p = realloc(v->a, n * sizeof *p);
		if (!p) {
			v->bOom = 1;
			return 1;
		}
		v->a = p;
		v->nAlloc = n;
	}
	rsm_input *o = &v->a[v->n++];
	memset(o, 0, sizeof *o);
	o->zKind = dup_or_null(in->zKind);
	o->t = in->t;
	o->seq = in->seq;
	o->zTeam = dup_or_null(in->zTeam);
	o->zClientId = dup_or_null(in->zClientId);
	o->zActionKind = dup_or_null(in->zActionKind);
	o->zArgs = dup_or_null(in->zArgs);
	o->zInject = dup_or_null(in->zInject);
	o->zText = dup_or_null(in->zText);
	o->points = in->points;
	return 0;
}

static void inputs_free(rsm_inputs *v) {
	for (size_t i = 0; i < v->n; i++) {
		rsm_input *o = &v->a[i];
		free(o->zKind), free(o->zTeam), free(o->zClientId), free(o->zActionKind);
		free(o->zArgs), free(o->zInject), free(o->zText);
	}
	free(v->a);
}

/* The recorded scenario rebuilt in a temporary folder: its text, under its recorded file name, and the files it
 * loaded beside it (meta scenario_files), so that sbom.load finds them. */
typedef scn_temp_scenario temp_scenario;

static void temp_remove(temp_scenario *ts) {
	const char *k;
	json_t *v;
	char z[1200];
	if (!ts->zDir[0]) return;
	json_object_foreach(ts->files, k, v) {
		snprintf(z, sizeof z, "%s/%s", ts->zDir, k);
		unlink(z);
	}
	unlink(ts->zPath);
	rmdir(ts->zDir);
	json_decref(ts->files);
	ts->zDir[0] = 0;
}

static int write_file(const char *zPath, const char *z, size_t n) {
	FILE *f = fopen(zPath, "wb");
	if (!f) return -1;
	int ok = fwrite(z, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* A plain file name (no folder, no dot-dot), else NULL. */
static const char *plain_name(const char *z) {
	return z && *z && !strchr(z, '/') && !strstr(z, "..") && strlen(z) < 128 ? z : NULL;
}

static int write_temp_scenario(eng_journal *j, temp_scenario *ts, ky_err *err) {
	char *zText = eng_journal_meta_get(j, "scenario_text", err);
	if (!zText) return ky_err_prefix(err, "resume: the journal holds no scenario text");
	char *zEx = eng_journal_meta_get(j, "exercise", NULL), *zFiles = eng_journal_meta_get(j, "scenario_files", NULL);
	json_t *ex = zEx ? json_loads(zEx, 0, NULL) : NULL;
	const char *zTmp = getenv("TMPDIR"), *zName = plain_name(json_string_value(json_object_get(ex, "file")));
	int rc = 0;
	ts->files = zFiles ? json_loads(zFiles, 0, NULL) : NULL;
	snprintf(ts->zDir, sizeof ts->zDir, "%s/kyodo-scenario-XXXXXX", zTmp && *zTmp ? zTmp : "/tmp");
	if (!mkdtemp(ts->zDir)) {
		rc = ky_err_set(err, KY_EIO, "resume: cannot create a temporary folder %s", ts->zDir);
		ts->zDir[0] = 0;
		goto out;
	}
	snprintf(ts->zPath, sizeof ts->zPath, "%s/%s", ts->zDir, zName ? zName : "scenario.lua");
	if (write_file(ts->zPath, zText, strlen(zText)) != 0) rc = ky_err_set(err, KY_EIO, "resume: cannot write %s", ts->zPath);
	const char *k;
	json_t *v;
	json_object_foreach(ts->files, k, v) {
		char z[1200];
		if (rc || !plain_name(k) || !json_is_string(v)) continue;
		snprintf(z, sizeof z, "%s/%s", ts->zDir, k);
		if (write_file(z, json_string_value(v), json_string_length(v)) != 0) rc = ky_err_set(err, KY_EIO, "resume: cannot write %s", z);
	}
	if (rc) temp_remove(ts);
out:
	json_decref(ex);
	free(zEx);
	free(zFiles);
	free(zText);
	return rc;
}

int scn_temp_scenario_write(eng_journal *j, scn_temp_scenario *ts, ky_err *err) {
	memset(ts, 0, sizeof *ts);
	return write_temp_scenario(j, ts, err);
}

void scn_temp_scenario_remove(scn_temp_scenario *ts) { temp_remove(ts); }

/* Opens the drill of journal j with its recorded seed, checking the scenario file is the recorded one. */
static scn_drill *open_recorded(eng_journal *j, const char *zScenarioPath, const scn_observer *pObs, ky_err *err) {
	temp_scenario ts = { 0 };
	scn_drill *d = NULL;
	char *zSeed = eng_journal_meta_get(j, "seed", err);
	char *zSha = eng_journal_meta_get(j, "scenario_sha256", NULL);
	if (!zSeed) {
		ky_err_prefix(err, "resume: the journal holds no seed");
		goto out;
	}
	if (!zScenarioPath) {
		if (write_temp_scenario(j, &ts, err) != 0) goto out;
		zScenarioPath = ts.zPath;
	}
	scn_drill_opts o = { .seed = strtoull(zSeed, NULL, 10), .bSeed = 1, .pObs = pObs };
	d = scn_drill_open(zScenarioPath, &o, err);
	if (!d) goto out;
	json_t *ex = scn_drill_exercise_json(d);
	const char *zNow = json_string_value(json_object_get(ex, "sha256"));
	if (zSha && zNow && strcmp(zSha, zNow) != 0) {
		ky_err_set(err, KY_EINVAL, "resume: %s is not the scenario recorded in the journal (sha256 %.12s..., recorded %.12s...)",
		           ts.zDir[0] ? "the recorded text" : zScenarioPath, zNow, zSha);
		scn_drill_free(d);
		d = NULL;
	}
	json_decref(ex);
out:
	temp_remove(&ts);
	free(zSeed);
	free(zSha);
	return d;
}

/* Replays one input at its time. */
static int replay_one(scn_drill *d, const rsm_input *in, const scn_resume_opts *o, ky_err *err) {
	int rc;
	/* as the drill did: every event up to the input's time first (also those of time 0 before a first input then) */
	int bAdvance = in->t > scn_drill_now(d) || eng_sim_events_run(scn_drill_sim(d)) == 0;
	if (bAdvance && (rc = scn_drill_advance_to(d, in->t, err)) != 0) return rc;
	if (o->xInput && (rc = o->xInput(o->pInputCtx, d, in->zKind, in->t, err)) != 0) return rc;
	if (strcmp(in->zKind, "action") == 0) {
		json_error_t je;
		json_t *args = in->zArgs ? json_loads(in->zArgs, JSON_DECODE_ANY, &je) : json_object();
		if (!args) return ky_err_set(err, KY_EPARSE, "resume: action seq %lld: args: %s", (long long)in->seq, je.text);
		int64_t seq = 0;
		ky_err e = { 0 };
		rc = scn_drill_action(d, in->zTeam, in->zClientId, in->zActionKind, args, in->zInject, &seq, &e);
		json_decref(args);
		/* an action recorded and then refused by the world fails the same way again: its seq is still used */
		if (rc == 0 && seq != in->seq) {
			return ky_err_set(err, KY_ESTATE, "resume: action of team '%s' replays as seq %lld, recorded as seq %lld",
			                  in->zTeam, (long long)seq, (long long)in->seq);
		}
		return 0;
	}
	if (strcmp(in->zKind, "grade") == 0) {
		ky_err e = { 0 };
		scn_drill_grade(d, in->seq, in->points, in->zText, &e);
		return 0;
	}
	if (strcmp(in->zKind, "read") == 0) {
		ky_err e = { 0 };
		scn_drill_read(d, in->zTeam, in->zInject, &e);
		return 0;
	}
	if (strcmp(in->zKind, "adhoc") == 0) {
		json_error_t je;
		json_t *msg = json_loads(in->zText ? in->zText : "{}", 0, &je);
		ky_err e = { 0 };
		if (msg) scn_drill_inject(d, msg, &e);
		json_decref(msg);
		return 0;
	}
	return ky_err_set(err, KY_EPARSE, "resume: unknown input kind '%s'", in->zKind);
}

scn_drill *scn_resume_open(const char *zDbPath, const scn_resume_opts *opts, scn_record **ppRec, eng_time_t *pT,
                           ky_err *err) {
	scn_resume_opts o0 = { 0 };
	const scn_resume_opts *o = opts ? opts : &o0;
	rsm_inputs in = { 0 };
	scn_drill *d = NULL;
	scn_record *r = NULL;
	eng_time_t tClean = 0, tEnd = 0;
	if (ppRec) *ppRec = NULL;
	eng_journal *j = eng_journal_open(zDbPath, o->bReadOnly ? ENG_JOURNAL_READONLY : 0, err);
	if (!j) return NULL;
	if (eng_journal_clean_time(j, &tClean, err) != 0) goto fail;
	if (eng_journal_inputs(j, collect, &in, err) != 0 || in.bOom) {
		if (in.bOom) ky_err_set(err, KY_ENOMEM, "resume: out of memory reading inputs");
		goto fail;
	}
	tEnd = tClean;
	for (size_t i = 0; i < in.n; i++) if (in.a[i].t > tEnd) tEnd = in.a[i].t;
	if (o->tStop > 0 && o->tStop < tEnd) tEnd = o->tStop;
	if (!(d = open_recorded(j, o->zScenarioPath, NULL, err))) goto fail;
	if (tEnd > scn_drill_duration(d)) tEnd = scn_drill_duration(d);
	if (!o->bReadOnly) {
		/* rows from the resume point on may be half written: drop them, the re-simulation writes them again */
		if (tClean > tEnd) tClean = tEnd;
		if (eng_journal_truncate_derived(j, tClean, err) != 0) goto fail;
		if (!(r = scn_record_attach_journal(d, j, tClean, err))) goto fail;
		j = NULL; /* owned by the recorder now */
		scn_record_replaying(r, 1);
	}
	/* after the recorder: an action is in the journal before the caller's observer hears of it */
	if (o->pObs && scn_drill_add_observer(d, o->pObs) != 0) {
		ky_err_set(err, KY_ELIMIT, "resume: cannot attach the caller's observer");
		goto fail;
	}
	for (size_t i = 0; i < in.n; i++) {
		if (in.a[i].t > tEnd) break;
		if (replay_one(d, &in.a[i], o, err) != 0) goto fail;
	}
	if (tEnd > scn_drill_now(d) && scn_drill_advance_to(d, tEnd, err) != 0) goto fail;
	if (r) {
		scn_record_replaying(r, 0);
		if (scn_record_error(r, err) != 0 || scn_record_flush(r, err) != 0) goto fail;
	}
	inputs_free(&in);
	eng_journal_close(j, NULL);
	if (pT) *pT = scn_drill_now(d);
	if (ppRec) *ppRec = r;
	else scn_record_close(r, NULL);
	return d;
fail:
	inputs_free(&in);
	if (r) scn_record_close(r, NULL);
	eng_journal_close(j, NULL);
	scn_drill_free(d);
	return NULL;
}

/* ---------------------------------------------------------------- seek */

struct scn_seek {
	eng_journal *j;
	scn_drill *d;        /* its world is what scn_seek_to restores into */
	char *zScenario;     /* NULL: the recorded text */
	rsm_inputs in;       /* for scn_seek_exact */
	scn_drill *dx;       /* scn_seek_exact's re-simulated drill, NULL until used */
	size_t iNext;        /* next input dx has not replayed */
};

scn_seek *scn_seek_open(const char *zDbPath, const char *zScenarioPath, ky_err *err) {
	scn_seek *s = calloc(1, sizeof *s);
	if (!s) {
		ky_err_set(err, KY_ENOMEM, "seek: out of memory");
		return NULL;
	}
	if (zScenarioPath && !(s->zScenario = strdup(zScenarioPath))) {
		ky_err_set(err, KY_ENOMEM, "seek: out of memory");
		goto fail;
	}
	if (!(s->j = eng_journal_open(zDbPath, ENG_JOURNAL_READONLY, err))) goto fail;
	if (!(s->d = open_recorded(s->j, zScenarioPath, NULL, err))) goto fail;
	return s;
fail:
	scn_seek_close(s);
	return NULL;
}

void scn_seek_close(scn_seek *s) {
	if (!s) return;
	scn_drill_free(s->d);
	scn_drill_free(s->dx);
	inputs_free(&s->in);
	eng_journal_close(s->j, NULL);
	free(s->zScenario);
	free(s);
}

int scn_seek_exact(scn_seek *s, eng_time_t t, ky_err *err) {
	if (!s->in.a && !s->in.n) {
		if (eng_journal_inputs(s->j, collect, &s->in, err) != 0) return err ? err->code : KY_EIO;
		if (s->in.bOom) return ky_err_set(err, KY_ENOMEM, "seek: out of memory reading inputs");
	}
	if (s->dx && t < scn_drill_now(s->dx)) {
		scn_drill_free(s->dx);
		s->dx = NULL;
	}
	if (!s->dx) {
		if (!(s->dx = open_recorded(s->j, s->zScenario, NULL, err))) return err ? err->code : KY_EIO;
		s->iNext = 0;
	}
	if (t > scn_drill_duration(s->dx)) t = scn_drill_duration(s->dx);
	int rc = 0;
	scn_resume_opts o0 = { 0 };
	for (; s->iNext < s->in.n && s->in.a[s->iNext].t <= t; s->iNext++) {
		if ((rc = replay_one(s->dx, &s->in.a[s->iNext], &o0, err)) != 0) break;
	}
	if (rc == 0 && t > scn_drill_now(s->dx)) rc = scn_drill_advance_to(s->dx, t, err);
	if (rc != 0) {
		scn_drill_free(s->dx);
		s->dx = NULL;
	}
	return rc;
}

scn_drill *scn_seek_drill(scn_seek *s) {
	return s->dx;
}

int scn_seek_to(scn_seek *s, eng_time_t t, eng_time_t *pTSnap, ky_err *err) {
	unsigned char *p = NULL;
	size_t n = 0;
	eng_time_t tSnap = 0;
	int rc = eng_journal_snapshot_at(s->j, t, &p, &n, &tSnap, err);
	if (rc != 0) return rc;
	rc = veh_world_restore(scn_drill_world(s->d), p, n, err);
	free(p);
	if (rc != 0) return ky_err_prefix(err, "seek to %lld us (snapshot at %lld us)", (long long)t, (long long)tSnap);
	if (pTSnap) *pTSnap = tSnap;
	return 0;
}

veh_world *scn_seek_world(scn_seek *s) {
	return scn_drill_world(s->d);
}

eng_journal *scn_seek_journal(scn_seek *s) {
	return s->j;
}
