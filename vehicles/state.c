/* state: the world's shared state helpers, below world.c (events), attack.c (scenario verbs), respond.c (team
 * actions) and ota.c: names of services and health states, facts, compromise bookkeeping, service health, and the
 * argument helpers of the verbs and actions. Design notes: worldInt.h. */
#include "vehicles/worldInt.h"

#include <string.h>

static const char *const azSvc[VEH_SVC_N] = { "telematics", "ota", "vsoc", "pki", "app_api" };
static const char *const azHealth[VEH_H_N] = { "up", "degraded", "down", "compromised" };

const char *veh__svc_name(int i) { return i >= 0 && i < VEH_SVC_N ? azSvc[i] : "?"; }
const char *veh__health_name(int h) { return h >= 0 && h < VEH_H_N ? azHealth[h] : "?"; }
int veh__svc_index(const char *z) {
	for (int i = 0; z && i < VEH_SVC_N; i++)
		if (strcmp(z, azSvc[i]) == 0) return i;
	return -1;
}
int veh__health_index(const char *z) {
	for (int i = 0; z && i < VEH_H_N; i++)
		if (strcmp(z, azHealth[i]) == 0) return i;
	return -1;
}

/* ---- facts, compromise bookkeeping, services ---------------------------------------------------------- */

void veh_world_set_fact_sink(veh_world *w, veh_fact_fn fn, void *ctx) {
	w->fnFact = fn;
	w->pFactCtx = ctx;
}

void veh__fact(veh_world *w, const char *zKind, const char *zSubject, json_t *detail) {
	if (w->fnFact) w->fnFact(w->pFactCtx, eng_sim_now(w->sim), zKind, zSubject, detail);
	json_decref(detail);
}

/* Integrates every org's compromised count and its customers' lost services up to now (each org's own counters, so
 * their sums are the totals'): the two integrals of the harm index (harm.c). */
void veh__comp_account(veh_world *w) {
	eng_time_t now = eng_sim_now(w->sim);
	if (now > w->tCompLast)
		for (int o = 0; o < w->nOrg; o++) {
			double dt = (double)(now - w->tCompLast);
			w->aOrg[o].c.compCarUs += (double)w->aOrg[o].c.nComp * dt;
			w->aOrg[o].c.custUs += (double)veh__customers_now(w, o) * dt;
		}
	w->tCompLast = now;
}

void veh__comp_set(veh_world *w, uint32_t i, int iCamp, int entry, int bPersist) {
	veh_fleet *f = &w->f;
	if (f->aFlags[i] & VEH_F_COMP) veh__comp_clear(w, i);
	f->aFlags[i] = (uint16_t)((f->aFlags[i] | VEH_F_COMP) & ~VEH_F_PERSIST);
	if (bPersist) f->aFlags[i] |= VEH_F_PERSIST;
	f->aCamp[i] = (uint8_t)(iCamp + 1);
	f->aEntry[i] = (uint8_t)entry;
	veh__counts_of(w, i)->nComp++;
	if (iCamp >= 0) w->aCamp[iCamp].nComp++;
}

void veh__comp_clear(veh_world *w, uint32_t i) {
	veh_fleet *f = &w->f;
	if (!(f->aFlags[i] & VEH_F_COMP)) return;
	veh__counts_of(w, i)->nFlagged -= (f->aFlags[i] & VEH_F_FLAGGED) != 0;
	f->aFlags[i] &= (uint16_t)~(VEH_F_COMP | VEH_F_PERSIST | VEH_F_FLAGGED);
	if (f->aCamp[i]) w->aCamp[f->aCamp[i] - 1].nComp--;
	f->aCamp[i] = 0;
	f->aEntry[i] = 0;
	veh__counts_of(w, i)->nComp--;
}

int64_t veh__camp_cars_of(const veh_world *w, int iCamp, int iOrg) {
	if (!w->bOrgs) return w->aCamp[iCamp].nComp;
	const veh_fleet *f = &w->f;
	int64_t n = 0;
	for (int h = 0; h < f->nCoh; h++) {
		if (w->aCohOrg[h] != iOrg) continue;
		for (uint32_t i = f->aCoh[h].iFirst, iEnd = i + f->aCoh[h].nCount; i < iEnd; i++) n += f->aCamp[i] == iCamp + 1;
	}
	return n;
}

