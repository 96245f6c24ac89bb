/* attack: the scenario verbs of veh_world_call (CONTRACT §2): fleet queries and the attack primitives.
 * Victims are chosen by selection sampling (Knuth's algorithm S) over the eligible cars in id order from the
 * "veh.attack" stream, so a call compromises exactly round(fraction x eligible) cars, deterministically. */
#include "vehicles/worldInt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_C2 "203.0.113.7"

static int sel_compile(veh_world *w, json_t *jSel, const char *zVerb, veh_selector *s, ky_err *err) {
	char zWhere[96];
	snprintf(zWhere, sizeof zWhere, "%s: select.", zVerb);
	return veh_selector_compile(&w->f, jSel, zWhere, s, err);
}

/* Entry point by name: ECU index, VEH_ENTRY_SVC + service (built-in or declared), or -1. */
static int entry_index(const veh_world *w, const char *z) {
	int e = veh_ecu_index(z);
	if (e >= 0) return e;
	int s = veh__svc_find(w, z);
	return s >= 0 ? VEH_ENTRY_SVC + s : -1;
}

/* "unknown service" with the list of the world's services, naming zWhere.zField. */
static int unknown_service(const veh_world *w, const char *zWhere, const char *zField, const char *zName, ky_err *err) {
	char zKnown[800];
	veh__svc_known(w, zKnown, sizeof zKnown);
	return ky_err_set(err, KY_ENOENT, "%s: %s: unknown service '%s' (known: %s)", zWhere, zField, zName, zKnown);
}

/* The service an attack step with credential k goes through: zSvc (which k must reach) or the first it reaches. */
static int cred_service(const veh_world *w, int k, const char *zSvc, const char *zVerb, const char *zField, int *ps, ky_err *err) {
	const veh_cred *c = &w->aCred[k];
	if (zSvc) {
		*ps = veh__svc_find(w, zSvc);
		if (*ps < 0) return unknown_service(w, zVerb, zField, zSvc, err);
		if (!(c->reach >> *ps & 1u))
			return ky_err_set(err, KY_EINVAL, "%s: %s: credential '%s' does not reach '%s' (its reaches{})", zVerb, zField, c->zId, zSvc);
		return 0;
	}
	for (*ps = 0; !(c->reach >> *ps & 1u); (*ps)++) assert(*ps < 64);
	return 0;
}

static int camp_find(const veh_world *w, const char *zInd) {
	for (int c = 0; c < w->nCamp; c++)
		for (int k = 0; k < w->aCamp[c].nInd; k++)
			if (strcasecmp(w->aCamp[c].azInd[k], zInd) == 0) return c;
	return -1;
}

/* The campaign of C2 zC2 (created when new). Returns its index or a negative code. */
static int camp_get(veh_world *w, const char *zVerb, json_t *args, const char *zC2, int entry, json_t *jSel, ky_err *err) {
	int c = camp_find(w, zC2);
	if (c >= 0) return c;
	if (w->nCamp >= VEH_CAMP_MAX) return ky_err_set(err, KY_ELIMIT, "%s: more than %d attack campaigns", zVerb, VEH_CAMP_MAX);
	json_t *jInd = json_object_get(args, "indicators");
	if (jInd && (!json_is_array(jInd) || json_array_size(jInd) > 3))
		return ky_err_set(err, KY_EINVAL, "%s: indicators: expected a list of up to 3 strings (domain, hash, ...)", zVerb);
	veh_campaign *a = realloc(w->aCamp, (size_t)(w->nCamp + 1) * sizeof *a);
	if (!a) return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zVerb);
	w->aCamp = a;
	veh_campaign *k = &a[w->nCamp];
	memset(k, 0, sizeof *k);
	snprintf(k->azInd[0], sizeof k->azInd[0], "%s", zC2);
	k->nInd = 1;
	size_t idx;
	json_t *v;
	json_array_foreach(jInd, idx, v) {
		if (!json_is_string(v)) return ky_err_set(err, KY_EINVAL, "%s: indicators[%zu]: expected a string", zVerb, idx + 1);
		snprintf(k->azInd[k->nInd++], sizeof k->azInd[0], "%s", json_string_value(v));
	}
	const char *zTech = json_string_value(json_object_get(args, "technique"));
	snprintf(k->zTechnique, sizeof k->zTechnique, "%s", zTech ? zTech : "");
	k->zSel = jSel ? json_dumps(jSel, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
	if (!k->zSel) return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zVerb);
	k->entry = entry;
	return w->nCamp++;
}

/* Can org o's service s (or declared service s, whoever's cars) carry an attack (usable, and compromised when bComp)? */
static int svc_open(const veh_world *w, int o, int s, int bComp) {
	return veh__svc_usable(w, o, s) && (!bComp || veh__svc_cat(w, o, s)->health == VEH_H_COMPROMISED);
}

/* Does some org with cars in selector sel (NULL: any) have service s open (svc_open)? */
static int svc_open_somewhere(const veh_world *w, const veh_selector *sel, int s, int bComp) {
	for (int c = 0; c < w->f.nCoh; c++)
		if ((!sel || sel->aCohOk[c]) && svc_open(w, w->f.aCoh[c].iOrg, s, bComp)) return 1;
	return 0;
}

