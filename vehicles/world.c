/* world: configuration, the periodic behaviour of cars (check-ins, churn, IDS; the OTA step is in ota.c), the
 * VSOC, PKI and app API, metrics and the public entry points. Shared state helpers are in state.c. Design notes: worldInt.h; numbers: docs/world-model.md. */
#include "vehicles/worldInt.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parameters ---------------------------------------------------------------------------------------- */

typedef struct param_def {
	const char *zName;
	int bTime;          /* eng_time_t, else double (or int64 when bInt) */
	int bInt;
	size_t off;
	double lo, hi;
} param_def;

#define PT(name, field, lo, hi) { name, 1, 0, offsetof(veh_params, field), lo, hi }
#define PD(name, field, lo, hi) { name, 0, 0, offsetof(veh_params, field), lo, hi }
#define PI(name, field, lo, hi) { name, 0, 1, offsetof(veh_params, field), lo, hi }
static const param_def aParam[] = {
	PT("checkin.period", checkinPeriod, 10, 65535), PT("checkin.slot", slotWidth, 1, 3600),
	PT("checkin.jitter", jitter, 0, 3600), PD("offline.fraction", offlineFrac, 0, 0.99),
	PT("offline.mean", offlineMean, 60, 1e7), PD("ids.detect_p", idsDetect, 0, 1), PD("ids.fp_rate", idsFp, 0, 1),
	PT("vsoc.interval", vsocInterval, 10, 86400), PD("vsoc.alerts_per_hour", vsocPerHour, 0, 1e9),
	PT("block.delay", blockDelay, 0, 86400 * 7), PT("ota.download_min", dlMin, 1, 86400),
	PT("ota.download_max", dlMax, 1, 86400), PT("ota.install_min", instMin, 1, 86400),
	PT("ota.install_max", instMax, 1, 86400), PD("ota.fail_p", otaFail, 0, 1), PD("ota.brick_p", otaBrick, 0, 1),
	PD("pki.reprovision_per_hour", pkiPerHour, 0, 1e9), PD("app.commands_per_car_day", appCmdPerDay, 0, 1000),
	PD("telematics.degraded_loss", degradedLoss, 0, 1), PI("exfil.records_per_car", recordsPerCar, 0, 1e9),
};

static void params_default(veh_params *p) {
	p->checkinPeriod = ENG_S(300);
	p->slotWidth = ENG_S(1);
	p->jitter = ENG_S(30);
	p->offlineFrac = 0.10;
	p->offlineMean = ENG_S(2 * 3600);
	p->idsDetect = 0.01;
	p->idsFp = 2e-6;
	p->vsocInterval = ENG_S(300);
	p->vsocPerHour = 300;
	p->blockDelay = ENG_S(15 * 60);
	p->dlMin = ENG_S(10 * 60);
	p->dlMax = ENG_S(30 * 60);
	p->instMin = ENG_S(5 * 60);
	p->instMax = ENG_S(15 * 60);
	p->otaFail = 0.02;
	p->otaBrick = 0.0005;
	p->pkiPerHour = 2000;
	p->appCmdPerDay = 0.3;
	p->degradedLoss = 0.5;
	p->recordsPerCar = 20;
}

int veh__params_valid(const veh_params *p) {
	for (size_t k = 0; k < sizeof aParam / sizeof aParam[0]; k++) {
		const param_def *d = &aParam[k];
		const char *q = (const char *)p + d->off;
		double x = d->bTime ? (double)*(const eng_time_t *)q / ENG_US_PER_S
		                    : d->bInt ? (double)*(const int64_t *)q : *(const double *)q;
		if (!(x >= d->lo && x <= d->hi)) return 0;
	}
	return p->dlMax >= p->dlMin && p->instMax >= p->instMin && p->slotWidth <= p->checkinPeriod;
}

int veh_world_set_params(veh_world *w, json_t *params, ky_err *err) {
	const char *zKey;
	json_t *v;
	veh_params p = w->p;
	if (!json_is_object(params)) return ky_err_set(err, KY_EINVAL, "world params: expected an object");
	json_object_foreach(params, zKey, v) {
		const param_def *d = NULL;
		for (size_t k = 0; k < sizeof aParam / sizeof aParam[0]; k++)
			if (strcmp(aParam[k].zName, zKey) == 0) d = &aParam[k];
		if (!d) return ky_err_set(err, KY_ENOENT, "world params: unknown parameter '%s'", zKey);
		if (w->bStarted && (strncmp(zKey, "checkin.", 8) == 0))
			return ky_err_set(err, KY_ESTATE, "world params: %s: cannot change after start", zKey);
		if (d->bTime) {
			eng_time_t t;
			json_t *o = json_pack("{sO}", "x", v);
			int rc = veh__arg_time(o, "x", 0, "world params", &t, err);
			json_decref(o);
			if (rc) return ky_err_set(err, rc, "world params: %s: expected a time (seconds or \"15m\")", zKey);
			if (t < ENG_S(d->lo) || t > ENG_S(d->hi))
				return ky_err_set(err, KY_EINVAL, "world params: %s: out of range %g..%g s", zKey, d->lo, d->hi);
			*(eng_time_t *)((char *)&p + d->off) = t;
		} else {
			if (!json_is_number(v)) return ky_err_set(err, KY_EINVAL, "world params: %s: expected a number", zKey);
			double x = json_number_value(v);
			if (!(x >= d->lo && x <= d->hi))
				return ky_err_set(err, KY_EINVAL, "world params: %s: %g out of range %g..%g", zKey, x, d->lo, d->hi);
			if (d->bInt)
				*(int64_t *)((char *)&p + d->off) = (int64_t)x;
			else
				*(double *)((char *)&p + d->off) = x;
		}
	}
	if (p.dlMax < p.dlMin || p.instMax < p.instMin)
		return ky_err_set(err, KY_EINVAL, "world params: ota *_max must be >= *_min");
	if (p.slotWidth > p.checkinPeriod) return ky_err_set(err, KY_EINVAL, "world params: checkin.slot > checkin.period");
	w->p = p;
	return 0;
}

