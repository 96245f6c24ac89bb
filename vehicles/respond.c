/* respond: the effects of the world-changing team actions (CONTRACT §3), dispatched by the table of action kinds
 * (action.c); OTA campaigns themselves are in ota.c. Each action's effect and cost is described in docs/world-model.md.
 * Every result says whether the action was "effective" (CONTRACT §2: it touched what the incident uses, harm.c) and,
 * for the kinds that select cars, its "coverage": the fraction of the incident's cars it reached (0 when the incident
 * has none). With organisations, the incident's cars of the acting org only: a team acts on its own fleet. */
#include "vehicles/worldInt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Is car i of the acting org iOrg (every car without orgs, or without an acting org with a fleet)? */
static int of_org(const veh_world *w, int iOrg, uint32_t i) {
	return !w->bOrgs || iOrg < 0 || !veh__org_has_fleet(w, iOrg) || veh__org_of(w, i) == iOrg;
}

/* Cars of campaign iCamp that belong to org iOrg (all of its cars without orgs). */
int veh__block(veh_world *w, int iOrg, const char *zVal, eng_time_t delay, int64_t *pnMatched, int64_t *pnCars,
               ky_err *err) {
	eng_time_t t = eng_sim_now(w->sim) + delay;
	*pnMatched = *pnCars = 0;
	for (int c = 0; c < w->nCamp; c++) {
		veh_campaign *k = &w->aCamp[c];
		veh_org *o = &w->aOrg[iOrg];
		int bHit = 0;
		for (int i = 0; i < k->nInd; i++) bHit |= strcasecmp(k->azInd[i], zVal) == 0;
		if (!bHit) continue;
		(*pnMatched)++;
		*pnCars += veh__camp_cars_of(w, c, iOrg);
		if (!o->aBlocked[c] && (o->aBlockAt[c] < 0 || o->aBlockAt[c] > t)) {
			int rc = veh__sched_block(w, iOrg, c, t);
			if (rc) return ky_err_set(err, rc, "block %s: cannot schedule the block", zVal);
		}
	}
	return 0;
}

/* block_indicator: at the acting org's gateway (every org's when the action has no org). */
int veh__act_block(veh_world *w, const char *zTeam, int iOrg, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	const char *zVal;
	if (veh__arg_string(args, "value", NULL, zKind, &zVal, err)) return err->code;
	int64_t nMatched = 0, nCars = 0;
	for (int o = 0; o < w->nOrg; o++) {
		if (iOrg >= 0 && o != iOrg) continue;
		int64_t m, c;
		int rc = veh__block(w, o, zVal, w->p.blockDelay, &m, &c, err);
		if (rc) return ky_err_prefix(err, "%s", zKind);
		nMatched = m;  /* the same campaigns match at every gateway */
		nCars += c;
	}
	veh__fact(w, "action.block_indicator", zVal,
	          veh__org_tag(w, iOrg, json_pack("{sssIsIsf}", "team", zTeam ? zTeam : "", "campaigns", (json_int_t)nMatched,
	                                          "cars", (json_int_t)nCars, "effective_in_s",
	                                          (double)w->p.blockDelay / ENG_US_PER_S)));
	*result = json_pack("{sIsIsfsb}", "matched", (json_int_t)nMatched, "cars", (json_int_t)nCars, "effective_in_s",
	                    nMatched ? (double)w->p.blockDelay / ENG_US_PER_S : 0.0, "effective", nMatched > 0);
	return 0;
}

/* isolate_service / restore_service of args.org's backend (scoped by action.c to the acting org), or of a declared
 * service (its own org's; one an outside party operates is refused: the team contacts that party). */
