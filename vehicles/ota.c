/* ota: over-the-air campaigns, genuine (a team's ota_campaign) and malicious (attack.malicious_ota): the campaign
 * and its targets, the offer to a checking-in car, download, install and its outcome (patched, failed, bricked, or
 * a malicious implant), and the completion facts. Numbers: docs/world-model.md. */
#include "vehicles/worldInt.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Limits an OTA campaign's selector to the cars of its org (every car without orgs). */
void veh__ota_scope(const veh_world *w, veh_ota_camp *c) {
	for (int k = 0; w->bOrgs && k < w->f.nCoh; k++) c->sel.aCohOk[k] &= w->f.aCoh[k].iOrg == c->iOrg;
}

int veh__ota_add(veh_world *w, json_t *jSel, const char *zWhere, int iOrg, int iEcu, uint32_t ver, double rollout,
                 double brick, int iAttack, int *piOta, ky_err *err) {
	char zPre[96];
	if (w->nOta >= VEH_OTA_MAX) return ky_err_set(err, KY_ELIMIT, "%s: more than %d OTA campaigns", zWhere, VEH_OTA_MAX);
	veh_ota_camp *a = realloc(w->aOta, (size_t)(w->nOta + 1) * sizeof *a);
	if (!a) return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zWhere);
	w->aOta = a;
	veh_ota_camp *c = &a[w->nOta];
	memset(c, 0, sizeof *c);
	snprintf(zPre, sizeof zPre, "%s: select.", zWhere);
	int rc = veh_selector_compile(&w->f, jSel, zPre, &c->sel, err);
	if (rc) return rc;
	c->zSel = jSel ? json_dumps(jSel, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
	if (!c->zSel) {
		veh_selector_free(&c->sel);
		return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zWhere);
	}
	c->iEcu = iEcu;
	c->ver = ver;
	c->iOrg = iOrg;
	c->tQuota = -1;
	veh__ota_scope(w, c);
	c->rollout = rollout;
	c->brick = iAttack >= 0 ? brick : w->p.otaBrick;
	c->iAttack = iAttack;
	c->tStart = eng_sim_now(w->sim);
	const veh_fleet *f = &w->f;
	for (int h = 0; h < f->nCoh; h++) {  /* the cars of the cohorts it selects (an OEM's campaign: its own) */
		if (!c->sel.aCohOk[h]) continue;
		for (uint32_t i = f->aCoh[h].iFirst, iEnd = i + f->aCoh[h].nCount; i < iEnd; i++) {
			uint32_t v = f->aVer[iEcu][i];
			if (v == VEH_VER_NONE || v >= ver || (f->aFlags[i] & VEH_F_BRICKED) || !veh_selector_match(f, &c->sel, i)) continue;
			/* a car already being updated on this ECU by another campaign is not offered this one */
			if (veh__ota_busy(f->aOta[i]) && w->aOta[f->aOtaCamp[i] - 1].iEcu == iEcu) continue;
			c->nTarget++;
		}
	}
	*piOta = w->nOta++;
	return 0;
}

static uint32_t draw_between(eng_rng *r, eng_time_t lo, eng_time_t hi) {
	uint32_t a = (uint32_t)(lo / ENG_US_PER_S), b = (uint32_t)(hi / ENG_US_PER_S);
	return a + (b > a ? (uint32_t)eng_rng_next_below(r, b - a + 1) : 0);
}

int veh__ota_accepted(const veh_world *w, const veh_ota_camp *c) {
	if (c->iAttack < 0) return 1;
	const veh_service *aSvc = w->aOrg[c->iOrg].aSvc;
	const veh_campaign *a = &w->aCamp[c->iAttack];
	if (c->bRevoked || a->bStopped) return 0;
	if (a->iCred) return veh__cred_works(w, a->iCred - 1);  /* signed with a stolen key: until it is rotated */
	return aSvc[VEH_SVC_OTA].health == VEH_H_COMPROMISED || aSvc[VEH_SVC_PKI].health == VEH_H_COMPROMISED;
}

/* How many cars campaign c may have offered by now (rollout x targeted x hours since its start), computed once per
 * sim time however many cars check in at that time. */
