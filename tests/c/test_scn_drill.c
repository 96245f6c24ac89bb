/* scenarios: the sandbox, the scenario API and the drill, driven through the Drill API on real scenario files
 * (tests/data/scn fixtures and the shipped scenarios/NAME.lua with their good/poor team scripts). Run from the
 * source tree's root (tests/run.sh does). */
#include "tests/c/ky_test.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/time.h"
#include "scenarios/drill.h"

#define DATA "tests/data/scn/"

/* --- a recording observer --------------------------------------------------------------------------- */

typedef struct rec {
	int nErr, nInject, nLog, nMsg, nScore, nFleet, nSnap;
	char zErrSubject[8][256];
	char zLastTitle[256], zLastLog[256], zLastMsgTo[64];
} rec;

static void r_event(void *ctx, eng_time_t t, const char *kind, const char *subject, json_t *detail) {
	rec *r = ctx;
	(void)t;
	if (!strcmp(kind, "scenario.error")) {
		if (r->nErr < 8) snprintf(r->zErrSubject[r->nErr], sizeof r->zErrSubject[0], "%s", subject);
		r->nErr++;
	} else if (!strcmp(kind, "log")) {
		r->nLog++;
		snprintf(r->zLastLog, sizeof r->zLastLog, "%s", json_string_value(json_object_get(detail, "text")));
	}
}
static void r_inject(void *ctx, const char *team, json_t *m) {
	rec *r = ctx;
	(void)team;
	r->nInject++;
	snprintf(r->zLastTitle, sizeof r->zLastTitle, "%s", json_string_value(json_object_get(m, "title")));
}
static void r_message(void *ctx, json_t *m) {
	rec *r = ctx;
	r->nMsg++;
	snprintf(r->zLastMsgTo, sizeof r->zLastMsgTo, "%s", json_string_value(json_object_get(m, "to")));
}
static void r_score(void *ctx, const char *team, json_t *m) {
	(void)team;
	(void)m;
	((rec *)ctx)->nScore++;
}
static void r_fleet(void *ctx, json_t *m) {
	(void)m;
	((rec *)ctx)->nFleet++;
}
static void r_snap(void *ctx, eng_time_t t) {
	(void)t;
	((rec *)ctx)->nSnap++;
}

static scn_drill *open_rec(const char *zPath, rec *r, uint64_t seed, int bSeed) {
	scn_observer obs = { .ctx = r, .on_event = r_event, .on_inject = r_inject, .on_message = r_message,
	                     .on_score = r_score, .on_fleet = r_fleet, .on_snapshot = r_snap };
	scn_drill_opts o = { .seed = seed, .bSeed = bSeed, .pObs = &obs };
	ky_err err = { 0 };
	memset(r, 0, sizeof *r);
	scn_drill *d = scn_drill_open(zPath, &o, &err);
	if (!d) ky_test_fail(__FILE__, __LINE__, "open %s: %s", zPath, err.zMsg);
	return d;
}

/* --- playing a JSONL team script -------------------------------------------------------------------- */

typedef struct play_result {
	double joint, teamSum;
	int met;
	char zHash[65];
} play_result;

static int cmp_line_t(const void *a, const void *b) {
	eng_time_t ta = ((const eng_time_t *)a)[0], tb = ((const eng_time_t *)b)[0];
	if (ta != tb) return ta < tb ? -1 : 1;
	return (int)(((const eng_time_t *)a)[1] - ((const eng_time_t *)b)[1]);
}

