/* assess: the SBOM ground truth in cars. The scenario query sbom.affected{} and the team action `assess` (an
 * impact assessment of a component, or a VEX statement about a vulnerability) count the cars whose current
 * firmware the SBOM store (sbom.h) says is reached, and score the team's claim against them. world.c's dispatch
 * of verbs and respond.c's of actions call in here. The rules are in docs/sbom.md. */
#include "vehicles/worldInt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Does car i run a firmware the evaluation reached? */
static int car_hit(const veh_fleet *f, const veh_sbom_eval *ev, uint32_t i) {
	for (int k = 0; k < ev->nHit; k++)
		if (f->aVer[ev->aHit[k].iEcu][i] == ev->aHit[k].ver) return 1;
	return 0;
}

/* Cars reached (of org iOrg only when >= 0; within pScope when not NULL); *pBy (may be NULL) gets {model: cars},
 * *pByOrg (may be NULL; with orgs) {org: cars}: which organisations' cars carry it. */
static int64_t count_cars(const veh_world *w, const veh_sbom_eval *ev, int iOrg, const veh_selector *pScope, json_t **pBy,
                          json_t **pByOrg) {
	const veh_fleet *f = &w->f;
	int64_t n = 0, *aByModel = calloc((size_t)f->nModel + 1, sizeof(int64_t)), aByOrg[VEH_ORG_MAX] = { 0 };
	if (!aByModel) return KY_ENOMEM;
	for (int c = 0; c < f->nCoh && ev->nHit; c++) {  /* cohort by cohort: one model, one org */
		const veh_cohort *k = &f->aCoh[c];
		if ((iOrg >= 0 && k->iOrg != iOrg) || (pScope && !pScope->aCohOk[c])) continue;
		for (uint32_t i = k->iFirst; i < k->iFirst + k->nCount; i++) {
			if ((pScope && !veh_selector_match(f, pScope, i)) || !car_hit(f, ev, i)) continue;
			n++;
			aByModel[k->iModel]++;
			aByOrg[k->iOrg]++;
		}
	}
	if (pBy) {
		*pBy = json_object();
		for (int m = 0; m < f->nModel; m++)
			if (aByModel[m]) json_object_set_new(*pBy, f->azModel[m], json_integer(aByModel[m]));
	}
	if (pByOrg) {
		*pByOrg = w->bOrgs ? json_object() : NULL;
		for (int o = 0; w->bOrgs && o < w->nOrg; o++)
			if (aByOrg[o]) json_object_set_new(*pByOrg, w->aOrg[o].zId, json_integer(aByOrg[o]));
	}
	free(aByModel);
	return n;
}

/* A selector of args.select (every car when absent) limited to org iOrg's cars (when >= 0); 0 or err. */
static int org_selector(const veh_world *w, json_t *jSel, int iOrg, veh_selector *s, ky_err *err) {
	if (veh_selector_compile(&w->f, jSel, "assess: select.", s, err)) return err->code;
	for (int c = 0; iOrg >= 0 && c < w->f.nCoh; c++) s->aCohOk[c] &= w->f.aCoh[c].iOrg == iOrg;
	return 0;
}

int64_t veh__affected(const veh_world *w, const char *zComp, json_t **pBy, ky_err *err) {
	veh_sbom_eval ev;
	int rc = veh_sbom_eval_component(w->pSb, zComp, NULL, &ev, err);
	if (rc) return rc;
	int64_t n = count_cars(w, &ev, -1, NULL, pBy, NULL);
	veh_sbom_eval_free(&ev);
	return n < 0 ? ky_err_set(err, KY_ENOMEM, "sbom: out of memory") : n;
}

/* Evaluates args.component (+ args.range) or args.vulnerability into ev; zWhere names the caller in errors. */
static int eval_args(const veh_world *w, json_t *args, const char *zWhere, veh_sbom_eval *ev, ky_err *err) {
	json_t *jComp = json_object_get(args, "component"), *jVuln = json_object_get(args, "vulnerability");
	json_t *jRange = json_object_get(args, "range");
	if (jRange && !json_is_string(jRange)) return ky_err_set(err, KY_EINVAL, "%s: range: expected a \"vers:…\" string", zWhere);
	if (jVuln) {
		if (!json_is_string(jVuln) || !*json_string_value(jVuln))
			return ky_err_set(err, KY_EINVAL, "%s: vulnerability: expected an id such as \"CVE-2022-3602\"", zWhere);
		return veh_sbom_eval_vulnerability(w->pSb, json_string_value(jVuln), ev, err);
	}
	if (!json_is_string(jComp))
		return ky_err_set(err, KY_EINVAL, "%s: component: required (name@version, group/name@version or a purl), or vulnerability",
		                  zWhere);
	int rc = veh_sbom_eval_component(w->pSb, json_string_value(jComp), json_string_value(jRange), ev, err);
	return rc ? ky_err_prefix(err, "%s: component", zWhere) : 0;
}

