/* Declared services, credentials, recalls and advisories (vehicles/svc.c, recall.c; scenarios/names.c): their health
 * and customer-hours, attack paths through them, credentials an attack uses until a rotation cuts them, the rotation's
 * downtime, recalls at dealers, KYW4 snapshots, the action schemas and scopes, kyodo check's static scan of names
 * with FILE:LINE, and the drills that use them. Run from the source tree's root (tests/run.sh does). */
#include "tests/c/ky_test.h"

#include <stdlib.h>

#include "engine/sim.h"
#include "scenarios/drill.h"
#include "scenarios/record.h"
#include "scenarios/resume.h"
#include "vehicles/action.h"
#include "vehicles/world.h"
#include "vehicles/worldInt.h"

#define MIN(x) ENG_S(60 * (x))
#define HOUR(x) ENG_S(3600 * (x))

typedef struct box {
	eng_sim *sim;
	veh_world *w;
} box;

static json_t *gFacts;  /* [{"kind","subject","detail"}] of the world being tested */
static void fact_sink(void *ctx, eng_time_t t, const char *kind, const char *subject, json_t *detail) {
	(void)ctx, (void)t;
	json_array_append_new(gFacts, json_pack("{s:s,s:s,s:O?}", "kind", kind, "subject", subject, "detail", detail));
}
/* The number of facts of kind (and subject, when not NULL). */
static int facts(const char *kind, const char *subject) {
	size_t i;
	json_t *f;
	int n = 0;
	json_array_foreach(gFacts, i, f) n += !strcmp(json_string_value(json_object_get(f, "kind")), kind) &&
	                                       (!subject || !strcmp(json_string_value(json_object_get(f, "subject")), subject));
	return n;
}

static json_t *J(const char *z) {
	json_error_t e;
	json_t *j = json_loads(z, 0, &e);
	if (!j) ky_test_fail(__FILE__, __LINE__, "bad test JSON: %s: %s", z, e.text);
	return j;
}

static int add(veh_world *w, int (*fn)(veh_world *, json_t *, ky_err *), const char *z, ky_err *err) {
	json_t *j = J(z);
	int rc = fn(w, j, err);
	json_decref(j);
	return rc;
}

/* 1000 Sedan-A (tcu 2.3.1, bcm 3.1.0) in JP-Kanto, 1000 SUV-B (tcu 2.5.0) in JP-Kansai, all online, no churn; the
 * dealers' DMS (1000 customers), a CRM an outside party (cdk) runs; credentials: sync (the DMS's account into the app
 * API, used by the DMS and telematics, 30 min), key (a partner's API key, used by the CRM, 1 h), sign (an OTA signing
 * key, 2 h), sync2 (another account of the DMS, 1 h). bDeclare 0: none of them. */
static box make_svc(uint64_t seed, int bDeclare) {
	box b;
	ky_err err = { 0 };
	b.sim = eng_sim_new(seed);
	b.w = veh_world_new(b.sim, &err);
	ASSERT_TRUE(b.w != NULL);
	ASSERT_EQ_INT(add(b.w, veh_world_set_params, "{\"offline.fraction\":0}", &err), 0);
	ASSERT_EQ_INT(add(b.w, veh_world_add_cohort, "{\"model\":\"Sedan-A\",\"count\":1000,\"region\":\"JP-Kanto\",\"online\":1,"
	                                             "\"ecus\":{\"tcu\":\"2.3.1\",\"gw\":\"1.4.0\",\"bcm\":\"3.1.0\"}}", &err), 0);
	ASSERT_EQ_INT(add(b.w, veh_world_add_cohort, "{\"model\":\"SUV-B\",\"count\":1000,\"region\":\"JP-Kansai\",\"online\":1,"
	                                             "\"ecus\":{\"tcu\":\"2.5.0\",\"gw\":\"1.4.0\"}}", &err), 0);
	if (bDeclare) {
		ASSERT_EQ_INT(add(b.w, veh_world_add_service, "{\"id\":\"dms\",\"name\":\"Dealer management system\",\"customers\":1000}", &err), 0);
		ASSERT_EQ_INT(add(b.w, veh_world_add_service, "{\"id\":\"crm\",\"operator\":\"cdk\",\"customers\":400,\"degraded_loss\":1}", &err), 0);
		ASSERT_EQ_INT(add(b.w, veh_world_add_credential, "{\"id\":\"sync\",\"kind\":\"service_account\",\"held_by\":\"vendor\","
		                                                 "\"reaches\":[\"dms\",\"app_api\"],\"used_by\":[\"dms\",\"telematics\"]}", &err), 0);
		ASSERT_EQ_INT(add(b.w, veh_world_add_credential, "{\"id\":\"key\",\"kind\":\"api_key\",\"held_by\":\"partners\","
		                                                 "\"reaches\":[\"app_api\"],\"used_by\":[\"crm\"]}", &err), 0);
		ASSERT_EQ_INT(add(b.w, veh_world_add_credential, "{\"id\":\"sign\",\"kind\":\"signing_key\",\"held_by\":\"oem\","
		                                                 "\"reaches\":[\"ota\"]}", &err), 0);
		ASSERT_EQ_INT(add(b.w, veh_world_add_credential, "{\"id\":\"sync2\",\"kind\":\"service_account\",\"held_by\":\"vendor\","
		                                                 "\"reaches\":[\"dms\"],\"rotation\":\"1h\"}", &err), 0);
	}
	if (!gFacts) gFacts = json_array();
	json_array_clear(gFacts);
	veh_world_set_fact_sink(b.w, fact_sink, NULL);
	ASSERT_EQ_INT(veh_world_start(b.w, &err), 0);
	return b;
}