/* Runs zScenario with the actions of zActions (may be NULL) to the end; fills *pr. */
static void play(const char *zScenario, const char *zActions, uint64_t seed, int bSeed, play_result *pr) {
	rec r;
	scn_drill *d = open_rec(zScenario, &r, seed, bSeed);
	json_t *lines = json_array();
	if (zActions) {
		FILE *f = fopen(zActions, "r");
		if (!f) ky_test_fail(__FILE__, __LINE__, "cannot open %s", zActions);
		char buf[8192];
		while (fgets(buf, sizeof buf, f)) {
			if (buf[0] == '\n' || buf[0] == '#') continue;
			json_error_t je;
			json_t *j = json_loads(buf, 0, &je);
			if (!j) ky_test_fail(__FILE__, __LINE__, "%s: %s", zActions, je.text);
			json_array_append_new(lines, j);
		}
		fclose(f);
	}
	size_t n = json_array_size(lines);
	eng_time_t (*order)[2] = calloc(n + 1, sizeof *order);
	for (size_t i = 0; i < n; i++) {
		ky_err err = { 0 };
		ASSERT_EQ_INT(eng_time_parse(json_string_value(json_object_get(json_array_get(lines, i), "t")), &order[i][0], &err), 0);
		order[i][1] = (eng_time_t)i;
	}
	qsort(order, n, sizeof *order, cmp_line_t);
	for (size_t i = 0; i < n; i++) {
		json_t *a = json_array_get(lines, (size_t)order[i][1]);
		ky_err err = { 0 };
		ASSERT_EQ_INT(scn_drill_advance_to(d, order[i][0], &err), 0);
		int64_t seq = 0;
		int rc = scn_drill_action(d, json_string_value(json_object_get(a, "team")), NULL,
		                          json_string_value(json_object_get(a, "kind")), json_object_get(a, "args"), NULL, &seq, &err);
		if (rc && seq == 0) ky_test_fail(__FILE__, __LINE__, "%s: action refused: %s", zActions, err.zMsg);
	}
	ky_err err = { 0 };
	ASSERT_EQ_INT(scn_drill_advance_to(d, scn_drill_duration(d), &err), 0);
	json_t *s = scn_drill_summary_json(d);
	pr->joint = json_number_value(json_object_get(s, "joint"));
	pr->teamSum = 0;
	pr->met = 0;
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(s, "teams"), k, v) {
		pr->teamSum += json_number_value(json_object_get(v, "score"));
		pr->met += (int)json_integer_value(json_object_get(v, "met"));
	}
	snprintf(pr->zHash, sizeof pr->zHash, "%s", json_string_value(json_object_get(s, "state_hash")));
	json_decref(s);
	json_decref(lines);
	free(order);
	scn_drill_free(d);
}

/* --- tests ------------------------------------------------------------------------------------------ */

/* The message starts with "PATH:LINE: " (LINE > 0). */
static void assert_file_line(const char *zPath, const char *zMsg) {
	size_t n = strlen(zPath);
	if (strncmp(zMsg, zPath, n) != 0 || zMsg[n] != ':' || zMsg[n + 1] < '1' || zMsg[n + 1] > '9') {
		ky_test_fail(__FILE__, __LINE__, "expected \"%s:LINE: ...\", got \"%s\"", zPath, zMsg);
	}
}

TEST(sandbox_escapes_fail_cleanly_with_file_and_line) {
	static const char *const az[] = { "esc_io", "esc_os", "esc_require", "esc_binary", "esc_binary2", "esc_rep",
		"esc_mem", "esc_table", "esc_concat", "esc_loop", "esc_dump", "esc_debug", "esc_dofile", "esc_sbom_path", "esc_gc", NULL };
	for (int i = 0; az[i]; i++) {
		char zPath[256];
		snprintf(zPath, sizeof zPath, DATA "%s.lua", az[i]);
		ky_err err = { 0 };
		scn_drill_opts o = { .bCheckOnly = 1 };
		scn_drill *d = scn_drill_open(zPath, &o, &err);
		if (d) ky_test_fail(__FILE__, __LINE__, "%s loaded", zPath);
		assert_file_line(zPath, err.zMsg);
	}
}

TEST(broken_scenarios_name_file_and_line) {
	static const struct { const char *zFile, *zWant; } a[] = {
		{ "bad_syntax", "expected" }, { "bad_team", "unknown team 'legal'" },
		{ "bad_kind", "unknown action kind 'reboot_fleet'" }, { "bad_time", "bad time \"10 minutes\"" },
		{ "bad_sbom", "not a CycloneDX document" },
	};
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
		char zPath[256];
		snprintf(zPath, sizeof zPath, DATA "%s.lua", a[i].zFile);
		ky_err err = { 0 };
		scn_drill_opts o = { .bCheckOnly = 1 };
		ASSERT_TRUE(scn_drill_open(zPath, &o, &err) == NULL);
		assert_file_line(zPath, err.zMsg);
		ASSERT_CONTAINS(err.zMsg, a[i].zWant);
	}
}

TEST(callback_errors_become_events_and_the_drill_goes_on) {
	rec r;
	scn_drill *d = open_rec(DATA "in_callback.lua", &r, 0, 0);
	ky_err err = { 0 };
	ASSERT_EQ_INT(scn_drill_advance_to(d, scn_drill_duration(d), &err), 0);
	ASSERT_EQ_INT(r.nErr, 5);
	for (int i = 0; i < 5; i++) {
		char zWant[64];
		snprintf(zWant, sizeof zWant, DATA "in_callback.lua:%d", 5 + i);
		ASSERT_EQ_STR(r.zErrSubject[i], zWant);
	}
	ASSERT_EQ_INT(r.nInject, 1);  /* the inject after the failures was still delivered */
	ASSERT_EQ_INT(scn_drill_now(d), scn_drill_duration(d));
	ASSERT_TRUE(r.nFleet >= 60);
	scn_drill_free(d);
}