static int isolate(veh_world *w, const char *zKind, json_t *args, json_t **result, ky_err *err, int bIsolate) {
	const char *zName;
	char zKnown[800];
	int o = 0;
	if (veh__arg_string(args, "name", NULL, zKind, &zName, err)) return err->code;
	int s = veh__svc_find(w, zName);
	if (s < 0) {
		veh__svc_known(w, zKnown, sizeof zKnown);
		return ky_err_set(err, KY_ENOENT, "%s: name: unknown service '%s' (known: %s)", zKind, zName, zKnown);
	}
	if (s >= VEH_SVC_N && w->aSvcX[s - VEH_SVC_N].zOperator[0])
		return ky_err_set(err, KY_EINVAL, "%s: name: '%s' is run by %s, an outside party: ask them (contact)", zKind, zName,
		                  w->aSvcX[s - VEH_SVC_N].zOperator);
	if (s < VEH_SVC_N && veh__arg_org(w, args, zKind, &o, err)) return err->code;
	const veh_service *v = veh__svc_cat(w, o, s);
	int bWas = v->bIsolated;
	const char *zWas = veh__health_name(v->health);
	/* isolating: effective when the service is on an attack path; restoring: when there was something to restore */
	int bEffective = bIsolate ? veh__path_active(w, o, s) : bWas || v->health != VEH_H_UP;
	int bWasUsable = veh__svc_usable(w, o, s);
	veh__comp_account(w);
	veh__svc_set(w, o, s, bIsolate ? v->health : VEH_H_UP, bIsolate);  /* restored from a clean build */
	if (!bIsolate && s < 64) w->svcPath &= ~((uint64_t)1 << s);
	*result = json_pack("{sssssbsb}", "service", zName, "health", zWas, "was_isolated", bWas, "effective", bEffective);
	if (s < VEH_SVC_N) {
		const veh_org *g = &w->aOrg[o];
		json_object_set_new(*result, "cars_online", json_integer(g->nCars - g->c.nOffline - g->c.nBricked));
		json_object_set_new(*result, "customers_cut", json_integer(bIsolate && bWasUsable && veh__svc_customer_facing(s) &&
		                                                           veh__org_has_fleet(w, o) ? g->nCars : 0));
	} else {
		json_object_set_new(*result, "customers", json_integer(w->aSvcX[s - VEH_SVC_N].nCustomers));
	}
	if (w->bOrgs) json_object_set_new(*result, "org", json_string(w->aOrg[veh__svc_owner(w, o, s)].zId));
	return 0;
}

int veh__act_isolate(veh_world *w, const char *zTeam, int iOrg, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	(void)zTeam, (void)iOrg;
	return isolate(w, zKind, args, result, err, 1);
}

int veh__act_restore(veh_world *w, const char *zTeam, int iOrg, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	(void)zTeam, (void)iOrg;
	return isolate(w, zKind, args, result, err, 0);
}

/* Revokes org o's OTA signing key: its PKI rotates it (a compromised PKI is healthy again) and every malicious
 * package signed with it is rejected by the cars from now on. No car is cut. */
static int revoke_signing_key(veh_world *w, const char *zTeam, int o, json_t **result) {
	int64_t nInvalid = 0;
	for (int k = 0; k < w->nOta; k++)
		if (w->aOta[k].iAttack >= 0 && !w->aOta[k].bRevoked && w->aOta[k].iOrg == o) {
			w->aOta[k].bRevoked = 1;
			nInvalid++;
		}
	veh_service *v = &w->aOrg[o].aSvc[VEH_SVC_PKI];
	int bWasComp = v->health == VEH_H_COMPROMISED;
	if (bWasComp) veh__svc_set(w, o, VEH_SVC_PKI, VEH_H_UP, v->bIsolated);
	veh__fact(w, "pki.revoke", "signing_key",
	          veh__org_tag(w, o, json_pack("{sssIsb}", "team", zTeam ? zTeam : "", "packages_rejected", (json_int_t)nInvalid,
	                                       "pki_was_compromised", bWasComp)));
	*result = json_pack("{sisIsbsb}", "cut_cars", 0, "packages_rejected", (json_int_t)nInvalid, "pki_was_compromised", bWasComp,
	                    "effective", nInvalid > 0 || bWasComp);
	return 0;
}

