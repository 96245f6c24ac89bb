/* The journal with a real drill: the recorder (scenarios/record) writes everything the drill shows its
 * observers; resume (scenarios/resume) rebuilds a drill killed with SIGKILL at several points and reaches the
 * state hash of an uninterrupted run; seek restores the world of a snapshot. Real scenario file, real sqlite. */
#include "tests/c/ky_test.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/journal.h"
#include "scenarios/drill.h"
#include "scenarios/record.h"
#include "scenarios/resume.h"
#include "vehicles/world.h"

static const char *zScenarioText =
	"scenario { id = \"jrn-test\", title = \"Journal test\", duration = \"2h\", seed = 11 }\n"
	"teams { { id = \"vsoc\", name = \"Vehicle SOC\" }, { id = \"oem_psirt\", name = \"OEM PSIRT\" } }\n"
	"fleet { { model = \"Sedan-A\", count = 3000, region = \"JP-Kanto\", ecus = { tcu = \"2.3.1\", gw = \"1.4.0\" } },\n"
	"        { model = \"SUV-B\", count = 2000, region = \"JP-Kansai\", ecus = { tcu = \"2.4.1\", gw = \"1.4.0\" } } }\n"
	"sbom { tcu = { [\"2.3.1\"] = { \"openssl@1.1.1k\" } } }\n"
	"inject { id = \"I1\", at = \"00:10:00\", to = { \"vsoc\" }, severity = \"high\", title = \"IDS alert surge\", body = \"b\",\n"
	"         expects = { { action = \"block_indicator\", args = { value = \"203.0.113.7\" }, within = \"1h\", points = 20, team = \"vsoc\" } } }\n"
	"inject { id = \"I2\", at = \"00:30:00\", to = { \"all\" }, severity = \"medium\", title = \"Exploit published\", body = \"b\" }\n"
	"at(\"00:05:00\", function(now) attack.compromise { select = { model = \"Sedan-A\", ecu = \"tcu\", below = \"2.4.0\" },\n"
	"                                                fraction = 0.02, entry = \"tcu\", technique = \"ATM-T0012\" } end)\n"
	"every(\"10m\", function(now) attack.spread { rate = 0.05 } end)\n";

typedef struct test_action {
	int tMin;
	const char *zTeam, *zId, *zKind, *zArgs;
} test_action;

/* Team actions, and facilitator/participant inputs written "@read" (args: the inject), "@grade" (args: seq),
 * "@adhoc" (args: the ad-hoc inject). In time order. */
static const test_action aActions[] = {
	{ 12, "vsoc", "a1", "triage", "{\"inject\":\"I1\"}" },
	{ 20, "vsoc", "a2", "block_indicator", "{\"value\":\"203.0.113.7\"}" },
	{ 30, "vsoc", NULL, "@read", "I1" },
	{ 32, NULL, NULL, "@grade", "1" },
	{ 35, "oem_psirt", "a3", "assess", "{\"component\":\"openssl@1.1.1k\",\"affected\":3000}" },
	{ 45, NULL, NULL, "@adhoc", "{\"to\":\"all\",\"title\":\"Press enquiry\",\"body\":\"b\",\"severity\":\"low\"}" },
	{ 50, "oem_psirt", "a4", "ota_campaign", "{\"select\":{\"model\":\"Sedan-A\"},\"ecu\":\"tcu\",\"version\":\"2.4.0\",\"rollout\":0.5}" },
	{ 70, "vsoc", "a5", "share", "{\"to\":\"oem_psirt\",\"text\":\"IoC\",\"tlp\":\"green\"}" },
	{ 95, "oem_psirt", "a6", "notify", "{\"party\":\"regulator\",\"text\":\"incident\"}" },
};
#define N_INPUTS ((int)(sizeof aActions / sizeof aActions[0]))
#define N_ACTIONS 6 /* of them team actions */

