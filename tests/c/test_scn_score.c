/* engine/score: expectation windows and decay, args-subset matching, penalties, grades, outcome terms. */
#include "tests/c/ky_test.h"

#include <jansson.h>

#include "engine/score.h"

#define MIN(x) ((eng_time_t)(x) * 60 * ENG_US_PER_S)

static eng_score *two_teams(void) {
	eng_score *s = eng_score_new();
	ASSERT_EQ_INT(eng_score_add_team(s, "vsoc", NULL), 0);
	ASSERT_EQ_INT(eng_score_add_team(s, "psirt", NULL), 0);
	return s;
}

static json_t *J(const char *z) {
	json_t *j = json_loads(z, 0, NULL);
	ASSERT_TRUE(j != NULL);
	return j;
}

TEST(expectation_gets_full_points_within_its_window) {
	eng_score *s = two_teams();
	json_t *want = J("{\"value\":\"203.0.113.7\"}"), *got = J("{\"value\":\"203.0.113.7\",\"note\":\"x\"}");
	ASSERT_EQ_INT(eng_score_expect(s, "I1", "vsoc", "block_indicator", want, MIN(60), 20, NULL, NULL, NULL), 0);
	ASSERT_EQ_INT(eng_score_open(s, "I1", MIN(10)), 1);
	ASSERT_EQ_INT(eng_score_action(s, 1, "vsoc", MIN(70), "block_indicator", got, NULL), 1);
	ASSERT_NEAR(eng_score_team(s, "vsoc"), 20, 1e-9);
	json_t *tj = eng_score_team_json(s, "vsoc");
	ASSERT_EQ_INT(json_integer_value(json_object_get(tj, "met")), 1);
	json_decref(tj);
	/* a second matching action does not score twice */
	ASSERT_EQ_INT(eng_score_action(s, 2, "vsoc", MIN(71), "block_indicator", got, NULL), 0);
	ASSERT_NEAR(eng_score_team(s, "vsoc"), 20, 1e-9);
	json_decref(want);
	json_decref(got);
	eng_score_free(s);
}

TEST(points_decay_linearly_to_zero_at_twice_the_window) {
	eng_score *s = two_teams();
	ASSERT_EQ_INT(eng_score_expect(s, "I1", "vsoc", "triage", NULL, MIN(60), 20, NULL, NULL, NULL), 0);
	eng_score_open(s, "I1", 0);
	/* 90 min after opening = 1.5 windows: half the points */
	ASSERT_EQ_INT(eng_score_action(s, 1, "vsoc", MIN(90), "triage", NULL, NULL), 1);
	ASSERT_NEAR(eng_score_team(s, "vsoc"), 10, 1e-9);
	eng_score_free(s);
}

TEST(expectation_is_missed_after_twice_the_window_and_unfired_ones_are_not) {
	eng_score *s = two_teams();
	ASSERT_EQ_INT(eng_score_expect(s, "I1", "vsoc", "triage", NULL, MIN(10), 5, NULL, NULL, NULL), 0);
	ASSERT_EQ_INT(eng_score_expect(s, "I2", "vsoc", "triage", NULL, MIN(10), 5, NULL, NULL, NULL), 0);
	eng_score_open(s, "I1", 0);
	ASSERT_EQ_INT(eng_score_tick(s, MIN(19)), 0);
	ASSERT_EQ_INT(eng_score_tick(s, MIN(20)), 1);
	ASSERT_EQ_INT(eng_score_action(s, 1, "vsoc", MIN(21), "triage", NULL, NULL), 0);
	ASSERT_EQ_INT(eng_score_finish(s, MIN(60)), 0);
	json_t *tj = eng_score_team_json(s, "vsoc");
	ASSERT_EQ_INT(json_integer_value(json_object_get(tj, "missed")), 1);
	ASSERT_EQ_INT(json_integer_value(json_object_get(tj, "met")), 0);
	json_decref(tj);
	eng_score_free(s);
}