int veh__act_revoke(veh_world *w, const char *zTeam, int iOrg, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	json_t *jScope = json_object_get(args, "scope");
	veh_selector s;
	int rc;
	if (!jScope) return ky_err_set(err, KY_EINVAL, "%s: scope: required (a selector, an ECU class or \"all\")", zKind);
	if (json_is_string(jScope) && (strcmp(json_string_value(jScope), "signing_key") == 0)) {
		int o = iOrg;
		if (o < 0 && veh__arg_org(w, args, zKind, &o, err)) return err->code;
		return revoke_signing_key(w, zTeam, o, result);
	}
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
	int bPki = 0;  /* some revoked car's PKI can re-provision it */
	for (uint32_t i = 0; i < f->n; i++) {
		int bInc = of_org(w, iOrg, i) && veh__incident_has(w, &inc, i);
		int bSel = !(f->aFlags[i] & VEH_F_BRICKED) && veh_selector_match(f, &s, i);
		nInc += bInc;
		nHit += bInc && bSel;
		if (!bSel || (f->aFlags[i] & VEH_F_REVOKED)) continue;
		int l0 = veh__loss_begin(w, i);
		f->aFlags[i] |= VEH_F_REVOKED;
		veh__loss_end(w, i, l0);
		veh_counts *c = veh__counts_of(w, i);
		c->nRevoked++;
		c->nRevokedWaiting++;
		bPki |= veh__svc_usable(w, veh__org_of(w, i), VEH_SVC_PKI);
		nCut++;
		nComp += (f->aFlags[i] & VEH_F_COMP) != 0;
	}
	veh__incident_close(&inc);
	veh_selector_free(&s);
	if (!w->bOrgs) bPki = veh__svc_usable(w, 0, VEH_SVC_PKI);
	veh__fact(w, "pki.revoke", "pki", veh__org_tag(w, iOrg, json_pack("{sssIsI}", "team", zTeam ? zTeam : "", "cut_cars",
	                                                                  (json_int_t)nCut, "compromised_cut", (json_int_t)nComp)));
	*result = json_pack("{sIsIsfsbsf}", "cut_cars", (json_int_t)nCut, "compromised_cut", (json_int_t)nComp, "reprovision_per_hour",
	                    bPki ? w->p.pkiPerHour : 0.0, "effective", nHit > 0, "coverage", nInc ? (double)nHit / (double)nInc : 0.0);
	return 0;
}

/* How many of org iOrg's incident cars that an update of ECU iEcu to version ver can fix there are (*pnInc), and how
 * many of them selector sel reaches (*pnHit): firmware fitted and older than ver. 0 or KY_ENOMEM. */
static int update_reach(const veh_world *w, int iOrg, int iEcu, uint32_t ver, const veh_selector *sel, int64_t *pnInc,
                        int64_t *pnHit) {
	veh_incident inc;
	const veh_fleet *f = &w->f;
	if (veh__incident_open(w, iEcu, -1, &inc)) return KY_ENOMEM;
	for (uint32_t i = 0; i < f->n; i++) {
		if (!of_org(w, iOrg, i) || !veh__incident_has(w, &inc, i)) continue;
		uint32_t v = f->aVer[iEcu][i];
		(*pnInc)++;
		*pnHit += v != VEH_VER_NONE && v < ver && !(f->aFlags[i] & VEH_F_BRICKED) && veh_selector_match(f, sel, i);
	}
	veh__incident_close(&inc);
	return 0;
}