/* Applies input i at the current sim time (r may be NULL: no journal). */
static int apply_input(scn_drill *d, scn_record *r, int i, ky_err *err) {
	const test_action *a = &aActions[i];
	if (!strcmp(a->zKind, "@read")) return scn_drill_read(d, a->zTeam, a->zArgs, err);
	if (!strcmp(a->zKind, "@grade")) return scn_drill_grade(d, atoll(a->zArgs), 4, "quick triage", err);
	json_t *args = json_loads(a->zArgs, 0, NULL);
	int rc = !strcmp(a->zKind, "@adhoc") ? scn_record_inject(r, d, args, err)
	                                      : scn_drill_action(d, a->zTeam, a->zId, a->zKind, args, NULL, NULL, err);
	json_decref(args);
	return rc;
}

/* Whether input i is in the journal already. */
static int recorded(eng_journal *j, int i) {
	const test_action *a = &aActions[i];
	int64_t seq;
	if (!strcmp(a->zKind, "@read")) return eng_journal_count(j, "reads", NULL) > 0;
	if (!strcmp(a->zKind, "@grade")) return eng_journal_count(j, "grades", NULL) > 0;
	if (!strcmp(a->zKind, "@adhoc")) return eng_journal_count(j, "adhoc", NULL) > 0;
	return eng_journal_action_find(j, a->zTeam, a->zId, &seq, NULL) == 0;
}

/* The summary's state_hash: the world and the scores. */
static void summary_hash(scn_drill *d, char zHash[65]) {
	json_t *s = scn_drill_summary_json(d);
	snprintf(zHash, 65, "%s", json_string_value(json_object_get(s, "state_hash")));
	json_decref(s);
}

static char zScenario[512];

static const char *scenario_path(void) {
	snprintf(zScenario, sizeof zScenario, "%s/jrn.lua", ky_test_tmpdir());
	FILE *f = fopen(zScenario, "w");
	if (!f) ky_test_fail(__FILE__, __LINE__, "cannot write %s", zScenario);
	fputs(zScenarioText, f);
	fclose(f);
	return zScenario;
}

/* Counts what the drill shows an observer, to compare with the journal. */
typedef struct counts {
	int64_t nInject, nMessage, nScore, nFleet, nEvent, nAction, nGrade, nRead;
} counts;

static void c_inject(void *ctx, const char *team, json_t *m) { (void)team, (void)m; ((counts *)ctx)->nInject++; }
static void c_message(void *ctx, json_t *m) { (void)m; ((counts *)ctx)->nMessage++; }
static void c_score(void *ctx, const char *team, json_t *m) { (void)team, (void)m; ((counts *)ctx)->nScore++; }
static void c_fleet(void *ctx, json_t *m) { (void)m; ((counts *)ctx)->nFleet++; }
static void c_event(void *ctx, eng_time_t t, const char *k, const char *s, json_t *d) { (void)t, (void)k, (void)s, (void)d; ((counts *)ctx)->nEvent++; }
static int c_action(void *ctx, int64_t seq, const char *team, const char *id, eng_time_t t, const char *kind, json_t *a,
                    json_t *r, ky_err *err) {
	(void)seq, (void)team, (void)id, (void)t, (void)kind, (void)a, (void)r, (void)err;
	((counts *)ctx)->nAction++;
	return 0;
}
static void c_grade(void *ctx, int64_t seq, double p, const char *z) { (void)seq, (void)p, (void)z; ((counts *)ctx)->nGrade++; }
static void c_read(void *ctx, const char *team, const char *zI, eng_time_t t) { (void)team, (void)zI, (void)t; ((counts *)ctx)->nRead++; }

/* Applies the inputs at their times, with r recording ad-hoc injects (may be NULL); with j, skips those that are
 * in the journal already. */
static void play(scn_drill *d, scn_record *r, eng_journal *j) {
	ky_err err = { 0 };
	for (int i = 0; i < N_INPUTS; i++) {
		eng_time_t t = ENG_S(60) * aActions[i].tMin;
		if (j && recorded(j, i)) continue;
		if (t > scn_drill_now(d) && scn_drill_advance_to(d, t, &err) != 0) ky_test_fail(__FILE__, __LINE__, "advance: %s", err.zMsg);
		if (apply_input(d, r, i, &err) != 0) ky_test_fail(__FILE__, __LINE__, "input %s: %s", aActions[i].zKind, err.zMsg);
	}
}

