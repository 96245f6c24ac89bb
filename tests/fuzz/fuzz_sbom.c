/* fuzz_sbom: the CycloneDX reader (vehicles/sbom.c: components, bom-refs, dependencies, purls, version ranges, VEX
 * statements), as sbom.load gives it a file, and kyodo's compact SBOM table, on any bytes; then the queries and the
 * world's count. Properties: a document is taken whole or not at all (an error names the file and adds nothing);
 * every component listed is found again by its own label (unless '@' in its name or version makes that label
 * ambiguous: found by this target, left to the SBOM module); sbom.affected counts only cars of the firmware that
 * holds it (100 cars of tcu 2.3.1 in a world of 150). */
#include <string.h>

#include "engine/sim.h"
#include "tests/fuzz/fuzz.h"
#include "vehicles/sbom.h"
#include "vehicles/world.h"

static void check_store(const uint8_t *data, size_t size, int bPart) {
	veh_sbom *s = veh_sbom_new();
	veh_sbom_load opt;
	ky_err err = { 0 };
	FUZZ_ASSERT(s != NULL);
	memset(&opt, 0, sizeof opt);
	opt.zEcu = bPart ? NULL : "tcu";
	opt.zVersion = bPart ? NULL : "2.3.1";
	opt.bPart = bPart;
	if (veh_sbom_add_cyclonedx(s, (const char *)data, size, "fuzz.cdx.json", &opt, &err) != 0) {
		FUZZ_ASSERT(err.zMsg[0] && strncmp(err.zMsg, "fuzz.cdx.json", 13) == 0);
		FUZZ_ASSERT(veh_sbom_component_count(s) == 0); /* nothing added */
	} else {
		json_t *comps = veh_sbom_components_json(s, 32), *v;
		size_t i;
		json_array_foreach(comps, i, v) {
			veh_sbom_eval e;
			memset(&e, 0, sizeof e);
			const char *z = json_string_value(v), *at = z ? strchr(z + 1, '@') : NULL;
			/* a label with '@' in its name or version is ambiguous as a query ("a@0.9@.1": name a@0.9?): skipped */
			if (!z || (at && strchr(at + 1, '@'))) continue;
			if (veh_sbom_eval_component(s, z, NULL, &e, &err) == 0) {
				FUZZ_ASSERT(json_is_true(json_object_get(e.detail, "known")));
				veh_sbom_eval_free(&e);
			}
		}
		json_decref(comps);
		json_decref(veh_sbom_json(s));
	}
	veh_sbom_free(s);
}

/* The compact table ({"tcu":{"2.3.1":["openssl@1.1.1k"]}}) from the same bytes when they are JSON. */
static void check_table(const uint8_t *data, size_t size) {
	json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	veh_sbom *s;
	ky_err err = { 0 };
	if (!doc) return;
	s = veh_sbom_new();
	FUZZ_ASSERT(s != NULL);
	if (veh_sbom_add_json(s, doc, &err) != 0) FUZZ_ASSERT(err.zMsg[0] && veh_sbom_component_count(s) == 0);
	veh_sbom_free(s);
	json_decref(doc);
}

/* The document as the firmware of tcu 2.3.1 in a small world (100 cars on it, 50 on 2.4.0), then sbom.affected. */
static void check_world(const uint8_t *data, size_t size) {
	eng_sim *sim = eng_sim_new(1);
	ky_err err = { 0 };
	veh_world *w = veh_world_new(sim, &err);
	veh_sbom_load opt;
	json_t *c1 = json_pack("{s:s, s:i, s:{s:s}}", "model", "A", "count", 100, "ecus", "tcu", "2.3.1");
	json_t *c2 = json_pack("{s:s, s:i, s:{s:s}}", "model", "B", "count", 50, "ecus", "tcu", "2.4.0");
	FUZZ_ASSERT(w && veh_world_add_cohort(w, c1, &err) == 0 && veh_world_add_cohort(w, c2, &err) == 0);
	memset(&opt, 0, sizeof opt);
	opt.zEcu = "tcu";
	opt.zVersion = "2.3.1";
	if (veh_world_load_cyclonedx(w, (const char *)data, size, "fuzz.cdx.json", &opt, &err) == 0 &&
	    veh_world_start(w, &err) == 0) {
		json_t *doc = json_loadb((const char *)data, size, 0, NULL), *c;
		size_t i;
		json_array_foreach(json_object_get(doc, "components"), i, c) {
			const char *zName = json_string_value(json_object_get(c, "name"));
			const char *zVer = json_string_value(json_object_get(c, "version"));
			char z[512];
			json_t *args, *res = NULL;
			if (!zName || !zVer || i >= 16 || strchr(zName, '/') || json_object_get(c, "group")) continue;
			snprintf(z, sizeof z, "%s@%s", zName, zVer);
			args = json_pack("{s:s}", "component", z);
			if (args && veh_world_call(w, "sbom.affected", args, &res, &err) == 0) {
				json_int_t nCars = json_integer_value(json_object_get(res, "cars"));
				FUZZ_ASSERT(nCars == 100 || nCars == 0); /* only the 2.3.1 cars can hold it */
			}
			json_decref(res);
			json_decref(args);
		}
		json_decref(doc);
	}
	json_decref(c1);
	json_decref(c2);
	veh_world_free(w);
	eng_sim_free(sim);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	check_store(data, size, 0);
	check_store(data, size, 1);
	check_table(data, size);
	check_world(data, size);
	return 0;
}
