/* Organisations in a drill (scenarios/share.c, the scope of team actions through the drill): the TLP delivery of a
 * share across orgs, relays, ingestion by the recipients' orgs, refusals recorded as refused, the per-org summary and
 * determinism; the national drill shipped in scenarios/. Run from the source tree's root (tests/run.sh does). */
#include "tests/c/ky_test.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/time.h"
#include "scenarios/drill.h"
#include "vehicles/world.h"

#define SMALL "tests/data/scn/orgs_small.lua"
#define MIN(x) ENG_S(60 * (x))

/* The events seen (kind, subject, detail), kept for inspection. */
typedef struct rec {
	json_t *events;  /* [{"t","kind","subject","detail"}] */
} rec;

static void r_event(void *ctx, eng_time_t t, const char *kind, const char *subject, json_t *detail) {
	rec *r = ctx;
	json_array_append_new(r->events, json_pack("{s:I,s:s,s:s,s:O?}", "t", (json_int_t)t, "kind", kind, "subject", subject,
	                                           "detail", detail));
}

static scn_drill *open_small(rec *r, const char *zPath) {
	scn_observer obs = { .ctx = r, .on_event = r_event };
	scn_drill_opts o = { .pObs = &obs };
	ky_err err = { 0 };
	r->events = json_array();
	scn_drill *d = scn_drill_open(zPath, &o, &err);
	if (!d) ky_test_fail(__FILE__, __LINE__, "open %s: %s", zPath, err.zMsg);
	return d;
}

static void close_small(scn_drill *d, rec *r) {
	scn_drill_free(d);
	json_decref(r->events);
}

static json_t *J(const char *z) {
	json_error_t e;
	json_t *j = json_loads(z, 0, &e);
	if (!j) ky_test_fail(__FILE__, __LINE__, "bad test JSON: %s: %s", z, e.text);
	return j;
}

/* Takes an action; returns its rc (the world's refusal keeps its seq, in *pSeq). */
static int act(scn_drill *d, const char *zTeam, const char *zKind, const char *zArgs, int64_t *pSeq, ky_err *err) {
	json_t *a = J(zArgs);
	memset(err, 0, sizeof *err);
	int rc = scn_drill_action(d, zTeam, NULL, zKind, a, NULL, pSeq, err);
	json_decref(a);
	return rc;
}

/* The teams whose backlog holds a message from zFrom with text zText. */
static void holders(scn_drill *d, const char *zFrom, const char *zText, char *zOut, size_t n) {
	static const char *azTeam[] = { "a1", "a2", "b1", "b2", "sup", "isac1", "reg1" };
	zOut[0] = 0;
	for (size_t k = 0; k < sizeof azTeam / sizeof azTeam[0]; k++) {
		json_t *b = scn_drill_backlog_json(d, azTeam[k]), *m;
		size_t i;
		int bHas = 0;
		json_array_foreach(b, i, m) {
			bHas |= !strcmp(json_string_value(json_object_get(m, "type")), "message") &&
			        !strcmp(json_string_value(json_object_get(m, "from")), zFrom) &&
			        !strcmp(json_string_value(json_object_get(m, "text")), zText);
		}
		json_decref(b);
		if (bHas) snprintf(zOut + strlen(zOut), n - strlen(zOut), "%s%s", zOut[0] ? " " : "", azTeam[k]);
	}
}