static scn_drill *open_drill(const char *zPath) {
	ky_err err = { 0 };
	scn_drill_opts o = { 0 };
	scn_drill *d = scn_drill_open(zPath, &o, &err);
	if (!d) ky_test_fail(__FILE__, __LINE__, "open %s: %s", zPath, err.zMsg);
	return d;
}

/* The state hash of an uninterrupted run with every action, without a journal. */
static void reference_hash(const char *zPath, char zHash[65]) {
	ky_err err = { 0 };
	scn_drill *d = open_drill(zPath);
	play(d, NULL, NULL);
	ASSERT_EQ_INT(scn_drill_advance_to(d, scn_drill_duration(d), &err), 0);
	summary_hash(d, zHash);
	scn_drill_free(d);
}

TEST(a_recorded_run_holds_every_inject_delivery_action_score_and_sample) {
	const char *zPath = scenario_path();
	char zDb[600];
	snprintf(zDb, sizeof zDb, "%s/run.db", ky_test_tmpdir());
	ky_err err = { 0 };
	scn_drill *d = open_drill(zPath);
	counts c = { 0 };
	scn_observer obs = { .ctx = &c, .on_inject = c_inject, .on_message = c_message, .on_score = c_score,
	                     .on_fleet = c_fleet, .on_event = c_event, .on_action = c_action, .on_grade = c_grade,
	                     .on_read = c_read };
	ASSERT_EQ_INT(scn_drill_add_observer(d, &obs), 0);
	scn_record *r = scn_record_attach(d, zDb, &err);
	if (!r) ky_test_fail(__FILE__, __LINE__, "attach: %s", err.zMsg);
	play(d, r, NULL);
	ASSERT_EQ_INT(scn_drill_advance_to(d, scn_drill_duration(d), &err), 0);
	ASSERT_EQ_INT(scn_record_close(r, &err), 0);
	json_t *ex = scn_drill_exercise_json(d);
	scn_drill_free(d);

	eng_journal *j = eng_journal_open(zDb, ENG_JOURNAL_READONLY, &err);
	ASSERT_TRUE(j != NULL);
	ASSERT_TRUE(c.nInject >= 5); /* I1 to vsoc, I2 and the ad-hoc one to both teams */
	ASSERT_EQ_INT(eng_journal_count(j, "deliveries", &err), c.nInject);
	ASSERT_EQ_INT(eng_journal_count(j, "messages", &err), c.nMessage);
	ASSERT_EQ_INT(eng_journal_count(j, "scores", &err), c.nScore);
	/* the regular samples (one a minute, 0 to 2 h) and none of the extra end-of-advance ones in between */
	ASSERT_EQ_INT(eng_journal_count(j, "metrics", &err), 2 * 60 + 1);
	ASSERT_LE(2 * 60 + 1, c.nFleet);
	ASSERT_EQ_INT(eng_journal_count(j, "events", &err), c.nEvent);
	ASSERT_EQ_INT(eng_journal_count(j, "actions", &err), N_ACTIONS);
	ASSERT_EQ_INT(c.nAction, N_ACTIONS);
	ASSERT_EQ_INT(eng_journal_count(j, "reads", &err), 1);
	ASSERT_EQ_INT(eng_journal_count(j, "grades", &err), 1);
	ASSERT_EQ_INT(eng_journal_count(j, "adhoc", &err), 1);
	ASSERT_EQ_INT(c.nRead, 1);
	ASSERT_EQ_INT(c.nGrade, 1);
	ASSERT_TRUE(c.nScore > 0);
	ASSERT_TRUE(c.nFleet >= 120); /* one sample a minute for 2 h */
	/* adaptive snapshots: at least one per SCN_RECORD_SNAPSHOT_MAX_US, at most one a minute, plus the final one */
	ASSERT_LE(2 * 3600 / (SCN_RECORD_SNAPSHOT_MAX_US / 1000000) + 1, eng_journal_count(j, "snapshots", &err));
	ASSERT_LE(eng_journal_count(j, "snapshots", &err), 2 * 60 + 2);
	char *z = eng_journal_meta_get(j, "scenario_sha256", &err);
	ASSERT_EQ_STR(z, json_string_value(json_object_get(ex, "sha256")));
	free(z);
	z = eng_journal_meta_get(j, "scenario_text", &err);
	ASSERT_EQ_STR(z, zScenarioText);
	free(z);
	z = eng_journal_meta_get(j, "seed", &err);
	ASSERT_EQ_STR(z, "11");
	free(z);
	int64_t seq = 0;
	ASSERT_EQ_INT(eng_journal_action_find(j, "oem_psirt", "a3", &seq, &err), 0);
	ASSERT_EQ_INT(seq, 3);
	json_decref(ex);
	eng_journal_close(j, NULL);
}