int veh__act_ota(veh_world *w, const char *zTeam, int iOrg, const char *zKind, json_t *args, json_t **result, ky_err *err) {
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
	int iOta, o = iOrg;  /* whose OTA server: the acting org, else the one org the selector names, else the only OEM */
	if (o < 0) {
		json_t *jSelOrg = json_object_get(jSel, "org");
		json_t *a = json_is_string(jSelOrg) ? json_pack("{sO}", "org", jSelOrg) : json_object();
		int rcOrg = veh__arg_org(w, a, zKind, &o, err);
		json_decref(a);
		if (rcOrg) return rcOrg;
	}
	int rc = veh__ota_add(w, jSel, zKind, o, iEcu, ver, rollout, 0, -1, &iOta, err);
	if (rc) return rc;
	veh_ota_camp *c = &w->aOta[iOta];
	int64_t nInc = 0, nHit = 0;
	if ((rc = update_reach(w, o, c->iEcu, c->ver, &c->sel, &nInc, &nHit))) return ky_err_set(err, rc, "%s: out of memory", zKind);
	veh__fact(w, "ota.campaign", zEcu,
	          veh__org_tag(w, o, json_pack("{sssisssIsf}", "team", zTeam ? zTeam : "", "campaign", iOta + 1, "version", zVer,
	                                       "targeted", (json_int_t)c->nTarget, "rollout", rollout)));
	*result = json_pack("{sisIsfsbsb}", "campaign", iOta + 1, "targeted", (json_int_t)c->nTarget, "eta_hours", 1.0 / rollout,
	                    "ota_usable", veh__svc_usable(w, o, VEH_SVC_OTA), "telematics_usable",
	                    veh__svc_usable(w, o, VEH_SVC_TELEMATICS));
	json_object_set_new(*result, "effective", json_boolean(nHit > 0));
	json_object_set_new(*result, "coverage", json_real(nInc ? (double)nHit / (double)nInc : 0.0));
	return 0;
}

int veh__act_disable(veh_world *w, const char *zTeam, int iOrg, const char *zKind, json_t *args, json_t **result, ky_err *err) {
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
		int bInc = (w->featAbused & bit) && of_org(w, iOrg, i) && veh__incident_has(w, &inc, i);
		int bSel = (f->aCoh[f->aCohort[i]].features & bit) && veh_selector_match(f, &s, i);
		nInc += bInc;
		nHit += bInc && bSel;
		if (!bSel || (f->aFeatOff[i] & bit)) continue;
		if (!f->aFeatOff[i]) {
			nNewCustomers++;
			veh__counts_of(w, i)->nCustomers++;
		}
		int l0 = veh__loss_begin(w, i);
		f->aFeatOff[i] |= bit;
		veh__loss_end(w, i, l0);
		nCars++;
	}
	veh__incident_close(&inc);
	veh_selector_free(&s);
	veh_counts tot;
	veh__totals(w, &tot);
	int64_t nTotal = iOrg >= 0 ? w->aOrg[iOrg].c.nCustomers : tot.nCustomers;
	veh__fact(w, "feature.disabled", zFeat,
	          veh__org_tag(w, iOrg, json_pack("{sssIsI}", "team", zTeam ? zTeam : "", "cars", (json_int_t)nCars,
	                                          "new_customers_affected", (json_int_t)nNewCustomers)));
	*result = json_pack("{sIsIsIsbsf}", "affected_customers", (json_int_t)nCars, "new_customers_affected", (json_int_t)nNewCustomers,
	                    "customers_affected_total", (json_int_t)nTotal, "effective", nHit > 0, "coverage",
	                    nInc ? (double)nHit / (double)nInc : 0.0);
	return 0;
}

/* assess: an impact assessment of a component, or a VEX statement about a vulnerability (vehicles/assess.c). An OEM's
 * team assesses its own fleet (the truth counts its org's cars); a team of an org without a fleet (a supplier, the
 * ISAC) every org's. */
int veh__act_assess(veh_world *w, const char *zTeam, int iOrg, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	(void)zTeam;
	int rc = veh__assess(w, w->bOrgs && veh__org_has_fleet(w, iOrg) ? iOrg : -1, zKind, args, result, err);
	json_t *e = rc == 0 ? json_object_get(*result, "error") : NULL;
	if (json_is_number(e))  /* what an expectation's effect{} can require: { accuracy = 0.8 } */
		json_object_set_new(*result, "accuracy", json_real(json_number_value(e) < 1 ? 1 - json_number_value(e) : 0.0));
	return rc;
}

/* Pauses or resumes one OTA campaign of the OTA server (its number, as the fleet view's ota_campaigns lists it):
 * a paused campaign offers no car and its offered and downloading cars wait; installs under way finish. */
