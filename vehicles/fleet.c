/* fleet: see fleet.h. */
#include "vehicles/fleet.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const azEcu[VEH_ECU_N] = { "tcu", "gw", "ivi", "bcm", "adas" };
static const char *const azFeat[VEH_FEAT_N] = { "remote_unlock", "remote_start", "remote_climate", "location",
	                                            "horn_lights" };
static const char *const azState[VEH_ST_N] = { "clean", "compromised", "patched", "offline", "online", "bricked",
	                                           "revoked" };

static int name_index(const char *const *az, int n, const char *z) {
	if (!z) return -1;
	for (int i = 0; i < n; i++)
		if (strcmp(az[i], z) == 0) return i;
	return -1;
}

const char *veh_ecu_name(int i) { return i >= 0 && i < VEH_ECU_N ? azEcu[i] : "?"; }
int veh_ecu_index(const char *z) { return name_index(azEcu, VEH_ECU_N, z); }
const char *veh_feature_name(int i) { return i >= 0 && i < VEH_FEAT_N ? azFeat[i] : "?"; }
int veh_feature_index(const char *z) { return name_index(azFeat, VEH_FEAT_N, z); }
const char *veh_state_name(int i) { return i >= 0 && i < VEH_ST_N ? azState[i] : "?"; }
int veh_state_index(const char *z) { return name_index(azState, VEH_ST_N, z); }

int veh_version_parse(const char *z, uint32_t *pOut, ky_err *err) {
	static const uint32_t aMax[3] = { 1023, 2047, 2047 };
	uint32_t a[3] = { 0, 0, 0 };
	int nPart = 0;
	const char *p = z;
	if (!z) return ky_err_set(err, KY_EPARSE, "missing version (expected MAJOR.MINOR.PATCH)");
	while (nPart < 3) {
		uint32_t v = 0;
		int nDigit = 0;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (uint32_t)(*p - '0');
			if (v > aMax[nPart]) goto bad;
			p++;
			nDigit++;
		}
		if (nDigit == 0) goto bad;
		a[nPart++] = v;
		if (*p == '.' && nPart < 3) {
			p++;
			continue;
		}
		break;
	}
	if (*p != 0 || nPart < 2) goto bad;
	*pOut = (a[0] << 22) | (a[1] << 11) | a[2];
	return 0;
bad:
	return ky_err_set(err, KY_EPARSE, "malformed version '%s' (expected MAJOR.MINOR.PATCH, e.g. 2.4.0)", z);
}

char *veh_version_format(uint32_t v, char *z, size_t n) {
	if (v == VEH_VER_NONE)
		snprintf(z, n, "-");
	else
		snprintf(z, n, "%u.%u.%u", v >> 22, (v >> 11) & 2047u, v & 2047u);
	return z;
}

void veh_fleet_init(veh_fleet *f) { memset(f, 0, sizeof *f); }

void veh_fleet_clear(veh_fleet *f) {
	free(f->aCohort);
	for (int e = 0; e < VEH_ECU_N; e++) free(f->aVer[e]);
	free(f->aFlags);
	free(f->aCamp);
	free(f->aEntry);
	free(f->aFeatOff);
	free(f->aOta);
	free(f->aOtaCamp);
	free(f->aOtaT);
	free(f->aLast);
	free(f->aPhase);
	for (int i = 0; i < f->nModel; i++) free(f->azModel[i]);
	for (int i = 0; i < f->nRegion; i++) free(f->azRegion[i]);
	for (int i = 0; i < f->nOrg; i++) free(f->azOrg[i]);
	free(f->azModel);
	free(f->azRegion);
	free(f->azOrg);
	free(f->aCoh);
	memset(f, 0, sizeof *f);
}

static int grow(void **pp, size_t nElem, size_t size) {
	void *p = realloc(*pp, nElem * size);
	if (!p) return KY_ENOMEM;
	*pp = p;
	return 0;
}

static int fleet_reserve(veh_fleet *f, uint32_t n) {
	if (n <= f->nAlloc && f->nAlloc) return 0; /* a first cohort of 0 cars allocates too: no memset of NULL + 0 */
	uint32_t m = f->nAlloc ? f->nAlloc : 1024;
	while (m < n) m = m > 0x40000000u ? n : m * 2;
	int rc = grow((void **)&f->aCohort, m, 2);
	for (int e = 0; e < VEH_ECU_N && !rc; e++) rc = grow((void **)&f->aVer[e], m, 4);
	if (!rc) rc = grow((void **)&f->aFlags, m, 2);
	if (!rc) rc = grow((void **)&f->aCamp, m, 1);
	if (!rc) rc = grow((void **)&f->aEntry, m, 1);
	if (!rc) rc = grow((void **)&f->aFeatOff, m, 1);
	if (!rc) rc = grow((void **)&f->aOta, m, 1);
	if (!rc) rc = grow((void **)&f->aOtaCamp, m, 1);
	if (!rc) rc = grow((void **)&f->aOtaT, m, 4);
	if (!rc) rc = grow((void **)&f->aLast, m, 4);
	if (!rc) rc = grow((void **)&f->aPhase, m, 2);
	if (rc) return rc;
	f->nAlloc = m;
	return 0;
}