/* Remembers the world's hash at the fleet sample of minute 40, when the recorder took its snapshot. */
typedef struct hash_at {
	scn_drill *d;
	eng_time_t t;
	char zHash[65];
} hash_at;

static void h_fleet(void *ctx, json_t *m) {
	hash_at *h = ctx;
	if (json_integer_value(json_object_get(m, "t_us")) == h->t && !h->zHash[0]) {
		veh_world_state_hash(scn_drill_world(h->d), h->zHash);
	}
}

TEST(seek_restores_the_world_a_recorded_run_had_at_that_snapshot) {
	const char *zPath = scenario_path();
	char zDb[600];
	snprintf(zDb, sizeof zDb, "%s/seek.db", ky_test_tmpdir());
	ky_err err = { 0 };
	scn_drill *d = open_drill(zPath);
	scn_record *r = scn_record_attach(d, zDb, &err);
	ASSERT_TRUE(r != NULL);
	scn_record_set_snapshot_interval(r, ENG_S(60)); /* every minute, whatever it costs */
	hash_at h = { .d = d, .t = ENG_S(40 * 60) };
	scn_observer obs = { .ctx = &h, .on_fleet = h_fleet };
	ASSERT_EQ_INT(scn_drill_add_observer(d, &obs), 0); /* after the recorder: sees the state it saved */
	play(d, r, NULL);
	ASSERT_EQ_INT(scn_drill_advance_to(d, scn_drill_duration(d), &err), 0);
	char zEnd[65];
	veh_world_state_hash(scn_drill_world(d), zEnd);
	ASSERT_EQ_INT(scn_record_close(r, &err), 0);
	scn_drill_free(d);
	ASSERT_TRUE(h.zHash[0] != 0);

	scn_seek *s = scn_seek_open(zDb, NULL, &err); /* from the scenario text kept in the journal */
	if (!s) ky_test_fail(__FILE__, __LINE__, "seek open: %s", err.zMsg);
	eng_time_t tSnap = 0;
	ASSERT_EQ_INT(scn_seek_to(s, ENG_S(40 * 60) + ENG_S(30), &tSnap, &err), 0);
	ASSERT_EQ_INT(tSnap, ENG_S(40 * 60));
	char zSeek[65];
	veh_world_state_hash(scn_seek_world(s), zSeek);
	ASSERT_EQ_STR(zSeek, h.zHash);
	/* backwards, then forwards again */
	ASSERT_EQ_INT(scn_seek_to(s, ENG_S(5 * 60), &tSnap, &err), 0);
	veh_world_state_hash(scn_seek_world(s), zSeek);
	ASSERT_TRUE(strcmp(zSeek, h.zHash) != 0);
	ASSERT_EQ_INT(scn_seek_to(s, ENG_S(40 * 60), &tSnap, &err), 0);
	veh_world_state_hash(scn_seek_world(s), zSeek);
	ASSERT_EQ_STR(zSeek, h.zHash);
	/* the last snapshot is the end of the drill */
	ASSERT_EQ_INT(scn_seek_to(s, ENG_TIME_MAX, &tSnap, &err), 0);
	ASSERT_EQ_INT(tSnap, ENG_S(2 * 3600));
	veh_world_state_hash(scn_seek_world(s), zSeek);
	ASSERT_EQ_STR(zSeek, zEnd);
	scn_seek_close(s);
}

