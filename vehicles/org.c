/* org: the organisations of a drill (CONTRACT §2 orgs{}): OEMs with their fleets and backends, suppliers, the ISAC,
 * SOCs, regulators; the implicit organisation of a drill that declares none; per-org and total metrics. What an org
 * holds and why: the notes in worldInt.h; its numbers and rules: docs/world-model.md §8. */
#include "vehicles/worldInt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const azKind[VEH_ORG_KIND_N] = { "oem", "supplier", "isac", "soc", "regulator" };

const char *veh__org_kind_name(int kind) { return kind >= 0 && kind < VEH_ORG_KIND_N ? azKind[kind] : "?"; }

static int kind_index(const char *z) {
	for (int i = 0; z && i < VEH_ORG_KIND_N; i++)
		if (!strcmp(z, azKind[i])) return i;
	return -1;
}

/* An org with every service up and nothing pending. */
static void org_init(veh_org *o, int kind) {
	memset(o, 0, sizeof *o);
	o->kind = kind;
	o->ingest = -1;
	for (int s = 0; s < VEH_SVC_N; s++) o->aSvc[s].tDownSince = -1;
	for (int c = 0; c < VEH_CAMP_MAX; c++) o->aBlockAt[c] = -1;
}

void veh__org_fresh(const veh_org *src, veh_org *dst) {
	org_init(dst, src->kind);
	memcpy(dst->zId, src->zId, sizeof dst->zId);
	memcpy(dst->zName, src->zName, sizeof dst->zName);
	dst->ingest = src->ingest;
	dst->nCars = src->nCars;
}

/* Appends a new org; its index or KY_ENOMEM / KY_ELIMIT. */
static int org_new(veh_world *w, ky_err *err) {
	if (w->nOrg >= VEH_ORG_MAX) return ky_err_set(err, KY_ELIMIT, "orgs: more than %d organisations", VEH_ORG_MAX);
	veh_org *a = realloc(w->aOrg, (size_t)(w->nOrg + 1) * sizeof *a);
	if (!a) return ky_err_set(err, KY_ENOMEM, "orgs: out of memory");
	w->aOrg = a;
	org_init(&a[w->nOrg], VEH_ORG_OEM);
	return w->nOrg++;
}

int veh__org_implicit(veh_world *w, ky_err *err) {
	assert(w->nOrg == 0);
	return org_new(w, err) < 0 ? err->code : 0;
}

