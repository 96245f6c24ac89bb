/* world: configuration, the periodic behaviour of cars (check-ins, churn, IDS, OTA steps), the backend services,
 * the VSOC, metrics and facts. Design notes: worldInt.h; numbers: docs/world-model.md. */
#include "vehicles/worldInt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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
	veh_sbom_init(&w->sb);
	params_default(&w->p);
	for (int s = 0; s < VEH_SVC_N; s++) w->aSvc[s].tDownSince = -1;
	w->tTick = w->tVsoc = -1;
	w->jConfig = json_array();
	if (!w->jConfig || eng_sim_register(sim, "veh.tick", on_tick, w, &w->kTick) || eng_sim_register(sim, "veh.vsoc", on_vsoc, w, &w->kVsoc) ||
	    eng_sim_register(sim, "veh.block", on_block, w, &w->kBlock)) {
		ky_err_set(err, KY_ELIMIT, "world: the simulator has no room for the world's event kinds");
		json_decref(w->jConfig);
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
	veh_sbom_clear(&w->sb);
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
	int rc = veh_fleet_add(&w->f, zModel, zRegion, aVer, feats, online, (uint32_t)nCount, err);
	if (rc == 0) veh__config_note(w, "cohort", cohort);
	return rc;
}

int veh_world_add_sbom(veh_world *w, json_t *sbom, ky_err *err) {
	int rc = veh_sbom_add_json(&w->sb, sbom, err);
	if (rc == 0) veh__config_note(w, "sbom", sbom);
	return rc;
}

int veh_world_add_sbom_cyclonedx(veh_world *w, const char *ecu, const char *version, json_t *bom, ky_err *err) {
	int rc = veh_sbom_add_cyclonedx(&w->sb, ecu, version, bom, err);
	if (rc == 0) {
		json_t *a = json_pack("{s:s,s:s,s:O}", "ecu", ecu, "version", version, "bom", bom);
		veh__config_note(w, "sbom_cdx", a);
		json_decref(a);
	}
	return rc;
}

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

/* ---- facts, compromise bookkeeping, services ---------------------------------------------------------- */

void veh_world_set_fact_sink(veh_world *w, veh_fact_fn fn, void *ctx) {
	w->fnFact = fn;
	w->pFactCtx = ctx;
}

void veh__fact(veh_world *w, const char *zKind, const char *zSubject, json_t *detail) {
	if (w->fnFact) w->fnFact(w->pFactCtx, eng_sim_now(w->sim), zKind, zSubject, detail);
	json_decref(detail);
}

void veh__comp_account(veh_world *w) {
	eng_time_t now = eng_sim_now(w->sim);
	if (now > w->tCompLast) w->compCarUs += (double)w->nComp * (double)(now - w->tCompLast);
	w->tCompLast = now;
}

void veh__comp_set(veh_world *w, uint32_t i, int iCamp, int entry, int bPersist) {
	veh_fleet *f = &w->f;
	if (f->aFlags[i] & VEH_F_COMP) veh__comp_clear(w, i);
	f->aFlags[i] = (uint16_t)((f->aFlags[i] | VEH_F_COMP) & ~VEH_F_PERSIST);
	if (bPersist) f->aFlags[i] |= VEH_F_PERSIST;
	f->aCamp[i] = (uint8_t)(iCamp + 1);
	f->aEntry[i] = (uint8_t)entry;
	w->nComp++;
	if (iCamp >= 0) w->aCamp[iCamp].nComp++;
}

void veh__comp_clear(veh_world *w, uint32_t i) {
	veh_fleet *f = &w->f;
	if (!(f->aFlags[i] & VEH_F_COMP)) return;
	f->aFlags[i] &= (uint16_t)~(VEH_F_COMP | VEH_F_PERSIST);
	if (f->aCamp[i]) w->aCamp[f->aCamp[i] - 1].nComp--;
	f->aCamp[i] = 0;
	f->aEntry[i] = 0;
	w->nComp--;
}

