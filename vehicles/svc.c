/* svc: the services and credentials a drill declares (CONTRACT §2 services{}, credentials{}): the service space
 * shared with the built-in backend (names, lookup, owner), credentials and what an attack step or a rotation does
 * with them, the customer-hours a declared service costs when it is down or degraded, and their JSON for the fleet
 * views and the exercise. Design notes: worldInt.h ("Declared services, credentials, recalls"); the model and the
 * incidents behind it: docs/world-model.md §1 and §5. */
#include "vehicles/worldInt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const azCredKind[VEH_CRED_KIND_N] = { "service_account", "api_key", "signing_key" };
/* Default rotation times per kind (docs/world-model.md §4, assumptions): a service account is re-issued and the
 * batch jobs that use it redeployed in about half an hour; an API key must reach every partner integration that
 * uses it (an hour); a new signing key must be distributed and releases re-signed (two hours). */
static const eng_time_t aRotDefault[VEH_CRED_KIND_N] = { ENG_S(30 * 60), ENG_S(60 * 60), ENG_S(2 * 3600) };

static void on_rotate(eng_sim *sim, void *ctx, const eng_event *ev);

/* ---- the service space ----------------------------------------------------------------------------------- */

int veh_service_builtin(const char *z) { return veh__svc_index(z) >= 0; }

int veh__svc_find(const veh_world *w, const char *z) {
	int s = veh__svc_index(z);
	for (int k = 0; s < 0 && z && k < w->nSvcX; k++)
		if (!strcmp(z, w->aSvcX[k].zId)) s = VEH_SVC_N + k;
	return s;
}

const char *veh__svc_label(const veh_world *w, int s) {
	if (s >= VEH_SVC_N && s < veh__svc_count(w)) return w->aSvcX[s - VEH_SVC_N].zId;
	return veh__svc_name(s);
}

void veh__svc_known(const veh_world *w, char *z, size_t n) {
	size_t k = 0;
	z[0] = 0;
	for (int s = 0; s < veh__svc_count(w) && k + 40 < n; s++)
		k += (size_t)snprintf(z + k, n - k, "%s%s", s ? ", " : "", veh__svc_label(w, s));
}

veh_service *veh__svc_at(veh_world *w, int iOrg, int s) {
	assert(s >= 0 && s < veh__svc_count(w));
	return s < VEH_SVC_N ? &w->aOrg[iOrg].aSvc[s] : &w->aSvcX[s - VEH_SVC_N].s;
}

const veh_service *veh__svc_cat(const veh_world *w, int iOrg, int s) {
	assert(s >= 0 && s < veh__svc_count(w));
	return s < VEH_SVC_N ? &w->aOrg[iOrg].aSvc[s] : &w->aSvcX[s - VEH_SVC_N].s;
}

int veh__svc_owner(const veh_world *w, int iOrg, int s) { return s < VEH_SVC_N ? iOrg : w->aSvcX[s - VEH_SVC_N].iOrg; }

/* Customers who use service s of org iOrg directly: a declared service's own figure; every car of the org for the
 * customer-facing built-in ones (telematics, the app API, OTA); none for the OEM's own VSOC and PKI. */
static int64_t svc_customers(const veh_world *w, int iOrg, int s) {
	if (s >= VEH_SVC_N) return w->aSvcX[s - VEH_SVC_N].nCustomers;
	return s == VEH_SVC_TELEMATICS || s == VEH_SVC_APP_API || s == VEH_SVC_OTA ? w->aOrg[iOrg].nCars : 0;
}

/* A lowercase id of letters, digits and zExtra, 1 to n characters. */
static int id_ok(const char *z, size_t n, const char *zExtra) {
	size_t len = strlen(z);
	if (len == 0 || len > n) return 0;
	for (; *z; z++)
		if (!((*z >= 'a' && *z <= 'z') || (*z >= '0' && *z <= '9') || strchr(zExtra, *z))) return 0;
	return 1;
}

