/* respond: the effects of the world-changing team actions (CONTRACT §3), dispatched by the table of action kinds
 * (action.c); OTA campaigns themselves are in ota.c. Each action's effect and cost is described in docs/world-model.md.
 * Every result says whether the action was "effective" (CONTRACT §2: it touched what the incident uses, harm.c) and,
 * for the kinds that select cars, its "coverage": the fraction of the incident's cars it reached (0 when the incident
 * has none). */
#include "vehicles/worldInt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int veh__act_block(veh_world *w, const char *zTeam, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	const char *zVal;
	if (veh__arg_string(args, "value", NULL, zKind, &zVal, err)) return err->code;
	int64_t nMatched = 0, nCars = 0;
	eng_time_t t = eng_sim_now(w->sim) + w->p.blockDelay;
	for (int c = 0; c < w->nCamp; c++) {
		veh_campaign *k = &w->aCamp[c];
		int bHit = 0;
		for (int i = 0; i < k->nInd; i++) bHit |= strcasecmp(k->azInd[i], zVal) == 0;
		if (!bHit) continue;
		nMatched++;
		nCars += k->nComp;
		if (!k->bBlocked && (k->tBlockAt < 0 || k->tBlockAt > t)) {
			int rc = veh__sched_block(w, c, t);
			if (rc) return ky_err_set(err, rc, "%s: cannot schedule the block", zKind);
		}
	}
	veh__fact(w, "action.block_indicator", zVal, json_pack("{sssIsIsf}", "team", zTeam ? zTeam : "", "campaigns",
	                                                      (json_int_t)nMatched, "cars", (json_int_t)nCars, "effective_in_s",
	                                                      (double)w->p.blockDelay / ENG_US_PER_S));
	*result = json_pack("{sIsIsfsb}", "matched", (json_int_t)nMatched, "cars", (json_int_t)nCars, "effective_in_s",
	                    nMatched ? (double)w->p.blockDelay / ENG_US_PER_S : 0.0, "effective", nMatched > 0);
	return 0;
}

static int isolate(veh_world *w, const char *zKind, json_t *args, json_t **result, ky_err *err, int bIsolate) {
	const char *zName;
	if (veh__arg_string(args, "name", NULL, zKind, &zName, err)) return err->code;
	int s = veh__svc_index(zName);
	if (s < 0) return ky_err_set(err, KY_ENOENT, "%s: name: unknown service '%s' (known: telematics, ota, vsoc, pki, app_api)", zKind, zName);
	int bWas = w->aSvc[s].bIsolated;
	const char *zWas = veh__health_name(w->aSvc[s].health);
	/* isolating: effective when the service is on an attack path; restoring: when there was something to restore */
	int bEffective = bIsolate ? veh__path_active(w, s) : bWas || w->aSvc[s].health != VEH_H_UP;
	veh__harm_account(w);
	veh__svc_set(w, s, bIsolate ? w->aSvc[s].health : VEH_H_UP, bIsolate);  /* restored from a clean build */
	if (!bIsolate) w->svcPath &= ~(1u << s);
	int64_t nOnline = (int64_t)w->f.n - w->nOffline - w->nBricked;
	*result = json_pack("{sssssbsIsbsI}", "service", zName, "health", zWas, "was_isolated", bWas, "cars_online",
	                    (json_int_t)nOnline, "effective", bEffective, "customers_cut",
	                    (json_int_t)(bIsolate && !bWas && veh__svc_customer_facing(s) ? w->f.n : 0));
	return 0;
}

int veh__act_isolate(veh_world *w, const char *zTeam, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	(void)zTeam;
	return isolate(w, zKind, args, result, err, 1);
}

int veh__act_restore(veh_world *w, const char *zTeam, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	(void)zTeam;
	return isolate(w, zKind, args, result, err, 0);
}

/* Revokes the OTA signing key: the PKI rotates it (a compromised PKI is healthy again) and every malicious
 * package signed with it is rejected by the cars from now on. No car is cut. */
