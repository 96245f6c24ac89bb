/* vex (report): see vex.h. The final assessment of an org for a (vulnerability, product) is the last applied
 * `assess` statement of any of its teams whose result lists that product; each statement that is final for at
 * least one product becomes one vulnerabilities[] entry affecting those products. */
#include "ui/report/vex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/journal.h"
#include "engine/opt.h"
#include "engine/sha256.h"
#include "engine/time.h"
#include "vehicles/fleet.h"

/* The org of a team (the team itself without orgs) and that org's display name. */
static const char *team_org(json_t *exercise, const char *zTeam, const char **pzName) {
	size_t i;
	json_t *t;
	*pzName = zTeam;
	json_array_foreach(json_object_get(exercise, "teams"), i, t) {
		if (strcmp(json_string_value(json_object_get(t, "id")) ? json_string_value(json_object_get(t, "id")) : "", zTeam)) continue;
		const char *zOrg = json_string_value(json_object_get(t, "org"));
		if (!zOrg) {
			if (json_string_value(json_object_get(t, "name"))) *pzName = json_string_value(json_object_get(t, "name"));
			return zTeam;
		}
		*pzName = zOrg;
		json_t *orgs = json_object_get(exercise, "orgs"), *o;
		size_t k;
		if (json_is_object(orgs) && json_string_value(json_object_get(json_object_get(orgs, zOrg), "name")))
			*pzName = json_string_value(json_object_get(json_object_get(orgs, zOrg), "name"));
		json_array_foreach(json_is_array(orgs) ? orgs : NULL, k, o)
			if (!strcmp(json_string_value(json_object_get(o, "id")) ? json_string_value(json_object_get(o, "id")) : "", zOrg) &&
			    json_string_value(json_object_get(o, "name")))
				*pzName = json_string_value(json_object_get(o, "name"));
		return zOrg;
	}
	return zTeam;
}

/* Orders products {"ecu","version"} by ECU class, then version (numerically when both parse). */
static int product_cmp(const void *a, const void *b) {
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	const char *zEx = json_string_value(json_object_get(x, "ecu")), *zEy = json_string_value(json_object_get(y, "ecu"));
	if (!zEx) zEx = json_string_value(json_object_get(x, "name"));   /* a firmware component: its name is the ECU class */
	if (!zEy) zEy = json_string_value(json_object_get(y, "name"));
	int ex = veh_ecu_index(zEx ? zEx : ""), ey = veh_ecu_index(zEy ? zEy : "");
	if (ex != ey) return ex < ey ? -1 : 1;
	const char *zVx = json_string_value(json_object_get(x, "version")), *zVy = json_string_value(json_object_get(y, "version"));
	uint32_t vx, vy;
	if (zVx && zVy && !veh_version_parse(zVx, &vx, NULL) && !veh_version_parse(zVy, &vy, NULL) && vx != vy) return vx < vy ? -1 : 1;
	return strcmp(zVx ? zVx : "", zVy ? zVy : "");
}

static char *product_key(json_t *p, char *z, size_t n) {
	const char *zE = json_string_value(json_object_get(p, "ecu")), *zV = json_string_value(json_object_get(p, "version"));
	snprintf(z, n, "%s@%s", zE ? zE : "?", zV ? zV : "?");
	return z;
}

static int seq_cmp(const void *a, const void *b) {
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "seq"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "seq"));
	return x < y ? -1 : x > y;
}

