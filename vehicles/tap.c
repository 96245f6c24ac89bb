/* tap: what re-running a world without its scenario needs (see world.h, "re-running a world"): the configuration
 * as given, the input tap and the event count, the order of the pending events, read-only access to the cars'
 * flags. The replay viewer's exact seek (ui/replay/seek.c) and the journal writer (scenarios/record.c) use it.
 * Nothing here changes what the world simulates: hooks only report, and rearm only re-inserts pending events. */
#include "vehicles/worldInt.h"

#include <stdlib.h>
#include <string.h>

static const char *const azInput[VEH_INPUT_N] = { "call", "action", "params", "ingest" };

/* Verbs that only read the world: not inputs (a drill may ask fleet.count every minute). */
static const char *const azPure[] = { "fleet.count", "fleet.select", "service.status", "sbom.affected", "world.metrics",
	                                  "ota.status", "credential.status", NULL };

const char *veh_input_kind_name(int kind) { return kind >= 0 && kind < VEH_INPUT_N ? azInput[kind] : "?"; }

int veh_input_kind_index(const char *z) {
	for (int k = 0; z && k < VEH_INPUT_N; k++)
		if (!strcmp(z, azInput[k])) return k;
	return -1;
}

static int verb_pure(const char *zVerb) {
	for (int i = 0; azPure[i]; i++)
		if (!strcmp(zVerb, azPure[i])) return 1;
	return 0;
}

/* ---- configuration ----------------------------------------------------------------------------------- */

/* A configuration that could not be kept whole (out of memory, a text that JSON cannot hold) is dropped: the
 * replay then re-simulates the scenario rather than build a different world. */
void veh__config_note(veh_world *w, const char *zOp, json_t *args) {
	json_t *e = args ? json_pack("{s:s,s:O}", "op", zOp, "args", args) : NULL;
	if (!w->jConfig) return;
	if (!e || json_array_append_new(w->jConfig, e) != 0) {
		json_decref(w->jConfig);
		w->jConfig = NULL;
	}
}

json_t *veh_world_config_json(const veh_world *w) { return w->jConfig ? json_deep_copy(w->jConfig) : NULL; }

static int configure_one(veh_world *w, json_t *e, ky_err *err) {
	const char *zOp = json_string_value(json_object_get(e, "op"));
	json_t *a = json_object_get(e, "args");
	if (!zOp || !json_is_object(a)) return ky_err_set(err, KY_EPARSE, "expected {\"op\":..,\"args\":{..}}");
	if (!strcmp(zOp, "org")) return veh_world_add_org(w, a, err);
	if (!strcmp(zOp, "cohort")) return veh_world_add_cohort(w, a, err);
	if (!strcmp(zOp, "params")) return veh_world_set_params(w, a, err);
	if (!strcmp(zOp, "sbom")) return veh_world_add_sbom(w, a, err);
	if (!strcmp(zOp, "service")) return veh_world_add_service(w, a, err);
	if (!strcmp(zOp, "credential")) return veh_world_add_credential(w, a, err);
	if (!strcmp(zOp, "sbom_load")) {
		const char *zText = json_string_value(json_object_get(a, "text"));
		veh_sbom_load opt = { .zEcu = json_string_value(json_object_get(a, "ecu")),
			                  .zVersion = json_string_value(json_object_get(a, "version")),
			                  .bPart = json_is_true(json_object_get(a, "part")) };
		if (!zText) return ky_err_set(err, KY_EPARSE, "sbom_load: text is required");
		return veh_world_load_cyclonedx(w, zText, json_string_length(json_object_get(a, "text")),
		                                json_string_value(json_object_get(a, "file")), &opt, err);
	}
	if (!strcmp(zOp, "sbom_cdx")) {
		const char *zEcu = json_string_value(json_object_get(a, "ecu"));
		const char *zVer = json_string_value(json_object_get(a, "version"));
		json_t *bom = json_object_get(a, "bom");
		if (!zEcu || !zVer || !bom) return ky_err_set(err, KY_EPARSE, "sbom_cdx: ecu, version and bom are required");
		return veh_world_add_sbom_cyclonedx(w, zEcu, zVer, bom, err);
	}
	return ky_err_set(err, KY_EPARSE, "unknown op '%s'", zOp);
}

