/* find (report): see find.h for the rules. Findings are candidates with a weight (how much they mattered in
 * points, cars or errors); the three heaviest of each side make the executive summary, every improvement a row
 * of the improvement plan. Deterministic: ties break by time, then by the order the journal gave. */
#include "ui/report/find.h"
#include "ui/report/msel.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Action kind -> the capability (objective) it evidences, and the corrective action a miss suggests. One table. */
static const struct {
	const char *zKind, *zObjective, *zFix;
} aKind[] = {
	{ "triage", "obj.detect", "fix.triage" },
	{ "block_indicator", "obj.contain", "fix.block_indicator" },
	{ "isolate_service", "obj.contain", "fix.isolate_service" },
	{ "revoke_certificate", "obj.contain", "fix.revoke_certificate" },
	{ "disable_feature", "obj.contain", "fix.disable_feature" },
	{ "ota_campaign", "obj.remediate", "fix.ota_campaign" },
	{ "restore_service", "obj.recover", "fix.restore_service" },
	{ "pause_ota_campaign", "obj.contain", "fix.pause_ota_campaign" },
	{ "resume_ota_campaign", "obj.recover", "fix.restore_service" },
	{ "contact", "obj.coordinate", "fix.contact" },
	{ "rotate_credential", "obj.contain", "fix.rotate_credential" },
	{ "recall", "obj.remediate", "fix.recall" },
	{ "customer_advisory", "obj.notify", "fix.customer_advisory" },
	{ "assess", "obj.assess", "fix.assess" },
	{ "share", "obj.share", "fix.share" },
	{ "notify", "obj.notify", "fix.notify" },
	{ "report", "obj.report", "fix.report" },
};

static int kind_index(const char *zKind) {
	for (size_t i = 0; zKind && i < sizeof aKind / sizeof aKind[0]; i++)
		if (!strcmp(aKind[i].zKind, zKind)) return (int)i;
	return -1;
}

const char *rep_find_objective_key(const char *zKind) {
	int i = kind_index(zKind);
	return i < 0 ? "obj.other" : aKind[i].zObjective;
}

static const char *fix_key(const char *zKind) {
	int i = kind_index(zKind);
	return i < 0 ? "fix.other" : aKind[i].zFix;
}

const char *rep_find_rating(double earned, double possible, int bAllInWindow) {
	if (possible <= 0) return "U";
	double f = earned / possible;
	if (bAllInWindow && f >= 1 - 1e-9) return "P";
	if (f >= 2.0 / 3.0 - 1e-9) return "S";
	if (f > 1e-9) return "M";
	return "U";
}

/* ---- small helpers ---- */

typedef struct find_ctx {
	const rep_data *d;
	rep_lang lang;
	json_t *model;
	json_t *strengths, *improvements;
} find_ctx;

static const char *str(json_t *o, const char *k) {
	const char *z = json_string_value(json_object_get(o, k));
	return z ? z : "";
}

static long long ival(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static double nval(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }

static const char *kind_label(find_ctx *c, const char *zKind) {
	char zKey[64];
	snprintf(zKey, sizeof zKey, "kind.%s", zKind);
	const char *z = rep_msg(c->lang, zKey);
	return strcmp(z, zKey) ? z : zKind;
}

/* What an expectation asks, for people: the kind's label and its args as key=value ("notify party=regulator"). */
static char *what_of(find_ctx *c, const char *zKind, json_t *args) {
	rep_buf b, a;
	rep_buf_init(&b);
	rep_buf_init(&a);
	rep_buf_puts(&b, kind_label(c, zKind));
	rep_msel_action(&a, "", args);
	if (a.z && *a.z) rep_buf_puts(&b, a.z); /* " k=v ..." */
	rep_buf_free(&a);
	if (b.bOom) {
		rep_buf_free(&b);
		return NULL;
	}
	return b.z;
}

/* The owner of a team's finding: its org's name with orgs, else the team's name. */
static const char *owner_of(const rep_data *d, const char *zTeam) {
	const char *zOrg = rep_data_team_org(d, zTeam);
	return zOrg ? rep_data_org_name(d, zOrg) : rep_data_team_name(d, zTeam);
}

/* Appends a finding: text (stolen), corrective text (stolen, may be NULL). */
static void add_finding(find_ctx *c, json_t *list, double weight, eng_time_t t, const char *zTeam, char *zText,
                        char *zFix, const char *zObjective) {
	json_t *o = json_pack("{s:s?,s:f,s:I,s:s}", "text", zText, "weight", weight, "t_us", (json_int_t)t, "owner",
	                      zTeam ? owner_of(c->d, zTeam) : rep_msg(c->lang, "owner.control"));
	if (o && zTeam) json_object_set_new(o, "team", json_string(zTeam));
	if (o && zFix) json_object_set_new(o, "corrective", json_string(zFix));
	if (o && zObjective) json_object_set_new(o, "objective", json_string(zObjective));
	if (o) json_array_append_new(list, o);
	free(zText);
	free(zFix);
}

/* ---- per expectation: objective from the plan (the k-th expectation of an inject is the k-th in the plan) ---- */

static json_t *plan_inject(const rep_data *d, const char *zInject) {
	size_t i;
	json_t *p;
	json_array_foreach(d->plan, i, p) if (!strcmp(str(p, "id"), zInject)) return p;
	return NULL;
}

/* The objective text of summary expectation e, which is the k-th of its inject. */
static const char *objective_of(find_ctx *c, json_t *e, size_t k) {
	json_t *pe = json_array_get(json_object_get(plan_inject(c->d, str(e, "inject")), "expects"), k);
	const char *z = json_string_value(json_object_get(pe, "objective"));
	if (z && *z && !strcmp(str(pe, "action"), str(e, "kind"))) return z;
	return rep_msg(c->lang, rep_find_objective_key(str(e, "kind")));
}

/* ---- teams ---- */

static void add_objective(find_ctx *c, const char *zObj) {
	json_t *a = json_object_get(c->model, "objectives");
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) if (!strcmp(json_string_value(v), zObj)) return;
	json_array_append_new(a, json_string(zObj));
}