static int revoke_signing_key(veh_world *w, const char *zTeam, json_t **result) {
	int64_t nInvalid = 0;
	for (int o = 0; o < w->nOta; o++)
		if (w->aOta[o].iAttack >= 0 && !w->aOta[o].bRevoked) {
			w->aOta[o].bRevoked = 1;
			nInvalid++;
		}
	int bWasComp = w->aSvc[VEH_SVC_PKI].health == VEH_H_COMPROMISED;
	if (bWasComp) veh__svc_set(w, VEH_SVC_PKI, VEH_H_UP, w->aSvc[VEH_SVC_PKI].bIsolated);
	veh__fact(w, "pki.revoke", "signing_key", json_pack("{sssIsb}", "team", zTeam ? zTeam : "", "packages_rejected",
	                                                    (json_int_t)nInvalid, "pki_was_compromised", bWasComp));
	*result = json_pack("{sisIsbsb}", "cut_cars", 0, "packages_rejected", (json_int_t)nInvalid, "pki_was_compromised", bWasComp,
	                    "effective", nInvalid > 0 || bWasComp);
	return 0;
}

int veh__act_revoke(veh_world *w, const char *zTeam, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	json_t *jScope = json_object_get(args, "scope");
	veh_selector s;
	int rc;
	if (!jScope) return ky_err_set(err, KY_EINVAL, "%s: scope: required (a selector, an ECU class or \"all\")", zKind);
	if (json_is_string(jScope) && (strcmp(json_string_value(jScope), "signing_key") == 0))
		return revoke_signing_key(w, zTeam, result);
	if (json_is_string(jScope)) {
		const char *z = json_string_value(jScope);
		json_t *jSel = strcmp(z, "all") == 0 ? json_object() : json_pack("{ss}", "ecu", z);
		rc = veh_selector_compile(&w->f, jSel, "revoke_certificate: scope.", &s, err);
		json_decref(jSel);
	} else {
		rc = veh_selector_compile(&w->f, json_object_get(jScope, "select") ? json_object_get(jScope, "select") : jScope,
		                          "revoke_certificate: scope.", &s, err);
	}
	if (rc) return rc;
	veh_incident inc;
	if (veh__incident_open(w, -1, -1, &inc)) {
		veh_selector_free(&s);
		return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zKind);
	}
	veh_fleet *f = &w->f;
	int64_t nCut = 0, nComp = 0, nInc = 0, nHit = 0;
	for (uint32_t i = 0; i < f->n; i++) {
		int bInc = veh__incident_has(w, &inc, i), bSel = !(f->aFlags[i] & VEH_F_BRICKED) && veh_selector_match(f, &s, i);
		nInc += bInc;
		nHit += bInc && bSel;
		if (!bSel || (f->aFlags[i] & VEH_F_REVOKED)) continue;
		int l0 = veh__loss_begin(w, i);
		f->aFlags[i] |= VEH_F_REVOKED;
		veh__loss_end(w, i, l0);
		w->nRevoked++;
		nCut++;
		nComp += (f->aFlags[i] & VEH_F_COMP) != 0;
	}
	veh__incident_close(&inc);
	veh_selector_free(&s);
	w->nRevokedWaiting += nCut;
	veh__fact(w, "pki.revoke", "pki", json_pack("{sssIsI}", "team", zTeam ? zTeam : "", "cut_cars", (json_int_t)nCut,
	                                            "compromised_cut", (json_int_t)nComp));
	*result = json_pack("{sIsIsfsbsf}", "cut_cars", (json_int_t)nCut, "compromised_cut", (json_int_t)nComp,
	                    "reprovision_per_hour", veh__svc_usable(w, VEH_SVC_PKI) ? w->p.pkiPerHour : 0.0, "effective", nHit > 0,
	                    "coverage", nInc ? (double)nHit / (double)nInc : 0.0);
	return 0;
}

/* How many of the incident's cars that an update of c's ECU can fix there are (*pnInc), and how many of them c
 * targets (*pnHit): firmware fitted and older than c's version, in c's selector. 0 or KY_ENOMEM. */