TEST(nested_callbacks_share_the_budget_and_are_bounded) {
	rec r;
	scn_drill *d = open_rec(DATA "nested.lua", &r, 0, 0);
	ky_err err = { 0 };
	ASSERT_EQ_INT(scn_drill_advance_to(d, scn_drill_duration(d), &err), 0);
	ASSERT_EQ_INT(r.nErr, 2);
	ASSERT_EQ_STR(r.zErrSubject[0], DATA "nested.lua:5");  /* the self-triggering handler, stopped at depth 8 */
	ASSERT_EQ_STR(r.zErrSubject[1], DATA "nested.lua:7");  /* the loop after a nested handler still hit its budget */
	scn_drill_free(d);
}

TEST(japanese_text_survives_end_to_end) {
	rec r;
	scn_drill *d = open_rec(DATA "japanese.lua", &r, 0, 0);
	ky_err err = { 0 };
	ASSERT_EQ_INT(scn_drill_advance_to(d, scn_drill_duration(d), &err), 0);
	ASSERT_EQ_STR(r.zLastTitle, "不審な通信を検知");
	ASSERT_EQ_STR(r.zLastLog, "ログ: 車両");
	json_t *ex = scn_drill_exercise_json(d);
	ASSERT_EQ_STR(json_string_value(json_object_get(ex, "title")), "日本語の演習");
	ASSERT_EQ_STR(json_string_value(json_object_get(json_array_get(json_object_get(ex, "teams"), 0), "name")), "車両SOC");
	json_decref(ex);
	json_t *b = scn_drill_backlog_json(d, "vsoc");
	ASSERT_EQ_STR(json_string_value(json_object_get(json_array_get(b, 0), "body")),
	              "TCU が 203.0.113.7 へ接続しています。対応してください。");
	json_decref(b);
	scn_drill_free(d);
}

TEST(sbom_load_reads_cyclonedx_beside_the_scenario) {
	rec r;
	scn_drill *d = open_rec(DATA "sbom_ok.lua", &r, 0, 0);
	ky_err err = { 0 };
	ASSERT_EQ_INT(scn_drill_advance_to(d, scn_drill_duration(d), &err), 0);
	ASSERT_EQ_INT(r.nErr, 0);
	ASSERT_EQ_STR(r.zLastLog, "components=2 affected=1000");  /* every car runs tcu 2.3.1 */
	scn_drill_free(d);
}

TEST(actions_are_idempotent_validated_and_shared) {
	rec r;
	scn_drill *d = open_rec("scenarios/tcu-remote.lua", &r, 0, 0);
	ky_err err = { 0 };
	ASSERT_EQ_INT(scn_drill_advance_to(d, 15 * 60 * ENG_US_PER_S, &err), 0);
	json_t *args = json_loads("{\"inject\":\"I1\"}", 0, NULL);
	int64_t s1 = 0, s2 = 0;
	ASSERT_EQ_INT(scn_drill_action(d, "vsoc", "c-1", "triage", args, "I1", &s1, &err), 0);
	ASSERT_EQ_INT(scn_drill_action(d, "vsoc", "c-1", "triage", args, "I1", &s2, &err), 0);
	ASSERT_EQ_INT(s1, s2);
	json_t *sc = scn_drill_scores_json(d);
	ASSERT_EQ_INT(json_integer_value(json_object_get(json_object_get(json_object_get(sc, "teams"), "vsoc"), "met")), 1);
	json_decref(sc);
	ASSERT_EQ_INT(scn_drill_action(d, "vsoc", NULL, "frobnicate", args, NULL, NULL, &err), KY_EINVAL);
	ASSERT_EQ_INT(scn_drill_action(d, "nobody", NULL, "triage", args, NULL, NULL, &err), KY_ENOENT);
	json_decref(args);
	args = json_loads("{\"to\":\"all\",\"tlp\":\"red\",\"text\":\"secret\"}", 0, NULL);
	ASSERT_EQ_INT(scn_drill_action(d, "vsoc", NULL, "share", args, NULL, NULL, &err), KY_EINVAL);
	json_decref(args);
	args = json_loads("{\"to\":\"oem_psirt\",\"tlp\":\"red\",\"text\":\"secret\"}", 0, NULL);
	ASSERT_EQ_INT(scn_drill_action(d, "vsoc", NULL, "share", args, NULL, NULL, &err), 0);
	json_decref(args);
	ASSERT_EQ_INT(r.nMsg, 1);
	ASSERT_EQ_STR(r.zLastMsgTo, "oem_psirt");
	json_t *b = scn_drill_backlog_json(d, "oem_psirt");
	ASSERT_EQ_STR(json_string_value(json_object_get(json_array_get(b, json_array_size(b) - 1), "text")), "secret");
	json_decref(b);
	b = scn_drill_backlog_json(d, "supplier");
	ASSERT_EQ_INT(json_array_size(b), 0);  /* a red share reaches only its team */
	json_decref(b);
	ASSERT_EQ_INT(scn_drill_read(d, "vsoc", "I1", &err), 0);
	ASSERT_EQ_INT(scn_drill_read(d, "vsoc", "I5", &err), KY_ENOENT);
	ASSERT_EQ_INT(scn_drill_grade(d, s1, 3, "good triage", &err), 0);
	ASSERT_EQ_INT(scn_drill_grade(d, 999, 3, "", &err), KY_ENOENT);
	json_t *msg = json_loads("{\"to\":[\"isac\"],\"title\":\"Ad hoc\",\"body\":\"from control\",\"severity\":\"low\"}", 0, NULL);
	int n0 = r.nInject;
	ASSERT_EQ_INT(scn_drill_inject(d, msg, &err), 0);
	ASSERT_EQ_INT(r.nInject, n0 + 1);
	json_decref(msg);
	scn_drill_free(d);
}