static int intern(char ***paz, int *pn, const char *z) {
	for (int i = 0; i < *pn; i++)
		if (strcmp((*paz)[i], z) == 0) return i;
	if (*pn >= 65535) return KY_ELIMIT;
	char **az = realloc(*paz, (size_t)(*pn + 1) * sizeof *az);
	if (!az) return KY_ENOMEM;
	*paz = az;
	az[*pn] = strdup(z);
	if (!az[*pn]) return KY_ENOMEM;
	return (*pn)++;
}

int veh_fleet_add(veh_fleet *f, const char *zModel, const char *zRegion, const uint32_t aVer[VEH_ECU_N],
                  uint8_t features, double online, uint32_t nCount, int iOrg, ky_err *err) {
	assert(iOrg >= 0 && (iOrg < f->nOrg || (iOrg == 0 && f->nOrg == 0)));
	if ((uint64_t)f->n + nCount > 0x7fffffffu || f->nCoh >= 65535)
		return ky_err_set(err, KY_ELIMIT, "fleet: too many cars or cohorts");
	if (fleet_reserve(f, f->n + nCount)) return ky_err_set(err, KY_ENOMEM, "fleet: out of memory for %u cars", nCount);
	int iModel = intern(&f->azModel, &f->nModel, zModel);
	int iRegion = iModel < 0 ? iModel : intern(&f->azRegion, &f->nRegion, zRegion);
	if (iModel < 0 || iRegion < 0) return ky_err_set(err, iRegion, "fleet: cannot add model/region names");
	veh_cohort *aCoh = realloc(f->aCoh, (size_t)(f->nCoh + 1) * sizeof *aCoh);
	if (!aCoh) return ky_err_set(err, KY_ENOMEM, "fleet: out of memory");
	f->aCoh = aCoh;
	veh_cohort *c = &aCoh[f->nCoh];
	c->iModel = (uint16_t)iModel;
	c->iRegion = (uint16_t)iRegion;
	c->iOrg = (uint8_t)iOrg;
	c->features = features;
	memcpy(c->aVer, aVer, sizeof c->aVer);
	c->iFirst = f->n;
	c->nCount = nCount;
	c->online = online;
	for (uint32_t i = f->n; i < f->n + nCount; i++) {
		f->aCohort[i] = (uint16_t)f->nCoh;
		for (int e = 0; e < VEH_ECU_N; e++) f->aVer[e][i] = aVer[e];
	}
	memset(f->aFlags + f->n, 0, nCount * 2u);
	memset(f->aCamp + f->n, 0, nCount);
	memset(f->aEntry + f->n, 0, nCount);
	memset(f->aFeatOff + f->n, 0, nCount);
	memset(f->aOta + f->n, 0, nCount);
	memset(f->aOtaCamp + f->n, 0, nCount);
	memset(f->aOtaT + f->n, 0, nCount * 4u);
	memset(f->aLast + f->n, 0, nCount * 4u);
	memset(f->aPhase + f->n, 0, nCount * 2u);
	f->nCoh++;
	f->n += nCount;
	return 0;
}

int veh_fleet_model_index(const veh_fleet *f, const char *z) {
	return name_index((const char *const *)f->azModel, f->nModel, z);
}
int veh_fleet_region_index(const veh_fleet *f, const char *z) {
	return name_index((const char *const *)f->azRegion, f->nRegion, z);
}
int veh_fleet_org_index(const veh_fleet *f, const char *z) {
	return name_index((const char *const *)f->azOrg, f->nOrg, z);
}

int veh_fleet_org_add(veh_fleet *f, const char *zId) {
	if (veh_fleet_org_index(f, zId) >= 0) return KY_EINVAL;
	if (f->nOrg >= 250) return KY_ELIMIT;
	return intern(&f->azOrg, &f->nOrg, zId);
}

size_t veh_fleet_bytes_per_car(const veh_fleet *f) {
	/* cohort 2, versions 20, flags 2, camp/entry/featoff/ota/otacamp 5, otaT 4, last 4, phase 2 */
	return f->n ? 2 + 4 * VEH_ECU_N + 2 + 5 + 4 + 4 + 2 : 0;
}