/* The team's expectations (from the summary), with their objective and response time; totals into t. */
static void team_expectations(find_ctx *c, json_t *t, const char *zTeam) {
	json_t *out = json_array();
	json_t *all = rep_data_expectations(c->d);
	size_t i;
	json_t *e;
	int met = 0, missed = 0, late = 0, unfired = 0, pending = 0;
	double possible = 0, earned = 0;
	json_array_foreach(all, i, e) {
		/* k: position of e among its inject's expectations (all teams), to find its plan entry */
		size_t k = 0;
		for (size_t m = 0; m < i; m++) k += !strcmp(str(json_array_get(all, m), "inject"), str(e, "inject"));
		if (strcmp(str(e, "team"), zTeam)) continue;
		const char *zStatus = str(e, "status");
		const char *zObj = objective_of(c, e, k);
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:f,s:s,s:f}", "label", str(e, "label"), "inject", str(e, "inject"),
		                      "kind", str(e, "kind"), "objective", zObj, "within_us", (json_int_t)ival(e, "within_us"), "points",
		                      nval(e, "points"), "status", zStatus, "awarded", nval(e, "awarded"));
		if (json_object_get(e, "opened_us")) json_object_set(o, "opened_us", json_object_get(e, "opened_us"));
		char *zWhat = what_of(c, str(e, "kind"), json_object_get(e, "args"));
		json_object_set_new(o, "what", json_string(zWhat ? zWhat : str(e, "kind")));
		free(zWhat);
		if (!strcmp(zStatus, "met")) {
			long long r = ival(e, "met_us") - ival(e, "opened_us");
			json_object_set_new(o, "response_us", json_integer(r));
			met++;
			if (r > ival(e, "within_us")) late++, json_object_set_new(o, "late", json_true());
		}
		missed += !strcmp(zStatus, "missed");
		unfired += !strcmp(zStatus, "unfired");
		pending += !strcmp(zStatus, "pending");
		if (strcmp(zStatus, "unfired") != 0) {
			possible += nval(e, "points");
			earned += nval(e, "awarded");
			add_objective(c, zObj);
		}
		json_array_append_new(out, o);
	}
	json_object_set_new(t, "expectations", out);
	json_object_set_new(t, "met", json_integer(met));
	json_object_set_new(t, "missed", json_integer(missed));
	json_object_set_new(t, "late", json_integer(late));
	json_object_set_new(t, "unfired", json_integer(unfired));
	json_object_set_new(t, "pending", json_integer(pending));
	json_object_set_new(t, "possible", json_real(possible));
	json_object_set_new(t, "earned", json_real(earned));
}

/* P/S/M/U per objective over the team's delivered expectations, objectives in first-seen order. */
static void team_ratings(json_t *t) {
	json_t *ratings = json_array();
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(t, "expectations"), i, e) {
		if (!strcmp(str(e, "status"), "unfired")) continue;
		const char *zObj = str(e, "objective");
		json_t *r = NULL, *v;
		size_t k;
		json_array_foreach(ratings, k, v) if (!strcmp(str(v, "objective"), zObj)) r = v;
		if (!r) {
			r = json_pack("{s:s,s:f,s:f,s:i,s:b}", "objective", zObj, "earned", 0.0, "possible", 0.0, "n", 0, "all", 1);
			json_array_append_new(ratings, r);
		}
		int bInWindow = !strcmp(str(e, "status"), "met") && !json_is_true(json_object_get(e, "late"));
		json_object_set_new(r, "earned", json_real(nval(r, "earned") + nval(e, "awarded")));
		json_object_set_new(r, "possible", json_real(nval(r, "possible") + nval(e, "points")));
		json_object_set_new(r, "n", json_integer(ival(r, "n") + 1));
		if (!bInWindow) json_object_set_new(r, "all", json_false());
	}
	json_t *r;
	json_array_foreach(ratings, i, r) {
		json_object_set_new(r, "rating", json_string(rep_find_rating(nval(r, "earned"), nval(r, "possible"),
		                                                              json_is_true(json_object_get(r, "all")))));
		json_object_del(r, "all");
	}
	json_object_set_new(t, "ratings", ratings);
}

