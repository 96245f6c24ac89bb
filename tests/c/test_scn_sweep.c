/* The pure part of a sweep (scenarios/sweep.h): the seed split of shards, the aggregation of the runs' lines, and
 * its refusals. The end-to-end check (shards as separate processes merged == unsharded) is tests/sh/test_sweep.sh. */
#include "tests/c/ky_test.h"

#include <jansson.h>
#include <stdlib.h>

#include "scenarios/sweep.h"

/* A line of a sweep of n seeds: team "vsoc" scores `score`; expectation "E1" met when bMet; branch "when" at line 9
 * fires `fires` times; seed 2 also declares expectation "E2" (sent from a when() in that run only). */
static json_t *line(int n, int seed, double score, int bMet, int fires) {
	char zHash[65];
	snprintf(zHash, sizeof zHash, "%064d", seed % 3);
	json_t *l = json_pack("{s:i,s:i,s:s,s:s,s:s,s:n,s:{s:{s:f}},s:f,s:[{s:s,s:s,s:s,s:f}],s:[{s:s,s:i,s:i}],s:i,s:s}",
	                      "sweep", n, "seed", seed, "scenario", "fixture", "kyodo", "test", "inputs", "abc", "actions",
	                      "teams", "vsoc", "score", score, "joint", score, "expectations", "label", "E1", "team", "vsoc",
	                      "status", bMet ? "met" : "missed", "awarded", bMet ? 20.0 : 0.0, "branches", "type", "when",
	                      "line", 9, "fires", fires, "scenario_errors", seed == 3, "state_hash", zHash);
	if (seed == 2) {
		json_array_append_new(json_object_get(l, "expectations"),
		                      json_pack("{s:s,s:s,s:s,s:f}", "label", "E2", "team", "vsoc", "status", "met", "awarded", 7.0));
	}
	return l;
}

static json_t *lines_of(int n) {
	json_t *a = json_array();
	for (int s = 1; s <= n; s++) json_array_append_new(a, line(n, s, 10.0 * s / 3.0, s % 2, s == 4 ? 2 : 0));
	return a;
}

TEST(shards_cover_every_seed_exactly_once_in_contiguous_blocks) {
	for (int n = 0; n <= 40; n++) {
		for (int k = 1; k <= 12; k++) {
			int next = 1, nMax = 0, nMin = 1 << 30;
			for (int i = 0; i < k; i++) {
				int a, b;
				scn_sweep_shard_seeds(n, i, k, &a, &b);
				ASSERT_EQ_INT(a, next);  /* contiguous, in shard order, nothing skipped or repeated */
				next = b + 1;
				nMax = b - a + 1 > nMax ? b - a + 1 : nMax;
				nMin = b - a + 1 < nMin ? b - a + 1 : nMin;
			}
			ASSERT_EQ_INT(next, n + 1);
			ASSERT_LE(nMax - nMin, 1);  /* balanced */
		}
	}
}

TEST(aggregate_counts_met_means_and_ranges) {
	ky_err err = { 0 };
	json_t *a = lines_of(4), *agg = scn_sweep_aggregate(a, &err);
	ASSERT_TRUE(agg != NULL);
	ASSERT_EQ_INT(json_integer_value(json_object_get(agg, "runs")), 4);
	ASSERT_EQ_STR(json_string_value(json_object_get(agg, "scenario")), "fixture");
	json_t *vsoc = json_object_get(json_object_get(agg, "teams"), "vsoc");
	ASSERT_NEAR(json_number_value(json_object_get(vsoc, "mean")), (10.0 + 20 + 30 + 40) / 3.0 / 4.0, 1e-12);
	ASSERT_NEAR(json_number_value(json_object_get(vsoc, "min")), 10.0 / 3.0, 1e-12);
	ASSERT_NEAR(json_number_value(json_object_get(vsoc, "max")), 40.0 / 3.0, 1e-12);
	json_t *exp = json_object_get(agg, "expectations");
	ASSERT_EQ_INT(json_array_size(exp), 2);
	json_t *e1 = json_array_get(exp, 0), *e2 = json_array_get(exp, 1);
	ASSERT_EQ_STR(json_string_value(json_object_get(e1, "label")), "E1");
	ASSERT_EQ_INT(json_integer_value(json_object_get(e1, "met")), 2);  /* seeds 1 and 3 */
	ASSERT_NEAR(json_number_value(json_object_get(e1, "mean_points")), 10.0, 1e-12);
	ASSERT_EQ_STR(json_string_value(json_object_get(e2, "label")), "E2");
	ASSERT_EQ_INT(json_integer_value(json_object_get(e2, "met")), 1);
	ASSERT_NEAR(json_number_value(json_object_get(e2, "mean_points")), 7.0 / 4, 1e-12);
	json_t *br = json_array_get(json_object_get(agg, "branches"), 0);
	ASSERT_EQ_INT(json_integer_value(json_object_get(br, "fires")), 2);
	ASSERT_EQ_INT(json_integer_value(json_object_get(br, "runs_fired")), 1);
	ASSERT_EQ_INT(json_integer_value(json_object_get(agg, "distinct_state_hashes")), 3);
	ASSERT_EQ_INT(json_integer_value(json_object_get(agg, "scenario_errors")), 1);
	json_decref(agg);
	json_decref(a);
}

