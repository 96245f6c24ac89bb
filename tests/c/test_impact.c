/* The impact figures (scenarios/impact.c) and the fairness of the scores on every shipped drill, played by the
 * gaming scripts of issue 12: paperwork only, spam, over-reaction, the right thing late, one team absent. Each script
 * is built here from the drill's good script (scenarios/NAME.good.jsonl). Also: the forked counterfactual runs equal
 * fresh runs of the same inputs, and the same inputs give the same figures. */
#include "tests/c/ky_test.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine/time.h"
#include "scenarios/impact.h"
#include "vehicles/action.h"
#include "vehicles/world.h"

static char azDrill[32][64];  /* every shipped drill: scenarios/NAME.lua with NAME.good.jsonl beside it */
static int nDrill = -1;

static const char *root(void) {
	static char z[4096];
	if (!z[0]) snprintf(z, sizeof z, "%s", getenv("KY_ROOT") ? getenv("KY_ROOT") : ".");
	return z;
}

/* The actions of a JSONL file, each with "us" (its time in microseconds) added. */
static json_t *load_jsonl(const char *zPath) {
	FILE *f = fopen(zPath, "r");
	if (!f) ky_test_fail(__FILE__, __LINE__, "cannot open %s", zPath);
	json_t *a = json_array();
	char line[8192];
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '\n' || line[0] == '#') continue;
		json_t *o = json_loads(line, 0, NULL);
		if (!o) ky_test_fail(__FILE__, __LINE__, "bad line in %s: %s", zPath, line);
		eng_time_t t = 0;
		ky_err err = { 0 };
		if (eng_time_parse(json_string_value(json_object_get(o, "t")), &t, &err)) ky_test_fail(__FILE__, __LINE__, "%s", err.zMsg);
		json_object_set_new(o, "us", json_integer(t));
		json_object_set_new(o, "line", json_integer((json_int_t)json_array_size(a) + 1));  /* its seq in the good run */
		json_array_append_new(a, o);
	}
	fclose(f);
	return a;
}

static eng_time_t us(json_t *a) { return (eng_time_t)json_integer_value(json_object_get(a, "us")); }

static int is_world(json_t *a) {
	const veh_action_info *k = veh_action_find(json_string_value(json_object_get(a, "kind")));
	return k && (k->flags & VEH_ACT_WORLD);
}

static void add(json_t *arr, eng_time_t t, const char *zTeam, const char *zKind, json_t *args) {  /* steals args */
	json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:o}", "us", (json_int_t)t, "team", zTeam, "kind", zKind, "args", args));
}

/* Plays arr (sorted here by time, stably) on the drill; the run's summary, with "impact" when bImpact. A share's
 * args.relay names the seq (the number in the order played) of a share the good script played: it is renumbered to
 * where that action is played now (a script that adds or moves actions would otherwise relay another one). */
static json_t *run(const char *zScn, json_t *arr, int bImpact) {
	size_t n = json_array_size(arr);
	scn_play *a = calloc(n + 1, sizeof *a);
	json_t **aObj = calloc(n + 1, sizeof *aObj), *keep = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = aObj[i] = json_array_get(arr, i);
		a[i] = (scn_play){ us(o), (int)i + 1, json_string_value(json_object_get(o, "team")),
		                   json_string_value(json_object_get(o, "kind")), NULL, NULL, json_object_get(o, "args") };
	}
	for (size_t i = 1; i < n; i++)  /* insertion sort: stable, and the scripts are short */
		for (size_t j = i; j > 0 && a[j - 1].t > a[j].t; j--) {
			scn_play x = a[j];
			json_t *y = aObj[j];
			a[j] = a[j - 1], a[j - 1] = x;
			aObj[j] = aObj[j - 1], aObj[j - 1] = y;
		}
	for (size_t i = 0; i < n; i++) {
		json_t *jRelay = json_object_get(a[i].args, "relay");
		if (!json_is_integer(jRelay)) continue;
		for (size_t j = 0; j < n; j++)
			if (json_integer_value(json_object_get(aObj[j], "line")) == json_integer_value(jRelay)) {
				json_t *args = json_deep_copy(a[i].args);  /* the script's objects are shared between scripts */
				json_object_set_new(args, "relay", json_integer((json_int_t)j + 1));
				json_array_append_new(keep, args);
				a[i].args = args;
				break;
			}
	}
	scn_replay r = { zScn, 0, 0, a, (int)n, 0, bImpact };
	json_t *s = NULL;
	ky_err err = { 0 };
	if (scn_impact_replay(&r, &s, &err)) ky_test_fail(__FILE__, __LINE__, "%s: %s", zScn, err.zMsg);
	free(a);
	free(aObj);
	json_decref(keep);
	return s;
}

