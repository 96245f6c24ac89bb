/* sbom: see sbom.h. */
#include "vehicles/sbom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void veh_sbom_init(veh_sbom *s) { memset(s, 0, sizeof *s); }

void veh_sbom_clear(veh_sbom *s) {
	for (int i = 0; i < s->nComp; i++) free(s->azComp[i]);
	for (int i = 0; i < s->nEnt; i++) free(s->aEnt[i].aComp);
	free(s->azComp);
	free(s->aEnt);
	memset(s, 0, sizeof *s);
}

static int comp_id(veh_sbom *s, const char *z) {
	for (int i = 0; i < s->nComp; i++)
		if (strcmp(s->azComp[i], z) == 0) return i;
	char **az = realloc(s->azComp, (size_t)(s->nComp + 1) * sizeof *az);
	if (!az) return KY_ENOMEM;
	s->azComp = az;
	if (!(az[s->nComp] = strdup(z))) return KY_ENOMEM;
	return s->nComp++;
}

static veh_sbom_entry *entry_get(veh_sbom *s, int iEcu, uint32_t ver) {
	for (int i = 0; i < s->nEnt; i++)
		if (s->aEnt[i].iEcu == iEcu && s->aEnt[i].ver == ver) return &s->aEnt[i];
	veh_sbom_entry *a = realloc(s->aEnt, (size_t)(s->nEnt + 1) * sizeof *a);
	if (!a) return NULL;
	s->aEnt = a;
	memset(&a[s->nEnt], 0, sizeof a[0]);
	a[s->nEnt].iEcu = iEcu;
	a[s->nEnt].ver = ver;
	return &a[s->nEnt++];
}

static int entry_add(veh_sbom *s, veh_sbom_entry *e, const char *zComp) {
	int id = comp_id(s, zComp);
	if (id < 0) return id;
	for (int i = 0; i < e->nComp; i++)
		if (e->aComp[i] == id) return 0;
	int *a = realloc(e->aComp, (size_t)(e->nComp + 1) * sizeof *a);
	if (!a) return KY_ENOMEM;
	e->aComp = a;
	a[e->nComp++] = id;
	return 0;
}

/* "name@version" with both parts non-empty and no spaces. */
static int comp_valid(const char *z) {
	const char *at = strchr(z, '@');
	return at && at != z && at[1] && !strchr(z, ' ');
}

int veh_sbom_add_json(veh_sbom *s, json_t *sbom, ky_err *err) {
	const char *zEcu, *zVer;
	json_t *jVers, *jList, *jItem;
	size_t idx;
	if (!json_is_object(sbom)) return ky_err_set(err, KY_EINVAL, "sbom: expected {ECU: {VERSION: [\"name@version\", ...]}}");
	/* validate everything first so that an error adds nothing */
	json_object_foreach(sbom, zEcu, jVers) {
		if (veh_ecu_index(zEcu) < 0)
			return ky_err_set(err, KY_ENOENT, "sbom: unknown ECU '%s' (known: tcu, gw, ivi, bcm, adas)", zEcu);
		if (!json_is_object(jVers)) return ky_err_set(err, KY_EINVAL, "sbom.%s: expected {VERSION: [components]}", zEcu);
		json_object_foreach(jVers, zVer, jList) {
			uint32_t v;
			if (veh_version_parse(zVer, &v, err)) return ky_err_prefix(err, "sbom.%s", zEcu);
			if (!json_is_array(jList)) return ky_err_set(err, KY_EINVAL, "sbom.%s[\"%s\"]: expected a list of \"name@version\"", zEcu, zVer);
			json_array_foreach(jList, idx, jItem) {
				if (!json_is_string(jItem) || !comp_valid(json_string_value(jItem)))
					return ky_err_set(err, KY_EINVAL, "sbom.%s[\"%s\"][%zu]: expected \"name@version\"", zEcu, zVer, idx + 1);
			}
		}
	}
	json_object_foreach(sbom, zEcu, jVers) {
		json_object_foreach(jVers, zVer, jList) {
			uint32_t v = 0;
			veh_version_parse(zVer, &v, NULL);
			veh_sbom_entry *e = entry_get(s, veh_ecu_index(zEcu), v);
			if (!e) return ky_err_set(err, KY_ENOMEM, "sbom: out of memory");
			json_array_foreach(jList, idx, jItem) {
				if (entry_add(s, e, json_string_value(jItem))) return ky_err_set(err, KY_ENOMEM, "sbom: out of memory");
			}
		}
	}
	return 0;
}