int veh__sbom_query(veh_world *w, const char *zVerb, json_t *args, json_t **result, ky_err *err) {
	veh_sbom_eval ev;
	json_t *by = NULL, *byOrg = NULL;
	int o = -1;
	if (json_object_get(args, "org") && veh__arg_org(w, args, zVerb, &o, err)) return err->code;
	int rc = eval_args(w, args, zVerb, &ev, err);
	if (rc) return rc;
	int64_t n = count_cars(w, &ev, o, NULL, &by, &byOrg);
	if (n < 0) {
		veh_sbom_eval_free(&ev);
		return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zVerb);
	}
	*result = json_pack("{sIso}", "cars", (json_int_t)n, "by_model", by);
	if (byOrg) json_object_set_new(*result, "by_org", byOrg);
	json_object_update(*result, ev.detail);
	veh_sbom_eval_free(&ev);
	return 0;
}

/* ---- assess: a component ------------------------------------------------------------------------------- */

static int assess_component(veh_world *w, int iOrg, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	json_t *jN = json_object_get(args, "affected"), *jSel = json_object_get(args, "select"), *by = NULL, *byOrg = NULL;
	int64_t claimed;
	if (jN) {
		if (!veh__count(jN, &claimed))
			return ky_err_set(err, KY_EINVAL, "%s: affected: expected a non-negative integer (count of cars)", zKind);
	} else if (jSel) {
		veh_selector s;
		if (org_selector(w, jSel, iOrg, &s, err)) return err->code;
		claimed = veh_selector_count(&w->f, &s);
		veh_selector_free(&s);
	} else {
		claimed = -1;  /* qualitative: no count claimed */
	}
	veh_sbom_eval ev;
	int rc = eval_args(w, args, zKind, &ev, err);
	if (rc) return rc;
	int64_t truth = count_cars(w, &ev, iOrg, NULL, &by, &byOrg);
	if (truth < 0) {
		veh_sbom_eval_free(&ev);
		return ky_err_set(err, KY_ENOMEM, "%s: out of memory", zKind);
	}
	if (claimed < 0) {
		*result = json_pack("{sIsnso}", "truth", (json_int_t)truth, "claimed", "by_model", by);
	} else {
		double e = fabs((double)(claimed - truth)) / (double)(truth > 0 ? truth : 1);
		*result = json_pack("{sIsIsfso}", "truth", (json_int_t)truth, "claimed", (json_int_t)claimed, "error", e, "by_model", by);
	}
	if (byOrg) json_object_set_new(*result, "by_org", byOrg);
	json_object_update(*result, ev.detail);
	veh_sbom_eval_free(&ev);
	return 0;
}

/* ---- assess: a vulnerability (a VEX statement) ------------------------------------------------------------ */

/* The statuses a team may give, as VEX (CISA minimum elements) and CycloneDX analysis states name them; the
 * names are also the action table's enum (vehicles/action.c). */
const char *const veh__vex_statuses[] = { "affected", "not_affected", "fixed", "under_investigation", "exploitable",
                                          "false_positive", "resolved", "in_triage", NULL };
static const struct {
	const char *zStatus, *zState;
} aStatus[] = {   /* by index of veh__vex_statuses */
	{ "affected", "exploitable" },  { "not_affected", "not_affected" }, { "fixed", "resolved" },
	{ "under_investigation", "in_triage" }, { "affected", "exploitable" }, { "not_affected", "false_positive" },
	{ "fixed", "resolved" },        { "under_investigation", "in_triage" },
};

/* CycloneDX justifications, and the CISA / OpenVEX names a team may use for them. */
const char *const veh__vex_justifications[] = {
	"code_not_present", "code_not_reachable", "requires_configuration", "requires_dependency", "requires_environment",
	"protected_by_compiler", "protected_at_runtime", "protected_at_perimeter", "protected_by_mitigating_control",
	"component_not_present", "vulnerable_code_not_present", "vulnerable_code_not_in_execute_path",
	"vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist", NULL };