TEST(an_exact_rebuild_at_any_time_matches_a_run_stopped_there) {
	const char *zPath = scenario_path();
	char zDb[600];
	snprintf(zDb, sizeof zDb, "%s/exact.db", ky_test_tmpdir());
	ky_err err = { 0 };
	scn_drill *d = open_drill(zPath);
	scn_record *r = scn_record_attach(d, zDb, &err);
	ASSERT_TRUE(r != NULL);
	play(d, r, NULL);
	ASSERT_EQ_INT(scn_drill_advance_to(d, scn_drill_duration(d), &err), 0);
	ASSERT_EQ_INT(scn_record_close(r, &err), 0);
	scn_drill_free(d);

	/* a run with the same inputs stopped at 00:52:17 */
	eng_time_t tStop = ENG_S(52 * 60 + 17);
	d = open_drill(zPath);
	for (int i = 0; i < N_INPUTS && ENG_S(60) * aActions[i].tMin <= tStop; i++) {
		ASSERT_EQ_INT(scn_drill_advance_to(d, ENG_S(60) * aActions[i].tMin, &err), 0);
		ASSERT_EQ_INT(apply_input(d, NULL, i, &err), 0);
	}
	ASSERT_EQ_INT(scn_drill_advance_to(d, tStop, &err), 0);
	char zWant[65], zGot[65];
	summary_hash(d, zWant);
	scn_drill_free(d);

	scn_resume_opts ro = { .zScenarioPath = zPath, .tStop = tStop, .bReadOnly = 1 };
	d = scn_resume_open(zDb, &ro, NULL, NULL, &err);
	if (!d) ky_test_fail(__FILE__, __LINE__, "rebuild: %s", err.zMsg);
	ASSERT_EQ_INT(scn_drill_now(d), tStop);
	summary_hash(d, zGot);
	ASSERT_EQ_STR(zGot, zWant);
	scn_drill_free(d);

	/* the same through a seek handle: forward from earlier, past it, then back */
	scn_seek *s = scn_seek_open(zDb, zPath, &err);
	if (!s) ky_test_fail(__FILE__, __LINE__, "seek open: %s", err.zMsg);
	ASSERT_EQ_INT(scn_seek_exact(s, ENG_S(20 * 60), &err), 0);
	ASSERT_EQ_INT(scn_seek_exact(s, tStop, &err), 0);
	ASSERT_EQ_INT(scn_drill_now(scn_seek_drill(s)), tStop);
	summary_hash(scn_seek_drill(s), zGot);
	ASSERT_EQ_STR(zGot, zWant);
	ASSERT_EQ_INT(scn_seek_exact(s, ENG_S(90 * 60), &err), 0);
	ASSERT_EQ_INT(scn_seek_exact(s, tStop, &err), 0);
	summary_hash(scn_seek_drill(s), zGot);
	ASSERT_EQ_STR(zGot, zWant);
	scn_seek_close(s);
}

/* Tells the parent the sim time reached (it may be gone: ignore errors). */
static void report(int fd, eng_time_t t) {
	if (fd >= 0 && write(fd, &t, sizeof t) != sizeof t) fd = -1;
}

