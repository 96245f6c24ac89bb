/* fuzz_sbom: the CycloneDX reader (vehicles/sbom.c, as sbom.load gives it a document) and kyodo's compact SBOM JSON,
 * on any bytes, then the world's reverse query. Properties: a document is taken whole or not at all (an error adds
 * nothing); every component it added is found again, and sbom.affected counts cars only of the firmware holding it. */
#include <string.h>

#include "engine/sim.h"
#include "tests/fuzz/fuzz.h"
#include "vehicles/sbom.h"
#include "vehicles/world.h"

static void check_sbom(json_t *doc) {
	veh_sbom s;
	ky_err err = { 0 };
	veh_sbom_init(&s);
	if (veh_sbom_add_cyclonedx(&s, "tcu", "2.3.1", doc, &err) != 0) FUZZ_ASSERT(s.nEnt == 0 && err.zMsg[0]);
	int nEnt = s.nEnt;
	if (veh_sbom_add_json(&s, doc, &err) != 0) FUZZ_ASSERT(s.nEnt == nEnt && err.zMsg[0]);
	for (int i = 0; i < s.nComp; i++) {
		veh_sbom_hits h;
		FUZZ_ASSERT(veh_sbom_known(&s, s.azComp[i]));
		int n = veh_sbom_find(&s, s.azComp[i], &h, &err);
		FUZZ_ASSERT(n == KY_ELIMIT || n >= 0);
	}
	veh_sbom_clear(&s);
}

/* The same document through a small world (100 cars on tcu 2.3.1, 50 on 2.4.0) and sbom.affected. */
static void check_world(json_t *doc) {
	eng_sim *sim = eng_sim_new(1);
	ky_err err = { 0 };
	veh_world *w = veh_world_new(sim, &err);
	json_t *c1 = json_pack("{s:s, s:i, s:{s:s}}", "model", "A", "count", 100, "ecus", "tcu", "2.3.1");
	json_t *c2 = json_pack("{s:s, s:i, s:{s:s}}", "model", "B", "count", 50, "ecus", "tcu", "2.4.0");
	FUZZ_ASSERT(w && veh_world_add_cohort(w, c1, &err) == 0 && veh_world_add_cohort(w, c2, &err) == 0);
	if (veh_world_add_sbom_cyclonedx(w, "tcu", "2.3.1", doc, &err) == 0 && veh_world_start(w, &err) == 0) {
		json_t *comps = json_object_get(doc, "components");
		size_t i;
		json_t *c;
		json_array_foreach(comps, i, c) {
			const char *zName = json_string_value(json_object_get(c, "name"));
			const char *zVer = json_string_value(json_object_get(c, "version"));
			char z[512];
			json_t *args, *res = NULL;
			if (!zName || !zVer || i >= 16) continue;
			snprintf(z, sizeof z, "%s@%s", zName, zVer);
			args = json_pack("{s:s}", "component", z);
			if (args && veh_world_call(w, "sbom.affected", args, &res, &err) == 0) {
				json_int_t nCars = json_integer_value(json_object_get(res, "cars"));
				FUZZ_ASSERT(nCars == 100 || nCars == 0); /* only the 2.3.1 cars can hold it */
			}
			json_decref(res);
			json_decref(args);
		}
	}
	json_decref(c1);
	json_decref(c2);
	veh_world_free(w);
	eng_sim_free(sim);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!doc) return 0;
	check_sbom(doc);
	check_world(doc);
	json_decref(doc);
	return 0;
}