/* The team's action of seq, or NULL. */
static json_t *action_of(const rep_data *d, long long seq) {
	json_t *a = json_array_get(d->actions, (size_t)(seq - 1));
	if (a && ival(a, "seq") == seq) return a;
	size_t i;
	json_array_foreach(d->actions, i, a) if (ival(a, "seq") == seq) return a;
	return NULL;
}

/* A refused action: the world's refusal is recorded as result {"error":"message"} (a string; assess's numeric
 * `error` is its relative error, not a refusal). */
static const char *refusal(json_t *a) {
	return json_string_value(json_object_get(json_object_get(a, "result"), "error"));
}

/* A world-changing action that touched nothing the incident used: result.effective false (CONTRACT §2), or a
 * block that matched no campaign. */
static int ineffective(json_t *a) {
	json_t *r = json_object_get(a, "result"), *eff = json_object_get(r, "effective");
	if (json_is_boolean(eff)) return json_is_false(eff);
	return !strcmp(str(a, "kind"), "block_indicator") && json_is_integer(json_object_get(r, "matched")) && ival(r, "matched") == 0;
}

static void team_actions(find_ctx *c, json_t *t, const char *zTeam) {
	int n = 0, nRefused = 0, nShares = 0, nIneffective = 0;
	json_t *by = json_array(), *refusals = json_array(), *grades = json_array(), *pens = json_array();
	size_t i, k;
	json_t *a, *v;
	json_array_foreach(c->d->actions, i, a) {
		if (strcmp(str(a, "team"), zTeam)) continue;
		n++;
		nShares += !strcmp(str(a, "kind"), "share");
		if (ineffective(a) && !refusal(a)) {
			if (!nIneffective++) json_object_set_new(t, "ineffective_first", json_pack("{s:s,s:O,s:I}", "kind", str(a, "kind"),
			                                                                            "args", json_object_get(a, "args"), "t_us", (json_int_t)ival(a, "t_us")));
		}
		const char *zErr = refusal(a);
		if (zErr) {
			nRefused++;
			json_array_append_new(refusals, json_pack("{s:I,s:s,s:s,s:I}", "seq", (json_int_t)ival(a, "seq"), "kind",
			                                          str(a, "kind"), "error", zErr, "t_us", (json_int_t)ival(a, "t_us")));
		}
		const char *zBy = json_string_value(json_object_get(a, "by"));
		int bSeen = !zBy;
		json_array_foreach(by, k, v) bSeen |= zBy && !strcmp(json_string_value(v), zBy);
		if (!bSeen) json_array_append_new(by, json_string(zBy));
	}
	/* grades: the last grade of each seq counts (a second grade replaces the first) */
	json_array_foreach(c->d->grades, i, v) {
		json_t *act = action_of(c->d, ival(v, "seq"));
		if (!act || strcmp(str(act, "team"), zTeam)) continue;
		json_t *g = json_pack("{s:I,s:s,s:f,s:s,s:I}", "seq", (json_int_t)ival(v, "seq"), "kind", str(act, "kind"), "points",
		                      nval(v, "points"), "comment", str(v, "comment"), "t_us", (json_int_t)ival(v, "t_us"));
		json_t *old;
		size_t j, iOld = (size_t)-1;
		json_array_foreach(grades, j, old) if (ival(old, "seq") == ival(v, "seq")) iOld = j;
		if (iOld != (size_t)-1) json_array_set_new(grades, iOld, g);
		else json_array_append_new(grades, g);
	}
	/* penalties: the score changes the drill recorded for the team */
	json_array_foreach(c->d->events, i, v) {
		if (strcmp(str(v, "kind"), "score.change") || strcmp(str(v, "subject"), zTeam)) continue;
		json_t *eff;
		json_array_foreach(json_object_get(json_object_get(v, "detail"), "effects"), k, eff) {
			if (strcmp(str(eff, "type"), "penalty")) continue;
			json_array_append_new(pens, json_pack("{s:s,s:f,s:I}", "reason", str(eff, "reason"), "points", nval(eff, "points"),
			                                      "t_us", (json_int_t)ival(v, "t_us")));
		}
	}
	json_object_set_new(t, "actions", json_integer(n));
	json_object_set_new(t, "refused", json_integer(nRefused));
	json_object_set_new(t, "ineffective", json_integer(nIneffective));
	json_object_set_new(t, "shares", json_integer(nShares));
	json_object_set_new(t, "by", by);
	json_object_set_new(t, "refusals", refusals);
	json_object_set_new(t, "grades", grades);
	json_object_set_new(t, "penalties", pens);
}