/* ---- life cycle ---------------------------------------------------------------------------------------- */

static void on_tick(eng_sim *sim, void *ctx, const eng_event *ev);
static void on_vsoc(eng_sim *sim, void *ctx, const eng_event *ev);
static void on_block(eng_sim *sim, void *ctx, const eng_event *ev);

veh_world *veh_world_new(eng_sim *sim, ky_err *err) {
	veh_world *w = calloc(1, sizeof *w);
	if (!w) {
		ky_err_set(err, KY_ENOMEM, "world: out of memory");
		return NULL;
	}
	w->sim = sim;
	veh_fleet_init(&w->f);
	w->pSb = veh_sbom_new();
	if (!w->pSb) {
		ky_err_set(err, KY_ENOMEM, "world: out of memory");
		free(w);
		return NULL;
	}
	params_default(&w->p);
	for (int s = 0; s < VEH_SVC_N; s++) w->aSvc[s].tDownSince = -1;
	w->tTick = w->tVsoc = -1;
	if (eng_sim_register(sim, "veh.tick", on_tick, w, &w->kTick) || eng_sim_register(sim, "veh.vsoc", on_vsoc, w, &w->kVsoc) ||
	    eng_sim_register(sim, "veh.block", on_block, w, &w->kBlock)) {
		ky_err_set(err, KY_ELIMIT, "world: the simulator has no room for the world's event kinds");
		veh_sbom_free(w->pSb);
		free(w);
		return NULL;
	}
	eng_sim_stream(sim, "veh.tick", &w->rTick);
	eng_sim_stream(sim, "veh.ota", &w->rOta);
	eng_sim_stream(sim, "veh.attack", &w->rAttack);
	eng_sim_stream(sim, "veh.vsoc", &w->rVsoc);
	return w;
}

void veh_world_free(veh_world *w) {
	if (!w) return;
	for (int c = 0; c < w->nCamp; c++) free(w->aCamp[c].zSel);
	for (int o = 0; o < w->nOta; o++) {
		free(w->aOta[o].zSel);
		veh_selector_free(&w->aOta[o].sel);
	}
	free(w->aCamp);
	free(w->aOta);
	free(w->aSlotStart);
	free(w->aSlotCar);
	veh_fleet_clear(&w->f);
	veh_sbom_free(w->pSb);
	free(w);
}

int veh_world_add_cohort(veh_world *w, json_t *cohort, ky_err *err) {
	uint32_t aVer[VEH_ECU_N];
	const char *zModel, *zRegion, *zKey;
	json_t *v, *jEcus, *jFeat;
	double online;
	uint8_t feats = VEH_FEAT_ALL;
	if (w->bStarted) return ky_err_set(err, KY_ESTATE, "fleet: cannot add cars after the world started");
	if (!json_is_object(cohort)) return ky_err_set(err, KY_EINVAL, "fleet: expected {model, count, region, ecus}");
	if (veh__arg_string(cohort, "model", NULL, "fleet", &zModel, err)) return err->code;
	if (veh__arg_string(cohort, "region", "default", "fleet", &zRegion, err)) return err->code;
	int64_t nCount;
	if (!veh__count(json_object_get(cohort, "count"), &nCount) || nCount > 100000000)
		return ky_err_set(err, KY_EINVAL, "fleet: %s: count: expected an integer in 0..100000000", zModel);
	if (veh__arg_fraction(cohort, "online", 1.0 - w->p.offlineFrac, "fleet", &online, err)) return err->code;
	for (int e = 0; e < VEH_ECU_N; e++) aVer[e] = VEH_VER_NONE;
	jEcus = json_object_get(cohort, "ecus");
	if (jEcus && !json_is_object(jEcus)) return ky_err_set(err, KY_EINVAL, "fleet: %s: ecus: expected {tcu = \"2.3.1\", ...}", zModel);
	json_object_foreach(jEcus, zKey, v) {
		int e = veh_ecu_index(zKey);
		if (e < 0) return ky_err_set(err, KY_ENOENT, "fleet: %s: ecus.%s: unknown ECU (known: tcu, gw, ivi, bcm, adas)", zModel, zKey);
		if (!json_is_string(v)) return ky_err_set(err, KY_EINVAL, "fleet: %s: ecus.%s: expected a version string", zModel, zKey);
		if (veh_version_parse(json_string_value(v), &aVer[e], err)) return ky_err_prefix(err, "fleet: %s: ecus.%s", zModel, zKey);
	}
	jFeat = json_object_get(cohort, "features");
	if (jFeat) {
		size_t idx;
		if (!json_is_array(jFeat)) return ky_err_set(err, KY_EINVAL, "fleet: %s: features: expected a list of names", zModel);
		feats = 0;
		json_array_foreach(jFeat, idx, v) {
			int k = veh_feature_index(json_string_value(v));
			if (k < 0)
				return ky_err_set(err, KY_ENOENT, "fleet: %s: features[%zu]: unknown feature (known: remote_unlock, "
				                  "remote_start, remote_climate, location, horn_lights)", zModel, idx + 1);
			feats |= (uint8_t)(1u << k);
		}
	}
	if ((v = json_object_get(cohort, "checkin"))) {
		eng_time_t t;
		if (veh__arg_time(cohort, "checkin", 0, "fleet", &t, err)) return err->code;
		if (t < ENG_S(10) || t > ENG_S(65535)) return ky_err_set(err, KY_EINVAL, "fleet: %s: checkin: must be 10 s .. 18 h", zModel);
		w->p.checkinPeriod = t;
	}
	return veh_fleet_add(&w->f, zModel, zRegion, aVer, feats, online, (uint32_t)nCount, err);
}

