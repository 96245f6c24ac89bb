/* The replay's exact seek (ui/replay/seek): the world of a recorded drill at any moment, re-run from the journal
 * without Lua, equals the world of the drill itself at that moment ("kyodo run --until T": every event at a time
 * <= T, then the actions of time T). Real drills (the shipped scenarios with their good scripts, and a fixture
 * whose world events tie on the same instants), real journals, the world's state hash compared at the journal's
 * snapshot times, just before and after them, at the actions' times and in between, seeking in a shuffled order
 * (forward, backward, from checkpoints, from snapshots). */
#include "tests/c/ky_test.h"

#include <sqlite3.h>
#include <stdlib.h>

#include "engine/journal.h"
#include "scenarios/drill.h"
#include "scenarios/record.h"
#include "ui/replay/seek.h"
#include "vehicles/world.h"

/* ---- a drill driven as `kyodo run` drives it ------------------------------------------------------------- */

typedef struct acts {
	eng_time_t t[64];
	json_t *a[64]; /* the JSONL line */
	int n;
} acts;

static void acts_load(const char *zPath, acts *p) {
	FILE *f = fopen(zPath, "r");
	char z[4096];
	p->n = 0;
	if (!f) ky_test_fail(__FILE__, __LINE__, "cannot open %s", zPath);
	while (fgets(z, sizeof z, f) && p->n < 64) {
		json_t *o = json_loads(z, 0, NULL);
		if (!o) continue;
		ky_err err = { 0 };
		if (eng_time_parse(json_string_value(json_object_get(o, "t")), &p->t[p->n], &err) != 0) {
			fclose(f);
			ky_test_fail(__FILE__, __LINE__, "%s: %s", zPath, err.zMsg);
		}
		p->a[p->n++] = o;
	}
	fclose(f);
}

static void acts_free(acts *p) {
	for (int i = 0; i < p->n; i++) json_decref(p->a[i]);
}

typedef struct runner {
	scn_drill *d;
	const acts *pActs;
	int iNext;
} runner;

static void runner_open(runner *r, const char *zScenario, const acts *pActs) {
	ky_err err = { 0 };
	r->d = scn_drill_open(zScenario, NULL, &err);
	if (!r->d) ky_test_fail(__FILE__, __LINE__, "%s", err.zMsg);
	r->pActs = pActs;
	r->iNext = 0;
}

/* Advances to t, applying the actions of times <= t on the way, as `kyodo run --until t` does: advance to the
 * next action's time (or t), apply the actions of that time, until t. */
static void runner_to(runner *r, eng_time_t t) {
	ky_err err = { 0 };
	for (;;) {
		eng_time_t tNext = t;
		if (r->iNext < r->pActs->n && r->pActs->t[r->iNext] < tNext) tNext = r->pActs->t[r->iNext];
		if (scn_drill_advance_to(r->d, tNext, &err) != 0) ky_test_fail(__FILE__, __LINE__, "%s", err.zMsg);
		while (r->iNext < r->pActs->n && r->pActs->t[r->iNext] <= tNext) {
			json_t *o = r->pActs->a[r->iNext++];
			scn_drill_action(r->d, json_string_value(json_object_get(o, "team")), NULL,
			                 json_string_value(json_object_get(o, "kind")), json_object_get(o, "args"), NULL, NULL, &err);
		}
		if (tNext >= t) return;
	}
}

/* Records the whole drill into zDb (snapshot interval: <= 0 the recorder's default). */
static void record(const char *zScenario, const acts *pActs, const char *zDb, eng_time_t snapEvery) {
	runner r;
	ky_err err = { 0 };
	runner_open(&r, zScenario, pActs);
	scn_record *rec = scn_record_attach(r.d, zDb, &err);
	if (!rec) ky_test_fail(__FILE__, __LINE__, "%s", err.zMsg);
	if (snapEvery > 0) scn_record_set_snapshot_interval(rec, snapEvery);
	runner_to(&r, scn_drill_duration(r.d));
	ASSERT_EQ_INT(scn_record_close(rec, &err), 0);
	scn_drill_free(r.d);
}

/* ---- the moments to compare ---------------------------------------------------------------------------- */

#define MAX_T 400

static int cmp_time(const void *a, const void *b) {
	eng_time_t x = *(const eng_time_t *)a, y = *(const eng_time_t *)b;
	return x < y ? -1 : x > y;
}

static void add_t(eng_time_t *a, int *n, eng_time_t t, eng_time_t tEnd) {
	if (t >= 0 && t <= tEnd && *n < MAX_T) a[(*n)++] = t;
}

/* Snapshot times and their neighbours, the actions' times and theirs, a stride through the drill, the end;
 * sorted, without repeats. */