static double ota_quota(veh_ota_camp *c, eng_time_t now) {
	if (c->tQuota != now) {
		c->quota = c->rollout * (double)c->nTarget * (double)(now - c->tStart) / (3600.0 * ENG_US_PER_S);
		c->tQuota = now;
	}
	return c->quota;
}

int veh__ota_offers_open(veh_world *w, eng_time_t now) {
	for (int o = 0; o < w->nOta; o++) {
		veh_ota_camp *c = &w->aOta[o];
		if (c->bPaused || c->nOffered >= c->nTarget || (double)c->nOffered >= ota_quota(c, now)) continue;
		if (c->iAttack < 0 || veh__ota_accepted(w, c)) return 1;
	}
	return 0;
}

void veh__ota_run_gate(veh_world *w, veh__tick_ctx *x, eng_time_t now) {
	const veh_cohort *k = &w->f.aCoh[x->iCoh];
	x->bNoneCan = 0, x->nDoneOpen = 0, x->iDoneOpen = -1;
	for (int o = 0; w->bOtaOffers && o < w->nOta; o++) {
		veh_ota_camp *c = &w->aOta[o];
		if (c->bPaused || c->nOffered >= c->nTarget || !c->sel.aCohOk[x->iCoh] || (double)c->nOffered >= ota_quota(c, now)) continue;
		if (c->iAttack >= 0 && !veh__ota_accepted(w, c)) continue;
		x->nDoneOpen++, x->iDoneOpen = o;
		x->bNoneCan |= k->aVer[c->iEcu] != VEH_VER_NONE && k->aVer[c->iEcu] < c->ver;
	}
}

/* Offers of active OTA campaigns to a car that has none in progress. */
static void ota_offer(veh_world *w, const veh__tick_ctx *x, uint32_t i, eng_time_t now) {
	veh_fleet *f = &w->f;
	uint8_t st = f->aOta[i], iOwn = f->aOtaCamp[i];
	for (int o = 0; o < w->nOta; o++) {
		veh_ota_camp *c = &w->aOta[o];
		/* every test below is free of side effects, so the cheapest go first: the campaign's own state, the car's
		 * own columns already loaded, its cohort (x->iCoh: another org's campaign never matches), then its firmware
		 * (half the fleet fails it): a car never updated runs its cohort's initial firmware (a firmware only changes
		 * when an update is done; codec.c refuses a snapshot that says otherwise), no column read needed */
		int bRetry = iOwn == o + 1 && st == VEH_OTA_FAILED;
		if (c->bPaused || (!bRetry && c->nOffered >= c->nTarget) || !c->sel.aCohOk[x->iCoh]) continue;
		if (iOwn == o + 1 && st == VEH_OTA_DONE) continue;
		uint32_t v = st == VEH_OTA_NONE && !w->nRecall ? f->aCoh[x->iCoh].aVer[c->iEcu] : f->aVer[c->iEcu][i];  /* a recall
		                                                                  flashes cars at dealers, outside OTA (recall.c) */
		if (v == VEH_VER_NONE || v >= c->ver) continue;
		if (c->iAttack >= 0 && (bRetry || !veh__ota_accepted(w, c))) continue;
		if (!bRetry && (double)c->nOffered >= ota_quota(c, now)) continue;
		if (!veh_selector_match(f, &c->sel, i)) continue;
		if (!bRetry) c->nOffered++;
		veh__ota_set(w, i, VEH_OTA_OFFERED, (uint8_t)(o + 1));
		w->nCarEvents++;
		if (!bRetry) w->bOtaOffers = veh__ota_offers_open(w, now);  /* this campaign's quota may be used up now */
		return;
	}
}