int veh__camp_active(const veh_world *w, int iCamp) {
	return iCamp >= 0 && iCamp < w->nCamp && !w->aCamp[iCamp].bStopped && !w->aCamp[iCamp].bBlocked;
}

int veh__svc_usable(const veh_world *w, int s) { return !w->aSvc[s].bIsolated && w->aSvc[s].health != VEH_H_DOWN; }

void veh__svc_set(veh_world *w, int s, int health, int bIsolated) {
	veh_service *v = &w->aSvc[s];
	eng_time_t now = eng_sim_now(w->sim);
	int bWas = veh__svc_usable(w, s), hWas = v->health, iWas = v->bIsolated;
	v->health = health;
	v->bIsolated = bIsolated;
	int bNow = veh__svc_usable(w, s);
	if (bWas && !bNow) v->tDownSince = now;
	if (!bWas && bNow) {
		v->downUs += now - v->tDownSince;
		v->tDownSince = -1;
	}
	if (hWas != health || iWas != bIsolated)
		veh__fact(w, "service.health", azSvc[s],
		          json_pack("{sssssbsb}", "from", azHealth[hWas], "to", azHealth[health], "isolated", bIsolated,
		                    "usable", bNow));
}

/* ---- check-ins ------------------------------------------------------------------------------------------ */

typedef struct tick_ctx {
	uint32_t thrOff, thrOn, thrFp, thrDetect, thrLoss;
	int bReach;          /* telematics accepts check-ins */
	int bDegraded;
	int bOta;            /* OTA server usable */
	uint32_t periodS;
} tick_ctx;

