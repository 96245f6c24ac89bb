/* fuzz_snapshot: the world snapshot codec's restore (vehicles/codec.c), as the journal's seek and --resume use it, on
 * any bytes, into a world of the same cohorts (tests/fuzz/data/world.lua run to 01:30 with an OTA campaign under
 * way). Properties: restore validates everything before it changes anything (on error the state hash is the one
 * before); a restored blob snapshots to a blob that restores to the same state; the world always restores its
 * reference snapshot afterwards. KYODO_FUZZ_SEED_DIR=DIR writes the reference snapshots there (the seed corpus). */
#include <string.h>

#include "engine/time.h"
#include "scenarios/drill.h"
#include "tests/fuzz/fuzz.h"
#include "vehicles/world.h"

static scn_drill *gpDrill;
static veh_world *gpWorld;
static unsigned char *gpRef;
static size_t gnRef;

static void write_seed(const char *zDir, const char *zName, const unsigned char *p, size_t n) {
	char zPath[4096];
	snprintf(zPath, sizeof zPath, "%s/%s", zDir, zName);
	FILE *f = fopen(zPath, "wb");
	FUZZ_ASSERT(f && fwrite(p, 1, n, f) == n);
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
	char zPath[4096];
	ky_err err = { 0 };
	scn_drill_opts o = { 0 };
	const char *zSeeds = getenv("KYODO_FUZZ_SEED_DIR");
	unsigned char *p;
	size_t n;
	(void)argc, (void)argv;
	snprintf(zPath, sizeof zPath, "%s/world.lua", fuzz_data_dir());
	gpDrill = scn_drill_open(zPath, &o, &err);
	if (!gpDrill) {
		fprintf(stderr, "fuzz_snapshot: %s\n", err.zMsg);
		abort();
	}
	gpWorld = scn_drill_world(gpDrill);
	FUZZ_ASSERT(scn_drill_advance_to(gpDrill, ENG_S(3 * 60), &err) == 0);
	FUZZ_ASSERT(veh_world_snapshot(gpWorld, &p, &n, &err) == 0);
	if (zSeeds) write_seed(zSeeds, "start", p, n);
	free(p);
	FUZZ_ASSERT(scn_drill_advance_to(gpDrill, ENG_S(50 * 60), &err) == 0);
	json_t *args = json_pack("{s:{s:s}, s:s, s:s, s:f}", "select", "ecu", "tcu", "ecu", "tcu", "version", "2.4.1", "rollout", 0.5);
	json_t *res = NULL;
	FUZZ_ASSERT(veh_world_action(gpWorld, "oem", "ota_campaign", args, &res, &err) == 0);
	json_decref(res);
	json_decref(args);
	FUZZ_ASSERT(scn_drill_advance_to(gpDrill, ENG_S(90 * 60), &err) == 0);
	FUZZ_ASSERT(veh_world_snapshot(gpWorld, &gpRef, &gnRef, &err) == 0);
	if (zSeeds) write_seed(zSeeds, "ota-under-way", gpRef, gnRef);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	char zBefore[65], zAfter[65], zAgain[65];
	ky_err err = { 0 };
	veh_world_state_hash(gpWorld, zBefore);
	if (veh_world_restore(gpWorld, data, size, &err) != 0) {
		FUZZ_ASSERT(err.code == KY_EPARSE || err.code == KY_EINVAL || err.code == KY_ENOMEM);
		veh_world_state_hash(gpWorld, zAfter);
		FUZZ_ASSERT(strcmp(zBefore, zAfter) == 0); /* nothing changed */
	} else {
		unsigned char *p;
		size_t n;
		veh_world_state_hash(gpWorld, zAfter);
		FUZZ_ASSERT(veh_world_snapshot(gpWorld, &p, &n, &err) == 0);
		FUZZ_ASSERT(veh_world_restore(gpWorld, p, n, &err) == 0);
		veh_world_state_hash(gpWorld, zAgain);
		FUZZ_ASSERT(strcmp(zAfter, zAgain) == 0);
		free(p);
	}
	FUZZ_ASSERT(veh_world_restore(gpWorld, gpRef, gnRef, &err) == 0);
	return 0;
}