int veh_world_add_org(veh_world *w, json_t *org, ky_err *err) {
	const char *zId, *zName, *zKind;
	if (w->bStarted) return ky_err_set(err, KY_ESTATE, "orgs: cannot add an organisation after the world started");
	if (w->f.nCoh > 0 && !w->bOrgs)
		return ky_err_set(err, KY_ESTATE, "orgs: declare the organisations before the fleet (its cohorts name them)");
	if (!json_is_object(org)) return ky_err_set(err, KY_EINVAL, "orgs: expected { id = ..., kind = ... }");
	if (veh__arg_string(org, "id", NULL, "orgs", &zId, err)) return err->code;
	size_t n = strlen(zId);
	if (n > 32) return ky_err_set(err, KY_EINVAL, "orgs: id '%s': at most 32 characters", zId);
	for (const char *p = zId; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return ky_err_set(err, KY_EINVAL, "orgs: id '%s': use lowercase letters, digits, '_' or '-'", zId);
	if (veh_fleet_org_index(&w->f, zId) >= 0) return ky_err_set(err, KY_EINVAL, "orgs: id '%s' declared twice", zId);
	if (veh__arg_string(org, "name", zId, zId, &zName, err)) return err->code;
	if (veh__arg_string(org, "kind", NULL, zId, &zKind, err)) return err->code;
	int kind = kind_index(zKind);
	if (kind < 0)
		return ky_err_set(err, KY_ENOENT, "%s: kind: unknown kind '%s' (known: oem, supplier, isac, soc, regulator)", zId,
		                  zKind);
	eng_time_t ingest = -1;
	if (json_object_get(org, "ingest") && veh__arg_time(org, "ingest", -1, zId, &ingest, err)) return err->code;
	if (json_object_get(org, "ingest") && (ingest < 0 || ingest > ENG_S(7 * 86400)))
		return ky_err_set(err, KY_EINVAL, "%s: ingest: must be 0 .. 7 days", zId);
	int iOrg = w->bOrgs ? org_new(w, err) : 0;  /* the first declared org takes the implicit one's place */
	if (iOrg < 0) return iOrg;
	int iName = veh_fleet_org_add(&w->f, zId);
	if (iName != iOrg) {
		if (iOrg > 0) w->nOrg--;
		return ky_err_set(err, iName < 0 ? iName : KY_ENOMEM, "orgs: cannot add '%s'", zId);
	}
	veh__config_note(w, "org", org);
	veh_org *o = &w->aOrg[iOrg];
	org_init(o, kind);
	snprintf(o->zId, sizeof o->zId, "%s", zId);
	snprintf(o->zName, sizeof o->zName, "%s", zName);
	o->kind = kind;
	o->ingest = ingest;
	w->bOrgs = 1;
	return 0;
}

int veh__org_index(const veh_world *w, const char *zId) {
	if (!w->bOrgs) return -1;
	return veh_fleet_org_index(&w->f, zId);
}

int veh__org_has_fleet(const veh_world *w, int iOrg) {
	return iOrg >= 0 && iOrg < w->nOrg && w->aOrg[iOrg].kind == VEH_ORG_OEM;
}

/* "a, b, c": the ids of the orgs of kind (any kind when < 0). */
static void org_list(const veh_world *w, int kind, char *z, size_t n) {
	size_t k = 0;
	z[0] = 0;
	for (int o = 0; o < w->nOrg && k + 40 < n; o++)
		if (kind < 0 || w->aOrg[o].kind == kind) k += (size_t)snprintf(z + k, n - k, "%s%s", k ? ", " : "", w->aOrg[o].zId);
}

int veh__arg_org(const veh_world *w, json_t *args, const char *zWhere, int *piOrg, ky_err *err) {
	json_t *v = json_object_get(args, "org");
	char zList[400];
	if (!w->bOrgs) {
		if (v) return ky_err_set(err, KY_EINVAL, "%s: org: this drill declares no organisations (orgs { ... })", zWhere);
		*piOrg = 0;
		return 0;
	}
	if (v) {
		int o = json_is_string(v) ? veh__org_index(w, json_string_value(v)) : -1;
		if (o >= 0) {
			*piOrg = o;
			return 0;
		}
		org_list(w, -1, zList, sizeof zList);
		if (!json_is_string(v)) return ky_err_set(err, KY_EINVAL, "%s: org: expected an organisation id (%s)", zWhere, zList);
		return ky_err_set(err, KY_ENOENT, "%s: org: unknown organisation '%s' (known: %s)", zWhere, json_string_value(v),
		                  zList);
	}
	int iOnly = -1, nOem = 0;
	for (int o = 0; o < w->nOrg; o++)
		if (w->aOrg[o].kind == VEH_ORG_OEM) iOnly = o, nOem++;
	if (nOem == 1) {
		*piOrg = iOnly;
		return 0;
	}
	org_list(w, VEH_ORG_OEM, zList, sizeof zList);
	return ky_err_set(err, KY_EINVAL, "%s: org: required: whose backend (%s)", zWhere, nOem ? zList : "no OEM declared");
}

json_t *veh__org_tag(const veh_world *w, int iOrg, json_t *detail) {
	if (w->bOrgs && detail && iOrg >= 0 && iOrg < w->nOrg) json_object_set_new(detail, "org", json_string(w->aOrg[iOrg].zId));
	return detail;
}

/* ---- metrics --------------------------------------------------------------------------------------------- */

static void counts_add(veh_counts *t, const veh_counts *c) {
	t->nComp += c->nComp, t->nOffline += c->nOffline, t->nBricked += c->nBricked, t->nPatched += c->nPatched;
	t->nRevoked += c->nRevoked;
	for (int k = 0; k <= VEH_OTA_FAILED; k++) t->aOtaN[k] += c->aOtaN[k];
	t->compCarUs += c->compCarUs;
	t->nRecords += c->nRecords, t->nUnsafe += c->nUnsafe, t->nCustomers += c->nCustomers, t->nCheckins += c->nCheckins;
	t->nAlerts += c->nAlerts, t->nFalseQueued += c->nFalseQueued, t->nIncidents += c->nIncidents, t->nCmd += c->nCmd;
	t->nCmdFailed += c->nCmdFailed, t->nRecvTrue += c->nRecvTrue, t->nRecvFalse += c->nRecvFalse;
	t->cmdFrac += c->cmdFrac, t->pkiFrac += c->pkiFrac, t->nRevokedWaiting += c->nRevokedWaiting;
}

void veh__totals(const veh_world *w, veh_counts *out) {
	if (w->nOrg == 1) {  /* the common case, and the exact same doubles as one org's */
		*out = w->aOrg[0].c;
		return;
	}
	memset(out, 0, sizeof *out);
	for (int o = 0; o < w->nOrg; o++) counts_add(out, &w->aOrg[o].c);
}

/* Service downtime of org o up to now, in microseconds. */
static eng_time_t org_downtime(const veh_world *w, int o, eng_time_t now) {
	eng_time_t down = 0;
	for (int s = 0; s < VEH_SVC_N; s++) {
		const veh_service *v = &w->aOrg[o].aSvc[s];
		down += v->downUs + (v->tDownSince >= 0 ? now - v->tDownSince : 0);
	}
	return down;
}

void veh__metrics(const veh_world *w, int iOrg, veh_metrics *m) {
	veh_counts c;
	eng_time_t now = eng_sim_now(w->sim), down = 0;
	int64_t nCars = 0, nQueued = 0;
	if (iOrg >= 0) {
		c = w->aOrg[iOrg].c;
		nCars = w->aOrg[iOrg].nCars;
	} else {
		veh__totals(w, &c);
		nCars = w->f.n;
	}
	for (int o = 0; o < w->nOrg; o++) {
		if (iOrg >= 0 && o != iOrg) continue;
		if (veh__org_has_fleet(w, o)) down += org_downtime(w, o, now);
		for (int k = 0; k < w->nCamp; k++) nQueued += w->aOrg[o].aQueued[k];
	}
	for (int k = 0; k < w->nSvcX; k++) {  /* declared services count for their org */
		const veh_service *v = &w->aSvcX[k].s;
		if (iOrg < 0 || w->aSvcX[k].iOrg == iOrg) down += v->downUs + (v->tDownSince >= 0 ? now - v->tDownSince : 0);
	}
	memset(m, 0, sizeof *m);
	m->total = nCars;
	m->patched = c.nPatched;
	m->revoked = c.nRevoked;
	m->ota_offered = c.aOtaN[VEH_OTA_OFFERED];
	m->ota_downloading = c.aOtaN[VEH_OTA_DOWNLOADING];
	m->ota_installing = c.aOtaN[VEH_OTA_INSTALLING];
	m->ota_done = c.aOtaN[VEH_OTA_DONE];
	m->ota_failed = c.aOtaN[VEH_OTA_FAILED];
	m->compromised = c.nComp;
	m->bricked = c.nBricked;
	m->offline = c.nOffline;
	m->clean = m->total - m->compromised - m->bricked;
	m->records_exfiltrated = c.nRecords;
	m->unsafe_events = c.nUnsafe;
	m->customers_affected = c.nCustomers;
	double us = c.compCarUs + (now > w->tCompLast ? (double)c.nComp * (double)(now - w->tCompLast) : 0);
	m->compromised_car_hours = us / (3600.0 * ENG_US_PER_S);
	m->service_downtime_s = (double)down / ENG_US_PER_S;
	m->alerts = c.nAlerts + c.nRecvTrue + c.nRecvFalse;
	m->alerts_queued = c.nFalseQueued + nQueued;
	m->incidents = c.nIncidents;
	m->checkins = c.nCheckins;
	m->remote_commands = c.nCmd;
	m->remote_commands_failed = c.nCmdFailed;
	m->services_customer_hours = veh__svcx_customer_hours(w, iOrg);
	m->recall_customer_hours = veh__recall_customer_hours(w, iOrg);
	m->recall_visits = veh__recall_visits(w, iOrg);
}

void veh_world_metrics(const veh_world *w, veh_metrics *m) { veh__metrics(w, -1, m); }

int veh_world_org_metrics(const veh_world *w, const char *zOrg, veh_metrics *m) {
	int o = veh__org_index(w, zOrg);
	if (o < 0) return KY_ENOENT;
	veh__metrics(w, o, m);
	return 0;
}

/* The health a service shows: isolated reads "down". */
static int shown_health(const veh_service *v) { return v->bIsolated ? VEH_H_DOWN : v->health; }

/* How bad a shown health is, for the totals' summary of several backends: up < degraded < compromised < down. */
static int badness(int h) { return h == VEH_H_UP ? 0 : h == VEH_H_DEGRADED ? 1 : h == VEH_H_COMPROMISED ? 2 : 3; }

static json_t *metrics_obj(const veh_metrics *m) {
	json_t *o = json_object();
#define MI(name) json_object_set_new(o, #name, json_integer(m->name))
	MI(total); MI(clean); MI(compromised); MI(patched); MI(offline); MI(bricked); MI(revoked);
	MI(records_exfiltrated); MI(unsafe_events); MI(customers_affected);
	MI(alerts); MI(alerts_queued); MI(incidents); MI(checkins); MI(remote_commands); MI(remote_commands_failed);
	MI(ota_offered); MI(ota_downloading); MI(ota_installing); MI(ota_done); MI(ota_failed); MI(recall_visits);
#undef MI
	json_object_set_new(o, "compromised_car_hours", json_real(m->compromised_car_hours));
	json_object_set_new(o, "service_downtime_s", json_real(m->service_downtime_s));
	json_object_set_new(o, "services_customer_hours", json_real(m->services_customer_hours));
	json_object_set_new(o, "recall_customer_hours", json_real(m->recall_customer_hours));
	return o;
}

/* {"telematics":"up",...} of org iOrg, or for the world (iOrg < 0) each service's worst shown health over the OEMs. */
static json_t *services_obj(const veh_world *w, int iOrg) {
	json_t *svc = json_object();
	for (int s = 0; s < VEH_SVC_N; s++) {
		int h = -1;
		for (int o = 0; o < w->nOrg; o++) {
			if ((iOrg >= 0 && o != iOrg) || (iOrg < 0 && !veh__org_has_fleet(w, o))) continue;
			int x = shown_health(&w->aOrg[o].aSvc[s]);
			if (h < 0 || badness(x) > badness(h)) h = x;
		}
		if (h >= 0) json_object_set_new(svc, veh__svc_name(s), json_string(veh__health_name(h)));
	}
	for (int k = 0; k < w->nSvcX; k++)  /* declared services: the org's own (every one in the world's view) */
		if (iOrg < 0 || w->aSvcX[k].iOrg == iOrg)
			json_object_set_new(svc, w->aSvcX[k].zId, json_string(veh__health_name(shown_health(&w->aSvcX[k].s))));
	return svc;
}

/* Flagged cars of org iOrg (all orgs when < 0). */
static int64_t flagged(const veh_world *w, int iOrg) {
	int64_t n = 0;
	for (int o = 0; o < w->nOrg; o++)
		if (iOrg < 0 || o == iOrg) n += w->aOrg[o].c.nFlagged;
	return n;
}

/* The OTA server's campaigns as its console lists them (of org iOrg's server, every server's when < 0; bTruth: and
 * which are malicious). */
static json_t *ota_list(const veh_world *w, int iOrg, int bTruth) {
	json_t *a = json_array();
	char z[32];
	for (int o = 0; a && o < w->nOta; o++) {
		const veh_ota_camp *c = &w->aOta[o];
		if (iOrg >= 0 && c->iOrg != iOrg) continue;
		json_t *e = json_pack("{sisssssIsIsIsIsb}", "campaign", o + 1, "ecu", veh_ecu_name(c->iEcu), "version",
		                      veh_version_format(c->ver, z, sizeof z), "targeted", (json_int_t)c->nTarget, "offered",
		                      (json_int_t)c->nOffered, "done", (json_int_t)c->nDone, "failed", (json_int_t)c->nFailed,
		                      "paused", c->bPaused);
		if (e && w->bOrgs && iOrg < 0) json_object_set_new(e, "org", json_string(w->aOrg[c->iOrg].zId));
		if (e && bTruth) json_object_set_new(e, "malicious", json_boolean(c->iAttack >= 0));
		json_array_append_new(a, e);
	}
	return a;
}

/* The truth of org iOrg (the world when < 0), without the per-org breakdown. */
static json_t *truth_obj(const veh_world *w, int iOrg) {
	veh_metrics m;
	veh__metrics(w, iOrg, &m);
	json_t *j = metrics_obj(&m);
	json_object_set_new(j, "services", services_obj(w, iOrg >= 0 ? iOrg : w->bOrgs ? -1 : 0));
	json_object_set_new(j, "observed_compromised", json_integer(flagged(w, iOrg)));
	json_object_set_new(j, "ota_campaigns", ota_list(w, iOrg, 1));
	if (w->nCred) json_object_set_new(j, "credentials", veh__credentials_json(w, iOrg, 1));
	return j;
}

json_t *veh_world_org_metrics_json(const veh_world *w, const char *zOrg) {
	int o = veh__org_index(w, zOrg);
	if (o < 0) return NULL;
	json_t *j = truth_obj(w, o);
	json_object_set_new(j, "org", json_string(w->aOrg[o].zId));
	return j;
}

/* A compromised service of org o (or declared service s, whose org is o) is seen as such once its VSOC has opened an
 * incident for an attack that entered through that service; until then its monitoring shows it up (or
 * degraded/down when it is). */
static int observed_health(const veh_world *w, int o, int s) {
	const veh_service *v = veh__svc_cat(w, o, s);
	if (v->bIsolated) return VEH_H_DOWN;
	if (v->health != VEH_H_COMPROMISED) return v->health;
	for (int c = 0; c < w->nCamp; c++)
		if (w->aCamp[c].entry == VEH_ENTRY_SVC + s && w->aOrg[o].aIncident[c]) return VEH_H_COMPROMISED;
	return VEH_H_UP;
}

/* What org iOrg observes (every org together when < 0: the ISAC's aggregate view). */
static json_t *observed_obj(const veh_world *w, int iOrg) {
	veh_metrics m;
	veh__metrics(w, iOrg, &m);
	int64_t nFlagged = flagged(w, iOrg);
	json_t *o = json_object(), *svc = json_object();
#define MI(name) json_object_set_new(o, #name, json_integer(m.name))
	MI(total); MI(patched); MI(offline); MI(bricked); MI(revoked); MI(customers_affected);
	MI(alerts); MI(alerts_queued); MI(incidents); MI(checkins); MI(remote_commands); MI(remote_commands_failed);
	MI(ota_offered); MI(ota_downloading); MI(ota_installing); MI(ota_done); MI(ota_failed); MI(recall_visits);
#undef MI
	assert(nFlagged >= 0 && nFlagged <= m.compromised);
	json_object_set_new(o, "compromised", json_integer(nFlagged));
	json_object_set_new(o, "clean", json_integer(m.total - nFlagged - m.bricked));
	json_object_set_new(o, "service_downtime_s", json_real(m.service_downtime_s));
	for (int s = 0; s < VEH_SVC_N; s++) {
		int h = -1;
		for (int k = 0; k < w->nOrg; k++) {
			if ((iOrg >= 0 && k != iOrg) || (iOrg < 0 && !veh__org_has_fleet(w, k))) continue;
			int x = observed_health(w, k, s);
			if (h < 0 || badness(x) > badness(h)) h = x;
		}
		if (h >= 0) json_object_set_new(svc, veh__svc_name(s), json_string(veh__health_name(h)));
	}
	for (int k = 0; k < w->nSvcX; k++)
		if (iOrg < 0 || w->aSvcX[k].iOrg == iOrg)
			json_object_set_new(svc, w->aSvcX[k].zId, json_string(veh__health_name(observed_health(w, w->aSvcX[k].iOrg, VEH_SVC_N + k))));
	json_object_set_new(o, "services", svc);
	json_object_set_new(o, "ota_campaigns", ota_list(w, iOrg, 0));
	if (w->nCred) json_object_set_new(o, "credentials", veh__credentials_json(w, iOrg, 0));
	json_object_set_new(o, "services_customer_hours", json_real(m.services_customer_hours));
	json_object_set_new(o, "recall_customer_hours", json_real(m.recall_customer_hours));
	json_object_set_new(o, "observed", json_true());
	return o;
}

json_t *veh_world_observed_json(const veh_world *w) { return observed_obj(w, w->bOrgs ? -1 : 0); }

json_t *veh_world_org_observed_json(const veh_world *w, const char *zOrg) {
	int o = veh__org_index(w, zOrg);
	if (o < 0) return NULL;
	json_t *j = observed_obj(w, o);
	json_object_set_new(j, "org", json_string(w->aOrg[o].zId));
	return j;
}

json_t *veh_world_metrics_json(const veh_world *w) {
	json_t *o = truth_obj(w, -1);
	if (w->bOrgs) {
		json_t *orgs = json_object();
		for (int k = 0; k < w->nOrg; k++) {
			json_t *j = veh_world_org_metrics_json(w, w->aOrg[k].zId);
			json_object_del(j, "org");
			json_object_set_new(orgs, w->aOrg[k].zId, j);
		}
		json_object_set_new(o, "orgs", orgs);
	}
	return o;
}

json_t *veh_world_orgs_json(const veh_world *w) {
	json_t *a = json_array();
	for (int o = 0; w->bOrgs && o < w->nOrg; o++) {
		const veh_org *g = &w->aOrg[o];
		json_t *j = json_pack("{s:s,s:s,s:s,s:I}", "id", g->zId, "name", g->zName, "kind", veh__org_kind_name(g->kind), "cars",
		                      (json_int_t)g->nCars);
		if (g->ingest >= 0) json_object_set_new(j, "ingest_s", json_real((double)g->ingest / ENG_US_PER_S));
		json_array_append_new(a, j);
	}
	return a;
}

int veh_world_org_info(const veh_world *w, const char *zOrg, const char **pzKind, int *pbFleet) {
	int o = veh__org_index(w, zOrg);
	if (o < 0) return KY_ENOENT;
	if (pzKind) *pzKind = veh__org_kind_name(w->aOrg[o].kind);
	if (pbFleet) *pbFleet = veh__org_has_fleet(w, o);
	return 0;
}

int veh_world_has_orgs(const veh_world *w) { return w->bOrgs; }