int veh_world_add_sbom(veh_world *w, json_t *sbom, ky_err *err) { return veh_sbom_add_json(w->pSb, sbom, err); }

int veh_world_add_sbom_cyclonedx(veh_world *w, const char *ecu, const char *version, json_t *bom, ky_err *err) {
	char *z = json_is_object(bom) ? json_dumps(bom, JSON_COMPACT) : NULL;
	veh_sbom_load opt = { .zEcu = ecu ? ecu : "", .zVersion = version ? version : "" };
	if (!json_is_object(bom)) return ky_err_set(err, KY_EINVAL, "sbom (CycloneDX): not a CycloneDX document (bomFormat must be \"CycloneDX\")");
	if (!z) return ky_err_set(err, KY_ENOMEM, "sbom: out of memory");
	int rc = veh_sbom_add_cyclonedx(w->pSb, z, strlen(z), "(CycloneDX)", &opt, err);
	free(z);
	return rc;
}

int veh_world_load_cyclonedx(veh_world *w, const char *zText, size_t nText, const char *zFile, veh_sbom_load *opt, ky_err *err) {
	return veh_sbom_add_cyclonedx(w->pSb, zText, nText, zFile, opt, err);
}

json_t *veh_world_sbom_json(const veh_world *w) { return veh_sbom_json(w->pSb); }

/* Builds the timing wheel: phases from "veh.phase", cars bucketed by slot (counting sort, ids ascending). */
static int wheel_build(veh_world *w, ky_err *err) {
	veh_fleet *f = &w->f;
	uint32_t periodS = (uint32_t)(w->p.checkinPeriod / ENG_US_PER_S);
	uint32_t slotS = (uint32_t)(w->p.slotWidth / ENG_US_PER_S);
	eng_rng r;
	w->p.checkinPeriod = ENG_S(periodS);
	w->p.slotWidth = ENG_S(slotS);
	w->nSlot = (periodS + slotS - 1) / slotS;
	w->aSlotStart = calloc((size_t)w->nSlot + 1, sizeof(uint32_t));
	w->aSlotCar = malloc(((size_t)f->n + 1) * sizeof(uint32_t));
	if (!w->aSlotStart || !w->aSlotCar) return ky_err_set(err, KY_ENOMEM, "world: out of memory for the check-in wheel");
	eng_sim_stream(w->sim, "veh.phase", &r);
	/* Each cohort draws its cars' phases uniformly, then hands them out in ascending order of car id: the cars of
	 * a slot are then a few contiguous id runs (one per cohort) and a tick walks the columns sequentially. */
	uint32_t *aHist = calloc(periodS, sizeof(uint32_t));
	if (!aHist) return ky_err_set(err, KY_ENOMEM, "world: out of memory for the check-in wheel");
	for (int c = 0; c < f->nCoh; c++) {
		const veh_cohort *k = &f->aCoh[c];
		memset(aHist, 0, periodS * sizeof(uint32_t));
		for (uint32_t j = 0; j < k->nCount; j++) aHist[eng_rng_below(&r, periodS)]++;
		uint32_t i = k->iFirst;
		for (uint32_t ph = 0; ph < periodS; ph++)
			for (uint32_t n = 0; n < aHist[ph]; n++) f->aPhase[i++] = (uint16_t)ph;
	}
	free(aHist);
	for (uint32_t i = 0; i < f->n; i++) w->aSlotStart[f->aPhase[i] / slotS + 1]++;
	for (uint32_t s = 0; s < w->nSlot; s++) w->aSlotStart[s + 1] += w->aSlotStart[s];
	uint32_t *aFill = malloc((size_t)w->nSlot * sizeof(uint32_t));
	if (!aFill) return ky_err_set(err, KY_ENOMEM, "world: out of memory for the check-in wheel");
	memcpy(aFill, w->aSlotStart, (size_t)w->nSlot * sizeof(uint32_t));
	for (uint32_t i = 0; i < f->n; i++) w->aSlotCar[aFill[f->aPhase[i] / slotS]++] = i;
	free(aFill);
	return 0;
}