static uint32_t thr32(double p) {
	if (p <= 0) return 0;
	if (p >= 1) return UINT32_MAX;
	return (uint32_t)(p * 4294967296.0);
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
		if (f->aOtaCamp[i] == o + 1 && f->aOta[i] == VEH_OTA_DONE) continue;
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

static void ota_step(veh_world *w, const tick_ctx *x, uint32_t i, uint32_t tS, eng_time_t now) {
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
		if (!x->bOta) break;
		veh__ota_set(w, i, VEH_OTA_DOWNLOADING, f->aOtaCamp[i]);
		f->aOtaT[i] = tS + draw_between(&w->rOta, w->p.dlMin, w->p.dlMax) * (w->aSvc[VEH_SVC_OTA].health == VEH_H_DEGRADED ? 3 : 1);
		w->nCarEvents++;
		break;
	case VEH_OTA_DOWNLOADING:
		if (!x->bOta) {
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

/* One car's check-in slot: connectivity churn, C2 beacon and exfiltration, IDS, upload, OTA step. */
static void car_tick(veh_world *w, const tick_ctx *x, uint32_t i, uint32_t tS, eng_time_t now) {
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
	if (bAlert) {
		w->aCamp[iCamp].nQueued++;
		w->nRecvTrue++;
	} else if (!(fl & VEH_F_COMP) && (uint32_t)(r2 >> 32) < x->thrFp) {
		w->nFalseQueued++;
		w->nRecvFalse++;
	}
	ota_step(w, x, i, tS, now);
}

static void on_tick(eng_sim *sim, void *ctx, const eng_event *ev) {
	veh_world *w = ctx;
	(void)ev;
	veh__step(w);
	w->tTick = -1;
	eng_time_t now = eng_sim_now(sim);
	double periodS = (double)(w->p.checkinPeriod / ENG_US_PER_S);
	double qOn = periodS / (double)(w->p.offlineMean / ENG_US_PER_S);
	if (qOn > 1) qOn = 1;
	double qOff = w->p.offlineFrac < 1 ? qOn * w->p.offlineFrac / (1 - w->p.offlineFrac) : 1;
	tick_ctx x = { thr32(qOff), thr32(qOn), thr32(w->p.idsFp), thr32(w->p.idsDetect), thr32(w->p.degradedLoss),
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

static void ota_progress_facts(veh_world *w) {
	for (int o = 0; o < w->nOta; o++) {
		veh_ota_camp *c = &w->aOta[o];
		if (c->bDoneFact || c->nOffered < c->nTarget || c->nBusy) continue;
		c->bDoneFact = 1;
		veh__fact(w, "ota.complete", veh_ecu_name(c->iEcu),
		          json_pack("{sisIsIsIsIsb}", "campaign", o + 1, "targeted", (json_int_t)c->nTarget, "done", (json_int_t)c->nDone,
		                    "failed", (json_int_t)c->nFailed, "bricked", (json_int_t)c->nBricked, "malicious", c->iAttack >= 0));
	}
}

static void on_vsoc(eng_sim *sim, void *ctx, const eng_event *ev) {
	veh_world *w = ctx;
	(void)ev;
	veh__step(w);
	w->tVsoc = -1;
	veh__comp_account(w);
	vsoc_process(w);
	pki_reprovision(w);
	app_commands(w);
	ota_progress_facts(w);
	veh__sched_vsoc(w, eng_sim_now(sim) + w->p.vsocInterval);
}

static void on_block(eng_sim *sim, void *ctx, const eng_event *ev) {
	veh_world *w = ctx;
	(void)sim;
	veh__step(w);
	if ((int)ev->a >= w->nCamp) return;
	veh_campaign *c = &w->aCamp[ev->a];
	c->tBlockAt = -1;
	if (c->bBlocked) return;
	veh__comp_account(w);
	c->bBlocked = 1;
	veh__fact(w, "c2.blocked", c->azInd[0], json_pack("{sssI}", "indicator", c->azInd[0], "cars_cut", (json_int_t)c->nComp));
}

/* ---- queries ------------------------------------------------------------------------------------------- */

int64_t veh__affected(const veh_world *w, const char *zComp, json_t **pBy, ky_err *err) {
	veh_sbom_hits h;
	const veh_fleet *f = &w->f;
	int rc = veh_sbom_find(&w->sb, zComp, &h, err);
	if (rc < 0) return rc;
	int64_t n = 0;
	int64_t *aByModel = calloc((size_t)f->nModel + 1, sizeof(int64_t));
	if (!aByModel) return ky_err_set(err, KY_ENOMEM, "sbom: out of memory");
	for (uint32_t i = 0; i < f->n && h.n; i++) {
		int bHit = 0;
		for (int k = 0; k < h.n && !bHit; k++) bHit = f->aVer[h.aEcu[k]][i] == h.aVer[k];
		if (bHit) {
			n++;
			aByModel[f->aCoh[f->aCohort[i]].iModel]++;
		}
	}
	if (pBy) {
		*pBy = json_object();
		for (int m = 0; m < f->nModel; m++)
			if (aByModel[m]) json_object_set_new(*pBy, f->azModel[m], json_integer(aByModel[m]));
	}
	free(aByModel);
	return n;
}

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
		json_object_set_new(svc, azSvc[s], json_string(w->aSvc[s].bIsolated ? "down" : azHealth[w->aSvc[s].health]));
	json_object_set_new(o, "services", svc);
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
	for (int i = 0; i < VEH_SVC_N; i++) json_array_append_new(a, json_string(azSvc[i]));
	json_object_set_new(o, "services", a);
	a = json_array();
	for (int i = 0; i < VEH_H_N; i++) json_array_append_new(a, json_string(azHealth[i]));
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
	a = json_array();
	for (int i = 0; i < w->sb.nComp; i++) json_array_append_new(a, json_string(w->sb.azComp[i]));
	json_object_set_new(o, "components", a);
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
	veh__tap_input(w, VEH_INPUT_CALL, verb, NULL, args);
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
	veh__tap_input(w, VEH_INPUT_ACTION, kind, team, args);
	int rc = veh__action(w, team, kind, args, result, err);
	json_decref(empty);
	return rc;
}

uint64_t veh_world_car_events(const veh_world *w) { return w->nCarEvents; }

size_t veh_world_bytes(const veh_world *w) {
	return veh_fleet_bytes_per_car(&w->f) * w->f.n + (size_t)w->f.n * sizeof(uint32_t) + ((size_t)w->nSlot + 1) * 4;
}
