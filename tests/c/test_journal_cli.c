/* `kyodo run --db` killed with SIGKILL at random moments: the journal opens and holds the committed rows, and a
 * drill resumed from it (scenarios/resume) and given the rest of the actions file ends with the state hash of
 * an uninterrupted run. Runs the real binary ($KYODO, else build/kyodo) on a shipped scenario. */
#include "tests/c/ky_test.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/journal.h"
#include "scenarios/drill.h"
#include "scenarios/record.h"
#include "scenarios/resume.h"

#define SCENARIO "scenarios/tcu-remote.lua"
#define ACTIONS "scenarios/tcu-remote.good.jsonl"

static const char *kyodo(void) {
	const char *z = getenv("KYODO");
	return z && *z ? z : "build/kyodo";
}

static double now_s(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Starts `kyodo run SCENARIO --actions ACTIONS [--db zDb] [--json]` with stdout to zOut (or /dev/null). */
static pid_t spawn_run(const char *zDb, const char *zOut) {
	pid_t pid = fork();
	if (pid != 0) return pid;
	int fd = open(zOut ? zOut : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int fdNull = open("/dev/null", O_WRONLY);
	if (fd >= 0) dup2(fd, 1);
	if (fdNull >= 0) dup2(fdNull, 2);
	if (zDb) execl(kyodo(), kyodo(), "run", SCENARIO, "--actions", ACTIONS, "--db", zDb, "--json", (char *)NULL);
	else execl(kyodo(), kyodo(), "run", SCENARIO, "--actions", ACTIONS, "--json", (char *)NULL);
	_exit(127);
}

/* The state_hash of the --json summary written to zOut. */
static void summary_hash(const char *zOut, char zHash[65]) {
	json_error_t je;
	json_t *s = json_load_file(zOut, 0, &je);
	const char *z = json_string_value(json_object_get(s, "state_hash"));
	if (!z) ky_test_fail(__FILE__, __LINE__, "no state_hash in the summary of %s: %s", zOut, je.text);
	snprintf(zHash, 65, "%s", z);
	json_decref(s);
}

/* The actions file, one object per line. */
static json_t *load_actions(void) {
	json_t *a = json_array();
	FILE *f = fopen(ACTIONS, "r");
	if (!f) ky_test_fail(__FILE__, __LINE__, "cannot open %s", ACTIONS);
	char zLine[8192];
	while (fgets(zLine, sizeof zLine, f)) {
		json_t *o = json_loads(zLine, 0, NULL);
		if (o) json_array_append_new(a, o);
	}
	fclose(f);
	return a;
}

/* Plays the actions not in the journal yet (the journal holds a prefix of the file: the run plays it in order),
 * then runs to the end. */
static void play_rest(scn_drill *d, json_t *acts, int64_t nDone) {
	ky_err err = { 0 };
	for (size_t i = (size_t)nDone; i < json_array_size(acts); i++) {
		json_t *o = json_array_get(acts, i);
		eng_time_t t = 0;
		ASSERT_EQ_INT(eng_time_parse(json_string_value(json_object_get(o, "t")), &t, &err), 0);
		if (t > scn_drill_now(d)) ASSERT_EQ_INT(scn_drill_advance_to(d, t, &err), 0);
		scn_drill_action(d, json_string_value(json_object_get(o, "team")), json_string_value(json_object_get(o, "id")),
		                 json_string_value(json_object_get(o, "kind")), json_object_get(o, "args"),
		                 json_string_value(json_object_get(o, "inject")), NULL, &err);
	}
	ASSERT_EQ_INT(scn_drill_advance_to(d, scn_drill_duration(d), &err), 0);
}

TEST(kyodo_run_killed_with_sigkill_at_random_points_resumes_to_the_uninterrupted_state_hash) {
	char zOut[600], zDb[600], zRef[65];
	snprintf(zOut, sizeof zOut, "%s/ref.json", ky_test_tmpdir());
	double t0 = now_s();
	pid_t pid = spawn_run(NULL, zOut);
	int status = 0;
	waitpid(pid, &status, 0);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	double full = now_s() - t0;
	summary_hash(zOut, zRef);
	/* the kill points are fractions of a run that records: creating the journal is a fixed cost that a fast
	 * simulation no longer hides, so a window measured without --db puts most kills before the journal exists */
	snprintf(zDb, sizeof zDb, "%s/timing.db", ky_test_tmpdir());
	t0 = now_s();
	pid = spawn_run(zDb, NULL);
	waitpid(pid, &status, 0);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	full = now_s() - t0;
	json_t *acts = load_actions();

	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	int nResumed = 0;
	for (int k = 0; k < 4; k++) {
		snprintf(zDb, sizeof zDb, "%s/kill%d.db", ky_test_tmpdir(), k);
		double frac = 0.1 + 0.8 * (double)rand() / RAND_MAX;
		double tSpawn = now_s();
		pid = spawn_run(zDb, NULL);
		/* kill at a random point of the part of the run that has a journal: before it exists there is nothing to
		 * resume, and loading the scenario and building the world is a large share of a short run */
		while (access(zDb, F_OK) != 0 && now_s() - tSpawn < full) usleep(500);
		double rest = full - (now_s() - tSpawn);
		if (rest > 0) usleep((useconds_t)(rest * frac * 1e6));
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		if (!WIFSIGNALED(status)) continue; /* it finished first */

		/* the file opens and holds what was committed */
		ky_err err = { 0 };
		eng_journal *j = eng_journal_open(zDb, 0, &err); /* writable: a file killed while new gets its schema */
		if (!j && err.code == KY_ENOENT) continue; /* killed before it created the journal */
		if (!j) ky_test_fail(__FILE__, __LINE__, "journal after a kill at %.0f%% of the run: %s", frac * 100, err.zMsg);
		int64_t nActions = eng_journal_count(j, "actions", &err);
		ASSERT_LE(0, nActions);
		ASSERT_LE(nActions, (double)json_array_size(acts));
		eng_time_t tClean = 0, tLast = 0;
		ASSERT_EQ_INT(eng_journal_clean_time(j, &tClean, &err), 0);
		ASSERT_EQ_INT(eng_journal_last_time(j, &tLast, &err), 0);
		char *zSeed = eng_journal_meta_get(j, "seed", &err);
		eng_journal_close(j, NULL);
		if (!zSeed) continue; /* killed before the header was committed: nothing to resume */
		free(zSeed);

		scn_record *r = NULL;
		eng_time_t tResume = 0;
		scn_resume_opts ro = { .zScenarioPath = SCENARIO };
		scn_drill *d = scn_resume_open(zDb, &ro, &r, &tResume, &err);
		if (!d) ky_test_fail(__FILE__, __LINE__, "resume after a kill at %.0f%% of the run: %s", frac * 100, err.zMsg);
		ASSERT_LE(tClean, tResume);
		play_rest(d, acts, nActions);
		json_t *s = scn_drill_summary_json(d);
		ASSERT_EQ_STR(json_string_value(json_object_get(s, "state_hash")), zRef);
		json_decref(s);
		ASSERT_EQ_INT(scn_record_close(r, &err), 0);
		scn_drill_free(d);
		j = eng_journal_open(zDb, ENG_JOURNAL_READONLY, &err);
		ASSERT_TRUE(j != NULL);
		ASSERT_EQ_INT(eng_journal_count(j, "actions", &err), (int64_t)json_array_size(acts));
		eng_journal_close(j, NULL);
		nResumed++;
	}
	json_decref(acts);
	ASSERT_LE(2, nResumed); /* most kills land mid-run */
}