/* Global slot index >= i whose slot holds cars; UINT64_MAX when the fleet is empty. */
static uint64_t next_busy_slot(const veh_world *w, uint64_t i) {
	for (uint32_t k = 0; k < w->nSlot; k++, i++) {
		uint32_t s = (uint32_t)(i % w->nSlot);
		if (w->aSlotStart[s + 1] > w->aSlotStart[s]) return i;
	}
	return UINT64_MAX;
}

int veh__sched_tick(veh_world *w, eng_time_t t) {
	if (w->tTick >= 0) eng_sim_cancel(w->sim, w->tickId);
	w->tTick = -1;
	if (t < 0) return 0;
	if (t < eng_sim_now(w->sim)) t = eng_sim_now(w->sim);
	int rc = eng_sim_schedule(w->sim, t, w->kTick, 0, 0, &w->tickId);
	if (!rc) w->tTick = t;
	return rc;
}

int veh__sched_vsoc(veh_world *w, eng_time_t t) {
	if (w->tVsoc >= 0) eng_sim_cancel(w->sim, w->vsocId);
	w->tVsoc = -1;
	if (t < 0) return 0;
	if (t < eng_sim_now(w->sim)) t = eng_sim_now(w->sim);
	int rc = eng_sim_schedule(w->sim, t, w->kVsoc, 0, 0, &w->vsocId);
	if (!rc) w->tVsoc = t;
	return rc;
}

int veh__sched_block(veh_world *w, int iCamp, eng_time_t t) {
	veh_campaign *c = &w->aCamp[iCamp];
	if (c->tBlockAt >= 0) eng_sim_cancel(w->sim, c->blockId);
	c->tBlockAt = -1;
	if (t < 0) return 0;
	if (t < eng_sim_now(w->sim)) t = eng_sim_now(w->sim);
	int rc = eng_sim_schedule(w->sim, t, w->kBlock, (uint32_t)iCamp, 0, &c->blockId);
	if (!rc) c->tBlockAt = t;
	return rc;
}

static eng_time_t slot_time(const veh_world *w, uint64_t i) { return w->tStart + (eng_time_t)i * w->p.slotWidth; }

int veh_world_start(veh_world *w, ky_err *err) {
	veh_fleet *f = &w->f;
	if (w->bStarted) return ky_err_set(err, KY_ESTATE, "world: already started");
	int rc = wheel_build(w, err);
	if (rc) return rc;
	/* initial connectivity: cohort's online fraction, from "veh.online" */
	eng_rng r;
	eng_sim_stream(w->sim, "veh.online", &r);
	for (int c = 0; c < f->nCoh; c++) {
		const veh_cohort *k = &f->aCoh[c];
		for (uint32_t i = k->iFirst; i < k->iFirst + k->nCount; i++)
			if (!eng_rng_chance(&r, k->online)) {
				f->aFlags[i] |= VEH_F_OFFLINE;
				w->nOffline++;
			}
	}
	w->aOtaN[VEH_OTA_NONE] = f->n;  /* no car has an OTA state before the first tick */
	w->tStart = eng_sim_now(w->sim);
	w->tCompLast = w->tStart;
	w->bStarted = 1;
	w->iSlotNext = next_busy_slot(w, 0);
	if (w->iSlotNext != UINT64_MAX && (rc = veh__sched_tick(w, slot_time(w, w->iSlotNext))))
		return ky_err_set(err, rc, "world: cannot schedule check-ins");
	if ((rc = veh__sched_vsoc(w, w->tStart + w->p.vsocInterval))) return ky_err_set(err, rc, "world: cannot schedule the VSOC");
	return 0;
}

/* ---- check-ins ------------------------------------------------------------------------------------------ */

static uint32_t thr32(double p) {
	if (p <= 0) return 0;
	if (p >= 1) return UINT32_MAX;
	return (uint32_t)(p * 4294967296.0);
}