static const char *const azJustCdx[] = {   /* by index of veh__vex_justifications */
	"code_not_present", "code_not_reachable", "requires_configuration", "requires_dependency", "requires_environment",
	"protected_by_compiler", "protected_at_runtime", "protected_at_perimeter", "protected_by_mitigating_control",
	"code_not_present", "code_not_present", "code_not_reachable", "requires_environment", "protected_by_mitigating_control",
};

const char *const veh__vex_responses[] = { "can_not_fix", "will_not_fix", "update", "rollback", "workaround_available", NULL };

static int index_of(const char *const *az, const char *z) {
	for (int i = 0; z && az[i]; i++)
		if (!strcmp(az[i], z)) return i;
	return -1;
}

/* The statement's fields: status (and CycloneDX state), justification, response, detail, into o. */
static int statement_fields(json_t *args, const char *zKind, json_t *o, const char **pzStatus, ky_err *err) {
	const char *zIn = json_string_value(json_object_get(args, "status")), *zJust = json_string_value(json_object_get(args, "justification"));
	json_t *jResp = json_object_get(args, "response"), *jDetail = json_object_get(args, "detail"), *v;
	size_t i;
	int k = index_of(veh__vex_statuses, zIn);
	if (k < 0) return ky_err_set(err, KY_EINVAL, "%s: status: expected affected, not_affected, fixed or under_investigation", zKind);
	*pzStatus = aStatus[k].zStatus;
	json_object_set_new(o, "status", json_string(aStatus[k].zStatus));
	json_object_set_new(o, "state", json_string(aStatus[k].zState));
	if (json_object_get(args, "justification")) {
		if ((k = index_of(veh__vex_justifications, zJust)) < 0)
			return ky_err_set(err, KY_EINVAL, "%s: justification: expected code_not_present, code_not_reachable, requires_configuration, "
			                  "requires_dependency, requires_environment, protected_by_compiler, protected_at_runtime, "
			                  "protected_at_perimeter or protected_by_mitigating_control", zKind);
		json_object_set_new(o, "justification", json_string(azJustCdx[k]));
	}
	if (jDetail && !json_is_string(jDetail)) return ky_err_set(err, KY_EINVAL, "%s: detail: expected text", zKind);
	if (!strcmp(*pzStatus, "not_affected") && !json_object_get(o, "justification") && !(jDetail && *json_string_value(jDetail)))
		return ky_err_set(err, KY_EINVAL, "%s: a not_affected statement needs a justification (code_not_present, code_not_reachable, "
		                  "…) or a detail (the impact statement)", zKind);
	if (jDetail) json_object_set(o, "detail", jDetail);
	if (!jResp) return 0;
	json_t *a = json_is_string(jResp) ? json_pack("[O]", jResp) : json_incref(jResp);
	int bOk = json_is_array(a) && json_array_size(a) > 0;
	json_array_foreach(a, i, v) bOk &= index_of(veh__vex_responses, json_string_value(v)) >= 0;
	if (!bOk) {
		json_decref(a);
		return ky_err_set(err, KY_EINVAL, "%s: response: expected one or more of can_not_fix, will_not_fix, update, rollback, "
		                  "workaround_available", zKind);
	}
	json_object_set_new(o, "response", a);
	return 0;
}

typedef struct product {
	int iEcu;
	uint32_t ver;
	int64_t nCars;
} product;

static int product_cmp(const void *a, const void *b) {
	const product *x = a, *y = b;
	return x->iEcu != y->iEcu ? (x->iEcu < y->iEcu ? -1 : 1) : x->ver != y->ver ? (x->ver < y->ver ? -1 : 1) : 0;
}

/* The products a statement covers: the firmware with an SBOM that the cars in scope run (only select.ecu when
 * given), sorted by ECU and version: [{"ecu","version","cars","affected"}]. Counts the cars in scope (*pCovered) and
 * among them those that run an affected product of the statement (*pCovAff): a statement about the gateway's
 * firmware is about the gateway, whatever else the car runs. */