TEST(a_share_reaches_whom_its_tlp_allows_across_orgs) {
	/* sender a1 (oem_a): to a team of its own org, of another org, the ISAC's, and "all", under every TLP */
	static const struct { const char *zTo, *zTlp, *zWant; } aCase[] = {
		{ "a2", "red", "a2" },        { "a2", "amber", "a2" },       { "a2", "green", "a2" },       { "a2", "clear", "a2" },
		{ "b1", "red", "b1" },        { "b1", "amber", "b1 b2" },    { "b1", "green", "b1" },       { "b1", "clear", "b1" },
		{ "isac1", "red", "isac1" },  { "isac1", "amber", "isac1" }, { "isac1", "green", "isac1" }, { "isac1", "clear", "isac1" },
		{ "all", "amber", "a2" },     { "all", "amber+strict", "a2" },
		{ "all", "green", "a2 b1 b2 sup isac1" },                   /* the community: not the regulator */
		{ "all", "clear", "a2 b1 b2 sup isac1 reg1" },
	};
	rec r;
	scn_drill *d = open_small(&r, SMALL);
	ky_err err;
	ASSERT_EQ_INT(scn_drill_advance_to(d, MIN(1), &err), 0);
	for (size_t k = 0; k < sizeof aCase / sizeof aCase[0]; k++) {
		char zArgs[256], zText[64], zGot[128];
		snprintf(zText, sizeof zText, "case %zu", k);
		snprintf(zArgs, sizeof zArgs, "{\"to\":\"%s\",\"tlp\":\"%s\",\"text\":\"%s\"}", aCase[k].zTo, aCase[k].zTlp, zText);
		ASSERT_EQ_INT(act(d, "a1", "share", zArgs, NULL, &err), 0);
		holders(d, "a1", zText, zGot, sizeof zGot);
		if (strcmp(zGot, aCase[k].zWant) != 0)
			ky_test_fail(__FILE__, __LINE__, "share to %s tlp %s: received by '%s', want '%s'", aCase[k].zTo, aCase[k].zTlp, zGot,
			             aCase[k].zWant);
	}
	/* TLP:RED to "all" is refused before it takes a seq */
	int64_t seq = -1;
	ASSERT_EQ_INT(act(d, "a1", "share", "{\"to\":\"all\",\"tlp\":\"red\",\"text\":\"x\"}", &seq, &err), KY_EINVAL);
	ASSERT_EQ_INT(seq, 0);
	/* every share is journaled with its TLP, sender, org and recipients */
	size_t i;
	json_t *e;
	int nShare = 0;
	json_array_foreach(r.events, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "kind")), "share") != 0) continue;
		json_t *det = json_object_get(e, "detail");
		ASSERT_EQ_STR(json_string_value(json_object_get(det, "from_org")), "oem_a");
		ASSERT_TRUE(json_is_array(json_object_get(det, "recipients")));
		ASSERT_TRUE(json_is_string(json_object_get(det, "tlp")));
		nShare++;
	}
	ASSERT_EQ_INT(nShare, 16);
	close_small(d, &r);
}

TEST(a_notify_to_an_organisation_reaches_its_teams_and_no_one_else) {
	rec r;
	scn_drill *d = open_small(&r, SMALL);
	ky_err err;
	char zGot[128];
	ASSERT_EQ_INT(scn_drill_advance_to(d, MIN(1), &err), 0);
	ASSERT_EQ_INT(act(d, "a1", "notify", "{\"party\":\"reg\",\"stage\":\"initial\",\"text\":\"n reg\"}", NULL, &err), 0);
	ASSERT_EQ_INT(act(d, "b1", "notify", "{\"party\":\"isac\",\"stage\":\"detailed\",\"text\":\"n isac\"}", NULL, &err), 0);
	ASSERT_EQ_INT(act(d, "a1", "notify", "{\"party\":\"ppc\",\"text\":\"n ppc\"}", NULL, &err), 0);  /* not an org */
	holders(d, "a1", "n reg", zGot, sizeof zGot);
	ASSERT_EQ_STR(zGot, "reg1");
	holders(d, "b1", "n isac", zGot, sizeof zGot);
	ASSERT_EQ_STR(zGot, "isac1");
	holders(d, "a1", "n ppc", zGot, sizeof zGot);
	ASSERT_EQ_STR(zGot, "");
	json_t *b = scn_drill_backlog_json(d, "isac1"), *m, *pFound = NULL;
	size_t i;
	json_array_foreach(b, i, m) if (json_object_get(m, "notify")) pFound = m;
	ASSERT_TRUE(pFound != NULL);
	ASSERT_EQ_STR(json_string_value(json_object_get(json_object_get(pFound, "notify"), "stage")), "detailed");
	ASSERT_EQ_STR(json_string_value(json_object_get(pFound, "from_org")), "oem_b");
	ASSERT_EQ_STR(json_string_value(json_object_get(pFound, "tlp")), "amber");
	json_decref(b);
	/* a notify the world refuses (an unknown party) delivers nothing */
	ASSERT_TRUE(act(d, "a1", "notify", "{\"party\":\"nobody\",\"text\":\"n bad\"}", NULL, &err) != 0);
	holders(d, "a1", "n bad", zGot, sizeof zGot);
	ASSERT_EQ_STR(zGot, "");
	close_small(d, &r);
}