/* One car's check-in slot: connectivity churn, C2 beacon and exfiltration, IDS, upload, OTA step. */
static void car_tick(veh_world *w, const veh__tick_ctx *x, uint32_t i, uint32_t tS, eng_time_t now) {
	veh_fleet *f = &w->f;
	uint16_t fl = f->aFlags[i];
	w->nCarEvents++;
	if (fl & VEH_F_BRICKED) return;
	uint64_t r = eng_rng_u64(&w->rTick);
	uint32_t lo = (uint32_t)r, hi = (uint32_t)(r >> 32);
	if (fl & VEH_F_OFFLINE) {
		if (lo >= x->thrOn) {
			if (f->aOta[i] == VEH_OTA_DOWNLOADING || f->aOta[i] == VEH_OTA_INSTALLING) f->aOtaT[i] += x->periodS;
			return;
		}
		fl &= (uint16_t)~VEH_F_OFFLINE;
		w->nOffline--;
	} else if (lo < x->thrOff) {
		/* going offline is a power cycle: a compromise without persistence is gone */
		if ((fl & VEH_F_COMP) && !(fl & VEH_F_PERSIST)) {
			veh__comp_clear(w, i);
			fl = f->aFlags[i];
		}
		f->aFlags[i] = fl | VEH_F_OFFLINE;
		w->nOffline++;
		return;
	}
	f->aFlags[i] = fl;
	int bAlert = 0, iCamp = -1;
	if ((fl & VEH_F_COMP) && veh__camp_active(w, f->aCamp[i] - 1)) {
		iCamp = f->aCamp[i] - 1;
		w->nRecords += w->aCamp[iCamp].recordsPerBeacon;   /* C2 beacon (direct, not through the backend) */
		bAlert = eng_rng_u64(&w->rTick) >> 32 < x->thrDetect;
	}
	uint64_t r2 = x->bReach && !(fl & VEH_F_REVOKED) ? eng_rng_u64(&w->rTick) : 0;
	if (!x->bReach || (fl & VEH_F_REVOKED) || (x->bDegraded && (uint32_t)r2 < x->thrLoss)) {
		if (f->aOta[i] == VEH_OTA_DOWNLOADING) f->aOtaT[i] += x->periodS;  /* the download stalls */
		return;
	}
	f->aLast[i] = tS + (uint32_t)(((uint64_t)hi * (uint64_t)(w->p.jitter / ENG_US_PER_S)) >> 32) + 1;
	w->nCheckins++;
	if (bAlert && veh__svc_usable(w, VEH_SVC_VSOC) && w->aSvc[VEH_SVC_VSOC].health != VEH_H_COMPROMISED &&
	    !(f->aFlags[i] & VEH_F_FLAGGED)) {
		f->aFlags[i] |= VEH_F_FLAGGED;  /* the owner now knows this car is compromised */
		w->nFlagged++;
	}
	if (bAlert) {
		w->aCamp[iCamp].nQueued++;
		w->nRecvTrue++;
	} else if (!(fl & VEH_F_COMP) && (uint32_t)(r2 >> 32) < x->thrFp) {
		w->nFalseQueued++;
		w->nRecvFalse++;
	}
	veh__ota_step(w, x, i, tS, now);
}

static void on_tick(eng_sim *sim, void *ctx, const eng_event *ev) {
	veh_world *w = ctx;
	(void)ev;
	w->tTick = -1;
	eng_time_t now = eng_sim_now(sim);
	double periodS = (double)(w->p.checkinPeriod / ENG_US_PER_S);
	double qOn = periodS / (double)(w->p.offlineMean / ENG_US_PER_S);
	if (qOn > 1) qOn = 1;
	double qOff = w->p.offlineFrac < 1 ? qOn * w->p.offlineFrac / (1 - w->p.offlineFrac) : 1;
	veh__tick_ctx x = { thr32(qOff), thr32(qOn), thr32(w->p.idsFp), thr32(w->p.idsDetect), thr32(w->p.degradedLoss),
		           veh__svc_usable(w, VEH_SVC_TELEMATICS), w->aSvc[VEH_SVC_TELEMATICS].health == VEH_H_DEGRADED, 0,
		           (uint32_t)periodS };
	x.bOta = x.bReach && veh__svc_usable(w, VEH_SVC_OTA);
	uint32_t s = (uint32_t)(w->iSlotNext % w->nSlot);
	uint32_t tS = (uint32_t)((now - w->tStart) / ENG_US_PER_S);
	veh__comp_account(w);
	for (uint32_t k = w->aSlotStart[s]; k < w->aSlotStart[s + 1]; k++) car_tick(w, &x, w->aSlotCar[k], tS, now);
	w->iSlotNext = next_busy_slot(w, w->iSlotNext + 1);
	if (w->iSlotNext != UINT64_MAX) veh__sched_tick(w, slot_time(w, w->iSlotNext));
}

/* ---- VSOC, PKI, app API (every vsoc.interval) ---------------------------------------------------------- */

static void vsoc_process(veh_world *w) {
	double cap = w->p.vsocPerHour * (double)w->p.vsocInterval / (3600.0 * ENG_US_PER_S);
	int h = w->aSvc[VEH_SVC_VSOC].health;
	if (!veh__svc_usable(w, VEH_SVC_VSOC)) cap = 0;
	if (h == VEH_H_DEGRADED) cap /= 2;
	int64_t nTrue = 0, nCap = (int64_t)cap;
	for (int c = 0; c < w->nCamp; c++) nTrue += w->aCamp[c].nQueued;
	if (h == VEH_H_COMPROMISED) {  /* the attacker suppresses true alerts */
		for (int c = 0; c < w->nCamp; c++) w->aCamp[c].nQueued = 0;
		nTrue = 0;
	}
	int64_t nAll = nTrue + w->nFalseQueued;
	if (w->nRecvTrue + w->nRecvFalse > 0)
		veh__fact(w, "alert", "vsoc", json_pack("{sIsIsIsI}", "received", (json_int_t)(w->nRecvTrue + w->nRecvFalse),
		                                        "true_positive", (json_int_t)w->nRecvTrue, "false_positive",
		                                        (json_int_t)w->nRecvFalse, "queued", (json_int_t)nAll));
	w->nAlerts += w->nRecvTrue + w->nRecvFalse;
	w->nRecvTrue = w->nRecvFalse = 0;
	if (nAll == 0 || nCap == 0) return;
	double share = nAll <= nCap ? 1.0 : (double)nCap / (double)nAll;
	int64_t nDone = 0;
	for (int c = 0; c < w->nCamp; c++) {
		veh_campaign *k = &w->aCamp[c];
		int64_t n = (int64_t)ceil((double)k->nQueued * share);
		if (n > nCap - nDone) n = nCap - nDone;
		if (n <= 0) continue;
		k->nQueued -= n;
		nDone += n;
		if (!k->bIncident) {
			k->bIncident = 1;
			w->nIncidents++;
			veh__fact(w, "vsoc.incident", k->azInd[0],
			          json_pack("{sssssIsI}", "indicator", k->azInd[0], "technique", k->zTechnique, "alerts",
			                    (json_int_t)n, "cars_compromised", (json_int_t)k->nComp));
		}
	}
	int64_t nF = nCap - nDone < w->nFalseQueued ? nCap - nDone : w->nFalseQueued;
	if (nF > 0) w->nFalseQueued -= nF;
}