int veh_car_in_state(const veh_fleet *f, uint32_t i, int iState) {
	uint16_t fl = f->aFlags[i];
	switch (iState) {
	case VEH_ST_CLEAN: return !(fl & (VEH_F_COMP | VEH_F_BRICKED));
	case VEH_ST_COMPROMISED: return (fl & VEH_F_COMP) != 0;
	case VEH_ST_PATCHED: return (fl & VEH_F_PATCHED) != 0;
	case VEH_ST_OFFLINE: return (fl & VEH_F_OFFLINE) && !(fl & VEH_F_BRICKED);
	case VEH_ST_ONLINE: return !(fl & (VEH_F_OFFLINE | VEH_F_BRICKED));
	case VEH_ST_BRICKED: return (fl & VEH_F_BRICKED) != 0;
	case VEH_ST_REVOKED: return (fl & VEH_F_REVOKED) != 0;
	default: return 0;
	}
}

int veh_selector_match(const veh_fleet *f, const veh_selector *s, uint32_t i) {
	if (!s->aCohOk[f->aCohort[i]]) return 0;
	if (s->iEcu >= 0) {
		uint32_t v = f->aVer[s->iEcu][i];
		if (v == VEH_VER_NONE) return 0;
		if (s->op == 1 && !(v < s->ver)) return 0;
		if (s->op == 2 && v != s->ver) return 0;
	}
	if (s->stateAny) {
		for (int k = 0; k < VEH_ST_N; k++)
			if ((s->stateAny >> k & 1) && veh_car_in_state(f, i, k)) return 1;
		return 0;
	}
	return 1;
}

int64_t veh_selector_count(const veh_fleet *f, const veh_selector *s) {
	int64_t n = 0;
	for (int c = 0; c < f->nCoh; c++) {
		if (!s->aCohOk[c]) continue;
		const veh_cohort *k = &f->aCoh[c];
		if (s->iEcu < 0 && !s->stateAny) {
			n += k->nCount;
			continue;
		}
		for (uint32_t i = k->iFirst; i < k->iFirst + k->nCount; i++) n += veh_selector_match(f, s, i);
	}
	return n;
}

/* Appends "a, b, c" of the known names to z. */
static void known_list(char *z, size_t n, char *const *az, int nName) {
	size_t len = 0;
	z[0] = 0;
	for (int i = 0; i < nName && len + 4 < n; i++) {
		int k = snprintf(z + len, n - len, "%s%s", i ? ", " : "", az[i]);
		if (k < 0) break;
		len += (size_t)k;
	}
	if (len >= n) z[n - 1] = 0;
}

/* Resolves a string-or-array field into a mask over names; -1 unknown: error. */
static int names_field(json_t *v, const char *zWhere, const char *zField, const char *zWhat, char *const *az,
                       int nName, uint8_t *aOk, ky_err *err) {
	json_t *one;
	size_t idx;
	char zKnown[256];
	if (json_is_string(v)) {
		int i = name_index((const char *const *)az, nName, json_string_value(v));
		if (i < 0) goto unknown;
		aOk[i] = 1;
		return 0;
	}
	if (!json_is_array(v) || json_array_size(v) == 0)
		return ky_err_set(err, KY_EINVAL, "%s%s: expected a %s name or a non-empty list of names", zWhere, zField,
		                  zWhat);
	json_array_foreach(v, idx, one) {
		if (!json_is_string(one))
			return ky_err_set(err, KY_EINVAL, "%s%s[%zu]: expected a %s name", zWhere, zField, idx + 1, zWhat);
		int i = name_index((const char *const *)az, nName, json_string_value(one));
		if (i < 0) {
			v = one;
			goto unknown;
		}
		aOk[i] = 1;
	}
	return 0;
unknown:
	known_list(zKnown, sizeof zKnown, az, nName);
	return ky_err_set(err, KY_ENOENT, "%s%s: unknown %s '%s' (known: %s)", zWhere, zField, zWhat,
	                  json_string_value(v), zKnown);
}