static void analyse_teams(find_ctx *c) {
	json_t *teams = json_object_get(c->model, "teams");
	size_t i;
	json_t *v;
	json_array_foreach(c->d->teams, i, v) {
		const char *zTeam = str(v, "id");
		const char *zOrg = rep_data_team_org(c->d, zTeam);
		json_t *t = json_pack("{s:s,s:s,s:f}", "id", zTeam, "name", rep_data_team_name(c->d, zTeam), "score",
		                      rep_data_final_score(c->d, zTeam));
		if (zOrg) {
			json_object_set_new(t, "org", json_string(zOrg));
			json_object_set_new(t, "org_name", json_string(rep_data_org_name(c->d, zOrg)));
		}
		team_expectations(c, t, zTeam);
		team_ratings(t);
		team_actions(c, t, zTeam);
		json_array_append_new(teams, t);
	}
}

/* ---- response per inject and team (the chart) ---- */

static void analyse_response(find_ctx *c) {
	json_t *out = json_object_get(c->model, "response");
	size_t i, k;
	json_t *t, *e;
	json_array_foreach(json_object_get(c->model, "teams"), i, t) {
		json_array_foreach(json_object_get(t, "expectations"), k, e) {
			if (!strcmp(str(e, "status"), "unfired")) continue;
			/* one row per (inject, team): the fastest met expectation, else the shortest window */
			json_t *row = NULL, *r;
			size_t m;
			json_array_foreach(out, m, r) if (!strcmp(str(r, "inject"), str(e, "inject")) && !strcmp(str(r, "team"), str(t, "id"))) row = r;
			json_t *resp = json_object_get(e, "response_us");
			if (!row) {
				row = json_pack("{s:s,s:s,s:I,s:s}", "inject", str(e, "inject"), "team", str(t, "id"), "within_us",
				                (json_int_t)ival(e, "within_us"), "status",
				                resp ? (json_is_true(json_object_get(e, "late")) ? "late" : "met") : str(e, "status"));
				if (resp) json_object_set(row, "response_us", resp); /* absent when not met */
				json_array_append_new(out, row);
				continue;
			}
			json_t *old = json_object_get(row, "response_us");
			if (resp && (!old || json_integer_value(resp) < json_integer_value(old))) {
				json_object_set(row, "response_us", resp);
				json_object_set(row, "within_us", json_object_get(e, "within_us"));
				json_object_set_new(row, "status", json_string(json_is_true(json_object_get(e, "late")) ? "late" : "met"));
			} else if (!old && ival(e, "within_us") < ival(row, "within_us")) {
				json_object_set(row, "within_us", json_object_get(e, "within_us"));
			}
		}
	}
}

/* ---- findings ---- */

static void strengths_from_expectations(find_ctx *c) {
	size_t i, k;
	json_t *t, *e;
	char z1[48], z2[48];
	json_array_foreach(json_object_get(c->model, "teams"), i, t) {
		const char *zTeam = str(t, "id"), *zName = str(t, "name");
		json_array_foreach(json_object_get(t, "expectations"), k, e) {
			json_t *resp = json_object_get(e, "response_us");
			long long w = ival(e, "within_us");
			if (!resp || w <= 0 || json_integer_value(resp) * 2 > w) continue;
			double weight = nval(e, "points") * (1.0 - (double)json_integer_value(resp) / (double)w);
			char *z = rep_msg_str(c->lang, "find.fast", "team", zName, "kind", str(e, "what"), "label",
			                      str(e, "label"), "time", rep_dur(c->lang, json_integer_value(resp), z1, sizeof z1), "window",
			                      rep_dur(c->lang, w, z2, sizeof z2), NULL);
			add_finding(c, c->strengths, weight, ival(e, "opened_us") + json_integer_value(resp), zTeam, z, NULL, str(e, "objective"));
		}
		/* every delivered expectation met in time, at least two of them */
		if (ival(t, "met") >= 2 && ival(t, "missed") == 0 && ival(t, "late") == 0 && ival(t, "pending") == 0) {
			char zPts[32];
			snprintf(zPts, sizeof zPts, "%g", nval(t, "earned"));
			char *z = rep_msg_str(c->lang, "find.all_met", "team", zName, "n", (snprintf(z1, sizeof z1, "%lld", ival(t, "met")), z1),
			                      "points", zPts, NULL);
			add_finding(c, c->strengths, nval(t, "earned") / 2, 0, zTeam, z, NULL, NULL);
		}
	}
}