TEST(only_the_named_team_meets_an_expectation) {
	eng_score *s = two_teams();
	ASSERT_EQ_INT(eng_score_expect(s, "I1", "psirt", "notify", NULL, MIN(10), 5, NULL, NULL, NULL), 0);
	eng_score_open(s, "I1", 0);
	ASSERT_EQ_INT(eng_score_action(s, 1, "vsoc", MIN(1), "notify", NULL, NULL), 0);
	ASSERT_EQ_INT(eng_score_action(s, 2, "psirt", MIN(2), "notify", NULL, NULL), 1);
	ASSERT_EQ_INT(eng_score_expect(s, "I9", "nobody", "notify", NULL, MIN(10), 5, NULL, NULL, NULL), KY_ENOENT);
	eng_score_free(s);
}

TEST(match_is_an_args_subset_with_substring_strings) {
	json_t *got = J("{\"party\":\"regulator\",\"stage\":\"initial\",\"text\":\"Initial notice under UN R155\","
	                "\"n\":3,\"tags\":[\"a\",\"b\"],\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"}}");
	json_t *w1 = J("{\"party\":\"regulator\"}"), *w2 = J("{\"party\":\"isac\"}"), *w3 = J("{\"text\":\"~un r155\"}");
	json_t *w4 = J("{\"n\":3.0}"), *w5 = J("{\"tags\":[\"b\"]}"), *w6 = J("{\"select\":{\"ecu\":\"tcu\"}}");
	json_t *w7 = J("{\"missing\":1}");
	ASSERT_TRUE(eng_score_match(w1, got));
	ASSERT_FALSE(eng_score_match(w2, got));
	ASSERT_TRUE(eng_score_match(w3, got));
	ASSERT_TRUE(eng_score_match(w4, got));
	ASSERT_TRUE(eng_score_match(w5, got));
	ASSERT_TRUE(eng_score_match(w6, got));
	ASSERT_FALSE(eng_score_match(w7, got));
	ASSERT_TRUE(eng_score_match(NULL, got));
	json_decref(got); json_decref(w1); json_decref(w2); json_decref(w3); json_decref(w4);
	json_decref(w5); json_decref(w6); json_decref(w7);
}

