/* The world (vehicles/): each attack primitive and team action on a small fleet with known numbers, selectors
 * against a brute-force reference, OTA rollout timing, determinism, snapshot/restore and bad input. */
#include "tests/c/ky_test.h"

#include <stdlib.h>

#include "engine/sim.h"
#include "vehicles/world.h"
#include "vehicles/worldInt.h"

#define MIN(x) ENG_S(60 * (x))
#define HOUR(x) ENG_S(3600 * (x))

typedef struct box {
	eng_sim *sim;
	veh_world *w;
} box;

static int nFact;
static char azFact[64][32];
static void fact_sink(void *ctx, eng_time_t t, const char *kind, const char *subject, json_t *detail) {
	(void)ctx, (void)t, (void)subject, (void)detail;
	if (nFact < 64) snprintf(azFact[nFact], sizeof azFact[0], "%s", kind);
	nFact++;
}
static int saw_fact(const char *kind) {
	for (int i = 0; i < nFact && i < 64; i++)
		if (strcmp(azFact[i], kind) == 0) return 1;
	return 0;
}

static json_t *J(const char *z) {
	json_error_t e;
	json_t *j = json_loads(z, 0, &e);
	if (!j) ky_test_fail(__FILE__, __LINE__, "bad test JSON: %s: %s", z, e.text);
	return j;
}

/* 1000 Sedan-A (tcu 2.3.1) in JP-Kanto, 1000 SUV-B (tcu 2.5.0, no remote_start) in JP-Kansai, all online, no churn. */
static box make_world(uint64_t seed, const char *zParams) {
	box b;
	ky_err err = { 0 };
	b.sim = eng_sim_new(seed);
	b.w = veh_world_new(b.sim, &err);
	ASSERT_TRUE(b.w != NULL);
	json_t *p = J(zParams ? zParams : "{\"offline.fraction\":0}");
	ASSERT_EQ_INT(veh_world_set_params(b.w, p, &err), 0);
	json_decref(p);
	json_t *c1 = J("{\"model\":\"Sedan-A\",\"count\":1000,\"region\":\"JP-Kanto\",\"online\":1,"
	               "\"ecus\":{\"tcu\":\"2.3.1\",\"gw\":\"1.4.0\",\"ivi\":\"5.0.2\"}}");
	json_t *c2 = J("{\"model\":\"SUV-B\",\"count\":1000,\"region\":\"JP-Kansai\",\"online\":1,"
	               "\"features\":[\"remote_unlock\",\"location\"],\"ecus\":{\"tcu\":\"2.5.0\",\"gw\":\"1.4.0\"}}");
	ASSERT_EQ_INT(veh_world_add_cohort(b.w, c1, &err), 0);
	ASSERT_EQ_INT(veh_world_add_cohort(b.w, c2, &err), 0);
	json_decref(c1);
	json_decref(c2);
	veh_world_set_fact_sink(b.w, fact_sink, NULL);
	nFact = 0;
	ASSERT_EQ_INT(veh_world_start(b.w, &err), 0);
	return b;
}

static void free_world(box b) {
	veh_world_free(b.w);
	eng_sim_free(b.sim);
}

/* Calls a verb with args as JSON text; returns the integer result (or -1 when not an integer). */
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

static json_t *call_obj(box b, const char *verb, const char *args) {
	ky_err err = { 0 };
	json_t *a = J(args), *r = NULL;
	int rc = veh_world_call(b.w, verb, a, &r, &err);
	json_decref(a);
	if (rc) ky_test_fail(__FILE__, __LINE__, "%s failed: %s", verb, err.zMsg);
	return r;
}

static json_t *act(box b, const char *kind, const char *args) {
	ky_err err = { 0 };
	json_t *a = J(args), *r = NULL;
	int rc = veh_world_action(b.w, "vsoc", kind, a, &r, &err);
	json_decref(a);
	if (rc) ky_test_fail(__FILE__, __LINE__, "%s failed: %s", kind, err.zMsg);
	return r;
}