/* Gathers into a[] the cars of cohort c that match s and are possible victims through entry: reachable, clean,
 * unpatched, the entry ECU fitted or the entry service of its org usable (and compromised when bViaComp). The caller
 * has checked the cohort against s->aCohOk and that its org's gateway does not block the campaign's C2 (the exploit is
 * delivered and driven through it). What is the same for every car of the cohort is tested once, out of the loop,
 * which runs over the whole fleet (10M cars) at every spread step. Returns the number gathered. */
static uint32_t eligible_cohort(const veh_world *w, const veh_selector *s, int c, int entry, int bViaComp, uint32_t *a) {
	const veh_fleet *f = &w->f;
	const veh_cohort *k = &f->aCoh[c];
	uint32_t n = 0, iEnd = k->iFirst + k->nCount;
	uint16_t mask = VEH_F_COMP | VEH_F_BRICKED | VEH_F_OFFLINE | VEH_F_PATCHED;
	const uint32_t *aEntry = NULL, *aSel = s->iEcu >= 0 ? f->aVer[s->iEcu] : NULL;
	if (entry >= VEH_ENTRY_SVC) {
		if (!svc_open(w, k->iOrg, entry - VEH_ENTRY_SVC, bViaComp)) return 0;
		mask |= VEH_F_REVOKED;
	} else {
		aEntry = f->aVer[entry];
	}
	for (uint32_t i = k->iFirst; i < iEnd; i++) {
		if (f->aFlags[i] & mask) continue;
		if (aEntry && aEntry[i] == VEH_VER_NONE) continue;
		if (aSel) {
			uint32_t v = aSel[i];
			if (v == VEH_VER_NONE || (s->op == 1 && !(v < s->ver)) || (s->op == 2 && v != s->ver)) continue;
		}
		if (s->stateAny && !veh_selector_match(f, s, i)) continue;
		a[n++] = i;
	}
	return n;
}

/* Gathers the eligible cars (ascending ids) into *paId; returns their number or KY_ENOMEM. */
static int64_t eligible(veh_world *w, const veh_selector *s, int entry, int iCamp, int bViaComp, uint32_t **paId) {
	veh_fleet *f = &w->f;
	int64_t n = 0;
	uint32_t *a = malloc(((size_t)f->n + 1) * sizeof *a);
	if (!a) return KY_ENOMEM;
	for (int c = 0; c < f->nCoh; c++)
		if (s->aCohOk[c] && !(iCamp >= 0 && w->aOrg[f->aCoh[c].iOrg].aBlocked[iCamp]))
			n += eligible_cohort(w, s, c, entry, bViaComp, a + n);
	*paId = a;
	return n;
}

/* Compromises exactly k of the n cars in aId (selection sampling). */
static void infect(veh_world *w, const uint32_t *aId, int64_t n, int64_t k, int iCamp, int entry, int bPersist) {
	eng_rng r = w->rAttack;  /* a local copy for the loop (one draw per candidate until the k-th), written back after */
	for (int64_t j = 0; j < n && k > 0; j++) {
		if ((int64_t)eng_rng_next_below(&r, (uint64_t)(n - j)) < k) {
			veh__comp_set(w, aId[j], iCamp, entry, bPersist);
			k--;
			w->nCarEvents++;
		}
	}
	w->rAttack = r;
}

/* The compromised cars of campaign c that reach new victims through its C2: online, their org not blocking it. */
static int64_t spread_sources(const veh_world *w, int c) {
	const veh_fleet *f = &w->f;
	int64_t n = 0;
	if (w->aCamp[c].nComp == 0) return 0;
	for (int h = 0; h < f->nCoh; h++) {
		const veh_cohort *k = &f->aCoh[h];
		if (w->aOrg[k->iOrg].aBlocked[c]) continue;
		for (uint32_t i = k->iFirst, iEnd = k->iFirst + k->nCount; i < iEnd; i++)
			n += (f->aCamp[i] == c + 1) & !(f->aFlags[i] & VEH_F_OFFLINE);
	}
	return n;
}

