/* whatif: see whatif.h. */
#include "scenarios/whatif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/journal.h"
#include "scenarios/drill.h"
#include "scenarios/impact.h"
#include "scenarios/record.h"
#include "scenarios/resume.h"

/* A recorded action kept from T on (copied out of the journal). */
typedef struct wf_action {
	eng_time_t t;
	char *zTeam, *zKind, *zClientId, *zInject;
	json_t *args;
} wf_action;

typedef struct wf_list {
	wf_action *a;
	int n, nAlloc, bOom;
} wf_list;

static char *dup0(const char *z) { return z ? strdup(z) : NULL; }

typedef struct wf_collect {
	wf_list *v;
	eng_time_t tFrom;
} wf_collect;

static int collect_action(void *ctx, const eng_journal_row *r) {
	wf_collect *c = ctx;
	wf_list *v = c->v;
	if (r->t < c->tFrom) return 0;
	if (v->n == v->nAlloc) {
		int n = v->nAlloc ? 2 * v->nAlloc : 32;
		wf_action *a = realloc(v->a, (size_t)n * sizeof *a);
		if (!a) return v->bOom = 1;
		v->a = a;
		v->nAlloc = n;
	}
	wf_action *p = &v->a[v->n++];
	p->t = r->t;
	p->zTeam = dup0(r->zTeam);
	p->zKind = dup0(r->zKind);
	p->zClientId = dup0(r->zClientId);
	p->zInject = dup0(r->zInject);
	p->args = r->zArgs ? json_loads(r->zArgs, 0, NULL) : json_object();
	return 0;
}

static void list_free(wf_list *v) {
	for (int i = 0; i < v->n; i++) {
		free(v->a[i].zTeam), free(v->a[i].zKind), free(v->a[i].zClientId), free(v->a[i].zInject);
		json_decref(v->a[i].args);
	}
	free(v->a);
}

static void remove_journal(const char *zPath) {
	static const char *const aSuffix[] = { "", "-wal", "-shm", "-journal" };
	char z[4200];
	for (size_t i = 0; i < sizeof aSuffix / sizeof aSuffix[0]; i++) {
		snprintf(z, sizeof z, "%s%s", zPath, aSuffix[i]);
		unlink(z);
	}
}

static int left_out(const scn_whatif_opts *o, const char *zTeam) {
	for (int i = 0; i < o->nWithout; i++)
		if (zTeam && !strcmp(zTeam, o->azWithout[i])) return 1;
	return 0;
}

/* The recorded drill's extent (as the replay sees it: a drill closed normally ends at its final time, an
 * interrupted one at its resume point) and its teams; checks T and the teams left out. */
static int check_source(eng_journal *j, const scn_whatif_opts *o, ky_err *err) {
	char *zText = eng_journal_meta_get(j, "scenario_text", NULL), *zSum = eng_journal_meta_get(j, "summary", NULL);
	char *zEx = eng_journal_meta_get(j, "exercise", NULL);
	json_t *ex = zEx ? json_loads(zEx, 0, NULL) : NULL;
	eng_time_t tClean = 0, tLast = 0, tEnd;
	int rc = 0;
	eng_journal_clean_time(j, &tClean, NULL);
	eng_journal_last_time(j, &tLast, NULL);
	tEnd = zSum && tLast > tClean ? tLast : tClean;
	char z1[32], z2[32];
	if (!zText) {
		rc = ky_err_set(err, KY_EINVAL, "%s: no drill recorded in it (no scenario text)", o->zSource);
	} else if (o->tFrom < 0 || o->tFrom > tEnd) {
		rc = ky_err_set(err, KY_EINVAL, "--from %s is outside the recording of %s (00:00:00 to %s)",
		                eng_time_format(o->tFrom < 0 ? 0 : o->tFrom, z1, sizeof z1), o->zSource, eng_time_format(tEnd, z2, sizeof z2));
	}
	for (int i = 0; rc == 0 && i < o->nWithout; i++) {
		size_t k;
		json_t *t;
		int bKnown = 0;
		json_array_foreach(json_object_get(ex, "teams"), k, t) bKnown |= !strcmp(json_string_value(json_object_get(t, "id")), o->azWithout[i]);
		if (!bKnown) rc = ky_err_set(err, KY_EINVAL, "--without %s: no such team in %s", o->azWithout[i], o->zSource);
	}
	json_decref(ex);
	free(zEx);
	free(zText);
	free(zSum);
	return rc;
}