int veh_world_add_service(veh_world *w, json_t *j, ky_err *err) {
	static const char *const azKnown[] = { "id", "name", "org", "operator", "customers", "degraded_loss", NULL };
	const char *zId, *zName, *zOp, *zKey;
	json_t *v;
	if (w->bStarted) return ky_err_set(err, KY_ESTATE, "services: cannot declare a service after the world started");
	if (!json_is_object(j)) return ky_err_set(err, KY_EINVAL, "services: expected { id = ..., name = ... }");
	json_object_foreach(j, zKey, v) {
		int bOk = 0;
		for (int i = 0; azKnown[i]; i++) bOk |= !strcmp(zKey, azKnown[i]);
		if (!bOk)
			return ky_err_set(err, KY_EINVAL, "services: unknown field '%s' (known: id, name, org, operator, customers, "
			                  "degraded_loss)", zKey);
	}
	if (veh__arg_string(j, "id", NULL, "services", &zId, err)) return err->code;
	if (!id_ok(zId, 32, "_-")) return ky_err_set(err, KY_EINVAL, "services: id '%s': 1 to 32 lowercase letters, digits, '_' or '-'", zId);
	if (veh__svc_find(w, zId) >= 0)
		return ky_err_set(err, KY_EINVAL, "services: '%s' %s", zId, veh__svc_index(zId) >= 0 ? "is a built-in service" : "declared twice");
	if (w->nSvcX >= VEH_SVCX_MAX) return ky_err_set(err, KY_ELIMIT, "services: more than %d declared services", VEH_SVCX_MAX);
	if (veh__arg_string(j, "name", zId, zId, &zName, err) || veh__arg_string(j, "operator", "", zId, &zOp, err) ||
	    (*zOp && !id_ok(zOp, 32, "_-")))
		return err->code ? err->code : ky_err_set(err, KY_EINVAL, "%s: operator '%s': a party id (lowercase)", zId, zOp);
	int64_t nCust = 0;
	if ((v = json_object_get(j, "customers")) && (!veh__count(v, &nCust) || nCust > 1000000000))
		return ky_err_set(err, KY_EINVAL, "%s: customers: expected an integer in 0..1000000000", zId);
	double loss;
	if (veh__arg_fraction(j, "degraded_loss", 0.5, zId, &loss, err)) return err->code;
	int iOrg = 0;
	if (veh__arg_org(w, j, zId, &iOrg, err)) return err->code;
	veh_svcx *a = realloc(w->aSvcX, (size_t)(w->nSvcX + 1) * sizeof *a);
	if (!a) return ky_err_set(err, KY_ENOMEM, "services: out of memory");
	w->aSvcX = a;
	veh_svcx *x = &a[w->nSvcX++];
	memset(x, 0, sizeof *x);
	snprintf(x->zId, sizeof x->zId, "%s", zId);
	snprintf(x->zName, sizeof x->zName, "%s", zName);
	snprintf(x->zOperator, sizeof x->zOperator, "%s", zOp);
	x->iOrg = iOrg;
	x->nCustomers = nCust;
	x->degradedLoss = loss;
	x->s.tDownSince = -1;
	x->tDegSince = -1;
	veh__config_note(w, "service", j);
	return 0;
}

/* ---- credentials ------------------------------------------------------------------------------------------- */

int veh__cred_find(const veh_world *w, const char *z) {
	for (int k = 0; z && k < w->nCred; k++)
		if (!strcmp(z, w->aCred[k].zId)) return k;
	return -1;
}

static void cred_known(const veh_world *w, char *z, size_t n) {
	size_t k = 0;
	z[0] = 0;
	for (int i = 0; i < w->nCred && k + 70 < n; i++) k += (size_t)snprintf(z + k, n - k, "%s%s", i ? ", " : "", w->aCred[i].zId);
	if (!w->nCred) snprintf(z, n, "none: this drill declares no credentials{}");
}

int veh__arg_cred(const veh_world *w, json_t *args, const char *zWhere, int *pk, ky_err *err) {
	json_t *v = json_object_get(args, "credential");
	char zList[1200];
	*pk = -1;
	if (!v) return 0;
	*pk = veh__cred_find(w, json_string_value(v));
	if (*pk >= 0) return 0;
	cred_known(w, zList, sizeof zList);
	if (!json_is_string(v)) return ky_err_set(err, KY_EINVAL, "%s: credential: expected a credential id (%s)", zWhere, zList);
	return ky_err_set(err, KY_ENOENT, "%s: credential: unknown credential '%s' (known: %s)", zWhere, json_string_value(v), zList);
}

