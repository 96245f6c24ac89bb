/* harm: the harm index of a world (docs/world-model.md §10) and what an incident uses. The index is the weighted sum
 * of five quantities the world keeps as it changes (worldInt.h "Harm"); this file advances its time integrals, sets
 * its weights, reports it in the metrics, and answers "what does the incident use?" for a team action's
 * `effective` and `coverage` (respond.c): the services on an attack path, the features an attack abuses, the cars
 * compromised or targeted by an attack step. */
#include "vehicles/worldInt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The names of the quantities (CONTRACT §2 harm{}) and their default weights, in units of one customer-hour
 * without one connected service. Their reasoning is in docs/world-model.md §10. */
static const char *const azHarm[VEH_HARM_N] = { "compromised_car_hours", "records", "unsafe_events", "bricked",
	                                            "customer_hours" };
static const double aHarmDefault[VEH_HARM_N] = { 20, 10, 2000, 200, 1 };

/* Backend services a customer uses directly: the car's connected services, the companion app, software updates.
 * The VSOC and the PKI serve the OEM: their outage harms through what it lets an attack do (compromised cars) or
 * through the certificates it cannot re-provision (counted per car). */
int veh__svc_customer_facing(int s) { return s == VEH_SVC_TELEMATICS || s == VEH_SVC_APP_API || s == VEH_SVC_OTA; }

void veh__harm_defaults(veh_world *w) { memcpy(w->aHarmW, aHarmDefault, sizeof aHarmDefault); }

/* Each of org iOrg's customers loses a service for every customer-facing service of its backend that is unusable;
 * single cars lose theirs (nCarLoss). Declared services and recalls keep their own customer-hours (svc.c, recall.c). */
int64_t veh__customers_now(const veh_world *w, int iOrg) {
	const veh_org *o = &w->aOrg[iOrg];
	int64_t nOut = 0;
	if (veh__org_has_fleet(w, iOrg))
		for (int s = 0; s < VEH_SVC_N; s++) nOut += veh__svc_customer_facing(s) && !veh__svc_usable(w, iOrg, s);
	return nOut * o->nCars + o->c.nCarLoss;
}

void veh__harm_recount(veh_world *w) {
	for (int o = 0; o < w->nOrg; o++) w->aOrg[o].c.nCarLoss = w->aOrg[o].c.nCarDeprived = 0;
	for (uint32_t i = 0; i < w->f.n; i++) {
		int k = veh__car_loss(&w->f, i);
		veh_counts *c = veh__counts_of(w, i);
		c->nCarLoss += k;
		c->nCarDeprived += k > 0;
	}
}

void veh__harm_free(veh_world *w) {
	for (int k = 0; k < VEH_FEAT_N; k++)
		for (int j = 0; j < VEH_ABUSE_SEL_MAX; j++) {
			free(w->azAbuseSel[k][j]);
			w->azAbuseSel[k][j] = NULL;
		}
	for (int j = 0; j < VEH_TARGET_SEL_MAX; j++) {
		free(w->azTargetSel[j]);
		w->azTargetSel[j] = NULL;
	}
}

/* ---- weights ------------------------------------------------------------------------------------------------ */

int veh_world_set_harm(veh_world *w, json_t *weights, ky_err *err) {
	double a[VEH_HARM_N];
	const char *zKey;
	json_t *v;
	if (!json_is_object(weights)) return ky_err_set(err, KY_EINVAL, "harm: expected a table of weights");
	memcpy(a, w->aHarmW, sizeof a);
	json_object_foreach(weights, zKey, v) {
		int k = 0;
		while (k < VEH_HARM_N && strcmp(azHarm[k], zKey) != 0) k++;
		if (k == VEH_HARM_N)
			return ky_err_set(err, KY_ENOENT, "harm: unknown quantity '%s' (known: compromised_car_hours, records, "
			                  "unsafe_events, bricked, customer_hours)", zKey);
		double x = json_is_number(v) ? json_number_value(v) : -1;
		if (!(x >= 0 && x <= 1e9)) return ky_err_set(err, KY_EINVAL, "harm: %s: expected a weight from 0 to 1e9", zKey);
		a[k] = x;
	}
	memcpy(w->aHarmW, a, sizeof a);
	return 0;
}

json_t *veh_world_harm_weights_json(const veh_world *w) {
	json_t *o = json_object();
	for (int k = 0; o && k < VEH_HARM_N; k++) json_object_set_new(o, azHarm[k], json_real(w->aHarmW[k]));
	return o;
}

/* The five quantities now of org iOrg (the world when iOrg < 0), in azHarm order. The integrals are advanced to now
 * here as veh__comp_account would, without changing the world. */