static int v_compromise(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err) {
	veh_selector s;
	double frac;
	const char *zEntry, *zC2;
	json_t *jSel = json_object_get(args, "select"), *jCount = json_object_get(args, "count");
	if (veh__arg_fraction(args, "fraction", 1.0, zVerb, &frac, err)) return err->code;
	int64_t nWant = -1;
	if (jCount && !veh__count(jCount, &nWant)) return ky_err_set(err, KY_EINVAL, "%s: count: expected a non-negative integer", zVerb);
	if (veh__arg_string(args, "c2", DEFAULT_C2, zVerb, &zC2, err)) return err->code;
	const char *zDefEntry = json_string_value(json_object_get(jSel, "ecu"));
	int k, entry;
	if (veh__arg_cred(w, args, zVerb, &k, err)) return err->code;
	if (k >= 0) {  /* with a credential: through a service it reaches */
		int sEntry;
		if (cred_service(w, k, json_string_value(json_object_get(args, "entry")), zVerb, "entry", &sEntry, err)) return err->code;
		entry = VEH_ENTRY_SVC + sEntry;
		zEntry = veh__svc_label(w, sEntry);
	} else {
		if (veh__arg_string(args, "entry", zDefEntry ? zDefEntry : "tcu", zVerb, &zEntry, err)) return err->code;
		if ((entry = entry_index(w, zEntry)) < 0) {
			char zKnown[800];
			veh__svc_known(w, zKnown, sizeof zKnown);
			return ky_err_set(err, KY_ENOENT, "%s: entry: unknown entry point '%s' (an ECU: tcu, gw, ivi, bcm, adas; or a "
			                  "service: %s)", zVerb, zEntry, zKnown);
		}
	}
	json_t *jP = json_object_get(args, "persistence");
	if (jP && !json_is_boolean(jP)) return ky_err_set(err, KY_EINVAL, "%s: persistence: expected true or false", zVerb);
	if (sel_compile(w, jSel, zVerb, &s, err)) return err->code;
	veh__target_mark(w, entry < VEH_ENTRY_SVC ? entry : -1, jSel);  /* its targets are the incident's, blocked or not */
	if (k >= 0 && w->bOrgs && entry < VEH_ENTRY_SVC + VEH_SVC_N)  /* a credential opens its org's backend only */
		for (int c = 0; c < w->f.nCoh; c++) s.aCohOk[c] &= w->f.aCoh[c].iOrg == w->aCred[k].iOrg;
	const char *zBlocked = k >= 0 && !veh__cred_use(w, k, zVerb) ? "credential rotated"
	                       : entry >= VEH_ENTRY_SVC && !svc_open_somewhere(w, w->bOrgs ? &s : NULL, entry - VEH_ENTRY_SVC, 0)
	                           ? "service unusable" : NULL;
	if (zBlocked) {
		veh_selector_free(&s);
		*result = json_integer(0);
		veh__fact(w, "attack.compromise", zC2, json_pack("{sIssss}", "count", (json_int_t)0, "entry", zEntry, "blocked_by",
		                                                 zBlocked));
		return 0;
	}
	uint32_t *aId = NULL;
	int64_t n = eligible(w, &s, entry, camp_find(w, zC2), 0, &aId);
	veh_selector_free(&s);
	if (n < 0) return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zVerb);
	int64_t nInfect = nWant >= 0 ? nWant : llround(frac * (double)n);
	if (nInfect > n) nInfect = n;
	int iCamp = camp_get(w, zVerb, args, zC2, entry, jSel, err);
	if (iCamp < 0) {
		free(aId);
		return iCamp;
	}
	if (k >= 0 && !w->aCamp[iCamp].iCred) w->aCamp[iCamp].iCred = k + 1;
	veh__comp_account(w);
	infect(w, aId, n, nInfect, iCamp, entry, jP && json_is_true(jP));
	free(aId);
	if (nInfect > 0 && entry >= VEH_ENTRY_SVC) veh__path_mark(w, entry - VEH_ENTRY_SVC);  /* what a team can isolate */
	json_t *jFact = json_pack("{sIsIsssssb}", "count", (json_int_t)nInfect, "eligible", (json_int_t)n, "entry", zEntry,
	                          "technique", w->aCamp[iCamp].zTechnique, "persistence", jP && json_is_true(jP));
	if (jFact && w->aCamp[iCamp].nInd > 1) { /* the campaign's other indicators (reports share them as STIX) */
		json_t *jI = json_array();
		for (int m = 1; m < w->aCamp[iCamp].nInd; m++) json_array_append_new(jI, json_string(w->aCamp[iCamp].azInd[m]));
		json_object_set_new(jFact, "indicators", jI);
	}
	if (jFact && k >= 0) json_object_set_new(jFact, "credential", json_string(w->aCred[k].zId));
	veh__fact(w, "attack.compromise", zC2, jFact);
	*result = json_integer(nInfect);
	return 0;
}