static int ota_reach(const veh_world *w, const veh_ota_camp *c, int64_t *pnInc, int64_t *pnHit) {
	veh_incident inc;
	const veh_fleet *f = &w->f;
	if (veh__incident_open(w, c->iEcu, -1, &inc)) return KY_ENOMEM;
	for (uint32_t i = 0; i < f->n; i++) {
		if (!veh__incident_has(w, &inc, i)) continue;
		uint32_t v = f->aVer[c->iEcu][i];
		(*pnInc)++;
		*pnHit += v != VEH_VER_NONE && v < c->ver && !(f->aFlags[i] & VEH_F_BRICKED) && veh_selector_match(f, &c->sel, i);
	}
	veh__incident_close(&inc);
	return 0;
}

int veh__act_ota(veh_world *w, const char *zTeam, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	const char *zEcu, *zVer;
	uint32_t ver;
	double rollout;
	json_t *jSel = json_object_get(args, "select");
	if (veh__arg_string(args, "ecu", json_string_value(json_object_get(jSel, "ecu")), zKind, &zEcu, err)) return err->code;
	int iEcu = veh_ecu_index(zEcu);
	if (iEcu < 0) return ky_err_set(err, KY_ENOENT, "%s: ecu: unknown ECU '%s' (known: tcu, gw, ivi, bcm, adas)", zKind, zEcu);
	if (veh__arg_string(args, "version", NULL, zKind, &zVer, err)) return err->code;
	if (veh_version_parse(zVer, &ver, err)) return ky_err_prefix(err, "%s: version", zKind);
	if (veh__arg_fraction(args, "rollout", 0.25, zKind, &rollout, err)) return err->code;
	if (rollout <= 0) return ky_err_set(err, KY_EINVAL, "%s: rollout: must be above 0 (fraction of the targeted cars offered per hour)", zKind);
	int iOta;
	int rc = veh__ota_add(w, jSel, zKind, iEcu, ver, rollout, 0, -1, &iOta, err);
	if (rc) return rc;
	veh_ota_camp *c = &w->aOta[iOta];
	int64_t nInc = 0, nHit = 0;
	if ((rc = ota_reach(w, c, &nInc, &nHit))) return ky_err_set(err, rc, "%s: out of memory", zKind);
	veh__fact(w, "ota.campaign", zEcu, json_pack("{sssisssIsf}", "team", zTeam ? zTeam : "", "campaign", iOta + 1, "version", zVer,
	                                             "targeted", (json_int_t)c->nTarget, "rollout", rollout));
	*result = json_pack("{sisIsfsbsbsbsf}", "campaign", iOta + 1, "targeted", (json_int_t)c->nTarget, "eta_hours", 1.0 / rollout,
	                    "ota_usable", veh__svc_usable(w, VEH_SVC_OTA), "telematics_usable", veh__svc_usable(w, VEH_SVC_TELEMATICS),
	                    "effective", nHit > 0, "coverage", nInc ? (double)nHit / (double)nInc : 0.0);
	return 0;
}