static void ota_finish(veh_world *w, uint32_t i) {
	veh_fleet *f = &w->f;
	veh_ota_camp *c = &w->aOta[f->aOtaCamp[i] - 1];
	veh_counts *k = veh__counts_of(w, i);
	double x = eng_rng_double(&w->rOta);
	if (x < c->brick) {
		if (f->aFlags[i] & VEH_F_COMP) veh__comp_clear(w, i);
		int l0 = veh__loss_begin(w, i);
		f->aFlags[i] |= VEH_F_BRICKED;
		veh__loss_end(w, i, l0);
		if (f->aFlags[i] & VEH_F_OFFLINE) {
			f->aFlags[i] &= (uint16_t)~VEH_F_OFFLINE;
			k->nOffline--;
		}
		k->nBricked++;
		c->nBricked++;
		veh__ota_set(w, i, VEH_OTA_FAILED, f->aOtaCamp[i]);
		return;
	}
	if (x < c->brick + w->p.otaFail) {
		veh__ota_set(w, i, VEH_OTA_FAILED, f->aOtaCamp[i]);
		c->nFailed++;
		return;
	}
	if (f->aVer[c->iEcu][i] < c->ver || c->iAttack >= 0) f->aVer[c->iEcu][i] = c->ver;  /* a recall may have got there first */
	veh__ota_set(w, i, VEH_OTA_DONE, f->aOtaCamp[i]);
	c->nDone++;
	if (c->iAttack >= 0) {
		veh__comp_set(w, i, c->iAttack, c->iEcu, 1);  /* the implant lives in the re-flashed ECU */
		return;
	}
	k->nPatched += !(f->aFlags[i] & VEH_F_PATCHED);
	f->aFlags[i] |= VEH_F_PATCHED;
	if ((f->aFlags[i] & VEH_F_COMP) && f->aEntry[i] == c->iEcu) veh__comp_clear(w, i);
}

void veh__ota_step(veh_world *w, const veh__tick_ctx *x, uint32_t i, uint32_t tS, eng_time_t now) {
	veh_fleet *f = &w->f;
	if (f->aOta[i] >= VEH_OTA_OFFERED && f->aOta[i] <= VEH_OTA_INSTALLING && !veh__ota_accepted(w, &w->aOta[f->aOtaCamp[i] - 1])) {
		veh__ota_set(w, i, VEH_OTA_FAILED, f->aOtaCamp[i]);  /* a malicious package whose signature or source is gone: rejected */
		w->aOta[f->aOtaCamp[i] - 1].nFailed++;
		w->nCarEvents++;
		return;
	}
	switch (f->aOta[i]) {
	case VEH_OTA_NONE:
	case VEH_OTA_DONE:
	case VEH_OTA_FAILED:
		if (w->nOta && x->bOta) ota_offer(w, x, i, now);
		break;
	case VEH_OTA_OFFERED:
		if (!x->bOta || w->aOta[f->aOtaCamp[i] - 1].bPaused) break;
		veh__ota_set(w, i, VEH_OTA_DOWNLOADING, f->aOtaCamp[i]);
		f->aOtaT[i] = tS + draw_between(&w->rOta, w->p.dlMin, w->p.dlMax) *
		                       (w->aOrg[x->iOrg].aSvc[VEH_SVC_OTA].health == VEH_H_DEGRADED ? 3 : 1);
		w->nCarEvents++;
		break;
	case VEH_OTA_DOWNLOADING:
		if (!x->bOta || w->aOta[f->aOtaCamp[i] - 1].bPaused) {
			f->aOtaT[i] += x->periodS;  /* stalled */
		} else if (tS >= f->aOtaT[i]) {
			veh__ota_set(w, i, VEH_OTA_INSTALLING, f->aOtaCamp[i]);
			f->aOtaT[i] = tS + draw_between(&w->rOta, w->p.instMin, w->p.instMax);
			w->nCarEvents++;
		}
		break;
	case VEH_OTA_INSTALLING:
		if (tS >= f->aOtaT[i]) {
			ota_finish(w, i);
			w->nCarEvents++;
		}
		break;
	}
}

void veh__ota_progress_facts(veh_world *w) {
	for (int o = 0; o < w->nOta; o++) {
		veh_ota_camp *c = &w->aOta[o];
		if (c->bDoneFact || c->nOffered < c->nTarget || c->nBusy) continue;
		c->bDoneFact = 1;
		veh__fact(w, "ota.complete", veh_ecu_name(c->iEcu),
		          veh__org_tag(w, c->iOrg, json_pack("{sisIsIsIsIsb}", "campaign", o + 1, "targeted", (json_int_t)c->nTarget,
		                                             "done", (json_int_t)c->nDone, "failed", (json_int_t)c->nFailed,
		                                             "bricked", (json_int_t)c->nBricked, "malicious", c->iAttack >= 0)));
	}
}

