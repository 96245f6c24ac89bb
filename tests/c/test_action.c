/* The one table of action kinds (vehicles/action) and the JSON Schema subset it is written in (engine/jschema):
 * every kind has a schema the pages can build a form from, the checks name the field and the valid choices,
 * expectations are checked as subsets, and the drill applies the same rules (two-step stage/apply). */
#include "tests/c/ky_test.h"

#include <stdlib.h>

#include "engine/jschema.h"
#include "engine/sim.h"
#include "scenarios/drill.h"
#include "vehicles/action.h"
#include "vehicles/world.h"

static json_t *J(const char *z) {
	json_error_t e;
	json_t *j = json_loads(z, JSON_DECODE_ANY, &e);
	if (!j) ky_test_fail(__FILE__, __LINE__, "bad test JSON: %s: %s", z, e.text);
	return j;
}

static int validate(const char *zSchema, const char *zValue, ky_err *err) {
	json_t *s = J(zSchema), *v = J(zValue);
	memset(err, 0, sizeof *err);
	int rc = eng_jschema_validate(s, v, "args", err);
	json_decref(s);
	json_decref(v);
	return rc;
}

TEST(jschema_checks_each_keyword_and_names_the_path) {
	ky_err e;
	const char *zObj = "{\"type\":\"object\",\"required\":[\"a\"],\"additionalProperties\":false,\"properties\":{"
	                   "\"a\":{\"type\":\"string\",\"enum\":[\"x\",\"y\"]},\"n\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":10},"
	                   "\"l\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"pattern\":\"^[a-z]+$\"}},"
	                   "\"u\":{\"type\":[\"string\",\"object\"],\"pattern\":\"^ok$\"}}}";
	ASSERT_EQ_INT(validate(zObj, "{\"a\":\"x\",\"n\":3,\"l\":[\"ab\"],\"u\":\"ok\"}", &e), 0);
	ASSERT_EQ_INT(validate(zObj, "{\"a\":\"x\",\"n\":3e0,\"u\":{}}", &e), 0); /* a real without fraction is an integer */
	ASSERT_EQ_INT(validate(zObj, "{}", &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "args.a: required");
	ASSERT_EQ_INT(validate(zObj, "{\"a\":\"z\"}", &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "args.a: 'z' is not one of: x, y");
	ASSERT_EQ_INT(validate(zObj, "{\"a\":\"x\",\"n\":11}", &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "args.n: 11 is above the maximum 10");
	ASSERT_EQ_INT(validate(zObj, "{\"a\":\"x\",\"n\":1.5}", &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "args.n: expected an integer, got number");
	ASSERT_EQ_INT(validate(zObj, "{\"a\":\"x\",\"l\":[\"ab\",\"A\"]}", &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "args.l[2]: 'A' is not of the expected form");
	ASSERT_EQ_INT(validate(zObj, "{\"a\":\"x\",\"zz\":1}", &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "args.zz: unknown field");
	ASSERT_EQ_INT(validate(zObj, "{\"a\":\"x\",\"u\":\"nok\"}", &e), KY_EINVAL); /* patterns are not anchored unless written so */
	ASSERT_EQ_INT(validate(zObj, "{\"a\":\"x\",\"u\":3}", &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "expected a string or object");
	ASSERT_EQ_INT(validate("{\"pattern\":\"([\"}", "\"x\"", &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "not a valid regular expression");
}

TEST(jschema_partial_skips_required_at_the_top_only) {
	ky_err e = { 0 };
	json_t *s = J("{\"type\":\"object\",\"required\":[\"a\"],\"additionalProperties\":false,\"properties\":{\"a\":{\"type\":\"string\"},"
	              "\"o\":{\"type\":\"object\",\"required\":[\"k\"],\"properties\":{\"k\":{}}}}}");
	json_t *v1 = J("{}"), *v2 = J("{\"o\":{}}"), *v3 = J("{\"b\":1}");
	ASSERT_EQ_INT(eng_jschema_validate_partial(s, v1, "args", &e), 0);
	ASSERT_EQ_INT(eng_jschema_validate_partial(s, v2, "args", &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "args.o.k: required");
	ASSERT_EQ_INT(eng_jschema_validate_partial(s, v3, "args", &e), KY_EINVAL);
	json_decref(s);
	json_decref(v1);
	json_decref(v2);
	json_decref(v3);
}

typedef struct box {
	eng_sim *sim;
	veh_world *w;
	json_t *schemas;
} box;

static box make(void) {
	box b;
	ky_err err = { 0 };
	b.sim = eng_sim_new(1);
	b.w = veh_world_new(b.sim, &err);
	json_t *c = J("{\"model\":\"Sedan-A\",\"count\":10,\"region\":\"JP-Kanto\",\"ecus\":{\"tcu\":\"2.3.1\"}}");
	json_t *c2 = J("{\"model\":\"EV.X+\",\"count\":10,\"region\":\"JP-Kansai\",\"ecus\":{\"tcu\":\"2.3.1\"}}");
	if (veh_world_add_cohort(b.w, c, &err) || veh_world_add_cohort(b.w, c2, &err)) ky_test_fail(__FILE__, __LINE__, "%s", err.zMsg);
	json_decref(c);
	json_decref(c2);
	json_t *ctx = J("{\"teams\":[\"vsoc\",\"legal\"],\"parties\":[\"kba\"]}");
	b.schemas = veh_action_schemas(b.w, ctx);
	json_decref(ctx);
	ASSERT_TRUE(b.schemas != NULL);
	return b;
}

static void unmake(box b) {
	json_decref(b.schemas);
	veh_world_free(b.w);
	eng_sim_free(b.sim);
}

static int check(box b, const char *zKind, const char *zArgs, ky_err *e) {
	json_t *a = J(zArgs);
	memset(e, 0, sizeof *e);
	int rc = veh_action_check(b.schemas, zKind, a, e);
	json_decref(a);
	return rc;
}

TEST(every_kind_of_the_table_has_an_object_schema_and_nothing_else_does) {
	box b = make();
	int n = 0;
	for (const veh_action_info *k; (k = veh_action_at(n)); n++) {
		json_t *s = json_object_get(b.schemas, k->zKind);
		if (!s) ky_test_fail(__FILE__, __LINE__, "no schema for %s", k->zKind);
		ASSERT_EQ_STR(json_string_value(json_object_get(s, "type")), "object");
		ASSERT_TRUE(json_is_object(json_object_get(s, "properties")));
		ASSERT_TRUE(json_is_false(json_object_get(s, "additionalProperties")));
		ASSERT_TRUE(veh_action_find(k->zKind) == k);
	}
	ASSERT_EQ_INT(json_object_size(b.schemas), n);
	ASSERT_TRUE(veh_action_find("launch_missiles") == NULL);
	/* CONTRACT §3's kinds are all there */
	const char *az[] = { "triage", "block_indicator", "isolate_service", "revoke_certificate", "ota_campaign",
	                     "disable_feature", "notify", "share", "assess", "report" };
	for (size_t i = 0; i < sizeof az / sizeof az[0]; i++) ASSERT_TRUE(veh_action_find(az[i]) != NULL);
	ASSERT_TRUE(veh_action_find("block_indicator")->flags & VEH_ACT_WORLD);
	ASSERT_FALSE(veh_action_find("notify")->flags & VEH_ACT_WORLD);
	unmake(b);
}

TEST(the_kinds_list_for_the_pages_follows_the_table_with_its_flags) {
	json_t *a = veh_action_kinds_json();
	int n = 0;
	for (const veh_action_info *k; (k = veh_action_at(n)); n++) {
		json_t *e = json_array_get(a, (size_t)n);
		ASSERT_EQ_STR(json_string_value(json_object_get(e, "kind")), k->zKind);
		ASSERT_EQ_INT(json_is_true(json_object_get(e, "confirm")), (k->flags & VEH_ACT_CONFIRM) != 0);
		ASSERT_EQ_INT(json_is_true(json_object_get(e, "world")), (k->flags & VEH_ACT_WORLD) != 0);
		ASSERT_EQ_STR(json_string_value(json_object_get(e, "summary")), k->zSummary);
	}
	ASSERT_EQ_INT(json_array_size(a), n);
	/* what asks a participant to confirm: the fleet-wide ones, and those that cut a service for its customers (a
	 * rotation degrades what uses the credential; a recall calls the cars in) */
	for (int i = 0; i < n; i++) {
		json_t *e = json_array_get(a, (size_t)i);
		const char *z = json_string_value(json_object_get(e, "kind"));
		int bWant = !strcmp(z, "revoke_certificate") || !strcmp(z, "ota_campaign") || !strcmp(z, "disable_feature") ||
		            !strcmp(z, "isolate_service") || !strcmp(z, "rotate_credential") || !strcmp(z, "recall");
		if (json_is_true(json_object_get(e, "confirm")) != bWant) ky_test_fail(__FILE__, __LINE__, "%s: confirm", z);
	}
	json_decref(a);
}

TEST(the_checks_name_the_field_and_the_valid_choices) {
	box b = make();
	ky_err e;
	ASSERT_EQ_INT(check(b, "notify", "{\"party\":\"ppc\",\"text\":\"速報\",\"stage\":\"initial\"}", &e), 0);
	ASSERT_EQ_INT(check(b, "notify", "{\"party\":\"kba\",\"text\":\"x\"}", &e), 0); /* the scenario's own party */
	ASSERT_EQ_INT(check(b, "notify", "{\"party\":\"pcc\",\"text\":\"x\"}", &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "notify: args.party: 'pcc' is not one of: regulator, ppc, mlit");
	ASSERT_EQ_INT(check(b, "notify", "{\"party\":\"ppc\",\"text\":\"   \"}", &e), KY_EINVAL);
	ASSERT_EQ_INT(check(b, "notify", "{\"party\":\"ppc\",\"text\":\"x\",\"stage\":\"prelim\"}", &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "args.stage");
	ASSERT_EQ_INT(check(b, "share", "{\"to\":\"legal\",\"text\":\"x\",\"tlp\":\"red\"}", &e), 0);
	ASSERT_EQ_INT(check(b, "share", "{\"to\":\"all\",\"text\":\"x\",\"tlp\":\"red\"}", &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "TLP:RED");
	ASSERT_EQ_INT(check(b, "share", "{\"to\":\"oem\",\"text\":\"x\"}", &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "share: args.to: 'oem' is not one of: vsoc, legal, all");
	ASSERT_EQ_INT(check(b, "share", "{\"to\":\"all\",\"text\":\"x\",\"tlp\":\"AMBER\"}", &e), KY_EINVAL);
	ASSERT_EQ_INT(check(b, "block_indicator", "{\"value\":\"apikey:fleetpartner-07\"}", &e), 0);
	ASSERT_EQ_INT(check(b, "block_indicator", "{\"value\":\"203.0.113.7 x\"}", &e), KY_EINVAL);
	ASSERT_EQ_INT(check(b, "isolate_service", "{\"name\":\"dms\"}", &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "telematics, ota, vsoc, pki, app_api");
	ASSERT_EQ_INT(check(b, "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"2.4.0\",\"rollout\":0}", &e), KY_EINVAL);
	ASSERT_EQ_INT(check(b, "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"2.4.0\",\"select\":{\"model\":[\"EV.X+\",\"Sedan-A\"]}}", &e), 0);
	ASSERT_EQ_INT(check(b, "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"2.4.0\",\"select\":{\"model\":\"EVvX+\"}}", &e), KY_EINVAL);
	ASSERT_EQ_INT(check(b, "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"2.4.0\",\"select\":{\"modle\":\"Sedan-A\"}}", &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "ota_campaign: args.select.modle: unknown field");
	ASSERT_EQ_INT(check(b, "revoke_certificate", "{\"scope\":\"signing_key\"}", &e), 0);
	ASSERT_EQ_INT(check(b, "revoke_certificate", "{\"scope\":{\"model\":\"Sedan-A\",\"state\":\"compromised\"}}", &e), 0);
	ASSERT_EQ_INT(check(b, "revoke_certificate", "{\"scope\":\"everything\"}", &e), KY_EINVAL);
	ASSERT_EQ_INT(check(b, "assess", "{\"component\":\"openssl@1.1.1k\",\"affected\":-1}", &e), KY_EINVAL);
	ASSERT_EQ_INT(check(b, "triage", "{}", &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "triage: args.inject: required");
	ASSERT_EQ_INT(check(b, "frobnicate", "{}", &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "unknown action kind 'frobnicate' (known: triage, block_indicator");
	unmake(b);
}

TEST(an_expectation_is_checked_as_a_subset_of_the_args) {
	box b = make();
	ky_err e = { 0 };
	json_t *ok = J("{\"party\":\"mlit\"}"), *bad = J("{\"party\":\"MLIT\"}");
	ASSERT_EQ_INT(veh_action_check_partial(b.schemas, "notify", ok, &e), 0);
	ASSERT_EQ_INT(veh_action_check_partial(b.schemas, "notify", bad, &e), KY_EINVAL);
	json_decref(ok);
	json_decref(bad);
	unmake(b);
}

/* The pages read the schemas as JSON text: the patterns must survive a round trip and still compile. */
TEST(the_schemas_survive_json_text_and_their_patterns_compile) {
	box b = make();
	char *z = json_dumps(b.schemas, JSON_COMPACT);
	json_t *back = J(z);
	ASSERT_TRUE(json_equal(back, b.schemas));
	ky_err e;
	json_t *a = J("{\"ecu\":\"tcu\",\"version\":\"2.4.0\",\"select\":{\"model\":\"EV.X+\",\"below\":\"2.4.0\"}}");
	ASSERT_EQ_INT(veh_action_check(back, "ota_campaign", a, &e), 0);
	json_decref(a);
	json_decref(back);
	free(z);
	unmake(b);
}

static const char *scenario(const char *zName) {
	static char z[600];
	const char *zRoot = getenv("KY_ROOT");
	snprintf(z, sizeof z, "%s/scenarios/%s", zRoot ? zRoot : ".", zName);
	return z;
}

TEST(the_drill_stages_then_applies_and_refuses_bad_args_without_a_seq) {
	ky_err err = { 0 };
	scn_drill_opts o = { 0 };
	scn_drill *d = scn_drill_open(scenario("tcu-remote.lua"), &o, &err);
	if (!d) ky_test_fail(__FILE__, __LINE__, "open: %s", err.zMsg);
	ASSERT_EQ_INT(scn_drill_advance_to(d, ENG_S(3600), &err), 0);
	json_t *bad = J("{\"party\":\"regulatr\",\"text\":\"x\"}"), *good = J("{\"value\":\"203.0.113.7\"}");
	scn_action_in in = { "vsoc", "c1", "notify", NULL, bad };
	scn_action_out out;
	ASSERT_EQ_INT(scn_drill_action_stage(d, &in, &out, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "notify: args.party: 'regulatr' is not one of");
	in = (scn_action_in){ "vsoc", "c2", "block_indicator", NULL, good };
	ASSERT_EQ_INT(scn_drill_action_stage(d, &in, &out, &err), 0);
	ASSERT_EQ_INT(out.seq, 1); /* the refused one took no seq */
	json_t *sum = scn_drill_summary_json(d);
	ASSERT_EQ_INT(json_integer_value(json_object_get(json_object_get(sum, "actions"), "applied")), 0); /* staged only */
	json_decref(sum);
	ASSERT_EQ_INT(scn_drill_action_apply(d, 2, &err), KY_ESTATE);
	ASSERT_EQ_INT(scn_drill_action_apply(d, 1, &err), 0);
	ASSERT_EQ_INT(scn_drill_action_apply(d, 1, &err), KY_ESTATE); /* once */
	sum = scn_drill_summary_json(d);
	ASSERT_EQ_INT(json_integer_value(json_object_get(json_object_get(sum, "actions"), "applied")), 1);
	json_decref(sum);
	json_t *cat = scn_drill_action_schemas(d);
	json_t *to = json_object_get(json_object_get(json_object_get(json_object_get(cat, "share"), "properties"), "to"), "enum");
	ASSERT_TRUE(json_array_size(to) >= 2);
	json_decref(cat);
	json_decref(bad);
	json_decref(good);
	scn_drill_free(d);
}

static json_t *pLastFleet;
static void keep_fleet(void *ctx, json_t *msg) {
	(void)ctx;
	json_decref(pLastFleet);
	pLastFleet = json_deep_copy(msg);
}

static const char *write_scenario(const char *zName, const char *zVisibility) {
	static char z[600];
	snprintf(z, sizeof z, "%s/%s.lua", ky_test_tmpdir(), zName);
	FILE *f = fopen(z, "w");
	fprintf(f, "scenario { id = \"v\", title = \"V\", duration = \"1h\"%s }\n"
	           "teams { { id = \"vsoc\", name = \"VSOC\" } }\n"
	           "fleet { { model = \"Sedan-A\", count = 2000, region = \"JP-Kanto\", ecus = { tcu = \"2.3.1\" } } }\n"
	           "at(\"00:01:00\", function() attack.compromise { select = { model = \"Sedan-A\" }, count = 500, persistence = true } end)\n",
	        zVisibility);
	fclose(f);
	return z;
}

/* CONTRACT §2/§4: visibility "observed" (the default) gives the teams what their detection flagged; "truth" the truth. */
TEST(the_fleet_sample_carries_the_teams_view_by_the_scenarios_visibility) {
	const char *azVis[] = { "", ", visibility = \"truth\"" };
	for (int k = 0; k < 2; k++) {
		ky_err err = { 0 };
		scn_observer obs = { .on_fleet = keep_fleet };
		scn_drill_opts o = { .pObs = &obs };
		scn_drill *d = scn_drill_open(write_scenario(k ? "truth" : "observed", azVis[k]), &o, &err);
		if (!d) ky_test_fail(__FILE__, __LINE__, "open: %s", err.zMsg);
		ASSERT_EQ_INT(scn_drill_advance_to(d, ENG_S(1800), &err), 0);
		json_t *v = json_object_get(pLastFleet, "team_view");
		long long nTrue = json_integer_value(json_object_get(pLastFleet, "compromised"));
		long long nSeen = json_integer_value(json_object_get(v, "compromised"));
		ASSERT_EQ_INT(nTrue, 500);
		if (k == 0) {
			ASSERT_TRUE(json_is_true(json_object_get(v, "observed")));
			ASSERT_LT(nSeen, nTrue);
			ASSERT_EQ_INT(nSeen, json_integer_value(json_object_get(pLastFleet, "observed_compromised")));
		} else {
			ASSERT_TRUE(json_is_false(json_object_get(v, "observed")));
			ASSERT_EQ_INT(nSeen, nTrue);
		}
		scn_drill_free(d);
	}
	json_decref(pLastFleet);
	pLastFleet = NULL;
	ky_err err = { 0 };
	scn_drill_opts o = { .bCheckOnly = 1 };
	const char *zBad = write_scenario("bad", ", visibility = \"everything\"");
	ASSERT_TRUE(scn_drill_open(zBad, &o, &err) == NULL);
	ASSERT_CONTAINS(err.zMsg, "visibility 'everything' (known: observed, truth)");
}

static json_t *pLastResult;
static void keep_result(void *ctx, eng_time_t t, const char *kind, const char *subject, json_t *detail) {
	(void)ctx, (void)t, (void)subject;
	if (strcmp(kind, "action.result") != 0) return;
	json_decref(pLastResult);
	pLastResult = json_deep_copy(json_object_get(detail, "result"));
}

/* issue 18: a scenario answers an action (a contact with the mobile network operator) with what the team observes. */
TEST(an_action_handler_can_say_what_the_team_observes) {
	char z[600];
	snprintf(z, sizeof z, "%s/contact.lua", ky_test_tmpdir());
	FILE *f = fopen(z, "w");
	fputs("scenario { id = \"c\", title = \"C\", duration = \"1h\" }\n"
	      "teams { { id = \"vsoc\", name = \"VSOC\" } }\n"
	      "fleet { { model = \"Sedan-A\", count = 100, region = \"JP-Kanto\", ecus = { tcu = \"2.3.1\" } } }\n"
	      "on(\"action\", function(a)\n"
	      "  if a.kind == \"contact\" and a.args.party == \"mno\" then return { text = \"SMS sender blocked\", effective = true } end\n"
	      "  if a.kind == \"block_indicator\" then return { note = \"seen \" .. a.result.matched } end\n"
	      "end)\n", f);
	fclose(f);
	ky_err err = { 0 };
	scn_observer obs = { .on_event = keep_result };
	scn_drill_opts o = { .pObs = &obs };
	scn_drill *d = scn_drill_open(z, &o, &err);
	if (!d) ky_test_fail(__FILE__, __LINE__, "open: %s", err.zMsg);
	ASSERT_EQ_INT(scn_drill_advance_to(d, ENG_S(600), &err), 0);
	json_t *a = J("{\"party\":\"mno\",\"request\":\"block SMS from +81-90-0000-0000\"}");
	ASSERT_EQ_INT(scn_drill_action(d, "vsoc", NULL, "contact", a, NULL, NULL, &err), 0);
	ASSERT_EQ_STR(json_string_value(json_object_get(pLastResult, "text")), "SMS sender blocked");
	ASSERT_TRUE(json_is_true(json_object_get(pLastResult, "effective")));
	json_decref(a);
	a = J("{\"value\":\"198.51.100.1\"}");
	ASSERT_EQ_INT(scn_drill_action(d, "vsoc", NULL, "block_indicator", a, NULL, NULL, &err), 0);
	ASSERT_EQ_STR(json_string_value(json_object_get(pLastResult, "note")), "seen 0");  /* merged into the world's result */
	ASSERT_EQ_INT(json_integer_value(json_object_get(pLastResult, "matched")), 0);
	json_decref(a);
	json_decref(pLastResult);
	pLastResult = NULL;
	scn_drill_free(d);
}
