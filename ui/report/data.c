/* data (report): see data.h. One walk per table; rows become jansson values. */
#include "ui/report/data.h"

#include <stdlib.h>
#include <string.h>

#include "engine/journal.h"

/* Event kinds the report reads (the journal also holds one row per alert and per action result, which the
 * actions table and the fleet samples already summarise). */
static const char *const azEventPrefix[] = { "attack.", "scenario.", "score.change", "log", "c2.", "vsoc.", "ota.",
	                                         "service.", "ingest.", "drill.", NULL };

static json_t *parse_or_null(const char *z) {
	return z ? json_loads(z, JSON_DECODE_ANY, NULL) : NULL;
}

/* Sets key k of o to the JSON parsed from z (or to the text itself when it is not JSON; nothing for NULL). */
static void set_json(json_t *o, const char *k, const char *z) {
	if (!z) return;
	json_t *v = json_loads(z, JSON_DECODE_ANY, NULL);
	json_object_set_new(o, k, v ? v : json_string(z));
}

static void set_str(json_t *o, const char *k, const char *z) {
	if (z) json_object_set_new(o, k, json_string(z));
}

/* ---- table walks ---- */

static int row_inject(void *ctx, const eng_journal_row *r) {
	rep_data *d = ctx;
	json_t *o = json_pack("{s:I}", "t_us", (json_int_t)r->t);
	set_json(o, "msg", r->zJson);
	json_object_set_new(d->injects, r->zInject ? r->zInject : "", o);
	return 0;
}

static int row_delivery(void *ctx, const eng_journal_row *r) {
	json_t *a = ctx;
	json_array_append_new(a, json_pack("{s:s?,s:s?,s:I}", "inject", r->zInject, "team", r->zTeam, "t_us", (json_int_t)r->t));
	return 0;
}

static int row_message(void *ctx, const eng_journal_row *r) {
	rep_data *d = ctx;
	json_t *o = json_pack("{s:I,s:s?,s:s?}", "t_us", (json_int_t)r->t, "from", r->zFrom, "to", r->zTo);
	set_json(o, "msg", r->zJson);
	json_array_append_new(d->messages, o);
	return 0;
}

static int row_action(void *ctx, const eng_journal_row *r) {
	rep_data *d = ctx;
	json_t *o = json_pack("{s:I,s:s?,s:I,s:s?}", "seq", (json_int_t)r->seq, "team", r->zTeam, "t_us", (json_int_t)r->t,
	                      "kind", r->zKind);
	set_str(o, "id", r->zClientId);
	set_json(o, "args", r->zArgs);
	set_json(o, "result", r->zResult);
	set_str(o, "inject", r->zInject);
	set_str(o, "by", r->zActor);
	if (!json_object_get(o, "args")) json_object_set_new(o, "args", json_object());
	json_array_append_new(d->actions, o);
	return 0;
}

static int row_grade(void *ctx, const eng_journal_row *r) {
	rep_data *d = ctx;
	json_array_append_new(d->grades, json_pack("{s:I,s:I,s:f,s:s}", "seq", (json_int_t)r->seq, "t_us", (json_int_t)r->t,
	                                           "points", r->value, "comment", r->zText ? r->zText : ""));
	return 0;
}

static int row_score(void *ctx, const eng_journal_row *r) {
	rep_data *d = ctx;
	const char *zTeam = r->zTeam ? r->zTeam : "";
	json_t *a = json_object_get(d->scores, zTeam);
	if (!a) {
		a = json_array();
		json_object_set_new(d->scores, zTeam, a);
	}
	json_array_append_new(a, json_pack("[I,f]", (json_int_t)r->t, r->value));
	return 0;
}

/* The fleet numbers the report uses (charts, story, findings); the rest of a sample is not read. */
static const char *const azMetric[] = { "total", "compromised", "patched", "offline", "bricked", "harm", NULL };

/* Skips one JSON value at p (string, number, literal, object or array); returns the byte after it, or NULL. */
static const char *skip_value(const char *p) {
	int depth = 0;
	do {
		while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r' || *p == ',' || *p == ':') p++;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) if (*p == '\\' && p[1]) p++;
			if (!*p) return NULL;
			p++;
		} else if (*p == '{' || *p == '[') {
			depth++, p++;
		} else if (*p == '}' || *p == ']') {
			depth--, p++;
		} else if (*p) {
			while (*p && *p != ',' && *p != '}' && *p != ']') p++;
		} else {
			return NULL;
		}
	} while (depth > 0);
	return p;
}

