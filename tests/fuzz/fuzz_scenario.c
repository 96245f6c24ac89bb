/* fuzz_scenario: the scenario loader (scenarios/drill.c, script.c, sandbox.c) on any Lua source, as `kyodo check`
 * and `kyodo serve` load a stranger's scenario. Properties: a failure names FILE:LINE (or the file) and never
 * crashes, leaks or hangs (the sandbox's budgets); a scenario that loads also runs its first twenty minutes, callbacks
 * and all, and gives the same state hash twice (determinism). Fleets are capped at 5,000 cars here (a wrapper of
 * veh_world_add_cohort, linked with -Wl,--wrap) so that a huge fleet, which the facilitator may ask for, does not
 * read as a memory bug; the instruction budgets are a twentieth of the real ones (a wrapper of scn_sandbox_call) so
 * that an endless loop costs the fuzzer a moment, not seconds under the sanitizers. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/time.h"
#include "scenarios/drill.h"
#include "scenarios/sandbox.h"
#include "tests/fuzz/fuzz.h"
#include "vehicles/world.h"

#define FUZZ_MAX_CARS 5000

int __real_veh_world_add_cohort(veh_world *w, json_t *cohort, ky_err *err);
int __wrap_veh_world_add_cohort(veh_world *w, json_t *cohort, ky_err *err);

static long long gnCars;

int __wrap_veh_world_add_cohort(veh_world *w, json_t *cohort, ky_err *err) {
	json_t *c = json_object_get(cohort, "count");
	long long n = json_is_integer(c) ? (long long)json_integer_value(c) : json_is_real(c) ? (long long)json_real_value(c) : 0;
	if (n > 0) gnCars += n;
	if (n > FUZZ_MAX_CARS || gnCars > FUZZ_MAX_CARS)
		return ky_err_set(err, KY_ELIMIT, "fleet: over the fuzz target's %d cars", FUZZ_MAX_CARS);
	return __real_veh_world_add_cohort(w, cohort, err);
}

int __real_scn_sandbox_call(scn_sandbox *sb, int nArgs, int nResults, int64_t budget, ky_err *err);
int __wrap_scn_sandbox_call(scn_sandbox *sb, int nArgs, int nResults, int64_t budget, ky_err *err);

int __wrap_scn_sandbox_call(scn_sandbox *sb, int nArgs, int nResults, int64_t budget, ky_err *err) {
	return __real_scn_sandbox_call(sb, nArgs, nResults, (budget > 0 ? budget : SCN_SANDBOX_BUDGET) / 20, err);
}

static char gzDir[256], gzPath[300];

static void remove_dir(void) {
	unlink(gzPath);
	rmdir(gzDir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
	const char *zTmp = getenv("TMPDIR");
	(void)argc, (void)argv;
	snprintf(gzDir, sizeof gzDir, "%s/kyodo-fuzz-scn-%d", zTmp && *zTmp ? zTmp : "/tmp", (int)getpid());
	snprintf(gzPath, sizeof gzPath, "%s/s.lua", gzDir);
	mkdir(gzDir, 0700);
	atexit(remove_dir);
	return 0;
}

/* Opens the scenario (check only or for a run); NULL when it does not load. */
static scn_drill *open_it(int bCheckOnly, ky_err *err) {
	scn_drill_opts o = { 0 };
	o.bCheckOnly = bCheckOnly;
	gnCars = 0;
	return scn_drill_open(gzPath, &o, err);
}

static void run_twenty_minutes(char zHash[65]) {
	ky_err err = { 0 };
	scn_drill *d = open_it(0, &err);
	FUZZ_ASSERT(d != NULL); /* it loaded a moment ago */
	eng_time_t end = scn_drill_duration(d) < ENG_S(1200) ? scn_drill_duration(d) : ENG_S(1200);
	int rc = scn_drill_advance_to(d, end, &err);
	FUZZ_ASSERT(rc == 0 || err.zMsg[0]);
	scn_drill_state_hash(d, zHash);
	scn_drill_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	ky_err err = { 0 };
	FILE *f;
	if (!gzPath[0]) LLVMFuzzerInitialize(NULL, NULL);
	f = fopen(gzPath, "wb");
	FUZZ_ASSERT(f && fwrite(data, 1, size, f) == size);
	fclose(f);
	scn_drill *d = open_it(1, &err);
	if (!d) {
		FUZZ_ASSERT(err.code < 0 && strncmp(err.zMsg, gzPath, strlen(gzPath)) == 0);
		return 0;
	}
	scn_drill_free(d);
	char zA[65], zB[65];
	run_twenty_minutes(zA);
	run_twenty_minutes(zB);
	FUZZ_ASSERT(strcmp(zA, zB) == 0);
	return 0;
}
