/* Group commit of team actions (server/drill.c srv_drill_actions over scenarios/record.c and engine/journal.c):
 * the actions of one service pass are staged in one journal transaction, committed once, then applied in order.
 * Checked here: each gets the seq it would have had alone, a client id repeated in the group or already known
 * gets its first seq and no second row, a refused action takes no seq, the state equals that of the same actions
 * applied one by one, and resume rebuilds that state; a group whose commit fails (the file size limit makes the
 * WAL write fail) or that is abandoned before its commit applies and stores nothing. Real scenario file, real
 * sqlite. */
#include "tests/c/ky_test.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "engine/journal.h"
#include "scenarios/drill.h"
#include "scenarios/record.h"
#include "scenarios/resume.h"
#include "server/drill.h"

static const char *zScenarioText =
	"scenario { id = \"grp-test\", title = \"Group commit\", duration = \"1h\", seed = 5 }\n"
	"teams { { id = \"vsoc\", name = \"Vehicle SOC\" }, { id = \"psirt\", name = \"PSIRT\" } }\n"
	"fleet { { model = \"Sedan-A\", count = 2000, region = \"JP-Kanto\", ecus = { tcu = \"2.3.1\" } } }\n"
	"inject { id = \"I1\", at = \"00:05:00\", to = { \"vsoc\" }, severity = \"high\", title = \"IDS\", body = \"b\",\n"
	"         expects = { { action = \"block_indicator\", args = { value = \"203.0.113.7\" }, within = \"30m\", points = 10, team = \"vsoc\" } } }\n"
	"at(\"00:02:00\", function(now) attack.compromise { select = { model = \"Sedan-A\" }, fraction = 0.05, entry = \"tcu\" } end)\n";

static char zScenario[512];

static const char *scenario_path(void) {
	snprintf(zScenario, sizeof zScenario, "%s/grp.lua", ky_test_tmpdir());
	FILE *f = fopen(zScenario, "w");
	if (!f) ky_test_fail(__FILE__, __LINE__, "cannot write %s", zScenario);
	fputs(zScenarioText, f);
	fclose(f);
	return zScenario;
}

static void sink_team(void *ctx, const char *zTeam, json_t *msg) { (void)ctx, (void)zTeam, (void)msg; }
static void sink_msg(void *ctx, json_t *msg) { (void)ctx, (void)msg; }

/* One action of a group: team, client id, kind, args (JSON text). */
typedef struct act { const char *zTeam, *zId, *zKind, *zArgs; } act;

/* Runs a group through srv_drill_actions; aOut gets each result. */
static void run_group(srv_drill *d, const act *a, int n, srv_drill_act *aOut) {
	json_t *apArgs[16];
	for (int i = 0; i < n; i++) {
		apArgs[i] = json_loads(a[i].zArgs, 0, NULL);
		aOut[i] = (srv_drill_act){ .zTeam = a[i].zTeam, .zClientId = a[i].zId, .zKind = a[i].zKind, .pArgs = apArgs[i] };
	}
	srv_drill_actions(d, aOut, n);
	for (int i = 0; i < n; i++) json_decref(apArgs[i]);
}

static const act aGroup1[] = {
	{ "vsoc", "a1", "triage", "{\"inject\":\"I1\"}" },
	{ "vsoc", "a1", "triage", "{\"inject\":\"I1\"}" },               /* resent inside the group */
	{ "psirt", "x1", "no_such_kind", "{}" },                          /* refused: no seq */
	{ "vsoc", "a2", "block_indicator", "{\"value\":\"203.0.113.7\"}" },
	{ "psirt", "a1", "notify", "{\"party\":\"regulator\",\"text\":\"t\"}" }, /* same id, other team: its own */
};
static const act aGroup2[] = {
	{ "vsoc", "a2", "block_indicator", "{\"value\":\"203.0.113.7\"}" }, /* resent in a later group */
	{ "psirt", "a3", "share", "{\"to\":\"vsoc\",\"text\":\"IoC\",\"tlp\":\"green\"}" },
};