static void pki_reprovision(veh_world *w) {
	if (w->nRevokedWaiting <= 0 || !veh__svc_usable(w, VEH_SVC_PKI) || w->aSvc[VEH_SVC_PKI].health == VEH_H_COMPROMISED) return;
	w->pkiFrac += w->p.pkiPerHour * (double)w->p.vsocInterval / (3600.0 * ENG_US_PER_S);
	int64_t budget = (int64_t)w->pkiFrac, n = 0;
	w->pkiFrac -= (double)budget;
	veh_fleet *f = &w->f;
	for (uint32_t i = 0; i < f->n && n < budget; i++) {
		uint16_t fl = f->aFlags[i];
		if ((fl & VEH_F_REVOKED) && !(fl & (VEH_F_COMP | VEH_F_BRICKED))) {
			f->aFlags[i] = fl & (uint16_t)~VEH_F_REVOKED;
			n++;
		}
	}
	w->nRevokedWaiting -= n;
	w->nRevoked -= n;
	if (n > 0) veh__fact(w, "pki.reprovision", "pki", json_pack("{sIsI}", "cars", (json_int_t)n, "still_revoked", (json_int_t)w->nRevokedWaiting));
	if (n < budget) w->nRevokedWaiting = 0;  /* the rest are compromised or bricked: they wait for a workshop */
}

static void app_commands(veh_world *w) {
	int64_t nReach = (int64_t)w->f.n - w->nOffline - w->nBricked;
	w->cmdFrac += (double)nReach * w->p.appCmdPerDay * (double)w->p.vsocInterval / (86400.0 * ENG_US_PER_S);
	int64_t n = (int64_t)w->cmdFrac;
	w->cmdFrac -= (double)n;
	int64_t nFail = 0;
	if (!veh__svc_usable(w, VEH_SVC_APP_API) || !veh__svc_usable(w, VEH_SVC_TELEMATICS))
		nFail = n;
	else if (w->aSvc[VEH_SVC_APP_API].health == VEH_H_DEGRADED)
		nFail = n / 2;
	w->nCmd += n - nFail;
	w->nCmdFailed += nFail;
}

static void on_vsoc(eng_sim *sim, void *ctx, const eng_event *ev) {
	veh_world *w = ctx;
	(void)ev;
	w->tVsoc = -1;
	veh__comp_account(w);
	vsoc_process(w);
	pki_reprovision(w);
	app_commands(w);
	veh__ota_progress_facts(w);
	veh__sched_vsoc(w, eng_sim_now(sim) + w->p.vsocInterval);
}

static void on_block(eng_sim *sim, void *ctx, const eng_event *ev) {
	veh_world *w = ctx;
	(void)sim;
	if ((int)ev->a >= w->nCamp) return;
	veh_campaign *c = &w->aCamp[ev->a];
	c->tBlockAt = -1;
	if (c->bBlocked) return;
	veh__comp_account(w);
	c->bBlocked = 1;
	veh__fact(w, "c2.blocked", c->azInd[0], json_pack("{sssI}", "indicator", c->azInd[0], "cars_cut", (json_int_t)c->nComp));
}

/* ---- queries ------------------------------------------------------------------------------------------- */