/* The services a list names (a JSON array of service names) as a mask, or an error naming zField. */
static int svc_mask(const veh_world *w, json_t *jList, const char *zWhere, const char *zField, uint64_t *pMask, ky_err *err) {
	size_t i;
	json_t *v;
	char zKnown[800];
	*pMask = 0;
	if (!json_is_array(jList) || json_array_size(jList) == 0)
		return ky_err_set(err, KY_EINVAL, "%s: %s: expected a list of services, e.g. { \"telematics\" }", zWhere, zField);
	json_array_foreach(jList, i, v) {
		int s = veh__svc_find(w, json_string_value(v));
		if (s < 0) {
			veh__svc_known(w, zKnown, sizeof zKnown);
			return ky_err_set(err, KY_ENOENT, "%s: %s[%zu]: unknown service '%s' (known: %s; declare the drill's own in "
			                  "services{} first)", zWhere, zField, i + 1, json_is_string(v) ? json_string_value(v) : "?", zKnown);
		}
		*pMask |= 1ull << s;
	}
	return 0;
}

/* Parses the configuration of a credential into c (nothing allocated). */
static int cred_parse(veh_world *w, json_t *j, veh_cred *c, ky_err *err) {
	const char *zId, *zName, *zKind, *zHeld, *zHolderOrg;
	if (veh__arg_string(j, "id", NULL, "credentials", &zId, err)) return err->code;
	if (!id_ok(zId, 64, "_-.:"))
		return ky_err_set(err, KY_EINVAL, "credentials: id '%s': 1 to 64 lowercase letters, digits, '_', '-', '.' or ':'", zId);
	if (veh__cred_find(w, zId) >= 0) return ky_err_set(err, KY_EINVAL, "credentials: '%s' declared twice", zId);
	snprintf(c->zId, sizeof c->zId, "%s", zId);
	if (veh__arg_string(j, "name", zId, zId, &zName, err) || veh__arg_string(j, "kind", NULL, zId, &zKind, err) ||
	    veh__arg_string(j, "held_by", NULL, zId, &zHeld, err) || veh__arg_string(j, "holder_org", "", zId, &zHolderOrg, err))
		return err->code;
	snprintf(c->zName, sizeof c->zName, "%s", zName);
	snprintf(c->zHeldBy, sizeof c->zHeldBy, "%s", zHeld);
	for (c->kind = 0; c->kind < VEH_CRED_KIND_N && strcmp(zKind, azCredKind[c->kind]); c->kind++) {}
	if (c->kind == VEH_CRED_KIND_N)
		return ky_err_set(err, KY_ENOENT, "%s: kind: unknown kind '%s' (known: service_account, api_key, signing_key)", zId, zKind);
	if (svc_mask(w, json_object_get(j, "reaches"), zId, "reaches", &c->reach, err)) return err->code;
	c->usedBy = c->reach;
	if (json_object_get(j, "used_by") && svc_mask(w, json_object_get(j, "used_by"), zId, "used_by", &c->usedBy, err)) return err->code;
	if (veh__arg_time(j, "rotation", aRotDefault[c->kind], zId, &c->rotation, err)) return err->code;
	if (c->rotation < 0 || c->rotation > ENG_S(7 * 86400)) return ky_err_set(err, KY_EINVAL, "%s: rotation: must be 0 .. 7 days", zId);
	json_t *jL = json_object_get(j, "leaked");
	if (jL && !json_is_boolean(jL)) return ky_err_set(err, KY_EINVAL, "%s: leaked: expected true or false", zId);
	c->bLeakedAtStart = json_is_true(jL);
	c->iHolder = -1;  /* an outside party (a partner that does not play) */
	if (w->bOrgs) {  /* the holder's org: held_by names an org, or the drill resolved a team's into holder_org */
		c->iHolder = veh__org_index(w, *zHolderOrg ? zHolderOrg : zHeld);
		if (c->iHolder < 0 && *zHolderOrg)
			return ky_err_set(err, KY_ENOENT, "%s: holder_org: unknown organisation '%s'", zId, zHolderOrg);
		json_t *a = json_object_get(j, "org") ? json_pack("{sO}", "org", json_object_get(j, "org"))
		            : veh__org_has_fleet(w, c->iHolder) ? json_pack("{ss}", "org", w->aOrg[c->iHolder].zId) : json_object();
		int rc = veh__arg_org(w, a, zId, &c->iOrg, err);
		json_decref(a);
		if (rc) return rc;
	}
	return 0;
}

