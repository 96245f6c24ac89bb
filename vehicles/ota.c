/* ota: over-the-air campaigns, genuine (a team's ota_campaign) and malicious (attack.malicious_ota): the campaign
 * and its targets, the offer to a checking-in car, download, install and its outcome (patched, failed, bricked, or
 * a malicious implant), and the completion facts. Numbers: docs/world-model.md. */
#include "vehicles/worldInt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int veh__ota_add(veh_world *w, json_t *jSel, const char *zWhere, int iEcu, uint32_t ver, double rollout, double brick,
                 int iAttack, int *piOta, ky_err *err) {
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
	c->rollout = rollout;
	c->brick = iAttack >= 0 ? brick : w->p.otaBrick;
	c->iAttack = iAttack;
	c->tStart = eng_sim_now(w->sim);
	const veh_fleet *f = &w->f;
	for (uint32_t i = 0; i < f->n; i++) {
		uint32_t v = f->aVer[iEcu][i];
		if (v == VEH_VER_NONE || v >= ver || (f->aFlags[i] & VEH_F_BRICKED) || !veh_selector_match(f, &c->sel, i)) continue;
		/* a car already being updated on this ECU by another campaign is not offered this one */
		if (f->aOta[i] >= VEH_OTA_OFFERED && f->aOta[i] <= VEH_OTA_INSTALLING && w->aOta[f->aOtaCamp[i] - 1].iEcu == iEcu) continue;
		c->nTarget++;
	}
	*piOta = w->nOta++;
	return 0;
}

static uint32_t draw_between(eng_rng *r, eng_time_t lo, eng_time_t hi) {
	uint32_t a = (uint32_t)(lo / ENG_US_PER_S), b = (uint32_t)(hi / ENG_US_PER_S);
	return a + (b > a ? (uint32_t)eng_rng_below(r, b - a + 1) : 0);
}

int veh__ota_accepted(const veh_world *w, const veh_ota_camp *c) {
	if (c->iAttack < 0) return 1;
	return !c->bRevoked && !w->aCamp[c->iAttack].bStopped &&
	       (w->aSvc[VEH_SVC_OTA].health == VEH_H_COMPROMISED || w->aSvc[VEH_SVC_PKI].health == VEH_H_COMPROMISED);
}

/* Offers of active OTA campaigns to a car that has none in progress. */
static void ota_offer(veh_world *w, uint32_t i, eng_time_t now) {
	veh_fleet *f = &w->f;
	for (int o = 0; o < w->nOta; o++) {
		veh_ota_camp *c = &w->aOta[o];
		if (c->bPaused || (f->aOtaCamp[i] == o + 1 && f->aOta[i] == VEH_OTA_DONE)) continue;
		int bRetry = f->aOtaCamp[i] == o + 1 && f->aOta[i] == VEH_OTA_FAILED;
		if (c->iAttack >= 0 && (bRetry || !veh__ota_accepted(w, c))) continue;
		if (!bRetry) {
			if (c->nOffered >= c->nTarget) continue;
			double quota = c->rollout * (double)c->nTarget * (double)(now - c->tStart) / (3600.0 * ENG_US_PER_S);
			if ((double)c->nOffered >= quota) continue;
		}
		uint32_t v = f->aVer[c->iEcu][i];
		if (v == VEH_VER_NONE || v >= c->ver || !veh_selector_match(f, &c->sel, i)) continue;
		if (!bRetry) c->nOffered++;
		veh__ota_set(w, i, VEH_OTA_OFFERED, (uint8_t)(o + 1));
		w->nCarEvents++;
		return;
	}
}

static void ota_finish(veh_world *w, uint32_t i) {
	veh_fleet *f = &w->f;
	veh_ota_camp *c = &w->aOta[f->aOtaCamp[i] - 1];
	double x = eng_rng_double(&w->rOta);
	if (x < c->brick) {
		if (f->aFlags[i] & VEH_F_COMP) veh__comp_clear(w, i);
		f->aFlags[i] |= VEH_F_BRICKED;
		if (f->aFlags[i] & VEH_F_OFFLINE) {
			f->aFlags[i] &= (uint16_t)~VEH_F_OFFLINE;
			w->nOffline--;
		}
		w->nBricked++;
		c->nBricked++;
		veh__ota_set(w, i, VEH_OTA_FAILED, f->aOtaCamp[i]);
		return;
	}
	if (x < c->brick + w->p.otaFail) {
		veh__ota_set(w, i, VEH_OTA_FAILED, f->aOtaCamp[i]);
		c->nFailed++;
		return;
	}
	f->aVer[c->iEcu][i] = c->ver;
	veh__ota_set(w, i, VEH_OTA_DONE, f->aOtaCamp[i]);
	c->nDone++;
	if (c->iAttack >= 0) {
		veh__comp_set(w, i, c->iAttack, c->iEcu, 1);  /* the implant lives in the re-flashed ECU */
		return;
	}
	w->nPatched += !(f->aFlags[i] & VEH_F_PATCHED);
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
		if (w->nOta && x->bOta) ota_offer(w, i, now);
		break;
	case VEH_OTA_OFFERED:
		if (!x->bOta || w->aOta[f->aOtaCamp[i] - 1].bPaused) break;
		veh__ota_set(w, i, VEH_OTA_DOWNLOADING, f->aOtaCamp[i]);
		f->aOtaT[i] = tS + draw_between(&w->rOta, w->p.dlMin, w->p.dlMax) * (w->aSvc[VEH_SVC_OTA].health == VEH_H_DEGRADED ? 3 : 1);
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
		          json_pack("{sisIsIsIsIsb}", "campaign", o + 1, "targeted", (json_int_t)c->nTarget, "done", (json_int_t)c->nDone,
		                    "failed", (json_int_t)c->nFailed, "bricked", (json_int_t)c->nBricked, "malicious", c->iAttack >= 0));
	}
}

