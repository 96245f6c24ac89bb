/* world: see world.h. (Thin first version: configuration and stubs; the model is being filled in.) */
#include "vehicles/world.h"

#include <stdlib.h>
#include <string.h>

struct veh_world {
	eng_sim *sim;
	veh_fact_fn fnFact;
	void *pFactCtx;
	int64_t nCars;
	int bStarted;
};

veh_world *veh_world_new(eng_sim *sim, ky_err *err) {
	veh_world *w = calloc(1, sizeof *w);
	if (!w) {
		ky_err_set(err, KY_ENOMEM, "veh_world_new: out of memory");
		return NULL;
	}
	w->sim = sim;
	return w;
}

void veh_world_free(veh_world *w) { free(w); }

int veh_world_add_cohort(veh_world *w, json_t *cohort, ky_err *err) {
	json_t *c = json_object_get(cohort, "count");
	if (!json_is_integer(c) || json_integer_value(c) < 0)
		return ky_err_set(err, KY_EINVAL, "fleet: count: expected a non-negative integer");
	w->nCars += json_integer_value(c);
	return 0;
}

int veh_world_set_params(veh_world *w, json_t *params, ky_err *err) { (void)w; (void)params; (void)err; return 0; }
int veh_world_add_sbom(veh_world *w, json_t *sbom, ky_err *err) { (void)w; (void)sbom; (void)err; return 0; }
int veh_world_add_sbom_cyclonedx(veh_world *w, const char *ecu, const char *version, json_t *bom, ky_err *err) {
	(void)w; (void)ecu; (void)version; (void)bom; (void)err;
	return 0;
}
int veh_world_start(veh_world *w, ky_err *err) {
	if (w->bStarted) return ky_err_set(err, KY_ESTATE, "world: already started");
	w->bStarted = 1;
	return 0;
}

int veh_world_call(veh_world *w, const char *verb, json_t *args, json_t **result, ky_err *err) {
	(void)args;
	*result = NULL;
	if (strcmp(verb, "fleet.count") == 0) {
		*result = json_integer(w->nCars);
		return 0;
	}
	return ky_err_set(err, KY_ENOENT, "%s: not implemented yet", verb);
}

int veh_world_action(veh_world *w, const char *team, const char *kind, json_t *args, json_t **result, ky_err *err) {
	(void)w; (void)team; (void)args; (void)err;
	*result = NULL;
	(void)kind;
	return 0;
}

void veh_world_metrics(const veh_world *w, veh_metrics *out) {
	memset(out, 0, sizeof *out);
	out->total = w->nCars;
	out->clean = w->nCars;
}

json_t *veh_world_metrics_json(const veh_world *w) {
	return json_pack("{sIsIsIsIsIs{ssssssssss}}", "total", (json_int_t)w->nCars, "clean", (json_int_t)w->nCars,
	                 "compromised", (json_int_t)0, "patched", (json_int_t)0, "offline", (json_int_t)0, "services",
	                 "telematics", "up", "ota", "up", "vsoc", "up", "pki", "up", "app_api", "up");
}

void veh_world_set_fact_sink(veh_world *w, veh_fact_fn fn, void *ctx) {
	w->fnFact = fn;
	w->pFactCtx = ctx;
}

void veh_world_state_hash(const veh_world *w, char hex[65]) {
	(void)w;
	memset(hex, '0', 64);
	hex[64] = 0;
}

int veh_world_snapshot(const veh_world *w, unsigned char **pBuf, size_t *pLen, ky_err *err) {
	(void)w;
	*pBuf = malloc(1);
	if (!*pBuf) return ky_err_set(err, KY_ENOMEM, "world snapshot: out of memory");
	*pLen = 0;
	return 0;
}

int veh_world_restore(veh_world *w, const unsigned char *buf, size_t len, ky_err *err) {
	(void)w; (void)buf; (void)len; (void)err;
	return 0;
}

json_t *veh_world_catalog_json(const veh_world *w) {
	(void)w;
	return json_object();
}

uint64_t veh_world_car_events(const veh_world *w) { (void)w; return 0; }
size_t veh_world_bytes(const veh_world *w) { (void)w; return 0; }