/* The applied vulnerability statements, by seq: [{"org","org_name","team","seq","t_us","vulnerability","result"}]. */
static json_t *statements(json_t *exercise, json_t *actions) {
	size_t i, n = 0;
	json_t *a, *out = json_array();
	json_t **ap = malloc((json_array_size(actions) + 1) * sizeof *ap);
	if (!ap || !out) {
		free(ap);
		json_decref(out);
		return NULL;
	}
	json_array_foreach(actions, i, a) {
		json_t *args = json_object_get(a, "args"), *res = json_object_get(a, "result");
		const char *zKind = json_string_value(json_object_get(a, "kind"));
		if (!zKind || strcmp(zKind, "assess") || !json_is_string(json_object_get(args, "vulnerability")) ||
		    !json_is_array(json_object_get(res, "products")) || !json_is_string(json_object_get(a, "team")))
			continue;
		ap[n++] = a;
	}
	qsort(ap, n, sizeof *ap, seq_cmp);
	for (i = 0; i < n; i++) {
		const char *zTeam = json_string_value(json_object_get(ap[i], "team")), *zOrgName;
		const char *zOrg = team_org(exercise, zTeam, &zOrgName);
		json_array_append_new(out, json_pack("{sssssssOsOsOsO}", "org", zOrg, "org_name", zOrgName, "team", zTeam, "seq",
		                                     json_object_get(ap[i], "seq"), "t_us", json_object_get(ap[i], "t_us"), "vulnerability",
		                                     json_object_get(json_object_get(ap[i], "args"), "vulnerability"), "result",
		                                     json_object_get(ap[i], "result")));
	}
	free(ap);
	return out;
}

/* The advisory fields of vulnerability zId that the 1.5 schema allows, from the sbom metadata's first statement. */
static void advisory_fields(json_t *sbom, const char *zId, json_t *v) {
	static const char *const azMethod[] = { "CVSSv2", "CVSSv3", "CVSSv31", "CVSSv4", "OWASP", "SSVC", "other", NULL };
	static const char *const azSev[] = { "critical", "high", "medium", "low", "info", "none", "unknown", NULL };
	size_t i, k;
	json_t *x, *st = NULL, *r;
	json_array_foreach(json_object_get(sbom, "vulnerabilities"), i, x)
		if (!st && json_string_value(json_object_get(x, "id")) && !strcmp(json_string_value(json_object_get(x, "id")), zId))
			st = json_object_get(x, "statement");
	if (!st) return;
	json_t *src = json_object_get(st, "source");
	if (json_is_object(src)) {
		json_t *o = json_object();
		if (json_is_string(json_object_get(src, "name"))) json_object_set(o, "name", json_object_get(src, "name"));
		if (json_is_string(json_object_get(src, "url"))) json_object_set(o, "url", json_object_get(src, "url"));
		json_object_set_new(v, "source", o);
	}
	json_t *ratings = json_array();
	json_array_foreach(json_object_get(st, "ratings"), i, r) {
		json_t *o = json_object();
		const char *zM = json_string_value(json_object_get(r, "method")), *zS = json_string_value(json_object_get(r, "severity"));
		for (k = 0; zM && azMethod[k]; k++)
			if (!strcmp(zM, azMethod[k])) json_object_set_new(o, "method", json_string(zM));
		for (k = 0; zS && azSev[k]; k++)
			if (!strcmp(zS, azSev[k])) json_object_set_new(o, "severity", json_string(zS));
		if (json_is_number(json_object_get(r, "score"))) json_object_set(o, "score", json_object_get(r, "score"));
		if (json_is_string(json_object_get(r, "vector"))) json_object_set(o, "vector", json_object_get(r, "vector"));
		if (json_object_size(o)) json_array_append_new(ratings, o);
		else json_decref(o);
	}
	if (json_array_size(ratings)) json_object_set_new(v, "ratings", ratings);
	else json_decref(ratings);
	json_t *cwes = json_array();
	json_array_foreach(json_object_get(st, "cwes"), i, r)
		if (json_is_integer(r)) json_array_append(cwes, r);
	if (json_array_size(cwes)) json_object_set_new(v, "cwes", cwes);
	else json_decref(cwes);
	if (json_is_string(json_object_get(st, "description"))) json_object_set(v, "description", json_object_get(st, "description"));
}

/* The analysis object of a statement's result. */
static json_t *analysis(json_t *res) {
	json_t *o = json_object();
	const char *azKey[] = { "state", "justification", "response", "detail" };
	for (size_t k = 0; k < sizeof azKey / sizeof azKey[0]; k++)
		if (json_object_get(res, azKey[k])) json_object_set(o, azKey[k], json_object_get(res, azKey[k]));
	return o;
}