static void improvements_from_expectations(find_ctx *c) {
	size_t i, k;
	json_t *t, *e;
	char z1[48], z2[48];
	json_array_foreach(json_object_get(c->model, "teams"), i, t) {
		const char *zTeam = str(t, "id"), *zName = str(t, "name");
		json_array_foreach(json_object_get(t, "expectations"), k, e) {
			const char *zKind = str(e, "kind"), *zStatus = str(e, "status");
			long long w = ival(e, "within_us");
			char *zFix = rep_msg_str(c->lang, fix_key(zKind), NULL);
			if (!strcmp(zStatus, "missed")) {
				char *z = rep_msg_str(c->lang, "find.missed", "team", zName, "kind", str(e, "what"), "label",
				                      str(e, "label"), "window", rep_dur(c->lang, w, z1, sizeof z1), NULL);
				add_finding(c, c->improvements, nval(e, "points") + 1, ival(e, "opened_us") + w, zTeam, z, zFix, str(e, "objective"));
			} else if (json_is_true(json_object_get(e, "late"))) {
				long long r = json_integer_value(json_object_get(e, "response_us"));
				char *z = rep_msg_str(c->lang, "find.late", "team", zName, "kind", str(e, "what"), "label",
				                      str(e, "label"), "time", rep_dur(c->lang, r, z1, sizeof z1), "window",
				                      rep_dur(c->lang, w, z2, sizeof z2), NULL);
				add_finding(c, c->improvements, nval(e, "points") - nval(e, "awarded"), ival(e, "opened_us") + r, zTeam, z, zFix,
				            str(e, "objective"));
			} else {
				free(zFix);
			}
		}
	}
}

static void improvements_from_actions(find_ctx *c) {
	size_t i, k;
	json_t *t, *v;
	char zN[32], zP[32];
	json_array_foreach(json_object_get(c->model, "teams"), i, t) {
		const char *zTeam = str(t, "id"), *zName = str(t, "name");
		json_t *refs = json_object_get(t, "refusals");
		if (json_array_size(refs) > 0) {
			json_t *first = json_array_get(refs, 0);
			snprintf(zN, sizeof zN, "%zu", json_array_size(refs));
			char *z = rep_msg_str(c->lang, "find.refused", "team", zName, "n", zN, "kind", kind_label(c, str(first, "kind")),
			                      "error", str(first, "error"), NULL);
			add_finding(c, c->improvements, 4.0 * (double)json_array_size(refs), ival(first, "t_us"), zTeam, z,
			            rep_msg_str(c->lang, "fix.refused", NULL), NULL);
		}
		json_t *ineff = json_object_get(t, "ineffective_first");
		if (ineff) {
			snprintf(zN, sizeof zN, "%lld", ival(t, "ineffective"));
			char *zWhat = what_of(c, str(ineff, "kind"), json_object_get(ineff, "args"));
			char *z = rep_msg_str(c->lang, "find.ineffective", "team", zName, "n", zN, "what", zWhat ? zWhat : "", NULL);
			free(zWhat);
			add_finding(c, c->improvements, 5.0 * (double)ival(t, "ineffective"), ival(ineff, "t_us"), zTeam, z,
			            rep_msg_str(c->lang, "fix.ineffective", NULL), rep_msg(c->lang, rep_find_objective_key(str(ineff, "kind"))));
		}
		json_array_foreach(json_object_get(t, "penalties"), k, v) {
			snprintf(zP, sizeof zP, "%g", fabs(nval(v, "points")));
			char *z = rep_msg_str(c->lang, "find.penalty", "team", zName, "reason", str(v, "reason"), "points", zP, NULL);
			add_finding(c, c->improvements, fabs(nval(v, "points")), ival(v, "t_us"), zTeam, z,
			            rep_msg_str(c->lang, "fix.penalty", "reason", str(v, "reason"), NULL), NULL);
		}
		json_array_foreach(json_object_get(t, "grades"), k, v) {
			if (nval(v, "points") >= 0) continue;
			snprintf(zP, sizeof zP, "%g", fabs(nval(v, "points")));
			char *z = rep_msg_str(c->lang, "find.graded_down", "team", zName, "kind", kind_label(c, str(v, "kind")), "points", zP,
			                      "comment", str(v, "comment"), NULL);
			add_finding(c, c->improvements, fabs(nval(v, "points")), ival(v, "t_us"), zTeam, z,
			            rep_msg_str(c->lang, "fix.graded", NULL), NULL);
		}
	}
}