/* The time of the first c2.blocked event for org, -1 if none. */
static eng_time_t blocked_at(const rec *r, const char *zOrg) {
	size_t i;
	json_t *e;
	json_array_foreach(r->events, i, e) {
		json_t *det = json_object_get(e, "detail");
		if (!strcmp(json_string_value(json_object_get(e, "kind")), "c2.blocked") &&
		    !strcmp(json_string_value(json_object_get(det, "org")), zOrg))
			return json_integer_value(json_object_get(e, "t"));
	}
	return -1;
}

TEST(ingest_blocks_exactly_its_delay_after_the_share_and_never_from_a_red_one) {
	rec r;
	ky_err err;
	/* a TLP:RED share to oem_b's team: no ingestion */
	scn_drill *d = open_small(&r, SMALL);
	ASSERT_EQ_INT(scn_drill_advance_to(d, MIN(20), &err), 0);
	ASSERT_EQ_INT(act(d, "isac1", "share", "{\"to\":\"b1\",\"tlp\":\"red\",\"text\":\"c2\",\"indicators\":[\"203.0.113.9\"]}",
	                  NULL, &err), 0);
	ASSERT_EQ_INT(scn_drill_advance_to(d, ENG_S(3 * 3600), &err), 0);
	ASSERT_EQ_INT(blocked_at(&r, "oem_b"), -1);
	close_small(d, &r);
	/* the same share TLP:AMBER: oem_b blocks 30 minutes later, to the microsecond; oem_a (no ingest) never */
	d = open_small(&r, SMALL);
	ASSERT_EQ_INT(scn_drill_advance_to(d, MIN(20) + 7, &err), 0);
	ASSERT_EQ_INT(act(d, "isac1", "share", "{\"to\":\"b1\",\"tlp\":\"amber\",\"text\":\"c2\",\"indicators\":[\"bad.example.org\"]}",
	                  NULL, &err), 0);
	ASSERT_EQ_INT(act(d, "isac1", "share", "{\"to\":\"a1\",\"tlp\":\"green\",\"text\":\"c2\",\"indicators\":[\"203.0.113.9\"]}",
	                  NULL, &err), 0);
	ASSERT_EQ_INT(scn_drill_advance_to(d, MIN(50) + 6, &err), 0);
	ASSERT_EQ_INT(blocked_at(&r, "oem_b"), -1);
	ASSERT_EQ_INT(scn_drill_advance_to(d, ENG_S(3 * 3600), &err), 0);
	ASSERT_EQ_INT(blocked_at(&r, "oem_b"), MIN(50) + 7);
	ASSERT_EQ_INT(blocked_at(&r, "oem_a"), -1);
	/* from then on oem_b's compromised cars leak nothing more; oem_a's go on */
	json_t *s = scn_drill_summary_json(d);
	json_t *orgs = json_object_get(s, "orgs");
	ASSERT_EQ_INT(json_integer_value(json_object_get(json_object_get(s, "sharing"), "ingests")), 1);
	ASSERT_LT(json_integer_value(json_object_get(json_object_get(orgs, "oem_b"), "records_exfiltrated")),
	          json_integer_value(json_object_get(json_object_get(orgs, "oem_a"), "records_exfiltrated")));
	json_decref(s);
	close_small(d, &r);
}