TEST(a_list_of_one_name_matches_the_name_and_back) {
	json_t *a = J("{\"response\":[\"update\"],\"select\":{\"model\":\"SUV-B\"}}");
	json_t *b = J("{\"response\":\"update\",\"select\":{\"model\":[\"SUV-B\"]}}");
	json_t *c = J("{\"response\":[\"update\",\"rollback\"],\"select\":{\"model\":\"SUV-B\"}}");
	ASSERT_TRUE(eng_score_match(a, b));
	ASSERT_TRUE(eng_score_match(b, a));
	ASSERT_TRUE(eng_score_match(a, c));    /* a wanted list: each element in the got list */
	ASSERT_FALSE(eng_score_match(b, c));   /* a wanted name is not a list of several */
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

TEST(penalties_deduct_each_time_or_once) {
	eng_score *s = two_teams();
	json_t *args = J("{\"version\":\"rc1\"}"), *a1 = J("{\"version\":\"rc1\",\"ecu\":\"tcu\"}");
	ASSERT_EQ_INT(eng_score_penalty(s, NULL, "ota_campaign", args, 20, 0, "untested build", NULL), 0);
	ASSERT_EQ_INT(eng_score_penalty(s, "vsoc", "isolate_service", NULL, 10, 1, "outage", NULL), 0);
	eng_score_action(s, 1, "psirt", 0, "ota_campaign", a1, NULL);
	eng_score_action(s, 2, "psirt", 1, "ota_campaign", a1, NULL);
	ASSERT_NEAR(eng_score_team(s, "psirt"), -40, 1e-9);
	eng_score_action(s, 3, "vsoc", 2, "isolate_service", NULL, NULL);
	eng_score_action(s, 4, "vsoc", 3, "isolate_service", NULL, NULL);
	eng_score_action(s, 5, "psirt", 4, "isolate_service", NULL, NULL);
	ASSERT_NEAR(eng_score_team(s, "vsoc"), -10, 1e-9);
	ASSERT_NEAR(eng_score_team(s, "psirt"), -40, 1e-9);
	json_decref(args);
	json_decref(a1);
	eng_score_free(s);
}

TEST(grades_add_and_a_regrade_replaces) {
	eng_score *s = two_teams();
	ASSERT_EQ_INT(eng_score_grade(s, 7, "psirt", 8, NULL), 0);
	ASSERT_EQ_INT(eng_score_grade(s, 7, "psirt", 5, NULL), 0);
	ASSERT_EQ_INT(eng_score_grade(s, 8, "psirt", 2, NULL), 0);
	ASSERT_NEAR(eng_score_team(s, "psirt"), 7, 1e-9);
	ASSERT_EQ_INT(eng_score_adjust(s, "vsoc", -3, NULL), 0);
	ASSERT_NEAR(eng_score_joint(s), 4, 1e-9);
	eng_score_free(s);
}

TEST(outcome_maps_a_metric_linearly_and_clamps) {
	eng_score *s = two_teams();
	ASSERT_EQ_INT(eng_score_outcome_term(s, "compromised", 0, 1000, 30, NULL), 0);
	ASSERT_EQ_INT(eng_score_outcome_term(s, "services.ota_up", 1, 0, 10, NULL), 0);
	json_t *m = J("{\"compromised\":250,\"services\":{\"ota_up\":1}}");
	eng_score_set_metrics(s, m);
	ASSERT_NEAR(eng_score_outcome(s), 22.5 + 10, 1e-9);
	json_decref(m);
	m = J("{\"compromised\":5000,\"services\":{\"ota_up\":0}}");
	eng_score_set_metrics(s, m);
	ASSERT_NEAR(eng_score_outcome(s), 0, 1e-9);
	ASSERT_NEAR(eng_score_joint(s), 0, 1e-9);
	json_decref(m);
	ASSERT_EQ_INT(eng_score_outcome_term(s, "x", 5, 5, 1, NULL), KY_EINVAL);
	eng_score_free(s);
}

TEST(expire_says_what_it_missed_and_a_late_met_says_what_was_possible) {
	eng_score *s = two_teams();
	json_t *fx = NULL;
	ASSERT_EQ_INT(eng_score_expect(s, "I1", "vsoc", "triage", NULL, MIN(10), 5, "Triage the surge", NULL, NULL), 0);
	ASSERT_EQ_INT(eng_score_expect(s, "I1", "psirt", "report", NULL, MIN(30), 8, NULL, NULL, NULL), 0);
	ASSERT_EQ_INT(eng_score_expect(s, "I2", "vsoc", "triage", NULL, MIN(10), 5, NULL, NULL, NULL), 0);
	eng_score_open(s, "I1", 0);
	ASSERT_EQ_INT(eng_score_expire(s, MIN(19), 0, &fx), 0);
	ASSERT_EQ_INT(json_array_size(fx), 0);
	json_decref(fx);
	ASSERT_EQ_INT(eng_score_expire(s, MIN(20), 0, &fx), 1);
	json_t *e = json_array_get(fx, 0);
	ASSERT_EQ_STR(json_string_value(json_object_get(e, "type")), "missed");
	ASSERT_EQ_STR(json_string_value(json_object_get(e, "team")), "vsoc");
	ASSERT_EQ_STR(json_string_value(json_object_get(e, "expectation")), "Triage the surge");
	ASSERT_EQ_STR(json_string_value(json_object_get(e, "inject")), "I1");
	ASSERT_NEAR(json_number_value(json_object_get(e, "possible")), 5, 1e-9);
	json_decref(fx);
	/* met late: fewer points than possible, and the effect says both */
	ASSERT_EQ_INT(eng_score_action(s, 1, "psirt", MIN(45), "report", NULL, &fx), 1);
	e = json_array_get(fx, 0);
	ASSERT_EQ_STR(json_string_value(json_object_get(e, "type")), "met");
	ASSERT_NEAR(json_number_value(json_object_get(e, "points")), 8 * (2 - 45.0 / 30), 1e-9);
	ASSERT_NEAR(json_number_value(json_object_get(e, "possible")), 8, 1e-9);
	json_decref(fx);
	/* at the end, every open window is missed; the unfired I2 is not */
	ASSERT_EQ_INT(eng_score_expire(s, MIN(25), 1, &fx), 0);
	json_decref(fx);
	json_t *tj = eng_score_team_json(s, "vsoc");
	ASSERT_EQ_INT(json_integer_value(json_object_get(tj, "missed")), 1);
	json_decref(tj);
	eng_score_free(s);
}