void veh__harm_quantities(const veh_world *w, int iOrg, double q[VEH_HARM_N]) {
	eng_time_t now = eng_sim_now(w->sim);
	double dt = now > w->tCompLast ? (double)(now - w->tCompLast) : 0, comp = 0, cust = 0;
	memset(q, 0, VEH_HARM_N * sizeof q[0]);
	for (int o = 0; o < w->nOrg; o++) {
		if (iOrg >= 0 && o != iOrg) continue;
		const veh_counts *c = &w->aOrg[o].c;
		comp += c->compCarUs + (double)c->nComp * dt;
		cust += c->custUs + (double)veh__customers_now(w, o) * dt;
		q[VEH_HARM_RECORDS] += (double)c->nRecords;
		q[VEH_HARM_UNSAFE] += (double)c->nUnsafe;
		q[VEH_HARM_BRICKED] += (double)c->nBricked;
	}
	q[VEH_HARM_COMP_CAR_HOURS] = comp / (3600.0 * ENG_US_PER_S);
	q[VEH_HARM_CUSTOMER_HOURS] = cust / (3600.0 * ENG_US_PER_S) + veh__customer_hours_extra(w, iOrg);
}

double veh__harm(const veh_world *w, int iOrg, double aPart[VEH_HARM_N]) {
	double q[VEH_HARM_N], h = 0;
	veh__harm_quantities(w, iOrg, q);
	for (int k = 0; k < VEH_HARM_N; k++) {
		double x = w->aHarmW[k] * q[k];
		if (aPart) aPart[k] = x;
		h += x;
	}
	return h;
}

double veh_world_harm(const veh_world *w, double aPart[VEH_HARM_N]) { return veh__harm(w, -1, aPart); }

/* Adds the harm fields of metrics m to a metrics object: "harm", "customer_hours", "harm_parts" {quantity: weighted}. */
void veh__harm_metrics_json(const veh_metrics *m, json_t *o) {
	json_t *parts = json_object();
	for (int k = 0; k < VEH_HARM_N; k++) json_object_set_new(parts, azHarm[k], json_real(m->harm_parts[k]));
	json_object_set_new(o, "harm", json_real(m->harm));
	json_object_set_new(o, "customer_hours", json_real(m->customer_hours));
	json_object_set_new(o, "harm_parts", parts);
}

/* Customers of org iOrg (the world when < 0) without at least one service now. */
int64_t veh__customers_affected(const veh_world *w, int iOrg) {
	int64_t n = 0;
	for (int o = 0; o < w->nOrg; o++) {
		if (iOrg >= 0 && o != iOrg) continue;
		int bOut = 0;
		for (int s = 0; s < VEH_SVC_N && veh__org_has_fleet(w, o); s++)
			bOut |= veh__svc_customer_facing(s) && !veh__svc_usable(w, o, s);
		n += bOut ? w->aOrg[o].nCars : w->aOrg[o].c.nCarDeprived;
	}
	return n;
}

/* ---- what the incident uses ---------------------------------------------------------------------------------- */

void veh__path_mark(veh_world *w, int s) {
	if (s >= 0 && s < 64) w->svcPath |= (uint64_t)1 << s;
}

/* A service (org iOrg's built-in one, or a declared one) is on an attack path when it is compromised, when an attack
 * step has used it (entry, spread, theft of data, abuse through the app API, a malicious update) or the scenario made
 * it compromised (it stays on the path, down or not, until it is restored clean), when a stolen credential that still
 * works reaches it, or when an attack campaign still active for that org entered through it. */
int veh__path_active(const veh_world *w, int iOrg, int s) {
	if (veh__svc_cat(w, iOrg, s)->health == VEH_H_COMPROMISED || (s < 64 && (w->svcPath >> s & 1u))) return 1;
	for (int k = 0; k < w->nCred; k++)
		if (s < 64 && (w->aCred[k].reach >> s & 1u) && veh__cred_works(w, k) && (s >= VEH_SVC_N || w->aCred[k].iOrg == iOrg))
			return 1;
	for (int c = 0; c < w->nCamp; c++)
		if (w->aCamp[c].entry == VEH_ENTRY_SVC + s && veh__camp_active(w, iOrg, c)) return 1;
	for (int o = 0; o < w->nOta; o++)
		if (w->aOta[o].iAttack >= 0 && w->aOta[o].iOrg == iOrg && veh__ota_accepted(w, &w->aOta[o]) &&
		    (s == VEH_SVC_OTA || s == VEH_SVC_TELEMATICS))
			return 1;
	return 0;
}

/* Adds jSel's text to list az of n (deduplicated; the oldest ones are kept when it is full): the index of a new
 * entry, or -1 (already there, full, out of memory). */