static int cdx_walk(veh_sbom *s, veh_sbom_entry *e, json_t *comps, int depth, ky_err *err) {
	size_t idx;
	json_t *c;
	if (!comps) return 0;
	if (!json_is_array(comps)) return ky_err_set(err, KY_EINVAL, "sbom (CycloneDX): components: expected an array");
	if (depth > 16) return ky_err_set(err, KY_ELIMIT, "sbom (CycloneDX): components nested too deep");
	json_array_foreach(comps, idx, c) {
		const char *zName = json_string_value(json_object_get(c, "name"));
		const char *zVer = json_string_value(json_object_get(c, "version"));
		if (!zName || !zVer || !*zName || !*zVer)
			return ky_err_set(err, KY_EINVAL, "sbom (CycloneDX): components[%zu]: needs name and version", idx + 1);
		if (e) {
			char z[256];
			snprintf(z, sizeof z, "%s@%s", zName, zVer);
			if (entry_add(s, e, z)) return ky_err_set(err, KY_ENOMEM, "sbom: out of memory");
		}
		int rc = cdx_walk(s, e, json_object_get(c, "components"), depth + 1, err);
		if (rc) return rc;
	}
	return 0;
}

int veh_sbom_add_cyclonedx(veh_sbom *s, const char *zEcu, const char *zVersion, json_t *bom, ky_err *err) {
	int iEcu = veh_ecu_index(zEcu);
	uint32_t v;
	if (iEcu < 0) return ky_err_set(err, KY_ENOENT, "sbom (CycloneDX): unknown ECU '%s' (known: tcu, gw, ivi, bcm, adas)", zEcu ? zEcu : "");
	if (veh_version_parse(zVersion, &v, err)) return ky_err_prefix(err, "sbom (CycloneDX) %s", zEcu);
	const char *zFormat = json_string_value(json_object_get(bom, "bomFormat"));
	if (!json_is_object(bom) || !zFormat || strcmp(zFormat, "CycloneDX") != 0)
		return ky_err_set(err, KY_EINVAL, "sbom (CycloneDX): not a CycloneDX document (bomFormat must be \"CycloneDX\")");
	int rc = cdx_walk(s, NULL, json_object_get(bom, "components"), 0, err);  /* validate first */
	if (rc) return rc;
	veh_sbom_entry *e = entry_get(s, iEcu, v);
	if (!e) return ky_err_set(err, KY_ENOMEM, "sbom: out of memory");
	return cdx_walk(s, e, json_object_get(bom, "components"), 0, err);
}

static int comp_matches(const char *zHave, const char *zWant) {
	if (strchr(zWant, '@')) return strcmp(zHave, zWant) == 0;
	size_t n = strlen(zWant);
	return strncmp(zHave, zWant, n) == 0 && zHave[n] == '@';
}

int veh_sbom_find(const veh_sbom *s, const char *zComp, veh_sbom_hits *pHits, ky_err *err) {
	pHits->n = 0;
	for (int i = 0; i < s->nEnt; i++) {
		const veh_sbom_entry *e = &s->aEnt[i];
		for (int k = 0; k < e->nComp; k++) {
			if (!comp_matches(s->azComp[e->aComp[k]], zComp)) continue;
			if (pHits->n >= 64) return ky_err_set(err, KY_ELIMIT, "sbom: '%s' is in more than 64 firmware versions", zComp);
			pHits->aEcu[pHits->n] = e->iEcu;
			pHits->aVer[pHits->n] = e->ver;
			pHits->n++;
			break;
		}
	}
	return pHits->n;
}

int veh_sbom_known(const veh_sbom *s, const char *zComp) {
	for (int i = 0; i < s->nComp; i++)
		if (comp_matches(s->azComp[i], zComp)) return 1;
	return 0;
}