static int pause_ota(veh_world *w, const char *zTeam, const char *zKind, json_t *args, json_t **result, ky_err *err,
                     int bPause) {
	int o = -1;  /* with orgs, the scope names the acting org: its OTA server's campaigns only */
	if (json_object_get(args, "org") && veh__arg_org(w, args, zKind, &o, err)) return err->code;
	int64_t n;
	if (!veh__count(json_object_get(args, "campaign"), &n) || n < 1)
		return ky_err_set(err, KY_EINVAL, "%s: campaign: expected a campaign number (1, 2, ...)", zKind);
	if (n > w->nOta)
		return ky_err_set(err, KY_ENOENT, "%s: campaign: there is no OTA campaign %lld (%d so far)", zKind, (long long)n, w->nOta);
	veh_ota_camp *c = &w->aOta[n - 1];
	if (o >= 0 && c->iOrg != o)
		return ky_err_set(err, KY_EINVAL, "%s: campaign: %lld is '%s''s OTA campaign, another organisation's (team %s acts "
		                  "for %s only)", zKind, (long long)n, w->aOrg[c->iOrg].zId, zTeam ? zTeam : "?", w->aOrg[o].zId);
	int bWas = c->bPaused;
	c->bPaused = bPause;
	veh__fact(w, bPause ? "ota.paused" : "ota.resumed", veh_ecu_name(c->iEcu),
	          veh__org_tag(w, c->iOrg, json_pack("{sssIsbsb}", "team", zTeam ? zTeam : "", "campaign", (json_int_t)n,
	                                             "was_paused", bWas, "malicious", c->iAttack >= 0)));
	/* effective: pausing an attack's (malicious) campaign, or resuming a fix that was paused */
	int bEffective = bPause ? c->iAttack >= 0 && !bWas : c->iAttack < 0 && bWas;
	*result = json_pack("{sIsbsbsIsIsIsb}", "campaign", (json_int_t)n, "paused", bPause, "was_paused", bWas, "offered",
	                    (json_int_t)c->nOffered, "done", (json_int_t)c->nDone, "waiting", (json_int_t)c->nBusy, "effective",
	                    bEffective);
	return 0;
}

int veh__act_ota_pause(veh_world *w, const char *zTeam, int iOrg, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	(void)iOrg;
	return pause_ota(w, zTeam, zKind, args, result, err, 1);
}

int veh__act_ota_resume(veh_world *w, const char *zTeam, int iOrg, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	(void)iOrg;
	return pause_ota(w, zTeam, zKind, args, result, err, 0);
}

/* rotate_credential: see veh__rotate (svc.c). */
int veh__act_rotate(veh_world *w, const char *zTeam, int iOrg, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	int k;
	(void)iOrg;
	if (veh__arg_cred(w, args, zKind, &k, err)) return err->code;
	if (k < 0) return ky_err_set(err, KY_EINVAL, "%s: credential: required", zKind);
	return veh__rotate(w, k, zTeam, result, err);
}