/* Child: the drill with its recorder and the actions, as `kyodo run --db` does; never returns. */
static void recorded_child(const char *zPath, const char *zDb, int fdProgress) {
	ky_err err = { 0 };
	scn_drill_opts o = { 0 };
	scn_drill *d = scn_drill_open(zPath, &o, &err);
	if (!d) _exit(3);
	scn_record *r = scn_record_attach(d, zDb, &err);
	if (!r) _exit(4);
	for (int i = 0; i < N_INPUTS; i++) {
		eng_time_t t = ENG_S(60) * aActions[i].tMin;
		/* advance in one-minute steps, as the paced server does */
		while (scn_drill_now(d) < t) {
			eng_time_t next = scn_drill_now(d) + ENG_S(60);
			if (scn_drill_advance_to(d, next < t ? next : t, &err) != 0) _exit(5);
			report(fdProgress, scn_drill_now(d));
		}
		if (apply_input(d, r, i, &err) != 0) _exit(6);
	}
	while (scn_drill_now(d) < scn_drill_duration(d)) {
		if (scn_drill_advance_to(d, scn_drill_now(d) + ENG_S(60), &err) != 0) _exit(7);
		report(fdProgress, scn_drill_now(d));
	}
	scn_record_close(r, NULL);
	scn_drill_free(d);
	_exit(0);
}

TEST(a_run_killed_with_sigkill_resumes_to_the_state_hash_of_an_uninterrupted_run) {
	const char *zPath = scenario_path();
	char zRef[65];
	reference_hash(zPath, zRef);
	char zDb[600];
	snprintf(zDb, sizeof zDb, "%s/full.db", ky_test_tmpdir());
	pid_t pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (pid == 0) recorded_child(zPath, zDb, -1);
	int status = 0;
	waitpid(pid, &status, 0);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ky_err err = { 0 };
	eng_journal *jFull = eng_journal_open(zDb, ENG_JOURNAL_READONLY, &err);
	ASSERT_TRUE(jFull != NULL);
	int64_t nFullEvents = eng_journal_count(jFull, "events", &err), nFullDeliveries = eng_journal_count(jFull, "deliveries", &err);
	eng_journal_close(jFull, NULL);

	/* kill points: once the child reports a sim minute, after a random extra delay (so it lands mid-step) */
	static const int aMinute[] = { 3, 21, 47, 88, 113 };
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	int nMid = 0;
	for (size_t k = 0; k < sizeof aMinute / sizeof aMinute[0]; k++) {
		snprintf(zDb, sizeof zDb, "%s/kill%zu.db", ky_test_tmpdir(), k);
		int fds[2];
		ASSERT_EQ_INT(pipe(fds), 0);
		pid = fork();
		ASSERT_TRUE(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			recorded_child(zPath, zDb, fds[1]);
		}
		close(fds[1]);
		eng_time_t tChild = 0;
		while (tChild < ENG_S(60) * aMinute[k] && read(fds[0], &tChild, sizeof tChild) == sizeof tChild) {}
		usleep((useconds_t)(rand() % 3000));
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(fds[0]);
		if (!WIFSIGNALED(status)) continue; /* finished before the kill: nothing to resume */

		scn_record *r = NULL;
		eng_time_t tResume = 0;
		scn_resume_opts ro = { .zScenarioPath = zPath };
		scn_drill *d = scn_resume_open(zDb, &ro, &r, &tResume, &err);
		if (!d) ky_test_fail(__FILE__, __LINE__, "resume after a kill at minute %d: %s", aMinute[k], err.zMsg);
		if (tResume >= ENG_S(60) * (aMinute[k] - 2)) nMid++;
		/* the rest of the drill: the actions not recorded, then to the end */
		play(d, r, scn_record_journal(r));
		ASSERT_EQ_INT(scn_drill_advance_to(d, scn_drill_duration(d), &err), 0);
		char zHash[65];
		summary_hash(d, zHash);
		ASSERT_EQ_STR(zHash, zRef);
		ASSERT_EQ_INT(scn_record_close(r, &err), 0);
		scn_drill_free(d);
		/* the resumed journal holds what an uninterrupted one does */
		eng_journal *j = eng_journal_open(zDb, ENG_JOURNAL_READONLY, &err);
		ASSERT_TRUE(j != NULL);
		ASSERT_EQ_INT(eng_journal_count(j, "actions", &err), N_ACTIONS);
		ASSERT_EQ_INT(eng_journal_count(j, "adhoc", &err), 1);
		ASSERT_EQ_INT(eng_journal_count(j, "grades", &err), 1);
		ASSERT_EQ_INT(eng_journal_count(j, "deliveries", &err), nFullDeliveries);
		ASSERT_EQ_INT(eng_journal_count(j, "events", &err), nFullEvents);
		eng_journal_close(j, NULL);
	}
	ASSERT_TRUE(nMid >= 3); /* the kills landed mid-drill, and resume got at most two minutes before them */
}