/* A fleet sample: only its top-level numbers named in azMetric, read straight from the text (a 1,000,000-car
 * drill has samples of 30 keys every minute: parsing each whole was most of the report's time). */
static int row_metrics(void *ctx, const eng_journal_row *r) {
	rep_data *d = ctx;
	const char *p = r->zJson;
	json_t *o = json_pack("{s:I}", "t_us", (json_int_t)r->t);
	while (p && *p && *p != '{') p++;
	if (!p || !*p || !o) {
		json_decref(o);
		return 0;
	}
	for (p++;;) {
		while (*p == ' ' || *p == ',' || *p == '\n' || *p == '\t' || *p == '\r') p++;
		if (*p != '"') break;
		const char *zKey = p + 1, *zEnd = strchr(zKey, '"');
		if (!zEnd) break;
		p = zEnd + 1;
		while (*p == ' ' || *p == ':') p++;
		for (int i = 0; azMetric[i]; i++) {
			if (strlen(azMetric[i]) != (size_t)(zEnd - zKey) || strncmp(azMetric[i], zKey, (size_t)(zEnd - zKey))) continue;
			char *zNum;
			double v = strtod(p, &zNum);
			if (zNum != p) json_object_set_new(o, azMetric[i], v == (double)(json_int_t)v ? json_integer((json_int_t)v) : json_real(v));
		}
		if (!(p = skip_value(p))) break;
	}
	json_array_append_new(d->metrics, o);
	return 0;
}

static int row_adhoc(void *ctx, const eng_journal_row *r) {
	rep_data *d = ctx;
	json_t *o = json_pack("{s:I}", "t_us", (json_int_t)r->t);
	set_json(o, "msg", r->zJson);
	json_array_append_new(d->adhoc, o);
	return 0;
}

/* Feedback: the latest submission of each (team, participant) replaces the earlier ones, in first-seen order. */
static int row_feedback(void *ctx, const eng_journal_row *r) {
	rep_data *d = ctx;
	json_t *o = json_pack("{s:s?,s:s?,s:s?,s:I,s:s?}", "team", r->zTeam, "participant", r->zParticipant, "name", r->zActor,
	                      "t_us", (json_int_t)r->t, "at", r->zText);
	json_t *ans = parse_or_null(r->zJson);
	json_object_set_new(o, "answers", json_is_object(ans) ? ans : json_object());
	if (!json_is_object(ans)) json_decref(ans);
	size_t i;
	json_t *v;
	json_array_foreach(d->feedback, i, v) {
		if (json_equal(json_object_get(v, "team"), json_object_get(o, "team")) &&
		    json_equal(json_object_get(v, "participant"), json_object_get(o, "participant"))) {
			json_array_set_new(d->feedback, i, o);
			return 0;
		}
	}
	json_array_append_new(d->feedback, o);
	return 0;
}

static int row_event(void *ctx, eng_time_t t, const char *zKind, const char *zSubject, const char *zDetail) {
	json_t *a = ctx;
	json_t *o = json_pack("{s:I,s:s,s:s}", "t_us", (json_int_t)t, "kind", zKind ? zKind : "", "subject", zSubject ? zSubject : "");
	set_json(o, "detail", zDetail);
	json_array_append_new(a, o);
	return 0;
}

typedef struct rep__ev { long long t; size_t i; } rep__ev;

