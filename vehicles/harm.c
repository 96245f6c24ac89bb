/* harm: the harm index of a world (docs/world-model.md §8) and what an incident uses. The index is the weighted sum
 * of five quantities the world keeps as it changes (worldInt.h "Harm"); this file advances its time integrals, sets
 * its weights, reports it in the metrics, and answers "what does the incident use?" for a team action's
 * `effective` and `coverage` (respond.c): the services on an attack path, the features an attack abuses, the cars
 * compromised or targeted by an attack step. */
#include "vehicles/worldInt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The names of the quantities (CONTRACT §2 harm{}) and their default weights, in units of one customer-hour
 * without one connected service. Their reasoning is in docs/world-model.md §8. */
static const char *const azHarm[VEH_HARM_N] = { "compromised_car_hours", "records", "unsafe_events", "bricked",
	                                            "customer_hours" };
static const double aHarmDefault[VEH_HARM_N] = { 20, 10, 2000, 200, 1 };

/* Backend services a customer uses directly: the car's connected services, the companion app, software updates.
 * The VSOC and the PKI serve the OEM: their outage harms through what it lets an attack do (compromised cars) or
 * through the certificates it cannot re-provision (counted per car). */
int veh__svc_customer_facing(int s) { return s == VEH_SVC_TELEMATICS || s == VEH_SVC_APP_API || s == VEH_SVC_OTA; }

void veh__harm_defaults(veh_world *w) { memcpy(w->aHarmW, aHarmDefault, sizeof aHarmDefault); }

int64_t veh__customers_now(const veh_world *w) {
	int64_t nOut = 0;
	for (int s = 0; s < VEH_SVC_N; s++) nOut += veh__svc_customer_facing(s) && !veh__svc_usable(w, s);
	return nOut * (int64_t)w->f.n + w->nCarLoss;
}

void veh__harm_account(veh_world *w) {
	eng_time_t now = eng_sim_now(w->sim);
	if (now > w->tCompLast) {
		double dt = (double)(now - w->tCompLast);
		w->compCarUs += (double)w->nComp * dt;
		w->custUs += (double)veh__customers_now(w) * dt;
	}
	w->tCompLast = now;
}

void veh__harm_recount(veh_world *w) {
	int64_t nLoss = 0, nDep = 0;
	for (uint32_t i = 0; i < w->f.n; i++) {
		int k = veh__car_loss(&w->f, i);
		nLoss += k;
		nDep += k > 0;
	}
	w->nCarLoss = nLoss;
	w->nCarDeprived = nDep;
}

