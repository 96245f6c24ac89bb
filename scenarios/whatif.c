/* whatif: see whatif.h. */
#include "scenarios/whatif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/journal.h"
#include "scenarios/drill.h"
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

/* Applies one action at its time, as `kyodo run` does; counts the world's refusals. */
static int apply(scn_drill *d, const scn_whatif_opts *o, eng_time_t t, const char *zTeam, const char *zClientId,
                 const char *zKind, json_t *args, const char *zInject, scn_whatif_result *res, int line, ky_err *err) {
	int64_t seq = 0;
	ky_err e = { 0 };
	/* actions of one time go in together, as `kyodo run` gives them: no advance in between */
	if (t > scn_drill_now(d) && scn_drill_advance_to(d, t, err) != 0) return err ? err->code : KY_EIO;
	if (scn_drill_action(d, zTeam, zClientId, zKind, args, zInject, &seq, &e) == 0) return 0;
	if (seq != 0) {
		res->nRejected++; /* recorded, refused by the world: the run goes on */
		if (o->xRefused) o->xRefused(o->pCtx, t, zTeam, zKind, line, e.zMsg);
		return 0;
	}
	res->iBadLine = line;
	if (err) *err = e;
	return e.code ? e.code : KY_EINVAL;
}

/* From T on: the alternative's actions, or the recorded ones kept; the teams left out dropped. */
static int continue_run(scn_drill *d, const scn_whatif_opts *o, const wf_list *kept, scn_whatif_result *res, ky_err *err) {
	int rc = 0;
	if (scn_drill_advance_to(d, o->tFrom, err) != 0) return err ? err->code : KY_EIO;
	for (int i = 0; rc == 0 && o->bAlt && i < o->nAlt; i++) {
		const scn_whatif_action *a = &o->aAlt[i];
		if (a->t < o->tFrom) {
			res->nIgnored++;
			continue;
		}
		if (left_out(o, a->zTeam)) continue;
		rc = apply(d, o, a->t, a->zTeam, a->zClientId, a->zKind, a->args, a->zInject, res, a->line, err);
	}
	for (int i = 0; rc == 0 && !o->bAlt && i < kept->n; i++) {
		const wf_action *a = &kept->a[i];
		if (left_out(o, a->zTeam)) continue;
		rc = apply(d, o, a->t, a->zTeam, a->zClientId, a->zKind, a->args, a->zInject, res, 0, err);
	}
	if (rc == 0) rc = scn_drill_advance_to(d, scn_drill_duration(d), err);
	return rc;
}

int scn_whatif_run(const scn_whatif_opts *o, json_t **pSummary, scn_whatif_result *res, ky_err *err) {
	wf_list kept = { 0 };
	scn_drill *d = NULL;
	scn_record *rec = NULL;
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
	if (rc == 0) rc = prepare_copy(src, o, err);
	eng_journal_close(src, NULL);
	if (rc) goto out;
	scn_resume_opts ro = { .tStop = o->tFrom };
	if (!(d = scn_resume_open(o->zOut, &ro, &rec, NULL, err))) {
		rc = err ? err->code : KY_EIO;
		ky_err_prefix(err, "re-playing %s to the start of the what-if", o->zSource);
		goto out;
	}
	rc = continue_run(d, o, &kept, res, err);
	if (rc == 0) {
		*pSummary = scn_drill_summary_json(d);
		if (o->bAlt) json_object_set_new(*pSummary, "actions_not_played", json_integer(0));
	}
	int rc2 = scn_record_close(rec, rc ? NULL : err);
	if (rc == 0) rc = rc2;
out:
	scn_drill_free(d);
	list_free(&kept);
	if (rc) {
		json_decref(*pSummary);
		*pSummary = NULL;
		remove_journal(o->zOut);
	}
	return rc;
}