static int v_spread(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err) {
	json_t *jRate = json_object_get(args, "rate"), *jSel = json_object_get(args, "select");
	const char *zVia, *zC2 = json_string_value(json_object_get(args, "c2"));
	if (!json_is_number(jRate) || json_number_value(jRate) < 0 || json_number_value(jRate) > 100)
		return ky_err_set(err, KY_EINVAL, "%s: rate: expected a number in 0..100 (new infections per active car, or "
		                  "the fraction of reachable cars when via a service)", zVerb);
	double rate = json_number_value(jRate);
	if (veh__arg_string(args, "via", "c2", zVerb, &zVia, err)) return err->code;
	int iVia = strcmp(zVia, "c2") == 0 ? -1 : veh__svc_find(w, zVia);
	if (iVia < 0 && strcmp(zVia, "c2") != 0) {
		char zKnown[800];
		veh__svc_known(w, zKnown, sizeof zKnown);
		return ky_err_set(err, KY_ENOENT, "%s: via: unknown path '%s' (c2, or a service: %s)", zVerb, zVia, zKnown);
	}
	int iOnly = -1;
	if (zC2 && (iOnly = camp_find(w, zC2)) < 0) return ky_err_set(err, KY_ENOENT, "%s: c2: no campaign uses '%s'", zVerb, zC2);
	veh_selector sOver;
	if (jSel && sel_compile(w, jSel, zVerb, &sOver, err)) return err->code;
	if (jSel) veh__target_mark(w, iVia < 0 && iOnly >= 0 && w->aCamp[iOnly].entry < VEH_ENTRY_SVC ? w->aCamp[iOnly].entry : -1, jSel);
	int64_t nTotal = 0;
	int rc = 0;
	veh__comp_account(w);
	for (int c = 0; c < w->nCamp; c++) {
		veh_campaign *k = &w->aCamp[c];
		if ((iOnly >= 0 && c != iOnly) || k->bStopped || (!w->bOrgs && !veh__camp_active(w, 0, c))) continue;
		if (iVia >= 0 && !svc_open_somewhere(w, NULL, iVia, 1)) continue;
		if (iVia >= 0 && k->iCred && !veh__cred_works(w, k->iCred - 1)) continue;  /* its way in was rotated away */
		veh_selector s;
		if (!jSel) {
			json_t *j = json_loads(k->zSel, 0, NULL);
			rc = sel_compile(w, j, zVerb, &s, err);
			json_decref(j);
			if (rc) break;
		}
		uint32_t *aId = NULL;
		int entry = iVia >= 0 ? VEH_ENTRY_SVC + iVia : k->entry;
		int64_t n = eligible(w, jSel ? &sOver : &s, entry, c, iVia >= 0, &aId);
		if (!jSel) veh_selector_free(&s);
		if (n < 0) {
			rc = ky_err_set(err, KY_ENOMEM, "%s: out of memory", zVerb);
			break;
		}
		int64_t nSrc = iVia < 0 ? spread_sources(w, c) : 0;
		int64_t want = iVia >= 0 ? llround(rate * (double)n) : llround(rate * (double)nSrc);
		if (want > n) want = n;
		infect(w, aId, n, want, c, entry, k->bPersist);
		free(aId);
		if (want > 0 && iVia >= 0) veh__path_mark(w, iVia);
		nTotal += want;
		if (want > 0)
			veh__fact(w, "attack.spread", k->azInd[0], json_pack("{sIsIss}", "count", (json_int_t)want, "compromised",
			                                                      (json_int_t)k->nComp, "via", zVia));
	}
	if (jSel) veh_selector_free(&sOver);
	if (rc) return rc;
	*result = json_integer(nTotal);
	return 0;
}

static int v_stop(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err) {
	const char *zC2 = json_string_value(json_object_get(args, "c2"));
	if (!zC2) zC2 = json_string_value(json_object_get(args, "campaign"));
	if (!zC2) zC2 = json_string_value(json_object_get(args, "indicator"));
	int iOnly = -1;
	if (zC2 && (iOnly = camp_find(w, zC2)) < 0) return ky_err_set(err, KY_ENOENT, "%s: c2: no campaign uses '%s'", zVerb, zC2);
	int64_t n = 0;
	veh__comp_account(w);
	for (int c = 0; c < w->nCamp; c++) {
		if ((iOnly >= 0 && c != iOnly) || w->aCamp[c].bStopped) continue;
		w->aCamp[c].bStopped = 1;
		n += w->aCamp[c].nComp;
		veh__fact(w, "attack.stop", w->aCamp[c].azInd[0], json_pack("{sI}", "cars", (json_int_t)w->aCamp[c].nComp));
	}
	*result = json_integer(n);
	return 0;
}

/* attack.exfiltrate { service, records [, credential] }: a one-off theft of records from a service, which works while
 * the service is usable and either compromised or opened by a credential the attacker holds. */
static int exfil_service(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err) {
	const char *zSvc = json_string_value(json_object_get(args, "service"));
	int s, o = 0, k;
	int64_t nRec;
	if (veh__arg_cred(w, args, zVerb, &k, err)) return err->code;
	if (k >= 0 && cred_service(w, k, zSvc, zVerb, "service", &s, err)) return err->code;
	if (k < 0 && (s = veh__svc_find(w, zSvc)) < 0) return unknown_service(w, zVerb, "service", zSvc, err);
	if (k >= 0) o = w->aCred[k].iOrg;
	else if (s < VEH_SVC_N && veh__arg_org(w, args, zVerb, &o, err)) return err->code;
	if (!veh__count(json_object_get(args, "records"), &nRec))
		return ky_err_set(err, KY_EINVAL, "%s: records: expected a non-negative integer", zVerb);
	int bComp = veh__svc_cat(w, o, s)->health == VEH_H_COMPROMISED;
	int bOpen = k >= 0 ? veh__cred_use(w, k, zVerb) : bComp;
	int64_t n = (bOpen && veh__svc_usable(w, o, s)) ? nRec : 0;
	int iOwner = veh__svc_owner(w, o, s);
	w->aOrg[iOwner].c.nRecords += n;
	if (n > 0) veh__path_mark(w, s);
	json_t *jFact = json_pack("{sI}", "records", (json_int_t)n);
	if (k >= 0) json_object_set_new(jFact, "credential", json_string(w->aCred[k].zId));
	veh__fact(w, "attack.exfiltrate", veh__svc_label(w, s), veh__org_tag(w, iOwner, jFact));
	*result = json_pack("{sIsb}", "records", (json_int_t)n, "service_compromised", bComp);
	if (k >= 0) json_object_set_new(*result, "credential_works", json_boolean(bOpen));
	return 0;
}