static long long jint(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

static veh_metrics metrics(box b) {
	veh_metrics m;
	veh_world_metrics(b.w, &m);
	return m;
}

TEST(compromise_takes_exactly_the_fraction_of_the_eligible_cars) {
	box b = make_world(7, NULL);
	ASSERT_EQ_INT(call_int(b, "attack.compromise", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"fraction\":0.1}"), 100);
	ASSERT_EQ_INT(call_int(b, "fleet.count", "{\"state\":\"compromised\"}"), 100);
	ASSERT_EQ_INT(call_int(b, "fleet.count", "{\"state\":\"compromised\",\"model\":\"SUV-B\"}"), 0);
	ASSERT_EQ_INT(call_int(b, "fleet.count", "{\"state\":\"clean\"}"), 1900);
	ASSERT_EQ_INT(metrics(b).compromised, 100);
	ASSERT_TRUE(saw_fact("attack.compromise"));
	/* already compromised cars are not eligible again: 10% of the 900 left */
	ASSERT_EQ_INT(call_int(b, "attack.compromise", "{\"select\":{\"model\":\"Sedan-A\"},\"fraction\":0.1}"), 90);
	ASSERT_EQ_INT(call_int(b, "attack.compromise", "{\"select\":{\"model\":\"SUV-B\"},\"count\":10.0}"), 10);  /* Lua float */
	free_world(b);
}

TEST(spread_adds_rate_times_the_active_cars_within_the_target) {
	box b = make_world(7, NULL);
	call_int(b, "attack.compromise", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"fraction\":0.1}");
	ASSERT_EQ_INT(call_int(b, "attack.spread", "{\"rate\":0.5}"), 50);
	ASSERT_EQ_INT(metrics(b).compromised, 150);
	ASSERT_EQ_INT(call_int(b, "attack.spread", "{\"rate\":100}"), 850);  /* capped by the 850 vulnerable cars left */
	ASSERT_EQ_INT(call_int(b, "fleet.count", "{\"state\":\"compromised\",\"model\":\"SUV-B\"}"), 0);
	free_world(b);
}

TEST(stop_ends_spread_but_cars_stay_compromised) {
	box b = make_world(7, NULL);
	call_int(b, "attack.compromise", "{\"select\":{\"model\":\"Sedan-A\"},\"count\":10,\"c2\":\"198.51.100.9\"}");
	ASSERT_EQ_INT(call_int(b, "attack.stop", "{\"c2\":\"198.51.100.9\"}"), 10);
	ASSERT_EQ_INT(call_int(b, "attack.spread", "{\"rate\":1}"), 0);
	ASSERT_EQ_INT(metrics(b).compromised, 10);
	free_world(b);
}

TEST(block_indicator_cuts_the_c2_after_the_propagation_delay) {
	box b = make_world(7, NULL);
	call_int(b, "attack.compromise", "{\"select\":{\"model\":\"Sedan-A\"},\"count\":100,\"persistence\":true}");
	json_t *r = call_obj(b, "attack.exfiltrate", "{\"records_per_car\":10}");
	ASSERT_EQ_INT(jint(r, "cars"), 100);
	json_decref(r);
	eng_sim_run_until(b.sim, MIN(10));
	int64_t n10 = metrics(b).records_exfiltrated;
	ASSERT_EQ_INT(n10, 100 * 10 * 2);  /* two check-ins each in 10 minutes (5-minute period) */
	r = act(b, "block_indicator", "{\"value\":\"203.0.113.7\"}");
	ASSERT_EQ_INT(jint(r, "matched"), 1);
	ASSERT_EQ_INT(jint(r, "cars"), 100);
	json_decref(r);
	eng_sim_run_until(b.sim, MIN(20));
	ASSERT_LT(n10, metrics(b).records_exfiltrated);      /* not yet effective (15 minutes) */
	ASSERT_EQ_INT(call_int(b, "attack.spread", "{\"rate\":1}"), 100);
	eng_sim_run_until(b.sim, MIN(26));
	int64_t nCut = metrics(b).records_exfiltrated;
	ASSERT_EQ_INT(call_int(b, "attack.spread", "{\"rate\":1}"), 0);
	eng_sim_run_until(b.sim, HOUR(1));
	ASSERT_EQ_INT(metrics(b).records_exfiltrated, nCut);
	ASSERT_TRUE(saw_fact("c2.blocked"));
	r = act(b, "block_indicator", "{\"value\":\"192.0.2.1\"}");
	ASSERT_EQ_INT(jint(r, "matched"), 0);
	json_decref(r);
	free_world(b);
}

TEST(a_power_cycle_clears_a_compromise_without_persistence) {
	box b = make_world(3, "{\"offline.fraction\":0.3,\"offline.mean\":\"30m\"}");
	call_int(b, "attack.compromise", "{\"select\":{\"model\":\"Sedan-A\"},\"fraction\":1}");
	int64_t n0 = metrics(b).compromised;
	ASSERT_LT(500, n0);
	eng_sim_run_until(b.sim, HOUR(2));
	ASSERT_LT(metrics(b).compromised, n0 * 0.8);
	free_world(b);
}

static double patched_fraction(box b) { return (double)metrics(b).patched / 2000.0; }

TEST(ota_rollout_patches_online_cars_over_hours_at_the_rollout_rate) {
	box b = make_world(11, NULL);
	json_t *r = act(b, "ota_campaign", "{\"select\":{\"ecu\":\"gw\",\"below\":\"1.5.0\"},\"ecu\":\"gw\",\"version\":\"1.5.0\",\"rollout\":0.5}");
	ASSERT_EQ_INT(jint(r, "targeted"), 2000);
	json_decref(r);
	eng_sim_run_until(b.sim, MIN(24));
	ASSERT_EQ_INT(metrics(b).patched, 0);               /* offer, download (10-30 min), install (5-15) take time */
	eng_sim_run_until(b.sim, HOUR(1));
	json_t *st = call_obj(b, "ota.status", "{}");
	double offered = (double)jint(json_array_get(st, 0), "offered") / 2000.0;
	json_decref(st);
	ASSERT_NEAR(offered, 0.5, 0.01);                      /* rollout 0.5 of the targeted cars per hour */
	double p1 = patched_fraction(b);
	ASSERT_LT(0.1, p1);
	ASSERT_LT(p1, 0.5);
	eng_sim_run_until(b.sim, HOUR(4));
	ASSERT_NEAR(patched_fraction(b), 0.99, 0.015);        /* 2% fail once and are retried */
	ASSERT_EQ_INT(call_int(b, "fleet.count", "{\"ecu\":\"gw\",\"version\":\"1.5.0\"}"), metrics(b).patched);
	free_world(b);
}

TEST(ota_needs_the_car_online_and_the_backend_up) {
	box b = make_world(11, NULL);
	json_decref(act(b, "isolate_service", "{\"name\":\"telematics\"}"));
	json_decref(act(b, "ota_campaign", "{\"select\":{\"model\":\"Sedan-A\"},\"ecu\":\"tcu\",\"version\":\"2.4.0\",\"rollout\":1}"));
	eng_sim_run_until(b.sim, HOUR(2));
	ASSERT_EQ_INT(metrics(b).patched, 0);
	ASSERT_NEAR(metrics(b).service_downtime_s, 7200, 1);
	json_decref(act(b, "restore_service", "{\"name\":\"telematics\"}"));
	eng_sim_run_until(b.sim, HOUR(5));
	ASSERT_LT(950, metrics(b).patched);
	ASSERT_LE(metrics(b).patched, 1000);
	free_world(b);
}

TEST(patching_the_entry_ecu_cleans_the_compromise) {
	box b = make_world(5, NULL);
	call_int(b, "attack.compromise", "{\"select\":{\"model\":\"Sedan-A\"},\"count\":300,\"entry\":\"tcu\",\"persistence\":true}");
	json_decref(act(b, "ota_campaign", "{\"select\":{\"model\":\"Sedan-A\"},\"ecu\":\"tcu\",\"version\":\"2.4.0\",\"rollout\":1}"));
	eng_sim_run_until(b.sim, HOUR(4));
	ASSERT_LT(metrics(b).compromised, 300 * 0.05);
	ASSERT_EQ_INT(call_int(b, "attack.compromise", "{\"select\":{\"model\":\"Sedan-A\"},\"fraction\":1}"),
	              call_int(b, "fleet.count", "{\"model\":\"Sedan-A\",\"ecu\":\"tcu\",\"below\":\"2.4.0\",\"state\":\"clean\"}"));
	free_world(b);
}

TEST(revocation_cuts_cars_until_the_pki_reprovisions_them) {
	box b = make_world(5, "{\"offline.fraction\":0,\"pki.reprovision_per_hour\":600}");
	call_int(b, "attack.compromise", "{\"select\":{\"model\":\"Sedan-A\"},\"count\":100,\"persistence\":true}");
	json_t *r = act(b, "revoke_certificate", "{\"scope\":{\"model\":\"Sedan-A\"}}");
	ASSERT_EQ_INT(jint(r, "cut_cars"), 1000);
	ASSERT_EQ_INT(jint(r, "compromised_cut"), 100);
	json_decref(r);
	int64_t c0 = metrics(b).checkins;
	eng_sim_run_until(b.sim, MIN(30));
	/* only the 1000 SUV-B check in: 6 times each in 30 minutes; 300 Sedan-A are re-provisioned in that half hour */
	ASSERT_NEAR(metrics(b).checkins - c0, 6000 + 300 * 3, 400);
	ASSERT_EQ_INT(metrics(b).revoked, 700);
	eng_sim_run_until(b.sim, HOUR(3));
	ASSERT_EQ_INT(metrics(b).revoked, 100);  /* the compromised stay cut */
	ASSERT_TRUE(saw_fact("pki.reprovision"));
	free_world(b);
}

TEST(disable_feature_counts_customers_and_refuses_the_abuse) {
	box b = make_world(5, NULL);
	json_t *r = act(b, "disable_feature", "{\"feature\":\"remote_unlock\",\"select\":{\"model\":\"Sedan-A\"}}");
	ASSERT_EQ_INT(jint(r, "affected_customers"), 1000);
	json_decref(r);
	r = act(b, "disable_feature", "{\"feature\":\"remote_start\"}");  /* SUV-B has no remote start */
	ASSERT_EQ_INT(jint(r, "affected_customers"), 1000);
	ASSERT_EQ_INT(jint(r, "new_customers_affected"), 0);
	json_decref(r);
	ASSERT_EQ_INT(metrics(b).customers_affected, 1000);
	r = call_obj(b, "attack.abuse_feature", "{\"feature\":\"remote_unlock\"}");
	ASSERT_EQ_INT(jint(r, "affected"), 1000);
	ASSERT_EQ_INT(jint(r, "refused_disabled"), 1000);
	json_decref(r);
	ASSERT_EQ_INT(metrics(b).unsafe_events, 1000);
	free_world(b);
}

TEST(isolating_the_app_api_stops_abuse_and_costs_downtime_and_commands) {
	box b = make_world(5, "{\"offline.fraction\":0,\"app.commands_per_car_day\":24}");
	json_t *r = call_obj(b, "attack.abuse_feature", "{\"feature\":\"remote_start\",\"fraction\":0.5}");
	ASSERT_EQ_INT(jint(r, "affected"), 500);
	json_decref(r);
	json_decref(act(b, "isolate_service", "{\"name\":\"app_api\"}"));
	r = call_obj(b, "attack.abuse_feature", "{\"feature\":\"remote_start\"}");
	ASSERT_EQ_INT(jint(r, "affected"), 0);
	json_decref(r);
	eng_sim_run_until(b.sim, HOUR(1));
	ASSERT_EQ_INT(metrics(b).remote_commands, 0);
	ASSERT_NEAR(metrics(b).remote_commands_failed, 2000, 2);  /* 2000 cars x 1 command per hour */
	ASSERT_NEAR(metrics(b).service_downtime_s, 3600, 1);
	json_t *m = veh_world_metrics_json(b.w);
	ASSERT_EQ_STR(json_string_value(json_object_get(json_object_get(m, "services"), "app_api")), "down");
	json_decref(m);
	free_world(b);
}

TEST(malicious_ota_needs_a_compromised_backend_and_can_brick) {
	box b = make_world(9, NULL);
	json_t *r = call_obj(b, "attack.malicious_ota", "{\"ecu\":\"ivi\",\"version\":\"6.6.6\"}");
	ASSERT_FALSE(json_is_true(json_object_get(r, "accepted")));
	json_decref(r);
	call_int(b, "service.degrade", "{\"name\":\"pki\",\"level\":\"compromised\"}");
	r = call_obj(b, "attack.malicious_ota", "{\"ecu\":\"ivi\",\"version\":\"6.6.6\",\"brick_fraction\":0.2,\"c2\":\"evil.example\"}");
	ASSERT_TRUE(json_is_true(json_object_get(r, "accepted")));
	ASSERT_EQ_INT(jint(r, "targeted"), 1000);                /* only Sedan-A has an IVI */
	json_decref(r);
	eng_sim_run_until(b.sim, HOUR(3));
	veh_metrics m = metrics(b);
	ASSERT_NEAR(m.bricked, 200, 45);
	ASSERT_NEAR(m.compromised, 1000 - m.bricked, 30);
	ASSERT_EQ_INT(m.patched, 0);
	free_world(b);
}

TEST(ids_alerts_reach_the_vsoc_which_opens_one_incident) {
	box b = make_world(9, "{\"offline.fraction\":0,\"ids.detect_p\":1,\"ids.fp_rate\":0}");
	call_int(b, "attack.compromise", "{\"select\":{\"model\":\"SUV-B\"},\"count\":50,\"persistence\":true}");
	eng_sim_run_until(b.sim, MIN(10) - 1);
	veh_metrics m = metrics(b);
	ASSERT_EQ_INT(m.alerts, 100);       /* 50 cars, 2 check-ins each in [0, 10 min) */
	ASSERT_EQ_INT(m.incidents, 1);
	ASSERT_TRUE(saw_fact("vsoc.incident"));
	ASSERT_TRUE(saw_fact("alert"));
	free_world(b);
}

TEST(false_positives_follow_the_rate) {
	box b = make_world(9, "{\"offline.fraction\":0,\"ids.fp_rate\":0.01}");
	eng_sim_run_until(b.sim, HOUR(1));
	/* 2000 cars x 12 check-ins x 1% */
	ASSERT_NEAR(metrics(b).alerts, 240, 60);
	free_world(b);
}

TEST(assess_is_scored_against_the_sbom_ground_truth) {
	box b = make_world(9, NULL);
	ky_err err = { 0 };
	json_t *s = J("{\"tcu\":{\"2.3.1\":[\"openssl@1.1.1k\",\"busybox@1.31.1\"],\"2.5.0\":[\"openssl@3.0.2\"]}}");
	ASSERT_EQ_INT(veh_world_add_sbom(b.w, s, &err), 0);
	json_decref(s);
	json_t *cdx = J("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[{\"type\":\"library\",\"name\":\"busybox\","
	                "\"version\":\"1.31.1\"},{\"name\":\"qt\",\"version\":\"5.15\",\"components\":[{\"name\":\"zlib\",\"version\":\"1.2.11\"}]}]}");
	ASSERT_EQ_INT(veh_world_add_sbom_cyclonedx(b.w, "gw", "1.4.0", cdx, &err), 0);
	json_decref(cdx);
	json_t *r = act(b, "assess", "{\"component\":\"openssl@1.1.1k\",\"affected\":900}");
	ASSERT_EQ_INT(jint(r, "truth"), 1000);
	ASSERT_NEAR(json_real_value(json_object_get(r, "error")), 0.1, 1e-9);
	json_decref(r);
	r = act(b, "assess", "{\"component\":\"busybox@1.31.1\",\"select\":{\"model\":\"Sedan-A\"}}");
	ASSERT_EQ_INT(jint(r, "truth"), 2000);   /* through the tcu of Sedan-A and the gw of both */
	ASSERT_EQ_INT(jint(r, "claimed"), 1000);
	json_decref(r);
	r = call_obj(b, "sbom.affected", "{\"component\":\"openssl\"}");
	ASSERT_EQ_INT(jint(r, "cars"), 2000);
	json_decref(r);
	r = call_obj(b, "sbom.affected", "{\"component\":\"zlib@1.2.11\"}");
	ASSERT_EQ_INT(jint(r, "cars"), 2000);
	json_decref(r);
	/* patching changes the truth */
	json_decref(act(b, "ota_campaign", "{\"select\":{\"model\":\"Sedan-A\"},\"ecu\":\"tcu\",\"version\":\"2.5.0\",\"rollout\":1}"));
	eng_sim_run_until(b.sim, HOUR(4));
	r = call_obj(b, "sbom.affected", "{\"component\":\"openssl@1.1.1k\"}");
	ASSERT_LT(jint(r, "cars"), 30);
	json_decref(r);
	free_world(b);
}

/* Brute force: the selector's meaning written out on the columns. */
static int brute(const veh_world *w, uint32_t i, int model, int region, int ecu, int op, uint32_t ver, int state) {
	const veh_fleet *f = &w->f;
	const veh_cohort *c = &f->aCoh[f->aCohort[i]];
	uint16_t fl = f->aFlags[i];
	if (model >= 0 && c->iModel != model) return 0;
	if (region >= 0 && c->iRegion != region) return 0;
	if (ecu >= 0) {
		uint32_t v = f->aVer[ecu][i];
		if (v == VEH_VER_NONE || (op == 1 && v >= ver) || (op == 2 && v != ver)) return 0;
	}
	switch (state) {
	case 0: return !(fl & VEH_F_COMP) && !(fl & VEH_F_BRICKED);
	case 1: return (fl & VEH_F_COMP) != 0;
	case 2: return (fl & VEH_F_PATCHED) != 0;
	case 3: return (fl & VEH_F_OFFLINE) && !(fl & VEH_F_BRICKED);
	default: return 1;
	}
}

TEST(selectors_agree_with_a_brute_force_reference) {
	box b = make_world(21, "{\"offline.fraction\":0.2}");
	ky_err err = { 0 };
	call_int(b, "attack.compromise", "{\"fraction\":0.3}");
	json_decref(act(b, "ota_campaign", "{\"select\":{\"region\":\"JP-Kansai\"},\"ecu\":\"tcu\",\"version\":\"2.6.0\",\"rollout\":1}"));
	eng_sim_run_until(b.sim, HOUR(1));
	static const char *azModel[] = { NULL, "Sedan-A", "SUV-B" }, *azRegion[] = { NULL, "JP-Kanto", "JP-Kansai" };
	static const char *azState[] = { "clean", "compromised", "patched", "offline", NULL };
	static const char *azVer[] = { "2.4.0", "2.5.0", "2.6.0" };
	int nChecked = 0;
	for (int m = 0; m < 3; m++)
		for (int r = 0; r < 3; r++)
			for (int e = -1; e < 2; e++)
				for (int v = 0; v < 3; v++)
					for (int op = 0; op < 3; op++)
						for (int s = 0; s < 5; s++) {
							if ((e < 0 && (v || op)) || (e >= 0 && op == 0 && v)) continue;
							json_t *sel = json_object();
							if (azModel[m]) json_object_set_new(sel, "model", json_string(azModel[m]));
							if (azRegion[r]) json_object_set_new(sel, "region", json_string(azRegion[r]));
							if (e >= 0) json_object_set_new(sel, "ecu", json_string(e ? "ivi" : "tcu"));
							if (e >= 0 && op) json_object_set_new(sel, op == 1 ? "below" : "version", json_string(azVer[v]));
							if (azState[s]) json_object_set_new(sel, "state", json_string(azState[s]));
							json_t *res = NULL;
							ASSERT_EQ_INT(veh_world_call(b.w, "fleet.count", sel, &res, &err), 0);
							uint32_t ver = 0;
							veh_version_parse(azVer[v], &ver, NULL);
							long long n = 0;
							for (uint32_t i = 0; i < b.w->f.n; i++)
								n += brute(b.w, i, m - 1, r - 1, e < 0 ? -1 : (e ? VEH_ECU_IVI : VEH_ECU_TCU), op, ver, s);
							if (json_integer_value(res) != n) {
								char *z = json_dumps(sel, 0);
								ky_test_fail(__FILE__, __LINE__, "selector %s: %lld != brute force %lld", z,
								             (long long)json_integer_value(res), n);
							}
							json_decref(res);
							json_decref(sel);
							nChecked++;
						}
	ASSERT_LT(200, nChecked);
	/* "any of" lists */
	ASSERT_EQ_INT(call_int(b, "fleet.count", "{\"model\":[\"Sedan-A\",\"SUV-B\"]}"), 2000);
	ASSERT_EQ_INT(call_int(b, "fleet.count", "{\"state\":[\"clean\",\"compromised\"]}"), 2000 - metrics(b).bricked);
	free_world(b);
}

/* A fixed script: attack, spread, OTA, block. Returns the final hash. */
static void scripted_run(uint64_t seed, char hex[65], eng_time_t tEnd) {
	box b = make_world(seed, "{\"offline.fraction\":0.1}");
	call_int(b, "attack.compromise", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"fraction\":0.05}");
	eng_sim_run_until(b.sim, MIN(30));
	call_int(b, "attack.spread", "{\"rate\":0.5}");
	json_decref(act(b, "ota_campaign", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"ecu\":\"tcu\",\"version\":\"2.4.0\",\"rollout\":0.5}"));
	eng_sim_run_until(b.sim, HOUR(1));
	json_decref(act(b, "block_indicator", "{\"value\":\"203.0.113.7\"}"));
	eng_sim_run_until(b.sim, tEnd);
	veh_world_state_hash(b.w, hex);
	free_world(b);
}

TEST(the_whole_world_is_determined_by_the_seed) {
	char h1[65], h2[65], h3[65];
	scripted_run(42, h1, HOUR(2));
	scripted_run(42, h2, HOUR(2));
	scripted_run(43, h3, HOUR(2));
	ASSERT_EQ_INT(strlen(h1), 64);
	ASSERT_EQ_STR(h1, h2);
	ASSERT_TRUE(strcmp(h1, h3) != 0);
}

TEST(snapshot_then_restore_gives_the_same_hash_and_the_same_future) {
	box a = make_world(42, "{\"offline.fraction\":0.1}");
	ky_err err = { 0 };
	call_int(a, "attack.compromise", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"fraction\":0.05,\"persistence\":true}");
	json_decref(act(a, "ota_campaign", "{\"select\":{\"ecu\":\"tcu\"},\"ecu\":\"tcu\",\"version\":\"2.6.0\",\"rollout\":0.5}"));
	eng_sim_run_until(a.sim, MIN(47));
	json_decref(act(a, "block_indicator", "{\"value\":\"203.0.113.7\"}"));
	json_decref(act(a, "revoke_certificate", "{\"scope\":{\"model\":\"SUV-B\"}}"));
	unsigned char *buf = NULL;
	size_t len = 0;
	ASSERT_EQ_INT(veh_world_snapshot(a.w, &buf, &len, &err), 0);
	ASSERT_LT(len, 2000 * 20 + 2048);  /* fixed layout: 20 bytes per car plus scalars and tables */
	box b = make_world(42, "{\"offline.fraction\":0.1}");
	eng_sim_run_until(b.sim, MIN(47));  /* the restoring drill is at the same time */
	ASSERT_EQ_INT(veh_world_restore(b.w, buf, len, &err), 0);
	char ha[65], hb[65];
	veh_world_state_hash(a.w, ha);
	veh_world_state_hash(b.w, hb);
	ASSERT_EQ_STR(ha, hb);
	eng_sim_run_until(a.sim, HOUR(3));
	eng_sim_run_until(b.sim, HOUR(3));
	veh_world_state_hash(a.w, ha);
	veh_world_state_hash(b.w, hb);
	ASSERT_EQ_STR(ha, hb);
	ASSERT_EQ_INT(metrics(a).patched, metrics(b).patched);
	free(buf);
	free_world(a);
	free_world(b);
}

TEST(a_corrupt_snapshot_is_rejected_and_changes_nothing) {
	box a = make_world(42, NULL);
	ky_err err = { 0 };
	call_int(a, "attack.compromise", "{\"fraction\":0.5}");
	json_decref(act(a, "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"2.6.0\",\"rollout\":1}"));
	eng_sim_run_until(a.sim, MIN(40));
	unsigned char *buf = NULL;
	size_t len = 0;
	ASSERT_EQ_INT(veh_world_snapshot(a.w, &buf, &len, &err), 0);
	box b = make_world(42, NULL);
	eng_sim_run_until(b.sim, MIN(40));
	char h0[65], h1[65];
	veh_world_state_hash(b.w, h0);
	ASSERT_EQ_INT(veh_world_restore(b.w, buf, len - 3, &err), KY_EPARSE);
	ASSERT_EQ_INT(veh_world_restore(b.w, buf, 2, &err), KY_EPARSE);
	for (size_t k = 4; k < len; k += 7) {  /* flip bytes all along the blob: error or a consistent load, never a crash */
		unsigned char *c = malloc(len);
		memcpy(c, buf, len);
		c[k] ^= 0x5a;
		box t = make_world(42, NULL);
		eng_sim_run_until(t.sim, MIN(40));
		int rc = veh_world_restore(t.w, c, len, &err);
		ASSERT_TRUE(rc == 0 || rc == KY_EPARSE || rc == KY_EINVAL);
		if (rc == 0) eng_sim_run_until(t.sim, HOUR(1));  /* what loaded must also run */
		free_world(t);
		free(c);
	}
	veh_world_state_hash(b.w, h1);
	ASSERT_EQ_STR(h0, h1);
	box c = make_world(43, NULL);
	ASSERT_EQ_INT(veh_world_restore(c.w, buf, len, &err), KY_EINVAL);  /* another seed */
	free(buf);
	free_world(a);
	free_world(b);
	free_world(c);
}

static void expect_error(box b, int bAction, const char *verb, const char *args, int code, const char *zMsg) {
	ky_err err = { 0 };
	json_t *a = J(args), *r = NULL;
	char h0[65], h1[65];
	veh_world_state_hash(b.w, h0);
	int rc = bAction ? veh_world_action(b.w, "t", verb, a, &r, &err) : veh_world_call(b.w, verb, a, &r, &err);
	json_decref(a);
	json_decref(r);
	if (rc != code) ky_test_fail(__FILE__, __LINE__, "%s %s: rc %d != %d (%s)", verb, args, rc, code, err.zMsg);
	if (!strstr(err.zMsg, zMsg)) ky_test_fail(__FILE__, __LINE__, "%s %s: \"%s\" lacks \"%s\"", verb, args, err.zMsg, zMsg);
	veh_world_state_hash(b.w, h1);
	if (strcmp(h0, h1) != 0) ky_test_fail(__FILE__, __LINE__, "%s %s: the world changed on error", verb, args);
}

TEST(bad_input_is_a_clear_error_naming_the_field) {
	box b = make_world(1, NULL);
	expect_error(b, 0, "attack.compromise", "{\"select\":{\"model\":\"Sedn-A\"},\"fraction\":0.1}", KY_ENOENT,
	             "attack.compromise: select.model: unknown model 'Sedn-A' (known: Sedan-A, SUV-B)");
	expect_error(b, 0, "fleet.count", "{\"region\":\"Mars\"}", KY_ENOENT, "region: unknown region 'Mars' (known: JP-Kanto, JP-Kansai)");
	expect_error(b, 0, "fleet.count", "{\"ecu\":\"abs\"}", KY_ENOENT, "ecu: unknown ECU 'abs'");
	expect_error(b, 0, "fleet.count", "{\"state\":\"pwned\"}", KY_ENOENT, "state: unknown state 'pwned'");
	expect_error(b, 0, "fleet.count", "{\"ecu\":\"tcu\",\"below\":\"2.x\"}", KY_EPARSE, "below: malformed version '2.x'");
	expect_error(b, 0, "fleet.count", "{\"below\":\"2.4.0\"}", KY_EINVAL, "below: needs ecu");
	expect_error(b, 0, "fleet.count", "{\"colour\":\"red\"}", KY_EINVAL, "unknown selector field 'colour'");
	expect_error(b, 0, "attack.compromise", "{\"fraction\":1.5}", KY_EINVAL, "fraction: 1.5 is outside 0..1");
	expect_error(b, 0, "attack.compromise", "{\"fraction\":-0.1}", KY_EINVAL, "fraction");
	expect_error(b, 0, "attack.compromise", "{\"fraction\":\"lots\"}", KY_EINVAL, "fraction: expected a number");
	expect_error(b, 0, "attack.compromise", "{\"entry\":\"radio\"}", KY_ENOENT, "entry: unknown entry point 'radio'");
	expect_error(b, 0, "attack.compromise", "{\"count\":2.5}", KY_EINVAL, "count: expected a non-negative integer");
	expect_error(b, 0, "attack.compromise", "{\"count\":-3}", KY_EINVAL, "count: expected a non-negative integer");
	expect_error(b, 0, "attack.spread", "{}", KY_EINVAL, "rate");
	expect_error(b, 0, "attack.spread", "{\"rate\":0.1,\"c2\":\"nowhere\"}", KY_ENOENT, "no campaign uses 'nowhere'");
	expect_error(b, 0, "attack.abuse_feature", "{\"feature\":\"self_destruct\"}", KY_ENOENT, "feature: unknown feature");
	expect_error(b, 0, "service.degrade", "{\"name\":\"dns\",\"level\":\"down\"}", KY_ENOENT, "unknown service 'dns'");
	expect_error(b, 0, "service.degrade", "{\"name\":\"ota\",\"level\":\"meh\"}", KY_ENOENT, "unknown health 'meh'");
	expect_error(b, 0, "attack.teleport", "{}", KY_ENOENT, "unknown world verb 'attack.teleport'");
	expect_error(b, 1, "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"3.0.0\",\"rollout\":2}", KY_EINVAL, "rollout: 2 is outside 0..1");
	expect_error(b, 1, "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"3.0\",\"rollout\":0}", KY_EINVAL, "rollout: must be above 0");
	expect_error(b, 1, "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"v3\"}", KY_EPARSE, "ota_campaign: version: malformed version 'v3'");
	expect_error(b, 1, "ota_campaign", "{\"select\":{\"model\":\"X\"},\"ecu\":\"tcu\",\"version\":\"3.0.0\"}", KY_ENOENT, "select.model: unknown model 'X'");
	expect_error(b, 1, "revoke_certificate", "{\"scope\":\"wheel\"}", KY_ENOENT, "scope.ecu: unknown ECU 'wheel'");
	expect_error(b, 1, "block_indicator", "{}", KY_EINVAL, "block_indicator: value: required");
	expect_error(b, 1, "launch_missiles", "{}", KY_ENOENT, "unknown action 'launch_missiles'");
	ky_err err = { 0 };
	json_t *r = (json_t *)1;
	ASSERT_EQ_INT(veh_world_action(b.w, "t", "notify", NULL, &r, &err), 0);
	ASSERT_TRUE(r == NULL);
	json_t *s = J("{\"tcu\":{\"2.3\":[\"openssl\"]}}");
	ASSERT_EQ_INT(veh_world_add_sbom(b.w, s, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "expected \"name@version\"");
	json_decref(s);
	json_t *c = J("{\"model\":\"Van-C\",\"count\":5}");
	ASSERT_EQ_INT(veh_world_add_cohort(b.w, c, &err), KY_ESTATE);  /* after start */
	json_decref(c);
	free_world(b);
}

TEST(cohort_errors_name_the_field) {
	eng_sim *sim = eng_sim_new(1);
	ky_err err = { 0 };
	veh_world *w = veh_world_new(sim, &err);
	json_t *c = J("{\"model\":\"Van-C\",\"count\":5,\"ecus\":{\"tcu\":\"1.2.3.4\"}}");
	ASSERT_EQ_INT(veh_world_add_cohort(w, c, &err), KY_EPARSE);
	ASSERT_CONTAINS(err.zMsg, "fleet: Van-C: ecus.tcu: malformed version '1.2.3.4'");
	json_decref(c);
	c = J("{\"model\":\"Van-C\",\"count\":-5}");
	ASSERT_EQ_INT(veh_world_add_cohort(w, c, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "count");
	json_decref(c);
	c = J("{\"model\":\"Van-C\",\"count\":5,\"online\":1.2}");
	ASSERT_EQ_INT(veh_world_add_cohort(w, c, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "online: 1.2 is outside 0..1");
	json_decref(c);
	json_t *p = J("{\"ids.detect\":0.5}");
	ASSERT_EQ_INT(veh_world_set_params(w, p, &err), KY_ENOENT);
	json_decref(p);
	veh_world_free(w);
	eng_sim_free(sim);
}

TEST(the_catalog_lists_what_selectors_accept) {
	box b = make_world(1, NULL);
	json_t *c = veh_world_catalog_json(b.w);
	ASSERT_EQ_INT(json_array_size(json_object_get(c, "models")), 2);
	ASSERT_EQ_INT(json_array_size(json_object_get(c, "ecus")), 5);
	ASSERT_EQ_INT(json_array_size(json_object_get(c, "services")), 5);
	ASSERT_EQ_STR(json_string_value(json_array_get(json_object_get(c, "regions"), 1)), "JP-Kansai");
	ASSERT_NEAR(json_real_value(json_object_get(json_object_get(c, "params"), "block.delay")), 900, 1e-9);
	ASSERT_NEAR(json_real_value(json_object_get(json_object_get(c, "params"), "offline.fraction")), 0, 1e-9);
	json_decref(c);
	free_world(b);
}

TEST(telematics_checkins_keep_their_period_and_a_degraded_service_loses_half) {
	box b = make_world(2, NULL);
	eng_sim_run_until(b.sim, HOUR(1) - 1);
	ASSERT_EQ_INT(metrics(b).checkins, 2000 * 12);  /* each car once per 5 minutes at its own phase */
	call_int(b, "service.degrade", "{\"name\":\"telematics\",\"level\":\"degraded\"}");
	eng_sim_run_until(b.sim, HOUR(2));
	ASSERT_NEAR(metrics(b).checkins - 2000 * 12, 12000, 500);
	ASSERT_TRUE(saw_fact("service.health"));
	free_world(b);
}

TEST(each_car_keeps_its_own_phase_within_the_jitter) {
	box b = make_world(4, NULL);
	eng_sim_run_until(b.sim, HOUR(1) + MIN(7));
	const veh_fleet *f = &b.w->f;
	int nPhases[300] = { 0 };
	for (uint32_t i = 0; i < f->n; i++) {
		ASSERT_TRUE(f->aLast[i] > 0);
		uint32_t t = f->aLast[i] - 1, ph = f->aPhase[i];
		ASSERT_TRUE(ph < 300);
		ASSERT_LT((t + 300 - ph) % 300, 30);      /* at its phase plus 0..30 s of jitter */
		ASSERT_LT(4020 - 300, t);                  /* checked in during the last period (now = 4020 s) */
		ASSERT_LT(t, 4020 + 30);
		nPhases[ph]++;
	}
	int nUsed = 0;
	for (int k = 0; k < 300; k++) nUsed += nPhases[k] > 0;
	ASSERT_LT(290, nUsed);  /* phases spread over the period: no thundering herd */
	free_world(b);
}

TEST(metrics_json_has_the_contract_fields_and_services) {
	box b = make_world(4, NULL);
	call_int(b, "attack.compromise", "{\"count\":7}");
	json_t *m = veh_world_metrics_json(b.w);
	static const char *az[] = { "total", "clean", "compromised", "patched", "offline", "bricked", "revoked",
		                        "records_exfiltrated", "unsafe_events", "customers_affected", "compromised_car_hours",
		                        "service_downtime_s" };
	for (size_t k = 0; k < sizeof az / sizeof az[0]; k++) ASSERT_TRUE(json_is_number(json_object_get(m, az[k])));
	ASSERT_EQ_INT(jint(m, "total"), 2000);
	ASSERT_EQ_INT(jint(m, "compromised"), 7);
	ASSERT_EQ_INT(json_object_size(json_object_get(m, "services")), 5);
	json_decref(m);
	json_t *r = call_obj(b, "world.metrics", "{}");
	ASSERT_EQ_INT(jint(r, "compromised"), 7);
	json_decref(r);
	free_world(b);
}

TEST(revoking_the_signing_key_stops_a_malicious_ota_and_a_genuine_one_cleans_it) {
	box b = make_world(12, NULL);
	call_int(b, "service.degrade", "{\"name\":\"pki\",\"level\":\"compromised\"}");
	json_t *r = call_obj(b, "attack.malicious_ota", "{\"ecu\":\"ivi\",\"version\":\"5.2.0\",\"rollout\":0.5}");
	ASSERT_TRUE(json_is_true(json_object_get(r, "accepted")));
	json_decref(r);
	eng_sim_run_until(b.sim, HOUR(1));
	int64_t n1 = metrics(b).compromised;
	ASSERT_LT(100, n1);
	r = act(b, "revoke_certificate", "{\"scope\":\"signing_key\"}");
	ASSERT_EQ_INT(jint(r, "cut_cars"), 0);
	ASSERT_EQ_INT(jint(r, "packages_rejected"), 1);
	json_decref(r);
	json_t *st = call_obj(b, "service.status", "{\"name\":\"pki\"}");
	ASSERT_EQ_STR(json_string_value(json_object_get(st, "health")), "up");
	json_decref(st);
	eng_sim_run_until(b.sim, HOUR(2));
	ASSERT_EQ_INT(metrics(b).compromised, n1);  /* no new installs: downloads in flight were rejected */
	ASSERT_EQ_INT(metrics(b).ota_downloading + metrics(b).ota_installing + metrics(b).ota_offered, 0);
	/* the genuine 5.2.1 re-flashes the IVI and removes the implant */
	json_decref(act(b, "ota_campaign", "{\"select\":{\"ecu\":\"ivi\"},\"ecu\":\"ivi\",\"version\":\"5.2.1\",\"rollout\":1}"));
	eng_sim_run_until(b.sim, HOUR(5));
	ASSERT_LT(metrics(b).compromised, n1 * 0.05);
	free_world(b);
}

TEST(restoring_an_isolated_service_brings_it_back_clean) {
	box b = make_world(12, NULL);
	call_int(b, "service.degrade", "{\"name\":\"ota\",\"level\":\"compromised\"}");
	json_decref(act(b, "isolate_service", "{\"name\":\"ota\"}"));
	json_t *r = call_obj(b, "attack.malicious_ota", "{\"ecu\":\"ivi\",\"version\":\"5.2.0\"}");
	ASSERT_FALSE(json_is_true(json_object_get(r, "accepted")));  /* isolated: nothing to push from */
	json_decref(r);
	eng_sim_run_until(b.sim, MIN(30));
	json_decref(act(b, "restore_service", "{\"name\":\"ota\"}"));
	json_t *st = call_obj(b, "service.status", "{\"name\":\"ota\"}");
	ASSERT_EQ_STR(json_string_value(json_object_get(st, "health")), "up");
	ASSERT_FALSE(json_is_true(json_object_get(st, "isolated")));
	json_decref(st);
	ASSERT_NEAR(metrics(b).service_downtime_s, 1800, 1);
	free_world(b);
}

TEST(queries_snapshots_and_hashes_do_not_perturb_the_run) {
	char h1[65], h2[65];
	scripted_run(42, h1, HOUR(2));
	box b = make_world(42, "{\"offline.fraction\":0.1}");
	call_int(b, "attack.compromise", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"fraction\":0.05}");
	for (eng_time_t t = MIN(1); t <= MIN(30); t += MIN(1)) {  /* an observer sampling every simulated minute */
		eng_sim_run_until(b.sim, t);
		json_decref(veh_world_metrics_json(b.w));
		json_decref(call_obj(b, "fleet.select", "{\"state\":\"compromised\"}"));
		json_decref(veh_world_catalog_json(b.w));
		char hx[65];
		veh_world_state_hash(b.w, hx);
		unsigned char *buf;
		size_t len;
		ky_err err = { 0 };
		ASSERT_EQ_INT(veh_world_snapshot(b.w, &buf, &len, &err), 0);
		free(buf);
	}
	call_int(b, "attack.spread", "{\"rate\":0.5}");
	json_decref(act(b, "ota_campaign", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"ecu\":\"tcu\",\"version\":\"2.4.0\",\"rollout\":0.5}"));
	json_decref(act(b, "notify", "{\"party\":\"regulator\",\"text\":\"x\"}"));
	json_decref(act(b, "assess", "{\"component\":\"openssl\",\"affected\":3}"));
	eng_sim_run_until(b.sim, HOUR(1));
	json_decref(act(b, "block_indicator", "{\"value\":\"203.0.113.7\"}"));
	eng_sim_run_until(b.sim, HOUR(2));
	veh_world_state_hash(b.w, h2);
	ASSERT_EQ_STR(h1, h2);
	free_world(b);
}

TEST(cyclonedx_input_is_checked) {
	box b = make_world(1, NULL);
	ky_err err = { 0 };
	json_t *bom = J("{\"bomFormat\":\"SPDX\",\"components\":[]}");
	ASSERT_EQ_INT(veh_world_add_sbom_cyclonedx(b.w, "tcu", "2.3.1", bom, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "bomFormat");
	json_decref(bom);
	bom = J("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[{\"version\":\"1.1.1k\"}]}");
	ASSERT_EQ_INT(veh_world_add_sbom_cyclonedx(b.w, "tcu", "2.3.1", bom, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "$.components[0]: a component needs a name");
	json_decref(bom);
	bom = J("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[{\"name\":\"openssl\",\"version\":\"1.1.1k\"}]}");
	ASSERT_EQ_INT(veh_world_add_sbom_cyclonedx(b.w, "radio", "2.3.1", bom, &err), KY_ENOENT);
	ASSERT_EQ_INT(veh_world_add_sbom_cyclonedx(b.w, "tcu", "two", bom, &err), KY_EPARSE);
	json_decref(bom);
	json_t *r = call_obj(b, "sbom.affected", "{\"component\":\"openssl\"}");
	ASSERT_EQ_INT(jint(r, "cars"), 0);   /* nothing was added */
	ASSERT_FALSE(json_is_true(json_object_get(r, "known")));
	json_decref(r);
	free_world(b);
}

TEST(a_compromised_backend_opens_paths_that_a_healthy_one_does_not) {
	box b = make_world(13, NULL);
	json_t *r = call_obj(b, "attack.exfiltrate", "{\"service\":\"app_api\",\"records\":5000}");
	ASSERT_EQ_INT(jint(r, "records"), 0);                    /* healthy: nothing to steal through */
	json_decref(r);
	call_int(b, "service.degrade", "{\"name\":\"app_api\",\"level\":\"compromised\"}");
	r = call_obj(b, "attack.exfiltrate", "{\"service\":\"app_api\",\"records\":5000}");
	ASSERT_EQ_INT(jint(r, "records"), 5000);
	json_decref(r);
	ASSERT_EQ_INT(metrics(b).records_exfiltrated, 5000);
	/* spread through the telematics backend needs it compromised, then reaches a share of all reachable cars */
	call_int(b, "attack.compromise", "{\"select\":{\"model\":\"SUV-B\"},\"count\":10}");
	ASSERT_EQ_INT(call_int(b, "attack.spread", "{\"rate\":0.1,\"via\":\"telematics\"}"), 0);
	call_int(b, "service.degrade", "{\"name\":\"telematics\",\"level\":\"compromised\"}");
	ASSERT_EQ_INT(call_int(b, "attack.spread", "{\"rate\":0.1,\"via\":\"telematics\",\"select\":{}}"), 199);  /* 10% of 1990 */
	/* abuse through the implants themselves (no app API needed) */
	json_decref(act(b, "isolate_service", "{\"name\":\"app_api\"}"));
	r = call_obj(b, "attack.abuse_feature", "{\"feature\":\"remote_unlock\",\"via\":\"c2\"}");
	ASSERT_EQ_INT(jint(r, "affected"), 209);
	json_decref(r);
	free_world(b);
}

TEST(a_scenario_alert_with_a_known_c2_feeds_that_campaigns_incident) {
	box b = make_world(13, "{\"offline.fraction\":0,\"ids.detect_p\":0,\"ids.fp_rate\":0}");
	call_int(b, "attack.compromise", "{\"count\":5,\"c2\":\"198.51.100.23\"}");
	call_int(b, "alert", "{\"count\":3,\"c2\":\"198.51.100.23\",\"text\":\"threat intel hit\"}");
	ASSERT_TRUE(saw_fact("alert"));
	eng_sim_run_until(b.sim, MIN(6));
	ASSERT_EQ_INT(metrics(b).incidents, 1);
	ASSERT_EQ_INT(metrics(b).alerts, 3);
	json_decref(act(b, "isolate_service", "{\"name\":\"vsoc\"}"));
	call_int(b, "alert", "{\"count\":4}");
	eng_sim_run_until(b.sim, MIN(30));
	ASSERT_EQ_INT(metrics(b).alerts_queued, 4);   /* nobody triages while the VSOC is down */
	free_world(b);
}

TEST(consecutive_snapshots_have_one_length_and_differ_in_few_bytes) {
	/* what the journal's XOR delta relies on: same layout, changes only where the state changed */
	box b = make_world(5, "{\"offline.fraction\":0.1}");
	ky_err err = { 0 };
	call_int(b, "attack.compromise", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"fraction\":0.05}");
	json_decref(act(b, "ota_campaign", "{\"select\":{\"ecu\":\"tcu\"},\"ecu\":\"tcu\",\"version\":\"2.6.0\",\"rollout\":0.5}"));
	eng_sim_run_until(b.sim, MIN(45));
	unsigned char *p1 = NULL, *p2 = NULL;
	size_t n1 = 0, n2 = 0;
	ASSERT_EQ_INT(veh_world_snapshot(b.w, &p1, &n1, &err), 0);
	eng_sim_run_until(b.sim, MIN(46));
	ASSERT_EQ_INT(veh_world_snapshot(b.w, &p2, &n2, &err), 0);
	ASSERT_EQ_INT(n1, n2);
	size_t nDiff = 0;
	for (size_t k = 0; k < n1; k++) nDiff += p1[k] != p2[k];
	ASSERT_LT(0, nDiff);
	ASSERT_LT(nDiff, n1 / 10);  /* a fifth of the cars checked in: two low byte planes of their check-in times, a few flags */
	free(p1);
	free(p2);
	free_world(b);
}

/* The counts check_counters recounts, per org (index) and in total (index VEH_ORG_MAX). */
typedef struct recount {
	int64_t total, comp, clean, patched, offline, bricked, revoked, flagged, aOta[VEH_OTA_FAILED + 1];
} recount;

static void compare_counts(const veh_world *w, int iOrg, const recount *r, const char *zWhen) {
	veh_metrics m;
	veh__metrics(w, iOrg, &m);
	int64_t nNone = 0, nFlagged = 0;
	for (int o = 0; o < w->nOrg; o++)
		if (iOrg < 0 || o == iOrg) nNone += w->aOrg[o].c.aOtaN[VEH_OTA_NONE], nFlagged += w->aOrg[o].c.nFlagged;
	const int64_t aGot[] = { m.total, m.compromised, m.clean, m.patched, m.offline, m.bricked, m.revoked, m.ota_offered,
		                     m.ota_downloading, m.ota_installing, m.ota_done, m.ota_failed, nNone, nFlagged };
	const int64_t aWant[] = { r->total, r->comp, r->clean, r->patched, r->offline, r->bricked, r->revoked,
		                      r->aOta[VEH_OTA_OFFERED], r->aOta[VEH_OTA_DOWNLOADING], r->aOta[VEH_OTA_INSTALLING],
		                      r->aOta[VEH_OTA_DONE], r->aOta[VEH_OTA_FAILED], r->aOta[VEH_OTA_NONE], r->flagged };
	static const char *azName[] = { "total", "compromised", "clean", "patched", "offline", "bricked", "revoked",
		                            "ota_offered", "ota_downloading", "ota_installing", "ota_done", "ota_failed", "ota none",
		                            "flagged" };
	for (size_t k = 0; k < sizeof aGot / sizeof aGot[0]; k++)
		if (aGot[k] != aWant[k])
			ky_test_fail(__FILE__, __LINE__, "%s: org %d: %s: counter %lld, recount %lld", zWhen, iOrg, azName[k],
			             (long long)aGot[k], (long long)aWant[k]);
}

/* Recounts over the car arrays every counter the world keeps incrementally, per organisation and in total, and
 * compares with its metrics and internal counts; fails naming zWhen. */
static void check_counters(const veh_world *w, const char *zWhen) {
	const veh_fleet *f = &w->f;
	static recount aR[VEH_ORG_MAX + 1];
	static int64_t aCampN[VEH_CAMP_MAX + 1], aBusy[VEH_OTA_MAX + 1];
	memset(aR, 0, sizeof aR);
	memset(aCampN, 0, sizeof aCampN);
	memset(aBusy, 0, sizeof aBusy);
	for (uint32_t i = 0; i < f->n; i++) {
		uint16_t fl = f->aFlags[i];
		recount *apR[2] = { &aR[veh__org_of(w, i)], &aR[VEH_ORG_MAX] };
		if ((fl & VEH_F_FLAGGED) && !(fl & VEH_F_COMP)) ky_test_fail(__FILE__, __LINE__, "%s: car %u flagged, not compromised", zWhen, i);
		for (int k = 0; k < 2; k++) {
			recount *r = apR[k];
			r->total++;
			r->comp += (fl & VEH_F_COMP) != 0;
			r->clean += !(fl & (VEH_F_COMP | VEH_F_BRICKED));
			r->patched += (fl & VEH_F_PATCHED) != 0;
			r->offline += (fl & VEH_F_OFFLINE) != 0;
			r->bricked += (fl & VEH_F_BRICKED) != 0;
			r->revoked += (fl & VEH_F_REVOKED) != 0;
			r->flagged += (fl & VEH_F_FLAGGED) != 0;
			r->aOta[f->aOta[i]]++;
		}
		if (f->aCamp[i]) aCampN[f->aCamp[i] - 1]++;
		if (f->aOta[i] >= VEH_OTA_OFFERED && f->aOta[i] <= VEH_OTA_INSTALLING) aBusy[f->aOtaCamp[i] - 1]++;
	}
	compare_counts(w, -1, &aR[VEH_ORG_MAX], zWhen);
	for (int o = 0; o < w->nOrg; o++) compare_counts(w, o, &aR[o], zWhen);
	for (int c = 0; c < w->nCamp; c++)
		if (w->aCamp[c].nComp != aCampN[c])
			ky_test_fail(__FILE__, __LINE__, "%s: campaign %d: %lld cars, recount %lld", zWhen, c, (long long)w->aCamp[c].nComp,
			             (long long)aCampN[c]);
	for (int o = 0; o < w->nOta; o++)
		if (w->aOta[o].nBusy != aBusy[o])
			ky_test_fail(__FILE__, __LINE__, "%s: OTA campaign %d: %lld busy, recount %lld", zWhen, o, (long long)w->aOta[o].nBusy,
			             (long long)aBusy[o]);
}

static uint64_t test_rand(uint64_t *x) {
	*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
	return *x;
}

/* The world of make_world with organisations: oem_a owns the Sedan-A, oem_b the SUV-B, and an ISAC without cars. */
static box make_world_orgs(uint64_t seed, const char *zParams) {
	box b;
	ky_err err = { 0 };
	b.sim = eng_sim_new(seed);
	b.w = veh_world_new(b.sim, &err);
	json_t *p = J(zParams);
	ASSERT_EQ_INT(veh_world_set_params(b.w, p, &err), 0);
	json_decref(p);
	static const char *az[] = { "{\"id\":\"oem_a\",\"kind\":\"oem\"}", "{\"id\":\"isac\",\"kind\":\"isac\"}",
		                        "{\"id\":\"oem_b\",\"kind\":\"oem\"}" };
	for (int k = 0; k < 3; k++) {
		json_t *o = J(az[k]);
		ASSERT_EQ_INT(veh_world_add_org(b.w, o, &err), 0);
		json_decref(o);
	}
	json_t *c1 = J("{\"model\":\"Sedan-A\",\"count\":1000,\"region\":\"JP-Kanto\",\"online\":1,\"org\":\"oem_a\","
	               "\"ecus\":{\"tcu\":\"2.3.1\",\"gw\":\"1.4.0\",\"ivi\":\"5.0.2\"}}");
	json_t *c2 = J("{\"model\":\"SUV-B\",\"count\":1000,\"region\":\"JP-Kansai\",\"online\":1,\"org\":\"oem_b\","
	               "\"features\":[\"remote_unlock\",\"location\"],\"ecus\":{\"tcu\":\"2.5.0\",\"gw\":\"1.4.0\"}}");
	ASSERT_EQ_INT(veh_world_add_cohort(b.w, c1, &err), 0);
	ASSERT_EQ_INT(veh_world_add_cohort(b.w, c2, &err), 0);
	json_decref(c1);
	json_decref(c2);
	veh_world_set_fact_sink(b.w, fact_sink, NULL);
	ASSERT_EQ_INT(veh_world_start(b.w, &err), 0);
	return b;
}

/* A busy random run (attacks, OTA with bricking and failures, revocations, re-provisioning, churn, restores from
 * snapshots) checking every incremental counter against a recount after each step; with orgs the services named are
 * oem_b's and the actions are taken by oem_a's and oem_b's teams in turn. */
static void busy_random_run(int bOrgs) {
	static const char *zParams = "{\"offline.fraction\":0.3,\"offline.mean\":600,\"ota.brick_p\":0.05,\"ota.fail_p\":0.2,"
	                             "\"ota.download_min\":60,\"ota.download_max\":300,\"ota.install_min\":60,"
	                             "\"ota.install_max\":300,\"pki.reprovision_per_hour\":600}";
	static const char *azOp[] = {
		"attack.compromise", "{\"fraction\":0.05,\"persistence\":true}",
		"attack.compromise", "{\"select\":{\"model\":\"SUV-B\"},\"fraction\":0.1,\"c2\":\"198.51.100.9\"}",
		"attack.spread", "{\"rate\":0.5}",
		"service.degrade", "{%s\"name\":\"ota\",\"level\":\"compromised\"}",
		"attack.malicious_ota", "{%s\"ecu\":\"gw\",\"version\":\"1.9.0\",\"brick_fraction\":0.3,\"c2\":\"192.0.2.66\"}",
		"attack.exfiltrate", "{\"records_per_car\":5}",
		"service.degrade", "{%s\"name\":\"telematics\",\"level\":\"degraded\"}",
		"service.degrade", "{%s\"name\":\"telematics\",\"level\":\"up\"}",
	};
	static const char *azAct[] = {
		"ota_campaign", "{\"select\":{\"ecu\":\"tcu\"},\"ecu\":\"tcu\",\"version\":\"2.6.%d\",\"rollout\":1}",
		"ota_campaign", "{\"select\":{\"ecu\":\"gw\"},\"ecu\":\"gw\",\"version\":\"1.5.%d\",\"rollout\":0.5}",
		"revoke_certificate", "{\"scope\":{\"state\":\"online\",\"region\":[\"JP-Kansai\",\"JP-Kanto\"]}}",
		"revoke_certificate", "{\"scope\":{\"state\":\"compromised\"}}",
		"revoke_certificate", "{\"scope\":\"signing_key\"}",
		"isolate_service", "{\"name\":\"ota\"}",
		"restore_service", "{\"name\":\"ota\"}",
		"block_indicator", "{\"value\":\"203.0.113.7\"}",
		"disable_feature", "{\"feature\":\"remote_unlock\"}",
		"recall", "{\"ecu\":\"gw\",\"version\":\"1.6.%d\",\"per_day\":1}",
	};
	const int nOp = (int)(sizeof azOp / sizeof azOp[0] / 2), nAct = (int)(sizeof azAct / sizeof azAct[0] / 2);
	box (*make)(uint64_t, const char *) = bOrgs ? make_world_orgs : make_world;
	box b = make(99, zParams);
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int nRestored = 0;
	char zWhen[160];
	check_counters(b.w, "start");
	for (int step = 1; step <= 72; step++) {  /* 6 simulated hours in 5-minute steps */
		int k = (int)(test_rand(&x) % (uint64_t)(nOp + nAct + 1));
		char zArgs[256];
		if (k < nOp) {
			snprintf(zArgs, sizeof zArgs, azOp[2 * k + 1], bOrgs ? "\"org\":\"oem_b\"," : "");
			json_decref(call_obj(b, azOp[2 * k], zArgs));
			snprintf(zWhen, sizeof zWhen, "step %d after %s", step, azOp[2 * k]);
		} else if (k < nOp + nAct) {
			ky_err err = { 0 };
			json_t *r = NULL;
			snprintf(zArgs, sizeof zArgs, azAct[2 * (k - nOp) + 1], step);
			json_t *a = J(zArgs);
			int rc = veh_world_action_as(b.w, "t", bOrgs ? (step % 2 ? "oem_a" : "oem_b") : NULL, azAct[2 * (k - nOp)], a, &r, &err);
			json_decref(a);
			json_decref(r);
			if (rc) ky_test_fail(__FILE__, __LINE__, "%s failed: %s", azAct[2 * (k - nOp)], err.zMsg);
			snprintf(zWhen, sizeof zWhen, "step %d after %s", step, azAct[2 * (k - nOp)]);
		} else {  /* continue in a fresh world restored from a snapshot */
			ky_err err = { 0 };
			unsigned char *buf = NULL;
			size_t len = 0;
			ASSERT_EQ_INT(veh_world_snapshot(b.w, &buf, &len, &err), 0);
			box r = make(99, zParams);
			eng_sim_run_until(r.sim, eng_sim_now(b.sim));
			ASSERT_EQ_INT(veh_world_restore(r.w, buf, len, &err), 0);
			free(buf);
			free_world(b);
			b = r;
			nRestored++;
			snprintf(zWhen, sizeof zWhen, "step %d after a restore", step);
		}
		check_counters(b.w, zWhen);
		eng_sim_run_until(b.sim, MIN(5 * step));
		snprintf(zWhen + strlen(zWhen), sizeof zWhen - strlen(zWhen), " and 5 simulated minutes");
		check_counters(b.w, zWhen);
	}
	veh_metrics m = metrics(b);
	/* the run was busy: every kind of transition happened */
	ASSERT_LT(0, nRestored);
	ASSERT_LT(0, m.compromised);
	ASSERT_LT(0, m.bricked);
	ASSERT_LT(0, m.patched);
	ASSERT_LT(0, m.revoked);
	ASSERT_LT(0, m.offline);
	ASSERT_LT(0, m.ota_done);
	ASSERT_LT(0, m.ota_failed);
	ASSERT_LT(0, m.recall_visits);
	free_world(b);
}

TEST(incremental_counters_equal_a_recount_after_a_busy_random_run) { busy_random_run(0); }

TEST(incremental_counters_of_every_org_equal_a_recount_after_a_busy_random_run) { busy_random_run(1); }

TEST(a_firmware_version_no_campaign_targets_survives_a_snapshot) {
	/* the codec stores versions as codes (initial firmware, an OTA campaign's target) with exceptions for the rest */
	box a = make_world(21, NULL);
	ky_err err = { 0 };
	json_decref(act(a, "ota_campaign", "{\"select\":{\"ecu\":\"tcu\"},\"ecu\":\"tcu\",\"version\":\"2.6.0\",\"rollout\":1}"));
	eng_sim_run_until(a.sim, HOUR(1));
	unsigned char *p0 = NULL, *p1 = NULL;
	size_t n0 = 0, n1 = 0;
	ASSERT_EQ_INT(veh_world_snapshot(a.w, &p0, &n0, &err), 0);
	a.w->f.aVer[VEH_ECU_GW][7] = 0x00C01234u;  /* no cohort or campaign has it */
	a.w->f.aVer[VEH_ECU_TCU][1500] = 0x00C05678u;
	ASSERT_EQ_INT(veh_world_snapshot(a.w, &p1, &n1, &err), 0);
	ASSERT_EQ_INT(n1, n0 + 2000 + 2 * 12);  /* the gw code column (was all initial firmware) and two exceptions */
	box b = make_world(21, NULL);
	eng_sim_run_until(b.sim, HOUR(1));
	ASSERT_EQ_INT(veh_world_restore(b.w, p1, n1, &err), 0);
	ASSERT_EQ_U64(b.w->f.aVer[VEH_ECU_GW][7], 0x00C01234u);
	ASSERT_EQ_U64(b.w->f.aVer[VEH_ECU_TCU][1500], 0x00C05678u);
	char ha[65], hb[65];
	veh_world_state_hash(a.w, ha);
	veh_world_state_hash(b.w, hb);
	ASSERT_EQ_STR(ha, hb);
	p1[n1 - 1] ^= 0x40;  /* an exception that no longer matches its car: rejected */
	p1[n1 - 12] ^= 0x01;
	ASSERT_EQ_INT(veh_world_restore(b.w, p1, n1, &err), KY_EPARSE);
	ASSERT_EQ_INT(veh_world_restore(b.w, p0, n0, &err), 0);
	ASSERT_EQ_U64(b.w->f.aVer[VEH_ECU_GW][7], 0x00400000u | (4u << 11));  /* back to the cohort's 1.4.0 */
	free(p0);
	free(p1);
	free_world(a);
	free_world(b);
}

/* CONTRACT §4 visibility "observed": the owner sees the compromised cars its detection flagged, never more than the
 * truth, lagging it as the IDS detection rate dictates; false positives raise alerts but flag no car; a compromised
 * backend service looks up until the VSOC opens an incident for the attack that came through it. */
TEST(the_observed_view_lags_the_truth_and_never_exceeds_it) {
	box b = make_world(5, "{\"offline.fraction\":0,\"ids.detect_p\":0.1,\"ids.fp_rate\":0.02}");
	call_int(b, "attack.compromise", "{\"select\":{\"model\":\"Sedan-A\"},\"count\":400,\"persistence\":true}");
	int64_t aObs[7];
	for (int k = 0; k < 7; k++) {
		eng_sim_run_until(b.sim, MIN(10 * k));
		json_t *o = veh_world_observed_json(b.w);
		ASSERT_TRUE(json_is_true(json_object_get(o, "observed")));
		ASSERT_TRUE(json_object_get(o, "records_exfiltrated") == NULL && json_object_get(o, "compromised_car_hours") == NULL);
		aObs[k] = jint(o, "compromised");
		ASSERT_LE(aObs[k], metrics(b).compromised);
		ASSERT_EQ_INT(jint(o, "clean"), 2000 - aObs[k]);
		ASSERT_EQ_INT(jint(o, "alerts"), metrics(b).alerts);  /* alerts, false ones included, are observed */
		if (k) ASSERT_LE(aObs[k - 1], aObs[k]);
		json_decref(o);
	}
	ASSERT_EQ_INT(aObs[0], 0);
	/* 10% of each beacon is detected, two check-ins per 10 minutes: about 1-(0.9^12) = 72% after an hour */
	ASSERT_NEAR((double)aObs[6] / 400, 0.72, 0.08);
	veh_metrics m = metrics(b);
	ASSERT_LT(m.alerts, 2000 * 12);  /* false positives came: more alerts than the flagged cars' */
	ASSERT_LT(aObs[6], m.alerts);
	/* the same seed gives the same lag */
	box c = make_world(5, "{\"offline.fraction\":0,\"ids.detect_p\":0.1,\"ids.fp_rate\":0.02}");
	call_int(c, "attack.compromise", "{\"select\":{\"model\":\"Sedan-A\"},\"count\":400,\"persistence\":true}");
	eng_sim_run_until(c.sim, MIN(60));
	json_t *oc = veh_world_observed_json(c.w);
	ASSERT_EQ_INT(jint(oc, "compromised"), aObs[6]);
	json_decref(oc);
	/* patched cars leave the observed count with the truth */
	json_decref(act(b, "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"2.6.0\",\"rollout\":1}"));
	eng_sim_run_until(b.sim, HOUR(4));
	json_t *o = veh_world_observed_json(b.w);
	ASSERT_LE(jint(o, "compromised"), metrics(b).compromised);
	json_decref(o);
	free_world(b);
	free_world(c);
}

TEST(a_compromised_service_looks_up_until_an_incident_names_it) {
	box b = make_world(5, "{\"offline.fraction\":0,\"ids.detect_p\":0}");
	call_int(b, "service.degrade", "{\"name\":\"telematics\",\"level\":\"compromised\"}");
	json_t *o = veh_world_observed_json(b.w), *t = veh_world_metrics_json(b.w);
	ASSERT_EQ_STR(json_string_value(json_object_get(json_object_get(o, "services"), "telematics")), "up");
	ASSERT_EQ_STR(json_string_value(json_object_get(json_object_get(t, "services"), "telematics")), "compromised");
	json_decref(o);
	json_decref(t);
	/* an attack through it, and the VSOC alerted by the scenario: an incident, now seen */
	call_int(b, "attack.compromise", "{\"select\":{\"model\":\"SUV-B\"},\"count\":5,\"entry\":\"telematics\",\"c2\":\"198.51.100.9\"}");
	call_obj(b, "alert", "{\"c2\":\"198.51.100.9\",\"count\":3}");
	eng_sim_run_until(b.sim, MIN(30));
	ASSERT_LT(0, metrics(b).incidents);
	o = veh_world_observed_json(b.w);
	ASSERT_EQ_STR(json_string_value(json_object_get(json_object_get(o, "services"), "telematics")), "compromised");
	json_decref(o);
	/* an isolated service is seen down at once */
	json_decref(act(b, "isolate_service", "{\"name\":\"ota\"}"));
	o = veh_world_observed_json(b.w);
	ASSERT_EQ_STR(json_string_value(json_object_get(json_object_get(o, "services"), "ota")), "down");
	json_decref(o);
	free_world(b);
}

/* issue 18: pause one OTA campaign (a poisoned one) without taking the whole OTA service down; resume goes on. */
TEST(a_paused_ota_campaign_offers_nothing_and_its_cars_wait_until_resumed) {
	box b = make_world(8, "{\"offline.fraction\":0,\"ota.download_min\":600,\"ota.download_max\":600}");
	json_t *r = act(b, "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"2.6.0\",\"rollout\":0.5}");
	ASSERT_EQ_INT(jint(r, "campaign"), 1);
	json_decref(r);
	eng_sim_run_until(b.sim, MIN(30));
	json_t *m = veh_world_metrics_json(b.w);
	json_t *c = json_array_get(json_object_get(m, "ota_campaigns"), 0);
	int64_t nOffered = jint(c, "offered");
	ASSERT_LT(0, nOffered);
	ASSERT_TRUE(json_is_false(json_object_get(c, "malicious")));
	json_decref(m);
	r = act(b, "pause_ota_campaign", "{\"campaign\":1}");
	ASSERT_TRUE(json_is_true(json_object_get(r, "paused")));
	json_decref(r);
	veh_metrics m0 = metrics(b);
	eng_sim_run_until(b.sim, HOUR(2));
	veh_metrics m1 = metrics(b);
	m = veh_world_observed_json(b.w);
	c = json_array_get(json_object_get(m, "ota_campaigns"), 0);
	ASSERT_EQ_INT(jint(c, "offered"), nOffered);  /* no new offers while paused */
	ASSERT_TRUE(json_is_true(json_object_get(c, "paused")));
	ASSERT_TRUE(json_object_get(c, "malicious") == NULL);  /* the owner's console does not say which is malicious */
	json_decref(m);
	ASSERT_LE(m1.ota_done, m0.ota_done + m0.ota_installing);  /* only installs under way finished */
	r = act(b, "resume_ota_campaign", "{\"campaign\":1}");
	json_decref(r);
	eng_sim_run_until(b.sim, HOUR(6));
	ASSERT_LT(nOffered, metrics(b).ota_done);
	ky_err err = { 0 };
	json_t *a = J("{\"campaign\":7}");
	r = NULL;
	ASSERT_EQ_INT(veh_world_action(b.w, "vsoc", "pause_ota_campaign", a, &r, &err), KY_ENOENT);
	ASSERT_CONTAINS(err.zMsg, "there is no OTA campaign 7 (1 so far)");
	json_decref(a);
	/* a paused campaign survives a snapshot */
	json_decref(act(b, "pause_ota_campaign", "{\"campaign\":1}"));
	unsigned char *buf = NULL;
	size_t len = 0;
	ASSERT_EQ_INT(veh_world_snapshot(b.w, &buf, &len, &err), 0);
	box r2 = make_world(8, "{\"offline.fraction\":0,\"ota.download_min\":600,\"ota.download_max\":600}");
	eng_sim_run_until(r2.sim, eng_sim_now(b.sim));
	ASSERT_EQ_INT(veh_world_restore(r2.w, buf, len, &err), 0);
	ASSERT_EQ_INT(r2.w->aOta[0].bPaused, 1);
	char h1[65], h2[65];
	veh_world_state_hash(b.w, h1);
	veh_world_state_hash(r2.w, h2);
	ASSERT_EQ_STR(h1, h2);
	free(buf);
	free_world(r2);
	free_world(b);
}

/* Sedan-A (1000, tcu 2.3.1, gw 1.4.0) and SUV-B (1000, tcu 2.5.0, gw 1.4.0); zlib < 1.2.13 is affected by the
 * advisory; tcu 2.3.1 carries zlib 1.2.12 through libcurl, tcu 2.5.0 has 1.2.13, gw 1.4.0 has 1.2.11 but its
 * supplier's statement clears it (the code is not reachable). */
static box vex_world(void) {
	box b = make_world(3, NULL);
	ky_err err = { 0 };
	json_t *s = J("{\"tcu\":{\"2.5.0\":[\"pkg:generic/zlib@1.2.13\"]},\"gw\":{\"1.4.0\":[\"zlib@1.2.11\"]}}");
	ASSERT_EQ_INT(veh_world_add_sbom(b.w, s, &err), 0);
	json_decref(s);
	const char *azDoc[] = {
		"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"metadata\":{\"component\":{\"type\":\"firmware\",\"name\":\"tcu\","
		"\"version\":\"2.3.1\",\"bom-ref\":\"fw\"}},\"components\":[{\"name\":\"libcurl\",\"version\":\"7.83.1\",\"bom-ref\":\"c\"},"
		"{\"name\":\"zlib\",\"version\":\"1.2.12\",\"bom-ref\":\"z\",\"purl\":\"pkg:generic/zlib@1.2.12\"}],\"dependencies\":"
		"[{\"ref\":\"fw\",\"dependsOn\":[\"c\"]},{\"ref\":\"c\",\"dependsOn\":[\"z\"]}]}",
		"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"vulnerabilities\":[{\"id\":\"CVE-2022-37434\",\"affects\":[{\"ref\":"
		"\"pkg:generic/zlib\",\"versions\":[{\"range\":\"vers:generic/<1.2.13\"}]}]},{\"id\":\"CVE-2022-37434\",\"analysis\":"
		"{\"state\":\"not_affected\",\"justification\":\"code_not_reachable\"},\"affects\":[{\"ref\":\"pkg:generic/zlib@1.2.11\"}]}]}",
	};
	for (int i = 0; i < 2; i++) {
		veh_sbom_load opt = { 0 };
		ASSERT_EQ_INT(veh_world_load_cyclonedx(b.w, azDoc[i], strlen(azDoc[i]), "doc.json", &opt, &err), 0);
	}
	return b;
}

TEST(a_vex_statement_is_judged_on_the_products_it_names) {
	box b = vex_world();
	json_t *r = call_obj(b, "sbom.affected", "{\"vulnerability\":\"CVE-2022-37434\"}");
	ASSERT_EQ_INT(jint(r, "cars"), 1000);   /* Sedan-A: tcu 2.3.1 */
	json_decref(r);
	/* right: tcu 2.3.1 affected */
	r = act(b, "assess", "{\"vulnerability\":\"CVE-2022-37434\",\"status\":\"affected\",\"select\":{\"ecu\":\"tcu\",\"version\":\"2.3.1\"}}");
	ASSERT_TRUE(json_is_true(json_object_get(r, "correct")));
	ASSERT_EQ_STR(json_string_value(json_object_get(r, "state")), "exploitable");
	ASSERT_EQ_INT(jint(r, "covered_affected"), 1000);
	ASSERT_NEAR(json_real_value(json_object_get(r, "error")), 0, 1e-9);
	json_t *p = json_array_get(json_object_get(r, "products"), 0);
	ASSERT_EQ_STR(json_string_value(json_object_get(p, "ecu")), "tcu");
	ASSERT_TRUE(json_is_true(json_object_get(p, "affected")));
	json_decref(r);
	/* right: the gateway is not affected, although every Sedan-A (which has one) is */
	r = act(b, "assess", "{\"vulnerability\":\"CVE-2022-37434\",\"status\":\"not_affected\",\"justification\":"
	                     "\"vulnerable_code_not_in_execute_path\",\"select\":{\"ecu\":\"gw\"}}");
	ASSERT_TRUE(json_is_true(json_object_get(r, "correct")));
	ASSERT_FALSE(json_is_true(json_object_get(r, "wrong_not_affected")));
	ASSERT_EQ_STR(json_string_value(json_object_get(r, "justification")), "code_not_reachable");   /* CISA name mapped */
	json_decref(r);
	/* wrong: Sedan-A said not affected (its tcu is) */
	r = act(b, "assess", "{\"vulnerability\":\"CVE-2022-37434\",\"status\":\"not_affected\",\"detail\":\"we think not\","
	                     "\"select\":{\"model\":\"Sedan-A\"}}");
	ASSERT_TRUE(json_is_true(json_object_get(r, "wrong_not_affected")));
	ASSERT_EQ_INT(jint(r, "covered_affected"), 1000);
	ASSERT_EQ_INT(json_array_size(json_object_get(r, "products")), 2);   /* gw 1.4.0 and tcu 2.3.1 */
	json_decref(r);
	/* wrong the other way: SUV-B said affected */
	r = act(b, "assess", "{\"vulnerability\":\"CVE-2022-37434\",\"status\":\"affected\",\"response\":\"update\",\"select\":{\"model\":\"SUV-B\"}}");
	ASSERT_FALSE(json_is_true(json_object_get(r, "correct")));
	ASSERT_FALSE(json_is_true(json_object_get(r, "wrong_not_affected")));
	ASSERT_EQ_STR(json_string_value(json_array_get(json_object_get(r, "response"), 0)), "update");
	json_decref(r);
	/* under investigation is neither right nor wrong */
	r = act(b, "assess", "{\"vulnerability\":\"CVE-2022-37434\",\"status\":\"under_investigation\"}");
	ASSERT_TRUE(json_is_null(json_object_get(r, "correct")));
	json_decref(r);
	/* patching changes the cars, not the products' truth */
	json_decref(act(b, "ota_campaign", "{\"select\":{\"model\":\"Sedan-A\"},\"ecu\":\"tcu\",\"version\":\"2.5.0\",\"rollout\":1}"));
	eng_sim_run_until(b.sim, HOUR(4));
	r = call_obj(b, "sbom.affected", "{\"vulnerability\":\"CVE-2022-37434\"}");
	ASSERT_LT(jint(r, "cars"), 30);
	json_decref(r);
	free_world(b);
}

TEST(a_bad_vex_statement_is_refused_and_changes_nothing) {
	box b = vex_world();
	expect_error(b, 1, "assess", "{\"vulnerability\":\"CVE-2022-37434\"}", KY_EINVAL, "status: expected affected, not_affected");
	expect_error(b, 1, "assess", "{\"vulnerability\":\"CVE-2022-37434\",\"status\":\"fine\"}", KY_EINVAL, "status:");
	expect_error(b, 1, "assess", "{\"vulnerability\":\"CVE-2022-37434\",\"status\":\"not_affected\"}", KY_EINVAL, "needs a justification");
	expect_error(b, 1, "assess", "{\"vulnerability\":\"CVE-2022-37434\",\"status\":\"not_affected\",\"justification\":\"lucky\"}",
	             KY_EINVAL, "justification: expected code_not_present");
	expect_error(b, 1, "assess", "{\"vulnerability\":\"CVE-2022-37434\",\"status\":\"affected\",\"response\":[\"pray\"]}", KY_EINVAL,
	             "response: expected one or more");
	expect_error(b, 1, "assess", "{\"vulnerability\":\"CVE-2022-37434\",\"status\":\"affected\",\"select\":{\"model\":\"Kei-C\"}}",
	             KY_ENOENT, "unknown model 'Kei-C'");
	expect_error(b, 1, "assess", "{\"component\":\"zlib\",\"range\":\"vers:deb/<1\"}", KY_EPARSE, "unknown type 'deb'");
	free_world(b);
}