/* The new journal: a copy of the recorded one, cut at T, with a note of what this what-if is. */
static int prepare_copy(eng_journal *src, const scn_whatif_opts *o, ky_err *err) {
	int rc = eng_journal_copy(src, o->zOut, err);
	if (rc) return rc;
	eng_journal *j = eng_journal_open(o->zOut, 0, err);
	if (!j) return err ? err->code : KY_EIO;
	json_t *without = json_array();
	for (int i = 0; i < o->nWithout; i++) json_array_append_new(without, json_string(o->azWithout[i]));
	const char *zBase = strrchr(o->zSource, '/');
	json_t *note = json_pack("{s:I,s:s,s:s?,s:o}", "from_us", (json_int_t)o->tFrom, "source", zBase ? zBase + 1 : o->zSource,
	                         "actions", o->bAlt ? (o->zAltName ? o->zAltName : "") : NULL, "without", without);
	char *zNote = note ? json_dumps(note, JSON_COMPACT) : NULL;
	json_decref(note);
	rc = eng_journal_truncate_inputs(j, o->tFrom, err);
	if (rc == 0) rc = eng_journal_truncate_derived(j, o->tFrom, err);
	if (rc == 0) rc = eng_journal_meta_set(j, "whatif", zNote ? zNote : "{}", err);
	free(zNote);
	int rc2 = eng_journal_close(j, rc ? NULL : err);
	return rc ? rc : rc2;
}

/* ---- the spliced inputs and the impact figures ---------------------------------------------------------------- */

/* The what-if's inputs as `kyodo run` of the spliced actions would play them: the recorded actions and ad-hoc
 * injects before T (in the order resume replays them), then the team actions from T on. The impact figures' runs
 * fork from the what-if itself where they leave these inputs (impact.h), before T (inside resume) or after. */
typedef struct wf_run {
	const scn_whatif_opts *o;
	json_t *inputs;     /* scn_drill_inputs_json's form; owns what a[] points into */
	scn_play *a;
	int n, nPre;        /* a[0..nPre): before T */
	int *aPlayOf;       /* per recorded input before T (grades and reads too): its index in a[], -1 none */
	int nRec, nRecAlloc, iRec, bOom;
	scn_impact *m;      /* NULL until the drill is open, and with --no-impact */
	json_t *ex;
} wf_run;

static int rec_input(void *ctx, const eng_journal_input *in) {
	wf_run *w = ctx;
	if (w->nRec == w->nRecAlloc) {
		int n = w->nRecAlloc ? 2 * w->nRecAlloc : 64;
		int *p = realloc(w->aPlayOf, (size_t)n * sizeof *p);
		if (!p) return w->bOom = 1;
		w->aPlayOf = p;
		w->nRecAlloc = n;
	}
	json_t *v = NULL;
	if (!strcmp(in->zKind, "action")) {
		json_t *args = in->zArgs ? json_loads(in->zArgs, JSON_DECODE_ANY, NULL) : json_object();
		v = json_pack("{s:I,s:s?,s:s?,s:s?,s:s?,s:o?}", "t_us", (json_int_t)in->t, "team", in->zTeam, "kind", in->zActionKind,
		              "id", in->zClientId, "inject", in->zInject, "args", args);
	} else if (!strcmp(in->zKind, "adhoc")) {
		json_t *msg = json_loads(in->zText ? in->zText : "{}", 0, NULL);
		if (msg) v = json_pack("{s:I,s:o}", "t_us", (json_int_t)in->t, "adhoc", msg); /* resume skips one that does not parse */
	}
	w->aPlayOf[w->nRec++] = v ? (int)json_array_size(w->inputs) : -1;
	if (v && json_array_append_new(w->inputs, v)) return w->bOom = 1;
	return 0;
}

static int add_action(wf_run *w, const scn_whatif_action *a) {
	json_t *v = json_pack("{s:I,s:s?,s:s?,s:s?,s:s?,s:O?,s:i}", "t_us", (json_int_t)a->t, "team", a->zTeam, "kind", a->zKind,
	                      "id", a->zClientId, "inject", a->zInject, "args", a->args, "line", a->line);
	return !v || json_array_append_new(w->inputs, v) ? (w->bOom = 1) : 0;
}