static double dnum(json_t *o, const char *zPath) {  /* a dotted path of numbers */
	char z[128];
	snprintf(z, sizeof z, "%s", zPath);
	for (char *p = z, *q; o && p; p = q) {
		if ((q = strchr(p, '.'))) *q++ = 0;
		o = json_object_get(o, p);
	}
	if (!json_is_number(o)) ky_test_fail(__FILE__, __LINE__, "no number at %s", zPath);
	return json_number_value(o);
}

static double harm_of(json_t *s) { return dnum(s, "fleet.harm"); }

/* ---- the gaming scripts -------------------------------------------------------------------------------------- */

/* Paperwork: the triage, share, notify, report and assess (not `contact`, which asks an outside party to act:
 * the scenario says what that does, e.g. a mobile operator filtering the worm's SMS in tcu-remote). */
static int is_paperwork(json_t *a) {
	static const char *const az[] = { "triage", "share", "notify", "report", "assess", NULL };
	const char *z = json_string_value(json_object_get(a, "kind"));
	for (int i = 0; az[i]; i++)
		if (z && !strcmp(z, az[i])) return 1;
	return 0;
}

/* With organisations a share is not paperwork: the indicators it carries reach the gateways of the orgs that ingest
 * them automatically, which block them (scenarios/share.c); national-relay's good response relies on it. */
static json_t *paperwork(json_t *good, int bOrgs) {
	json_t *o = json_array();
	size_t i;
	json_t *a;
	json_array_foreach(good, i, a) {
		if (is_paperwork(a) && !(bOrgs && !strcmp(json_string_value(json_object_get(a, "kind")), "share")))
			json_array_append(o, a);
	}
	return o;
}

/* The good script, every paperwork action sent 10 more times a minute apart, and ten blocks of made-up indicators. */
static json_t *spam(json_t *good, eng_time_t end) {
	json_t *o = json_deep_copy(good);
	size_t i;
	json_t *a;
	json_array_foreach(good, i, a) {
		if (!is_paperwork(a)) continue;
		for (int k = 1; k <= 10; k++) {
			eng_time_t t = us(a) + ENG_S(60 * k);
			add(o, t < end ? t : end, json_string_value(json_object_get(a, "team")), json_string_value(json_object_get(a, "kind")),
			    json_deep_copy(json_object_get(a, "args")));
		}
	}
	const char *zTeam = json_string_value(json_object_get(json_array_get(good, 0), "team"));
	for (int k = 0; k < 10; k++) add(o, ENG_S(600 + 60 * k), zTeam, "block_indicator", json_pack("{s:s+}", "value", "192.0.2.", k ? "2" : "1"));
	return o;
}

/* The good script, and at its first world-changing action every service isolated, every certificate revoked and
 * every remote feature disabled, for good. */
static json_t *overreaction(json_t *good) {
	static const char *const azSvc[] = { "telematics", "ota", "vsoc", "pki", "app_api" };
	static const char *const azFeat[] = { "remote_unlock", "remote_start", "remote_climate", "location", "horn_lights" };
	json_t *o = json_deep_copy(good), *first = NULL;
	size_t i;
	json_t *a;
	json_array_foreach(good, i, a) if (!first && is_world(a)) first = a;
	ASSERT_TRUE(first != NULL);
	const char *zTeam = json_string_value(json_object_get(first, "team"));
	for (int k = 0; k < 5; k++) add(o, us(first), zTeam, "isolate_service", json_pack("{s:s}", "name", azSvc[k]));
	add(o, us(first), zTeam, "revoke_certificate", json_pack("{s:s}", "scope", "all"));
	for (int k = 0; k < 5; k++) add(o, us(first), zTeam, "disable_feature", json_pack("{s:s}", "feature", azFeat[k]));
	return o;
}

/* The good script two hours later (what would fall after the end, at the end). */
static json_t *late(json_t *good, eng_time_t end) {
	json_t *o = json_deep_copy(good);
	size_t i;
	json_t *a;
	json_array_foreach(o, i, a) {
		eng_time_t t = us(a) + ENG_S(7200);
		json_object_set_new(a, "us", json_integer(t < end ? t : end));
	}
	return o;
}