static char *summary_hash(json_t *s) {
	char *z = strdup(json_string_value(json_object_get(s, "state_hash")));
	json_decref(s);
	return z;
}

/* The same accepted actions applied one by one, without a journal. */
static char *reference_hash(const char *zPath) {
	ky_err err = { 0 };
	scn_drill_opts o = { 0 };
	scn_drill *d = scn_drill_open(zPath, &o, &err);
	if (!d) ky_test_fail(__FILE__, __LINE__, "open: %s", err.zMsg);
	const act *ap[] = { &aGroup1[0], &aGroup1[3], &aGroup1[4], &aGroup2[1] };
	for (size_t i = 0; i < sizeof ap / sizeof ap[0]; i++) {
		if (i == 3) ASSERT_EQ_INT(scn_drill_advance_to(d, ENG_S(20 * 60), &err), 0);
		else if (i == 0) ASSERT_EQ_INT(scn_drill_advance_to(d, ENG_S(10 * 60), &err), 0);
		json_t *args = json_loads(ap[i]->zArgs, 0, NULL);
		ASSERT_EQ_INT(scn_drill_action(d, ap[i]->zTeam, ap[i]->zId, ap[i]->zKind, args, NULL, NULL, &err), 0);
		json_decref(args);
	}
	ASSERT_EQ_INT(scn_drill_advance_to(d, scn_drill_duration(d), &err), 0);
	char *z = summary_hash(scn_drill_summary_json(d));
	scn_drill_free(d);
	return z;
}

TEST(a_group_acks_each_action_once_and_gives_the_state_of_one_by_one) {
	const char *zPath = scenario_path();
	char zDb[600];
	snprintf(zDb, sizeof zDb, "%s/grp.db", ky_test_tmpdir());
	ky_err err = { 0 };
	srv_drill_sink sink = { NULL, sink_team, sink_msg, sink_msg };
	srv_drill *d = srv_drill_open(zPath, zDb, 0, &sink, &err);
	if (!d) ky_test_fail(__FILE__, __LINE__, "open: %s", err.zMsg);
	srv_drill_act r1[5], r2[2];
	ASSERT_EQ_INT(srv_drill_advance_to(d, ENG_S(10 * 60), &err), 0);
	run_group(d, aGroup1, 5, r1);
	ASSERT_EQ_INT(r1[0].rc, 0);
	ASSERT_EQ_INT(r1[0].iSeq, 1);
	ASSERT_EQ_INT(r1[0].t, ENG_S(10 * 60));
	ASSERT_EQ_INT(r1[1].rc, 0);
	ASSERT_EQ_INT(r1[1].iSeq, 1);
	ASSERT_NE_INT(r1[2].rc, 0);
	ASSERT_CONTAINS(r1[2].err.zMsg, "no_such_kind");
	ASSERT_EQ_INT(r1[3].rc, 0);
	ASSERT_EQ_INT(r1[3].iSeq, 2);
	ASSERT_EQ_INT(r1[4].rc, 0);
	ASSERT_EQ_INT(r1[4].iSeq, 3);

	/* durable when acked: another reader sees the rows now */
	eng_journal *j = eng_journal_open(zDb, ENG_JOURNAL_READONLY, &err);
	if (!j) ky_test_fail(__FILE__, __LINE__, "reader: %s", err.zMsg);
	ASSERT_EQ_INT(eng_journal_count(j, "actions", NULL), 3);
	int64_t seq = 0;
	ASSERT_EQ_INT(eng_journal_action_find(j, "psirt", "a1", &seq, NULL), 0);
	ASSERT_EQ_INT(seq, 3);
	eng_journal_close(j, NULL);

	ASSERT_EQ_INT(srv_drill_advance_to(d, ENG_S(20 * 60), &err), 0);
	run_group(d, aGroup2, 2, r2);
	ASSERT_EQ_INT(r2[0].rc, 0);
	ASSERT_EQ_INT(r2[0].iSeq, 2);
	ASSERT_EQ_INT(r2[0].t, ENG_S(10 * 60)); /* the first ack's time */
	ASSERT_EQ_INT(r2[1].rc, 0);
	ASSERT_EQ_INT(r2[1].iSeq, 4);
	ASSERT_EQ_INT(srv_drill_advance_to(d, srv_drill_duration(d), &err), 0);
	char *zLive = summary_hash(srv_drill_summary(d));
	ASSERT_EQ_INT(srv_drill_close(d, &err), 0);

	char *zRef = reference_hash(zPath);
	ASSERT_EQ_STR(zLive, zRef);
	/* resume re-simulates the journal's inputs: the same state */
	scn_resume_opts ro = { .zScenarioPath = zPath, .bReadOnly = 1 };
	scn_drill *dr = scn_resume_open(zDb, &ro, NULL, NULL, &err);
	if (!dr) ky_test_fail(__FILE__, __LINE__, "resume: %s", err.zMsg);
	char *zResumed = summary_hash(scn_drill_summary_json(dr));
	scn_drill_free(dr);
	ASSERT_EQ_STR(zResumed, zRef);
	free(zLive);
	free(zRef);
	free(zResumed);
}