int veh__act_disable(veh_world *w, const char *zTeam, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	const char *zFeat;
	veh_selector s;
	if (veh__arg_string(args, "feature", NULL, zKind, &zFeat, err)) return err->code;
	int iFeat = veh_feature_index(zFeat);
	if (iFeat < 0)
		return ky_err_set(err, KY_ENOENT, "%s: feature: unknown feature '%s' (remote_unlock, remote_start, remote_climate, "
		                  "location, horn_lights)", zKind, zFeat);
	if (veh_selector_compile(&w->f, json_object_get(args, "select"), "disable_feature: select.", &s, err)) return err->code;
	veh_incident inc;
	if (veh__incident_open(w, -1, iFeat, &inc)) {
		veh_selector_free(&s);
		return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zKind);
	}
	veh_fleet *f = &w->f;
	uint8_t bit = (uint8_t)(1u << iFeat);
	int64_t nCars = 0, nNewCustomers = 0, nInc = 0, nHit = 0;
	for (uint32_t i = 0; i < f->n; i++) {
		int bInc = (w->featAbused & bit) && veh__incident_has(w, &inc, i);
		int bSel = (f->aCoh[f->aCohort[i]].features & bit) && veh_selector_match(f, &s, i);
		nInc += bInc;
		nHit += bInc && bSel;
		if (!bSel || (f->aFeatOff[i] & bit)) continue;
		if (!f->aFeatOff[i]) nNewCustomers++;
		int l0 = veh__loss_begin(w, i);
		f->aFeatOff[i] |= bit;
		veh__loss_end(w, i, l0);
		nCars++;
	}
	veh__incident_close(&inc);
	veh_selector_free(&s);
	w->nCustomers += nNewCustomers;
	veh__fact(w, "feature.disabled", zFeat, json_pack("{sssIsI}", "team", zTeam ? zTeam : "", "cars", (json_int_t)nCars,
	                                                  "new_customers_affected", (json_int_t)nNewCustomers));
	*result = json_pack("{sIsIsIsbsf}", "affected_customers", (json_int_t)nCars, "new_customers_affected", (json_int_t)nNewCustomers,
	                    "customers_affected_total", (json_int_t)w->nCustomers, "effective", nHit > 0, "coverage",
	                    nInc ? (double)nHit / (double)nInc : 0.0);
	return 0;
}

/* assess: an impact assessment of a component, or a VEX statement about a vulnerability (vehicles/assess.c). */
int veh__act_assess(veh_world *w, const char *zTeam, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	(void)zTeam;
	int rc = veh__assess(w, zKind, args, result, err);
	json_t *e = json_object_get(*result, "error");
	if (rc == 0 && json_is_number(e))  /* what an expectation's effect{} can require: { accuracy = 0.8 } */
		json_object_set_new(*result, "accuracy", json_real(json_number_value(e) < 1 ? 1 - json_number_value(e) : 0.0));
	return rc;
}

/* Pauses or resumes one OTA campaign of the OTA server (its number, as the fleet view's ota_campaigns lists it):
 * a paused campaign offers no car and its offered and downloading cars wait; installs under way finish. */
static int pause_ota(veh_world *w, const char *zTeam, const char *zKind, json_t *args, json_t **result, ky_err *err,
                     int bPause) {
	int64_t n;
	if (!veh__count(json_object_get(args, "campaign"), &n) || n < 1)
		return ky_err_set(err, KY_EINVAL, "%s: campaign: expected a campaign number (1, 2, ...)", zKind);
	if (n > w->nOta)
		return ky_err_set(err, KY_ENOENT, "%s: campaign: there is no OTA campaign %lld (%d so far)", zKind, (long long)n, w->nOta);
	veh_ota_camp *c = &w->aOta[n - 1];
	int bWas = c->bPaused;
	c->bPaused = bPause;
	veh__fact(w, bPause ? "ota.paused" : "ota.resumed", veh_ecu_name(c->iEcu),
	          json_pack("{sssIsbsb}", "team", zTeam ? zTeam : "", "campaign", (json_int_t)n, "was_paused", bWas, "malicious",
	                    c->iAttack >= 0));
	/* effective: pausing an attack's (malicious) campaign, or resuming a fix that was paused */
	int bEffective = bPause ? c->iAttack >= 0 && !bWas : c->iAttack < 0 && bWas;
	*result = json_pack("{sIsbsbsIsIsIsb}", "campaign", (json_int_t)n, "paused", bPause, "was_paused", bWas, "offered",
	                    (json_int_t)c->nOffered, "done", (json_int_t)c->nDone, "waiting", (json_int_t)c->nBusy, "effective",
	                    bEffective);
	return 0;
}

int veh__act_ota_pause(veh_world *w, const char *zTeam, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	return pause_ota(w, zTeam, zKind, args, result, err, 1);
}

int veh__act_ota_resume(veh_world *w, const char *zTeam, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	return pause_ota(w, zTeam, zKind, args, result, err, 0);
}