int veh__camp_active(const veh_world *w, int iOrg, int iCamp) {
	return iCamp >= 0 && iCamp < w->nCamp && !w->aCamp[iCamp].bStopped && !w->aOrg[iOrg].aBlocked[iCamp];
}

int veh__svc_usable(const veh_world *w, int iOrg, int s) {
	const veh_service *v = veh__svc_cat(w, iOrg, s);
	return !v->bIsolated && v->health != VEH_H_DOWN;
}

/* Sets the health and isolation of service s (org iOrg's built-in one, or a declared one), keeping its downtime (and
 * a declared service's degraded time) exact, and reports the change as a "service.health" fact. */
void veh__svc_set(veh_world *w, int iOrg, int s, int health, int bIsolated) {
	veh_service *v = veh__svc_at(w, iOrg, s);
	veh_svcx *x = s >= VEH_SVC_N ? &w->aSvcX[s - VEH_SVC_N] : NULL;
	eng_time_t now = eng_sim_now(w->sim);
	veh__comp_account(w);  /* an outage of a customer-facing service changes the customer-hours being counted */
	int bWas = veh__svc_usable(w, iOrg, s), hWas = v->health, iWas = v->bIsolated;
	v->health = health;
	v->bIsolated = bIsolated;
	int bNow = veh__svc_usable(w, iOrg, s);
	if (bWas && !bNow) v->tDownSince = now;
	if (!bWas && bNow) {
		v->downUs += now - v->tDownSince;
		v->tDownSince = -1;
	}
	if (x) {  /* degraded time counts while it serves, degraded */
		int bDegWas = bWas && hWas == VEH_H_DEGRADED, bDegNow = bNow && health == VEH_H_DEGRADED;
		if (!bDegWas && bDegNow) x->tDegSince = now;
		if (bDegWas && !bDegNow) {
			x->degUs += now - x->tDegSince;
			x->tDegSince = -1;
		}
	}
	if (hWas != health || iWas != bIsolated)
		veh__fact(w, "service.health", veh__svc_label(w, s),
		          veh__org_tag(w, veh__svc_owner(w, iOrg, s),
		                       json_pack("{sssssbsb}", "from", azHealth[hWas], "to", azHealth[health], "isolated",
		                                 bIsolated, "usable", bNow)));
}

/* ---- argument helpers ---------------------------------------------------------------------------------- */

int veh__arg_fraction(json_t *args, const char *zField, double def, const char *zWhere, double *pOut, ky_err *err) {
	json_t *v = json_object_get(args, zField);
	if (!v) {
		*pOut = def;
		return 0;
	}
	if (!json_is_number(v)) return ky_err_set(err, KY_EINVAL, "%s: %s: expected a number in 0..1", zWhere, zField);
	double x = json_number_value(v);
	if (!(x >= 0 && x <= 1)) return ky_err_set(err, KY_EINVAL, "%s: %s: %g is outside 0..1", zWhere, zField, x);
	*pOut = x;
	return 0;
}

int veh__arg_time(json_t *args, const char *zField, eng_time_t def, const char *zWhere, eng_time_t *pOut, ky_err *err) {
	json_t *v = json_object_get(args, zField);
	if (!v) {
		*pOut = def;
		return 0;
	}
	if (json_is_number(v)) {
		if (eng_time_from_seconds(json_number_value(v), pOut, err)) return ky_err_prefix(err, "%s: %s", zWhere, zField);
		return 0;
	}
	if (json_is_string(v)) {
		if (eng_time_parse(json_string_value(v), pOut, err)) return ky_err_prefix(err, "%s: %s", zWhere, zField);
		return 0;
	}
	return ky_err_set(err, KY_EINVAL, "%s: %s: expected a time (seconds or \"15m\")", zWhere, zField);
}

int veh__arg_string(json_t *args, const char *zField, const char *def, const char *zWhere, const char **pOut,
                    ky_err *err) {
	json_t *v = json_object_get(args, zField);
	if (!v) {
		if (!def) return ky_err_set(err, KY_EINVAL, "%s: %s: required", zWhere, zField);
		*pOut = def;
		return 0;
	}
	if (!json_is_string(v) || !*json_string_value(v))
		return ky_err_set(err, KY_EINVAL, "%s: %s: expected a non-empty string", zWhere, zField);
	*pOut = json_string_value(v);
	return 0;
}