int veh_selector_compile(const veh_fleet *f, json_t *sel, const char *zWhere, veh_selector *out, ky_err *err) {
	const char *zKey;
	json_t *v;
	uint8_t *aModel = NULL, *aRegion = NULL, *aOrg = NULL;
	int rc = 0;
	memset(out, 0, sizeof *out);
	out->iEcu = -1;
	out->aCohOk = calloc((size_t)f->nCoh + 1, 1);
	aModel = calloc((size_t)f->nModel + 1, 1);
	aRegion = calloc((size_t)f->nRegion + 1, 1);
	aOrg = calloc((size_t)f->nOrg + 1, 1);
	if (!out->aCohOk || !aModel || !aRegion || !aOrg) {
		rc = ky_err_set(err, KY_ENOMEM, "%sout of memory", zWhere);
		goto done;
	}
	if (sel && !json_is_object(sel) && !json_is_null(sel)) {
		rc = ky_err_set(err, KY_EINVAL, "%sexpected a selector object {model, region, org, ecu, below, version, state}",
		                zWhere);
		goto done;
	}
	int bModel = 0, bRegion = 0, bOrg = 0;
	const char *zBelow = NULL, *zVersion = NULL;
	if (json_is_object(sel)) {
		json_object_foreach(sel, zKey, v) {
			if (strcmp(zKey, "model") == 0) {
				bModel = 1;
				rc = names_field(v, zWhere, "model", "model", f->azModel, f->nModel, aModel, err);
			} else if (strcmp(zKey, "region") == 0) {
				bRegion = 1;
				rc = names_field(v, zWhere, "region", "region", f->azRegion, f->nRegion, aRegion, err);
			} else if (strcmp(zKey, "org") == 0) {
				bOrg = 1;
				if (f->nOrg == 0)
					rc = ky_err_set(err, KY_EINVAL, "%sorg: this drill declares no organisations (orgs { ... })", zWhere);
				else
					rc = names_field(v, zWhere, "org", "organisation", f->azOrg, f->nOrg, aOrg, err);
			} else if (strcmp(zKey, "ecu") == 0) {
				out->iEcu = json_is_string(v) ? veh_ecu_index(json_string_value(v)) : -2;
				if (out->iEcu == -2)
					rc = ky_err_set(err, KY_EINVAL, "%secu: expected an ECU name (tcu, gw, ivi, bcm, adas)", zWhere);
				else if (out->iEcu < 0)
					rc = ky_err_set(err, KY_ENOENT, "%secu: unknown ECU '%s' (known: tcu, gw, ivi, bcm, adas)",
					                zWhere, json_string_value(v));
			} else if (strcmp(zKey, "below") == 0 || strcmp(zKey, "version") == 0) {
				if (!json_is_string(v))
					rc = ky_err_set(err, KY_EINVAL, "%s%s: expected a version string like \"2.4.0\"", zWhere, zKey);
				else if (zKey[0] == 'b')
					zBelow = json_string_value(v);
				else
					zVersion = json_string_value(v);
			} else if (strcmp(zKey, "state") == 0) {
				char *azSt[VEH_ST_N];
				uint8_t aSt[VEH_ST_N] = { 0 };
				for (int k = 0; k < VEH_ST_N; k++) azSt[k] = (char *)azState[k];
				rc = names_field(v, zWhere, "state", "state", azSt, VEH_ST_N, aSt, err);
				for (int k = 0; k < VEH_ST_N; k++)
					if (aSt[k]) out->stateAny |= 1u << k;
			} else {
				rc = ky_err_set(err, KY_EINVAL, "%sunknown selector field '%s' (known: model, region, org, ecu, below, "
				                "version, state)", zWhere, zKey);
			}
			if (rc) goto done;
		}
	}
	if ((zBelow || zVersion) && out->iEcu < 0) {
		rc = ky_err_set(err, KY_EINVAL, "%s%s: needs ecu (which ECU's firmware to compare)", zWhere,
		                zBelow ? "below" : "version");
		goto done;
	}
	if (zBelow && zVersion) {
		rc = ky_err_set(err, KY_EINVAL, "%sbelow and version: give one of them", zWhere);
		goto done;
	}
	if (zBelow || zVersion) {
		rc = veh_version_parse(zBelow ? zBelow : zVersion, &out->ver, err);
		if (rc) {
			ky_err_prefix(err, "%s%s", zWhere, zBelow ? "below" : "version");
			goto done;
		}
		out->op = zBelow ? 1 : 2;
	}
	for (int c = 0; c < f->nCoh; c++)
		out->aCohOk[c] = (!bModel || aModel[f->aCoh[c].iModel]) && (!bRegion || aRegion[f->aCoh[c].iRegion]) &&
		                 (!bOrg || aOrg[f->aCoh[c].iOrg]);
done:
	free(aModel);
	free(aRegion);
	free(aOrg);
	if (rc) veh_selector_free(out);
	return rc;
}

void veh_selector_free(veh_selector *s) {
	free(s->aCohOk);
	s->aCohOk = NULL;
}