TEST(a_relay_passes_a_report_on_only_within_its_tlp) {
	rec r;
	ky_err err;
	int64_t s1, s2, s3, seq;
	scn_drill *d = open_small(&r, SMALL);
	ASSERT_EQ_INT(scn_drill_advance_to(d, MIN(15), &err), 0);
	ASSERT_EQ_INT(act(d, "a1", "share", "{\"to\":\"isac1\",\"tlp\":\"green\",\"text\":\"r1\",\"indicators\":[\"203.0.113.9\"]}", &s1, &err), 0);
	ASSERT_EQ_INT(act(d, "a1", "share", "{\"to\":\"isac1\",\"tlp\":\"amber\",\"text\":\"r2\"}", &s2, &err), 0);
	ASSERT_EQ_INT(act(d, "a1", "share", "{\"to\":\"isac1\",\"tlp\":\"red\",\"text\":\"r3\"}", &s3, &err), 0);
	char z[160];
	/* the ISAC fans the GREEN report out to every member, with its indicators: oem_b ingests them */
	snprintf(z, sizeof z, "{\"to\":\"all\",\"tlp\":\"green\",\"text\":\"fan-out\",\"relay\":%lld}", (long long)s1);
	ASSERT_EQ_INT(act(d, "isac1", "share", z, &seq, &err), 0);
	json_t *b = scn_drill_backlog_json(d, "b2"), *m = json_array_get(b, json_array_size(b) - 1);
	ASSERT_EQ_STR(json_string_value(json_object_get(m, "text")), "fan-out");
	ASSERT_EQ_INT(json_integer_value(json_object_get(json_object_get(m, "relay_of"), "seq")), s1);
	ASSERT_EQ_STR(json_string_value(json_object_get(json_object_get(m, "relay_of"), "from")), "a1");
	ASSERT_EQ_STR(json_string_value(json_array_get(json_object_get(m, "indicators"), 0)), "203.0.113.9");
	json_decref(b);
	/* the AMBER one only with AMBER or stricter, the RED one never, a report not received never */
	snprintf(z, sizeof z, "{\"to\":\"all\",\"tlp\":\"green\",\"text\":\"x\",\"relay\":%lld}", (long long)s2);
	ASSERT_EQ_INT(act(d, "isac1", "share", z, &seq, &err), KY_EINVAL);
	ASSERT_LT(0, seq);  /* refused by the drill at apply: stored, with the error in its record */
	ASSERT_CONTAINS(err.zMsg, "'green' is weaker than the relayed share's 'amber'");
	snprintf(z, sizeof z, "{\"to\":\"b1\",\"tlp\":\"red\",\"text\":\"x\",\"relay\":%lld}", (long long)s3);
	ASSERT_EQ_INT(act(d, "isac1", "share", z, &seq, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "is TLP:RED");
	snprintf(z, sizeof z, "{\"to\":\"all\",\"tlp\":\"green\",\"text\":\"x\",\"relay\":%lld}", (long long)s1);
	ASSERT_EQ_INT(act(d, "b1", "share", z, &seq, &err), KY_ENOENT);
	ASSERT_CONTAINS(err.zMsg, "team b1 received no share with seq");
	json_t *s = scn_drill_summary_json(d);
	ASSERT_EQ_INT(json_integer_value(json_object_get(json_object_get(s, "actions"), "refused")), 3);
	ASSERT_EQ_INT(json_integer_value(json_object_get(json_object_get(s, "sharing"), "relays")), 1);
	json_decref(s);
	close_small(d, &r);
}

TEST(a_cross_org_action_is_refused_recorded_and_counted) {
	rec r;
	ky_err err;
	int64_t seq = 0;
	scn_drill *d = open_small(&r, SMALL);
	ASSERT_EQ_INT(scn_drill_advance_to(d, MIN(30), &err), 0);
	ASSERT_EQ_INT(act(d, "a1", "isolate_service", "{\"name\":\"telematics\",\"org\":\"oem_b\"}", &seq, &err), KY_EINVAL);
	ASSERT_LT(0, seq);
	ASSERT_CONTAINS(err.zMsg, "'oem_b' is another organisation's (team a1 acts for oem_a only)");
	ASSERT_EQ_INT(act(d, "a2", "revoke_certificate", "{\"scope\":{\"model\":\"B-SUV\"}}", &seq, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "matches only cars of oem_b");
	ASSERT_EQ_INT(act(d, "isac1", "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"4.0.0\"}", &seq, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "organisation isac is a isac without cars");
	ASSERT_EQ_INT(act(d, "a1", "isolate_service", "{\"name\":\"telematics\"}", &seq, &err), 0);  /* its own */
	/* the refusals are in the journal's action.error events, naming the org */
	size_t i;
	json_t *e;
	int nErr = 0;
	json_array_foreach(r.events, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "kind")), "action.error") != 0) continue;
		nErr++;
		ASSERT_TRUE(json_is_string(json_object_get(json_object_get(e, "detail"), "error")));
	}
	ASSERT_EQ_INT(nErr, 3);
	json_t *s = scn_drill_summary_json(d);
	ASSERT_EQ_INT(json_integer_value(json_object_get(json_object_get(s, "actions"), "refused")), 3);
	ASSERT_EQ_INT(json_integer_value(json_object_get(json_object_get(s, "actions"), "applied")), 1);
	json_t *fleet = json_object_get(s, "fleet"), *orgs = json_object_get(s, "orgs");
	ASSERT_EQ_STR(json_string_value(json_object_get(json_object_get(json_object_get(orgs, "oem_a"), "services"), "telematics")), "down");
	ASSERT_EQ_STR(json_string_value(json_object_get(json_object_get(json_object_get(orgs, "oem_b"), "services"), "telematics")), "up");
	ASSERT_EQ_STR(json_string_value(json_object_get(json_object_get(fleet, "services"), "telematics")), "down");
	json_decref(s);
	close_small(d, &r);
}