TEST(resume_refuses_a_scenario_file_other_than_the_recorded_one) {
	const char *zPath = scenario_path();
	char zDb[600], zOther[600];
	snprintf(zDb, sizeof zDb, "%s/other.db", ky_test_tmpdir());
	ky_err err = { 0 };
	scn_drill *d = open_drill(zPath);
	scn_record *r = scn_record_attach(d, zDb, &err);
	ASSERT_TRUE(r != NULL);
	ASSERT_EQ_INT(scn_drill_advance_to(d, ENG_S(600), &err), 0);
	ASSERT_EQ_INT(scn_record_close(r, &err), 0);
	scn_drill_free(d);
	snprintf(zOther, sizeof zOther, "%s/other.lua", ky_test_tmpdir());
	FILE *f = fopen(zOther, "w");
	ASSERT_TRUE(f != NULL);
	fputs(zScenarioText, f);
	fputs("-- edited\n", f);
	fclose(f);
	scn_resume_opts ro = { .zScenarioPath = zOther };
	d = scn_resume_open(zDb, &ro, &r, NULL, &err);
	ASSERT_TRUE(d == NULL);
	ASSERT_EQ_INT(err.code, KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "not the scenario recorded");
}

/* Runs every statement of docs/journal.md's facilitator queries on a recorded journal: the docs do not drift. */
TEST(the_facilitator_queries_in_the_docs_run_on_a_recorded_journal) {
	const char *zPath = scenario_path();
	char zDb[600];
	snprintf(zDb, sizeof zDb, "%s/docs.db", ky_test_tmpdir());
	ky_err err = { 0 };
	scn_drill *d = open_drill(zPath);
	scn_record *r = scn_record_attach(d, zDb, &err);
	ASSERT_TRUE(r != NULL);
	play(d, r, NULL);
	ASSERT_EQ_INT(scn_drill_advance_to(d, scn_drill_duration(d), &err), 0);
	ASSERT_EQ_INT(scn_record_close(r, &err), 0);
	scn_drill_free(d);

	FILE *f = fopen("docs/journal.md", "r");
	ASSERT_TRUE(f != NULL);
	static char zDoc[65536];
	size_t n = fread(zDoc, 1, sizeof zDoc - 1, f);
	fclose(f);
	zDoc[n] = 0;
	char *zSql = strstr(zDoc, "```sql\n");
	ASSERT_TRUE(zSql != NULL);
	zSql += 7;
	char *zEnd = strstr(zSql, "```");
	ASSERT_TRUE(zEnd != NULL);
	*zEnd = 0;
	/* drop comment lines */
	for (char *p = zSql; *p;) {
		char *nl = strchr(p, '\n');
		char *q = p;
		while (*q == ' ' || *q == '\t') q++;
		if (q[0] == '-' && q[1] == '-') memset(p, ' ', nl ? (size_t)(nl - p) : strlen(p));
		if (!nl) break;
		p = nl + 1;
	}
	sqlite3 *db = NULL;
	ASSERT_EQ_INT(sqlite3_open_v2(zDb, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	int nStmt = 0;
	const char *zTail = zSql;
	while (*zTail) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(db, zTail, -1, &st, &zTail);
		if (rc != SQLITE_OK) ky_test_fail(__FILE__, __LINE__, "docs query %d: %s", nStmt + 1, sqlite3_errmsg(db));
		if (!st) break; /* only blanks left */
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {}
		if (rc != SQLITE_DONE) ky_test_fail(__FILE__, __LINE__, "docs query %d: %s", nStmt + 1, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		nStmt++;
	}
	sqlite3_close(db);
	ASSERT_LE(8, nStmt);
}