TEST(a_group_abandoned_before_its_commit_stores_and_applies_nothing) {
	const char *zPath = scenario_path();
	char zDb[600];
	snprintf(zDb, sizeof zDb, "%s/abort.db", ky_test_tmpdir());
	ky_err err = { 0 };
	scn_drill_opts o = { 0 };
	scn_drill *d = scn_drill_open(zPath, &o, &err);
	if (!d) ky_test_fail(__FILE__, __LINE__, "open: %s", err.zMsg);
	scn_record *r = scn_record_attach(d, zDb, &err);
	if (!r) ky_test_fail(__FILE__, __LINE__, "record: %s", err.zMsg);
	ASSERT_EQ_INT(scn_drill_advance_to(d, ENG_S(10 * 60), &err), 0);
	char *zBefore = summary_hash(scn_drill_summary_json(d));
	json_t *args = json_loads("{\"value\":\"203.0.113.7\"}", 0, NULL);
	int64_t seq = 0;
	scn_action_out out;
	ASSERT_EQ_INT(scn_record_group_begin(r, &err), 0);
	scn_action_in in1 = { "vsoc", "b1", "block_indicator", NULL, args }, in2 = { "vsoc", "b2", "block_indicator", NULL, args };
	ASSERT_EQ_INT(scn_drill_action_stage(d, &in1, &out, &err), 0);
	ASSERT_EQ_INT(out.seq, 1);
	ASSERT_EQ_INT(scn_drill_action_stage(d, &in2, &out, &err), 0);
	ASSERT_EQ_INT(out.seq, 2);
	ASSERT_EQ_INT(scn_drill_action_stage(d, &in2, &out, &err), 0); /* a resend inside the group: the same seq */
	ASSERT_EQ_INT(out.seq, 2);
	ASSERT_EQ_INT(out.bRepeat, 1);
	ASSERT_EQ_INT(eng_journal_count(scn_record_journal(r), "actions", NULL), 2); /* in the open group */
	scn_record_group_end(r); /* never committed: rolled back */
	scn_drill_action_unstage(d);
	ASSERT_EQ_INT(eng_journal_count(scn_record_journal(r), "actions", NULL), 0);
	ASSERT_EQ_INT(scn_drill_action_apply(d, 1, &err), KY_ESTATE); /* nothing staged any more */
	char *zAfter = summary_hash(scn_drill_summary_json(d));
	ASSERT_EQ_STR(zAfter, zBefore);
	/* the next action, alone, takes seq 1 and input order 1 */
	ASSERT_EQ_INT(scn_drill_action(d, "vsoc", "b2", "block_indicator", args, NULL, &seq, &err), 0);
	ASSERT_EQ_INT(seq, 1);
	ASSERT_EQ_INT(eng_journal_count(scn_record_journal(r), "actions", NULL), 1);
	json_decref(args);
	ASSERT_EQ_INT(scn_record_close(r, &err), 0);
	scn_drill_free(d);
	free(zBefore);
	free(zAfter);
}

