/* The harm index (vehicles/harm.c): each quantity and its weight, the time integrals against a brute-force recount
 * second by second after a busy random run, what makes a team action "effective" and its "coverage", the snapshot
 * trailer, and the state hash that the harm index does not change. */
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

static json_t *J(const char *z) {
	json_error_t e;
	json_t *j = json_loads(z, 0, &e);
	if (!j) ky_test_fail(__FILE__, __LINE__, "bad test JSON: %s: %s", z, e.text);
	return j;
}

/* 1000 Sedan-A (tcu 2.3.1, every feature) and 1000 SUV-B (tcu 2.5.0, remote_unlock and location), all online. */
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
	ASSERT_EQ_INT(veh_world_start(b.w, &err), 0);
	return b;
}

static void free_world(box b) {
	veh_world_free(b.w);
	eng_sim_free(b.sim);
}

static json_t *call(box b, const char *verb, const char *args) {
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

static int effective(json_t *r) {
	int b = json_is_true(json_object_get(r, "effective"));
	json_decref(r);
	return b;
}

static double num(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }

static veh_metrics metrics(box b) {
	veh_metrics m;
	veh_world_metrics(b.w, &m);
	return m;
}

TEST(harm_is_the_weighted_sum_of_its_five_quantities) {
	box b = make_world(7, NULL);
	ky_err err = { 0 };
	json_t *w = J("{\"compromised_car_hours\":3,\"records\":0.5,\"unsafe_events\":100,\"bricked\":7,\"customer_hours\":2}");
	ASSERT_EQ_INT(veh_world_set_harm(b.w, w, &err), 0);
	json_decref(w);
	json_decref(call(b, "attack.compromise", "{\"select\":{\"model\":\"Sedan-A\"},\"count\":100}"));
	json_decref(call(b, "attack.exfiltrate", "{\"records_per_car\":10}"));
	eng_sim_run_until(b.sim, HOUR(1));       /* 100 compromised cars for an hour, each beaconing 12 times */
	json_decref(act(b, "isolate_service", "{\"name\":\"app_api\"}"));
	eng_sim_run_until(b.sim, HOUR(1) + MIN(30));  /* every customer without the app for half an hour */
	veh_metrics m = metrics(b);
	ASSERT_NEAR(m.compromised_car_hours, 150, 1e-9);
	ASSERT_NEAR(m.customer_hours, 2000 * 0.5, 1e-9);
	ASSERT_EQ_INT(m.customers_affected, 2000);
	double aPart[VEH_HARM_N];
	double h = veh_world_harm(b.w, aPart);
	ASSERT_NEAR(h, 3 * 150 + 0.5 * (double)m.records_exfiltrated + 2 * 1000, 1e-6);
	ASSERT_NEAR(aPart[VEH_HARM_RECORDS], 0.5 * (double)m.records_exfiltrated, 1e-9);
	ASSERT_LT(0, m.records_exfiltrated);
	ASSERT_NEAR(m.harm, h, 1e-9);
	json_t *mj = veh_world_metrics_json(b.w);
	ASSERT_NEAR(num(mj, "harm"), h, 1e-9);
	ASSERT_NEAR(num(json_object_get(mj, "harm_parts"), "customer_hours"), 2000, 1e-9);
	json_decref(mj);
	/* back up: no more customer-hours accrue, the ones lost stay */
	json_decref(act(b, "restore_service", "{\"name\":\"app_api\"}"));
	eng_sim_run_until(b.sim, HOUR(3));
	ASSERT_NEAR(metrics(b).customer_hours, 1000, 1e-9);
	ASSERT_EQ_INT(metrics(b).customers_affected, 0);
	free_world(b);
}

TEST(harm_weights_are_checked_and_have_documented_defaults) {
	box b = make_world(7, NULL);
	ky_err err = { 0 };
	json_t *w = veh_world_harm_weights_json(b.w);
	ASSERT_NEAR(num(w, "customer_hours"), 1, 0);
	ASSERT_NEAR(num(w, "compromised_car_hours"), 20, 0);
	ASSERT_NEAR(num(w, "records"), 10, 0);
	ASSERT_NEAR(num(w, "bricked"), 200, 0);
	ASSERT_NEAR(num(w, "unsafe_events"), 2000, 0);
	json_decref(w);
	json_t *bad = J("{\"records\":1,\"customers\":2}");
	ASSERT_EQ_INT(veh_world_set_harm(b.w, bad, &err), KY_ENOENT);
	ASSERT_CONTAINS(err.zMsg, "unknown quantity 'customers'");
	json_decref(bad);
	bad = J("{\"records\":-1}");
	ASSERT_EQ_INT(veh_world_set_harm(b.w, bad, &err), KY_EINVAL);
	json_decref(bad);
	w = veh_world_harm_weights_json(b.w);
	ASSERT_NEAR(num(w, "records"), 10, 0);  /* nothing changed on error */
	json_decref(w);
	free_world(b);
}

TEST(every_lost_service_of_a_customer_counts_and_the_harm_does_not_change_the_state_hash) {
	const char *zNoPki = "{\"offline.fraction\":0,\"pki.reprovision_per_hour\":0}";  /* revoked cars stay cut */
	box a = make_world(7, zNoPki), b = make_world(7, zNoPki);
	ky_err err = { 0 };
	json_t *w = J("{\"customer_hours\":5}");
	ASSERT_EQ_INT(veh_world_set_harm(b.w, w, &err), 0);
	json_decref(w);
	for (int k = 0; k < 2; k++) {
		box x = k ? b : a;
		json_decref(act(x, "disable_feature", "{\"feature\":\"remote_start\"}"));        /* 1000 Sedan-A have it */
		json_decref(act(x, "disable_feature", "{\"feature\":\"location\"}"));            /* all 2000 */
		json_decref(act(x, "revoke_certificate", "{\"scope\":{\"model\":\"SUV-B\"}}")); /* 1000 more */
		eng_sim_run_until(x.sim, HOUR(1));
	}
	veh_metrics m = metrics(a);
	ASSERT_EQ_INT(m.customers_affected, 2000);
	ASSERT_NEAR(m.customer_hours, 1000 + 2000 + 1000, 1e-9);
	ASSERT_NEAR(veh_world_harm(b.w, NULL), 5 * 4000.0, 1e-6);
	char h1[65], h2[65];
	veh_world_state_hash(a.w, h1);
	veh_world_state_hash(b.w, h2);
	ASSERT_EQ_STR(h1, h2);  /* weights are configuration, integrals history: neither is in the hash */
	free_world(a);
	free_world(b);
}

TEST(an_action_is_effective_only_when_it_touches_what_the_incident_uses) {
	box b = make_world(7, NULL);
	/* nothing happened yet: nothing is effective */
	ASSERT_FALSE(effective(act(b, "block_indicator", "{\"value\":\"203.0.113.7\"}")));
	ASSERT_FALSE(effective(act(b, "isolate_service", "{\"name\":\"vsoc\"}")));
	ASSERT_FALSE(effective(act(b, "disable_feature", "{\"feature\":\"remote_start\"}")));
	json_decref(call(b, "attack.compromise", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"count\":50,"
	                                        "\"c2\":\"198.51.100.9\",\"indicators\":[\"evil.example\"]}"));
	ASSERT_TRUE(effective(act(b, "block_indicator", "{\"value\":\"EVIL.example\"}")));  /* a listed indicator */
	ASSERT_FALSE(effective(act(b, "block_indicator", "{\"value\":\"192.0.2.1\"}")));
	ASSERT_FALSE(effective(act(b, "isolate_service", "{\"name\":\"telematics\"}")));      /* not on the attack path */
	json_decref(act(b, "restore_service", "{\"name\":\"telematics\"}"));
	json_decref(call(b, "service.degrade", "{\"name\":\"app_api\",\"level\":\"compromised\"}"));
	ASSERT_TRUE(effective(act(b, "isolate_service", "{\"name\":\"app_api\"}")));
	/* an update of the ECU the attack targets reaches its cars; of another ECU, or other cars, not */
	json_t *r = act(b, "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"2.4.0\",\"select\":{\"model\":\"Sedan-A\"}}");
	ASSERT_TRUE(json_is_true(json_object_get(r, "effective")));
	ASSERT_NEAR(num(r, "coverage"), 1, 1e-12);
	json_decref(r);
	ASSERT_FALSE(effective(act(b, "ota_campaign", "{\"ecu\":\"ivi\",\"version\":\"5.1.0\"}")));
	ASSERT_FALSE(effective(act(b, "ota_campaign", "{\"ecu\":\"tcu\",\"version\":\"2.6.0\",\"select\":{\"model\":\"SUV-B\"}}")));
	/* revocation: the compromised cars among those cut; coverage is the share of the incident's cars reached */
	r = act(b, "revoke_certificate", "{\"scope\":{\"state\":\"compromised\"}}");
	ASSERT_TRUE(json_is_true(json_object_get(r, "effective")));
	ASSERT_NEAR(num(r, "coverage"), 50.0 / 1000.0, 1e-12);
	json_decref(r);
	ASSERT_FALSE(effective(act(b, "revoke_certificate", "{\"scope\":{\"model\":\"SUV-B\"}}")));
	/* a feature becomes part of the incident once an attack abuses it */
	json_decref(call(b, "attack.abuse_feature", "{\"feature\":\"remote_unlock\",\"fraction\":0.01,\"select\":{\"region\":\"JP-Kanto\"},\"via\":\"c2\"}"));
	r = act(b, "disable_feature", "{\"feature\":\"remote_unlock\",\"select\":{\"model\":\"SUV-B\"}}");
	ASSERT_FALSE(json_is_true(json_object_get(r, "effective")));  /* the abuse targeted Kanto: the Sedan-A */
	json_decref(r);
	r = act(b, "disable_feature", "{\"feature\":\"remote_unlock\",\"select\":{\"region\":\"JP-Kanto\"}}");
	ASSERT_TRUE(json_is_true(json_object_get(r, "effective")));
	ASSERT_NEAR(num(r, "coverage"), 1, 1e-12);
	json_decref(r);
	free_world(b);
}

TEST(a_theft_or_an_abuse_through_a_credential_puts_its_service_on_the_attack_path) {
	box b;
	ky_err err = { 0 };
	b.sim = eng_sim_new(7);
	b.w = veh_world_new(b.sim, &err);
	ASSERT_TRUE(b.w != NULL);
	json_t *j = J("{\"offline.fraction\":0}");
	ASSERT_EQ_INT(veh_world_set_params(b.w, j, &err), 0);
	json_decref(j);
	j = J("{\"model\":\"Sedan-A\",\"count\":1000,\"region\":\"JP-Kanto\",\"online\":1,\"ecus\":{\"tcu\":\"2.3.1\"}}");
	ASSERT_EQ_INT(veh_world_add_cohort(b.w, j, &err), 0);
	json_decref(j);
	j = J("{\"id\":\"key\",\"kind\":\"api_key\",\"held_by\":\"partners\",\"reaches\":[\"app_api\"]}");
	ASSERT_EQ_INT(veh_world_add_credential(b.w, j, &err), 0);
	json_decref(j);
	ASSERT_EQ_INT(veh_world_start(b.w, &err), 0);
	ASSERT_FALSE(effective(act(b, "isolate_service", "{\"name\":\"app_api\"}")));  /* nothing uses it yet */
	json_decref(act(b, "restore_service", "{\"name\":\"app_api\"}"));
	json_t *r = call(b, "attack.abuse_feature", "{\"feature\":\"remote_unlock\",\"fraction\":0.5,\"credential\":\"key\"}");
	ASSERT_LT(0, num(r, "affected"));
	json_decref(r);
	r = act(b, "disable_feature", "{\"feature\":\"remote_unlock\",\"select\":{\"region\":\"JP-Kanto\"}}");
	ASSERT_TRUE(json_is_true(json_object_get(r, "effective")));
	ASSERT_NEAR(num(r, "coverage"), 1, 1e-12);
	json_decref(r);
	ASSERT_FALSE(effective(act(b, "isolate_service", "{\"name\":\"vsoc\"}")));
	ASSERT_TRUE(effective(act(b, "isolate_service", "{\"name\":\"app_api\"}")));  /* the abuse went through it */
	ASSERT_TRUE(effective(act(b, "rotate_credential", "{\"credential\":\"key\"}")));
	free_world(b);
}

static uint64_t test_rand(uint64_t *x) {
	*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
	return *x;
}

/* The services customers have lost now, counted the slow way: every car, every customer-facing service. */
static double customers_now_slow(const veh_world *w) {
	const veh_fleet *f = &w->f;
	double n = 0;
	for (int s = 0; s < VEH_SVC_N; s++)
		if ((s == VEH_SVC_TELEMATICS || s == VEH_SVC_APP_API || s == VEH_SVC_OTA) && (w->aOrg[0].aSvc[s].bIsolated || w->aOrg[0].aSvc[s].health == VEH_H_DOWN))
			n += f->n;
	for (uint32_t i = 0; i < f->n; i++) {
		n += (f->aFlags[i] & VEH_F_REVOKED) != 0;
		n += (f->aFlags[i] & VEH_F_BRICKED) != 0;
		for (int k = 0; k < VEH_FEAT_N; k++) n += (f->aFeatOff[i] >> k) & 1;
	}
	return n;
}

static double compromised_slow(const veh_world *w) {
	double n = 0;
	for (uint32_t i = 0; i < w->f.n; i++) n += (w->f.aFlags[i] & VEH_F_COMP) != 0;
	return n;
}

TEST(harm_counters_equal_a_brute_force_recount_after_a_busy_randomized_run) {
	/* check-ins in 1-minute slots: between two ticks nothing else brings the integrals up to date, so a change made
	 * without accounting first shows */
	static const char *zParams = "{\"offline.fraction\":0.3,\"offline.mean\":600,\"ota.brick_p\":0.05,\"ota.fail_p\":0.2,"
	                             "\"ota.download_min\":60,\"ota.download_max\":300,\"ota.install_min\":60,"
	                             "\"ota.install_max\":300,\"pki.reprovision_per_hour\":600,\"checkin.slot\":60}";
	static const char *azOp[] = {
		"attack.compromise", "{\"fraction\":0.05,\"persistence\":true}",
		"attack.compromise", "{\"select\":{\"model\":\"SUV-B\"},\"fraction\":0.1,\"c2\":\"198.51.100.9\"}",
		"attack.spread", "{\"rate\":0.5}",
		"service.degrade", "{\"name\":\"ota\",\"level\":\"compromised\"}",
		"service.degrade", "{\"name\":\"app_api\",\"level\":\"down\"}",
		"service.degrade", "{\"name\":\"telematics\",\"level\":\"down\"}",
		"service.degrade", "{\"name\":\"telematics\",\"level\":\"up\"}",
		"service.degrade", "{\"name\":\"app_api\",\"level\":\"up\"}",
		"attack.malicious_ota", "{\"ecu\":\"gw\",\"version\":\"1.9.0\",\"brick_fraction\":0.3,\"c2\":\"192.0.2.66\"}",
		"attack.exfiltrate", "{\"records_per_car\":5}",
		"attack.abuse_feature", "{\"feature\":\"remote_start\",\"fraction\":0.01}",
	};
	static const char *azAct[] = {
		"ota_campaign", "{\"select\":{\"ecu\":\"tcu\"},\"ecu\":\"tcu\",\"version\":\"2.6.%d\",\"rollout\":1}",
		"revoke_certificate", "{\"scope\":{\"model\":\"SUV-B\",\"state\":\"online\"}}",
		"revoke_certificate", "{\"scope\":{\"state\":\"compromised\"}}",
		"isolate_service", "{\"name\":\"telematics\"}",
		"restore_service", "{\"name\":\"telematics\"}",
		"isolate_service", "{\"name\":\"vsoc\"}",
		"block_indicator", "{\"value\":\"203.0.113.7\"}",
		"disable_feature", "{\"feature\":\"remote_unlock\",\"select\":{\"model\":\"SUV-B\"}}",
		"disable_feature", "{\"feature\":\"horn_lights\",\"select\":{\"region\":\"JP-Kanto\"}}",
	};
	const int nOp = (int)(sizeof azOp / sizeof azOp[0] / 2), nAct = (int)(sizeof azAct / sizeof azAct[0] / 2);
	box b = make_world(99, zParams);
	uint64_t x = 0x2545f4914f6cdd1dull;
	double slowCust = 0, slowComp = 0;
	/* 4 simulated hours, one second at a time (every event of this world falls on a whole second): after the events of
	 * second t, the slow counts hold until t + 1 */
	for (int64_t t = 0; t < 4 * 3600; t++) {
		if (t % 300 == 137) {  /* a random verb or action every 5 minutes, between two ticks */
			int k = (int)(test_rand(&x) % (uint64_t)(nOp + nAct));
			if (k < nOp) {
				json_decref(call(b, azOp[2 * k], azOp[2 * k + 1]));
			} else {
				char zArgs[256];
				snprintf(zArgs, sizeof zArgs, azAct[2 * (k - nOp) + 1], (int)(t / 300));
				json_decref(act(b, azAct[2 * (k - nOp)], zArgs));
			}
		}
		slowCust += customers_now_slow(b.w);
		slowComp += compromised_slow(b.w);
		eng_sim_run_until(b.sim, ENG_S(t + 1));
	}
	veh_metrics m = metrics(b);
	ASSERT_NEAR(m.customer_hours, slowCust / 3600, 1e-6 * (1 + slowCust / 3600));
	ASSERT_NEAR(m.compromised_car_hours, slowComp / 3600, 1e-6 * (1 + slowComp / 3600));
	int64_t nLoss = b.w->aOrg[0].c.nCarLoss, nDep = b.w->aOrg[0].c.nCarDeprived;
	veh__harm_recount(b.w);
	ASSERT_EQ_INT(nLoss, b.w->aOrg[0].c.nCarLoss);
	ASSERT_EQ_INT(nDep, b.w->aOrg[0].c.nCarDeprived);
	/* the run was busy: every cause of lost service happened */
	ASSERT_LT(0, m.bricked);
	ASSERT_LT(0, m.revoked);
	ASSERT_LT(0, m.unsafe_events);
	ASSERT_LT(0, m.records_exfiltrated);
	ASSERT_LT(m.compromised_car_hours, slowComp);  /* non-trivial: some cars were compromised for part of the run */
	ASSERT_LT(1000, m.customer_hours);
	free_world(b);
}

TEST(a_snapshot_carries_the_harm_integrals_and_restores_them) {
	box a = make_world(5, NULL);
	json_decref(call(a, "attack.compromise", "{\"count\":40}"));
	json_decref(call(a, "attack.abuse_feature", "{\"feature\":\"location\",\"fraction\":0.1,\"select\":{\"model\":\"SUV-B\"}}"));
	json_decref(act(a, "isolate_service", "{\"name\":\"ota\"}"));
	json_decref(act(a, "disable_feature", "{\"feature\":\"location\",\"select\":{\"model\":\"SUV-B\"}}"));
	eng_sim_run_until(a.sim, MIN(90));
	ky_err err = { 0 };
	unsigned char *buf = NULL;
	size_t len = 0;
	ASSERT_EQ_INT(veh_world_snapshot(a.w, &buf, &len, &err), 0);
	box b = make_world(5, NULL);
	eng_sim_run_until(b.sim, MIN(90));
	ASSERT_EQ_INT(veh_world_restore(b.w, buf, len, &err), 0);
	free(buf);
	ASSERT_NEAR(veh_world_harm(b.w, NULL), veh_world_harm(a.w, NULL), 1e-9);
	ASSERT_EQ_INT(metrics(b).customers_affected, metrics(a).customers_affected);
	/* and the same future, with what the incident used: the abuse still makes disabling location effective */
	eng_sim_run_until(a.sim, HOUR(2));
	eng_sim_run_until(b.sim, HOUR(2));
	ASSERT_NEAR(veh_world_harm(b.w, NULL), veh_world_harm(a.w, NULL), 1e-9);
	ASSERT_TRUE(effective(act(b, "disable_feature", "{\"feature\":\"location\"}")));
	free_world(a);
	free_world(b);
}