/* Reads the recorded inputs left in the cut copy (what resume will replay) and appends the actions from T on. */
static int wf_splice(wf_run *w, const wf_list *kept, scn_whatif_result *res, ky_err *err) {
	const scn_whatif_opts *o = w->o;
	if (!(w->inputs = json_array())) return ky_err_set(err, KY_ENOMEM, "out of memory");
	eng_journal *j = eng_journal_open(o->zOut, ENG_JOURNAL_READONLY, err);
	if (!j) return err ? err->code : KY_EIO;
	int rc = eng_journal_inputs(j, rec_input, w, err);
	eng_journal_close(j, NULL);
	if (rc) return rc;
	w->nPre = (int)json_array_size(w->inputs);
	for (int i = 0; !w->bOom && o->bAlt && i < o->nAlt; i++) {
		if (o->aAlt[i].t < o->tFrom) res->nIgnored++;
		else if (!left_out(o, o->aAlt[i].zTeam)) add_action(w, &o->aAlt[i]);
	}
	for (int i = 0; !w->bOom && !o->bAlt && i < kept->n; i++) {
		const wf_action *k = &kept->a[i];
		scn_whatif_action a = { k->t, k->zTeam, k->zKind, k->zClientId, k->zInject, k->args, 0 };
		if (!left_out(o, a.zTeam)) add_action(w, &a);
	}
	if (w->bOom) return ky_err_set(err, KY_ENOMEM, "out of memory");
	w->a = scn_play_from_inputs(w->inputs, &w->n, err);
	if (!w->a && json_array_size(w->inputs)) return err ? err->code : KY_ENOMEM;
	for (int i = w->nPre; i < w->n; i++) w->a[i].line = (int)json_integer_value(json_object_get(json_array_get(w->inputs, (size_t)i), "line"));
	return 0;
}

/* The plan of the counterfactual runs, once the drill is open (it knows the teams and the end). */
static int wf_plan(wf_run *w, scn_drill *d, ky_err *err) {
	if (w->o->bNoImpact || w->m) return 0;
	if (!w->ex && !(w->ex = scn_drill_exercise_json(d))) return ky_err_set(err, KY_ENOMEM, "out of memory");
	w->m = scn_impact_plan(w->a, w->n, json_object_get(w->ex, "teams"), scn_drill_duration(d), err);
	return w->m ? 0 : err ? err->code : KY_ENOMEM;
}

/* resume's hook: a recorded input before T is about to be replayed; the runs that leave it out fork here. */
static int wf_on_input(void *ctx, scn_drill *d, const char *zKind, eng_time_t t, ky_err *err) {
	wf_run *w = ctx;
	int rc = wf_plan(w, d, err);
	if (rc) return rc;
	if (w->iRec >= w->nRec) return ky_err_set(err, KY_ESTATE, "what-if: the re-play met more inputs than %s holds", w->o->zOut);
	int k = w->aPlayOf[w->iRec++];
	if (k < 0) return 0;
	if (w->a[k].t != t || !w->a[k].zTeam != !strcmp(zKind, "adhoc"))
		return ky_err_set(err, KY_ESTATE, "what-if: the re-play met %s at %lld us where input %d was expected", zKind, (long long)t, k + 1);
	return w->m ? scn_impact_fork_point(w->m, d, k, err) : 0;
}

static void wf_free(wf_run *w) {
	scn_impact_free(w->m);
	json_decref(w->ex);
	free(w->a);
	free(w->aPlayOf);
	json_decref(w->inputs);
}

/* Applies one action at its time, as `kyodo run` does; counts the world's refusals. */
static int apply(scn_drill *d, const scn_whatif_opts *o, const scn_play *p, scn_whatif_result *res, ky_err *err) {
	int64_t seq = 0;
	ky_err e = { 0 };
	/* actions of one time go in together, as `kyodo run` gives them: no advance in between */
	if (p->t > scn_drill_now(d) && scn_drill_advance_to(d, p->t, err) != 0) return err ? err->code : KY_EIO;
	if (scn_drill_action(d, p->zTeam, p->zId, p->zKind, p->args, p->zInject, &seq, &e) == 0) return 0;
	if (seq != 0) {
		res->nRejected++; /* recorded, refused by the world: the run goes on */
		if (o->xRefused) o->xRefused(o->pCtx, p->t, p->zTeam, p->zKind, p->line, e.zMsg);
		return 0;
	}
	res->iBadLine = p->line;
	if (err) *err = e;
	return e.code ? e.code : KY_EINVAL;
}