static off_t file_size(const char *zPath) {
	struct stat st;
	return stat(zPath, &st) == 0 ? st.st_size : 0;
}

TEST(a_group_whose_commit_fails_answers_each_with_the_error_and_applies_nothing) {
	const char *zPath = scenario_path();
	char zDb[600], zWal[620];
	snprintf(zDb, sizeof zDb, "%s/fail.db", ky_test_tmpdir());
	snprintf(zWal, sizeof zWal, "%s-wal", zDb);
	ky_err err = { 0 };
	srv_drill_sink sink = { NULL, sink_team, sink_msg, sink_msg };
	srv_drill *d = srv_drill_open(zPath, zDb, 0, &sink, &err);
	if (!d) ky_test_fail(__FILE__, __LINE__, "open: %s", err.zMsg);
	ASSERT_EQ_INT(srv_drill_advance_to(d, ENG_S(10 * 60), &err), 0);
	ASSERT_EQ_INT(srv_drill_flush(d, &err), 0); /* nothing pending: only the group's own commit writes */
	char *zBefore = summary_hash(srv_drill_summary(d));

	/* a report of 60 KB each: the group's WAL frames cannot fit under the file size limit */
	char *zText = malloc(60001);
	memset(zText, 'x', 60000);
	zText[60000] = 0;
	json_t *args = json_pack("{s:s}", "text", zText);
	srv_drill_act a[2] = {
		{ .zTeam = "vsoc", .zClientId = "r1", .zKind = "report", .pArgs = args },
		{ .zTeam = "psirt", .zClientId = "r2", .zKind = "report", .pArgs = args },
	};
	struct rlimit old, lim;
	ASSERT_EQ_INT(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	off_t nMax = file_size(zDb) > file_size(zWal) ? file_size(zDb) : file_size(zWal);
	lim.rlim_cur = (rlim_t)nMax + 8192;
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
	ASSERT_EQ_INT(setrlimit(RLIMIT_FSIZE, &lim), 0);
	srv_drill_actions(d, a, 2);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, prev);
	ASSERT_EQ_INT(a[0].rc, KY_EIO);
	ASSERT_CONTAINS(a[0].err.zMsg, "action not recorded");
	ASSERT_CONTAINS(a[0].err.zMsg, ": commit: "); /* the group's commit failed, not its start */
	ASSERT_EQ_INT(a[1].rc, KY_EIO);
	char *zAfter = summary_hash(srv_drill_summary(d));
	ASSERT_EQ_STR(zAfter, zBefore); /* nothing applied */

	/* resent after the failure: stored and applied now, with the seqs nothing else took */
	srv_drill_actions(d, a, 2);
	ASSERT_EQ_INT(a[0].rc, 0);
	ASSERT_EQ_INT(a[0].iSeq, 1);
	ASSERT_EQ_INT(a[1].rc, 0);
	ASSERT_EQ_INT(a[1].iSeq, 2);
	json_decref(args);
	free(zText);
	ASSERT_EQ_INT(srv_drill_close(d, &err), 0);
	eng_journal *j = eng_journal_open(zDb, ENG_JOURNAL_READONLY, &err);
	if (!j) ky_test_fail(__FILE__, __LINE__, "reader: %s", err.zMsg);
	ASSERT_EQ_INT(eng_journal_count(j, "actions", NULL), 2);
	eng_journal_close(j, NULL);
	free(zBefore);
	free(zAfter);
}