static int sel_list_add(char **az, int n, json_t *jSel) {
	char *z = jSel ? json_dumps(jSel, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
	int j = 0;
	if (!z) return -1;
	for (; j < n && az[j] && strcmp(az[j], z) != 0; j++) {}
	if (j < n && !az[j]) {
		az[j] = z;
		return j;
	}
	free(z);
	return -1;
}

void veh__abuse_mark(veh_world *w, int iFeat, json_t *jSel) {
	w->featAbused |= (uint8_t)(1u << iFeat);
	sel_list_add(w->azAbuseSel[iFeat], VEH_ABUSE_SEL_MAX, jSel);
}

void veh__target_mark(veh_world *w, int iEcu, json_t *jSel) {
	int j = sel_list_add(w->azTargetSel, VEH_TARGET_SEL_MAX, jSel);
	if (j >= 0) w->aTargetEcu[j] = (int8_t)iEcu;
}

/* Compiles selector text z into inc (a selector that no longer compiles is skipped). */
static void incident_add(const veh_world *w, veh_incident *inc, const char *z) {
	json_t *j = json_loads(z, 0, NULL);
	if (j && veh_selector_compile(&w->f, j, "", &inc->aSel[inc->nSel], NULL) == 0) inc->nSel++;
	json_decref(j);
}

/* Does an attack step that entered through entry (an ECU, or a service: VEH_ENTRY_SVC + s, or -1) and selected its
 * targets by selector text zSel concern ECU iEcu: does it enter through it, or select its targets by it? */
static int step_concerns(int entry, const char *zSel, int iEcu) {
	if (iEcu < 0 || entry == iEcu) return 1;
	json_t *j = json_loads(zSel, 0, NULL);
	int b = veh_ecu_index(json_string_value(json_object_get(j, "ecu"))) == iEcu;
	json_decref(j);
	return b;
}

/* The versions of inc->iEcu's firmware that the vulnerabilities the scenario's SBOM statements name make affected:
 * an update of them fixes a known vulnerability (an SBOM drill has no attack step). 0 or KY_ENOMEM. */
static int vulnerable_firmware(const veh_world *w, veh_incident *inc) {
	json_t *sb = veh_sbom_json(w->pSb), *v;
	size_t i;
	int rc = 0;
	json_array_foreach(json_object_get(sb, "vulnerabilities"), i, v) {
		veh_sbom_eval ev = { 0 };
		if (veh_sbom_eval_vulnerability(w->pSb, json_string_value(json_object_get(v, "id")), &ev, NULL) == 0) {
			for (int k = 0; k < ev.nHit && !rc; k++) {
				if (ev.aHit[k].iEcu != inc->iEcu) continue;
				uint32_t *a = realloc(inc->aVulnVer, (size_t)(inc->nVulnVer + 1) * sizeof *a);
				if (!a) rc = KY_ENOMEM;
				else (inc->aVulnVer = a)[inc->nVulnVer++] = ev.aHit[k].ver;
			}
		}
		veh_sbom_eval_free(&ev);
	}
	json_decref(sb);
	return rc;
}

int veh__incident_open(const veh_world *w, int iEcu, int iFeat, veh_incident *inc) {
	memset(inc, 0, sizeof *inc);
	inc->iEcu = iEcu;
	inc->iFeat = iFeat;
	inc->aSel = calloc((size_t)(w->nCamp + w->nOta + VEH_ABUSE_SEL_MAX + VEH_TARGET_SEL_MAX + 1), sizeof *inc->aSel);
	inc->aCampOk = calloc((size_t)w->nCamp + 1, 1);
	if (!inc->aSel || !inc->aCampOk) {
		veh__incident_close(inc);
		return KY_ENOMEM;
	}
	if (iFeat >= 0) {
		for (int j = 0; j < VEH_ABUSE_SEL_MAX && w->azAbuseSel[iFeat][j]; j++) incident_add(w, inc, w->azAbuseSel[iFeat][j]);
		return 0;
	}
	for (int c = 0; c < w->nCamp; c++)
		if ((inc->aCampOk[c] = (uint8_t)step_concerns(w->aCamp[c].entry, w->aCamp[c].zSel, iEcu))) incident_add(w, inc, w->aCamp[c].zSel);
	for (int j = 0; j < VEH_TARGET_SEL_MAX && w->azTargetSel[j]; j++)
		if (step_concerns(w->aTargetEcu[j], w->azTargetSel[j], iEcu)) incident_add(w, inc, w->azTargetSel[j]);
	for (int o = 0; o < w->nOta; o++)
		if (w->aOta[o].iAttack >= 0 && (iEcu < 0 || w->aOta[o].iEcu == iEcu)) incident_add(w, inc, w->aOta[o].zSel);
	return iEcu >= 0 ? vulnerable_firmware(w, inc) : 0;
}

int veh__incident_has(const veh_world *w, const veh_incident *inc, uint32_t i) {
	const veh_fleet *f = &w->f;
	if (inc->iFeat >= 0) {
		if (!(f->aCoh[f->aCohort[i]].features & (1u << inc->iFeat))) return 0;
	} else if ((f->aFlags[i] & VEH_F_COMP) && (inc->iEcu < 0 || f->aEntry[i] == inc->iEcu || (f->aCamp[i] && inc->aCampOk[f->aCamp[i] - 1]))) {
		return 1;
	}
	for (int k = 0; k < inc->nVulnVer; k++)
		if (f->aVer[inc->iEcu][i] == inc->aVulnVer[k]) return 1;
	for (int k = 0; k < inc->nSel; k++)
		if (veh_selector_match(f, &inc->aSel[k], i)) return 1;
	return 0;
}

void veh__incident_close(veh_incident *inc) {
	for (int k = 0; k < inc->nSel; k++) veh_selector_free(&inc->aSel[k]);
	free(inc->aSel);
	free(inc->aCampOk);
	free(inc->aVulnVer);
	memset(inc, 0, sizeof *inc);
}