static int ev_cmp(const void *pa, const void *pb) {
	const rep__ev *a = pa, *b = pb;
	if (a->t != b->t) return a->t < b->t ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* Events of every wanted kind, merged into time order (stable: each prefix's walk is in time order already). */
static int load_events(rep_data *d, eng_journal *j, ky_err *err) {
	json_t *all = json_array();
	for (int i = 0; azEventPrefix[i]; i++) {
		int rc = eng_journal_events_kind(j, azEventPrefix[i], row_event, all, err);
		if (rc) {
			json_decref(all);
			return rc;
		}
	}
	size_t n = json_array_size(all);
	rep__ev *a = malloc((n ? n : 1) * sizeof *a);
	if (!a) {
		json_decref(all);
		return ky_err_set(err, KY_ENOMEM, "report: out of memory");
	}
	for (size_t i = 0; i < n; i++) a[i] = (rep__ev){ json_integer_value(json_object_get(json_array_get(all, i), "t_us")), i };
	qsort(a, n, sizeof *a, ev_cmp);
	for (size_t i = 0; i < n; i++) json_array_append(d->events, json_array_get(all, a[i].i));
	free(a);
	json_decref(all);
	return 0;
}

/* ---- metadata ---- */

static const char *meta_text(rep_data *d, eng_journal *j, const char *zKey) {
	char *z = eng_journal_meta_get(j, zKey, NULL);
	if (!z) return NULL;
	json_object_set_new(d->pMeta, zKey, json_string(z));
	free(z);
	return json_string_value(json_object_get(d->pMeta, zKey));
}

/* meta zKey parsed as JSON into *pOut (NULL when absent); KY_EPARSE when present and not JSON. */
static int meta_json(eng_journal *j, const char *zKey, json_t **pOut, const char *zPath, ky_err *err) {
	char *z = eng_journal_meta_get(j, zKey, NULL);
	*pOut = NULL;
	if (!z) return 0;
	json_error_t je;
	*pOut = json_loads(z, 0, &je);
	free(z);
	if (!*pOut) return ky_err_set(err, KY_EPARSE, "%s: meta '%s' is not JSON: %s", zPath, zKey, je.text);
	return 0;
}

/* A plan from the exercise's inject list when the journal has no `plan` (older journals): the injects' times,
 * recipients and titles, the severity and body of those sent; no expectations beyond the summary's. */
static json_t *plan_rebuild(rep_data *d) {
	json_t *plan = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(d->exercise, "inject_list"), i, v) {
		const char *zId = json_string_value(json_object_get(v, "id"));
		json_t *msg = json_object_get(json_object_get(d->injects, zId ? zId : ""), "msg");
		json_t *o = json_pack("{s:O,s:O,s:O,s:O,s:s,s:s,s:[],s:b}", "id", json_object_get(v, "id"), "at_us",
		                      json_object_get(v, "at_us"), "to", json_object_get(v, "to"), "title", json_object_get(v, "title"),
		                      "severity", msg && json_object_get(msg, "severity") ? json_string_value(json_object_get(msg, "severity")) : "medium",
		                      "body", msg && json_object_get(msg, "body") ? json_string_value(json_object_get(msg, "body")) : "",
		                      "expects", "sent", msg != NULL);
		if (o) json_array_append_new(plan, o);
	}
	/* expectations from the summary, attached to their inject */
	json_array_foreach(rep_data_expectations(d), i, v) {
		size_t k;
		json_t *p;
		json_array_foreach(plan, k, p) {
			if (!json_equal(json_object_get(p, "id"), json_object_get(v, "inject"))) continue;
			json_t *e = json_pack("{s:O,s:O,s:O,s:O}", "action", json_object_get(v, "kind"), "within_us",
			                      json_object_get(v, "within_us"), "points", json_object_get(v, "points"), "team",
			                      json_object_get(v, "team"));
			if (e && json_object_get(v, "args")) json_object_set(e, "args", json_object_get(v, "args"));
			if (e) json_array_append_new(json_object_get(p, "expects"), e);
		}
	}
	return plan;
}

static void load_teams(rep_data *d) {
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(d->exercise, "teams"), i, v) {
		json_t *o = json_is_string(v) ? json_pack("{s:O,s:O}", "id", v, "name", v) : json_deep_copy(v);
		if (!o) continue;
		if (!json_object_get(o, "name")) json_object_set(o, "name", json_object_get(o, "id"));
		json_array_append_new(d->teams, o);
	}
	json_t *orgs = json_object_get(d->exercise, "orgs");
	if (json_is_array(orgs)) {
		json_array_foreach(orgs, i, v) {
			const char *zId = json_string_value(json_object_get(v, "id"));
			if (zId) json_object_set_new(d->orgs, zId, json_deep_copy(v));
		}
	} else if (json_is_object(orgs)) {
		json_object_update(d->orgs, orgs);
	}
}

/* ---- load / free ---- */

static int load_tables(rep_data *d, eng_journal *j, ky_err *err) {
	struct { const char *zTable; eng_journal_row_fn fn; void *ctx; } a[] = {
		{ "injects", row_inject, d },          { "deliveries", row_delivery, d->deliveries },
		{ "reads", row_delivery, d->reads },   { "messages", row_message, d },
		{ "actions", row_action, d },          { "grades", row_grade, d },
		{ "scores", row_score, d },            { "metrics", row_metrics, d },
		{ "feedback", row_feedback, d },       { "adhoc", row_adhoc, d },
	};
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
		int rc = eng_journal_rows(j, a[i].zTable, a[i].fn, a[i].ctx, err);
		if (rc) return rc;
	}
	return load_events(d, j, err);
}