/* From T on: the team actions of the splice (those after the drill's end are not played, as in `kyodo run`). */
static int continue_run(scn_drill *d, wf_run *w, scn_whatif_result *res, ky_err *err) {
	int rc = wf_plan(w, d, err);
	if (rc == 0 && w->iRec != w->nRec)
		rc = ky_err_set(err, KY_ESTATE, "what-if: the re-play stopped after %d of the %d inputs before T", w->iRec, w->nRec);
	if (rc == 0 && scn_drill_advance_to(d, w->o->tFrom, err) != 0) rc = err ? err->code : KY_EIO;
	for (int i = w->nPre; rc == 0 && i < w->n; i++) {
		if (w->a[i].t > scn_drill_duration(d)) {
			res->nLate++;
			continue;
		}
		if (w->a[i].t > scn_drill_now(d) && scn_drill_advance_to(d, w->a[i].t, err) != 0) return err ? err->code : KY_EIO;
		if (w->m && (rc = scn_impact_fork_point(w->m, d, i, err)) != 0) break;
		rc = apply(d, w->o, &w->a[i], res, err);
	}
	if (rc == 0) rc = scn_drill_advance_to(d, scn_drill_duration(d), err);
	return rc;
}

/* The recorded drill's impact figures (its meta summary's "impact"), new ref or NULL. */
static json_t *recorded_impact(eng_journal *j) {
	char *z = eng_journal_meta_get(j, "summary", NULL);
	json_t *s = z ? json_loads(z, 0, NULL) : NULL, *im = json_incref(json_object_get(s, "impact"));
	json_decref(s);
	free(z);
	return im;
}

/* The summary as `kyodo run --json` of the splice prints it, with the recorded figures beside the what-if's. */
static int finish_summary(scn_drill *d, wf_run *w, json_t *recorded, const scn_whatif_result *res, json_t **pSummary,
                          ky_err *err) {
	json_t *impact = NULL;
	if (w->m && scn_impact_finish(w->m, d, &impact, err) != 0) return err ? err->code : KY_EIO;
	*pSummary = scn_drill_summary_json(d);
	if (!*pSummary) {
		json_decref(impact);
		return ky_err_set(err, KY_ENOMEM, "out of memory");
	}
	if (w->o->bAlt) json_object_set_new(*pSummary, "actions_not_played", json_integer(res->nLate));
	scn_impact_summary_put(*pSummary, impact);
	if (impact) scn_impact_summary_put_as(*pSummary, "impact_recorded", recorded);
	json_decref(impact);
	return 0;
}

int scn_whatif_run(const scn_whatif_opts *o, json_t **pSummary, scn_whatif_result *res, ky_err *err) {
	wf_list kept = { 0 };
	wf_run w = { .o = o };
	scn_drill *d = NULL;
	scn_record *rec = NULL;
	json_t *recorded = NULL;
	int rc;
	*pSummary = NULL;
	memset(res, 0, sizeof *res);
	eng_journal *src = eng_journal_open(o->zSource, ENG_JOURNAL_READONLY, err);
	if (!src) return ky_err_prefix(err, "%s", o->zSource);
	rc = check_source(src, o, err);
	if (rc == 0 && !o->bAlt) {
		wf_collect c = { &kept, o->tFrom };
		rc = eng_journal_rows(src, "actions", collect_action, &c, err);
		if (kept.bOom) rc = ky_err_set(err, KY_ENOMEM, "out of memory");
	}
	if (rc == 0) recorded = recorded_impact(src);
	if (rc == 0) rc = prepare_copy(src, o, err);
	eng_journal_close(src, NULL);
	if (rc == 0) rc = wf_splice(&w, &kept, res, err);
	if (rc) goto out;
	scn_resume_opts ro = { .tStop = o->tFrom, .xInput = wf_on_input, .pInputCtx = &w };
	if (!(d = scn_resume_open(o->zOut, &ro, &rec, NULL, err))) {
		rc = err ? err->code : KY_EIO;
		ky_err_prefix(err, "re-playing %s to the start of the what-if", o->zSource);
		goto out;
	}
	rc = continue_run(d, &w, res, err);
	if (rc == 0) rc = finish_summary(d, &w, recorded, res, pSummary, err);
	if (rc == 0) scn_record_set_summary(rec, *pSummary); /* OUT.db's meta summary: what this prints (report, viewer) */
	int rc2 = scn_record_close(rec, rc ? NULL : err);
	if (rc == 0) rc = rc2;
out:
	wf_free(&w);
	scn_drill_free(d);
	json_decref(recorded);
	list_free(&kept);
	if (rc) {
		json_decref(*pSummary);
		*pSummary = NULL;
		remove_journal(o->zOut);
	}
	return rc;
}
