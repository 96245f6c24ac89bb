/* Organisations in the world (vehicles/org.c, the scope rules of vehicles/action.c): per-org selectors against a
 * brute-force reference, cross-org refusals for every world-changing action kind, gateways and backends per org,
 * attacks that span orgs only along their path, ingest, per-org metrics against the totals, determinism and
 * snapshots (KYW3) with orgs. */
#include "tests/c/ky_test.h"

#include <stdlib.h>

#include "engine/sim.h"
#include "vehicles/action.h"
#include "vehicles/world.h"
#include "vehicles/worldInt.h"

#define MIN(x) ENG_S(60 * (x))
#define HOUR(x) ENG_S(3600 * (x))

typedef struct box {
	eng_sim *sim;
	veh_world *w;
} box;

/* The facts seen, with their org (detail.org) and time. */
static int nFact;
static struct { char zKind[32], zOrg[33]; eng_time_t t; } aFact[256];
static void fact_sink(void *ctx, eng_time_t t, const char *kind, const char *subject, json_t *detail) {
	(void)ctx, (void)subject;
	if (nFact < 256) {
		snprintf(aFact[nFact].zKind, sizeof aFact[0].zKind, "%s", kind);
		const char *zOrg = json_string_value(json_object_get(detail, "org"));
		snprintf(aFact[nFact].zOrg, sizeof aFact[0].zOrg, "%s", zOrg ? zOrg : "");
		aFact[nFact].t = t;
	}
	nFact++;
}
/* Time of the first fact of kind for org, -1 if none. */
static eng_time_t fact_time(const char *kind, const char *zOrg) {
	for (int i = 0; i < nFact && i < 256; i++)
		if (!strcmp(aFact[i].zKind, kind) && !strcmp(aFact[i].zOrg, zOrg)) return aFact[i].t;
	return -1;
}

static json_t *J(const char *z) {
	json_error_t e;
	json_t *j = json_loads(z, 0, &e);
	if (!j) ky_test_fail(__FILE__, __LINE__, "bad test JSON: %s: %s", z, e.text);
	return j;
}

static void add(box b, int (*fn)(veh_world *, json_t *, ky_err *), const char *z) {
	ky_err err = { 0 };
	json_t *j = J(z);
	int rc = fn(b.w, j, &err);
	json_decref(j);
	if (rc) ky_test_fail(__FILE__, __LINE__, "adding %s: %s", z, err.zMsg);
}

/* With gDeclare, make_orgs also declares oem_b's dealer management system "dms" and its credential "b-dms-sync". */
static int gDeclare;

/* oem_a: 1000 Sedan-A (tcu 2.3.1, JP-Kanto), ingest 30 min; oem_b: 800 SUV-B (tcu 2.3.1, JP-Kansai) and 200 Kei-C
 * (tcu 2.5.0, JP-Kanto); tier1 (supplier) and isac without cars. The supplier's modem stack is in tcu 2.3.1 of both
 * OEMs. Everything online, no churn. */
static box make_orgs(uint64_t seed, const char *zParams) {
	box b;
	ky_err err = { 0 };
	b.sim = eng_sim_new(seed);
	b.w = veh_world_new(b.sim, &err);
	ASSERT_TRUE(b.w != NULL);
	json_t *p = J(zParams ? zParams : "{\"offline.fraction\":0}");
	ASSERT_EQ_INT(veh_world_set_params(b.w, p, &err), 0);
	json_decref(p);
	add(b, veh_world_add_org, "{\"id\":\"oem_a\",\"name\":\"OEM A\",\"kind\":\"oem\",\"ingest\":\"30m\"}");
	add(b, veh_world_add_org, "{\"id\":\"oem_b\",\"kind\":\"oem\"}");
	add(b, veh_world_add_org, "{\"id\":\"tier1\",\"kind\":\"supplier\"}");
	add(b, veh_world_add_org, "{\"id\":\"isac\",\"kind\":\"isac\"}");
	add(b, veh_world_add_cohort, "{\"model\":\"Sedan-A\",\"count\":1000,\"region\":\"JP-Kanto\",\"org\":\"oem_a\",\"online\":1,"
	                             "\"ecus\":{\"tcu\":\"2.3.1\",\"gw\":\"1.4.0\"}}");
	add(b, veh_world_add_cohort, "{\"model\":\"SUV-B\",\"count\":800,\"region\":\"JP-Kansai\",\"org\":\"oem_b\",\"online\":1,"
	                             "\"ecus\":{\"tcu\":\"2.3.1\",\"gw\":\"1.4.0\"}}");
	add(b, veh_world_add_cohort, "{\"model\":\"Kei-C\",\"count\":200,\"region\":\"JP-Kanto\",\"org\":\"oem_b\",\"online\":1,"
	                             "\"ecus\":{\"tcu\":\"2.5.0\"}}");
	add(b, veh_world_add_sbom, "{\"tcu\":{\"2.3.1\":[\"modem-stack@4.2.0\",\"openssl@1.1.1k\"],\"2.5.0\":[\"openssl@3.0.8\"]}}");
	if (gDeclare) {
		add(b, veh_world_add_service, "{\"id\":\"dms\",\"org\":\"oem_b\",\"customers\":500}");
		add(b, veh_world_add_credential, "{\"id\":\"b-dms-sync\",\"kind\":\"service_account\",\"held_by\":\"oem_b\","
		                                 "\"reaches\":[\"dms\",\"telematics\"]}");
	}
	veh_world_set_fact_sink(b.w, fact_sink, NULL);
	nFact = 0;
	ASSERT_EQ_INT(veh_world_start(b.w, &err), 0);
	return b;
}