void veh_world_metrics(const veh_world *w, veh_metrics *m) {
	const veh_fleet *f = &w->f;
	eng_time_t now = eng_sim_now(w->sim);
	memset(m, 0, sizeof *m);
	m->total = f->n;
	m->patched = w->nPatched;
	m->revoked = w->nRevoked;
	m->ota_offered = w->aOtaN[VEH_OTA_OFFERED];
	m->ota_downloading = w->aOtaN[VEH_OTA_DOWNLOADING];
	m->ota_installing = w->aOtaN[VEH_OTA_INSTALLING];
	m->ota_done = w->aOtaN[VEH_OTA_DONE];
	m->ota_failed = w->aOtaN[VEH_OTA_FAILED];
	m->compromised = w->nComp;
	m->bricked = w->nBricked;
	m->offline = w->nOffline;
	m->clean = m->total - m->compromised - m->bricked;
	m->records_exfiltrated = w->nRecords;
	m->unsafe_events = w->nUnsafe;
	m->customers_affected = w->nCustomers;
	double us = w->compCarUs + (now > w->tCompLast ? (double)w->nComp * (double)(now - w->tCompLast) : 0);
	m->compromised_car_hours = us / (3600.0 * ENG_US_PER_S);
	eng_time_t down = 0;
	for (int s = 0; s < VEH_SVC_N; s++)
		down += w->aSvc[s].downUs + (w->aSvc[s].tDownSince >= 0 ? now - w->aSvc[s].tDownSince : 0);
	m->service_downtime_s = (double)down / ENG_US_PER_S;
	m->alerts = w->nAlerts + w->nRecvTrue + w->nRecvFalse;
	m->alerts_queued = w->nFalseQueued;
	for (int c = 0; c < w->nCamp; c++) m->alerts_queued += w->aCamp[c].nQueued;
	m->incidents = w->nIncidents;
	m->checkins = w->nCheckins;
	m->remote_commands = w->nCmd;
	m->remote_commands_failed = w->nCmdFailed;
}

/* The OTA server's campaigns as its console lists them (bTruth: and which are malicious). */
static json_t *ota_list(const veh_world *w, int bTruth) {
	json_t *a = json_array();
	char z[32];
	for (int o = 0; a && o < w->nOta; o++) {
		const veh_ota_camp *c = &w->aOta[o];
		json_t *e = json_pack("{sisssssIsIsIsIsb}", "campaign", o + 1, "ecu", veh_ecu_name(c->iEcu), "version",
		                      veh_version_format(c->ver, z, sizeof z), "targeted", (json_int_t)c->nTarget, "offered",
		                      (json_int_t)c->nOffered, "done", (json_int_t)c->nDone, "failed", (json_int_t)c->nFailed,
		                      "paused", c->bPaused);
		if (e && bTruth) json_object_set_new(e, "malicious", json_boolean(c->iAttack >= 0));
		json_array_append_new(a, e);
	}
	return a;
}

json_t *veh_world_metrics_json(const veh_world *w) {
	veh_metrics m;
	veh_world_metrics(w, &m);
	json_t *o = json_object(), *svc = json_object();
#define MI(name) json_object_set_new(o, #name, json_integer(m.name))
	MI(total); MI(clean); MI(compromised); MI(patched); MI(offline); MI(bricked); MI(revoked);
	MI(records_exfiltrated); MI(unsafe_events); MI(customers_affected);
	MI(alerts); MI(alerts_queued); MI(incidents); MI(checkins); MI(remote_commands); MI(remote_commands_failed);
	MI(ota_offered); MI(ota_downloading); MI(ota_installing); MI(ota_done); MI(ota_failed);
#undef MI
	json_object_set_new(o, "compromised_car_hours", json_real(m.compromised_car_hours));
	json_object_set_new(o, "service_downtime_s", json_real(m.service_downtime_s));
	for (int s = 0; s < VEH_SVC_N; s++)
		json_object_set_new(svc, veh__svc_name(s), json_string(w->aSvc[s].bIsolated ? "down" : veh__health_name(w->aSvc[s].health)));
	json_object_set_new(o, "services", svc);
	json_object_set_new(o, "observed_compromised", json_integer(w->nFlagged));
	json_object_set_new(o, "ota_campaigns", ota_list(w, 1));
	return o;
}

/* A compromised service is seen as such once the VSOC has opened an incident for an attack that entered through it;
 * until then its monitoring shows it up (or degraded/down when it is). */
static const char *observed_health(const veh_world *w, int s) {
	if (w->aSvc[s].bIsolated) return "down";
	if (w->aSvc[s].health != VEH_H_COMPROMISED) return veh__health_name(w->aSvc[s].health);
	for (int c = 0; c < w->nCamp; c++)
		if (w->aCamp[c].entry == VEH_ENTRY_SVC + s && w->aCamp[c].bIncident) return "compromised";
	return "up";
}

json_t *veh_world_observed_json(const veh_world *w) {
	veh_metrics m;
	veh_world_metrics(w, &m);
	json_t *o = json_object(), *svc = json_object();
#define MI(name) json_object_set_new(o, #name, json_integer(m.name))
	MI(total); MI(patched); MI(offline); MI(bricked); MI(revoked); MI(customers_affected);
	MI(alerts); MI(alerts_queued); MI(incidents); MI(checkins); MI(remote_commands); MI(remote_commands_failed);
	MI(ota_offered); MI(ota_downloading); MI(ota_installing); MI(ota_done); MI(ota_failed);
#undef MI
	assert(w->nFlagged >= 0 && w->nFlagged <= m.compromised);
	json_object_set_new(o, "compromised", json_integer(w->nFlagged));
	json_object_set_new(o, "clean", json_integer(m.total - w->nFlagged - m.bricked));
	json_object_set_new(o, "service_downtime_s", json_real(m.service_downtime_s));
	for (int s = 0; s < VEH_SVC_N; s++) json_object_set_new(svc, veh__svc_name(s), json_string(observed_health(w, s)));
	json_object_set_new(o, "services", svc);
	json_object_set_new(o, "ota_campaigns", ota_list(w, 0));
	json_object_set_new(o, "observed", json_true());
	return o;
}