/* recall: a recall campaign (recall.c) of the acting org's cars (the selector's org, or the only OEM, without one). */
int veh__act_recall(veh_world *w, const char *zTeam, int iOrg, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	const char *zEcu, *zVer, *zVia;
	uint32_t ver;
	double perDay, uptake;
	eng_time_t visitUs;
	char zKnown[800];
	json_t *jSel = json_object_get(args, "select");
	if (veh__arg_string(args, "ecu", NULL, zKind, &zEcu, err)) return err->code;
	int iEcu = veh_ecu_index(zEcu);
	if (iEcu < 0) return ky_err_set(err, KY_ENOENT, "%s: ecu: unknown ECU '%s' (known: tcu, gw, ivi, bcm, adas)", zKind, zEcu);
	if (veh__arg_string(args, "version", NULL, zKind, &zVer, err)) return err->code;
	if (veh_version_parse(zVer, &ver, err)) return ky_err_prefix(err, "%s: version", zKind);
	if (veh__arg_fraction(args, "per_day", 0.02, zKind, &perDay, err) || veh__arg_fraction(args, "uptake", 0.75, zKind, &uptake, err) ||
	    veh__arg_time(args, "visit", ENG_S(3 * 3600), zKind, &visitUs, err) || veh__arg_string(args, "via", "", zKind, &zVia, err))
		return err->code;
	if (perDay <= 0) return ky_err_set(err, KY_EINVAL, "%s: per_day: must be above 0 (share of the targeted cars a day)", zKind);
	int iVia = *zVia ? veh__svc_find(w, zVia) : -1;
	if (*zVia && iVia < 0) {
		veh__svc_known(w, zKnown, sizeof zKnown);
		return ky_err_set(err, KY_ENOENT, "%s: via: unknown service '%s' (known: %s)", zKind, zVia, zKnown);
	}
	int o = iOrg, iRecall;
	if (o < 0) {
		json_t *jSelOrg = json_object_get(jSel, "org");
		json_t *a = json_is_string(jSelOrg) ? json_pack("{sO}", "org", jSelOrg) : json_object();
		int rcOrg = veh__arg_org(w, a, zKind, &o, err);
		json_decref(a);
		if (rcOrg) return rcOrg;
	}
	int rc = veh__recall_add(w, jSel, zKind, o, iEcu, ver, perDay, uptake, visitUs, iVia, &iRecall, err);
	if (rc) return rc;
	const veh_recall *r = &w->aRecall[iRecall];
	int64_t nInc = 0, nHit = 0;
	if ((rc = update_reach(w, o, r->iEcu, r->ver, &r->sel, &nInc, &nHit))) return ky_err_set(err, rc, "%s: out of memory", zKind);
	double visitH = (double)visitUs / (3600.0 * ENG_US_PER_S);
	veh__fact(w, "recall.campaign", zEcu,
	          veh__org_tag(w, o, json_pack("{sssisssIsfsf}", "team", zTeam ? zTeam : "", "recall", iRecall + 1, "version", zVer,
	                                       "targeted", (json_int_t)r->nTarget, "per_day", perDay, "uptake", uptake)));
	*result = json_pack("{sisIsfsfsfsf}", "recall", iRecall + 1, "targeted", (json_int_t)r->nTarget, "visits_per_day",
	                    perDay * (double)r->nTarget, "days_to_uptake", uptake / perDay, "visit_hours", visitH,
	                    "customer_hours_expected", uptake * (double)r->nTarget * visitH);
	if (iVia >= 0) json_object_set_new(*result, "via", json_string(zVia));
	json_object_set_new(*result, "effective", json_boolean(nHit > 0));
	json_object_set_new(*result, "coverage", json_real(nInc ? (double)nHit / (double)nInc : 0.0));
	return 0;
}

/* customer_advisory: a notice to the owners of the selected cars (the acting org's). Nothing in the world changes:
 * the scenario decides what the advice does (on("action")); the result says whom it reached. */
int veh__act_advisory(veh_world *w, const char *zTeam, int iOrg, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	veh_selector s;
	const char *zFeat = json_string_value(json_object_get(args, "feature"));
	if (zFeat && veh_feature_index(zFeat) < 0)
		return ky_err_set(err, KY_ENOENT, "%s: feature: unknown feature '%s' (remote_unlock, remote_start, remote_climate, "
		                  "location, horn_lights)", zKind, zFeat);
	if (veh_selector_compile(&w->f, json_object_get(args, "select"), "customer_advisory: select.", &s, err)) return err->code;
	int64_t n = 0;
	for (uint32_t i = 0; i < w->f.n; i++) n += !(w->f.aFlags[i] & VEH_F_BRICKED) && veh_selector_match(&w->f, &s, i);
	veh_selector_free(&s);
	veh__fact(w, "customer.advisory", zFeat ? zFeat : "",
	          veh__org_tag(w, iOrg, json_pack("{sssI}", "team", zTeam ? zTeam : "", "customers", (json_int_t)n)));
	*result = json_pack("{sI}", "customers", (json_int_t)n);
	if (zFeat) json_object_set_new(*result, "feature", json_string(zFeat));
	return 0;
}