static void free_box(box b) {
	veh_world_free(b.w);
	eng_sim_free(b.sim);
}

static long long call_int(box b, const char *verb, const char *args) {
	ky_err err = { 0 };
	json_t *a = J(args), *r = NULL;
	int rc = veh_world_call(b.w, verb, a, &r, &err);
	json_decref(a);
	if (rc) ky_test_fail(__FILE__, __LINE__, "%s failed: %s", verb, err.zMsg);
	long long v = json_is_integer(r) ? json_integer_value(r) : -1;
	json_decref(r);
	return v;
}

/* An action of team zTeam of org zOrg; returns its rc, the result (new ref or NULL) in *pRes, the message in err. */
static int act_as(box b, const char *zOrg, const char *kind, const char *args, json_t **pRes, ky_err *err) {
	json_t *a = J(args), *r = NULL;
	memset(err, 0, sizeof *err);
	int rc = veh_world_action_as(b.w, "t", zOrg, kind, a, &r, err);
	json_decref(a);
	if (pRes) *pRes = r;
	else json_decref(r);
	return rc;
}

static veh_metrics org_metrics(box b, const char *zOrg) {
	veh_metrics m;
	ASSERT_EQ_INT(veh_world_org_metrics(b.w, zOrg, &m), 0);
	return m;
}

TEST(org_selectors_agree_with_a_brute_force_reference) {
	box b = make_orgs(5, "{\"offline.fraction\":0.2}");
	ky_err err = { 0 };
	call_int(b, "attack.compromise", "{\"fraction\":0.3}");
	eng_sim_run_until(b.sim, MIN(30));
	static const char *azOrg[] = { NULL, "oem_a", "oem_b", "tier1" }, *azModel[] = { NULL, "Sedan-A", "Kei-C" };
	static const char *azRegion[] = { NULL, "JP-Kanto" }, *azState[] = { NULL, "compromised", "offline", "clean" };
	int nChecked = 0;
	for (int o = 0; o < 4; o++)
		for (int m = 0; m < 3; m++)
			for (int r = 0; r < 2; r++)
				for (int s = 0; s < 4; s++)
					for (int bList = 0; bList < 2; bList++) {
						json_t *sel = json_object();
						if (azOrg[o] && bList) json_object_set_new(sel, "org", json_pack("[ss]", azOrg[o], "isac"));
						else if (azOrg[o]) json_object_set_new(sel, "org", json_string(azOrg[o]));
						if (azModel[m]) json_object_set_new(sel, "model", json_string(azModel[m]));
						if (azRegion[r]) json_object_set_new(sel, "region", json_string(azRegion[r]));
						if (azState[s]) json_object_set_new(sel, "state", json_string(azState[s]));
						json_t *res = NULL;
						ASSERT_EQ_INT(veh_world_call(b.w, "fleet.count", sel, &res, &err), 0);
						long long n = 0;
						const veh_fleet *f = &b.w->f;
						for (uint32_t i = 0; i < f->n; i++) {
							const veh_cohort *k = &f->aCoh[f->aCohort[i]];
							const char *zOrg = b.w->aOrg[k->iOrg].zId;
							int bOk = (!azOrg[o] || !strcmp(zOrg, azOrg[o])) && (!azModel[m] || !strcmp(f->azModel[k->iModel], azModel[m])) &&
							          (!azRegion[r] || !strcmp(f->azRegion[k->iRegion], azRegion[r])) &&
							          (!azState[s] || veh_car_in_state(f, i, veh_state_index(azState[s])));
							n += bOk;
						}
						if (json_integer_value(res) != n) {
							char *z = json_dumps(sel, 0);
							ky_test_fail(__FILE__, __LINE__, "selector %s: %lld != brute force %lld", z, (long long)json_integer_value(res), n);
						}
						json_decref(res);
						json_decref(sel);
						nChecked++;
					}
	ASSERT_EQ_INT(nChecked, 192);
	ASSERT_EQ_INT(call_int(b, "fleet.count", "{\"org\":\"oem_b\"}"), 1000);
	ASSERT_EQ_INT(call_int(b, "fleet.count", "{\"org\":\"isac\"}"), 0);  /* an org without cars */
	json_t *res = NULL;
	json_t *a = J("{\"org\":\"oem_z\"}");
	ASSERT_EQ_INT(veh_world_call(b.w, "fleet.count", a, &res, &err), KY_ENOENT);
	ASSERT_CONTAINS(err.zMsg, "unknown organisation 'oem_z' (known: oem_a, oem_b, tier1, isac)");
	json_decref(a);
	free_box(b);
}

