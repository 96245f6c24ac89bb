/* The journal module alone (engine/journal): schema, durability, batching, snapshots and seek, versions,
 * damaged files, and a writer killed with SIGKILL. Real sqlite files in the test's scratch directory. */
#include "tests/c/ky_test.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/journal.h"

static char zPathBuf[512];

static const char *db_path(const char *zName) {
	snprintf(zPathBuf, sizeof zPathBuf, "%s/%s", ky_test_tmpdir(), zName);
	return zPathBuf;
}

static eng_journal *open_new(const char *zPath) {
	ky_err err = { 0 };
	eng_journal *j = eng_journal_open(zPath, ENG_JOURNAL_CREATE | ENG_JOURNAL_TRUNCATE, &err);
	if (!j) ky_test_fail(__FILE__, __LINE__, "open %s: %s", zPath, err.zMsg);
	return j;
}

/* Counts rows through a second, independent sqlite connection: what another process would see. */
static int64_t other_count(const char *zPath, const char *zSql) {
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t n = -1;
	if (sqlite3_open_v2(zPath, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, zSql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void exec_other(const char *zPath, const char *zSql) {
	sqlite3 *db = NULL;
	if (sqlite3_open(zPath, &db) != SQLITE_OK || sqlite3_exec(db, zSql, NULL, NULL, NULL) != SQLITE_OK) {
		ky_test_fail(__FILE__, __LINE__, "exec %s: %s", zSql, db ? sqlite3_errmsg(db) : "open failed");
	}
	sqlite3_close(db);
}

TEST(a_new_journal_stores_every_kind_of_row_and_reads_it_back) {
	const char *zPath = db_path("all.db");
	ky_err err = { 0 };
	eng_journal *j = open_new(zPath);
	ASSERT_EQ_INT(eng_journal_meta_set(j, "scenario_id", "tcu-remote", &err), 0);
	ASSERT_EQ_INT(eng_journal_meta_set(j, "seed", "7", &err), 0);
	ASSERT_EQ_INT(eng_journal_event(j, ENG_S(1), "alert", "ids", "{\"n\":3}", &err), 0);
	ASSERT_EQ_INT(eng_journal_inject(j, ENG_S(2), "vsoc", "I1", "{\"type\":\"inject\",\"id\":\"I1\"}", &err), 0);
	ASSERT_EQ_INT(eng_journal_inject(j, ENG_S(2), "oem_psirt", "I1", "{\"type\":\"inject\",\"id\":\"I1\"}", &err), 0);
	ASSERT_EQ_INT(eng_journal_message(j, ENG_S(3), "vsoc", "all", "{\"type\":\"message\"}", &err), 0);
	ASSERT_EQ_INT(eng_journal_score(j, ENG_S(3), "vsoc", 20, "{\"type\":\"score\"}", &err), 0);
	ASSERT_EQ_INT(eng_journal_metrics(j, ENG_S(4), "{\"total\":100}", &err), 0);
	ASSERT_EQ_INT(eng_journal_action(j, 1, "vsoc", "c1", ENG_S(5), "block_indicator", "{\"value\":\"203.0.113.7\"}",
	                                 "{\"cut_cars\":3}", "I1", &err), 0);
	ASSERT_EQ_INT(eng_journal_read(j, ENG_S(6), "vsoc", "I1", &err), 0);
	ASSERT_EQ_INT(eng_journal_grade(j, ENG_S(7), 1, 5.0, "good", &err), 0);
	ASSERT_EQ_INT(eng_journal_adhoc(j, ENG_S(8), "{\"to\":[\"all\"],\"title\":\"x\"}", &err), 0);
	ASSERT_EQ_INT(eng_journal_token_put(j, "vsoc", "ab12", &err), 0);
	ASSERT_EQ_INT(eng_journal_close(j, &err), 0);

	j = eng_journal_open(zPath, ENG_JOURNAL_READONLY, &err);
	ASSERT_TRUE(j != NULL);
	ASSERT_EQ_INT(eng_journal_count(j, "events", &err), 1);
	ASSERT_EQ_INT(eng_journal_count(j, "injects", &err), 1);
	ASSERT_EQ_INT(eng_journal_count(j, "deliveries", &err), 2);
	ASSERT_EQ_INT(eng_journal_count(j, "messages", &err), 1);
	ASSERT_EQ_INT(eng_journal_count(j, "scores", &err), 1);
	ASSERT_EQ_INT(eng_journal_count(j, "metrics", &err), 1);
	ASSERT_EQ_INT(eng_journal_count(j, "actions", &err), 1);
	ASSERT_EQ_INT(eng_journal_count(j, "reads", &err), 1);
	ASSERT_EQ_INT(eng_journal_count(j, "grades", &err), 1);
	ASSERT_EQ_INT(eng_journal_count(j, "adhoc", &err), 1);
	ASSERT_EQ_INT(eng_journal_count(j, "tokens", &err), 1);
	ASSERT_EQ_INT(eng_journal_count(j, "nope", &err), -1);
	char *z = eng_journal_meta_get(j, "scenario_id", &err);
	ASSERT_EQ_STR(z, "tcu-remote");
	free(z);
	ASSERT_TRUE(eng_journal_meta_get(j, "absent", &err) == NULL);
	ASSERT_EQ_INT(err.code, KY_ENOENT);
	char zDigest[65];
	ASSERT_EQ_INT(eng_journal_token_get(j, "vsoc", zDigest, sizeof zDigest, &err), 0);
	ASSERT_EQ_STR(zDigest, "ab12");
	ASSERT_EQ_INT(eng_journal_token_get(j, "isac", zDigest, sizeof zDigest, &err), KY_ENOENT);
	int64_t seq = 0;
	ASSERT_EQ_INT(eng_journal_action_find(j, "vsoc", "c1", &seq, &err), 0);
	ASSERT_EQ_INT(seq, 1);
	eng_time_t t = 0;
	ASSERT_EQ_INT(eng_journal_last_time(j, &t, &err), 0);
	ASSERT_EQ_INT(t, ENG_S(8));
	ASSERT_EQ_INT(eng_journal_clean_time(j, &t, &err), 0);
	ASSERT_EQ_INT(t, ENG_S(8));
	ASSERT_EQ_INT(eng_journal_event(j, 9, "x", NULL, NULL, &err), KY_ESTATE);
	eng_journal_close(j, NULL);
	ASSERT_EQ_INT(other_count(zPath, "PRAGMA user_version"), ENG_JOURNAL_SCHEMA);
	ASSERT_EQ_INT(other_count(zPath, "SELECT json_extract(data, '$.total') FROM metrics"), 100);
}

TEST(an_action_is_committed_before_the_call_returns_and_batched_rows_wait) {
	const char *zPath = db_path("durable.db");
	ky_err err = { 0 };
	eng_journal *j = open_new(zPath);
	eng_journal_set_batch(j, 1000, ENG_S(3600));
	for (int i = 0; i < 10; i++) ASSERT_EQ_INT(eng_journal_event(j, ENG_S(i), "tick", NULL, NULL, &err), 0);
	/* still in the open batch: another connection sees nothing yet */
	ASSERT_EQ_INT(other_count(zPath, "SELECT count(*) FROM events"), 0);
	ASSERT_EQ_INT(eng_journal_count(j, "events", &err), 10);
	ASSERT_EQ_INT(eng_journal_action(j, 1, "vsoc", "a", ENG_S(10), "triage", "{}", NULL, NULL, &err), 0);
	/* the action and the batch before it are committed */
	ASSERT_EQ_INT(other_count(zPath, "SELECT count(*) FROM actions"), 1);
	ASSERT_EQ_INT(other_count(zPath, "SELECT count(*) FROM events"), 10);
	ASSERT_EQ_INT(eng_journal_event(j, ENG_S(11), "tick", NULL, NULL, &err), 0);
	ASSERT_EQ_INT(other_count(zPath, "SELECT count(*) FROM events"), 10);
	ASSERT_EQ_INT(eng_journal_flush(j, &err), 0);
	ASSERT_EQ_INT(other_count(zPath, "SELECT count(*) FROM events"), 11);
	ASSERT_EQ_INT(other_count(zPath, "SELECT value FROM meta WHERE key = 'clean_us'"), ENG_S(11));
	eng_journal_mark(j, ENG_S(20));
	ASSERT_EQ_INT(eng_journal_flush(j, &err), 0);
	ASSERT_EQ_INT(other_count(zPath, "SELECT value FROM meta WHERE key = 'clean_us'"), ENG_S(20));
	ASSERT_EQ_STR(other_count(zPath, "SELECT 1 FROM pragma_journal_mode WHERE journal_mode = 'wal'") == 1 ? "wal" : "other", "wal");
	eng_journal_close(j, NULL);
}

TEST(batches_commit_by_size_and_by_sim_time_span) {
	const char *zPath = db_path("batch.db");
	ky_err err = { 0 };
	eng_journal *j = open_new(zPath);
	eng_journal_set_batch(j, 5, ENG_S(3600));
	for (int i = 0; i < 6; i++) ASSERT_EQ_INT(eng_journal_event(j, i, "k", NULL, NULL, &err), 0);
	ASSERT_EQ_INT(other_count(zPath, "SELECT count(*) FROM events"), 5);
	eng_journal_set_batch(j, 1000, ENG_S(10));
	ASSERT_EQ_INT(eng_journal_flush(j, &err), 0);
	ASSERT_EQ_INT(eng_journal_event(j, ENG_S(1), "k", NULL, NULL, &err), 0);
	ASSERT_EQ_INT(eng_journal_event(j, ENG_S(5), "k", NULL, NULL, &err), 0);
	ASSERT_EQ_INT(other_count(zPath, "SELECT count(*) FROM events"), 6);
	ASSERT_EQ_INT(eng_journal_event(j, ENG_S(12), "k", NULL, NULL, &err), 0); /* 11 s after the batch began */
	ASSERT_EQ_INT(other_count(zPath, "SELECT count(*) FROM events"), 8);
	ASSERT_EQ_INT(eng_journal_close(j, &err), 0);
	ASSERT_EQ_INT(other_count(zPath, "SELECT count(*) FROM events"), 9);
}

TEST(a_repeated_client_id_or_seq_is_refused_and_changes_nothing) {
	const char *zPath = db_path("dup.db");
	ky_err err = { 0 };
	eng_journal *j = open_new(zPath);
	ASSERT_EQ_INT(eng_journal_action(j, 1, "vsoc", "a", 10, "triage", NULL, NULL, NULL, &err), 0);
	ASSERT_EQ_INT(eng_journal_action(j, 2, "vsoc", "a", 11, "triage", NULL, NULL, NULL, &err), KY_ESTATE);
	ASSERT_CONTAINS(err.zMsg, "already recorded as seq 1");
	ASSERT_EQ_INT(eng_journal_action(j, 1, "isac", "a", 11, "triage", NULL, NULL, NULL, &err), KY_ESTATE);
	/* the same client id from another team is another action */
	ASSERT_EQ_INT(eng_journal_action(j, 2, "isac", "a", 11, "triage", NULL, NULL, NULL, &err), 0);
	ASSERT_EQ_INT(eng_journal_count(j, "actions", &err), 2);
	eng_journal_close(j, NULL);
}

static int collect_input(void *ctx, const eng_journal_input *in) {
	char *z = ctx;
	strcat(z, in->zKind);
	strcat(z, ",");
	return 0;
}

TEST(inputs_come_back_in_the_order_they_were_made_even_after_reopening) {
	const char *zPath = db_path("inputs.db");
	ky_err err = { 0 };
	eng_journal *j = open_new(zPath);
	ASSERT_EQ_INT(eng_journal_action(j, 1, "vsoc", "a", 10, "triage", "{}", NULL, "I1", &err), 0);
	ASSERT_EQ_INT(eng_journal_grade(j, 11, 1, 2.5, "ok", &err), 0);
	ASSERT_EQ_INT(eng_journal_read(j, 12, "vsoc", "I1", &err), 0);
	ASSERT_EQ_INT(eng_journal_read(j, 13, "vsoc", "I1", &err), 0); /* a second read of the same inject: kept once */
	eng_journal_close(j, NULL);
	j = eng_journal_open(zPath, 0, &err);
	ASSERT_TRUE(j != NULL);
	ASSERT_EQ_INT(eng_journal_adhoc(j, 14, "{}", &err), 0);
	ASSERT_EQ_INT(eng_journal_action(j, 2, "isac", "b", 15, "notify", "{}", NULL, NULL, &err), 0);
	char z[256] = "";
	ASSERT_EQ_INT(eng_journal_inputs(j, collect_input, z, &err), 0);
	ASSERT_EQ_STR(z, "action,grade,read,adhoc,action,");
	eng_journal_close(j, NULL);
}

/* A deterministic "world state": n bytes, a few of which change per step. */
static void evolve(unsigned char *p, size_t n, int step) {
	uint64_t x = 0x9e3779b97f4a7c15ULL * (uint64_t)(step + 1);
	for (int k = 0; k < 50; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[x % n] = (unsigned char)(x >> 32);
	}
}

TEST(seek_returns_the_exact_blob_of_the_latest_snapshot_at_or_before_t) {
	const char *zPath = db_path("snap.db");
	ky_err err = { 0 };
	enum { N = 100000, STEPS = 30 };
	static unsigned char aState[STEPS][N];
	eng_journal *j = open_new(zPath);
	eng_journal_set_keyframes(j, 8);
	unsigned char cur[N];
	memset(cur, 0, sizeof cur);
	for (int s = 0; s < STEPS; s++) {
		evolve(cur, N, s);
		memcpy(aState[s], cur, N);
		ASSERT_EQ_INT(eng_journal_snapshot(j, ENG_S(60) * (s + 1), cur, N, &err), 0);
	}
	ASSERT_EQ_INT(eng_journal_close(j, &err), 0);
	/* deltas are much smaller than the blobs; keyframes of these mostly-zero blobs have their zero runs elided */
	ASSERT_EQ_INT(other_count(zPath, "SELECT count(*) FROM snapshots WHERE kind <> 1"), 4);
	ASSERT_EQ_INT(other_count(zPath, "SELECT count(*) FROM snapshots WHERE kind = 2"), 4);
	ASSERT_LT(other_count(zPath, "SELECT max(length(data)) FROM snapshots WHERE kind = 2"), N / 10);
	ASSERT_LT(other_count(zPath, "SELECT max(length(data)) FROM snapshots WHERE kind = 1"), 1000);

	j = eng_journal_open(zPath, ENG_JOURNAL_READONLY, &err);
	ASSERT_TRUE(j != NULL);
	unsigned char *p = NULL;
	size_t n = 0;
	eng_time_t tSnap = 0;
	ASSERT_EQ_INT(eng_journal_snapshot_at(j, ENG_S(59), &p, &n, &tSnap, &err), KY_ENOENT);
	for (int s = 0; s < STEPS; s++) {
		eng_time_t t = ENG_S(60) * (s + 1) + (s % 3) * ENG_S(20);
		ASSERT_EQ_INT(eng_journal_snapshot_at(j, t, &p, &n, &tSnap, &err), 0);
		ASSERT_EQ_INT(tSnap, ENG_S(60) * (s + 1));
		ASSERT_EQ_INT(n, N);
		ASSERT_TRUE(memcmp(p, aState[s], N) == 0);
		free(p);
	}
	ASSERT_EQ_INT(eng_journal_snapshot_at(j, ENG_S(99999), &p, &n, &tSnap, &err), 0);
	ASSERT_EQ_INT(tSnap, ENG_S(60) * STEPS);
	free(p);
	eng_journal_close(j, NULL);
}

TEST(snapshots_that_do_not_delta_well_are_stored_whole_and_deltas_come_back_when_they_pay) {
	const char *zPath = db_path("nodelta.db");
	ky_err err = { 0 };
	enum { N = 4096, STEPS = 40 };
	static unsigned char aState[STEPS][N];
	eng_journal *j = open_new(zPath);
	uint64_t x = 1;
	unsigned char cur[N] = { 0 };
	for (int s = 0; s < STEPS; s++) {
		if (s < 10) { /* unrelated blobs: nothing in common */
			for (int i = 0; i < N; i++) x ^= x << 13, x ^= x >> 7, x ^= x << 17, cur[i] = (unsigned char)x;
		} else {
			evolve(cur, N, s); /* a few bytes change */
		}
		memcpy(aState[s], cur, N);
		ASSERT_EQ_INT(eng_journal_snapshot(j, ENG_S(60) * (s + 1), cur, N, &err), 0);
	}
	/* the first ten are whole; later ones are deltas again */
	ASSERT_EQ_INT(eng_journal_count(j, "snapshots", &err), STEPS);
	ASSERT_EQ_INT(eng_journal_flush(j, &err), 0);
	ASSERT_EQ_INT(other_count(zPath, "SELECT count(*) FROM snapshots WHERE kind = 1 AND t_us <= 600000000"), 0);
	ASSERT_LT(10, other_count(zPath, "SELECT count(*) FROM snapshots WHERE kind = 1"));
	for (int s = 0; s < STEPS; s++) {
		unsigned char *p = NULL;
		size_t n = 0;
		ASSERT_EQ_INT(eng_journal_snapshot_at(j, ENG_S(60) * (s + 1), &p, &n, NULL, &err), 0);
		ASSERT_TRUE(n == N && memcmp(p, aState[s], N) == 0);
		free(p);
	}
	eng_journal_close(j, NULL);
}

TEST(a_snapshot_of_another_size_starts_a_new_keyframe) {
	const char *zPath = db_path("snapsize.db");
	ky_err err = { 0 };
	eng_journal *j = open_new(zPath);
	unsigned char a[64] = { 1, 2, 3 }, b[100] = { 9 };
	ASSERT_EQ_INT(eng_journal_snapshot(j, 10, a, sizeof a, &err), 0);
	a[5] = 7;
	ASSERT_EQ_INT(eng_journal_snapshot(j, 20, a, sizeof a, &err), 0);
	ASSERT_EQ_INT(eng_journal_snapshot(j, 30, b, sizeof b, &err), 0);
	ASSERT_EQ_INT(eng_journal_snapshot(j, 40, NULL, 0, &err), 0);
	unsigned char *p = NULL;
	size_t n = 0;
	eng_time_t tSnap = 0;
	ASSERT_EQ_INT(eng_journal_snapshot_at(j, 25, &p, &n, &tSnap, &err), 0);
	ASSERT_EQ_INT(n, sizeof a);
	ASSERT_EQ_INT(p[5], 7);
	free(p);
	ASSERT_EQ_INT(eng_journal_snapshot_at(j, 35, &p, &n, &tSnap, &err), 0);
	ASSERT_EQ_INT(n, sizeof b);
	ASSERT_EQ_INT(p[0], 9);
	free(p);
	ASSERT_EQ_INT(eng_journal_snapshot_at(j, 45, &p, &n, &tSnap, &err), 0);
	ASSERT_EQ_INT(n, 0);
	free(p);
	eng_journal_close(j, NULL);
}

TEST(a_second_snapshot_at_the_same_time_replaces_the_first_and_the_chain_holds) {
	const char *zPath = db_path("snapsame.db");
	ky_err err = { 0 };
	eng_journal *j = open_new(zPath);
	unsigned char a[256] = { 0 };
	for (int i = 1; i <= 5; i++) {
		a[i] = (unsigned char)i;
		ASSERT_EQ_INT(eng_journal_snapshot(j, i * 10, a, sizeof a, &err), 0);
	}
	a[100] = 99;
	ASSERT_EQ_INT(eng_journal_snapshot(j, 50, a, sizeof a, &err), 0);
	a[101] = 98;
	ASSERT_EQ_INT(eng_journal_snapshot(j, 60, a, sizeof a, &err), 0);
	unsigned char *p = NULL;
	size_t n = 0;
	ASSERT_EQ_INT(eng_journal_snapshot_at(j, 55, &p, &n, NULL, &err), 0);
	ASSERT_EQ_INT(p[100], 99);
	ASSERT_EQ_INT(p[101], 0);
	free(p);
	ASSERT_EQ_INT(eng_journal_snapshot_at(j, 60, &p, &n, NULL, &err), 0);
	ASSERT_TRUE(memcmp(p, a, sizeof a) == 0);
	free(p);
	ASSERT_EQ_INT(eng_journal_snapshot_at(j, 45, &p, &n, NULL, &err), 0);
	ASSERT_EQ_INT(p[4], 4);
	ASSERT_EQ_INT(p[5], 0);
	free(p);
	ASSERT_EQ_INT(eng_journal_count(j, "snapshots", &err), 6);
	eng_journal_close(j, NULL);
}

TEST(truncate_drops_derived_rows_from_t_and_keeps_inputs) {
	const char *zPath = db_path("trunc.db");
	ky_err err = { 0 };
	eng_journal *j = open_new(zPath);
	unsigned char blob[32] = { 0 };
	for (int i = 0; i < 10; i++) {
		ASSERT_EQ_INT(eng_journal_event(j, ENG_S(i), "k", NULL, NULL, &err), 0);
		ASSERT_EQ_INT(eng_journal_metrics(j, ENG_S(i), "{}", &err), 0);
		blob[i] = (unsigned char)i;
		ASSERT_EQ_INT(eng_journal_snapshot(j, ENG_S(i), blob, sizeof blob, &err), 0);
	}
	ASSERT_EQ_INT(eng_journal_action(j, 1, "vsoc", "a", ENG_S(9), "triage", NULL, NULL, NULL, &err), 0);
	ASSERT_EQ_INT(eng_journal_truncate_derived(j, ENG_S(5), &err), 0);
	ASSERT_EQ_INT(eng_journal_count(j, "events", &err), 5);
	ASSERT_EQ_INT(eng_journal_count(j, "metrics", &err), 5);
	ASSERT_EQ_INT(eng_journal_count(j, "snapshots", &err), 5);
	ASSERT_EQ_INT(eng_journal_count(j, "actions", &err), 1);
	/* the snapshot chain goes on correctly after the cut */
	blob[20] = 42;
	ASSERT_EQ_INT(eng_journal_snapshot(j, ENG_S(6), blob, sizeof blob, &err), 0);
	unsigned char *p = NULL;
	size_t n = 0;
	ASSERT_EQ_INT(eng_journal_snapshot_at(j, ENG_S(6), &p, &n, NULL, &err), 0);
	ASSERT_TRUE(memcmp(p, blob, sizeof blob) == 0);
	free(p);
	ASSERT_EQ_INT(eng_journal_snapshot_at(j, ENG_S(4), &p, &n, NULL, &err), 0);
	ASSERT_EQ_INT(p[4], 4);
	ASSERT_EQ_INT(p[5], 0);
	free(p);
	eng_journal_close(j, NULL);
}

TEST(the_same_snapshot_again_at_the_same_time_writes_nothing_and_a_changed_one_replaces_it) {
	const char *zPath = db_path("snapagain.db");
	ky_err err = { 0 };
	eng_journal *j = open_new(zPath);
	unsigned char a[4096] = { 0 };
	for (int i = 0; i < (int)sizeof a; i += 3) a[i] = (unsigned char)(i * 7 + 1);
	ASSERT_EQ_INT(eng_journal_snapshot(j, 10, a, sizeof a, &err), 0);
	a[9] ^= 1;
	ASSERT_EQ_INT(eng_journal_snapshot(j, 20, a, sizeof a, &err), 0);
	ASSERT_EQ_INT(eng_journal_flush(j, &err), 0);
	ASSERT_EQ_INT(eng_journal_snapshot(j, 20, a, sizeof a, &err), 0);
	ASSERT_EQ_INT(eng_journal_flush(j, &err), 0);
	ASSERT_EQ_INT(other_count(zPath, "SELECT count(*) FROM snapshots"), 2);
	ASSERT_EQ_INT(other_count(zPath, "SELECT kind FROM snapshots WHERE t_us = 20"), 1); /* still the delta */
	a[100] = 5;
	ASSERT_EQ_INT(eng_journal_snapshot(j, 20, a, sizeof a, &err), 0);
	ASSERT_EQ_INT(eng_journal_flush(j, &err), 0);
	ASSERT_TRUE(other_count(zPath, "SELECT kind FROM snapshots WHERE t_us = 20") != 1); /* replaced by a keyframe */
	unsigned char *p = NULL;
	size_t n = 0;
	ASSERT_EQ_INT(eng_journal_snapshot_at(j, 25, &p, &n, NULL, &err), 0);
	ASSERT_TRUE(n == sizeof a && memcmp(p, a, n) == 0);
	free(p);
	eng_journal_close(j, NULL);
}

TEST(a_journal_of_schema_1_is_read_as_it_is_and_migrated_when_opened_writable) {
	const char *zPath = db_path("schema1.db");
	ky_err err = { 0 };
	eng_journal *j = open_new(zPath);
	unsigned char a[256] = { 1, 2, 3 };
	ASSERT_EQ_INT(eng_journal_snapshot(j, 10, a, sizeof a, &err), 0);
	eng_journal_close(j, NULL);
	exec_other(zPath, "PRAGMA user_version = 1");
	j = eng_journal_open(zPath, ENG_JOURNAL_READONLY, &err);
	if (!j) ky_test_fail(__FILE__, __LINE__, "read-only open of schema 1: %s", err.zMsg);
	unsigned char *p = NULL;
	size_t n = 0;
	ASSERT_EQ_INT(eng_journal_snapshot_at(j, 10, &p, &n, NULL, &err), 0);
	ASSERT_TRUE(n == sizeof a && memcmp(p, a, n) == 0);
	free(p);
	eng_journal_close(j, NULL);
	ASSERT_EQ_INT(other_count(zPath, "PRAGMA user_version"), 1);
	j = eng_journal_open(zPath, 0, &err);
	ASSERT_TRUE(j != NULL);
	eng_journal_close(j, NULL);
	ASSERT_EQ_INT(other_count(zPath, "PRAGMA user_version"), ENG_JOURNAL_SCHEMA);
}

TEST(a_journal_of_a_newer_schema_version_fails_with_a_clear_message) {
	const char *zPath = db_path("newer.db");
	ky_err err = { 0 };
	eng_journal_close(open_new(zPath), NULL);
	exec_other(zPath, "PRAGMA user_version = 99");
	eng_journal *j = eng_journal_open(zPath, 0, &err);
	ASSERT_TRUE(j == NULL);
	ASSERT_EQ_INT(err.code, KY_EVERSION);
	ASSERT_CONTAINS(err.zMsg, "schema version 99 is newer");
	ASSERT_CONTAINS(err.zMsg, zPath);
	j = eng_journal_open(zPath, ENG_JOURNAL_READONLY, &err);
	ASSERT_TRUE(j == NULL);
	ASSERT_EQ_INT(err.code, KY_EVERSION);
}

TEST(a_file_that_is_not_a_journal_is_reported) {
	ky_err err = { 0 };
	const char *zPath = db_path("garbage.db");
	FILE *f = fopen(zPath, "wb");
	ASSERT_TRUE(f != NULL);
	for (int i = 0; i < 8192; i++) fputc((i * 7919) & 0xff, f);
	fclose(f);
	eng_journal *j = eng_journal_open(zPath, 0, &err);
	ASSERT_TRUE(j == NULL);
	ASSERT_EQ_INT(err.code, KY_EIO);
	ASSERT_CONTAINS(err.zMsg, "not a kyodo journal");

	zPath = db_path("other.db");
	exec_other(zPath, "CREATE TABLE t(x)");
	j = eng_journal_open(zPath, 0, &err);
	ASSERT_TRUE(j == NULL);
	ASSERT_EQ_INT(err.code, KY_EIO);
	ASSERT_CONTAINS(err.zMsg, "another application");

	j = eng_journal_open(db_path("missing.db"), 0, &err);
	ASSERT_TRUE(j == NULL);
	ASSERT_EQ_INT(err.code, KY_ENOENT);

	/* an empty file (a writer killed while creating it) is an empty journal, not a damaged one */
	zPath = db_path("empty.db");
	f = fopen(zPath, "wb");
	ASSERT_TRUE(f != NULL);
	fclose(f);
	j = eng_journal_open(zPath, ENG_JOURNAL_READONLY, &err);
	ASSERT_TRUE(j == NULL);
	ASSERT_EQ_INT(err.code, KY_ENOENT);
	ASSERT_CONTAINS(err.zMsg, "no drill recorded");
	j = eng_journal_open(zPath, 0, &err);
	ASSERT_TRUE(j != NULL);
	ASSERT_EQ_INT(eng_journal_count(j, "actions", &err), 0);
	eng_journal_close(j, NULL);
}

static int count_events(void *ctx, eng_time_t t, const char *zKind, const char *zSubject, const char *zDetail) {
	(void)t, (void)zKind, (void)zSubject, (void)zDetail;
	(*(int *)ctx)++;
	return 0;
}

/* Threads of this process (/proc/self/task). */
static int thread_count(void) {
	DIR *d = opendir("/proc/self/task");
	int n = 0;
	if (!d) return -1;
	for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

TEST(the_wal_is_copied_back_by_a_checkpoint_thread_while_the_journal_is_open) {
	const char *zPath = db_path("ckpt.db");
	ky_err err = { 0 };
	char zDetail[400];
	struct stat st;
	int nBefore = thread_count();
	memset(zDetail, 'c', sizeof zDetail - 1);
	zDetail[sizeof zDetail - 1] = 0;
	eng_journal *j = open_new(zPath);
	ASSERT_EQ_INT(thread_count(), nBefore + 1); /* the checkpoint thread of a writable journal */
	eng_journal_set_batch(j, 500, ENG_S(3600));
	for (int i = 0; i < 20000; i++) ASSERT_EQ_INT(eng_journal_event(j, i, "k", "s", zDetail, &err), 0);
	ASSERT_EQ_INT(eng_journal_flush(j, &err), 0);
	/* some 2,000 pages went through the WAL: the thread copies them into the database file meanwhile */
	for (int k = 0; k < 1000 && (stat(zPath, &st) != 0 || st.st_size < 4 * 1024 * 1024); k++) usleep(10000);
	ASSERT_TRUE(stat(zPath, &st) == 0 && st.st_size >= 4 * 1024 * 1024);
	ASSERT_EQ_INT(eng_journal_action(j, 1, "t1", "c1", 20000, "report", "{}", NULL, NULL, &err), 0); /* the writer goes on */
	ASSERT_EQ_INT(other_count(zPath, "SELECT count(*) FROM events"), 20000);
	ASSERT_EQ_INT(eng_journal_close(j, &err), 0);
	ASSERT_EQ_INT(thread_count(), nBefore); /* stopped and joined at close */
	char zWal[600];
	snprintf(zWal, sizeof zWal, "%s-wal", zPath);
	ASSERT_TRUE(stat(zWal, &st) != 0); /* the last close still removes the WAL */
	j = eng_journal_open(zPath, ENG_JOURNAL_READONLY, &err);
	if (!j) ky_test_fail(__FILE__, __LINE__, "reopen: %s", err.zMsg);
	ASSERT_EQ_INT(thread_count(), nBefore); /* read-only: none */
	int n = 0;
	ASSERT_EQ_INT(eng_journal_events(j, 0, ENG_TIME_MAX, count_events, &n, &err), 0);
	ASSERT_EQ_INT(n, 20000);
	eng_journal_close(j, NULL);
}

TEST(a_journal_damaged_in_the_middle_is_reported_not_crashed_on) {
	const char *zPath = db_path("damaged.db");
	ky_err err = { 0 };
	eng_journal *j = open_new(zPath);
	char zDetail[200];
	memset(zDetail, 'x', sizeof zDetail - 1);
	zDetail[sizeof zDetail - 1] = 0;
	for (int i = 0; i < 5000; i++) ASSERT_EQ_INT(eng_journal_event(j, i, "k", "s", zDetail, &err), 0);
	ASSERT_EQ_INT(eng_journal_close(j, &err), 0);
	exec_other(zPath, "PRAGMA wal_checkpoint(TRUNCATE)");
	/* scribble over pages in the middle of the file */
	int fd = open(zPath, O_WRONLY);
	ASSERT_TRUE(fd >= 0);
	unsigned char junk[4096 * 4];
	for (size_t i = 0; i < sizeof junk; i++) junk[i] = (unsigned char)(i * 31 + 7);
	ASSERT_EQ_INT(pwrite(fd, junk, sizeof junk, 4096 * 100), (ssize_t)sizeof junk);
	close(fd);
	j = eng_journal_open(zPath, 0, &err);
	if (j) {
		/* the schema page survived: reading the damaged pages must fail with a message, not crash */
		int n = 0;
		int rc = eng_journal_events(j, 0, ENG_TIME_MAX, count_events, &n, &err);
		ASSERT_EQ_INT(rc, KY_EIO);
		ASSERT_CONTAINS(err.zMsg, "damaged.db");
		eng_journal_close(j, NULL);
	} else {
		ASSERT_EQ_INT(err.code, KY_EIO);
	}
	fd = open(zPath, O_WRONLY);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ_INT(pwrite(fd, junk, 100, 0), 100);
	close(fd);
	j = eng_journal_open(zPath, 0, &err);
	ASSERT_TRUE(j == NULL);
	ASSERT_EQ_INT(err.code, KY_EIO);
	ASSERT_CONTAINS(err.zMsg, "damaged.db");
}

/* The child writes batched rows and actions as fast as it can, and tells the parent through a pipe the seq of
 * each action once eng_journal_action has returned. The parent kills it with SIGKILL at an arbitrary moment. */
static void writer_child(const char *zPath, int fdOut) {
	ky_err err = { 0 };
	eng_journal *j = eng_journal_open(zPath, ENG_JOURNAL_CREATE | ENG_JOURNAL_TRUNCATE, &err);
	if (!j) _exit(3);
	eng_journal_set_batch(j, 500, ENG_S(3600));
	unsigned char blob[4096] = { 0 };
	for (int64_t i = 1;; i++) {
		for (int k = 0; k < 50; k++) {
			if (eng_journal_event(j, i * 1000 + k, "tick", "s", "{\"x\":1}", &err) != 0) _exit(4);
		}
		blob[i % sizeof blob] ^= 1;
		if (eng_journal_snapshot(j, i * 1000 + 50, blob, sizeof blob, &err) != 0) _exit(5);
		char zId[32];
		snprintf(zId, sizeof zId, "c%lld", (long long)i);
		if (eng_journal_action(j, i, "vsoc", zId, i * 1000 + 60, "triage", "{}", NULL, NULL, &err) != 0) _exit(6);
		if (write(fdOut, &i, sizeof i) != sizeof i) _exit(7);
	}
}

TEST(a_writer_killed_with_sigkill_leaves_a_journal_with_every_acknowledged_action) {
	/* kill points: once the child has acknowledged this many actions, after a random extra delay (0-2 ms) */
	static const int aAcks[] = { 0, 3, 17, 60 };
	int64_t maxAcked = 0;
	srand((unsigned)getpid());
	for (size_t r = 0; r < sizeof aAcks / sizeof aAcks[0]; r++) {
		char zName[32];
		snprintf(zName, sizeof zName, "killed%zu.db", r);
		char zPath[512];
		snprintf(zPath, sizeof zPath, "%s", db_path(zName));
		int fds[2];
		ASSERT_EQ_INT(pipe(fds), 0);
		pid_t pid = fork();
		ASSERT_TRUE(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			writer_child(zPath, fds[1]);
		}
		close(fds[1]);
		int64_t acked = 0, v;
		while (acked < aAcks[r] && read(fds[0], &v, sizeof v) == sizeof v) acked = v;
		usleep((useconds_t)(rand() % 2000));
		kill(pid, SIGKILL);
		int status = 0;
		waitpid(pid, &status, 0);
		ASSERT_TRUE(WIFSIGNALED(status));
		while (read(fds[0], &v, sizeof v) == sizeof v) acked = v;
		close(fds[0]);
		if (acked > maxAcked) maxAcked = acked;

		ky_err err = { 0 };
		eng_journal *j = eng_journal_open(zPath, 0, &err);
		if (!j && err.code == KY_ENOENT) continue; /* killed before it created the file */
		if (!j) ky_test_fail(__FILE__, __LINE__, "reopen after SIGKILL after %lld acks: %s", (long long)acked, err.zMsg);
		int64_t nActions = eng_journal_count(j, "actions", &err);
		ASSERT_LE(acked, nActions);
		for (int64_t s = 1; s <= acked; s++) {
			char zId[32];
			int64_t seq = 0;
			snprintf(zId, sizeof zId, "c%lld", (long long)s);
			ASSERT_EQ_INT(eng_journal_action_find(j, "vsoc", zId, &seq, &err), 0);
			ASSERT_EQ_INT(seq, s);
		}
		/* every row before the resume point is there: 50 events per step */
		eng_time_t tClean = 0;
		ASSERT_EQ_INT(eng_journal_clean_time(j, &tClean, &err), 0);
		ASSERT_LE(tClean / 1000 * 50 - 50, eng_journal_count(j, "events", &err));
		if (nActions > 0) {
			unsigned char *p = NULL;
			size_t n = 0;
			ASSERT_EQ_INT(eng_journal_snapshot_at(j, ENG_TIME_MAX, &p, &n, NULL, &err), 0);
			ASSERT_EQ_INT(n, 4096);
			free(p);
		}
		/* the journal goes on: new rows can be written after the crash */
		ASSERT_EQ_INT(eng_journal_action(j, nActions + 1, "vsoc", "after", ENG_S(999), "triage", NULL, NULL, NULL, &err), 0);
		ASSERT_EQ_INT(eng_journal_close(j, &err), 0);
	}
	ASSERT_LE(60, maxAcked); /* the kills did land while actions were being written */
}