TEST(aggregate_is_the_same_bytes_whatever_the_order_of_the_lines) {
	ky_err err = { 0 };
	json_t *a = lines_of(9), *b = json_array();
	static const int aOrder[9] = { 7, 2, 9, 1, 5, 3, 8, 4, 6 };
	for (int i = 0; i < 9; i++) json_array_append(b, json_array_get(a, (size_t)aOrder[i] - 1));
	json_t *ga = scn_sweep_aggregate(a, &err), *gb = scn_sweep_aggregate(b, &err);
	ASSERT_TRUE(ga && gb);
	char *za = json_dumps(ga, JSON_COMPACT), *zb = json_dumps(gb, JSON_COMPACT);
	ASSERT_EQ_STR(za, zb);
	/* and after a round trip through text, as lines coming from shard files */
	json_t *c = json_array();
	for (int i = 0; i < 9; i++) {
		char *z = json_dumps(json_array_get(b, (size_t)i), JSON_COMPACT);
		json_array_append_new(c, json_loads(z, 0, NULL));
		free(z);
	}
	json_t *gc = scn_sweep_aggregate(c, &err);
	char *zc = json_dumps(gc, JSON_COMPACT);
	ASSERT_EQ_STR(za, zc);
	free(za);
	free(zb);
	free(zc);
	json_decref(ga);
	json_decref(gb);
	json_decref(gc);
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

TEST(aggregate_names_missing_and_repeated_seeds) {
	ky_err err = { 0 };
	json_t *a = lines_of(10);
	json_array_remove(a, 9);  /* seed 10 */
	json_array_remove(a, 3);  /* seed 4 */
	json_array_remove(a, 3);  /* seed 5 */
	ASSERT_TRUE(scn_sweep_aggregate(a, &err) == NULL);
	ASSERT_EQ_INT(err.code, KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "seeds missing from the sweep of 1..10: 4..5, 10");
	json_array_append_new(a, line(10, 3, 1, 1, 0));
	ASSERT_TRUE(scn_sweep_aggregate(a, &err) == NULL);
	ASSERT_CONTAINS(err.zMsg, "seeds given more than once: 3");
	json_decref(a);
}

TEST(aggregate_refuses_lines_of_another_sweep) {
	static const char *const azKey[] = { "inputs", "kyodo", "scenario" };
	for (size_t k = 0; k < 3; k++) {
		ky_err err = { 0 };
		json_t *a = lines_of(3);
		json_object_set_new(json_array_get(a, 2), azKey[k], json_string("other"));
		ASSERT_TRUE(scn_sweep_aggregate(a, &err) == NULL);
		ASSERT_CONTAINS(err.zMsg, "seed 3 is of another sweep");
		ASSERT_CONTAINS(err.zMsg, azKey[k]);
		json_decref(a);
	}
	ky_err err = { 0 };
	json_t *a = lines_of(3);
	json_object_set_new(json_array_get(a, 1), "sweep", json_integer(4));
	ASSERT_TRUE(scn_sweep_aggregate(a, &err) == NULL);
	ASSERT_CONTAINS(err.zMsg, "'sweep' differs");
	json_decref(a);
}

TEST(check_line_names_the_bad_field) {
	ky_err err = { 0 };
	json_t *l = line(5, 2, 1, 1, 0);
	ASSERT_EQ_INT(scn_sweep_check_line(l, &err), 0);
	json_object_del(l, "state_hash");
	ASSERT_EQ_INT(scn_sweep_check_line(l, &err), KY_EPARSE);
	ASSERT_CONTAINS(err.zMsg, "'state_hash' is missing");
	json_decref(l);
	l = line(5, 6, 1, 1, 0);
	ASSERT_EQ_INT(scn_sweep_check_line(l, &err), KY_EPARSE);
	ASSERT_CONTAINS(err.zMsg, "seed 6 is not from 1 to 5");
	json_object_set_new(l, "teams", json_array());
	ASSERT_EQ_INT(scn_sweep_check_line(l, &err), KY_EPARSE);
	json_decref(l);
	l = json_array();
	ASSERT_EQ_INT(scn_sweep_check_line(l, &err), KY_EPARSE);
	json_decref(l);
}

TEST(digest_keeps_what_the_aggregation_reads) {
	ky_err err = { 0 };
	json_t *summary = json_pack("{s:s,s:i,s:{s:{s:f,s:i}},s:f,s:[{s:s,s:s,s:s,s:f,s:s}],s:[],s:i,s:s,s:i}", "scenario",
	                            "x", "seed", 4, "teams", "vsoc", "score", 12.5, "met", 1, "joint", 12.5, "expectations",
	                            "label", "E1", "team", "vsoc", "status", "met", "awarded", 12.5, "kind", "triage",
	                            "branches", "scenario_errors", 0, "state_hash", "ab", "events", 99);
	json_t *ident = json_pack("{s:i,s:s,s:s,s:n}", "sweep", 4, "kyodo", "v", "inputs", "h", "actions");
	json_t *l = scn_sweep_digest(summary, ident);
	ASSERT_TRUE(l != NULL);
	ASSERT_EQ_INT(scn_sweep_check_line(l, &err), 0);
	ASSERT_TRUE(json_object_get(l, "events") == NULL);  /* only what is aggregated travels */
	ASSERT_TRUE(json_object_get(json_array_get(json_object_get(l, "expectations"), 0), "kind") == NULL);
	ASSERT_EQ_INT(json_integer_value(json_object_get(l, "seed")), 4);
	json_decref(l);
	json_decref(ident);
	json_decref(summary);
}
