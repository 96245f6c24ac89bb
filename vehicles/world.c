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
	if (w->bStarted) veh__tap_input(w, VEH_INPUT_PARAMS, "params", NULL, params);
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
	if (!w->bStarted) veh__config_note(w, "params", params);
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
	veh__harm_defaults(w);
	if (veh__org_implicit(w, err)) {
		free(w);
		return NULL;
	}
	w->tTick = w->tVsoc = -1;
	w->jConfig = json_array();
	if (!w->jConfig || eng_sim_register(sim, "veh.tick", on_tick, w, &w->kTick) || eng_sim_register(sim, "veh.vsoc", on_vsoc, w, &w->kVsoc) ||
	    eng_sim_register(sim, "veh.block", on_block, w, &w->kBlock)) {
		ky_err_set(err, KY_ELIMIT, "world: the simulator has no room for the world's event kinds");
		free(w->aOrg);
		json_decref(w->jConfig);
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
	veh__harm_free(w);
	veh__recall_free(w);
	veh__svcx_free(w);
	free(w->aOrg);
	free(w->aCohOrg);
	free(w->aSlotStart);
	free(w->aRun);
	veh_fleet_clear(&w->f);
	veh_sbom_free(w->pSb);
	json_decref(w->jConfig);
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
	int iOrg = 0;
	if ((v = json_object_get(cohort, "org")) || w->bOrgs) {
		if (!v) return ky_err_set(err, KY_EINVAL, "fleet: %s: org: required (the organisation that owns these cars)", zModel);
		if (veh__arg_org(w, cohort, "fleet", &iOrg, err)) return ky_err_prefix(err, "%s", zModel);
		if (!veh__org_has_fleet(w, iOrg))
			return ky_err_set(err, KY_EINVAL, "fleet: %s: org: '%s' is a %s, only an oem owns cars", zModel,
			                  w->aOrg[iOrg].zId, veh__org_kind_name(w->aOrg[iOrg].kind));
	}
	int rc = veh_fleet_add(&w->f, zModel, zRegion, aVer, feats, online, (uint32_t)nCount, iOrg, err);
	if (!rc) w->aOrg[iOrg].nCars += nCount;
	if (rc == 0) veh__config_note(w, "cohort", cohort);
	return rc;
}

int veh_world_add_sbom(veh_world *w, json_t *sbom, ky_err *err) {
	int rc = veh_sbom_add_json(w->pSb, sbom, err);
	if (rc == 0) veh__config_note(w, "sbom", sbom);
	return rc;
}

int veh_world_add_sbom_cyclonedx(veh_world *w, const char *ecu, const char *version, json_t *bom, ky_err *err) {
	char *z = json_is_object(bom) ? json_dumps(bom, JSON_COMPACT) : NULL;
	veh_sbom_load opt = { .zEcu = ecu ? ecu : "", .zVersion = version ? version : "" };
	if (!json_is_object(bom)) return ky_err_set(err, KY_EINVAL, "sbom (CycloneDX): not a CycloneDX document (bomFormat must be \"CycloneDX\")");
	if (!z) return ky_err_set(err, KY_ENOMEM, "sbom: out of memory");
	int rc = veh_sbom_add_cyclonedx(w->pSb, z, strlen(z), "(CycloneDX)", &opt, err);
	free(z);
	if (rc == 0) {
		json_t *a = json_pack("{s:s,s:s,s:O}", "ecu", ecu ? ecu : "", "version", version ? version : "", "bom", bom);
		veh__config_note(w, "sbom_cdx", a);
		json_decref(a);
	}
	return rc;
}

int veh_world_load_cyclonedx(veh_world *w, const char *zText, size_t nText, const char *zFile, veh_sbom_load *opt, ky_err *err) {
	int rc = veh_sbom_add_cyclonedx(w->pSb, zText, nText, zFile, opt, err);
	if (rc == 0) {
		json_t *a = json_pack("{s:s%,s:s,s:s?,s:s?,s:b}", "text", zText, nText, "file", zFile ? zFile : "", "ecu", opt ? opt->zEcu : NULL,
		                      "version", opt ? opt->zVersion : NULL, "part", opt && opt->bPart);
		veh__config_note(w, "sbom_load", a); /* a text that is not UTF-8 leaves the configuration incomplete */
		json_decref(a);
	}
	return rc;
}