int veh_world_add_credential(veh_world *w, json_t *j, ky_err *err) {
	static const char *const azKnown[] = { "id", "name", "kind", "held_by", "holder_org", "org", "reaches", "used_by",
		"rotation", "leaked", NULL };
	const char *zKey;
	json_t *v;
	veh_cred c;
	if (w->bStarted) return ky_err_set(err, KY_ESTATE, "credentials: cannot declare a credential after the world started");
	if (!json_is_object(j)) return ky_err_set(err, KY_EINVAL, "credentials: expected { id = ..., kind = ..., held_by = ..., reaches = {...} }");
	json_object_foreach(j, zKey, v) {
		int bOk = 0;
		for (int i = 0; azKnown[i]; i++) bOk |= !strcmp(zKey, azKnown[i]);
		if (!bOk)
			return ky_err_set(err, KY_EINVAL, "credentials: unknown field '%s' (known: id, name, kind, held_by, org, "
			                  "reaches, used_by, rotation, leaked)", zKey);
	}
	if (w->nCred >= VEH_CRED_MAX) return ky_err_set(err, KY_ELIMIT, "credentials: more than %d credentials", VEH_CRED_MAX);
	memset(&c, 0, sizeof c);
	if (cred_parse(w, j, &c, err)) return err->code;
	if (w->nCred == 0 && eng_sim_register(w->sim, "veh.rotate", on_rotate, w, &w->kRotate))
		return ky_err_set(err, KY_ELIMIT, "credentials: the simulator has no room for the rotation event");
	veh_cred *a = realloc(w->aCred, (size_t)(w->nCred + 1) * sizeof *a);
	if (!a) return ky_err_set(err, KY_ENOMEM, "credentials: out of memory");
	w->aCred = a;
	c.leakedGen = c.bLeakedAtStart ? 0 : -1;
	c.tRotEnd = -1;
	a[w->nCred++] = c;
	veh__config_note(w, "credential", j);  /* as given: held_by resolved by the drill into holder_org */
	return 0;
}

int veh__cred_use(veh_world *w, int k, const char *zVerb) {
	veh_cred *c = &w->aCred[k];
	if (c->leakedGen < 0) {  /* first use: the attacker has it (the scenario did not narrate the theft) */
		c->leakedGen = c->gen;
		veh__fact(w, "credential.stolen", c->zId, json_pack("{sssIss}", "kind", azCredKind[c->kind], "generation",
		                                                    (json_int_t)c->gen, "by", zVerb));
	}
	if (!veh__cred_works(w, k)) return 0;
	c->nUses++;
	return 1;
}

/* attack.steal_credential { credential }: the attacker now holds its current generation (a phished password, a key
 * found in a public repository, a dump of a compromised server). */
int veh__steal(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err) {
	int k;
	if (veh__arg_cred(w, args, zVerb, &k, err)) return err->code;
	if (k < 0) return ky_err_set(err, KY_EINVAL, "%s: credential: required", zVerb);
	veh_cred *c = &w->aCred[k];
	int bHad = veh__cred_works(w, k);
	c->leakedGen = c->gen;
	if (!bHad)
		veh__fact(w, "credential.stolen", c->zId, json_pack("{sssIss}", "kind", azCredKind[c->kind], "generation",
		                                                    (json_int_t)c->gen, "by", zVerb));
	*result = json_pack("{sssIsb}", "credential", c->zId, "generation", (json_int_t)c->gen, "already_held", bHad);
	return 0;
}

static json_t *cred_status(const veh_world *w, int k, int bTruth) {
	const veh_cred *c = &w->aCred[k];
	json_t *o = json_pack("{sssssIsb}", "id", c->zId, "kind", azCredKind[c->kind], "rotations", (json_int_t)c->gen,
	                      "rotating", c->tRotEnd >= 0);
	if (bTruth) {
		json_object_set_new(o, "leaked", json_boolean(veh__cred_works(w, k)));
		json_object_set_new(o, "uses", json_integer(c->nUses));
	}
	return o;
}