static json_t *without(json_t *good, const char *zTeam) {
	json_t *o = json_array();
	size_t i;
	json_t *a;
	json_array_foreach(good, i, a) if (strcmp(json_string_value(json_object_get(a, "team")), zTeam)) json_array_append(o, a);
	return o;
}

/* ---- tests --------------------------------------------------------------------------------------------------- */

static int n_drills(void) {
	if (nDrill >= 0) return nDrill;
	char zDir[4200];
	snprintf(zDir, sizeof zDir, "%s/scenarios", root());
	DIR *dp = opendir(zDir);
	struct dirent *e;
	nDrill = 0;
	while (dp && (e = readdir(dp)) && nDrill < 32) {
		size_t n = strlen(e->d_name);
		char zGood[4400];
		if (n < 5 || n > 60 || strcmp(e->d_name + n - 4, ".lua")) continue;
		snprintf(zGood, sizeof zGood, "%s/%.*s.good.jsonl", zDir, (int)(n - 4), e->d_name);
		if (access(zGood, R_OK) == 0) snprintf(azDrill[nDrill++], sizeof azDrill[0], "%.*s", (int)(n - 4), e->d_name);
	}
	if (dp) closedir(dp);
	qsort(azDrill, (size_t)nDrill, sizeof azDrill[0], (int (*)(const void *, const void *))strcmp);
	ASSERT_LT(5, nDrill);
	return nDrill;
}

static void nothing_case(int k) {
	{
		char zScn[4200];
		snprintf(zScn, sizeof zScn, "%s/scenarios/%s.lua", root(), azDrill[k]);
		json_t *none = json_array(), *s = run(zScn, none, 1), *im = json_object_get(s, "impact");
		ASSERT_TRUE(json_number_value(json_object_get(im, "averted")) == 0);
		ASSERT_TRUE(dnum(im, "harm") == dnum(im, "baseline"));
		ASSERT_LE(0, dnum(im, "baseline"));  /* 0 in a drill with no attack (sbom-zlib: a vulnerability to assess) */
		ASSERT_EQ_INT(json_integer_value(json_object_get(im, "runs")), 0);
		const char *k2;
		json_t *v;
		json_object_foreach(json_object_get(im, "teams"), k2, v) ASSERT_TRUE(dnum(v, "averted") == 0);
		json_decref(s);
		json_decref(none);
	}
}

TEST(doing_nothing_averts_exactly_zero_on_every_drill) { ky_test_fork_each(n_drills(), nothing_case); }