static json_t *prop(const char *zName, const char *zValue) { return json_pack("{ssss}", "name", zName, "value", zValue); }

/* The firmware component of product p ({"ecu","version"}), with what the sbom metadata knows of its SBOM. */
static json_t *product_component(json_t *sbom, json_t *p, const char *zRef) {
	json_t *c = json_pack("{sssssOsO}", "type", "firmware", "bom-ref", zRef, "name", json_object_get(p, "ecu"), "version",
	                      json_object_get(p, "version"));
	size_t i;
	json_t *fw;
	json_array_foreach(json_object_get(sbom, "firmware"), i, fw) {
		if (!json_equal(json_object_get(fw, "ecu"), json_object_get(p, "ecu")) ||
		    !json_equal(json_object_get(fw, "version"), json_object_get(p, "version")))
			continue;
		if (json_is_string(json_object_get(fw, "name")))
			json_object_set_new(c, "description", json_sprintf("firmware %s", json_string_value(json_object_get(fw, "name"))));
		if (json_is_string(json_object_get(fw, "purl"))) json_object_set(c, "purl", json_object_get(fw, "purl"));
		const char *zSerial = json_string_value(json_object_get(fw, "serial"));
		if (zSerial && !strncmp(zSerial, "urn:uuid:", 9)) {
			json_t *link = json_sprintf("urn:cdx:%s/%" JSON_INTEGER_FORMAT, zSerial + 9,
			                            json_integer_value(json_object_get(fw, "bom_version")) > 0
			                                ? json_integer_value(json_object_get(fw, "bom_version")) : (json_int_t)1);
			json_object_set_new(c, "externalReferences", json_pack("[{ssso}]", "type", "bom", "url", link));
		}
	}
	return c;
}

/* The UUID of the document: version 8 (RFC 9562, name-based with SHA-256) from its content. */
static json_t *serial_of(json_t *doc) {
	char *z = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	uint8_t h[32];
	eng_sha256(z ? z : "", z ? strlen(z) : 0, h);
	free(z);
	h[6] = (uint8_t)((h[6] & 0x0F) | 0x80);
	h[8] = (uint8_t)((h[8] & 0x3F) | 0x80);
	return json_sprintf("urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2], h[3],
	                    h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]);
}