static int v_exfiltrate(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err) {
	if (json_object_get(args, "service") || json_object_get(args, "credential")) return exfil_service(w, zVerb, args, result, err);
	json_t *jPer = json_object_get(args, "records_per_car");
	int64_t per = w->p.recordsPerCar;
	if (jPer && (!veh__count(jPer, &per) || per > 1000000000))
		return ky_err_set(err, KY_EINVAL, "%s: records_per_car: expected an integer in 0..1000000000", zVerb);
	const char *zC2 = json_string_value(json_object_get(args, "c2"));
	int iOnly = -1;
	if (zC2 && (iOnly = camp_find(w, zC2)) < 0) return ky_err_set(err, KY_ENOENT, "%s: c2: no campaign uses '%s'", zVerb, zC2);
	int64_t nCars = 0;
	for (int c = 0; c < w->nCamp; c++) {
		if (iOnly >= 0 && c != iOnly) continue;
		w->aCamp[c].recordsPerBeacon = per;
		if (!w->bOrgs && veh__camp_active(w, 0, c)) nCars += w->aCamp[c].nComp;
		for (uint32_t i = 0; w->bOrgs && !w->aCamp[c].bStopped && i < w->f.n; i++)  /* its cars whose org lets it through */
			nCars += w->f.aCamp[i] == c + 1 && !w->aOrg[veh__org_of(w, i)].aBlocked[c];
		veh__fact(w, "attack.exfiltrate", w->aCamp[c].azInd[0], json_pack("{sIsI}", "records_per_checkin", (json_int_t)per,
		                                                                    "cars", (json_int_t)w->aCamp[c].nComp));
	}
	*result = json_pack("{sIsI}", "cars", (json_int_t)nCars, "records_per_checkin", (json_int_t)per);
	return 0;
}

static int v_abuse(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err) {
	const char *zFeat, *zVia;
	double frac;
	veh_selector s;
	if (veh__arg_string(args, "feature", NULL, zVerb, &zFeat, err)) return err->code;
	int iFeat = veh_feature_index(zFeat);
	if (iFeat < 0)
		return ky_err_set(err, KY_ENOENT, "%s: feature: unknown feature '%s' (remote_unlock, remote_start, remote_climate, "
		                  "location, horn_lights)", zVerb, zFeat);
	if (veh__arg_fraction(args, "fraction", 1.0, zVerb, &frac, err)) return err->code;
	if (veh__arg_string(args, "via", "app_api", zVerb, &zVia, err)) return err->code;
	int bC2 = strcmp(zVia, "c2") == 0, k;
	if (!bC2 && strcmp(zVia, "app_api") != 0)
		return ky_err_set(err, KY_EINVAL, "%s: via: expected \"app_api\" or \"c2\"", zVerb);
	if (veh__arg_cred(w, args, zVerb, &k, err)) return err->code;
	if (k >= 0 && (bC2 || !(w->aCred[k].reach >> VEH_SVC_APP_API & 1u)))
		return ky_err_set(err, KY_EINVAL, "%s: credential: '%s' does not reach app_api (commands with a credential go through "
		                  "the app API)", zVerb, w->aCred[k].zId);
	if (sel_compile(w, json_object_get(args, "select"), zVerb, &s, err)) return err->code;
	int bKey = k < 0 || veh__cred_use(w, k, zVerb);  /* a rotated key is refused at the API gateway */
	veh_fleet *f = &w->f;
	int64_t nElig = 0, nOff = 0;
	uint8_t bit = (uint8_t)(1u << iFeat);
	uint8_t aPath[VEH_ORG_MAX];  /* per org: can the command reach its cars (its app API and telematics usable)? */
	int bPath = 0;
	for (int o = 0; o < w->nOrg; o++) {
		aPath[o] = (uint8_t)(bC2 || (veh__svc_usable(w, o, VEH_SVC_APP_API) && veh__svc_usable(w, o, VEH_SVC_TELEMATICS)));
		if (k >= 0) aPath[o] &= (uint8_t)(bKey && (!w->bOrgs || o == w->aCred[k].iOrg));  /* the key's own org's API */
		bPath |= aPath[o] && veh__org_has_fleet(w, o);
	}
	veh__abuse_mark(w, iFeat, json_object_get(args, "select"));  /* the cars a disable_feature must cover */
	uint32_t *aId = malloc(((size_t)f->n + 1) * sizeof *aId);
	if (!aId) {
		veh_selector_free(&s);
		return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zVerb);
	}
	for (uint32_t i = 0; i < f->n && bPath; i++) {
		uint16_t fl = f->aFlags[i];
		int o = veh__org_of(w, i);
		if (!aPath[o] || (fl & (VEH_F_BRICKED | VEH_F_OFFLINE)) || !(f->aCoh[f->aCohort[i]].features & bit)) continue;
		if (!veh_selector_match(f, &s, i)) continue;
		if (bC2 ? !((fl & VEH_F_COMP) && veh__camp_active(w, o, f->aCamp[i] - 1)) : (fl & VEH_F_REVOKED) != 0) continue;
		if (!bC2 && (f->aFeatOff[i] & bit)) {  /* disabled server-side: the command is refused */
			nOff++;
			continue;
		}
		aId[nElig++] = i;
	}
	veh_selector_free(&s);
	int64_t nWant = llround(frac * (double)nElig), nDone = 0;
	int bUnsafe = iFeat == VEH_FEAT_REMOTE_UNLOCK || iFeat == VEH_FEAT_REMOTE_START;
	for (int64_t j = 0; j < nElig && nDone < nWant; j++) {
		if ((int64_t)eng_rng_below(&w->rAttack, (uint64_t)(nElig - j)) >= nWant - nDone) continue;
		nDone++;
		veh_counts *c = veh__counts_of(w, aId[j]);  /* the harm falls on the car's org */
		if (bUnsafe) c->nUnsafe++;
		if (iFeat == VEH_FEAT_LOCATION) c->nRecords++;
	}
	free(aId);
	if (nDone > 0 && !bC2) {
		veh__path_mark(w, VEH_SVC_APP_API);
		veh__path_mark(w, VEH_SVC_TELEMATICS);
	}
	w->nCarEvents += (uint64_t)nDone;
	veh__fact(w, "attack.abuse_feature", zFeat, json_pack("{sIsIsIss}", "commands", (json_int_t)nDone, "unsafe_events",
	                                                      (json_int_t)(bUnsafe ? nDone : 0), "refused_disabled",
	                                                      (json_int_t)nOff, "via", zVia));
	*result = json_pack("{sIsIsIsb}", "affected", (json_int_t)nDone, "unsafe_events", (json_int_t)(bUnsafe ? nDone : 0),
	                    "refused_disabled", (json_int_t)nOff, "path_open", bPath);
	if (k >= 0) json_object_set_new(*result, "credential_works", json_boolean(bKey));
	return 0;
}