TEST(the_summary_per_org_sums_to_the_totals_and_is_determined_by_the_seed) {
	rec r;
	ky_err err;
	char h[3][65];
	json_t *sums[3];
	for (int k = 0; k < 3; k++) {
		scn_observer obs = { .ctx = &r, .on_event = r_event };
		scn_drill_opts o = { .pObs = &obs, .seed = k == 2 ? 6 : 5, .bSeed = 1 };
		r.events = json_array();
		scn_drill *d = scn_drill_open(SMALL, &o, &err);
		ASSERT_TRUE(d != NULL);
		ASSERT_EQ_INT(scn_drill_advance_to(d, MIN(40), &err), 0);
		act(d, "a1", "block_indicator", "{\"value\":\"203.0.113.9\"}", NULL, &err);
		act(d, "isac1", "share", "{\"to\":\"all\",\"tlp\":\"green\",\"text\":\"c2\",\"indicators\":[\"203.0.113.9\"]}", NULL, &err);
		act(d, "b2", "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"4.0.0\",\"rollout\":1}", NULL, &err);
		ASSERT_EQ_INT(scn_drill_advance_to(d, scn_drill_duration(d), &err), 0);
		sums[k] = scn_drill_summary_json(d);
		snprintf(h[k], sizeof h[k], "%s", json_string_value(json_object_get(sums[k], "state_hash")));
		close_small(d, &r);
	}
	ASSERT_EQ_STR(h[0], h[1]);
	ASSERT_TRUE(strcmp(h[0], h[2]) != 0);
	json_t *fleet = json_object_get(sums[0], "fleet"), *orgs = json_object_get(sums[0], "orgs");
	ASSERT_EQ_INT(json_object_size(orgs), 5);
	static const char *azKey[] = { "total", "compromised", "patched", "offline", "records_exfiltrated", "revoked",
		                           "checkins", "alerts", "incidents", "compromised_car_hours" };
	for (size_t k = 0; k < sizeof azKey / sizeof azKey[0]; k++) {
		double sum = 0;
		const char *zOrg;
		json_t *v;
		json_object_foreach(orgs, zOrg, v) sum += json_number_value(json_object_get(v, azKey[k]));
		ASSERT_NEAR(sum, json_number_value(json_object_get(fleet, azKey[k])), 1e-6 * (1 + sum));
	}
	ASSERT_LT(0, json_integer_value(json_object_get(json_object_get(orgs, "oem_b"), "patched")));
	ASSERT_EQ_INT(json_integer_value(json_object_get(json_object_get(orgs, "oem_a"), "patched")), 0);
	for (int k = 0; k < 3; k++) json_decref(sums[k]);
}

TEST(orgs_and_team_orgs_are_checked_in_the_scenario_file) {
	static const struct { const char *zLua, *zMsg; } aBad[] = {
		{ "teams { { id = 'a', org = 'oem_a' } }", "teams[1]: org: this drill declares no organisations" },
		{ "orgs { { id = 'oem_a', kind = 'oem' } } teams { { id = 'a' } }", "teams[1]: org: required" },
		{ "orgs { { id = 'oem_a', kind = 'oem' } } teams { { id = 'a', org = 'oem_x' } }",
		  "unknown organisation 'oem_x' (known: oem_a)" },
		{ "teams { { id = 'a' } } orgs { { id = 'oem_a', kind = 'oem' } }", "orgs: declare the organisations before the teams" },
		{ "orgs { { id = 'oem_a', kind = 'bank' } }", "orgs[1]: oem_a: kind: unknown kind 'bank'" },
		{ "orgs { { id = 'oem_a', kind = 'oem' }, { id = 'i', kind = 'isac' } } teams { { id = 'a', org = 'oem_a' } } "
		  "fleet { { model = 'X', count = 5, org = 'i' } }", "fleet: X: org: 'i' is a isac, only an oem owns cars" },
	};
	for (size_t k = 0; k < sizeof aBad / sizeof aBad[0]; k++) {
		char zPath[512], zSrc[1024];
		snprintf(zPath, sizeof zPath, "%s/bad%zu.lua", ky_test_tmpdir(), k);
		snprintf(zSrc, sizeof zSrc, "scenario { id = 'x', title = 'x', duration = '1h' }\n%s\n"
		         "fleet { { model = 'M', count = 5, org = 'oem_a' } }\n", aBad[k].zLua);
		FILE *f = fopen(zPath, "w");
		fputs(zSrc, f);
		fclose(f);
		scn_drill_opts o = { .bCheckOnly = 1 };
		ky_err err = { 0 };
		scn_drill *d = scn_drill_open(zPath, &o, &err);
		ASSERT_TRUE(d == NULL);
		ASSERT_CONTAINS(err.zMsg, aBad[k].zMsg);
		ASSERT_CONTAINS(err.zMsg, ":2: ");  /* FILE:LINE */
	}
}