/* Shares: indicators passed on (a strength), and TLP:AMBER sent to every team (amber limits the recipients). */
static void findings_from_shares(find_ctx *c) {
	size_t i;
	json_t *a;
	char zN[32];
	json_array_foreach(c->d->actions, i, a) {
		if (strcmp(str(a, "kind"), "share") || refusal(a)) continue;
		json_t *args = json_object_get(a, "args");
		const char *zTlp = json_string_value(json_object_get(args, "tlp"));
		const char *zTo = str(args, "to");
		const char *zTeam = str(a, "team");
		size_t nInd = json_array_size(json_object_get(args, "indicators"));
		char zTlpU[32];
		snprintf(zTlpU, sizeof zTlpU, "TLP:%s", zTlp ? zTlp : "clear");
		for (char *p = zTlpU; *p; p++) *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		const char *zToName = !strcmp(zTo, "all") ? rep_msg(c->lang, "to.all") : rep_data_team_name(c->d, zTo);
		if (nInd > 0 && (!zTlp || strcmp(zTlp, "red"))) {
			snprintf(zN, sizeof zN, "%zu", nInd);
			char *z = rep_msg_str(c->lang, "find.shared", "team", rep_data_team_name(c->d, zTeam), "n", zN, "tlp", zTlpU, "to",
			                      zToName, NULL);
			add_finding(c, c->strengths, 3.0 * (double)nInd + (!strcmp(zTo, "all") ? 3 : 0), ival(a, "t_us"), zTeam, z, NULL,
			            rep_msg(c->lang, "obj.share"));
		}
		if (zTlp && !strncmp(zTlp, "amber", 5) && !strcmp(zTo, "all")) {
			char *z = rep_msg_str(c->lang, "find.amber_all", "team", rep_data_team_name(c->d, zTeam), "tlp", zTlpU, NULL);
			add_finding(c, c->improvements, 4, ival(a, "t_us"), zTeam, z, rep_msg_str(c->lang, "fix.tlp", NULL),
			            rep_msg(c->lang, "obj.share"));
		}
	}
}

/* Scenario errors (exercise control's to fix) and injects a team never opened (only when read receipts exist). */
static void findings_from_control(find_ctx *c) {
	size_t i, nErr = 0;
	json_t *v, *first = NULL;
	char zN[32];
	json_array_foreach(c->d->events, i, v) {
		if (strcmp(str(v, "kind"), "scenario.error")) continue;
		if (!nErr++) first = v;
	}
	if (nErr) {
		snprintf(zN, sizeof zN, "%zu", nErr);
		char *z = rep_msg_str(c->lang, "find.scenario_error", "n", zN, "where", str(first, "subject"), "message",
		                      str(json_object_get(first, "detail"), "message"), NULL);
		add_finding(c, c->improvements, 3.0 * (double)nErr, ival(first, "t_us"), NULL, z,
		            rep_msg_str(c->lang, "fix.scenario", NULL), NULL);
	}
	if (json_array_size(c->d->reads) == 0) return;
	json_t *t;
	json_array_foreach(json_object_get(c->model, "teams"), i, t) {
		size_t k, m, nUnread = 0;
		json_t *dl, *r;
		json_array_foreach(c->d->deliveries, k, dl) {
			if (strcmp(str(dl, "team"), str(t, "id"))) continue;
			int bRead = 0;
			json_array_foreach(c->d->reads, m, r) bRead |= !strcmp(str(r, "team"), str(t, "id")) && !strcmp(str(r, "inject"), str(dl, "inject"));
			nUnread += !bRead;
		}
		if (!nUnread) continue;
		snprintf(zN, sizeof zN, "%zu", nUnread);
		char *z = rep_msg_str(c->lang, "find.unread", "team", str(t, "name"), "n", zN, NULL);
		add_finding(c, c->improvements, 2.0 * (double)nUnread, 0, str(t, "id"), z, rep_msg_str(c->lang, "fix.unread", NULL),
		            rep_msg(c->lang, "obj.detect"));
	}
}

/* The first team expected to act with kind zKind (or, zKind NULL, with any world-changing kind), or NULL. */
static const char *team_expected(find_ctx *c, const char *zKind) {
	size_t i;
	json_t *e;
	json_array_foreach(rep_data_expectations(c->d), i, e) {
		const char *k = str(e, "kind");
		if (zKind ? !strcmp(k, zKind) : !strcmp(rep_find_objective_key(k), "obj.contain")) return str(e, "team");
	}
	return NULL;
}

/* The fleet at the end (the last metrics row): cars still compromised, cars bricked (the harm the world kept). */
static void findings_from_fleet(find_ctx *c) {
	json_t *last = json_array_get(c->d->metrics, json_array_size(c->d->metrics) - 1);
	if (!last) return;
	double total = nval(last, "total"), comp = nval(last, "compromised"), brick = nval(last, "bricked");
	char zN[32], zT[32];
	snprintf(zT, sizeof zT, "%.0f", total);
	if (comp > 0 && total > 0) {
		snprintf(zN, sizeof zN, "%.0f", comp);
		const char *zTeam = team_expected(c, NULL);
		add_finding(c, c->improvements, 2 + 40 * comp / total, c->d->tEnd, zTeam,
		            rep_msg_str(c->lang, "find.still_compromised", "n", zN, "total", zT, NULL),
		            rep_msg_str(c->lang, "fix.block_indicator", NULL), rep_msg(c->lang, "obj.contain"));
	}
	if (brick > 0) {
		snprintf(zN, sizeof zN, "%.0f", brick);
		const char *zTeam = team_expected(c, "ota_campaign");
		double w = 2 + brick / 5;
		add_finding(c, c->improvements, w > 30 ? 30 : w, c->d->tEnd, zTeam,
		            rep_msg_str(c->lang, "find.bricked", "n", zN, "total", zT, NULL),
		            rep_msg_str(c->lang, "fix.bricked", NULL), rep_msg(c->lang, "obj.remediate"));
	}
}