void veh__harm_free(veh_world *w) {
	for (int k = 0; k < VEH_FEAT_N; k++)
		for (int j = 0; j < VEH_ABUSE_SEL_MAX; j++) {
			free(w->azAbuseSel[k][j]);
			w->azAbuseSel[k][j] = NULL;
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

/* The five quantities now, in azHarm order. */
void veh__harm_quantities(const veh_world *w, double q[VEH_HARM_N]) {
	eng_time_t now = eng_sim_now(w->sim);
	double dt = now > w->tCompLast ? (double)(now - w->tCompLast) : 0;
	q[VEH_HARM_COMP_CAR_HOURS] = (w->compCarUs + (double)w->nComp * dt) / (3600.0 * ENG_US_PER_S);
	q[VEH_HARM_RECORDS] = (double)w->nRecords;
	q[VEH_HARM_UNSAFE] = (double)w->nUnsafe;
	q[VEH_HARM_BRICKED] = (double)w->nBricked;
	q[VEH_HARM_CUSTOMER_HOURS] = (w->custUs + (double)veh__customers_now(w) * dt) / (3600.0 * ENG_US_PER_S);
}

double veh_world_harm(const veh_world *w, double aPart[VEH_HARM_N]) {
	double q[VEH_HARM_N], h = 0;
	veh__harm_quantities(w, q);
	for (int k = 0; k < VEH_HARM_N; k++) {
		double x = w->aHarmW[k] * q[k];
		if (aPart) aPart[k] = x;
		h += x;
	}
	return h;
}

/* Adds the harm fields to a metrics object: "harm", "customer_hours", "harm_parts" {quantity: weighted}, and
 * "customers_affected" (customers without at least one service now). */
void veh__harm_metrics_json(const veh_world *w, json_t *o) {
	double aPart[VEH_HARM_N], q[VEH_HARM_N];
	double h = veh_world_harm(w, aPart);
	veh__harm_quantities(w, q);
	json_t *parts = json_object();
	for (int k = 0; k < VEH_HARM_N; k++) json_object_set_new(parts, azHarm[k], json_real(aPart[k]));
	json_object_set_new(o, "harm", json_real(h));
	json_object_set_new(o, "customer_hours", json_real(q[VEH_HARM_CUSTOMER_HOURS]));
	json_object_set_new(o, "harm_parts", parts);
}

int64_t veh__customers_affected(const veh_world *w) {
	for (int s = 0; s < VEH_SVC_N; s++)
		if (veh__svc_customer_facing(s) && !veh__svc_usable(w, s)) return w->f.n;
	return w->nCarDeprived;
}

/* ---- what the incident uses ---------------------------------------------------------------------------------- */

void veh__path_mark(veh_world *w, int s) {
	if (s >= 0 && s < VEH_SVC_N) w->svcPath |= 1u << s;
}

/* A service is on an attack path when it is compromised, when an attack step has used it (entry, spread, theft of
 * data, abuse through the app API, a malicious update), or when an active attack campaign entered through it. */
int veh__path_active(const veh_world *w, int s) {
	if (w->aSvc[s].health == VEH_H_COMPROMISED || (w->svcPath >> s & 1u)) return 1;
	for (int c = 0; c < w->nCamp; c++)
		if (w->aCamp[c].entry == VEH_ENTRY_SVC + s && veh__camp_active(w, c)) return 1;
	for (int o = 0; o < w->nOta; o++)
		if (w->aOta[o].iAttack >= 0 && veh__ota_accepted(w, &w->aOta[o]) && (s == VEH_SVC_OTA || s == VEH_SVC_TELEMATICS))
			return 1;
	return 0;
}

void veh__abuse_mark(veh_world *w, int iFeat, json_t *jSel) {
	w->featAbused |= (uint8_t)(1u << iFeat);
	char *z = jSel ? json_dumps(jSel, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
	if (!z) return;
	for (int j = 0; j < VEH_ABUSE_SEL_MAX; j++) {
		char **pz = &w->azAbuseSel[iFeat][j];
		if (*pz && strcmp(*pz, z) != 0) continue;
		if (!*pz) *pz = z, z = NULL;  /* a new selector; the oldest ones are kept when the list is full */
		break;
	}
	free(z);
}

/* Compiles selector text z into inc (a selector that no longer compiles is skipped). */
static void incident_add(const veh_world *w, veh_incident *inc, const char *z) {
	json_t *j = json_loads(z, 0, NULL);
	if (j && veh_selector_compile(&w->f, j, "", &inc->aSel[inc->nSel], NULL) == 0) inc->nSel++;
	json_decref(j);
}

/* Does attack campaign c concern ECU iEcu: does it enter through it, or select its targets by it? */
static int camp_concerns(const veh_campaign *c, int iEcu) {
	if (iEcu < 0 || c->entry == iEcu) return 1;
	json_t *j = json_loads(c->zSel, 0, NULL);
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
	inc->aSel = calloc((size_t)(w->nCamp + w->nOta + VEH_ABUSE_SEL_MAX + 1), sizeof *inc->aSel);
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
		if ((inc->aCampOk[c] = (uint8_t)camp_concerns(&w->aCamp[c], iEcu))) incident_add(w, inc, w->aCamp[c].zSel);
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