/* credential.status { credential }: what the scenario may ask of one (the truth). */
int veh__cred_status(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err) {
	int k;
	if (veh__arg_cred(w, args, zVerb, &k, err)) return err->code;
	if (k < 0) return ky_err_set(err, KY_EINVAL, "%s: credential: required", zVerb);
	*result = cred_status(w, k, 1);
	return 0;
}

json_t *veh__credentials_json(const veh_world *w, int iOrg, int bTruth) {
	json_t *a = json_array();
	for (int k = 0; a && k < w->nCred; k++)
		if (iOrg < 0 || w->aCred[k].iHolder == iOrg || w->aCred[k].iOrg == iOrg) json_array_append_new(a, cred_status(w, k, bTruth));
	return a;
}

/* Is service s of org iOrg held degraded by a rotation under way other than credential kSkip's? */
static int held_by_other(const veh_world *w, int kSkip, int iOrg, int s) {
	for (int k = 0; k < w->nCred; k++)
		if (k != kSkip && w->aCred[k].tRotEnd >= 0 && (w->aCred[k].heldDeg >> s & 1u) &&
		    veh__svc_owner(w, w->aCred[k].iOrg, s) == veh__svc_owner(w, iOrg, s))
			return 1;
	return 0;
}

/* The end of credential k's rotation: the services it held degraded serve again (unless another rotation still
 * holds them, or something else changed their health meanwhile). */
static void rotation_end(veh_world *w, int k) {
	veh_cred *c = &w->aCred[k];
	uint64_t held = c->heldDeg;
	c->tRotEnd = -1;
	c->heldDeg = 0;
	for (int s = 0; s < veh__svc_count(w); s++) {
		if (!(held >> s & 1u) || held_by_other(w, k, c->iOrg, s)) continue;
		const veh_service *v = veh__svc_cat(w, c->iOrg, s);
		if (v->health == VEH_H_DEGRADED) veh__svc_set(w, c->iOrg, s, VEH_H_UP, v->bIsolated);
	}
	veh__fact(w, "credential.rotation_done", c->zId, veh__org_tag(w, c->iOrg, json_pack("{sI}", "generation", (json_int_t)c->gen)));
}

static void on_rotate(eng_sim *sim, void *ctx, const eng_event *ev) {
	veh_world *w = ctx;
	(void)sim;
	veh__step(w);
	if ((int)ev->a < w->nCred && w->aCred[ev->a].tRotEnd >= 0) rotation_end(w, (int)ev->a);
}

int veh__sched_rotate(veh_world *w, int k, eng_time_t t) {
	veh_cred *c = &w->aCred[k];
	if (c->tRotEnd >= 0) eng_sim_cancel(w->sim, c->rotId);
	c->tRotEnd = -1;
	if (t < 0) return 0;
	if (t < eng_sim_now(w->sim)) t = eng_sim_now(w->sim);
	int rc = eng_sim_schedule(w->sim, t, w->kRotate, (uint32_t)k, 0, &c->rotId);
	if (!rc) c->tRotEnd = t;
	return rc;
}

/* rotate_credential: a new generation (the attacker's copy is dead from now on), and the services that use it are
 * degraded for its rotation time while their users switch to the new secret. */