int veh_world_configure(veh_world *w, json_t *config, ky_err *err) {
	size_t i;
	json_t *e;
	if (w->bStarted) return ky_err_set(err, KY_ESTATE, "world configure: the world has started");
	if (!json_is_array(config)) return ky_err_set(err, KY_EPARSE, "world configure: expected an array");
	json_array_foreach(config, i, e) {
		int rc = configure_one(w, e, err);
		if (rc) return ky_err_prefix(err, "world configure: entry %zu", i + 1);
	}
	return 0;
}

/* ---- the tap ------------------------------------------------------------------------------------------- */

void veh_world_set_tap(veh_world *w, const veh_tap *tap) {
	if (tap) w->tap = *tap;
	else memset(&w->tap, 0, sizeof w->tap);
}

uint64_t veh_world_steps(const veh_world *w) { return w->nSteps; }

void veh__tap_input(veh_world *w, int kind, const char *zName, const char *zTeam, json_t *args) {
	if (!w->tap.on_input || (kind == VEH_INPUT_CALL && verb_pure(zName))) return;
	w->tap.on_input(w->tap.ctx, kind, zName, zTeam, args);
}

void veh__step(veh_world *w) {
	w->nSteps++;
	if (w->tap.on_step) w->tap.on_step(w->tap.ctx, w->nSteps);
}

int veh_world_input(veh_world *w, int kind, const char *zName, const char *zTeam, json_t *args, ky_err *err) {
	json_t *res = NULL;
	int rc;
	switch (kind) {
	case VEH_INPUT_CALL: rc = veh_world_call(w, zName, args, &res, err); break;
	case VEH_INPUT_ACTION: {  /* an organisation's team: "@org" in the args (veh_world_action_as) */
		const char *zOrg = json_string_value(json_object_get(args, "@org"));
		json_t *a = zOrg ? json_copy(args) : json_incref(args);
		json_object_del(a, "@org");
		rc = veh_world_action_as(w, zTeam, zOrg, zName, a, &res, err);
		json_decref(a);
		break;
	}
	case VEH_INPUT_PARAMS: rc = veh_world_set_params(w, args, err); break;
	case VEH_INPUT_INGEST:
		rc = veh_world_ingest(w, json_string_value(json_object_get(args, "org")), json_object_get(args, "indicators"), &res, err);
		break;
	default: rc = ky_err_set(err, KY_EINVAL, "world input: unknown kind %d", kind);
	}
	json_decref(res);
	return rc;
}

/* ---- pending events ------------------------------------------------------------------------------------ */

static const char *const azPending[] = { "tick", "vsoc", "block", "rotate" };
enum { P_TICK, P_VSOC, P_BLOCK, P_ROTATE, P_N };

typedef struct pend {
	int kind;
	int index;
	eng_time_t t;
	eng_event_id id;
} pend;