json_t *veh_world_catalog_json(const veh_world *w) {
	const veh_fleet *f = &w->f;
	json_t *o = json_object(), *a;
	a = json_array();
	for (int i = 0; i < f->nModel; i++) json_array_append_new(a, json_string(f->azModel[i]));
	json_object_set_new(o, "models", a);
	a = json_array();
	for (int i = 0; i < f->nRegion; i++) json_array_append_new(a, json_string(f->azRegion[i]));
	json_object_set_new(o, "regions", a);
	a = json_array();
	for (int i = 0; i < VEH_ECU_N; i++) json_array_append_new(a, json_string(veh_ecu_name(i)));
	json_object_set_new(o, "ecus", a);
	a = json_array();
	for (int i = 0; i < VEH_FEAT_N; i++) json_array_append_new(a, json_string(veh_feature_name(i)));
	json_object_set_new(o, "features", a);
	a = json_array();
	for (int i = 0; i < VEH_SVC_N; i++) json_array_append_new(a, json_string(veh__svc_name(i)));
	json_object_set_new(o, "services", a);
	a = json_array();
	for (int i = 0; i < VEH_H_N; i++) json_array_append_new(a, json_string(veh__health_name(i)));
	json_object_set_new(o, "health", a);
	a = json_array();
	for (int i = 0; i < VEH_ST_N; i++) json_array_append_new(a, json_string(veh_state_name(i)));
	json_object_set_new(o, "states", a);
	a = json_array();
	for (int c = 0; c < f->nCoh; c++) {
		json_t *e = json_object(), *v = json_object();
		char z[32];
		json_object_set_new(e, "model", json_string(f->azModel[f->aCoh[c].iModel]));
		json_object_set_new(e, "region", json_string(f->azRegion[f->aCoh[c].iRegion]));
		json_object_set_new(e, "count", json_integer(f->aCoh[c].nCount));
		for (int k = 0; k < VEH_ECU_N; k++)
			if (f->aCoh[c].aVer[k] != VEH_VER_NONE)
				json_object_set_new(v, veh_ecu_name(k), json_string(veh_version_format(f->aCoh[c].aVer[k], z, sizeof z)));
		json_object_set_new(e, "ecus", v);
		json_array_append_new(a, e);
	}
	json_object_set_new(o, "cohorts", a);
	/* at most VEH_CATALOG_COMPONENTS suggestions (a 16 MiB SBOM lists tens of thousands); the total beside them */
	json_object_set_new(o, "components", veh_sbom_components_json(w->pSb, VEH_CATALOG_COMPONENTS));
	if (veh_sbom_component_count(w->pSb) > VEH_CATALOG_COMPONENTS)
		json_object_set_new(o, "components_total", json_integer(veh_sbom_component_count(w->pSb)));
	a = json_object();
	for (size_t k = 0; k < sizeof aParam / sizeof aParam[0]; k++) {
		const param_def *d = &aParam[k];
		const char *q = (const char *)&w->p + d->off;
		double x = d->bTime ? (double)*(const eng_time_t *)q / ENG_US_PER_S
		                    : d->bInt ? (double)*(const int64_t *)q : *(const double *)q;
		json_object_set_new(a, d->zName, json_real(x));  /* times in seconds */
	}
	json_object_set_new(o, "params", a);
	json_object_set_new(o, "verbs", json_pack("[ssssssssssssss]", "fleet.count", "fleet.select", "attack.compromise",
	                                          "attack.spread", "attack.stop", "attack.exfiltrate", "attack.abuse_feature",
	                                          "attack.malicious_ota", "service.degrade", "service.status", "alert",
	                                          "sbom.affected", "world.metrics", "ota.status"));
	return o;
}

int veh_world_call(veh_world *w, const char *verb, json_t *args, json_t **result, ky_err *err) {
	*result = NULL;
	if (!verb) return ky_err_set(err, KY_EINVAL, "world: missing verb");
	if (args && !json_is_object(args)) return ky_err_set(err, KY_EINVAL, "%s: expected a table of arguments", verb);
	json_t *empty = NULL;
	if (!args) args = empty = json_object();
	int rc = veh__call(w, verb, args, result, err);
	json_decref(empty);
	return rc;
}

int veh_world_action(veh_world *w, const char *team, const char *kind, json_t *args, json_t **result, ky_err *err) {
	*result = NULL;
	if (!kind) return ky_err_set(err, KY_EINVAL, "action: missing kind");
	if (args && !json_is_object(args)) return ky_err_set(err, KY_EINVAL, "%s: args: expected an object", kind);
	json_t *empty = NULL;
	if (!args) args = empty = json_object();
	int rc = veh__action(w, team, kind, args, result, err);
	json_decref(empty);
	return rc;
}

uint64_t veh_world_car_events(const veh_world *w) { return w->nCarEvents; }

size_t veh_world_bytes(const veh_world *w) {
	return veh_fleet_bytes_per_car(&w->f) * w->f.n + (size_t)w->f.n * sizeof(uint32_t) + ((size_t)w->nSlot + 1) * 4;
}