int veh__rotate(veh_world *w, int k, const char *zTeam, json_t **result, ky_err *err) {
	veh_cred *c = &w->aCred[k];
	eng_time_t now = eng_sim_now(w->sim);
	int bCut = veh__cred_works(w, k);
	int64_t nCamp = 0, nCust = 0;
	for (int i = 0; i < w->nCamp; i++) nCamp += w->aCamp[i].iCred == k + 1 && !w->aCamp[i].bStopped;
	json_t *jDeg = json_array();
	uint64_t held = c->tRotEnd >= 0 ? c->heldDeg : 0;  /* a rotation again while one is under way extends it */
	veh__comp_account(w);
	for (int s = 0; s < veh__svc_count(w) && c->rotation > 0; s++) {
		if (!(c->usedBy >> s & 1u)) continue;
		const veh_service *v = veh__svc_cat(w, c->iOrg, s);
		if (v->health == VEH_H_UP) veh__svc_set(w, c->iOrg, s, VEH_H_DEGRADED, v->bIsolated);
		else if (!(v->health == VEH_H_DEGRADED && ((held >> s & 1u) || held_by_other(w, k, c->iOrg, s)))) continue;
		held |= 1ull << s;
		nCust += svc_customers(w, c->iOrg, s);
		json_array_append_new(jDeg, json_string(veh__svc_label(w, s)));
	}
	c->gen++;
	c->heldDeg = held;
	int rc = veh__sched_rotate(w, k, held ? now + c->rotation : -1);
	if (rc) {
		json_decref(jDeg);
		return ky_err_set(err, rc, "rotate_credential: cannot schedule the end of the rotation");
	}
	double downS = held ? (double)c->rotation / ENG_US_PER_S : 0;
	veh__fact(w, "credential.rotated", c->zId,
	          veh__org_tag(w, c->iOrg, json_pack("{sssssIsbsIsOsfsI}", "team", zTeam ? zTeam : "", "kind", azCredKind[c->kind],
	                                             "generation", (json_int_t)c->gen, "attacker_cut", bCut, "campaigns",
	                                             (json_int_t)nCamp, "degraded", jDeg, "downtime_s", downS, "customers",
	                                             (json_int_t)nCust)));
	*result = json_pack("{sssssIsbsbsIsosfsI}", "credential", c->zId, "kind", azCredKind[c->kind], "rotations",
	                    (json_int_t)c->gen, "attacker_cut", bCut, "effective", bCut, "campaigns_cut", (json_int_t)nCamp,
	                    "degraded", jDeg, "downtime_s", downS, "customers", (json_int_t)nCust);
	return 0;
}

/* ---- harm ---------------------------------------------------------------------------------------------------- */

double veh__svcx_customer_hours(const veh_world *w, int iOrg) {
	eng_time_t now = eng_sim_now(w->sim);
	double h = 0;
	for (int k = 0; k < w->nSvcX; k++) {
		const veh_svcx *x = &w->aSvcX[k];
		if (iOrg >= 0 && x->iOrg != iOrg) continue;
		double down = (double)(x->s.downUs + (x->s.tDownSince >= 0 ? now - x->s.tDownSince : 0));
		double deg = (double)(x->degUs + (x->tDegSince >= 0 ? now - x->tDegSince : 0));
		h += (double)x->nCustomers * (down + x->degradedLoss * deg) / (3600.0 * ENG_US_PER_S);
	}
	return h;
}

double veh__customer_hours_extra(const veh_world *w, int iOrg) {
	return veh__svcx_customer_hours(w, iOrg) + veh__recall_customer_hours(w, iOrg);
}

/* ---- JSON ---------------------------------------------------------------------------------------------------- */

json_t *veh_world_services_json(const veh_world *w) {
	json_t *a = json_array();
	for (int k = 0; a && k < w->nSvcX; k++) {
		const veh_svcx *x = &w->aSvcX[k];
		json_t *o = json_pack("{sssssI}", "id", x->zId, "name", x->zName, "customers", (json_int_t)x->nCustomers);
		if (w->bOrgs) json_object_set_new(o, "org", json_string(w->aOrg[x->iOrg].zId));
		if (x->zOperator[0]) json_object_set_new(o, "operator", json_string(x->zOperator));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *mask_json(const veh_world *w, uint64_t m) {
	json_t *a = json_array();
	for (int s = 0; s < veh__svc_count(w); s++)
		if (m >> s & 1u) json_array_append_new(a, json_string(veh__svc_label(w, s)));
	return a;
}

json_t *veh_world_credentials_json(const veh_world *w) {
	json_t *a = json_array();
	for (int k = 0; a && k < w->nCred; k++) {
		const veh_cred *c = &w->aCred[k];
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:f}", "id", c->zId, "name", c->zName, "kind", azCredKind[c->kind],
		                      "held_by", c->zHeldBy, "reaches", mask_json(w, c->reach), "used_by", mask_json(w, c->usedBy),
		                      "rotation_s", (double)c->rotation / ENG_US_PER_S);
		if (w->bOrgs) json_object_set_new(o, "reaches_org", json_string(w->aOrg[c->iOrg].zId));
		json_array_append_new(a, o);
	}
	return a;
}

void veh__svcx_free(veh_world *w) {
	free(w->aSvcX);
	free(w->aCred);
	w->aSvcX = NULL, w->aCred = NULL;
	w->nSvcX = w->nCred = 0;
}