static int str_cmp(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* One org's vulnerabilities[] entries; adds the products they name to *pProducts ({key: product}). */
static void org_entries(json_t *sbom, json_t *st, const char *zOrg, json_t *final, json_t *vulns, json_t *products) {
	size_t i, n = 0;
	json_t *s;
	const char **azId = malloc((json_array_size(st) + 1) * sizeof *azId);
	if (!azId) return;
	json_array_foreach(st, i, s)
		if (!strcmp(json_string_value(json_object_get(s, "org")), zOrg)) azId[n++] = json_string_value(json_object_get(s, "vulnerability"));
	qsort(azId, n, sizeof *azId, str_cmp);
	for (size_t v = 0; v < n; v++) {
		if (v && !strcmp(azId[v], azId[v - 1])) continue;
		json_array_foreach(st, i, s) {
			if (strcmp(json_string_value(json_object_get(s, "org")), zOrg) || strcmp(json_string_value(json_object_get(s, "vulnerability")), azId[v]))
				continue;
			/* the products this statement is final for */
			json_t *aff = json_array(), *p;
			size_t k;
			char zKey[600], zProd[128];
			json_array_foreach(json_object_get(json_object_get(s, "result"), "products"), k, p) {
				snprintf(zKey, sizeof zKey, "%s\1%s\1%s", zOrg, azId[v], product_key(p, zProd, sizeof zProd));
				if (json_integer_value(json_object_get(final, zKey)) == (json_int_t)i) json_array_append(aff, p);
			}
			if (!json_array_size(aff)) {
				json_decref(aff);
				continue;
			}
			size_t na = json_array_size(aff);
			json_t **ap = malloc(na * sizeof *ap);
			for (k = 0; ap && k < na; k++) ap[k] = json_array_get(aff, k);
			if (ap) qsort(ap, na, sizeof *ap, product_cmp);
			json_t *refs = json_array();
			for (k = 0; ap && k < na; k++) {
				char zRef[160];
				snprintf(zRef, sizeof zRef, "firmware/%s", product_key(ap[k], zProd, sizeof zProd));
				json_array_append_new(refs, json_pack("{ss}", "ref", zRef));
				if (!json_object_get(products, zRef)) json_object_set_new(products, zRef, product_component(sbom, ap[k], zRef));
			}
			free(ap);
			json_decref(aff);
			json_t *res = json_object_get(s, "result"), *e = json_pack("{ss}", "id", azId[v]);
			char zSeq[32], zT[32];
			snprintf(zSeq, sizeof zSeq, "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(s, "seq")));
			eng_time_format(json_integer_value(json_object_get(s, "t_us")), zT, sizeof zT);
			advisory_fields(sbom, azId[v], e);
			json_object_set_new(e, "analysis", analysis(res));
			json_object_set_new(e, "affects", refs);
			json_object_set_new(e, "properties", json_pack("[oooo]", prop("kyodo:org", zOrg),
			                                               prop("kyodo:org_name", json_string_value(json_object_get(s, "org_name"))),
			                                               prop("kyodo:team", json_string_value(json_object_get(s, "team"))),
			                                               prop("kyodo:action", zSeq)));
			json_array_append_new(json_object_get(e, "properties"), prop("kyodo:time", zT));
			json_array_append_new(vulns, e);
		}
	}
	free(azId);
}

json_t *rep_vex_build(json_t *exercise, json_t *sbom, json_t *actions, const char *zVersion, ky_err *err) {
	json_t *st = statements(exercise, actions);
	if (!st) {
		ky_err_set(err, KY_ENOMEM, "vex: out of memory");
		return NULL;
	}
	/* final statement index per org + vulnerability + product */
	json_t *final = json_object(), *s, *p;
	size_t i, k;
	char zKey[600], zProd[128];
	json_array_foreach(st, i, s) {
		json_array_foreach(json_object_get(json_object_get(s, "result"), "products"), k, p) {
			snprintf(zKey, sizeof zKey, "%s\1%s\1%s", json_string_value(json_object_get(s, "org")),
			         json_string_value(json_object_get(s, "vulnerability")), product_key(p, zProd, sizeof zProd));
			json_object_set_new(final, zKey, json_integer((json_int_t)i));
		}
	}
	/* orgs in the order of the scenario's teams */
	json_t *vulns = json_array(), *products = json_object(), *seen = json_object(), *t;
	json_array_foreach(json_object_get(exercise, "teams"), i, t) {
		const char *zName, *zTeam = json_string_value(json_object_get(t, "id"));
		const char *zOrg = zTeam ? team_org(exercise, zTeam, &zName) : NULL;
		if (!zOrg || json_object_get(seen, zOrg)) continue;
		json_object_set_new(seen, zOrg, json_true());
		org_entries(sbom, st, zOrg, final, vulns, products);
	}
	json_decref(seen);
	json_decref(final);
	json_decref(st);
	/* the products, by ECU and version */
	size_t np = json_object_size(products);
	json_t **ap = malloc((np + 1) * sizeof *ap), *comps = json_array();
	const char *zK;
	json_t *c;
	np = 0;
	json_object_foreach(products, zK, c) if (ap) ap[np++] = c;
	if (ap) qsort(ap, np, sizeof *ap, product_cmp);
	for (i = 0; ap && i < np; i++) json_array_append(comps, ap[i]);
	free(ap);
	json_decref(products);
	const char *zId = json_string_value(json_object_get(exercise, "id"));
	json_t *tool = json_pack("{ssss}", "type", "application", "name", "kyodo"), *subj = json_pack("{ssssss}", "type", "application",
	                         "bom-ref", "drill", "name", zId ? zId : "drill");
	if (zVersion) json_object_set_new(tool, "version", json_string(zVersion));
	if (json_is_string(json_object_get(exercise, "title"))) json_object_set(subj, "description", json_object_get(exercise, "title"));
	json_t *meta = json_pack("{s{s[o]}so}", "tools", "components", tool, "component", subj);
	json_t *props = json_array();
	if (json_is_string(json_object_get(exercise, "sha256")))
		json_array_append_new(props, prop("kyodo:scenario_sha256", json_string_value(json_object_get(exercise, "sha256"))));
	if (json_is_integer(json_object_get(exercise, "seed"))) {
		char z[32];
		snprintf(z, sizeof z, "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(exercise, "seed")));
		json_array_append_new(props, prop("kyodo:seed", z));
	}
	json_object_set_new(meta, "properties", props);
	json_t *doc = json_pack("{sssssiso}", "bomFormat", "CycloneDX", "specVersion", "1.5", "version", 1, "metadata", meta);
	if (json_array_size(comps)) json_object_set_new(doc, "components", comps);
	else json_decref(comps);
	if (json_array_size(vulns)) json_object_set_new(doc, "vulnerabilities", vulns);
	else json_decref(vulns);
	if (!doc) {
		ky_err_set(err, KY_ENOMEM, "vex: out of memory");
		return NULL;
	}
	json_object_set_new(doc, "serialNumber", serial_of(doc));
	return doc;
}

/* ---- from the journal ----------------------------------------------------------------------------------- */

static int on_event(void *ctx, eng_time_t t, const char *zKind, const char *zSubject, const char *zDetail) {
	(void)zSubject;
	if (strcmp(zKind, "action.result") || !zDetail) return 0;
	json_t *d = json_loads(zDetail, 0, NULL);
	if (!d) return 0;
	if (!json_object_get(d, "t_us")) json_object_set_new(d, "t_us", json_integer(t));
	json_array_append_new(ctx, d);
	return 0;
}

static json_t *meta_json(eng_journal *j, const char *zKey) {
	char *z = eng_journal_meta_get(j, zKey, NULL);
	json_t *v = z ? json_loads(z, 0, NULL) : NULL;
	free(z);
	return v;
}

static int write_file(const char *zOut, const char *zText, ky_err *err) {
	char zTmp[4096];
	snprintf(zTmp, sizeof zTmp, "%s.tmp%ld", zOut, (long)getpid());
	FILE *f = fopen(zTmp, "wb");
	if (!f) return ky_err_set(err, KY_EIO, "%s: cannot write", zOut);
	int bOk = fputs(zText, f) >= 0 && fputc('\n', f) != EOF;
	bOk &= fclose(f) == 0;
	if (!bOk || rename(zTmp, zOut) != 0) {
		unlink(zTmp);
		return ky_err_set(err, KY_EIO, "%s: cannot write", zOut);
	}
	return 0;
}

int rep_vex_write(const char *zDb, const char *zOut, ky_err *err) {
	eng_journal *j = eng_journal_open(zDb, ENG_JOURNAL_READONLY, err);
	if (!j) return err ? err->code : KY_EIO;
	json_t *exercise = meta_json(j, "exercise"), *sbom = meta_json(j, "sbom"), *actions = json_array();
	char *zVersion = eng_journal_meta_get(j, "kyodo_version", NULL);
	int rc = exercise ? eng_journal_events(j, 0, ENG_TIME_MAX, on_event, actions, err)
	                  : ky_err_set(err, KY_EPARSE, "%s: no exercise header (not a kyodo journal, or a damaged one)", zDb);
	eng_journal_close(j, NULL);
	json_t *doc = rc ? NULL : rep_vex_build(exercise, sbom, actions, zVersion, err);
	if (!rc && !doc) rc = err ? err->code : KY_ENOMEM;
	char *zText = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) : NULL;
	if (doc && !zText) rc = ky_err_set(err, KY_ENOMEM, "vex: out of memory");
	if (zText) rc = write_file(zOut, zText, err);
	free(zText);
	free(zVersion);
	json_decref(doc);
	json_decref(exercise);
	json_decref(sbom);
	json_decref(actions);
	return rc;
}