static void free_box(box b) {
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

static long long call_int(box b, const char *verb, const char *args) {
	json_t *r = call(b, verb, args);
	long long v = json_is_integer(r) ? json_integer_value(r) : -1;
	json_decref(r);
	return v;
}

/* An action (no org); the result (new ref) or a failed test. */
static json_t *act(box b, const char *kind, const char *args) {
	ky_err err = { 0 };
	json_t *a = J(args), *r = NULL;
	int rc = veh_world_action(b.w, "t", kind, a, &r, &err);
	json_decref(a);
	if (rc) ky_test_fail(__FILE__, __LINE__, "%s failed: %s", kind, err.zMsg);
	return r;
}

static int act_err(box b, const char *zOrg, const char *kind, const char *args, ky_err *err) {
	json_t *a = J(args), *r = NULL;
	memset(err, 0, sizeof *err);
	int rc = veh_world_action_as(b.w, "t", zOrg, kind, a, &r, err);
	json_decref(a);
	json_decref(r);
	return rc;
}

static long long jint(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

static veh_metrics metrics(box b) {
	veh_metrics m;
	veh_world_metrics(b.w, &m);
	return m;
}

/* The health a service shows in the metrics JSON (the truth) or the owner's view. */
static const char *shown(box b, const char *zSvc, int bObserved) {
	static char z[32];
	json_t *m = bObserved ? veh_world_observed_json(b.w) : veh_world_metrics_json(b.w);
	snprintf(z, sizeof z, "%s", json_string_value(json_object_get(json_object_get(m, "services"), zSvc)));
	json_decref(m);
	return z;
}

static const char *health(box b, const char *zSvc) {
	static char z[32];
	char zArgs[64];
	snprintf(zArgs, sizeof zArgs, "{\"name\":\"%s\"}", zSvc);
	json_t *r = call(b, "service.status", zArgs);
	snprintf(z, sizeof z, "%s", json_string_value(json_object_get(r, "health")));
	json_decref(r);
	return z;
}

/* ---- declared services ------------------------------------------------------------------------------------ */

TEST(a_declared_service_has_health_downtime_and_customer_hours) {
	box b = make_svc(1, 1);
	ASSERT_EQ_STR(health(b, "dms"), "up");
	ASSERT_EQ_STR(shown(b, "dms", 0), "up");
	ASSERT_EQ_STR(shown(b, "dms", 1), "up");
	json_decref(call(b, "service.degrade", "{\"name\":\"dms\",\"level\":\"down\"}"));
	ASSERT_EQ_STR(shown(b, "dms", 1), "down");  /* an outage is seen at once */
	eng_sim_run_until(b.sim, HOUR(1));
	json_decref(call(b, "service.degrade", "{\"name\":\"dms\",\"level\":\"degraded\"}"));
	eng_sim_run_until(b.sim, HOUR(2));
	json_decref(call(b, "service.degrade", "{\"name\":\"dms\",\"level\":\"up\"}"));
	eng_sim_run_until(b.sim, HOUR(3));
	veh_metrics m = metrics(b);
	ASSERT_NEAR(m.services_customer_hours, 1000 * 1.0 + 0.5 * 1000 * 1.0, 1e-6);  /* down 1 h, degraded 1 h at 0.5 */
	ASSERT_NEAR(m.service_downtime_s, 3600, 1e-6);
	ASSERT_EQ_INT(facts("service.health", "dms"), 3);
	json_t *all = call(b, "service.status", "{}");
	ASSERT_TRUE(json_object_get(all, "dms") != NULL && json_object_get(all, "crm") != NULL && json_object_get(all, "telematics") != NULL);
	json_decref(all);
	json_t *cat = veh_world_catalog_json(b.w);  /* the pages' lists */
	ASSERT_EQ_INT(json_array_size(json_object_get(cat, "services")), 7);
	ASSERT_EQ_STR(json_string_value(json_array_get(json_object_get(cat, "services"), 5)), "dms");
	ASSERT_EQ_INT(json_array_size(json_object_get(cat, "credentials")), 4);
	json_decref(cat);
	free_box(b);
}

TEST(an_attack_enters_and_spreads_through_a_declared_service) {
	box b = make_svc(2, 1);
	ASSERT_EQ_INT(call_int(b, "attack.compromise", "{\"entry\":\"dms\",\"fraction\":0.1,\"c2\":\"192.0.2.1\"}"), 200);
	const veh_fleet *f = &b.w->f;
	int nEntry = 0;
	for (uint32_t i = 0; i < f->n; i++) nEntry += (f->aFlags[i] & VEH_F_COMP) && f->aEntry[i] == VEH_ENTRY_SVC + VEH_SVC_N;
	ASSERT_EQ_INT(nEntry, 200);  /* the entry recorded is the DMS */
	/* spread via the DMS needs it compromised */
	ASSERT_EQ_INT(call_int(b, "attack.spread", "{\"rate\":0.1,\"via\":\"dms\"}"), 0);
	json_decref(call(b, "service.degrade", "{\"name\":\"dms\",\"level\":\"compromised\"}"));
	ASSERT_EQ_STR(shown(b, "dms", 0), "compromised");
	ASSERT_EQ_STR(shown(b, "dms", 1), "up");  /* the owner does not see it before an incident */
	ASSERT_EQ_INT(call_int(b, "attack.spread", "{\"rate\":0.1,\"via\":\"dms\"}"), 180);  /* 10 % of the 1800 clean */
	/* isolated, it carries nothing */
	json_t *r = act(b, "isolate_service", "{\"name\":\"dms\"}");
	ASSERT_EQ_STR(json_string_value(json_object_get(r, "health")), "compromised");
	ASSERT_EQ_INT(jint(r, "customers"), 1000);
	json_decref(r);
	ASSERT_EQ_INT(call_int(b, "attack.spread", "{\"rate\":0.1,\"via\":\"dms\"}"), 0);
	ASSERT_EQ_INT(call_int(b, "attack.compromise", "{\"entry\":\"dms\",\"fraction\":0.1,\"c2\":\"192.0.2.2\"}"), 0);
	json_decref(act(b, "restore_service", "{\"name\":\"dms\"}"));
	ASSERT_EQ_STR(health(b, "dms"), "up");  /* rebuilt clean */
	free_box(b);
}

TEST(a_service_an_outside_party_runs_is_not_the_teams_to_isolate) {
	box b = make_svc(3, 1);
	ky_err err;
	ASSERT_EQ_INT(act_err(b, NULL, "isolate_service", "{\"name\":\"crm\"}", &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "'crm' is run by cdk, an outside party");
	ASSERT_EQ_INT(act_err(b, NULL, "isolate_service", "{\"name\":\"dsm\"}", &err), KY_ENOENT);
	ASSERT_CONTAINS(err.zMsg, "unknown service 'dsm' (known: telematics, ota, vsoc, pki, app_api, dms, crm)");
	json_decref(call(b, "service.degrade", "{\"name\":\"crm\",\"level\":\"down\"}"));  /* the scenario may */
	ASSERT_EQ_STR(health(b, "crm"), "down");
	free_box(b);
}

/* ---- credentials ----------------------------------------------------------------------------------------------- */

TEST(a_stolen_credential_works_until_it_is_rotated) {
	box b = make_svc(4, 1);
	json_t *r = call(b, "attack.exfiltrate", "{\"credential\":\"sync\",\"service\":\"app_api\",\"records\":100}");
	ASSERT_EQ_INT(jint(r, "records"), 100);  /* its first use: the attacker has it */
	ASSERT_TRUE(json_is_true(json_object_get(r, "credential_works")));
	json_decref(r);
	ASSERT_EQ_INT(facts("credential.stolen", "sync"), 1);
	eng_sim_run_until(b.sim, MIN(10));
	r = act(b, "rotate_credential", "{\"credential\":\"sync\"}");
	ASSERT_TRUE(json_is_true(json_object_get(r, "attacker_cut")));
	ASSERT_TRUE(json_is_true(json_object_get(r, "effective")));
	ASSERT_EQ_INT(jint(r, "rotations"), 1);
	ASSERT_NEAR(json_number_value(json_object_get(r, "downtime_s")), 1800, 1e-9);  /* a service account: 30 min */
	ASSERT_EQ_INT(jint(r, "customers"), 1000 + 2000);  /* the DMS's and every car's telematics */
	json_t *deg = json_object_get(r, "degraded");
	ASSERT_EQ_INT(json_array_size(deg), 2);
	ASSERT_EQ_STR(json_string_value(json_array_get(deg, 0)), "telematics");
	ASSERT_EQ_STR(json_string_value(json_array_get(deg, 1)), "dms");
	json_decref(r);
	r = call(b, "attack.exfiltrate", "{\"credential\":\"sync\",\"records\":100}");
	ASSERT_EQ_INT(jint(r, "records"), 0);
	ASSERT_TRUE(json_is_false(json_object_get(r, "credential_works")));
	json_decref(r);
	r = act(b, "rotate_credential", "{\"credential\":\"sync\"}");  /* again: the attacker had nothing left */
	ASSERT_TRUE(json_is_false(json_object_get(r, "effective")));
	json_decref(r);
	json_decref(call(b, "attack.steal_credential", "{\"credential\":\"sync\"}"));  /* phished again */
	r = call(b, "attack.exfiltrate", "{\"credential\":\"sync\",\"records\":50}");
	ASSERT_EQ_INT(jint(r, "records"), 50);
	json_decref(r);
	r = call(b, "credential.status", "{\"credential\":\"sync\"}");
	ASSERT_EQ_INT(jint(r, "rotations"), 2);
	ASSERT_TRUE(json_is_true(json_object_get(r, "leaked")));
	ASSERT_EQ_INT(jint(r, "uses"), 2);
	json_decref(r);
	ASSERT_EQ_INT(metrics(b).records_exfiltrated, 150);
	/* the owner's view lists its credentials without the ground truth of who holds them */
	json_t *o = veh_world_observed_json(b.w), *t = veh_world_metrics_json(b.w);
	json_t *oc = json_array_get(json_object_get(o, "credentials"), 0), *tc = json_array_get(json_object_get(t, "credentials"), 0);
	ASSERT_EQ_STR(json_string_value(json_object_get(oc, "id")), "sync");
	ASSERT_EQ_INT(jint(oc, "rotations"), 2);
	ASSERT_TRUE(json_object_get(oc, "leaked") == NULL);
	ASSERT_TRUE(json_is_true(json_object_get(tc, "leaked")));
	json_decref(o);
	json_decref(t);
	free_box(b);
}

TEST(a_rotation_degrades_the_services_that_use_it_for_its_rotation_time) {
	box b = make_svc(5, 1);
	eng_sim_run_until(b.sim, MIN(10));
	json_decref(act(b, "rotate_credential", "{\"credential\":\"sync\"}"));
	ASSERT_EQ_STR(health(b, "telematics"), "degraded");
	ASSERT_EQ_STR(health(b, "dms"), "degraded");
	eng_sim_run_until(b.sim, MIN(40) - 1);
	ASSERT_EQ_STR(health(b, "telematics"), "degraded");
	eng_sim_run_until(b.sim, MIN(40));
	ASSERT_EQ_STR(health(b, "telematics"), "up");
	ASSERT_EQ_STR(health(b, "dms"), "up");
	ASSERT_EQ_INT(facts("credential.rotation_done", "sync"), 1);
	ASSERT_NEAR(metrics(b).services_customer_hours, 1000 * 0.5 * 0.5, 1e-6);  /* the DMS half an hour at 0.5 */
	/* two rotations that hold one service: it serves again when the last ends */
	json_decref(act(b, "rotate_credential", "{\"credential\":\"sync\"}"));   /* until 70 min */
	eng_sim_run_until(b.sim, MIN(50));
	json_decref(act(b, "rotate_credential", "{\"credential\":\"sync2\"}"));  /* the DMS until 110 min */
	eng_sim_run_until(b.sim, MIN(70));
	ASSERT_EQ_STR(health(b, "telematics"), "up");
	ASSERT_EQ_STR(health(b, "dms"), "degraded");
	eng_sim_run_until(b.sim, MIN(110));
	ASSERT_EQ_STR(health(b, "dms"), "up");
	/* a rotation again while one is under way extends it */
	json_decref(act(b, "rotate_credential", "{\"credential\":\"sync\"}"));  /* until 140 */
	eng_sim_run_until(b.sim, MIN(120));
	json_decref(act(b, "rotate_credential", "{\"credential\":\"sync\"}"));  /* until 150 */
	eng_sim_run_until(b.sim, MIN(145));
	ASSERT_EQ_STR(health(b, "dms"), "degraded");
	eng_sim_run_until(b.sim, MIN(150));
	ASSERT_EQ_STR(health(b, "dms"), "up");
	/* a service the scenario degraded or took down is left as the scenario set it */
	json_decref(call(b, "service.degrade", "{\"name\":\"telematics\",\"level\":\"degraded\"}"));
	json_decref(call(b, "service.degrade", "{\"name\":\"dms\",\"level\":\"down\"}"));
	json_t *r = act(b, "rotate_credential", "{\"credential\":\"sync\"}");
	ASSERT_EQ_INT(json_array_size(json_object_get(r, "degraded")), 0);
	ASSERT_NEAR(json_number_value(json_object_get(r, "downtime_s")), 0, 1e-9);
	json_decref(r);
	eng_sim_run_until(b.sim, HOUR(4));
	ASSERT_EQ_STR(health(b, "telematics"), "degraded");
	ASSERT_EQ_STR(health(b, "dms"), "down");
	free_box(b);
}

TEST(attacks_that_name_a_credential_stop_when_it_is_rotated) {
	box b = make_svc(6, 1);
	json_t *r = call(b, "attack.abuse_feature", "{\"feature\":\"remote_unlock\",\"fraction\":0.01,\"credential\":\"key\"}");
	ASSERT_EQ_INT(jint(r, "affected"), 20);
	json_decref(r);
	json_decref(act(b, "rotate_credential", "{\"credential\":\"key\"}"));
	ASSERT_EQ_STR(health(b, "crm"), "degraded");  /* the partner's integration waits for the new key */
	r = call(b, "attack.abuse_feature", "{\"feature\":\"remote_unlock\",\"fraction\":0.01,\"credential\":\"key\"}");
	ASSERT_EQ_INT(jint(r, "affected"), 0);
	ASSERT_TRUE(json_is_false(json_object_get(r, "credential_works")));
	json_decref(r);
	ky_err err = { 0 };
	json_t *a = J("{\"feature\":\"remote_unlock\",\"credential\":\"sign\"}");
	ASSERT_EQ_INT(veh_world_call(b.w, "attack.abuse_feature", a, &r, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "'sign' does not reach app_api");
	json_decref(a);
	/* a compromise through the account's first service (the DMS); its campaign spreads through the DMS only while
	 * the account works */
	ASSERT_EQ_INT(call_int(b, "attack.compromise", "{\"credential\":\"sync\",\"fraction\":0.05,\"c2\":\"192.0.2.9\"}"), 100);
	json_decref(call(b, "service.degrade", "{\"name\":\"dms\",\"level\":\"compromised\"}"));
	ASSERT_EQ_INT(call_int(b, "attack.spread", "{\"rate\":0.1,\"via\":\"dms\",\"c2\":\"192.0.2.9\"}"), 190);
	r = act(b, "rotate_credential", "{\"credential\":\"sync\"}");
	ASSERT_EQ_INT(jint(r, "campaigns_cut"), 1);
	json_decref(r);
	ASSERT_EQ_INT(call_int(b, "attack.spread", "{\"rate\":0.1,\"via\":\"dms\",\"c2\":\"192.0.2.9\"}"), 0);
	ASSERT_EQ_INT(call_int(b, "attack.compromise", "{\"credential\":\"sync\",\"fraction\":0.05,\"c2\":\"192.0.2.9\"}"), 0);
	a = J("{\"credential\":\"sync\",\"entry\":\"ota\"}");
	ASSERT_EQ_INT(veh_world_call(b.w, "attack.compromise", a, &r, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "credential 'sync' does not reach 'ota'");
	json_decref(a);
	a = J("{\"credential\":\"nope\",\"records\":1}");
	ASSERT_EQ_INT(veh_world_call(b.w, "attack.exfiltrate", a, &r, &err), KY_ENOENT);
	ASSERT_CONTAINS(err.zMsg, "unknown credential 'nope' (known: sync, key, sign, sync2)");
	json_decref(a);
	free_box(b);
}

TEST(a_package_signed_with_a_stolen_key_is_accepted_until_the_key_is_rotated) {
	box b = make_svc(7, 1);
	json_t *r = call(b, "attack.malicious_ota", "{\"ecu\":\"gw\",\"version\":\"1.9.0\",\"c2\":\"192.0.2.77\",\"rollout\":0.5}");
	ASSERT_TRUE(json_is_false(json_object_get(r, "accepted")));  /* no stolen key, nothing compromised */
	json_decref(r);
	r = call(b, "attack.malicious_ota", "{\"ecu\":\"gw\",\"version\":\"1.9.0\",\"c2\":\"192.0.2.77\",\"rollout\":0.5,\"credential\":\"sign\"}");
	ASSERT_TRUE(json_is_true(json_object_get(r, "accepted")));
	json_decref(r);
	eng_sim_run_until(b.sim, HOUR(1));
	int64_t n1 = metrics(b).compromised;
	ASSERT_LT(0, n1);
	json_decref(act(b, "rotate_credential", "{\"credential\":\"sign\"}"));
	eng_sim_run_until(b.sim, HOUR(3));
	ASSERT_EQ_INT(metrics(b).compromised, n1);  /* packages in flight are rejected, no new offers */
	ASSERT_LT(0, metrics(b).ota_failed);
	free_box(b);
}

/* ---- recalls and advisories --------------------------------------------------------------------------------------- */

TEST(a_recall_fixes_cars_at_dealers_over_days_at_a_customer_cost) {
	box b = make_svc(8, 1);
	ASSERT_EQ_INT(call_int(b, "attack.compromise", "{\"select\":{\"ecu\":\"bcm\"},\"entry\":\"bcm\",\"fraction\":0.5,"
	                                               "\"persistence\":true,\"c2\":\"192.0.2.5\"}"), 500);
	/* no connectivity needed: telematics and the OTA server are down */
	json_decref(act(b, "isolate_service", "{\"name\":\"telematics\"}"));
	json_decref(act(b, "isolate_service", "{\"name\":\"ota\"}"));
	json_t *r = act(b, "recall", "{\"ecu\":\"bcm\",\"version\":\"3.2.0\",\"per_day\":0.5,\"uptake\":0.8,\"visit\":\"2h\"}");
	ASSERT_EQ_INT(jint(r, "targeted"), 1000);
	ASSERT_EQ_INT(jint(r, "recall"), 1);
	ASSERT_NEAR(json_number_value(json_object_get(r, "customer_hours_expected")), 0.8 * 1000 * 2, 1e-6);
	json_decref(r);
	eng_sim_run_until(b.sim, HOUR(24));
	veh_metrics m = metrics(b);
	ASSERT_EQ_INT(m.recall_visits, 500);  /* half of the targeted a day */
	ASSERT_EQ_INT(m.patched, 500);
	ASSERT_NEAR(m.recall_customer_hours, 1000, 1e-6);
	int nFixed = 0, nStillComp = 0;
	for (uint32_t i = 0; i < 1000; i++) {
		nFixed += b.w->f.aVer[VEH_ECU_BCM][i] == b.w->aRecall[0].ver;
		nStillComp += (b.w->f.aFlags[i] & VEH_F_COMP) != 0;
	}
	ASSERT_EQ_INT(nFixed, 500);
	ASSERT_EQ_INT(m.compromised, nStillComp);
	ASSERT_LT(nStillComp, 500);  /* the visits cleaned the implants in the BCM */
	ASSERT_LT(150, nStillComp);  /* ... of the cars that came */
	eng_sim_run_until(b.sim, HOUR(72));
	ASSERT_EQ_INT(metrics(b).recall_visits, 800);  /* only 80 % of owners ever come */
	ASSERT_EQ_INT(facts("recall.complete", NULL), 1);
	free_box(b);
}

TEST(a_recall_through_the_dealers_system_waits_while_it_is_down) {
	box b = make_svc(9, 1);
	json_decref(call(b, "service.degrade", "{\"name\":\"dms\",\"level\":\"down\"}"));
	json_decref(act(b, "recall", "{\"ecu\":\"bcm\",\"version\":\"3.2.0\",\"per_day\":0.5,\"via\":\"dms\"}"));
	eng_sim_run_until(b.sim, HOUR(12));
	ASSERT_EQ_INT(metrics(b).recall_visits, 0);
	json_decref(call(b, "service.degrade", "{\"name\":\"dms\",\"level\":\"up\"}"));
	eng_sim_run_until(b.sim, HOUR(24));
	ASSERT_EQ_INT(metrics(b).recall_visits, 250);  /* 12 h of dealer time at half the cars a day */
	free_box(b);
}

TEST(a_customer_advisory_reaches_the_selected_owners_and_changes_nothing) {
	box b = make_svc(10, 1);
	char h0[65], h1[65];
	veh_world_state_hash(b.w, h0);
	json_t *r = act(b, "customer_advisory", "{\"text\":\"Beware of calls\",\"select\":{\"model\":\"Sedan-A\"},\"feature\":\"remote_unlock\"}");
	ASSERT_EQ_INT(jint(r, "customers"), 1000);
	ASSERT_EQ_STR(json_string_value(json_object_get(r, "feature")), "remote_unlock");
	json_decref(r);
	veh_world_state_hash(b.w, h1);
	ASSERT_EQ_STR(h0, h1);
	ASSERT_EQ_INT(facts("customer.advisory", "remote_unlock"), 1);
	free_box(b);
}

/* ---- snapshots, determinism --------------------------------------------------------------------------------------- */

/* A busy run of a declared world up to t (a rotation and a recall under way at 20 min). */
static void busy(box b, eng_time_t t) {
	call_int(b, "attack.compromise", "{\"credential\":\"sync\",\"fraction\":0.05,\"c2\":\"192.0.2.9\"}");
	json_decref(call(b, "service.degrade", "{\"name\":\"dms\",\"level\":\"compromised\"}"));
	json_decref(act(b, "recall", "{\"ecu\":\"bcm\",\"version\":\"3.2.0\",\"per_day\":0.9,\"via\":\"dms\"}"));
	eng_sim_run_until(b.sim, MIN(10));
	json_decref(act(b, "rotate_credential", "{\"credential\":\"sync2\"}"));
	json_decref(act(b, "rotate_credential", "{\"credential\":\"key\"}"));
	eng_sim_run_until(b.sim, t);
}

TEST(a_snapshot_of_a_declared_world_restores_the_same_state_and_future) {
	box a = make_svc(11, 1), b = make_svc(11, 1);
	ky_err err = { 0 };
	busy(a, MIN(20));
	unsigned char *buf = NULL;
	size_t len = 0;
	ASSERT_EQ_INT(veh_world_snapshot(a.w, &buf, &len, &err), 0);
	ASSERT_TRUE(memcmp(buf, "KYW4", 4) == 0);
	eng_sim_run_until(b.sim, MIN(20));
	ASSERT_EQ_INT(veh_world_restore(b.w, buf, len, &err), 0);
	char ha[65], hb[65];
	veh_world_state_hash(a.w, ha);
	veh_world_state_hash(b.w, hb);
	ASSERT_EQ_STR(ha, hb);
	ASSERT_EQ_STR(health(b, "crm"), "degraded");  /* the rotations under way go on in the restored world */
	eng_sim_run_until(a.sim, HOUR(5));
	eng_sim_run_until(b.sim, HOUR(5));
	ASSERT_EQ_STR(health(b, "crm"), "up");
	ASSERT_EQ_STR(health(b, "dms"), "compromised");
	veh_world_state_hash(a.w, ha);
	veh_world_state_hash(b.w, hb);
	ASSERT_EQ_STR(ha, hb);
	ASSERT_EQ_INT(metrics(a).recall_visits, metrics(b).recall_visits);
	ASSERT_LT(0, metrics(b).recall_visits);
	ASSERT_NEAR(metrics(a).services_customer_hours, metrics(b).services_customer_hours, 1e-9);
	/* corrupt and truncated copies: an error or a consistent load, never a crash; the target is unchanged on error */
	box c = make_svc(11, 1);
	eng_sim_run_until(c.sim, MIN(20));
	char h0[65], h1[65];
	veh_world_state_hash(c.w, h0);
	ASSERT_EQ_INT(veh_world_restore(c.w, buf, len - 5, &err), KY_EPARSE);
	veh_world_state_hash(c.w, h1);
	ASSERT_EQ_STR(h0, h1);
	for (size_t k = len > 600 ? len - 600 : 4; k < len; k += 5) {  /* the extension section is at the end */
		unsigned char *x = malloc(len);
		memcpy(x, buf, len);
		x[k] ^= 0x33;
		box t = make_svc(11, 1);
		eng_sim_run_until(t.sim, MIN(20));
		int rc = veh_world_restore(t.w, x, len, &err);
		ASSERT_TRUE(rc == 0 || rc == KY_EPARSE || rc == KY_EINVAL);
		if (rc == 0) eng_sim_run_until(t.sim, HOUR(2));
		free_box(t);
		free(x);
	}
	/* a world without declarations keeps KYW2 and cannot take a KYW4 of a declared one */
	box p = make_svc(11, 0);
	unsigned char *buf2 = NULL;
	size_t len2 = 0;
	ASSERT_EQ_INT(veh_world_snapshot(p.w, &buf2, &len2, &err), 0);
	ASSERT_TRUE(memcmp(buf2, "KYW2", 4) == 0);
	ASSERT_NE_INT(veh_world_restore(p.w, buf, len, &err), 0);
	ASSERT_EQ_INT(veh_world_restore(c.w, buf2, len2, &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "without declared services or credentials");
	free(buf);
	free(buf2);
	free_box(a);
	free_box(b);
	free_box(c);
	free_box(p);
}

TEST(a_world_with_a_recall_writes_kyw4_and_still_takes_a_kyw2_snapshot_from_before_it) {
	box a = make_svc(12, 0), b = make_svc(12, 0);
	ky_err err = { 0 };
	eng_sim_run_until(a.sim, MIN(5));
	unsigned char *buf = NULL, *buf4 = NULL;
	size_t len = 0, len4 = 0;
	ASSERT_EQ_INT(veh_world_snapshot(a.w, &buf, &len, &err), 0);
	ASSERT_TRUE(memcmp(buf, "KYW2", 4) == 0);
	char h0[65], h1[65];
	veh_world_state_hash(a.w, h0);
	eng_sim_run_until(b.sim, MIN(5));
	json_decref(act(b, "recall", "{\"ecu\":\"bcm\",\"version\":\"3.2.0\",\"per_day\":1}"));
	ASSERT_EQ_INT(veh_world_snapshot(b.w, &buf4, &len4, &err), 0);
	ASSERT_TRUE(memcmp(buf4, "KYW4", 4) == 0);
	ASSERT_EQ_INT(veh_world_restore(b.w, buf, len, &err), 0);  /* the world before the recall */
	veh_world_state_hash(b.w, h1);
	ASSERT_EQ_STR(h0, h1);
	eng_sim_run_until(a.sim, HOUR(2));
	eng_sim_run_until(b.sim, HOUR(2));
	veh_world_state_hash(a.w, h0);
	veh_world_state_hash(b.w, h1);
	ASSERT_EQ_STR(h0, h1);
	ASSERT_EQ_INT(metrics(b).recall_visits, 0);
	box c = make_svc(12, 0);  /* and the KYW4 one, with its recall, in a world that never ran one */
	eng_sim_run_until(c.sim, MIN(5));
	ASSERT_EQ_INT(veh_world_restore(c.w, buf4, len4, &err), 0);
	eng_sim_run_until(c.sim, HOUR(2));
	ASSERT_EQ_INT(metrics(c).recall_visits, 79);  /* 1000 a day over the 23 five-minute steps from 00:10 to 02:00: 1000 x 115 / 1440 */
	free(buf);
	free(buf4);
	free_box(a);
	free_box(b);
	free_box(c);
}

static void scripted(uint64_t seed, eng_time_t tRotate, char hex[65]) {
	box b = make_svc(seed, 1);
	busy(b, MIN(20));
	eng_sim_run_until(b.sim, tRotate);
	json_decref(act(b, "rotate_credential", "{\"credential\":\"sync\"}"));
	eng_sim_run_until(b.sim, HOUR(3));
	veh_world_state_hash(b.w, hex);
	free_box(b);
}

TEST(the_same_calls_give_the_same_world_and_another_rotation_time_another) {
	char h1[65], h2[65], h3[65];
	scripted(13, MIN(30), h1);
	scripted(13, MIN(30), h2);
	scripted(13, MIN(31), h3);
	ASSERT_EQ_STR(h1, h2);
	ASSERT_TRUE(strcmp(h1, h3) != 0);
}

/* ---- the action table, declarations, scope ------------------------------------------------------------------------ */

static json_t *schema_enum(json_t *schemas, const char *zKind, const char *zField) {
	return json_object_get(json_object_get(json_object_get(json_object_get(schemas, zKind), "properties"), zField), "enum");
}

TEST(the_action_schemas_list_the_drills_services_and_credentials) {
	box b = make_svc(14, 1), p = make_svc(14, 0);
	json_t *s = veh_action_schemas(b.w, NULL), *s0 = veh_action_schemas(p.w, NULL);
	ASSERT_EQ_INT(json_array_size(schema_enum(s, "isolate_service", "name")), 7);
	ASSERT_EQ_STR(json_string_value(json_array_get(schema_enum(s, "restore_service", "name"), 6)), "crm");
	ASSERT_EQ_INT(json_array_size(schema_enum(s0, "isolate_service", "name")), 5);
	json_t *ids = schema_enum(s, "rotate_credential", "credential");
	ASSERT_EQ_INT(json_array_size(ids), 4);
	ASSERT_EQ_STR(json_string_value(json_array_get(ids, 3)), "sync2");
	ASSERT_EQ_INT(json_array_size(schema_enum(s0, "rotate_credential", "credential")), 0);
	ASSERT_EQ_INT(json_array_size(schema_enum(s, "recall", "via")), 7);
	ky_err e = { 0 };
	json_t *a = J("{\"credential\":\"sync3\"}");
	ASSERT_EQ_INT(veh_action_check(s, "rotate_credential", a, &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "rotate_credential: args.credential: 'sync3' is not one of: sync, key, sign, sync2");
	ASSERT_EQ_INT(veh_action_check(s0, "rotate_credential", a, &e), KY_EINVAL);
	json_decref(a);
	a = J("{\"ecu\":\"bcm\"}");
	ASSERT_EQ_INT(veh_action_check(s, "recall", a, &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "recall: args.version: required");
	json_decref(a);
	a = J("{\"select\":{\"model\":\"Sedan-A\"}}");
	ASSERT_EQ_INT(veh_action_check(s, "customer_advisory", a, &e), KY_EINVAL);
	ASSERT_CONTAINS(e.zMsg, "args.text");
	json_decref(a);
	a = J("{\"ecu\":\"bcm\",\"version\":\"3.2.0\",\"visit\":\"2h\",\"via\":\"dms\",\"per_day\":0.1}");
	ASSERT_EQ_INT(veh_action_check(s, "recall", a, &e), 0);
	json_decref(a);
	ASSERT_TRUE(veh_action_find("rotate_credential")->flags & VEH_ACT_WORLD);
	ASSERT_TRUE(veh_action_find("recall")->flags & VEH_ACT_CONFIRM);
	ASSERT_FALSE(veh_action_find("customer_advisory")->flags & VEH_ACT_WORLD);
	json_decref(s);
	json_decref(s0);
	free_box(b);
	free_box(p);
}

TEST(declarations_refuse_what_they_cannot_mean_naming_the_field) {
	eng_sim *sim = eng_sim_new(1);
	ky_err err = { 0 };
	veh_world *w = veh_world_new(sim, &err);
	static const struct { int bCred; const char *zJson, *zMsg; } a[] = {
		{ 0, "{\"id\":\"telematics\"}", "'telematics' is a built-in service" },
		{ 0, "{\"id\":\"Dealer System\"}", "id 'Dealer System': 1 to 32 lowercase" },
		{ 0, "{\"id\":\"dms2\",\"customer\":5}", "unknown field 'customer'" },
		{ 0, "{\"id\":\"dms2\",\"customers\":-5}", "customers: expected an integer" },
		{ 0, "{\"id\":\"dms2\",\"org\":\"oem_a\"}", "this drill declares no organisations" },
		{ 1, "{\"id\":\"k\",\"kind\":\"password\",\"held_by\":\"x\",\"reaches\":[\"app_api\"]}", "unknown kind 'password'" },
		{ 1, "{\"id\":\"k\",\"kind\":\"api_key\",\"held_by\":\"x\",\"reaches\":[\"dsm\"]}",
		  "reaches[1]: unknown service 'dsm' (known: telematics, ota, vsoc, pki, app_api, dms;" },
		{ 1, "{\"id\":\"k\",\"kind\":\"api_key\",\"held_by\":\"x\",\"reaches\":[]}", "reaches: expected a list of services" },
		{ 1, "{\"id\":\"k\",\"kind\":\"api_key\",\"held_by\":\"x\",\"reaches\":[\"dms\"],\"rotation\":\"30d\"}", "rotation: must be 0 .. 7 days" },
		{ 1, "{\"id\":\"k\",\"kind\":\"api_key\",\"reaches\":[\"dms\"]}", "held_by: required" },
		{ 1, "{\"id\":\"k\",\"kind\":\"api_key\",\"held_by\":\"x\",\"reaches\":[\"dms\"],\"leaked\":\"yes\"}", "leaked: expected true or false" },
	};
	ASSERT_EQ_INT(add(w, veh_world_add_service, "{\"id\":\"dms\"}", &err), 0);
	ASSERT_EQ_INT(add(w, veh_world_add_service, "{\"id\":\"dms\"}", &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "'dms' declared twice");
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
		memset(&err, 0, sizeof err);
		int rc = add(w, a[i].bCred ? veh_world_add_credential : veh_world_add_service, a[i].zJson, &err);
		if (rc == 0) ky_test_fail(__FILE__, __LINE__, "accepted %s", a[i].zJson);
		if (!strstr(err.zMsg, a[i].zMsg)) ky_test_fail(__FILE__, __LINE__, "%s: got \"%s\", want \"%s\"", a[i].zJson, err.zMsg, a[i].zMsg);
	}
	ASSERT_EQ_INT(add(w, veh_world_add_credential, "{\"id\":\"k\",\"kind\":\"api_key\",\"held_by\":\"x\",\"reaches\":[\"dms\"]}", &err), 0);
	ASSERT_EQ_INT(add(w, veh_world_add_credential, "{\"id\":\"k\",\"kind\":\"api_key\",\"held_by\":\"x\",\"reaches\":[\"dms\"]}", &err), KY_EINVAL);
	ASSERT_EQ_INT(veh_world_start(w, &err), 0);
	ASSERT_EQ_INT(add(w, veh_world_add_service, "{\"id\":\"cpo\"}", &err), KY_ESTATE);
	veh_world_free(w);
	eng_sim_free(sim);
}

/* oem_a (1000 cars), oem_b (1000 cars), tier1 (a supplier): oem_a's DMS, tier1's build system; a key tier1 holds into
 * oem_a's app API. */
static box make_orgs(void) {
	box b;
	ky_err err = { 0 };
	b.sim = eng_sim_new(3);
	b.w = veh_world_new(b.sim, &err);
	ASSERT_EQ_INT(add(b.w, veh_world_set_params, "{\"offline.fraction\":0}", &err), 0);
	ASSERT_EQ_INT(add(b.w, veh_world_add_org, "{\"id\":\"oem_a\",\"kind\":\"oem\"}", &err), 0);
	ASSERT_EQ_INT(add(b.w, veh_world_add_org, "{\"id\":\"oem_b\",\"kind\":\"oem\"}", &err), 0);
	ASSERT_EQ_INT(add(b.w, veh_world_add_org, "{\"id\":\"tier1\",\"kind\":\"supplier\"}", &err), 0);
	ASSERT_EQ_INT(add(b.w, veh_world_add_cohort, "{\"model\":\"A\",\"count\":1000,\"org\":\"oem_a\",\"ecus\":{\"tcu\":\"2.3.1\"}}", &err), 0);
	ASSERT_EQ_INT(add(b.w, veh_world_add_cohort, "{\"model\":\"B\",\"count\":1000,\"org\":\"oem_b\",\"ecus\":{\"tcu\":\"2.3.1\"}}", &err), 0);
	ASSERT_EQ_INT(add(b.w, veh_world_add_service, "{\"id\":\"dms\",\"customers\":10}", &err), KY_EINVAL);  /* whose? */
	ASSERT_CONTAINS(err.zMsg, "org: required");
	ASSERT_EQ_INT(add(b.w, veh_world_add_service, "{\"id\":\"dms\",\"org\":\"oem_a\",\"customers\":10}", &err), 0);
	ASSERT_EQ_INT(add(b.w, veh_world_add_service, "{\"id\":\"build\",\"org\":\"tier1\"}", &err), 0);
	ASSERT_EQ_INT(add(b.w, veh_world_add_credential, "{\"id\":\"t1-key\",\"kind\":\"api_key\",\"held_by\":\"tier1\",\"org\":\"oem_a\","
	                                                 "\"reaches\":[\"app_api\"]}", &err), 0);
	if (!gFacts) gFacts = json_array();
	json_array_clear(gFacts);
	veh_world_set_fact_sink(b.w, fact_sink, NULL);
	ASSERT_EQ_INT(veh_world_start(b.w, &err), 0);
	return b;
}

TEST(with_orgs_a_team_acts_on_its_own_orgs_services_and_credentials) {
	box b = make_orgs();
	ky_err err;
	ASSERT_EQ_INT(act_err(b, "tier1", "isolate_service", "{\"name\":\"build\"}", &err), 0);  /* a supplier runs its own */
	ASSERT_EQ_INT(act_err(b, "tier1", "isolate_service", "{\"name\":\"telematics\"}", &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "isolate_service: organisation tier1 is a supplier without cars");
	ASSERT_EQ_INT(act_err(b, "oem_b", "isolate_service", "{\"name\":\"dms\"}", &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "'dms' is oem_a's service (team t acts for oem_b only)");
	ASSERT_EQ_INT(act_err(b, "oem_a", "isolate_service", "{\"name\":\"dms\"}", &err), 0);
	json_decref(call(b, "attack.steal_credential", "{\"credential\":\"t1-key\"}"));
	ASSERT_EQ_INT(act_err(b, "tier1", "rotate_credential", "{\"credential\":\"t1-key\"}", &err), 0);  /* its holder */
	ASSERT_EQ_INT(act_err(b, "oem_a", "rotate_credential", "{\"credential\":\"t1-key\"}", &err), 0);  /* its issuer */
	ASSERT_EQ_INT(act_err(b, "oem_b", "rotate_credential", "{\"credential\":\"t1-key\"}", &err), KY_EINVAL);
	ASSERT_CONTAINS(err.zMsg, "'t1-key' is held by tier1 and reaches oem_a's services (team t acts for oem_b only)");
	/* the key opens oem_a's app API only */
	json_t *r = call(b, "attack.abuse_feature", "{\"feature\":\"remote_unlock\",\"fraction\":0.1,\"credential\":\"t1-key\"}");
	ASSERT_EQ_INT(jint(r, "affected"), 0);  /* rotated since it was stolen */
	json_decref(r);
	json_decref(call(b, "attack.steal_credential", "{\"credential\":\"t1-key\"}"));
	r = call(b, "attack.abuse_feature", "{\"feature\":\"remote_unlock\",\"fraction\":0.1,\"credential\":\"t1-key\"}");
	ASSERT_EQ_INT(jint(r, "affected"), 100);  /* 10 % of oem_a's 1000, none of oem_b's */
	json_decref(r);
	veh_metrics ma, mb;
	ASSERT_EQ_INT(veh_world_org_metrics(b.w, "oem_a", &ma), 0);
	ASSERT_EQ_INT(veh_world_org_metrics(b.w, "oem_b", &mb), 0);
	ASSERT_EQ_INT(ma.unsafe_events, 100);
	ASSERT_EQ_INT(mb.unsafe_events, 0);
	/* each org's view holds its own declared services */
	json_t *va = veh_world_org_observed_json(b.w, "oem_a"), *vb = veh_world_org_observed_json(b.w, "oem_b");
	ASSERT_EQ_STR(json_string_value(json_object_get(json_object_get(va, "services"), "dms")), "down");
	ASSERT_TRUE(json_object_get(json_object_get(vb, "services"), "dms") == NULL);
	json_decref(va);
	json_decref(vb);
	free_box(b);
}

/* ---- through the drill: kyodo check's names, the drills ------------------------------------------------------ */

/* Writes a scenario file (the common head, then zBody) into the test's folder; its path. */
static const char *write_scn(const char *zName, const char *zBody) {
	static char zPath[512];
	snprintf(zPath, sizeof zPath, "%s/%s", ky_test_tmpdir(), zName);
	FILE *f = fopen(zPath, "w");
	ASSERT_TRUE(f != NULL);
	fprintf(f, "scenario { id = \"s\", title = \"s\", duration = \"2h\" }\n"                                  /* 1 */
	           "teams { { id = \"vsoc\", name = \"VSOC\" }, { id = \"vendor\", name = \"Vendor\" } }\n"      /* 2 */
	           "fleet { { model = \"Sedan-A\", count = 100, ecus = { tcu = \"2.3.1\" } } }\n"                /* 3 */
	           "services { { id = \"dms\", name = \"DMS\", customers = 10 } }\n"                             /* 4 */
	           "credentials { { id = \"sync\", kind = \"service_account\", held_by = \"vendor\", reaches = { \"dms\" } } }\n"
	           "%s", zBody);
	fclose(f);
	return zPath;
}

/* kyodo check of a scenario: 0 or the error's message. */
static int check_scn(const char *zPath, ky_err *err) {
	scn_drill_opts o = { .bCheckOnly = 1 };
	memset(err, 0, sizeof *err);
	scn_drill *d = scn_drill_open(zPath, &o, err);
	scn_drill_free(d);
	return d ? 0 : err->code;
}

TEST(check_names_unknown_services_and_credentials_anywhere_with_file_and_line) {
	static const struct { const char *zBody, *zWant; int line; } a[] = {
		{ "at(\"1m\", function()\n  attack.compromise { entry = \"dsm\", fraction = 0.1 }\nend)\n",
		  "entry: unknown entry point 'dsm' (an ECU: tcu, gw, ivi, bcm, adas; or a service: telematics, ota, vsoc, pki, app_api, dms)", 7 },
		{ "every(\"5m\", function()\n\n  attack.exfiltrate { credential = \"synk\", records = 5 }\nend)\n",
		  "credential: unknown credential 'synk' (known: sync)", 8 },
		{ "on(\"action\", function(a) attack.spread { rate = 1, via = 'dealer' } end)\n", "via: unknown path 'dealer' (c2, or a service:", 6 },
		{ "at(\"1m\", function() service.degrade({ name = \"dsm\", level = \"down\" }) end)\n",
		  "service.degrade/status: name: unknown service 'dsm' (known: telematics, ota, vsoc, pki, app_api, dms)", 6 },
		{ "at(\"1m\", function() attack.exfiltrate { service = \"crm\", records = 1 } end)\n", "service: unknown service 'crm'", 6 },
		{ "inject { id = \"I1\", at = \"5m\", to = \"vsoc\", title = \"t\",\n  expects = { { action = \"rotate_credential\", "
		  "args = { credential = \"sink\" }, within = \"1h\" } } }\n", "rotate_credential: args.credential: 'sink' is not one of: sync", 6 },
		{ "inject { id = \"I1\", at = \"5m\", to = \"vsoc\", title = \"t\",\n  expects = { { action = \"isolate_service\", "
		  "args = { name = \"dsm\" }, within = \"1h\" } } }\n", "args.name: 'dsm' is not one of: telematics, ota, vsoc, pki, app_api, dms", 6 },
		{ "credentials { { id = \"k2\", kind = \"api_key\", held_by = \"nobody\", reaches = { \"dms\" } } }\n",
		  "held_by: 'nobody' is not a team, an organisation or a party", 6 },
		{ "credentials { { id = \"k2\", kind = \"api_key\", held_by = \"partners\", reaches = { \"cpo\" } } }\n",
		  "reaches[1]: unknown service 'cpo'", 6 },
	};
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
		char zName[32], zWant[700];
		snprintf(zName, sizeof zName, "bad%zu.lua", i);
		const char *zPath = write_scn(zName, a[i].zBody);
		ky_err err;
		if (check_scn(zPath, &err) == 0) ky_test_fail(__FILE__, __LINE__, "case %zu: accepted", i);
		snprintf(zWant, sizeof zWant, "%s:%d: ", zPath, a[i].line);
		if (strncmp(err.zMsg, zWant, strlen(zWant)) != 0 || !strstr(err.zMsg, a[i].zWant))
			ky_test_fail(__FILE__, __LINE__, "case %zu: got \"%s\", want \"%s%s\"", i, err.zMsg, zWant, a[i].zWant);
	}
	/* names in comments, strings and other tables are not checked; literals that are right pass */
	const char *zOk = write_scn("ok.lua",
	                            "-- entry = \"nope\"\n--[[ credential = \"nope\" ]]\nlocal s = \"via = 'nope'\"\n"
	                            "parties { { id = \"cdk\", name = \"DMS vendor\" } }\n"
	                            "at(\"1m\", function() service.status { name = \"dms\" }; attack.compromise { entry = \"dms\", "
	                            "credential = \"sync\" }; attack.spread { rate = 1, via = \"c2\" } end)\n");
	ky_err err;
	if (check_scn(zOk, &err)) ky_test_fail(__FILE__, __LINE__, "refused: %s", err.zMsg);
}

/* Plays scenarios/NAME.SCRIPT.jsonl's actions after the drill's now up to tUntil, then advances there. */
static void play(scn_drill *d, const char *zName, const char *zScript, eng_time_t tUntil) {
	eng_time_t tFrom = scn_drill_now(d);
	char zActs[256], zLine[4096];
	ky_err err = { 0 };
	snprintf(zActs, sizeof zActs, "scenarios/%s.%s.jsonl", zName, zScript);
	FILE *f = fopen(zActs, "r");
	ASSERT_TRUE(f != NULL);
	while (fgets(zLine, sizeof zLine, f)) {
		json_t *j = J(zLine);
		eng_time_t t;
		ASSERT_EQ_INT(eng_time_parse(json_string_value(json_object_get(j, "t")), &t, &err), 0);
		if (t <= tUntil && (t > tFrom || tFrom == 0)) {
			ASSERT_EQ_INT(scn_drill_advance_to(d, t, &err), 0);
			if (scn_drill_action(d, json_string_value(json_object_get(j, "team")), NULL,
			                     json_string_value(json_object_get(j, "kind")), json_object_get(j, "args"), NULL, NULL, &err))
				ky_test_fail(__FILE__, __LINE__, "%s: %s", zLine, err.zMsg);
		}
		json_decref(j);
	}
	fclose(f);
	ASSERT_EQ_INT(scn_drill_advance_to(d, tUntil, &err), 0);
}

static scn_drill *open_drill(const char *zName) {
	char zPath[256];
	ky_err err = { 0 };
	snprintf(zPath, sizeof zPath, "scenarios/%s.lua", zName);
	scn_drill *d = scn_drill_open(zPath, NULL, &err);
	if (!d) ky_test_fail(__FILE__, __LINE__, "open %s: %s", zPath, err.zMsg);
	return d;
}

/* Runs a shipped drill with its script; the summary (new ref). */
static json_t *run_drill(const char *zName, const char *zScript) {
	scn_drill *d = open_drill(zName);
	play(d, zName, zScript, scn_drill_duration(d));
	json_t *s = scn_drill_summary_json(d);
	scn_drill_free(d);
	return s;
}

/* The world's hash at the fleet sample of time t (when the recorder takes its snapshot). */
typedef struct hash_at {
	scn_drill *d;
	eng_time_t t;
	char zHash[65];
} hash_at;
static void h_fleet(void *ctx, json_t *m) {
	hash_at *h = ctx;
	if (json_integer_value(json_object_get(m, "t_us")) == h->t && !h->zHash[0]) veh_world_state_hash(scn_drill_world(h->d), h->zHash);
}

TEST(a_recorded_declared_drill_seeks_and_resumes_to_the_same_world) {
	char zDb[600], zEnd[65], zSeek[65];
	ky_err err = { 0 };
	snprintf(zDb, sizeof zDb, "%s/dms.db", ky_test_tmpdir());
	scn_drill *d = open_drill("dealer-dms");
	scn_record *r = scn_record_attach(d, zDb, &err);
	ASSERT_TRUE(r != NULL);
	scn_record_set_snapshot_interval(r, MIN(10));
	hash_at h = { .d = d, .t = MIN(150) };  /* the DMS isolated, the account rotated, the recall under way */
	scn_observer obs = { .ctx = &h, .on_fleet = h_fleet };
	ASSERT_EQ_INT(scn_drill_add_observer(d, &obs), 0);
	play(d, "dealer-dms", "good", scn_drill_duration(d));
	const char *zAt = h.zHash;
	ASSERT_TRUE(zAt[0] != 0);
	veh_world_state_hash(scn_drill_world(d), zEnd);
	ASSERT_EQ_INT(scn_record_close(r, &err), 0);
	scn_drill_free(d);
	scn_seek *s = scn_seek_open(zDb, "scenarios/dealer-dms.lua", &err);
	if (!s) ky_test_fail(__FILE__, __LINE__, "seek open: %s", err.zMsg);
	eng_time_t tSnap = 0;
	ASSERT_EQ_INT(scn_seek_to(s, MIN(150), &tSnap, &err), 0);
	ASSERT_EQ_INT(tSnap, MIN(150));
	veh_world_state_hash(scn_seek_world(s), zSeek);
	ASSERT_EQ_STR(zSeek, zAt);
	json_t *m = veh_world_metrics_json(scn_seek_world(s));
	ASSERT_EQ_STR(json_string_value(json_object_get(json_object_get(m, "services"), "dms")), "down");
	json_decref(m);
	scn_seek_close(s);
	scn_resume_opts o = { .zScenarioPath = "scenarios/dealer-dms.lua", .bReadOnly = 1 };
	scn_drill *d2 = scn_resume_open(zDb, &o, NULL, NULL, &err);
	if (!d2) ky_test_fail(__FILE__, __LINE__, "resume: %s", err.zMsg);
	veh_world_state_hash(scn_drill_world(d2), zSeek);
	ASSERT_EQ_STR(zSeek, zEnd);
	scn_drill_free(d2);
}

static double fleet_num(json_t *s, const char *k) { return json_number_value(json_object_get(json_object_get(s, "fleet"), k)); }

TEST(the_dealer_dms_drill_rewards_a_rotation_and_a_safe_restore) {
	json_t *g = run_drill("dealer-dms", "good"), *p = run_drill("dealer-dms", "poor");
	/* the good coalition rotates the account at 01:40: the pulls at 00:30 .. 01:30 got through (5 x 6000) */
	ASSERT_NEAR(fleet_num(g, "records_exfiltrated"), 30000, 0);
	ASSERT_LT(fleet_num(g, "records_exfiltrated"), fleet_num(p, "records_exfiltrated"));
	/* the poor one restored the DMS while the account still worked: it was encrypted again */
	ASSERT_LT(fleet_num(g, "services_customer_hours") + 20000, fleet_num(p, "services_customer_hours"));
	ASSERT_LT(0, fleet_num(g, "recall_visits"));
	ASSERT_EQ_INT(fleet_num(p, "recall_visits"), 0);
	ASSERT_LT(json_number_value(json_object_get(p, "joint")) + 100, json_number_value(json_object_get(g, "joint")));
	json_t *c = json_array_get(json_object_get(json_object_get(g, "fleet"), "credentials"), 0);
	ASSERT_EQ_STR(json_string_value(json_object_get(c, "id")), "svc-dms-sync");
	ASSERT_EQ_INT(json_integer_value(json_object_get(c, "rotations")), 1);
	ASSERT_TRUE(json_is_false(json_object_get(c, "leaked")));
	json_decref(g);
	json_decref(p);
}

TEST(the_converted_drills_cut_the_leaked_credentials_by_rotation) {
	json_t *g = run_drill("darkweb-leak", "good"), *p = run_drill("darkweb-leak", "poor");
	ASSERT_NEAR(fleet_num(g, "records_exfiltrated"), 150000, 0);  /* pulls until the rotation at 01:10 (the scraper host blocked at 00:55) */
	ASSERT_NEAR(fleet_num(p, "records_exfiltrated"), 900000, 0);
	ASSERT_NEAR(fleet_num(g, "services_customer_hours"), 100000 * 0.5 * 0.1, 1e-6);  /* the contractor's batch, 30 min */
	ASSERT_NEAR(fleet_num(g, "service_downtime_s"), 0, 0);  /* no car lost its telematics */
	json_decref(g);
	json_decref(p);
	g = run_drill("api-key-leak", "good");
	json_t *creds = json_object_get(json_object_get(g, "fleet"), "credentials");
	ASSERT_EQ_STR(json_string_value(json_object_get(json_array_get(creds, 0), "id")), "apikey:fleetpartner-07");
	ASSERT_EQ_INT(json_integer_value(json_object_get(json_array_get(creds, 0), "rotations")), 1);
	ASSERT_NEAR(fleet_num(g, "services_customer_hours"), 1200, 1e-6);  /* the partner's integration, 1 h */
	json_decref(g);
}