/* Args for kind naming another org (oem_b) than the actor's (oem_a), as a team could write them. */
static const char *cross_args(const char *zKind, int iVariant) {
	static const struct { const char *zKind, *azArgs[3]; } a[] = {
		{ "isolate_service", { "{\"name\":\"telematics\",\"org\":\"oem_b\"}", "{\"name\":\"dms\"}", NULL } },
		{ "restore_service", { "{\"name\":\"ota\",\"org\":\"oem_b\"}", NULL, NULL } },
		{ "revoke_certificate", { "{\"scope\":{\"org\":\"oem_b\"}}", "{\"scope\":{\"model\":\"SUV-B\"}}",
		                          "{\"scope\":{\"select\":{\"model\":[\"SUV-B\",\"Kei-C\"]}}}" } },
		{ "ota_campaign", { "{\"select\":{\"org\":\"oem_b\"},\"ecu\":\"tcu\",\"version\":\"2.6.0\"}",
		                    "{\"select\":{\"model\":\"Kei-C\"},\"ecu\":\"tcu\",\"version\":\"2.6.0\"}", NULL } },
		{ "disable_feature", { "{\"feature\":\"remote_start\",\"select\":{\"org\":[\"oem_a\",\"oem_b\"]}}",
		                       "{\"feature\":\"remote_start\",\"select\":{\"region\":\"JP-Kansai\"}}", NULL } },
		{ "pause_ota_campaign", { "{\"campaign\":1}", "{\"campaign\":1,\"org\":\"oem_b\"}", NULL } },  /* oem_b's campaign */
		{ "resume_ota_campaign", { "{\"campaign\":1}", NULL, NULL } },
		{ "rotate_credential", { "{\"credential\":\"b-dms-sync\"}", NULL, NULL } },  /* oem_b's own account */
		{ "recall", { "{\"select\":{\"org\":\"oem_b\"},\"ecu\":\"tcu\",\"version\":\"2.6.0\"}",
		              "{\"select\":{\"model\":\"Kei-C\"},\"ecu\":\"tcu\",\"version\":\"2.6.0\"}", NULL } },
	};
	for (size_t k = 0; k < sizeof a / sizeof a[0]; k++)
		if (!strcmp(a[k].zKind, zKind)) return a[k].azArgs[iVariant];
	return NULL;
}

TEST(every_world_changing_kind_refuses_another_orgs_cars_or_services_naming_it) {
	int nKinds = 0;
	for (int i = 0; veh_action_at(i); i++) {
		const veh_action_info *k = veh_action_at(i);
		if (!(k->flags & VEH_ACT_WORLD) || k->scope == VEH_SCOPE_INDICATOR) continue;  /* block_indicator: below */
		ASSERT_TRUE(cross_args(k->zKind, 0) != NULL);  /* a new world-changing kind needs its case here */
		for (int v = 0; v < 3 && cross_args(k->zKind, v); v++) {
			gDeclare = 1;
			box b = make_orgs(3, NULL);
			gDeclare = 0;
			ky_err err;
			ASSERT_EQ_INT(act_as(b, "oem_b", "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"2.6.0\"}", NULL, &err), 0);
			veh_metrics m0 = org_metrics(b, "oem_b");
			char zHash0[65], zHash1[65];
			veh_world_state_hash(b.w, zHash0);
			ASSERT_EQ_INT(act_as(b, "oem_a", k->zKind, cross_args(k->zKind, v), NULL, &err), KY_EINVAL);
			ASSERT_CONTAINS(err.zMsg, "oem_b");
			ASSERT_CONTAINS(err.zMsg, "acts for oem_a only");
			veh_world_state_hash(b.w, zHash1);
			ASSERT_EQ_STR(zHash0, zHash1);  /* nothing changed */
			veh_metrics m1 = org_metrics(b, "oem_b");
			ASSERT_EQ_INT(m1.revoked, m0.revoked);
			free_box(b);
		}
		nKinds++;
	}
	ASSERT_EQ_INT(nKinds, 9);
}