static int moments(const char *zDb, const acts *pActs, eng_time_t tEnd, eng_time_t stride, eng_time_t *a) {
	int n = 0;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	ASSERT_EQ_INT(sqlite3_open_v2(zDb, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_prepare_v2(db, "SELECT t_us FROM snapshots", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		eng_time_t t = sqlite3_column_int64(st, 0);
		for (int d = -1; d <= 1; d++) add_t(a, &n, t + d, tEnd);
		add_t(a, &n, t + ENG_S(20), tEnd);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	for (int i = 0; i < pActs->n; i++)
		for (int d = -1; d <= 1; d++) add_t(a, &n, pActs->t[i] + d, tEnd);
	for (eng_time_t t = ENG_S(7); t < tEnd; t += stride) add_t(a, &n, t, tEnd);
	add_t(a, &n, tEnd, tEnd);
	qsort(a, (size_t)n, sizeof *a, cmp_time);
	int k = 0;
	for (int i = 0; i < n; i++)
		if (k == 0 || a[k - 1] != a[i]) a[k++] = a[i];
	return k;
}

/* Compares the seek's world with the drill's at every moment; the seeks in a shuffled order. Returns how many
 * moments were compared. */
static int compare_all(const char *zScenario, const char *zActions, const char *zDb, eng_time_t snapEvery,
                       eng_time_t stride) {
	static char azWant[MAX_T][65];
	eng_time_t aT[MAX_T];
	acts A;
	ky_err err = { 0 };
	acts_load(zActions, &A);
	record(zScenario, &A, zDb, snapEvery);
	rpl_seek *s = rpl_seek_open(zDb, &err);
	if (!s) ky_test_fail(__FILE__, __LINE__, "%s", err.zMsg);
	ASSERT_TRUE(rpl_seek_exact_log(s));
	int n = moments(zDb, &A, rpl_seek_end(s), stride, aT);
	runner r;
	runner_open(&r, zScenario, &A);
	for (int i = 0; i < n; i++) {
		runner_to(&r, aT[i]);
		veh_world_state_hash(scn_drill_world(r.d), azWant[i]);
	}
	scn_drill_free(r.d);
	unsigned x = 12345;
	int aOrder[MAX_T];
	for (int i = 0; i < n; i++) aOrder[i] = i;
	for (int i = n - 1; i > 0; i--) {
		x = x * 1103515245u + 12345u;
		int k = (int)((x >> 8) % (unsigned)(i + 1)), tmp = aOrder[i];
		aOrder[i] = aOrder[k];
		aOrder[k] = tmp;
	}
	for (int k = 0; k < n; k++) {
		int i = aOrder[k];
		const veh_world *w = rpl_seek_world(s, aT[i], &err);
		if (!w) ky_test_fail(__FILE__, __LINE__, "seek to %lld us: %s", (long long)aT[i], err.zMsg);
		char zGot[65];
		veh_world_state_hash(w, zGot);
		if (strcmp(zGot, azWant[i]) != 0) {
			rpl_seek_stats st;
			rpl_seek_last_stats(s, &st);
			ky_test_fail(__FILE__, __LINE__, "%s at %lld us: world differs from the drill's (seek from base %d at %lld us)",
			             zScenario, (long long)aT[i], st.base, (long long)st.tBase);
		}
	}
	rpl_seek_close(s);
	acts_free(&A);
	return n;
}

static const char *db_path(const char *zName) {
	static char z[512];
	snprintf(z, sizeof z, "%s/%s", ky_test_tmpdir(), zName);
	return z;
}

TEST(seek_equals_the_drill_at_and_between_hourly_snapshots_tcu_remote) {
	int n = compare_all("scenarios/tcu-remote.lua", "scenarios/tcu-remote.good.jsonl", db_path("tcu.db"), 0, ENG_S(23 * 60));
	ASSERT_LE(25, n);
}

TEST(seek_equals_the_drill_with_a_snapshot_every_ten_minutes_ota_supplier) {
	int n = compare_all("scenarios/ota-supplier.lua", "scenarios/ota-supplier.good.jsonl", db_path("ota.db"), ENG_S(600),
	                    ENG_S(37 * 60));
	ASSERT_LE(25, n);
}

TEST(seek_equals_the_drill_relay_theft_and_darkweb_leak) {
	compare_all("scenarios/relay-theft.lua", "scenarios/relay-theft.good.jsonl", db_path("relay.db"), 0, ENG_S(41 * 60));
	compare_all("scenarios/darkweb-leak.lua", "scenarios/darkweb-leak.good.jsonl", db_path("dark.db"), ENG_S(600),
	            ENG_S(41 * 60));
}

TEST(seek_equals_the_drill_api_key_leak_and_ev_charging) {
	compare_all("scenarios/api-key-leak.lua", "scenarios/api-key-leak.good.jsonl", db_path("api.db"), 0, ENG_S(41 * 60));
	compare_all("scenarios/ev-charging.lua", "scenarios/ev-charging.good.jsonl", db_path("ev.db"), ENG_S(1800), ENG_S(41 * 60));
}

/* A drill whose world is configured from files (sbom.load: SBOMs, a VEX ground truth): kept in world_config. */
TEST(seek_equals_the_drill_national_relay_with_organisations) {
	/* orgs in the configuration, actions scoped to their team's org ("@org"), the recipients' ingestion of a share
	 * (an input of its own), blocks pending per organisation */
	int n = compare_all("scenarios/national-relay.lua", "scenarios/national-relay.good.jsonl", db_path("national.db"), ENG_S(600),
	                    ENG_S(41 * 60));
	ASSERT_LE(25, n);
}

TEST(seek_equals_the_drill_sbom_zlib_configured_from_files) {
	compare_all("scenarios/sbom-zlib.lua", "scenarios/sbom-zlib.good.jsonl", db_path("sbom.db"), 0, ENG_S(41 * 60));
}

/* World events on the same instant as the snapshots, blocks without delay at the actions' instant, scenario verbs
 * answering actions: every second and every snapshot of the fixture. */
TEST(seek_equals_the_drill_when_events_tie_at_snapshot_and_action_times) {
	int n = compare_all("tests/data/replay/ties.lua", "tests/data/replay/ties.jsonl", db_path("ties.db"), ENG_S(60), ENG_S(13));
	ASSERT_LE(200, n);
}

/* Without the world log (a journal of an older kyodo) the seek re-simulates the scenario, with the same result. */
TEST(seek_without_a_world_log_falls_back_to_re_simulation) {
	const char *zDb = db_path("old.db");
	acts A;
	ky_err err = { 0 };
	acts_load("scenarios/tcu-remote.good.jsonl", &A);
	record("scenarios/tcu-remote.lua", &A, zDb, 0);
	sqlite3 *db = NULL;
	ASSERT_EQ_INT(sqlite3_open(zDb, &db), SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_exec(db, "DROP TABLE world_inputs; DELETE FROM meta WHERE key = 'world_config';"
	                               "PRAGMA user_version = 2", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	rpl_seek *s = rpl_seek_open(zDb, &err);
	if (!s) ky_test_fail(__FILE__, __LINE__, "%s", err.zMsg);
	ASSERT_FALSE(rpl_seek_exact_log(s));
	runner r;
	runner_open(&r, "scenarios/tcu-remote.lua", &A);
	eng_time_t aT[] = { ENG_S(1500), ENG_S(3600) + 1, ENG_S(7000) };
	for (size_t i = 0; i < sizeof aT / sizeof aT[0]; i++) {
		char zWant[65], zGot[65];
		runner_to(&r, aT[i]);
		veh_world_state_hash(scn_drill_world(r.d), zWant);
		const veh_world *w = rpl_seek_world(s, aT[i], &err);
		ASSERT_TRUE(w != NULL);
		veh_world_state_hash(w, zGot);
		ASSERT_EQ_STR(zGot, zWant);
	}
	scn_drill_free(r.d);
	rpl_seek_close(s);
	acts_free(&A);
}

/* A damaged world log is an error naming the row, never a wrong world. */
TEST(seek_reports_a_world_log_that_does_not_re_run) {
	const char *zDb = db_path("bad.db");
	acts A;
	ky_err err = { 0 };
	acts_load("scenarios/tcu-remote.good.jsonl", &A);
	record("scenarios/tcu-remote.lua", &A, zDb, ENG_S(3600)); /* hourly: no snapshot between the row and the seek */
	sqlite3 *db = NULL;
	ASSERT_EQ_INT(sqlite3_open(zDb, &db), SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_exec(db, "UPDATE world_inputs SET step = step + 5 WHERE name = 'block_indicator'", NULL, NULL, NULL),
	              SQLITE_OK);
	sqlite3_close(db);
	rpl_seek *s = rpl_seek_open(zDb, &err);
	ASSERT_TRUE(s != NULL);
	rpl_seek_set_checkpoints(s, 0, 0);
	const veh_world *w = rpl_seek_world(s, ENG_S(1800), &err);
	ASSERT_TRUE(w == NULL);
	ASSERT_EQ_INT(err.code, KY_EPARSE);
	ASSERT_CONTAINS(err.zMsg, "block_indicator");
	ASSERT_TRUE(rpl_seek_world(s, ENG_S(600), &err) != NULL); /* before it, the world re-runs */
	rpl_seek_close(s);
	acts_free(&A);
}