static int v_malicious_ota(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err) {
	const char *zEcu, *zVer, *zC2;
	uint32_t ver;
	double brick, rollout;
	if (veh__arg_string(args, "ecu", NULL, zVerb, &zEcu, err)) return err->code;
	int iEcu = veh_ecu_index(zEcu);
	if (iEcu < 0) return ky_err_set(err, KY_ENOENT, "%s: ecu: unknown ECU '%s' (known: tcu, gw, ivi, bcm, adas)", zVerb, zEcu);
	if (veh__arg_string(args, "version", NULL, zVerb, &zVer, err)) return err->code;
	if (veh_version_parse(zVer, &ver, err)) return ky_err_prefix(err, "%s: version", zVerb);
	if (veh__arg_fraction(args, "brick_fraction", 0.0, zVerb, &brick, err)) return err->code;
	if (veh__arg_fraction(args, "rollout", 1.0, zVerb, &rollout, err)) return err->code;
	if (rollout <= 0) return ky_err_set(err, KY_EINVAL, "%s: rollout: must be above 0", zVerb);
	if (veh__arg_string(args, "c2", DEFAULT_C2, zVerb, &zC2, err)) return err->code;
	int o;  /* whose OTA server pushes it: args.org, or the one org the selector names, or the only OEM */
	json_t *jSelOrg = json_object_get(json_object_get(args, "select"), "org");
	json_t *jOrgArgs = json_object_get(args, "org") || !json_is_string(jSelOrg) ? json_incref(args) : json_pack("{sO}", "org", jSelOrg);
	int rcOrg = veh__arg_org(w, jOrgArgs, zVerb, &o, err);
	json_decref(jOrgArgs);
	if (rcOrg) return rcOrg;
	const veh_service *aSvc = w->aOrg[o].aSvc;
	int bOta = aSvc[VEH_SVC_OTA].health == VEH_H_COMPROMISED, bKey = aSvc[VEH_SVC_PKI].health == VEH_H_COMPROMISED, k;
	if (veh__arg_cred(w, args, zVerb, &k, err)) return err->code;
	if (k >= 0 && !(w->aCred[k].reach & (1ull << VEH_SVC_OTA | 1ull << VEH_SVC_PKI)))
		return ky_err_set(err, KY_EINVAL, "%s: credential: '%s' reaches neither ota nor pki (a signing key does)", zVerb,
		                  w->aCred[k].zId);
	if (k >= 0) bKey = veh__svc_usable(w, o, VEH_SVC_OTA) && veh__cred_use(w, k, zVerb);  /* signed with the stolen key */
	if ((!bOta && !bKey) || !veh__svc_usable(w, o, VEH_SVC_OTA)) {
		veh_selector s;  /* still validate the selector: a typo must not pass silently */
		if (sel_compile(w, json_object_get(args, "select"), zVerb, &s, err)) return err->code;
		veh_selector_free(&s);
		const char *zWhy = !veh__svc_usable(w, o, VEH_SVC_OTA) ? "ota server unusable"
		                   : k >= 0 ? "package signature rejected (the signing key was rotated)"
		                            : "package signature rejected (ota and pki not compromised)";
		veh__fact(w, "attack.malicious_ota", zEcu, veh__org_tag(w, o, json_pack("{sbss}", "accepted", 0, "reason", zWhy)));
		*result = json_pack("{sbss}", "accepted", 0, "reason", zWhy);
		return 0;
	}
	json_t *jSel = json_object_get(args, "select");
	veh_selector s;
	if (sel_compile(w, jSel, zVerb, &s, err)) return err->code;
	veh_selector_free(&s);
	int iCamp = camp_get(w, zVerb, args, zC2, VEH_ENTRY_SVC + VEH_SVC_OTA, jSel, err);
	if (iCamp < 0) return iCamp;
	w->aCamp[iCamp].bPersist = 1;
	veh__path_mark(w, VEH_SVC_OTA);
	if (!bOta) veh__path_mark(w, VEH_SVC_PKI);  /* signed with the stolen key */
	if (k >= 0 && !bOta) w->aCamp[iCamp].iCred = k + 1;  /* cars accept it while the key works (ota.c) */
	int iOta;
	int rc = veh__ota_add(w, jSel, zVerb, o, iEcu, ver, rollout, brick, iCamp, &iOta, err);
	if (rc) return rc;
	veh__fact(w, "attack.malicious_ota", zEcu,
	          veh__org_tag(w, o, json_pack("{sbsIsssf}", "accepted", 1, "targeted", (json_int_t)w->aOta[iOta].nTarget,
	                                       "version", zVer, "brick_fraction", brick)));
	*result = json_pack("{sbsIsi}", "accepted", 1, "targeted", (json_int_t)w->aOta[iOta].nTarget, "campaign", iOta + 1);
	return 0;
}