json_t *veh_world_sbom_json(const veh_world *w) { return veh_sbom_json(w->pSb); }

/* The wheel's runs: within a cohort phases ascend with the car id, so the cars of one (slot, cohort) are one run
 * [iFirst, iFirst + nCount). Slot s holds runs aSlotStart[s] .. aSlotStart[s + 1] - 1, in cohort (so car id) order. */
static int wheel_runs(veh_world *w, uint32_t slotS, ky_err *err) {
	veh_fleet *f = &w->f;
	uint32_t nRun = 0;
	for (int pass = 0; pass < 2; pass++) {  /* count the runs of each slot, then fill them in */
		uint32_t *aFill = NULL;
		if (pass == 1) {
			for (uint32_t s = 0; s < w->nSlot; s++) w->aSlotStart[s + 1] += w->aSlotStart[s];
			nRun = w->aSlotStart[w->nSlot];
			w->aRun = malloc(((size_t)nRun + 1) * sizeof *w->aRun);
			aFill = malloc(((size_t)w->nSlot + 1) * sizeof *aFill);
			if (!w->aRun || !aFill) {
				free(aFill);
				return ky_err_set(err, KY_ENOMEM, "world: out of memory for the check-in wheel");
			}
			memcpy(aFill, w->aSlotStart, (size_t)w->nSlot * sizeof *aFill);
		}
		for (int c = 0; c < f->nCoh; c++) {
			const veh_cohort *k = &f->aCoh[c];
			for (uint32_t i = k->iFirst, iEnd = k->iFirst + k->nCount; i < iEnd;) {
				uint32_t s = f->aPhase[i] / slotS, j = i + 1;
				while (j < iEnd && f->aPhase[j] / slotS == s) j++;
				assert(j == iEnd || f->aPhase[j] / slotS > s);  /* ascending phases: one run per (slot, cohort) */
				if (pass == 0) w->aSlotStart[s + 1]++;
				else w->aRun[aFill[s]++] = (veh__run){ i, j - i, (uint16_t)c };
				i = j;
			}
		}
		free(aFill);
	}
	w->nRun = nRun;
	return 0;
}