TEST(same_seed_same_state_hash_different_seed_different) {
	play_result a, b, c;
	play("scenarios/tcu-remote.lua", "scenarios/tcu-remote.good.jsonl", 11, 1, &a);
	play("scenarios/tcu-remote.lua", "scenarios/tcu-remote.good.jsonl", 11, 1, &b);
	play("scenarios/tcu-remote.lua", "scenarios/tcu-remote.good.jsonl", 12, 1, &c);
	ASSERT_EQ_STR(a.zHash, b.zHash);
	ASSERT_EQ_INT(strlen(a.zHash), 64);
	if (!strcmp(a.zHash, c.zHash)) ky_test_fail(__FILE__, __LINE__, "seeds 11 and 12 gave the same hash %s", a.zHash);
}

TEST(lua_random_and_pairs_are_deterministic) {
	rec r1, r2, r3;
	scn_drill *d1 = open_rec(DATA "random.lua", &r1, 5, 1);
	scn_drill *d2 = open_rec(DATA "random.lua", &r2, 5, 1);
	scn_drill *d3 = open_rec(DATA "random.lua", &r3, 6, 1);
	ky_err err = { 0 };
	ASSERT_EQ_INT(scn_drill_advance_to(d1, scn_drill_duration(d1), &err), 0);
	ASSERT_EQ_INT(scn_drill_advance_to(d2, scn_drill_duration(d2), &err), 0);
	ASSERT_EQ_INT(scn_drill_advance_to(d3, scn_drill_duration(d3), &err), 0);
	ASSERT_EQ_STR(r1.zLastLog, r2.zLastLog);
	ASSERT_TRUE(strcmp(r1.zLastLog, r3.zLastLog) != 0);
	ASSERT_CONTAINS(r1.zLastLog, "keys=alpha,beta,gamma,zeta");
	scn_drill_free(d1);
	scn_drill_free(d2);
	scn_drill_free(d3);
}

TEST(every_shipped_drill_good_team_beats_poor_team) {
	DIR *dir = opendir("scenarios");
	ASSERT_TRUE(dir != NULL);
	struct dirent *e;
	int nDrills = 0;
	char azName[32][256];
	while ((e = readdir(dir)) && nDrills < 32) {
		size_t n = strlen(e->d_name);
		if (n > 4 && !strcmp(e->d_name + n - 4, ".lua")) snprintf(azName[nDrills++], sizeof azName[0], "%s", e->d_name);
	}
	closedir(dir);
	ASSERT_TRUE(nDrills >= 5);
	for (int i = 0; i < nDrills; i++) {
		char zLua[256], zGood[256], zPoor[256];
		int nBase = (int)strlen(azName[i]) - 4;
		snprintf(zLua, sizeof zLua, "scenarios/%s", azName[i]);
		snprintf(zGood, sizeof zGood, "scenarios/%.*s.good.jsonl", nBase, azName[i]);
		snprintf(zPoor, sizeof zPoor, "scenarios/%.*s.poor.jsonl", nBase, azName[i]);
		play_result g, p;
		play(zLua, zGood, 0, 0, &g);
		play(zLua, zPoor, 0, 0, &p);
		if (!(g.joint > p.joint) || !(g.teamSum > p.teamSum) || !(g.met > p.met)) {
			ky_test_fail(__FILE__, __LINE__, "%s: good joint %.2f teams %.2f met %d vs poor joint %.2f teams %.2f met %d",
			             zLua, g.joint, g.teamSum, g.met, p.joint, p.teamSum, p.met);
		}
	}
}