/* Impact (CONTRACT §1 `impact`, when the run computed it): the headline figure, a strength or a weakness. */
static void findings_from_impact(find_ctx *c) {
	json_t *imp = json_object_get(c->d->summary, "impact");
	if (!json_is_object(imp) || !json_is_number(json_object_get(imp, "averted"))) return;
	double a = nval(imp, "averted");
	char zPct[32];
	snprintf(zPct, sizeof zPct, "%.0f%%", a * 100);
	if (a >= 0.5) {
		add_finding(c, c->strengths, 50 * a, c->d->tEnd, NULL, rep_msg_str(c->lang, "find.averted", "pct", zPct, NULL), NULL, NULL);
	} else if (a < 0.2) {
		add_finding(c, c->improvements, 30 * (1 - a), c->d->tEnd, NULL,
		            rep_msg_str(c->lang, a < 0 ? "find.harm_worse" : "find.averted_low", "pct", zPct, NULL),
		            rep_msg_str(c->lang, "fix.impact", NULL), NULL);
	}
}

static int finding_cmp(const void *pa, const void *pb) {
	json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	double wa = nval(a, "weight"), wb = nval(b, "weight");
	if (wa != wb) return wa > wb ? -1 : 1;
	long long ta = ival(a, "t_us"), tb = ival(b, "t_us");
	if (ta != tb) return ta < tb ? -1 : 1;
	return ival(a, "ord") < ival(b, "ord") ? -1 : 1;
}

/* Sorts a finding list by weight (heaviest first; ties by time, then by the order found). */
static void rank(json_t *list) {
	size_t n = json_array_size(list);
	json_t **a = malloc((n ? n : 1) * sizeof *a);
	if (!a) return;
	for (size_t i = 0; i < n; i++) {
		a[i] = json_incref(json_array_get(list, i));
		json_object_set_new(a[i], "ord", json_integer((json_int_t)i));
	}
	qsort(a, n, sizeof *a, finding_cmp);
	json_array_clear(list);
	for (size_t i = 0; i < n; i++) {
		json_object_del(a[i], "ord");
		json_array_append_new(list, a[i]);
	}
	free(a);
}

/* The improvement plan's priority of the i-th ranked improvement: the three of the summary are high. */
static void prioritise(json_t *list) {
	size_t i;
	json_t *f;
	json_array_foreach(list, i, f) {
		const char *z = i < 3 ? "high" : nval(f, "weight") >= 10 ? "medium" : "low";
		json_object_set_new(f, "priority", json_string(z));
		json_object_set_new(f, "due_days", json_integer(i < 3 ? 30 : nval(f, "weight") >= 10 ? 60 : 90));
	}
}

/* ---- counts and the story ---- */

static void analyse_counts(find_ctx *c) {
	const rep_data *d = c->d;
	int nRefused = 0, nShares = 0, nRed = 0, nErr = 0, nMet = 0, nMissed = 0, nUnfired = 0;
	size_t i;
	json_t *v;
	json_array_foreach(d->actions, i, v) {
		nRefused += refusal(v) != NULL;
		if (strcmp(str(v, "kind"), "share") || refusal(v)) continue;
		nShares++;
		nRed += !strcmp(str(json_object_get(v, "args"), "tlp"), "red");
	}
	json_array_foreach(d->events, i, v) nErr += !strcmp(str(v, "kind"), "scenario.error");
	json_array_foreach(rep_data_expectations(d), i, v) {
		nMet += !strcmp(str(v, "status"), "met");
		nMissed += !strcmp(str(v, "status"), "missed");
		nUnfired += !strcmp(str(v, "status"), "unfired");
	}
	json_t *graded = json_object();
	json_array_foreach(d->grades, i, v) {
		char z[32];
		snprintf(z, sizeof z, "%lld", ival(v, "seq"));
		json_object_set_new(graded, z, json_true());
	}
	json_object_set_new(c->model, "counts", json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:i}",
		"injects_planned", (int)json_array_size(d->plan), "injects_sent", (int)json_object_size(d->injects),
		"deliveries", (int)json_array_size(d->deliveries), "reads", (int)json_array_size(d->reads),
		"actions", (int)json_array_size(d->actions), "refused", nRefused, "shares", nShares, "shares_red", nRed,
		"grades", (int)json_object_size(graded), "scenario_errors", nErr,
		"expectations", (int)json_array_size(rep_data_expectations(d)), "met", nMet, "missed", nMissed,
		"unfired", nUnfired, "respondents", (int)json_array_size(d->feedback)));
	json_decref(graded);
}