static void gaming_case(int k) {
	{
		char zScn[4200], zGood[4200];
		snprintf(zScn, sizeof zScn, "%s/scenarios/%s.lua", root(), azDrill[k]);
		snprintf(zGood, sizeof zGood, "%s/scenarios/%s.good.jsonl", root(), azDrill[k]);
		json_t *good = load_jsonl(zGood), *sg = run(zScn, good, 1);
		eng_time_t end = (eng_time_t)dnum(sg, "sim_end_us");
		double h0 = dnum(sg, "impact.baseline"), aGood = dnum(sg, "impact.averted");
		json_t *gp = paperwork(good, json_object_get(sg, "orgs") != NULL), *gs = spam(good, end);
		json_t *go = overreaction(good), *gl = late(good, end);
		json_t *sp = run(zScn, gp, 0), *ss = run(zScn, gs, 0), *so = run(zScn, go, 0), *sl = run(zScn, gl, 0);
		double aPaper = h0 > 0 ? (h0 - harm_of(sp)) / h0 : 0, aSpam = h0 > 0 ? (h0 - harm_of(ss)) / h0 : 0;
		double aOver = h0 > 0 ? (h0 - harm_of(so)) / h0 : 0, aLate = h0 > 0 ? (h0 - harm_of(sl)) / h0 : 0;
		printf("  %-13s averted: good %.3f paperwork %.3f spam %.3f over-reaction %.3f late %.3f; joint: good %.2f paperwork %.2f\n",
		       azDrill[k], aGood, aPaper, aSpam, aOver, aLate, dnum(sg, "joint"), dnum(sp, "joint"));
		/* paperwork changes nothing in the world: it averts (about) nothing, and earns less than the good response */
		ASSERT_NEAR(aPaper, 0, 0.01);
		ASSERT_LT(dnum(sp, "joint"), dnum(sg, "joint"));
		/* repeats earn nothing more: spam scores what the good script scores, and its made-up blocks change nothing */
		ASSERT_TRUE(harm_of(ss) == harm_of(sg));
		const char *zTeam;
		json_t *v;
		json_object_foreach(json_object_get(ss, "teams"), zTeam, v) {
			char zPath[96];
			snprintf(zPath, sizeof zPath, "teams.%s.score", zTeam);
			ASSERT_LE(dnum(ss, zPath), dnum(sg, zPath) + 1e-9);
		}
		int64_t nRepeats = 0;
		json_object_foreach(json_object_get(ss, "teams"), zTeam, v) nRepeats += json_integer_value(json_object_get(v, "repeats"));
		ASSERT_LT(0, nRepeats);
		/* over-reaction: its outages are harm */
		ASSERT_LT(dnum(sg, "fleet.customer_hours") + 1000, dnum(so, "fleet.customer_hours"));
		if (h0 == 0) {  /* no attack, no harm to avert: the figures are 0 by definition, the scores still hold */
			ASSERT_TRUE(aGood == 0);
			printf("  %-13s has no attack (baseline harm 0): nothing to avert\n", azDrill[k]);
			goto done;
		}
		ASSERT_LT(aOver, aGood);
		/* the right thing late averts less; the good response averts the most of all of these */
		ASSERT_LT(aLate, aGood);
		ASSERT_LT(aPaper, aGood);
		ASSERT_LT(0.1, aGood);
		/* one team absent: the team whose response helped most raises the harm when it is left out (a fresh run) */
		const char *zBest = NULL;
		double aBest = 0;
		json_object_foreach(json_object_get(json_object_get(sg, "impact"), "teams"), zTeam, v)
			if (dnum(v, "averted") > aBest) aBest = dnum(v, "averted"), zBest = zTeam;
		ASSERT_TRUE(zBest != NULL);
		ASSERT_LT(0.05, aBest);
		json_t *gw = without(good, zBest), *sw = run(zScn, gw, 0);
		ASSERT_LT(dnum(sg, "impact.harm") + 1, harm_of(sw));
		char zPath[96];
		snprintf(zPath, sizeof zPath, "impact.teams.%s.harm_without", zBest);
		ASSERT_NEAR(harm_of(sw), dnum(sg, zPath), 0.001);  /* the forked run equals the fresh one */
		json_decref(gw), json_decref(sw);
		/* the shipped drills weigh the effect (a harm outcome term, docs/scenario-api.md): a coalition that files every
		 * paper of the good script and changes nothing earns at most a quarter of the good response's joint score */
		ASSERT_LE(4 * dnum(sp, "joint"), dnum(sg, "joint"));
	done:
		json_decref(gp), json_decref(gs), json_decref(go), json_decref(gl);
		json_decref(sp), json_decref(ss), json_decref(so), json_decref(sl);
		json_decref(good), json_decref(sg);
	}
}

TEST(gaming_scripts_do_not_beat_the_good_response_on_every_shipped_drill) {
	ky_test_fork_each(n_drills(), gaming_case);
}

TEST(forked_counterfactuals_equal_fresh_runs_and_the_same_inputs_give_the_same_figures) {
	char zScn[4200], zGood[4200];
	snprintf(zScn, sizeof zScn, "%s/scenarios/tcu-remote.lua", root());
	snprintf(zGood, sizeof zGood, "%s/scenarios/tcu-remote.good.jsonl", root());
	json_t *good = load_jsonl(zGood), *s1 = run(zScn, good, 1), *s2 = run(zScn, good, 1);
	ASSERT_TRUE(json_equal(json_object_get(s1, "impact"), json_object_get(s2, "impact")));
	ASSERT_EQ_STR(json_string_value(json_object_get(s1, "state_hash")), json_string_value(json_object_get(s2, "state_hash")));
	json_t *none = json_array(), *s0 = run(zScn, none, 0);
	ASSERT_NEAR(harm_of(s0), dnum(s1, "impact.baseline"), 0.001);
	ASSERT_NEAR(harm_of(s1), dnum(s1, "impact.harm"), 0.001);
	double h = dnum(s1, "impact.harm"), h0 = dnum(s1, "impact.baseline");
	ASSERT_NEAR(dnum(s1, "impact.averted"), (h0 - h) / h0, 1e-12);  /* CONTRACT §1's formulas */
	const char *zTeam;
	json_t *v;
	json_object_foreach(json_object_get(json_object_get(s1, "impact"), "teams"), zTeam, v) {
		json_t *gw = without(good, zTeam), *sw = run(zScn, gw, 0);
		ASSERT_NEAR(harm_of(sw), dnum(v, "harm_without"), 0.001);
		ASSERT_NEAR(dnum(v, "averted"), (dnum(v, "harm_without") - h) / h0, 1e-12);
		json_decref(gw), json_decref(sw);
	}
	json_decref(none), json_decref(s0), json_decref(good), json_decref(s1), json_decref(s2);
}