/* The service args.name names: a built-in one of args.org (or the only OEM), or a declared one (whose org, if args
 * names one, must be it). 0 with *ps and *po, or an error naming zVerb. */
static int arg_service(veh_world *w, json_t *args, const char *zVerb, int *ps, int *po, ky_err *err) {
	const char *zName;
	if (veh__arg_string(args, "name", NULL, zVerb, &zName, err)) return err->code;
	if ((*ps = veh__svc_find(w, zName)) < 0) return unknown_service(w, zVerb, "name", zName, err);
	if (veh__arg_org(w, args, zVerb, po, err)) {
		if (*ps < VEH_SVC_N || json_object_get(args, "org")) return err->code;
		*po = 0;  /* a declared service needs no org to be named */
	}
	if (*ps >= VEH_SVC_N) {
		int iOwn = w->aSvcX[*ps - VEH_SVC_N].iOrg;
		if (json_object_get(args, "org") && *po != iOwn)
			return ky_err_set(err, KY_EINVAL, "%s: org: '%s' is %s's service, not %s's", zVerb, zName, w->aOrg[iOwn].zId,
			                  w->aOrg[*po].zId);
		*po = iOwn;
	} else if (!veh__org_has_fleet(w, *po)) {
		return ky_err_set(err, KY_EINVAL, "%s: org: '%s' is a %s: it runs no vehicle backend", zVerb, w->aOrg[*po].zId,
		                  veh__org_kind_name(w->aOrg[*po].kind));
	}
	return 0;
}

static int v_degrade(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err) {
	const char *zLevel;
	int s, o;
	if (arg_service(w, args, zVerb, &s, &o, err)) return err->code;
	if (veh__arg_string(args, "level", "degraded", zVerb, &zLevel, err)) return err->code;
	int h = veh__health_index(zLevel);
	if (h < 0) return ky_err_set(err, KY_ENOENT, "%s: level: unknown health '%s' (known: up, degraded, down, compromised)", zVerb, zLevel);
	if (h == VEH_H_COMPROMISED) veh__path_mark(w, s);  /* the attacker is in it: on the path until restored clean */
	const veh_service *v = veh__svc_cat(w, o, s);
	*result = json_string(veh__health_name(v->health));
	veh__svc_set(w, o, s, h, v->bIsolated);
	return 0;
}

static json_t *svc_json(const veh_world *w, int o, int s) {
	const veh_service *v = veh__svc_cat(w, o, s);
	return json_pack("{sssbsb}", "health", veh__health_name(v->health), "isolated", v->bIsolated, "usable",
	                 veh__svc_usable(w, o, s));
}

/* service.status { name? , org? }: one service, or every service of the org (its backend and declared ones). */
static int v_status(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err) {
	int o, s;
	if (json_object_get(args, "name")) {
		if (arg_service(w, args, zVerb, &s, &o, err)) return err->code;
		*result = svc_json(w, o, s);
		return 0;
	}
	if (veh__arg_org(w, args, zVerb, &o, err)) return err->code;
	*result = json_object();
	for (s = 0; s < veh__svc_count(w); s++)
		if (s < VEH_SVC_N || w->aSvcX[s - VEH_SVC_N].iOrg == o) json_object_set_new(*result, veh__svc_label(w, s), svc_json(w, o, s));
	return 0;
}

static int v_alert(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err) {
	json_t *jN = json_object_get(args, "count");
	int64_t n = 1;
	if (jN && !veh__count(jN, &n)) return ky_err_set(err, KY_EINVAL, "%s: count: expected a non-negative integer", zVerb);
	const char *zC2 = json_string_value(json_object_get(args, "c2"));
	int c = zC2 ? camp_find(w, zC2) : -1, o;
	if (veh__arg_org(w, args, zVerb, &o, err)) return err->code;  /* whose VSOC gets them */
	veh_org *g = &w->aOrg[o];
	if (c >= 0) {
		g->aQueued[c] += n;
		g->c.nRecvTrue += n;
	} else {
		g->c.nFalseQueued += n;
		g->c.nRecvFalse += n;
	}
	veh__fact(w, "alert", "scenario", json_deep_copy(args));
	*result = NULL;
	return 0;
}