/* Builds the timing wheel: phases from "veh.phase", cars bucketed by slot in runs (wheel_runs). */
static int wheel_build(veh_world *w, ky_err *err) {
	veh_fleet *f = &w->f;
	uint32_t periodS = (uint32_t)(w->p.checkinPeriod / ENG_US_PER_S);
	uint32_t slotS = (uint32_t)(w->p.slotWidth / ENG_US_PER_S);
	eng_rng r;
	w->p.checkinPeriod = ENG_S(periodS);
	w->p.slotWidth = ENG_S(slotS);
	w->nSlot = (periodS + slotS - 1) / slotS;
	w->aSlotStart = calloc((size_t)w->nSlot + 1, sizeof(uint32_t));
	if (!w->aSlotStart) return ky_err_set(err, KY_ENOMEM, "world: out of memory for the check-in wheel");
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
	return wheel_runs(w, slotS, err);
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

int veh__sched_block(veh_world *w, int iOrg, int iCamp, eng_time_t t) {
	veh_org *o = &w->aOrg[iOrg];
	if (o->aBlockAt[iCamp] >= 0) eng_sim_cancel(w->sim, o->aBlockId[iCamp]);
	o->aBlockAt[iCamp] = -1;
	if (t < 0) return 0;
	if (t < eng_sim_now(w->sim)) t = eng_sim_now(w->sim);
	int rc = eng_sim_schedule(w->sim, t, w->kBlock, (uint32_t)iCamp, (uint64_t)iOrg, &o->aBlockId[iCamp]);
	if (!rc) o->aBlockAt[iCamp] = t;
	return rc;
}

static eng_time_t slot_time(const veh_world *w, uint64_t i) { return w->tStart + (eng_time_t)i * w->p.slotWidth; }

int veh_world_start(veh_world *w, ky_err *err) {
	veh_fleet *f = &w->f;
	if (w->bStarted) return ky_err_set(err, KY_ESTATE, "world: already started");
	int rc;
	if (!(w->aCohOrg = malloc((size_t)f->nCoh + 1))) return ky_err_set(err, KY_ENOMEM, "world: out of memory");
	for (int c = 0; c < f->nCoh; c++) w->aCohOrg[c] = f->aCoh[c].iOrg;
	rc = wheel_build(w, err);
	if (rc) return rc;
	/* initial connectivity: cohort's online fraction, from "veh.online" */
	eng_rng r;
	eng_sim_stream(w->sim, "veh.online", &r);
	for (int c = 0; c < f->nCoh; c++) {
		const veh_cohort *k = &f->aCoh[c];
		for (uint32_t i = k->iFirst; i < k->iFirst + k->nCount; i++)
			if (!eng_rng_chance(&r, k->online)) {
				f->aFlags[i] |= VEH_F_OFFLINE;
				w->aOrg[k->iOrg].c.nOffline++;
			}
	}
	for (int o = 0; o < w->nOrg; o++) w->aOrg[o].c.aOtaN[VEH_OTA_NONE] = w->aOrg[o].nCars;  /* none has an OTA state yet */
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



/* Does car i, with an update of campaign iCamp1 (index + 1) downloading or installing, have nothing to do at this
 * check-in? The same outcome as veh__ota_step doing nothing, tested inline: the step is not due yet, the package is
 * genuine (accepted whatever happens) and, for a download, the OTA server is usable and the campaign not paused. */
static inline int ota_waiting(const veh_world *w, const veh__tick_ctx *x, uint8_t st, uint8_t iCamp1, uint32_t tEnd,
                              uint32_t tS) {
	if (tS >= tEnd || st < VEH_OTA_DOWNLOADING || st > VEH_OTA_INSTALLING) return 0;
	const veh_ota_camp *c = &w->aOta[iCamp1 - 1];
	return c->iAttack < 0 && (st == VEH_OTA_INSTALLING || (x->bOta && !c->bPaused));
}

/* The check-in slot of cars [iFirst, iEnd) of one cohort (x: its org's context): for each car connectivity churn,
 * C2 beacon and exfiltration, IDS, upload, OTA step; r is the "veh.tick" stream, held in a local copy for the slot.
 * The columns are held in locals for the run (a 10M-car fleet runs this 480M times in 4 simulated hours). */
static void tick_run(veh_world *w, veh__tick_ctx *x, eng_rng *r, uint32_t iFirst, uint32_t iEnd, uint32_t tS,
                     eng_time_t now) {
	veh_fleet *f = &w->f;
	uint16_t *aFlags = f->aFlags;
	uint8_t *aOta = f->aOta, *aOtaCamp = f->aOtaCamp;
	uint32_t *aOtaT = f->aOtaT, *aLast = f->aLast;
	veh_org *o = &w->aOrg[x->iOrg];
	/* the slot's thresholds in locals too: the stores to the columns could alias them for the compiler */
	const uint32_t thrOn = x->thrOn, thrOff = x->thrOff, thrFp = x->thrFp, thrDetect = x->thrDetect,
	               thrLoss = x->bDegraded ? x->thrLoss : 0, periodS = x->periodS;
	const uint64_t jitterS = x->jitterS;
	const int bReach = x->bReach, bVsocSees = x->bVsocSees, bNoneCan = x->bNoneCan, nDoneOpen = x->nDoneOpen;
	const uint8_t iDone1 = (uint8_t)(x->iDoneOpen + 1);
	int bOffers = w->bOtaOffers;  /* only an OTA step changes it */
	int64_t nIn = 0;
	for (uint32_t i = iFirst; i < iEnd; i++) {
		uint16_t fl = aFlags[i];
		if (__builtin_expect(fl & VEH_F_BRICKED, 0)) continue;
		uint64_t u = eng_rng_next(r);
		uint32_t lo = (uint32_t)u, hi = (uint32_t)(u >> 32);
		if (fl & VEH_F_OFFLINE) {
			if (lo >= thrOn) {
				if (aOta[i] == VEH_OTA_DOWNLOADING || aOta[i] == VEH_OTA_INSTALLING) aOtaT[i] += periodS;
				continue;
			}
			fl &= (uint16_t)~VEH_F_OFFLINE;
			aFlags[i] = fl;
			o->c.nOffline--;
		} else if (__builtin_expect(lo < thrOff, 0)) {
			/* going offline is a power cycle: a compromise without persistence is gone */
			if ((fl & VEH_F_COMP) && !(fl & VEH_F_PERSIST)) {
				veh__comp_clear(w, i);
				fl = aFlags[i];
			}
			aFlags[i] = fl | VEH_F_OFFLINE;
			o->c.nOffline++;
			continue;
		}
		int bAlert = 0, iCamp = -1;
		if (__builtin_expect(fl & VEH_F_COMP, 0) && veh__camp_active(w, x->iOrg, f->aCamp[i] - 1)) {
			iCamp = f->aCamp[i] - 1;
			o->c.nRecords += w->aCamp[iCamp].recordsPerBeacon;  /* C2 beacon (direct, not through the backend) */
			bAlert = eng_rng_next(r) >> 32 < thrDetect;
		}
		if (__builtin_expect(!bReach || (fl & VEH_F_REVOKED), 0)) {  /* telematics refuses it: no draw */
			if (aOta[i] == VEH_OTA_DOWNLOADING) aOtaT[i] += periodS;  /* the download stalls */
			continue;
		}
		uint64_t r2 = eng_rng_next(r);
		if (__builtin_expect((uint32_t)r2 < thrLoss, 0)) {  /* lost by a degraded telematics server (thrLoss is 0 otherwise) */
			if (aOta[i] == VEH_OTA_DOWNLOADING) aOtaT[i] += periodS;
			continue;
		}
		aLast[i] = tS + (uint32_t)(((uint64_t)hi * jitterS) >> 32) + 1;
		nIn++;
		if (__builtin_expect(bAlert, 0)) {
			if (bVsocSees && !(fl & VEH_F_FLAGGED)) {
				aFlags[i] = fl | VEH_F_FLAGGED;  /* the owner now knows this car is compromised */
				o->c.nFlagged++;
			}
			o->aQueued[iCamp]++;
			o->c.nRecvTrue++;
		} else if (__builtin_expect(!(fl & VEH_F_COMP) && (uint32_t)(r2 >> 32) < thrFp, 0)) {
			o->c.nFalseQueued++;
			o->c.nRecvFalse++;
		}
		/* the OTA step has nothing to do for a car with no update under way (none yet, or done) when no open campaign
		 * could offer it one (veh__ota_run_gate): its offer would find nothing, the same as not asking */
		uint8_t st = aOta[i];
		int bStep = st == VEH_OTA_NONE   ? bOffers && bNoneCan
		            : st == VEH_OTA_DONE ? bOffers && (nDoneOpen > 1 || (nDoneOpen == 1 && aOtaCamp[i] != iDone1))
		                                 : !ota_waiting(w, x, st, aOtaCamp[i], aOtaT[i], tS);
		if (bStep) {
			veh__ota_step(w, x, i, tS, now);
			bOffers = w->bOtaOffers;
		}
	}
	x->nCheckins += nIn;
}

/* The thresholds of this slot for org o's cars (its telematics and OTA server). */
static void tick_ctx_init(const veh_world *w, int o, veh__tick_ctx *x) {
	double periodS = (double)(w->p.checkinPeriod / ENG_US_PER_S);
	double qOn = periodS / (double)(w->p.offlineMean / ENG_US_PER_S);
	if (qOn > 1) qOn = 1;
	double qOff = w->p.offlineFrac < 1 ? qOn * w->p.offlineFrac / (1 - w->p.offlineFrac) : 1;
	*x = (veh__tick_ctx){ .thrOff = thr32(qOff), .thrOn = thr32(qOn), .thrFp = thr32(w->p.idsFp),
		                  .thrDetect = thr32(w->p.idsDetect), .thrLoss = thr32(w->p.degradedLoss),
		                  .bReach = veh__svc_usable(w, o, VEH_SVC_TELEMATICS),
		                  .bDegraded = w->aOrg[o].aSvc[VEH_SVC_TELEMATICS].health == VEH_H_DEGRADED,
		                  .periodS = (uint32_t)periodS, .iOrg = o };
	x->bOta = x->bReach && veh__svc_usable(w, o, VEH_SVC_OTA);
	x->bVsocSees = veh__svc_usable(w, o, VEH_SVC_VSOC) && w->aOrg[o].aSvc[VEH_SVC_VSOC].health != VEH_H_COMPROMISED;
	x->jitterS = (uint64_t)(w->p.jitter / ENG_US_PER_S);
}

static void on_tick(eng_sim *sim, void *ctx, const eng_event *ev) {
	veh_world *w = ctx;
	(void)ev;
	veh__step(w);
	w->tTick = -1;
	eng_time_t now = eng_sim_now(sim);
	veh__tick_ctx ax[VEH_ORG_MAX];
	for (int o = 0; o < w->nOrg; o++) tick_ctx_init(w, o, &ax[o]);
	w->bOtaOffers = veh__ota_offers_open(w, now);
	uint32_t s = (uint32_t)(w->iSlotNext % w->nSlot);
	uint32_t tS = (uint32_t)((now - w->tStart) / ENG_US_PER_S);
	veh__comp_account(w);
	eng_rng r = w->rTick;  /* only the check-ins draw from it: a local copy for the slot, written back after */
	for (uint32_t k = w->aSlotStart[s]; k < w->aSlotStart[s + 1]; k++) {
		const veh__run *u = &w->aRun[k];  /* one cohort's cars: one org, ids ascending */
		veh__tick_ctx *x = &ax[w->aCohOrg[u->iCoh]];
		x->iCoh = u->iCoh;
		veh__ota_run_gate(w, x, now);
		w->nCarEvents += u->nCount;
		tick_run(w, x, &r, u->iFirst, u->iFirst + u->nCount, tS, now);
	}
	w->rTick = r;
	for (int o = 0; o < w->nOrg; o++) w->aOrg[o].c.nCheckins += ax[o].nCheckins;
	w->iSlotNext = next_busy_slot(w, w->iSlotNext + 1);
	if (w->iSlotNext != UINT64_MAX) veh__sched_tick(w, slot_time(w, w->iSlotNext));
}

/* ---- VSOC, PKI, app API of each organisation (every vsoc.interval) -------------------------------------- */

/* Org o's VSOC triages what its cars raised: the first true alert it triages of a campaign opens its incident. */
static void vsoc_process(veh_world *w, int iOrg) {
	veh_org *o = &w->aOrg[iOrg];
	veh_counts *c = &o->c;
	double cap = w->p.vsocPerHour * (double)w->p.vsocInterval / (3600.0 * ENG_US_PER_S);
	int h = o->aSvc[VEH_SVC_VSOC].health;
	if (!veh__svc_usable(w, iOrg, VEH_SVC_VSOC)) cap = 0;
	if (h == VEH_H_DEGRADED) cap /= 2;
	int64_t nTrue = 0, nCap = (int64_t)cap;
	for (int k = 0; k < w->nCamp; k++) nTrue += o->aQueued[k];
	if (h == VEH_H_COMPROMISED) {  /* the attacker suppresses true alerts */
		for (int k = 0; k < w->nCamp; k++) o->aQueued[k] = 0;
		nTrue = 0;
	}
	int64_t nAll = nTrue + c->nFalseQueued;
	if (c->nRecvTrue + c->nRecvFalse > 0)
		veh__fact(w, "alert", "vsoc",
		          veh__org_tag(w, iOrg, json_pack("{sIsIsIsI}", "received", (json_int_t)(c->nRecvTrue + c->nRecvFalse),
		                                          "true_positive", (json_int_t)c->nRecvTrue, "false_positive",
		                                          (json_int_t)c->nRecvFalse, "queued", (json_int_t)nAll)));
	c->nAlerts += c->nRecvTrue + c->nRecvFalse;
	c->nRecvTrue = c->nRecvFalse = 0;
	if (nAll == 0 || nCap == 0) return;
	double share = nAll <= nCap ? 1.0 : (double)nCap / (double)nAll;
	int64_t nDone = 0;
	for (int k = 0; k < w->nCamp; k++) {
		int64_t n = (int64_t)ceil((double)o->aQueued[k] * share);
		if (n > nCap - nDone) n = nCap - nDone;
		if (n <= 0) continue;
		o->aQueued[k] -= n;
		nDone += n;
		if (!o->aIncident[k]) {
			veh_campaign *a = &w->aCamp[k];
			o->aIncident[k] = 1;
			c->nIncidents++;
			veh__fact(w, "vsoc.incident", a->azInd[0],
			          veh__org_tag(w, iOrg, json_pack("{sssssIsI}", "indicator", a->azInd[0], "technique", a->zTechnique,
			                                          "alerts", (json_int_t)n, "cars_compromised", (json_int_t)a->nComp)));
		}
	}
	int64_t nF = nCap - nDone < c->nFalseQueued ? nCap - nDone : c->nFalseQueued;
	if (nF > 0) c->nFalseQueued -= nF;
}

/* Org o's PKI re-provisions its revoked cars that are neither compromised nor bricked, in car-id order. */
static void pki_reprovision(veh_world *w, int iOrg) {
	veh_org *o = &w->aOrg[iOrg];
	veh_counts *c = &o->c;
	if (c->nRevokedWaiting <= 0 || !veh__svc_usable(w, iOrg, VEH_SVC_PKI) || o->aSvc[VEH_SVC_PKI].health == VEH_H_COMPROMISED)
		return;
	c->pkiFrac += w->p.pkiPerHour * (double)w->p.vsocInterval / (3600.0 * ENG_US_PER_S);
	int64_t budget = (int64_t)c->pkiFrac, n = 0;
	c->pkiFrac -= (double)budget;
	veh_fleet *f = &w->f;
	for (int k = 0; k < f->nCoh && n < budget; k++) {
		const veh_cohort *h = &f->aCoh[k];
		if (h->iOrg != iOrg) continue;
		for (uint32_t i = h->iFirst; i < h->iFirst + h->nCount && n < budget; i++) {
			uint16_t fl = f->aFlags[i];
			if ((fl & VEH_F_REVOKED) && !(fl & (VEH_F_COMP | VEH_F_BRICKED))) {
				int l0 = veh__loss_begin(w, i);
				f->aFlags[i] = fl & (uint16_t)~VEH_F_REVOKED;
				veh__loss_end(w, i, l0);
				n++;
			}
		}
	}
	c->nRevokedWaiting -= n;
	c->nRevoked -= n;
	if (n > 0)
		veh__fact(w, "pki.reprovision", "pki", veh__org_tag(w, iOrg, json_pack("{sIsI}", "cars", (json_int_t)n,
		                                                                       "still_revoked", (json_int_t)c->nRevokedWaiting)));
	if (n < budget) c->nRevokedWaiting = 0;  /* the rest are compromised or bricked: they wait for a workshop */
}

/* The customers of org o send remote commands through its app API and telematics. */
static void app_commands(veh_world *w, int iOrg) {
	veh_org *o = &w->aOrg[iOrg];
	veh_counts *c = &o->c;
	int64_t nReach = o->nCars - c->nOffline - c->nBricked;
	c->cmdFrac += (double)nReach * w->p.appCmdPerDay * (double)w->p.vsocInterval / (86400.0 * ENG_US_PER_S);
	int64_t n = (int64_t)c->cmdFrac;
	c->cmdFrac -= (double)n;
	int64_t nFail = 0;
	if (!veh__svc_usable(w, iOrg, VEH_SVC_APP_API) || !veh__svc_usable(w, iOrg, VEH_SVC_TELEMATICS))
		nFail = n;
	else if (o->aSvc[VEH_SVC_APP_API].health == VEH_H_DEGRADED)
		nFail = n / 2;
	c->nCmd += n - nFail;
	c->nCmdFailed += nFail;
}

static void on_vsoc(eng_sim *sim, void *ctx, const eng_event *ev) {
	veh_world *w = ctx;
	(void)ev;
	veh__step(w);
	w->tVsoc = -1;
	veh__comp_account(w);
	for (int o = 0; o < w->nOrg; o++) {
		if (!veh__org_has_fleet(w, o)) continue;
		vsoc_process(w, o);
		pki_reprovision(w, o);
		app_commands(w, o);
	}
	veh__ota_progress_facts(w);
	veh__recall_step(w);
	veh__sched_vsoc(w, eng_sim_now(sim) + w->p.vsocInterval);
}

/* Org ev->b's gateway starts blocking campaign ev->a's C2: its cars stop beaconing to it and cannot be reached. */
static void on_block(eng_sim *sim, void *ctx, const eng_event *ev) {
	veh_world *w = ctx;
	(void)sim;
	veh__step(w);
	if ((int)ev->a >= w->nCamp || ev->b >= (uint64_t)w->nOrg) return;
	int iOrg = (int)ev->b, iCamp = (int)ev->a;
	veh_org *o = &w->aOrg[iOrg];
	veh_campaign *c = &w->aCamp[iCamp];
	o->aBlockAt[iCamp] = -1;
	if (o->aBlocked[iCamp]) return;
	veh__comp_account(w);
	o->aBlocked[iCamp] = 1;
	int64_t nCut = veh__camp_cars_of(w, iCamp, iOrg);
	veh__fact(w, "c2.blocked", c->azInd[0],
	          veh__org_tag(w, iOrg, json_pack("{sssI}", "indicator", c->azInd[0], "cars_cut", (json_int_t)nCut)));
}

/* ---- queries ------------------------------------------------------------------------------------------- */

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
	for (int i = 0; i < veh__svc_count(w); i++) json_array_append_new(a, json_string(veh__svc_label(w, i)));
	json_object_set_new(o, "services", a);
	if (w->nSvcX) json_object_set_new(o, "declared_services", veh_world_services_json(w));
	if (w->nCred) json_object_set_new(o, "credentials", veh_world_credentials_json(w));
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
		if (w->bOrgs) json_object_set_new(e, "org", json_string(w->aOrg[f->aCoh[c].iOrg].zId));
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
	if (w->bOrgs) json_object_set_new(o, "orgs", veh_world_orgs_json(w));
	a = json_object();
	for (size_t k = 0; k < sizeof aParam / sizeof aParam[0]; k++) {
		const param_def *d = &aParam[k];
		const char *q = (const char *)&w->p + d->off;
		double x = d->bTime ? (double)*(const eng_time_t *)q / ENG_US_PER_S
		                    : d->bInt ? (double)*(const int64_t *)q : *(const double *)q;
		json_object_set_new(a, d->zName, json_real(x));  /* times in seconds */
	}
	json_object_set_new(o, "params", a);
	json_object_set_new(o, "verbs", json_pack("[ssssssssssssssss]", "fleet.count", "fleet.select", "attack.compromise",
	                                          "attack.spread", "attack.stop", "attack.exfiltrate", "attack.abuse_feature",
	                                          "attack.malicious_ota", "attack.steal_credential", "service.degrade",
	                                          "service.status", "credential.status", "alert", "sbom.affected",
	                                          "world.metrics", "ota.status"));
	return o;
}

int veh_world_call(veh_world *w, const char *verb, json_t *args, json_t **result, ky_err *err) {
	*result = NULL;
	if (!verb) return ky_err_set(err, KY_EINVAL, "world: missing verb");
	if (args && !json_is_object(args)) return ky_err_set(err, KY_EINVAL, "%s: expected a table of arguments", verb);
	json_t *empty = NULL;
	if (!args) args = empty = json_object();
	veh__tap_input(w, VEH_INPUT_CALL, verb, NULL, args);
	int rc = veh__call(w, verb, args, result, err);
	json_decref(empty);
	return rc;
}

int veh_world_action_as(veh_world *w, const char *team, const char *org, const char *kind, json_t *args, json_t **result,
                        ky_err *err) {
	*result = NULL;
	if (!kind) return ky_err_set(err, KY_EINVAL, "action: missing kind");
	if (args && !json_is_object(args)) return ky_err_set(err, KY_EINVAL, "%s: args: expected an object", kind);
	int iOrg = -1;
	if (org && (iOrg = veh__org_index(w, org)) < 0)
		return ky_err_set(err, KY_ENOENT, "%s: unknown organisation '%s' of team '%s'", kind, org, team ? team : "");
	json_t *empty = NULL;
	if (!args) args = empty = json_object();
	if (w->bOrgs && iOrg >= 0) {  /* the acting org rides with the args, so that a re-run applies the same scope */
		json_t *a = json_copy(args);
		json_object_set_new(a, "@org", json_string(w->aOrg[iOrg].zId));
		veh__tap_input(w, VEH_INPUT_ACTION, kind, team, a);
		json_decref(a);
	} else {
		veh__tap_input(w, VEH_INPUT_ACTION, kind, team, args);
	}
	int rc = veh__action(w, team, iOrg, kind, args, result, err);
	json_decref(empty);
	return rc;
}

int veh_world_action(veh_world *w, const char *team, const char *kind, json_t *args, json_t **result, ky_err *err) {
	return veh_world_action_as(w, team, NULL, kind, args, result, err);
}

int veh_world_ingest(veh_world *w, const char *org, json_t *indicators, json_t **result, ky_err *err) {
	int iOrg = veh__org_index(w, org);
	size_t i;
	json_t *v;
	*result = NULL;
	if (iOrg < 0) return ky_err_set(err, KY_ENOENT, "ingest: unknown organisation '%s'", org ? org : "");
	if (!json_is_array(indicators)) return ky_err_set(err, KY_EINVAL, "ingest: indicators: expected a list of strings");
	json_array_foreach(indicators, i, v) if (!json_is_string(v))
		return ky_err_set(err, KY_EINVAL, "ingest: indicators[%zu]: expected a string", i + 1);
	const veh_org *o = &w->aOrg[iOrg];
	if (o->ingest < 0) {
		*result = json_pack("{s:b}", "scheduled", 0);
		return 0;
	}
	json_t *in = json_pack("{s:s,s:O}", "org", o->zId, "indicators", indicators);
	veh__tap_input(w, VEH_INPUT_INGEST, "ingest", NULL, in);
	json_decref(in);
	int64_t nMatched = 0, nCars = 0;
	json_array_foreach(indicators, i, v) {
		int64_t m = 0, c = 0;
		int rc = veh__block(w, iOrg, json_string_value(v), o->ingest, &m, &c, err);
		if (rc) return rc;
		nMatched += m, nCars += c;
	}
	eng_time_t at = eng_sim_now(w->sim) + o->ingest;
	veh__fact(w, "ingest", o->zId, json_pack("{s:O,s:I,s:I,s:I}", "indicators", indicators, "at_us", (json_int_t)at,
	                                         "campaigns", (json_int_t)nMatched, "cars", (json_int_t)nCars));
	*result = json_pack("{s:b,s:I,s:I,s:I}", "scheduled", 1, "at_us", (json_int_t)at, "matched", (json_int_t)nMatched, "cars",
	                    (json_int_t)nCars);
	return 0;
}

uint64_t veh_world_car_events(const veh_world *w) { return w->nCarEvents; }

size_t veh_world_bytes(const veh_world *w) {
	return veh_fleet_bytes_per_car(&w->f) * w->f.n + (size_t)w->nRun * sizeof(veh__run) + ((size_t)w->nSlot + 1) * 4;
}