/* ---- a forked run speaks for nobody ----------------------------------------------------------------------- */

static int g_fdSpy = -1;
static pid_t g_pidParent;

/* Writes 'p' (the real run) or 'c' (a forked one) for every call it gets. */
static void spy_byte(void) {
	char c = getpid() == g_pidParent ? 'p' : 'c';
	if (write(g_fdSpy, &c, 1) != 1) _exit(3);
}
static void spy_input(void *ctx, int kind, const char *zName, const char *zTeam, json_t *args) {
	(void)ctx, (void)kind, (void)zName, (void)zTeam, (void)args;
	spy_byte();
}
static void spy_event(void *ctx, eng_time_t t, const char *kind, const char *subject, json_t *detail) {
	(void)ctx, (void)t, (void)kind, (void)subject, (void)detail;
	spy_byte();
}

TEST(a_forked_counterfactual_tells_no_observer_and_no_world_tap) {
	char zScn[4200], zGood[4200];
	snprintf(zScn, sizeof zScn, "%s/scenarios/tcu-remote.lua", root());
	snprintf(zGood, sizeof zGood, "%s/scenarios/tcu-remote.good.jsonl", root());
	int fd[2];
	ASSERT_EQ_INT(pipe(fd), 0);
	g_fdSpy = fd[1];
	g_pidParent = getpid();
	ky_err err = { 0 };
	scn_observer obs = { .on_event = spy_event };
	scn_drill_opts opts = { .pObs = &obs };
	scn_drill *d = scn_drill_open(zScn, &opts, &err);
	ASSERT_TRUE(d != NULL);
	veh_tap tap = { .on_input = spy_input };
	veh_world_set_tap(scn_drill_world(d), &tap);  /* where the journal listens to the world (record.c) */
	json_t *good = load_jsonl(zGood), *ex = scn_drill_exercise_json(d), *impact = NULL;
	size_t n = json_array_size(good);
	scn_play *a = calloc(n + 1, sizeof *a);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(good, i);
		a[i] = (scn_play){ us(o), (int)i + 1, json_string_value(json_object_get(o, "team")),
		                   json_string_value(json_object_get(o, "kind")), NULL, NULL, json_object_get(o, "args") };
	}
	scn_impact *m = scn_impact_plan(a, (int)n, json_object_get(ex, "teams"), scn_drill_duration(d), &err);
	ASSERT_TRUE(m != NULL);
	for (size_t i = 0; i < n; i++) {
		ASSERT_EQ_INT(scn_drill_advance_to(d, a[i].t, &err), 0);
		ASSERT_EQ_INT(scn_impact_fork_point(m, d, (int)i, &err), 0);
		int64_t seq = 0;
		scn_play_one(d, &a[i], &seq, &err);
	}
	ASSERT_EQ_INT(scn_drill_advance_to(d, scn_drill_duration(d), &err), 0);
	ASSERT_EQ_INT(scn_impact_finish(m, d, &impact, &err), 0);
	ASSERT_LT(0, json_integer_value(json_object_get(impact, "runs")));
	close(fd[1]);
	char buf[4096];
	ssize_t got;
	int nParent = 0, nChild = 0;
	while ((got = read(fd[0], buf, sizeof buf)) > 0)
		for (ssize_t k = 0; k < got; k++) buf[k] == 'p' ? nParent++ : nChild++;
	close(fd[0]);
	ASSERT_LT(10, nParent);    /* the real run was heard */
	ASSERT_EQ_INT(nChild, 0);  /* the forked ones were not */
	scn_impact_free(m);
	json_decref(impact), json_decref(ex), json_decref(good);
	free(a);
	scn_drill_free(d);
}