TEST(a_teams_actions_touch_its_own_org_only) {
	box b = make_orgs(3, NULL);
	ky_err err;
	json_t *r = NULL;
	/* no org named: its own cars and backend */
	ASSERT_EQ_INT(act_as(b, "oem_a", "revoke_certificate", "{\"scope\":\"all\"}", &r, &err), 0);
	ASSERT_EQ_INT(json_integer_value(json_object_get(r, "cut_cars")), 1000);
	json_decref(r);
	ASSERT_EQ_INT(org_metrics(b, "oem_a").revoked, 1000);
	ASSERT_EQ_INT(org_metrics(b, "oem_b").revoked, 0);
	ASSERT_EQ_INT(act_as(b, "oem_b", "isolate_service", "{\"name\":\"app_api\"}", NULL, &err), 0);
	eng_sim_run_until(b.sim, HOUR(1));
	json_t *ma = veh_world_org_metrics_json(b.w, "oem_a"), *mb = veh_world_org_metrics_json(b.w, "oem_b");
	ASSERT_EQ_STR(json_string_value(json_object_get(json_object_get(ma, "services"), "app_api")), "up");
	ASSERT_EQ_STR(json_string_value(json_object_get(json_object_get(mb, "services"), "app_api")), "down");
	ASSERT_LT(0, json_number_value(json_object_get(mb, "service_downtime_s")));
	ASSERT_EQ_INT(json_number_value(json_object_get(ma, "service_downtime_s")), 0);
	ASSERT_EQ_INT(json_integer_value(json_object_get(ma, "remote_commands_failed")), 0);
	ASSERT_LT(0, json_integer_value(json_object_get(mb, "remote_commands_failed")));
	json_decref(ma);
	json_decref(mb);
	/* a selector that names its own org, or matches its own cars among others', is scoped to its own */
	ASSERT_EQ_INT(act_as(b, "oem_b", "disable_feature", "{\"feature\":\"location\",\"select\":{\"region\":\"JP-Kanto\"}}", &r, &err), 0);
	ASSERT_EQ_INT(json_integer_value(json_object_get(r, "affected_customers")), 200);  /* its Kei-C, not oem_a's Sedan-A */
	json_decref(r);
	ASSERT_EQ_INT(act_as(b, "oem_b", "ota_campaign", "{\"select\":{\"org\":\"oem_b\"},\"ecu\":\"tcu\",\"version\":\"2.6.0\"}", &r, &err), 0);
	ASSERT_EQ_INT(json_integer_value(json_object_get(r, "targeted")), 1000);
	json_decref(r);
	/* an org without a fleet takes only the kinds open to it */
	ASSERT_EQ_INT(act_as(b, "isac", "isolate_service", "{\"name\":\"ota\"}", NULL, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "isolate_service: organisation isac is a isac without cars");
	ASSERT_EQ_INT(act_as(b, "tier1", "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"2.6.0\"}", NULL, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "tier1 is a supplier");
	ASSERT_EQ_INT(act_as(b, "tier1", "assess", "{\"component\":\"modem-stack@4.2.0\",\"affected\":1800}", &r, &err), 0);
	ASSERT_EQ_INT(json_integer_value(json_object_get(r, "truth")), 1800);  /* a supplier sees every OEM's cars */
	ASSERT_EQ_INT(json_integer_value(json_object_get(json_object_get(r, "by_org"), "oem_b")), 800);
	json_decref(r);
	ASSERT_EQ_INT(act_as(b, "oem_a", "assess", "{\"component\":\"modem-stack@4.2.0\",\"affected\":1000}", &r, &err), 0);
	ASSERT_EQ_INT(json_integer_value(json_object_get(r, "truth")), 1000);  /* an OEM assesses its own fleet */
	json_decref(r);
	free_box(b);
}

TEST(a_block_cuts_the_c2_at_the_acting_orgs_gateway_only) {
	box b = make_orgs(9, NULL);
	ky_err err;
	ASSERT_EQ_INT(call_int(b, "attack.compromise", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"count\":200,\"c2\":\"198.51.100.7\"}"),
	              200);
	call_int(b, "attack.exfiltrate", "{\"records_per_car\":1}");
	json_t *r = NULL;
	ASSERT_EQ_INT(act_as(b, "oem_a", "block_indicator", "{\"value\":\"198.51.100.7\"}", &r, &err), 0);
	ASSERT_EQ_INT(json_integer_value(json_object_get(r, "matched")), 1);
	json_decref(r);
	eng_sim_run_until(b.sim, MIN(20));  /* past the 15 min block delay */
	ASSERT_EQ_INT(fact_time("c2.blocked", "oem_a"), MIN(15));
	ASSERT_EQ_INT(fact_time("c2.blocked", "oem_b"), -1);
	int64_t nA = org_metrics(b, "oem_a").records_exfiltrated, nB = org_metrics(b, "oem_b").records_exfiltrated;
	eng_sim_run_until(b.sim, HOUR(1));
	ASSERT_EQ_INT(org_metrics(b, "oem_a").records_exfiltrated, nA);  /* oem_a's cars stopped beaconing */
	ASSERT_LT(nB, org_metrics(b, "oem_b").records_exfiltrated);      /* oem_b's go on */
	/* spread through the C2 now reaches oem_b's cars only, and cannot compromise oem_a's */
	int64_t cA = org_metrics(b, "oem_a").compromised;
	call_int(b, "attack.spread", "{\"rate\":5}");
	ASSERT_EQ_INT(org_metrics(b, "oem_a").compromised, cA);
	ASSERT_EQ_INT(call_int(b, "attack.compromise", "{\"select\":{\"org\":\"oem_a\"},\"fraction\":1,\"c2\":\"198.51.100.7\"}"), 0);
	/* the supplier blocks at its own gateway: nothing of an OEM's changes */
	ASSERT_EQ_INT(act_as(b, "tier1", "block_indicator", "{\"value\":\"198.51.100.7\"}", NULL, &err), 0);
	free_box(b);
}

TEST(one_c2_reaches_several_oems_a_compromised_backend_only_its_own) {
	box b = make_orgs(11, NULL);
	/* one campaign across both OEMs' vulnerable TCUs */
	ASSERT_EQ_INT(call_int(b, "attack.compromise", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"fraction\":0.1}"), 180);
	ASSERT_LT(0, org_metrics(b, "oem_a").compromised);
	ASSERT_LT(0, org_metrics(b, "oem_b").compromised);
	ASSERT_EQ_INT(org_metrics(b, "oem_a").compromised + org_metrics(b, "oem_b").compromised, 180);
	/* a compromised telematics backend of oem_b spreads to oem_b's targeted cars only (not its Kei-C: TCU 2.5.0) */
	call_int(b, "service.degrade", "{\"org\":\"oem_b\",\"name\":\"telematics\",\"level\":\"compromised\"}");
	int64_t cA = org_metrics(b, "oem_a").compromised;
	long long n = call_int(b, "attack.spread", "{\"rate\":1,\"via\":\"telematics\"}");
	ASSERT_LT(0, n);
	ASSERT_EQ_INT(org_metrics(b, "oem_a").compromised, cA);
	ASSERT_EQ_INT(org_metrics(b, "oem_b").compromised, 800);
	/* service verbs need the org when several OEMs could be meant */
	ky_err err = { 0 };
	json_t *a = J("{\"name\":\"ota\",\"level\":\"down\"}"), *r = NULL;
	ASSERT_EQ_INT(veh_world_call(b.w, "service.degrade", a, &r, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "service.degrade: org: required: whose backend (oem_a, oem_b)");
	json_decref(a);
	a = J("{\"org\":\"isac\",\"name\":\"ota\",\"level\":\"down\"}");
	ASSERT_EQ_INT(veh_world_call(b.w, "service.degrade", a, &r, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "'isac' is a isac: it runs no vehicle backend");
	json_decref(a);
	/* a malicious OTA through oem_a's compromised PKI reaches oem_a's cars only */
	call_int(b, "service.degrade", "{\"org\":\"oem_a\",\"name\":\"pki\",\"level\":\"compromised\"}");
	a = J("{\"org\":\"oem_a\",\"ecu\":\"gw\",\"version\":\"1.9.0\",\"c2\":\"192.0.2.66\"}");
	ASSERT_EQ_INT(veh_world_call(b.w, "attack.malicious_ota", a, &r, &err), 0);
	ASSERT_EQ_INT(json_integer_value(json_object_get(r, "targeted")), 1000);
	json_decref(r);
	json_decref(a);
	free_box(b);
}

TEST(ingest_blocks_the_shared_indicators_exactly_its_delay_later) {
	box b = make_orgs(13, NULL);
	ky_err err = { 0 };
	call_int(b, "attack.compromise", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"count\":100,\"c2\":\"198.51.100.7\","
	                                 "\"indicators\":[\"evil.example.org\"]}");
	eng_sim_run_until(b.sim, MIN(10));
	json_t *ind = J("[\"evil.example.org\"]"), *r = NULL;
	ASSERT_EQ_INT(veh_world_ingest(b.w, "oem_a", ind, &r, &err), 0);  /* oem_a ingests after 30 min */
	ASSERT_TRUE(json_is_true(json_object_get(r, "scheduled")));
	ASSERT_EQ_INT(json_integer_value(json_object_get(r, "at_us")), MIN(40));
	json_decref(r);
	ASSERT_EQ_INT(veh_world_ingest(b.w, "oem_b", ind, &r, &err), 0);  /* oem_b has no automated ingestion */
	ASSERT_FALSE(json_is_true(json_object_get(r, "scheduled")));
	json_decref(r);
	json_decref(ind);
	eng_sim_run_until(b.sim, MIN(40) - 1);
	ASSERT_EQ_INT(fact_time("c2.blocked", "oem_a"), -1);
	eng_sim_run_until(b.sim, HOUR(2));
	ASSERT_EQ_INT(fact_time("c2.blocked", "oem_a"), MIN(40));
	ASSERT_EQ_INT(fact_time("c2.blocked", "oem_b"), -1);
	ASSERT_EQ_INT(veh_world_ingest(b.w, "oem_x", ind, &r, &err), KY_ENOENT);
	free_box(b);
}

TEST(per_org_metrics_sum_to_the_totals) {
	box b = make_orgs(17, "{\"offline.fraction\":0.2,\"ota.brick_p\":0.05}");
	ky_err err;
	call_int(b, "attack.compromise", "{\"fraction\":0.2,\"persistence\":true}");
	call_int(b, "attack.exfiltrate", "{\"records_per_car\":3}");
	act_as(b, "oem_b", "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"2.6.0\",\"rollout\":1}", NULL, &err);
	act_as(b, "oem_a", "revoke_certificate", "{\"scope\":{\"state\":\"compromised\"}}", NULL, &err);
	act_as(b, "oem_a", "disable_feature", "{\"feature\":\"remote_unlock\"}", NULL, &err);
	call_int(b, "service.degrade", "{\"org\":\"oem_a\",\"name\":\"app_api\",\"level\":\"down\"}");
	call_int(b, "alert", "{\"org\":\"oem_b\",\"count\":50}");
	eng_sim_run_until(b.sim, HOUR(3));
	json_t *m = veh_world_metrics_json(b.w), *orgs = json_object_get(m, "orgs");
	ASSERT_EQ_INT(json_object_size(orgs), 4);
	const char *zKey;
	json_t *v;
	int nFields = 0;
	json_object_foreach(m, zKey, v) {
		if (!json_is_number(v)) continue;
		double sum = 0;
		const char *zOrg;
		json_t *o;
		json_object_foreach(orgs, zOrg, o) sum += json_number_value(json_object_get(o, zKey));
		ASSERT_NEAR(sum, json_number_value(v), 1e-6 * (1 + json_number_value(v)));
		nFields++;
	}
	ASSERT_LT(20, nFields);
	ASSERT_LT(0, json_integer_value(json_object_get(json_object_get(orgs, "oem_a"), "revoked")));
	ASSERT_LT(0, json_integer_value(json_object_get(json_object_get(orgs, "oem_b"), "ota_done")));
	ASSERT_EQ_INT(json_integer_value(json_object_get(json_object_get(orgs, "isac"), "total")), 0);
	ASSERT_EQ_STR(json_string_value(json_object_get(json_object_get(m, "services"), "app_api")), "down");  /* the worst OEM */
	json_decref(m);
	free_box(b);
}

/* A fixed multi-org script; the final hash. */
static void orgs_run(uint64_t seed, char hex[65]) {
	box b = make_orgs(seed, "{\"offline.fraction\":0.1}");
	ky_err err;
	call_int(b, "attack.compromise", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"fraction\":0.05}");
	eng_sim_run_until(b.sim, MIN(20));
	call_int(b, "attack.spread", "{\"rate\":0.5}");
	act_as(b, "oem_a", "block_indicator", "{\"value\":\"203.0.113.7\"}", NULL, &err);
	act_as(b, "oem_b", "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"2.6.0\",\"rollout\":0.5}", NULL, &err);
	eng_sim_run_until(b.sim, HOUR(2));
	veh_world_state_hash(b.w, hex);
	free_box(b);
}

TEST(a_multi_org_world_is_determined_by_the_seed) {
	char h1[65], h2[65], h3[65];
	orgs_run(41, h1);
	orgs_run(41, h2);
	orgs_run(42, h3);
	ASSERT_EQ_STR(h1, h2);
	ASSERT_TRUE(strcmp(h1, h3) != 0);
}

TEST(a_multi_org_snapshot_restores_every_orgs_state_and_the_same_future) {
	box b = make_orgs(23, "{\"offline.fraction\":0.1}");
	ky_err err;
	call_int(b, "attack.compromise", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"fraction\":0.1,\"c2\":\"198.51.100.7\"}");
	call_int(b, "alert", "{\"org\":\"oem_b\",\"count\":5,\"c2\":\"198.51.100.7\"}");
	act_as(b, "oem_b", "block_indicator", "{\"value\":\"198.51.100.7\"}", NULL, &err);  /* pending at oem_b only */
	act_as(b, "oem_a", "isolate_service", "{\"name\":\"ota\"}", NULL, &err);
	eng_sim_run_until(b.sim, MIN(5));
	unsigned char *p = NULL;
	size_t n = 0;
	ASSERT_EQ_INT(veh_world_snapshot(b.w, &p, &n, &err), 0);
	ASSERT_TRUE(memcmp(p, "KYW3", 4) == 0);
	char hBefore[65], hAfter[65], hRestored[65];
	veh_world_state_hash(b.w, hBefore);
	eng_sim_run_until(b.sim, HOUR(1));
	veh_world_state_hash(b.w, hAfter);
	/* a second world configured alike, restored at 00:05, runs to the same end */
	box c = make_orgs(23, "{\"offline.fraction\":0.1}");
	eng_sim_run_until(c.sim, MIN(5));
	ASSERT_EQ_INT(veh_world_restore(c.w, p, n, &err), 0);
	veh_world_state_hash(c.w, hRestored);
	ASSERT_EQ_STR(hRestored, hBefore);
	ASSERT_EQ_INT(c.w->aOrg[1].aBlockAt[0], MIN(15));
	eng_sim_run_until(c.sim, HOUR(1));
	veh_world_state_hash(c.w, hRestored);
	ASSERT_EQ_STR(hRestored, hAfter);
	/* every single-byte corruption of the orgs section is refused or restores a consistent world */
	box d = make_orgs(23, "{\"offline.fraction\":0.1}");
	char hD[65], hD2[65];
	veh_world_state_hash(d.w, hD);
	size_t iOrgs = n - 200;
	int nRefused = 0;
	for (size_t i = iOrgs; i < n; i += 3) {
		unsigned char *q = malloc(n);
		memcpy(q, p, n);
		q[i] ^= 0x5a;
		if (veh_world_restore(d.w, q, n, &err) != 0) {
			nRefused++;
			veh_world_state_hash(d.w, hD2);
			ASSERT_EQ_STR(hD2, hD);  /* refused: nothing changed */
		} else {
			veh_world_state_hash(d.w, hD);
		}
		free(q);
	}
	ASSERT_LT(10, nRefused);
	/* a world without orgs refuses a KYW3 snapshot, and the other way round */
	box e;
	e.sim = eng_sim_new(23);
	e.w = veh_world_new(e.sim, &err);
	json_t *coh = J("{\"model\":\"Sedan-A\",\"count\":2000}");
	veh_world_add_cohort(e.w, coh, &err);
	json_decref(coh);
	ASSERT_EQ_INT(veh_world_restore(e.w, p, n, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "with organisations");
	free(p);
	free_box(b);
	free_box(c);
	free_box(d);
	free_box(e);
}

TEST(org_declarations_are_checked) {
	ky_err err = { 0 };
	eng_sim *sim = eng_sim_new(1);
	veh_world *w = veh_world_new(sim, &err);
	static const struct { const char *z; const char *zMsg; } aBad[] = {
		{ "{\"id\":\"Oem A\",\"kind\":\"oem\"}", "use lowercase letters" },
		{ "{\"id\":\"x\",\"kind\":\"bank\"}", "x: kind: unknown kind 'bank' (known: oem, supplier, isac, soc, regulator)" },
		{ "{\"id\":\"x\"}", "x: kind: required" },
		{ "{\"id\":\"x\",\"kind\":\"oem\",\"ingest\":\"9d\"}", "ingest: must be 0 .. 7 days" },
	};
	for (size_t k = 0; k < sizeof aBad / sizeof aBad[0]; k++) {
		json_t *j = J(aBad[k].z);
		ASSERT_TRUE(veh_world_add_org(w, j, &err) < 0);
		ASSERT_CONTAINS(err.zMsg, aBad[k].zMsg);
		json_decref(j);
	}
	json_t *j = J("{\"id\":\"isac\",\"kind\":\"isac\"}");
	ASSERT_EQ_INT(veh_world_add_org(w, j, &err), 0);
	ASSERT_TRUE(veh_world_add_org(w, j, &err) < 0);
	ASSERT_CONTAINS(err.zMsg, "declared twice");
	json_decref(j);
	j = J("{\"model\":\"Sedan-A\",\"count\":10}");
	ASSERT_EQ_INT(veh_world_add_cohort(w, j, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "org: required");
	json_decref(j);
	j = J("{\"model\":\"Sedan-A\",\"count\":10,\"org\":\"isac\"}");
	ASSERT_EQ_INT(veh_world_add_cohort(w, j, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "'isac' is a isac, only an oem owns cars");
	json_decref(j);
	veh_world_free(w);
	/* orgs after the fleet, and org in a drill without orgs */
	w = veh_world_new(sim, &err);
	j = J("{\"model\":\"Sedan-A\",\"count\":10}");
	ASSERT_EQ_INT(veh_world_add_cohort(w, j, &err), 0);
	json_decref(j);
	j = J("{\"id\":\"isac\",\"kind\":\"isac\"}");
	ASSERT_EQ_INT(veh_world_add_org(w, j, &err), KY_ESTATE);
	json_decref(j);
	j = J("{\"org\":\"oem_a\"}");
	json_t *r = NULL;
	ASSERT_EQ_INT(veh_world_call(w, "fleet.count", j, &r, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "this drill declares no organisations");
	json_decref(j);
	veh_world_free(w);
	eng_sim_free(sim);
}

/* Runs the same script on the fleet of make_orgs's oem_a alone, declared (bOrg) or not; the snapshot (malloc'd). */
static unsigned char *one_oem_run(int bOrg, size_t *pn) {
	box b;
	ky_err err = { 0 };
	b.sim = eng_sim_new(77);
	b.w = veh_world_new(b.sim, &err);
	json_t *p = J("{\"offline.fraction\":0.2,\"ota.brick_p\":0.01}");
	veh_world_set_params(b.w, p, &err);
	json_decref(p);
	if (bOrg) add(b, veh_world_add_org, "{\"id\":\"oem_a\",\"kind\":\"oem\"}");
	add(b, veh_world_add_cohort, bOrg ? "{\"model\":\"Sedan-A\",\"count\":3000,\"org\":\"oem_a\",\"ecus\":{\"tcu\":\"2.3.1\"}}"
	                                  : "{\"model\":\"Sedan-A\",\"count\":3000,\"ecus\":{\"tcu\":\"2.3.1\"}}");
	ASSERT_EQ_INT(veh_world_start(b.w, &err), 0);
	call_int(b, "attack.compromise", "{\"fraction\":0.1,\"c2\":\"198.51.100.7\"}");
	call_int(b, "alert", "{\"count\":3,\"c2\":\"198.51.100.7\"}");
	eng_sim_run_until(b.sim, MIN(30));
	call_int(b, "attack.spread", "{\"rate\":0.5}");
	act_as(b, bOrg ? "oem_a" : NULL, "block_indicator", "{\"value\":\"198.51.100.7\"}", NULL, &err);
	/* unscoped (a team's scope would write its org into the stored selector's text) */
	act_as(b, NULL, "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"2.4.0\",\"rollout\":1}", NULL, &err);
	call_int(b, "service.degrade", "{\"name\":\"app_api\",\"level\":\"down\"}");
	eng_sim_run_until(b.sim, HOUR(3));
	unsigned char *q = NULL;
	ASSERT_EQ_INT(veh_world_snapshot(b.w, &q, pn, &err), 0);
	free_box(b);
	return q;
}

TEST(one_declared_oem_evolves_exactly_like_a_world_without_orgs) {
	/* the org-less world's snapshot is KYW2; the same world with its one OEM declared is the same KYW2 body (same
	 * events, same draws, same counters) under magic KYW3, followed by the orgs section */
	size_t n2, n3;
	unsigned char *p2 = one_oem_run(0, &n2), *p3 = one_oem_run(1, &n3);
	ASSERT_TRUE(memcmp(p2, "KYW2", 4) == 0);
	ASSERT_TRUE(memcmp(p3, "KYW3", 4) == 0);
	ASSERT_LT(n2, n3);
	size_t iDiff = 4;
	while (iDiff < n2 && p2[iDiff] == p3[iDiff]) iDiff++;
	ASSERT_EQ_INT(iDiff, n2);  /* the first byte that differs */
	free(p2);
	free(p3);
}