rep_data *rep_data_load(const char *zDb, ky_err *err) {
	eng_journal *j = eng_journal_open(zDb, ENG_JOURNAL_READONLY, err);
	if (!j) return NULL;
	rep_data *d = calloc(1, sizeof *d);
	int rc = d ? 0 : ky_err_set(err, KY_ENOMEM, "report: out of memory");
	if (rc == 0) {
		d->zPath = strdup(zDb);
		d->pMeta = json_object();
		d->teams = json_array();
		d->orgs = json_object();
		d->injects = json_object();
		d->deliveries = json_array();
		d->reads = json_array();
		d->messages = json_array();
		d->actions = json_array();
		d->grades = json_array();
		d->scores = json_object();
		d->metrics = json_array();
		d->events = json_array();
		d->feedback = json_array();
		d->adhoc = json_array();
		if (!d->zPath || !d->pMeta || !d->adhoc) rc = ky_err_set(err, KY_ENOMEM, "report: out of memory");
	}
	if (rc == 0) rc = meta_json(j, "exercise", &d->exercise, zDb, err);
	if (rc == 0 && !json_is_object(d->exercise)) rc = ky_err_set(err, KY_ENOENT, "%s: no drill recorded in it (no exercise header)", zDb);
	if (rc == 0) rc = meta_json(j, "summary", &d->summary, zDb, err);
	if (rc == 0) rc = meta_json(j, "plan", &d->plan, zDb, err);
	if (rc == 0) {
		d->zStartedAt = meta_text(d, j, "started_at");
		d->zEndedAt = meta_text(d, j, "ended_at");
		d->zVersion = meta_text(d, j, "kyodo_version");
		d->zScenarioId = meta_text(d, j, "scenario_id");
		d->zSha = meta_text(d, j, "scenario_sha256");
		const char *zSeed = meta_text(d, j, "seed");
		d->seed = zSeed ? atoll(zSeed) : 0;
		rc = load_tables(d, j, err);
	}
	eng_journal_close(j, NULL);
	if (rc) {
		rep_data_free(d);
		return NULL;
	}
	load_teams(d);
	d->bPlanFull = json_is_array(d->plan);
	if (!d->bPlanFull) {
		json_decref(d->plan);
		d->plan = plan_rebuild(d);
	}
	json_t *end = json_object_get(d->summary, "sim_end_us");
	json_t *last = json_array_get(d->metrics, json_array_size(d->metrics) - 1);
	d->tEnd = json_is_integer(end) ? json_integer_value(end) : last ? json_integer_value(json_object_get(last, "t_us")) : 0;
	return d;
}

void rep_data_free(rep_data *d) {
	if (!d) return;
	json_t *a[] = { d->exercise, d->summary, d->plan, d->teams, d->orgs, d->injects, d->deliveries, d->reads,
		            d->messages, d->actions, d->grades, d->scores, d->metrics, d->events, d->feedback, d->adhoc, d->pMeta };
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) json_decref(a[i]);
	free(d->zPath);
	free(d);
}

/* ---- lookups ---- */

static json_t *team_obj(const rep_data *d, const char *zTeam) {
	size_t i;
	json_t *v;
	json_array_foreach(d->teams, i, v) {
		const char *z = json_string_value(json_object_get(v, "id"));
		if (z && zTeam && !strcmp(z, zTeam)) return v;
	}
	return NULL;
}

const char *rep_data_team_name(const rep_data *d, const char *zTeam) {
	const char *z = json_string_value(json_object_get(team_obj(d, zTeam), "name"));
	return z ? z : zTeam ? zTeam : "";
}

const char *rep_data_team_org(const rep_data *d, const char *zTeam) {
	return json_string_value(json_object_get(team_obj(d, zTeam), "org"));
}

const char *rep_data_org_name(const rep_data *d, const char *zOrg) {
	const char *z = json_string_value(json_object_get(json_object_get(d->orgs, zOrg ? zOrg : ""), "name"));
	return z ? z : zOrg ? zOrg : "";
}

json_t *rep_data_expectations(const rep_data *d) {
	json_t *e = json_object_get(d->summary, "expectations");
	return json_is_array(e) ? e : NULL;
}

double rep_data_final_score(const rep_data *d, const char *zTeam) {
	json_t *a = json_object_get(d->scores, zTeam ? zTeam : "");
	if (json_array_size(a) > 0) return json_number_value(json_array_get(json_array_get(a, json_array_size(a) - 1), 1));
	return json_number_value(json_object_get(json_object_get(json_object_get(d->summary, "teams"), zTeam ? zTeam : ""), "score"));
}