static json_t *products_json(const veh_world *w, const veh_selector *sel, const veh_sbom_eval *ev, int64_t *pCovered,
                             int64_t *pCovAff) {
	const veh_fleet *f = &w->f;
	product *a = NULL;
	int n = 0;
	*pCovered = *pCovAff = 0;
	for (uint32_t i = 0; i < f->n; i++) {
		if (sel && !veh_selector_match(f, sel, i)) continue;
		(*pCovered)++;
		int bHit = 0;
		for (int e = 0; e < VEH_ECU_N; e++) {
			uint32_t v = f->aVer[e][i];
			if (v == VEH_VER_NONE || (sel && sel->iEcu >= 0 && sel->iEcu != e) || !veh_sbom_has_firmware(w->pSb, e, v)) continue;
			for (int h = 0; h < ev->nHit && !bHit; h++) bHit = ev->aHit[h].iEcu == e && ev->aHit[h].ver == v;
			int k;
			for (k = 0; k < n && !(a[k].iEcu == e && a[k].ver == v); k++) {}
			if (k == n) {
				product *p = realloc(a, (size_t)(n + 1) * sizeof *a);
				if (!p) continue;
				a = p;
				a[n++] = (product){ e, v, 0 };
			}
			a[k].nCars++;
		}
		*pCovAff += bHit;
	}
	qsort(a, (size_t)n, sizeof *a, product_cmp);
	json_t *arr = json_array();
	char z[32];
	for (int k = 0; k < n; k++) {
		int bAff = 0;
		for (int h = 0; h < ev->nHit; h++) bAff |= ev->aHit[h].iEcu == a[k].iEcu && ev->aHit[h].ver == a[k].ver;
		json_array_append_new(arr, json_pack("{sssssIsb}", "ecu", veh_ecu_name(a[k].iEcu), "version",
		                                     veh_version_format(a[k].ver, z, sizeof z), "cars", (json_int_t)a[k].nCars, "affected", bAff));
	}
	free(a);
	return arr;
}

static int assess_vulnerability(veh_world *w, int iOrg, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	json_t *o = json_object(), *jSel = json_object_get(args, "select"), *jN = json_object_get(args, "affected"), *by = NULL;
	const char *zStatus = NULL;
	int64_t claimed = -1, covered, covAff;
	veh_selector sel;
	veh_sbom_eval ev;
	int rc = statement_fields(args, zKind, o, &zStatus, err);
	if (!rc && jN && !veh__count(jN, &claimed))
		rc = ky_err_set(err, KY_EINVAL, "%s: affected: expected a non-negative integer (count of cars)", zKind);
	int bSel = jSel || iOrg >= 0;  /* an OEM's team: its own cars, with or without a selector */
	if (!rc && bSel && org_selector(w, jSel, iOrg, &sel, err)) rc = err->code;
	if (rc) {
		json_decref(o);
		return rc;
	}
	rc = eval_args(w, args, zKind, &ev, err);
	if (rc) {
		if (bSel) veh_selector_free(&sel);
		json_decref(o);
		return rc;
	}
	int64_t truth = count_cars(w, &ev, iOrg, NULL, &by, NULL);
	json_t *products = products_json(w, bSel ? &sel : NULL, &ev, &covered, &covAff);
	if (bSel) veh_selector_free(&sel);
	int bAffected = !strcmp(zStatus, "affected"), bClear = !strcmp(zStatus, "not_affected") || !strcmp(zStatus, "fixed");
	if (claimed < 0) claimed = bAffected ? covered : bClear ? 0 : -1;
	json_object_set(o, "vulnerability", json_object_get(args, "vulnerability"));
	json_object_set(o, "known", json_object_get(ev.detail, "known"));
	json_object_set_new(o, "truth", json_integer(truth));
	json_object_set_new(o, "covered", json_integer(covered));
	json_object_set_new(o, "covered_affected", json_integer(covAff));
	json_object_set_new(o, "correct", bAffected ? json_boolean(covAff > 0) : bClear ? json_boolean(covAff == 0) : json_null());
	json_object_set_new(o, "wrong_not_affected", json_boolean(bClear && covAff > 0));
	if (claimed >= 0) {   /* against the cars the statement's products put at risk (the whole truth without select) */
		json_object_set_new(o, "claimed", json_integer(claimed));
		json_object_set_new(o, "error", json_real(fabs((double)(claimed - covAff)) / (double)(covAff > 0 ? covAff : 1)));
	}
	json_object_set_new(o, "products", products);
	json_object_set_new(o, "by_model", by);
	json_object_set(o, "firmware", json_object_get(ev.detail, "firmware"));
	json_object_set(o, "components", json_object_get(ev.detail, "components"));
	veh_sbom_eval_free(&ev);
	*result = o;
	return 0;
}

int veh__assess(veh_world *w, int iOrg, const char *zKind, json_t *args, json_t **result, ky_err *err) {
	if (json_object_get(args, "vulnerability")) return assess_vulnerability(w, iOrg, zKind, args, result, err);
	return assess_component(w, iOrg, zKind, args, result, err);
}
