/* recall: recall campaigns (the `recall` team action): the owners of the targeted cars are asked to bring them to a
 * dealer, where the ECU is re-flashed. Unlike OTA it needs no connectivity, no OTA server and no valid certificate,
 * but it is slow (a share of the targeted cars per day, and only a share of owners ever come) and every visit costs
 * its customer hours. Processed every vsoc.interval ("veh.vsoc"); numbers and sources: docs/world-model.md §4.
 * Cars come in a fixed order that mixes cohorts and regions (car = pos x P mod n, P a prime above any fleet size,
 * so the order is a permutation of the fleet), deterministic and without drawing from any random stream. */
#include "vehicles/worldInt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECALL_STRIDE 2654435761ull  /* prime, above 2^31 (the largest fleet): coprime with every fleet size */

uint32_t veh__recall_car(const veh_world *w, uint64_t pos) {
	assert(w->f.n > 0 && pos < w->f.n);
	return (uint32_t)(pos * RECALL_STRIDE % w->f.n);
}

/* Limits a recall's selector to the cars of its org (every car without orgs). */
static void recall_scope(const veh_world *w, veh_recall *r) {
	for (int k = 0; w->bOrgs && k < w->f.nCoh; k++) r->sel.aCohOk[k] &= w->f.aCoh[k].iOrg == r->iOrg;
}

int veh__recall_compile(const veh_world *w, veh_recall *r) {
	json_t *j = json_loads(r->zSel, 0, NULL);
	int rc = j && veh_selector_compile(&w->f, j, "", &r->sel, NULL) == 0 ? 0 : -1;
	json_decref(j);
	if (rc == 0) recall_scope(w, r);
	return rc;
}

/* Does car i still need recall r (targeted, the ECU fitted and older, not bricked)? */
static int recall_needs(const veh_world *w, const veh_recall *r, uint32_t i) {
	const veh_fleet *f = &w->f;
	uint32_t v = f->aVer[r->iEcu][i];
	return v != VEH_VER_NONE && v < r->ver && !(f->aFlags[i] & VEH_F_BRICKED) && veh_selector_match(f, &r->sel, i);
}

int veh__recall_add(veh_world *w, json_t *jSel, const char *zWhere, int iOrg, int iEcu, uint32_t ver, double perDay,
                    double uptake, eng_time_t visitUs, int iVia, int *piRecall, ky_err *err) {
	char zPre[96];
	if (w->nRecall >= VEH_RECALL_MAX) return ky_err_set(err, KY_ELIMIT, "%s: more than %d recalls", zWhere, VEH_RECALL_MAX);
	veh_recall *a = realloc(w->aRecall, (size_t)(w->nRecall + 1) * sizeof *a);
	if (!a) return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zWhere);
	w->aRecall = a;
	veh_recall *r = &a[w->nRecall];
	memset(r, 0, sizeof *r);
	snprintf(zPre, sizeof zPre, "%s: select.", zWhere);
	if (veh_selector_compile(&w->f, jSel, zPre, &r->sel, err)) return err->code;
	r->zSel = jSel ? json_dumps(jSel, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
	if (!r->zSel) {
		veh_selector_free(&r->sel);
		return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zWhere);
	}
	r->iEcu = iEcu, r->ver = ver, r->iOrg = iOrg, r->iVia = iVia;
	r->perDay = perDay, r->uptake = uptake, r->visitUs = visitUs;
	recall_scope(w, r);
	for (uint32_t i = 0; i < w->f.n; i++) r->nTarget += recall_needs(w, r, i);
	*piRecall = w->nRecall++;
	return 0;
}

/* A dealer visit: the ECU is re-flashed with the recall's version; the car is patched and a compromise that lives in
 * that ECU is gone (as with OTA, ota.c). */
static void visit(veh_world *w, const veh_recall *r, uint32_t i) {
	veh_fleet *f = &w->f;
	f->aVer[r->iEcu][i] = r->ver;
	veh__counts_of(w, i)->nPatched += !(f->aFlags[i] & VEH_F_PATCHED);
	f->aFlags[i] |= VEH_F_PATCHED;
	if ((f->aFlags[i] & VEH_F_COMP) && f->aEntry[i] == r->iEcu) veh__comp_clear(w, i);
	w->nCarEvents++;
}

void veh__recall_step(veh_world *w) {
	if (!w->nRecall || !w->f.n) return;
	veh__comp_account(w);
	for (int k = 0; k < w->nRecall; k++) {
		veh_recall *r = &w->aRecall[k];
		if (r->iVia >= 0 && !veh__svc_usable(w, r->iOrg, r->iVia)) continue;  /* the dealers cannot book or work */
		r->activeUs += w->p.vsocInterval;
		double share = r->perDay * (double)r->activeUs / (86400.0 * ENG_US_PER_S);
		if (share > r->uptake) share = r->uptake;
		int64_t quota = (int64_t)(share * (double)r->nTarget), n0 = r->nDone;
		while (r->nDone < quota && r->cursor < w->f.n) {
			uint32_t i = veh__recall_car(w, r->cursor++);
			if (!recall_needs(w, r, i)) continue;  /* fixed meanwhile (OTA), or not its target: no visit */
			visit(w, r, i);
			r->nDone++;
		}
		if (r->nDone > n0 && (r->nDone >= (int64_t)(r->uptake * (double)r->nTarget) || r->cursor >= w->f.n))
			veh__fact(w, "recall.complete", veh_ecu_name(r->iEcu),
			          veh__org_tag(w, r->iOrg, json_pack("{sisIsI}", "recall", k + 1, "targeted", (json_int_t)r->nTarget,
			                                             "visits", (json_int_t)r->nDone)));
	}
}

int64_t veh__recall_visits(const veh_world *w, int iOrg) {
	int64_t n = 0;
	for (int k = 0; k < w->nRecall; k++)
		if (iOrg < 0 || w->aRecall[k].iOrg == iOrg) n += w->aRecall[k].nDone;
	return n;
}

double veh__recall_customer_hours(const veh_world *w, int iOrg) {
	double h = 0;
	for (int k = 0; k < w->nRecall; k++)
		if (iOrg < 0 || w->aRecall[k].iOrg == iOrg)
			h += (double)w->aRecall[k].nDone * (double)w->aRecall[k].visitUs / (3600.0 * ENG_US_PER_S);
	return h;
}

void veh__recall_free(veh_world *w) {
	for (int k = 0; k < w->nRecall; k++) {
		free(w->aRecall[k].zSel);
		veh_selector_free(&w->aRecall[k].sel);
	}
	free(w->aRecall);
	w->aRecall = NULL;
	w->nRecall = 0;
}