static void say(find_ctx *c, char *z) {
	if (z) json_array_append_new(json_object_get(c->model, "story"), json_string(z));
	free(z);
}

/* The executive summary's "what happened", in a few sentences built from the counts, facts and samples. */
static void analyse_story(find_ctx *c) {
	const rep_data *d = c->d;
	json_t *n = json_object_get(c->model, "counts");
	char a[8][48];
	snprintf(a[0], 48, "%zu", json_array_size(d->teams));
	snprintf(a[1], 48, "%lld", ival(n, "injects_sent"));
	snprintf(a[2], 48, "%lld", ival(n, "injects_planned"));
	snprintf(a[3], 48, "%lld", ival(n, "actions"));
	snprintf(a[4], 48, "%lld", ival(n, "shares"));
	say(c, rep_msg_str(c->lang, "story.run", "sim", rep_dur(c->lang, d->tEnd, a[5], 48), "teams", a[0], "sent", a[1],
	                   "planned", a[2], "actions", a[3], "shares", a[4], NULL));
	size_t i;
	json_t *v, *first = NULL;
	json_array_foreach(d->events, i, v) if (!first && !strcmp(str(v, "kind"), "attack.compromise") && ival(json_object_get(v, "detail"), "count") > 0) first = v;
	if (first) {
		json_t *det = json_object_get(first, "detail");
		snprintf(a[0], 48, "%lld", ival(det, "count"));
		const char *zTech = str(det, "technique");
		say(c, rep_msg_str(c->lang, *zTech ? "story.attack" : "story.attack_notech", "time", rep_simt(ival(first, "t_us"), a[1], 48),
		                   "n", a[0], "technique", zTech, "entry", str(det, "entry"), NULL));
	}
	json_t *peak = NULL, *last = json_array_get(d->metrics, json_array_size(d->metrics) - 1);
	json_array_foreach(d->metrics, i, v) if (!peak || nval(v, "compromised") > nval(peak, "compromised")) peak = v;
	if (peak && nval(peak, "compromised") > 0) {
		snprintf(a[0], 48, "%.0f", nval(peak, "compromised"));
		snprintf(a[1], 48, "%.0f", nval(peak, "total"));
		say(c, rep_msg_str(c->lang, "story.peak", "n", a[0], "total", a[1], "time", rep_simt(ival(peak, "t_us"), a[2], 48), NULL));
	}
	json_array_foreach(d->events, i, v) {
		if (strcmp(str(v, "kind"), "c2.blocked") && strcmp(str(v, "kind"), "attack.stop")) continue;
		say(c, rep_msg_str(c->lang, "story.stopped", "indicator", str(v, "subject"), "time", rep_simt(ival(v, "t_us"), a[0], 48), NULL));
		break;
	}
	if (last) {
		snprintf(a[0], 48, "%.0f", nval(last, "compromised"));
		snprintf(a[1], 48, "%.0f", nval(last, "patched"));
		snprintf(a[2], 48, "%.0f", nval(last, "offline"));
		snprintf(a[3], 48, "%.0f", nval(last, "bricked"));
		snprintf(a[4], 48, "%.0f", nval(last, "total"));
		say(c, rep_msg_str(c->lang, "story.end", "compromised", a[0], "patched", a[1], "offline", a[2], "bricked", a[3],
		                   "total", a[4], NULL));
	}
	snprintf(a[0], 48, "%lld", ival(n, "met"));
	snprintf(a[1], 48, "%lld", ival(n, "expectations") - ival(n, "unfired"));
	snprintf(a[2], 48, "%lld", ival(n, "missed"));
	if (d->summary) say(c, rep_msg_str(c->lang, "story.expect", "met", a[0], "fired", a[1], "missed", a[2], NULL));
}

json_t *rep_find_analyse(const rep_data *d, rep_lang lang) {
	find_ctx c = { .d = d, .lang = lang };
	c.model = json_pack("{s:[],s:[],s:[],s:[],s:[],s:[]}", "teams", "objectives", "response", "strengths", "improvements",
	                    "story");
	if (!c.model) return NULL;
	c.strengths = json_object_get(c.model, "strengths");
	c.improvements = json_object_get(c.model, "improvements");
	analyse_teams(&c);
	analyse_response(&c);
	analyse_counts(&c);
	analyse_story(&c);
	strengths_from_expectations(&c);
	improvements_from_expectations(&c);
	improvements_from_actions(&c);
	findings_from_shares(&c);
	findings_from_control(&c);
	findings_from_impact(&c);
	findings_from_fleet(&c);
	rank(c.strengths);
	rank(c.improvements);
	prioritise(c.improvements);
	assert(json_is_array(c.strengths) && json_is_array(c.improvements));
	return c.model;
}