static int pend_cmp(const void *pa, const void *pb) {
	const pend *a = pa, *b = pb;
	if (a->t != b->t) return a->t < b->t ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Room for every pending event: the tick, the VSOC round, a block per (org, campaign), a rotation per credential. */
static size_t pending_room(const veh_world *w) { return (size_t)w->nOrg * (size_t)w->nCamp + (size_t)w->nCred + 2; }

/* The pending events into a (pending_room entries), sorted in run order; returns their number. A block's index is
 * its campaign + 256 x the org whose gateway blocks it (VEH_CAMP_MAX < 256). */
static int pending_list(const veh_world *w, pend *a) {
	int n = 0;
	if (w->tTick >= 0) a[n++] = (pend){ P_TICK, 0, w->tTick, w->tickId };
	if (w->tVsoc >= 0) a[n++] = (pend){ P_VSOC, 0, w->tVsoc, w->vsocId };
	for (int o = 0; o < w->nOrg; o++)
		for (int c = 0; c < w->nCamp; c++) {
			const veh_org *g = &w->aOrg[o];
			if (g->aBlockAt[c] >= 0) a[n++] = (pend){ P_BLOCK, o * 256 + c, g->aBlockAt[c], g->aBlockId[c] };
		}
	for (int k = 0; k < w->nCred; k++)
		if (w->aCred[k].tRotEnd >= 0) a[n++] = (pend){ P_ROTATE, k, w->aCred[k].tRotEnd, w->aCred[k].rotId };
	qsort(a, (size_t)n, sizeof *a, pend_cmp);
	return n;
}

json_t *veh_world_pending_json(const veh_world *w) {
	pend *a = malloc(pending_room(w) * sizeof *a);
	json_t *o = json_array();
	if (!a || !o) {
		free(a);
		json_decref(o);
		return NULL;
	}
	int n = pending_list(w, a);
	for (int i = 0; i < n; i++)
		json_array_append_new(o, json_pack("[s,i,I]", azPending[a[i].kind], a[i].index, (json_int_t)a[i].t));
	free(a);
	return o;
}

/* Entry i of a pending list into *p; 0, or -1 when it is malformed. */
static int pending_entry(json_t *e, pend *p) {
	const char *z = json_string_value(json_array_get(e, 0));
	json_t *jI = json_array_get(e, 1), *jT = json_array_get(e, 2);
	p->kind = -1;
	for (int k = 0; z && k < P_N; k++)
		if (!strcmp(z, azPending[k])) p->kind = k;
	if (p->kind < 0 || !json_is_integer(jI) || !json_is_integer(jT)) return -1;
	p->index = (int)json_integer_value(jI);
	p->t = (eng_time_t)json_integer_value(jT);
	return 0;
}

int veh_world_rearm(veh_world *w, json_t *pending, ky_err *err) {
	size_t n = json_array_size(pending);
	pend *aHave = malloc(pending_room(w) * sizeof *aHave), *aWant = malloc((n + 1) * sizeof *aWant);
	int rc = 0;
	if (!aHave || !aWant) {
		rc = ky_err_set(err, KY_ENOMEM, "world rearm: out of memory");
		goto out;
	}
	int nHave = pending_list(w, aHave);
	/* the same events, at the same times: each wanted entry matches one pending event (a list has no repeats) */
	int bSame = json_is_array(pending) && (size_t)nHave == n;
	for (size_t i = 0; bSame && i < n; i++) {
		int bFound = 0;
		if (pending_entry(json_array_get(pending, i), &aWant[i]) != 0) {
			bSame = 0;
			break;
		}
		for (int k = 0; k < nHave && !bFound; k++)
			bFound = aHave[k].kind == aWant[i].kind && aHave[k].index == aWant[i].index && aHave[k].t == aWant[i].t;
		for (size_t k = 0; k < i && bFound; k++)
			bFound = !(aWant[k].kind == aWant[i].kind && aWant[k].index == aWant[i].index);
		bSame = bFound;
	}
	if (!bSame) {
		rc = ky_err_set(err, KY_EINVAL, "world rearm: the list does not name the %d pending events", nHave);
		goto out;
	}
	/* re-scheduling cancels the old entry and inserts anew: in list order, the ties run in that order */
	for (size_t i = 0; i < n && rc == 0; i++) {
		const pend *p = &aWant[i];
		rc = p->kind == P_TICK ? veh__sched_tick(w, p->t) : p->kind == P_VSOC ? veh__sched_vsoc(w, p->t)
		     : p->kind == P_ROTATE ? veh__sched_rotate(w, p->index, p->t)
		                           : veh__sched_block(w, p->index / 256, p->index % 256, p->t);
		if (rc) ky_err_set(err, rc, "world rearm: cannot schedule %s at %lld us", azPending[p->kind], (long long)p->t);
	}
out:
	free(aHave);
	free(aWant);
	return rc;
}

const uint16_t *veh_world_flags(const veh_world *w, uint32_t *pN) {
	if (pN) *pN = w->f.n;
	return w->f.aFlags;
}