/* The national drill's good script, with or without one team's actions; the summary (new ref). */
static json_t *national(const char *zWithout) {
	rec r;
	ky_err err;
	scn_drill *d = open_small(&r, "scenarios/national-relay.lua");
	FILE *f = fopen("scenarios/national-relay.good.jsonl", "r");
	ASSERT_TRUE(f != NULL);
	char buf[4096];
	while (fgets(buf, sizeof buf, f)) {  /* the script is in time order */
		json_t *a = J(buf);
		const char *zTeam = json_string_value(json_object_get(a, "team"));
		eng_time_t t;
		ASSERT_EQ_INT(eng_time_parse(json_string_value(json_object_get(a, "t")), &t, &err), 0);
		ASSERT_EQ_INT(scn_drill_advance_to(d, t, &err), 0);
		if (!zWithout || strcmp(zTeam, zWithout) != 0) {
			int64_t seq = 0;
			int rc = scn_drill_action(d, zTeam, NULL, json_string_value(json_object_get(a, "kind")), json_object_get(a, "args"),
			                          NULL, &seq, &err);
			if (rc && !zWithout) ky_test_fail(__FILE__, __LINE__, "good script: %s refused: %s", zTeam, err.zMsg);
		}
		json_decref(a);
	}
	fclose(f);
	ASSERT_EQ_INT(scn_drill_advance_to(d, scn_drill_duration(d), &err), 0);
	json_t *s = scn_drill_summary_json(d);
	close_small(d, &r);
	return s;
}

static double org_num(json_t *s, const char *zOrg, const char *zKey) {
	return json_number_value(json_object_get(json_object_get(json_object_get(s, "orgs"), zOrg), zKey));
}

TEST(in_the_national_drill_the_isacs_relay_keeps_the_other_makers_from_being_hit) {
	json_t *good = national(NULL), *noIsac = national("isac_soc");
	/* with the relay: oem_b ingests, oem_c blocks on the advisory; neither has a compromised car-hour */
	ASSERT_EQ_INT(org_num(good, "oem_b", "compromised_car_hours"), 0);
	ASSERT_EQ_INT(org_num(good, "oem_c", "compromised_car_hours"), 0);
	ASSERT_EQ_INT(json_integer_value(json_object_get(json_object_get(good, "actions"), "refused")), 0);
	ASSERT_EQ_INT(json_integer_value(json_object_get(json_object_get(good, "sharing"), "relays")), 1);
	/* without the ISAC's actions oem_b is hit: car-hours compromised and records leaked */
	ASSERT_LT(100, org_num(noIsac, "oem_b", "compromised_car_hours"));
	ASSERT_LT(1000, org_num(noIsac, "oem_b", "records_exfiltrated"));
	ASSERT_LT(json_number_value(json_object_get(json_object_get(good, "fleet"), "records_exfiltrated")),
	          json_number_value(json_object_get(json_object_get(noIsac, "fleet"), "records_exfiltrated")));
	/* oem_a's outcome does not depend on the ISAC: it was hit first and acted itself */
	ASSERT_NEAR(org_num(good, "oem_a", "compromised_car_hours"), org_num(noIsac, "oem_a", "compromised_car_hours"), 20);
	json_decref(good);
	json_decref(noIsac);
}