static int v_fleet_select(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err, int bCount) {
	veh_selector s;
	char zWhere[64];
	json_t *jSel = json_object_get(args, "select") ? json_object_get(args, "select") : args;
	snprintf(zWhere, sizeof zWhere, "%s: ", zVerb);
	if (veh_selector_compile(&w->f, jSel, zWhere, &s, err)) return err->code;
	if (bCount) {
		*result = json_integer(veh_selector_count(&w->f, &s));
		veh_selector_free(&s);
		return 0;
	}
	veh_fleet *f = &w->f;
	int64_t *aM = calloc((size_t)f->nModel + 1, sizeof *aM), *aR = calloc((size_t)f->nRegion + 1, sizeof *aR), n = 0;
	int64_t aO[VEH_ORG_MAX] = { 0 };
	json_t *sample = json_array(), *bm = json_object(), *br = json_object();
	for (uint32_t i = 0; aM && aR && i < f->n; i++) {
		if (!veh_selector_match(f, &s, i)) continue;
		if (n < 10) json_array_append_new(sample, json_integer(i));
		n++;
		aM[f->aCoh[f->aCohort[i]].iModel]++;
		aR[f->aCoh[f->aCohort[i]].iRegion]++;
		aO[veh__org_of(w, i)]++;
	}
	for (int m = 0; aM && m < f->nModel; m++)
		if (aM[m]) json_object_set_new(bm, f->azModel[m], json_integer(aM[m]));
	for (int r = 0; aR && r < f->nRegion; r++)
		if (aR[r]) json_object_set_new(br, f->azRegion[r], json_integer(aR[r]));
	int bOom = !aM || !aR;
	free(aM);
	free(aR);
	veh_selector_free(&s);
	*result = json_pack("{sIsososo}", "count", (json_int_t)n, "by_model", bm, "by_region", br, "sample", sample);
	if (w->bOrgs && *result) {
		json_t *bo = json_object();
		for (int o = 0; o < w->nOrg; o++)
			if (aO[o]) json_object_set_new(bo, w->aOrg[o].zId, json_integer(aO[o]));
		json_object_set_new(*result, "by_org", bo);
	}
	if (bOom) {
		json_decref(*result);
		*result = NULL;
		return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zVerb);
	}
	return 0;
}

static int v_ota_status(veh_world *w, json_t **result) {
	*result = json_array();
	char z[32];
	for (int o = 0; o < w->nOta; o++) {
		veh_ota_camp *c = &w->aOta[o];
		json_array_append_new(*result, json_pack("{sisssssIsIsIsIsIsfsb}", "campaign", o + 1, "ecu", veh_ecu_name(c->iEcu),
		                                         "version", veh_version_format(c->ver, z, sizeof z), "targeted",
		                                         (json_int_t)c->nTarget, "offered", (json_int_t)c->nOffered, "done",
		                                         (json_int_t)c->nDone, "failed", (json_int_t)c->nFailed, "bricked",
		                                         (json_int_t)c->nBricked, "rollout", c->rollout, "malicious", c->iAttack >= 0));
	}
	return 0;
}

int veh__call(veh_world *w, const char *v, json_t *args, json_t **result, ky_err *err) {
	if (strcmp(v, "fleet.count") == 0) return v_fleet_select(w, v, args, result, err, 1);
	if (strcmp(v, "fleet.select") == 0) return v_fleet_select(w, v, args, result, err, 0);
	if (strcmp(v, "attack.compromise") == 0) return v_compromise(w, v, args, result, err);
	if (strcmp(v, "attack.spread") == 0) return v_spread(w, v, args, result, err);
	if (strcmp(v, "attack.stop") == 0) return v_stop(w, v, args, result, err);
	if (strcmp(v, "attack.exfiltrate") == 0) return v_exfiltrate(w, v, args, result, err);
	if (strcmp(v, "attack.abuse_feature") == 0) return v_abuse(w, v, args, result, err);
	if (strcmp(v, "attack.malicious_ota") == 0) return v_malicious_ota(w, v, args, result, err);
	if (strcmp(v, "service.degrade") == 0) return v_degrade(w, v, args, result, err);
	if (strcmp(v, "service.status") == 0) return v_status(w, v, args, result, err);
	if (strcmp(v, "alert") == 0) return v_alert(w, v, args, result, err);
	if (strcmp(v, "sbom.affected") == 0) return veh__sbom_query(w, v, args, result, err);
	if (strcmp(v, "world.metrics") == 0) {
		*result = veh_world_metrics_json(w);
		return 0;
	}
	if (strcmp(v, "ota.status") == 0) return v_ota_status(w, result);
	if (strcmp(v, "attack.steal_credential") == 0) return veh__steal(w, v, args, result, err);
	if (strcmp(v, "credential.status") == 0) return veh__cred_status(w, v, args, result, err);
	return ky_err_set(err, KY_ENOENT, "unknown world verb '%s' (known: fleet.count, fleet.select, attack.compromise, "
	                  "attack.spread, attack.stop, attack.exfiltrate, attack.abuse_feature, attack.malicious_ota, "
	                  "attack.steal_credential, service.degrade, service.status, credential.status, alert, sbom.affected, "
	                  "world.metrics, ota.status)", v);
}

