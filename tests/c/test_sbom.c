/* sbom (vehicles/): package URLs against the purl specification's own test suite, version ranges (vers) and the
 * OpenSSL order of the vers test suite, the JSON reader's refusals, component identity on documents written in the
 * shapes real tools produce (cdxgen, the npm and composer plugins, cyclonedx-gomod), transitive containment,
 * ranges, VEX statements as ground truth, and malformed CycloneDX refused with the file and the JSON path. */
#include "tests/c/ky_test.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "vehicles/jdoc.h"
#include "vehicles/purl.h"
#include "vehicles/sbom.h"
#include "vehicles/vers.h"

#define DATA "tests/data/sbom/"

static json_t *load_data(const char *zFile) {
	json_error_t e;
	json_t *j = json_load_file(zFile, 0, &e);
	if (!j) ky_test_fail(__FILE__, __LINE__, "%s: %s", zFile, e.text);
	return j;
}

/* ---- purl ----------------------------------------------------------------------------------------------- */

TEST(purl_parses_the_specification_test_suite) {
	json_t *d = load_data(DATA "purl-parse.json"), *t;
	size_t i;
	int nOk = 0, nFail = 0;
	json_array_foreach(json_object_get(d, "tests"), i, t) {
		const char *zIn = json_string_value(json_object_get(t, "input"));
		veh_purl p;
		ky_err err = { 0 };
		int rc = veh_purl_parse(zIn, &p, &err);
		if (json_is_true(json_object_get(t, "error"))) {
			if (!rc) ky_test_fail(__FILE__, __LINE__, "%s parsed, the suite says it must fail (%s)", zIn,
			                      json_string_value(json_object_get(t, "why")));
			ASSERT_CONTAINS(err.zMsg, "is not a package URL");
			nFail++;
		} else {
			if (rc) ky_test_fail(__FILE__, __LINE__, "%s: %s", zIn, err.zMsg);
			ASSERT_EQ_STR(p.zType, json_string_value(json_object_get(t, "type")));
			ASSERT_EQ_STR(p.zNs, json_string_value(json_object_get(t, "namespace")));
			ASSERT_EQ_STR(p.zName, json_string_value(json_object_get(t, "name")));
			const char *zWant = json_string_value(json_object_get(t, "version"));
			if (zWant) ASSERT_EQ_STR(p.zVer, zWant);
			else ASSERT_TRUE(p.zVer == NULL);
			nOk++;
		}
		veh_purl_free(&p);
	}
	ASSERT_LT(150, nOk);   /* the suite's parse tests, not a handful */
	ASSERT_LT(5, nFail);
	json_decref(d);
}

TEST(purl_formats_the_canonical_form_without_qualifiers_or_subpath) {
	static const char *const az[][2] = {
		{ "pkg:npm/@types/cookie@0.4.1#types/cookie", "pkg:npm/%40types/cookie@0.4.1" },
		{ "PKG:NPM/%40angular/animation@12.3.1?foo=bar", "pkg:npm/%40angular/animation@12.3.1" },
		{ "pkg:golang/github.com/gin-gonic/gin@v1.9.1?type=module", "pkg:golang/github.com/gin-gonic/gin@v1.9.1" },
		{ "pkg:composer/Laravel/Laravel@v7.12.0", "pkg:composer/laravel/laravel@v7.12.0" },
		{ "pkg://generic//openssl@1.1.1%6B", "pkg:generic/openssl@1.1.1k" },
		{ "pkg:generic/my%20lib@1.0%2Bbuild", "pkg:generic/my%20lib@1.0%2Bbuild" },
		{ "pkg:pypi/Django_Package@1.11.1", "pkg:pypi/django-package@1.11.1" },
	};
	for (size_t i = 0; i < sizeof az / sizeof az[0]; i++) {
		veh_purl p;
		char z[256];
		ky_err err = { 0 };
		if (veh_purl_parse(az[i][0], &p, &err)) ky_test_fail(__FILE__, __LINE__, "%s: %s", az[i][0], err.zMsg);
		veh_purl_format(&p, 1, z, sizeof z);
		ASSERT_EQ_STR(z, az[i][1]);
		veh_purl_free(&p);
	}
}

/* ---- vers ----------------------------------------------------------------------------------------------- */

TEST(generic_versions_order_as_the_vers_openssl_suite_says) {
	json_t *d = load_data(DATA "vers-openssl.json"), *t;
	size_t i;
	json_array_foreach(json_object_get(d, "ordered"), i, t) {
		const char *a = json_string_value(json_array_get(t, 0)), *b = json_string_value(json_array_get(t, 1));
		if (!strcmp(a, b)) {
			ASSERT_EQ_INT(veh_version_cmp(VEH_VS_GENERIC, a, b), 0);
			continue;
		}
		if (veh_version_cmp(VEH_VS_GENERIC, a, b) >= 0) ky_test_fail(__FILE__, __LINE__, "%s < %s expected", a, b);
		if (veh_version_cmp(VEH_VS_GENERIC, b, a) <= 0) ky_test_fail(__FILE__, __LINE__, "%s > %s expected", b, a);
	}
	json_array_foreach(json_object_get(d, "equal"), i, t) {
		const char *a = json_string_value(json_array_get(t, 0)), *b = json_string_value(json_array_get(t, 1));
		int bEq = json_is_true(json_array_get(t, 2));
		if ((veh_version_cmp(VEH_VS_GENERIC, a, b) == 0) != bEq) ky_test_fail(__FILE__, __LINE__, "%s vs %s: equal %d expected", a, b, bEq);
	}
	json_decref(d);
	/* and the ones a drill meets */
	ASSERT_LT(veh_version_cmp(VEH_VS_GENERIC, "1.2.12", "1.2.13"), 0);
	ASSERT_LT(veh_version_cmp(VEH_VS_GENERIC, "1.2.9", "1.2.12"), 0);
	ASSERT_LT(veh_version_cmp(VEH_VS_GENERIC, "1.1.1", "1.1.1k"), 0);
	ASSERT_LT(veh_version_cmp(VEH_VS_GENERIC, "1.1.1t", "3.0.0"), 0);
	ASSERT_LT(veh_version_cmp(VEH_VS_GENERIC, "3.0.0-alpha1", "3.0.0"), 0);
	ASSERT_EQ_INT(veh_version_cmp(VEH_VS_GENERIC, "1.0", "1.0.0"), 0);
}

TEST(semver_orders_prereleases_and_ignores_build_metadata) {
	ASSERT_LT(veh_version_cmp(VEH_VS_SEMVER, "1.0.0-alpha", "1.0.0-alpha.1"), 0);
	ASSERT_LT(veh_version_cmp(VEH_VS_SEMVER, "1.0.0-alpha.1", "1.0.0-alpha.beta"), 0);
	ASSERT_LT(veh_version_cmp(VEH_VS_SEMVER, "1.0.0-beta.2", "1.0.0-beta.11"), 0);
	ASSERT_LT(veh_version_cmp(VEH_VS_SEMVER, "1.0.0-rc.1", "1.0.0"), 0);
	ASSERT_LT(veh_version_cmp(VEH_VS_SEMVER, "v1.9.1", "1.10.0"), 0);
	ASSERT_EQ_INT(veh_version_cmp(VEH_VS_SEMVER, "1.0.0+build.1", "1.0.0+build.2"), 0);
	ASSERT_EQ_INT(veh_version_cmp(VEH_VS_SEMVER, "v7.12.0", "7.12.0"), 0);
}

static int in_range(const char *zRange, const char *zVer) {
	veh_vers v;
	ky_err err = { 0 };
	if (veh_vers_parse(zRange, &v, &err)) ky_test_fail(__FILE__, __LINE__, "%s: %s", zRange, err.zMsg);
	int b = veh_vers_contains(&v, zVer);
	veh_vers_free(&v);
	return b;
}

TEST(vers_ranges_contain_what_the_specification_says) {
	ASSERT_TRUE(in_range("vers:generic/<3.0.8", "3.0.7"));
	ASSERT_TRUE(in_range("vers:generic/<3.0.8", "1.1.1k"));
	ASSERT_FALSE(in_range("vers:generic/<3.0.8", "3.0.8"));
	ASSERT_TRUE(in_range("vers:generic/<=3.0.8", "3.0.8"));
	ASSERT_TRUE(in_range("vers:semver/>=3.0.0|<3.0.7", "3.0.6"));
	ASSERT_FALSE(in_range("vers:semver/>=3.0.0|<3.0.7", "1.1.1"));
	ASSERT_FALSE(in_range("vers:semver/>=3.0.0|<3.0.7", "3.0.7"));
	ASSERT_TRUE(in_range("vers:npm/1.2.3|>=2.0.0|<5.0.0", "1.2.3"));
	ASSERT_TRUE(in_range("vers:npm/1.2.3|>=2.0.0|<5.0.0", "4.9.9"));
	ASSERT_FALSE(in_range("vers:npm/1.2.3|>=2.0.0|<5.0.0", "1.5.0"));
	ASSERT_FALSE(in_range("vers:semver/>=2.2.0|!=2.2.1|<2.3.0", "2.2.1"));
	ASSERT_TRUE(in_range("vers:semver/>=2.2.0|!=2.2.1|<2.3.0", "2.2.2"));
	ASSERT_TRUE(in_range("vers:generic/>=1.0|<=2.3|2.5|>=2.7|<=2.8", "2.7.5"));
	ASSERT_FALSE(in_range("vers:generic/>=1.0|<=2.3|2.5|>=2.7|<=2.8", "2.6"));
	ASSERT_TRUE(in_range("vers:generic/>4.1", "5"));
	ASSERT_TRUE(in_range("vers:all/*", "0.0.1"));
	ASSERT_FALSE(in_range("vers:none/*", "0.0.1"));
	ASSERT_TRUE(in_range("vers:semver/<1.0.0", "1.0.0-rc.1"));
	ASSERT_TRUE(in_range("vers:generic/2.0.0|1.0.0", "1.0.0"));   /* written out of order: sorted */
}

TEST(malformed_version_ranges_are_refused_with_the_reason) {
	static const char *const az[][2] = {
		{ "vers:npm/>=1.0.0| <2.0.0", "whitespace" },      { "vers:npm/|>=1.0.0", "empty constraint" },
		{ "vers:npm/>=1.0.0|<2.0.0|", "empty constraint" }, { "vers:npm/>=1.0.0||<2.0.0", "empty constraint" },
		{ "vers:npm/1.0%2G0", "valid escape" },             { "vers:deb/<1.0", "unknown type 'deb'" },
		{ "vers:npm/>=1.0.0|>=2.0.0", "do not alternate" }, { "vers:npm/1.0.0|<=1.0.0", "appears twice" },
		{ "semver/<1.0", "does not start with" },           { "vers:npm", "no type" },
	};
	for (size_t i = 0; i < sizeof az / sizeof az[0]; i++) {
		veh_vers v;
		ky_err err = { 0 };
		if (!veh_vers_parse(az[i][0], &v, &err)) ky_test_fail(__FILE__, __LINE__, "%s parsed", az[i][0]);
		ASSERT_CONTAINS(err.zMsg, az[i][1]);
		veh_vers_free(&v);
	}
}

/* ---- the JSON reader ------------------------------------------------------------------------------------ */

TEST(json_reader_refuses_bad_text_with_line_column_and_path) {
	static const char *const az[][2] = {
		{ "{\"a\":[1,2,}", "line 1 column 11 ($.a[2]): expected a value" },
		{ "{\"a\":{\"b\":\"x\\q\"}}", "($.a.b): bad escape" },
		{ "{\"a\":1,\"a\":2}", "the key \"a\" appears twice" },
		{ "{\n\"comps\":[\n{\"name\":\"x\"\n\"v\":1}]}", "line 4 column 1 ($.comps[0]): expected ',' or '}'" },
		{ "{\"a\":\"\x01\"}", "control character" },
		{ "{\"a\":\"\xC3\x28\"}", "invalid UTF-8" },
		{ "{\"a\":\"\\u0000\"}", "\\u0000" },
		{ "{\"a\":\"\\ud800x\"}", "surrogate" },
		{ "[1] 2", "text after the end" },
		{ "{\"a\":01}", "expected ',' or '}'" },
		{ "{\"a\":-}", "expected a value" },
		{ "{\"a\":tru}", "expected a value" },
		{ "", "unexpected end" },
		{ "{\"we ird\":[", "($[\"we ird\"][0]): unexpected end" },
	};
	for (size_t i = 0; i < sizeof az / sizeof az[0]; i++) {
		veh_jdoc d;
		ky_err err = { 0 };
		if (!veh_jdoc_parse(&d, az[i][0], strlen(az[i][0]), &err)) ky_test_fail(__FILE__, __LINE__, "parsed: %s", az[i][0]);
		ASSERT_CONTAINS(err.zMsg, az[i][1]);
		veh_jdoc_free(&d);
	}
	char zDeep[200];
	memset(zDeep, '[', 100);
	memset(zDeep + 100, ']', 100);
	veh_jdoc d;
	ky_err err = { 0 };
	ASSERT_EQ_INT(veh_jdoc_parse(&d, zDeep, sizeof zDeep, &err), KY_ELIMIT);
	veh_jdoc_free(&d);
}

TEST(json_reader_reads_what_jansson_reads) {
	const char *z = "\xEF\xBB\xBF{\"s\":\"caf\\u00e9 \\ud83d\\ude97 \xe6\x97\xa5\",\"n\":[1,-2.5e3,0],\"o\":{\"t\":true,\"f\":false,\"z\":null},\"e\":{}}";
	veh_jdoc d;
	ky_err err = { 0 };
	ASSERT_EQ_INT(veh_jdoc_parse(&d, z, strlen(z), &err), 0);
	ASSERT_EQ_STR(veh_jdoc_get_str(&d, 0, "s"), "caf\xc3\xa9 \xf0\x9f\x9a\x97 \xe6\x97\xa5");
	uint32_t n = veh_jdoc_get(&d, 0, "n");
	ASSERT_EQ_INT(d.a[n].n, 3);
	long long v = 0;
	ASSERT_TRUE(veh_jdoc_int(&d, veh_jdoc_first(&d, n), &v));
	ASSERT_EQ_INT(v, 1);
	ASSERT_EQ_INT(veh_jdoc_type(&d, veh_jdoc_get(&d, veh_jdoc_get(&d, 0, "o"), "z")), VEH_J_NULL);
	ASSERT_EQ_INT(veh_jdoc_type(&d, veh_jdoc_get(&d, veh_jdoc_get(&d, 0, "o"), "t")), VEH_J_TRUE);
	ASSERT_EQ_INT(veh_jdoc_get(&d, 0, "missing"), VEH_JNONE);
	size_t nRaw;
	const char *zRaw = veh_jdoc_raw(&d, veh_jdoc_get(&d, 0, "o"), &nRaw);
	ASSERT_EQ_INT(nRaw, strlen("{\"t\":true,\"f\":false,\"z\":null}"));
	ASSERT_TRUE(!strncmp(zRaw, "{\"t\":true", 9));
	veh_jdoc_free(&d);
}

TEST(json_reader_survives_random_damage) {
	const char *zBase = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[{\"name\":\"a\",\"version\":\"1\","
	                    "\"purl\":\"pkg:npm/%40s/a@1\",\"components\":[{\"name\":\"b\",\"version\":\"\\u00e9\"}]}],"
	                    "\"dependencies\":[{\"ref\":\"x\",\"dependsOn\":[]}]}";
	size_t n = strlen(zBase);
	char *z = malloc(n + 1);
	srand(7);
	for (int k = 0; k < 20000; k++) {
		memcpy(z, zBase, n + 1);
		for (int m = 0; m < 1 + k % 4; m++) z[rand() % n] = (char)(rand() % 256);
		size_t nz = (size_t)(rand() % 8 == 0 ? rand() % (int)n : (int)n);
		veh_jdoc d;
		ky_err err = { 0 };
		if (!veh_jdoc_parse(&d, z, nz, &err)) ASSERT_TRUE(d.n > 0 && d.a[0].end == d.n);
		veh_jdoc_free(&d);
		veh_sbom *s = veh_sbom_new();
		veh_sbom_load opt = { .zEcu = "tcu", .zVersion = "1.0.0" };
		veh_sbom_add_cyclonedx(s, z, nz, "fuzz.json", &opt, &err);
		veh_sbom_free(s);
	}
	free(z);
}

/* ---- identity in the shapes real tools write -------------------------------------------------------------- */

/* cdxgen 9 on an npm project (CycloneDX 1.5): groups split from scoped names, bom-refs are purls. */
static const char *zCdxgen =
	"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"serialNumber\":\"urn:uuid:1b671687-395b-41f5-a30f-a58921a69b79\","
	"\"version\":1,\"metadata\":{\"timestamp\":\"2024-03-01T00:00:00Z\",\"tools\":{\"components\":[{\"group\":\"@cyclonedx\","
	"\"name\":\"cdxgen\",\"version\":\"9.9.0\",\"type\":\"application\"}]},\"component\":{\"group\":\"\",\"name\":\"ivi-hmi\","
	"\"version\":\"6.1.0\",\"type\":\"application\",\"bom-ref\":\"pkg:npm/ivi-hmi@6.1.0\",\"purl\":\"pkg:npm/ivi-hmi@6.1.0\"}},"
	"\"components\":["
	"{\"group\":\"@types\",\"name\":\"cookie\",\"version\":\"0.4.1\",\"purl\":\"pkg:npm/%40types/cookie@0.4.1\",\"type\":\"library\","
	"\"bom-ref\":\"pkg:npm/@types/cookie@0.4.1\",\"scope\":\"optional\",\"properties\":[{\"name\":\"SrcFile\",\"value\":\"package-lock.json\"}]},"
	"{\"group\":\"\",\"name\":\"express\",\"version\":\"4.18.2\",\"purl\":\"pkg:npm/express@4.18.2\",\"type\":\"library\",\"bom-ref\":\"pkg:npm/express@4.18.2\"},"
	"{\"group\":\"\",\"name\":\"cookie\",\"version\":\"0.5.0\",\"purl\":\"pkg:npm/cookie@0.5.0\",\"type\":\"library\",\"bom-ref\":\"pkg:npm/cookie@0.5.0\"}],"
	"\"dependencies\":[{\"ref\":\"pkg:npm/ivi-hmi@6.1.0\",\"dependsOn\":[\"pkg:npm/express@4.18.2\",\"pkg:npm/@types/cookie@0.4.1\"]},"
	"{\"ref\":\"pkg:npm/express@4.18.2\",\"dependsOn\":[\"pkg:npm/cookie@0.5.0\"]},{\"ref\":\"pkg:npm/cookie@0.5.0\",\"dependsOn\":[]},"
	"{\"ref\":\"pkg:npm/@types/cookie@0.4.1\",\"dependsOn\":[]}]}";

/* @cyclonedx/cyclonedx-npm (1.4, nested node_modules as nested components, purl subpaths, "a|b" bom-refs). */
static const char *zNpm =
	"{\"$schema\":\"http://cyclonedx.org/schema/bom-1.4.schema.json\",\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\"version\":1,"
	"\"metadata\":{\"tools\":[{\"vendor\":\"@cyclonedx\",\"name\":\"cyclonedx-npm\",\"version\":\"1.7.0\"}],\"component\":{\"type\":\"application\","
	"\"name\":\"juice-shop\",\"version\":\"14.1.1\",\"bom-ref\":\"juice-shop@14.1.1\",\"purl\":\"pkg:npm/juice-shop@14.1.1\"}},"
	"\"components\":["
	"{\"type\":\"library\",\"name\":\"cookie\",\"group\":\"@types\",\"version\":\"0.4.1\",\"bom-ref\":\"@types/cookie@0.4.1\",\"purl\":\"pkg:npm/%40types/cookie@0.4.1#types/cookie\"},"
	"{\"type\":\"library\",\"name\":\"express\",\"version\":\"4.18.2\",\"bom-ref\":\"express@4.18.2\",\"purl\":\"pkg:npm/express@4.18.2\","
	"\"components\":[{\"type\":\"library\",\"name\":\"cookie\",\"version\":\"0.5.0\",\"bom-ref\":\"express@4.18.2|cookie@0.5.0\",\"purl\":\"pkg:npm/cookie@0.5.0\"}]},"
	"{\"type\":\"library\",\"name\":\"cookie\",\"version\":\"0.4.1\",\"bom-ref\":\"cookie@0.4.1\",\"purl\":\"pkg:npm/cookie@0.4.1\"},"
	"{\"type\":\"library\",\"name\":\"cookie-parser\",\"version\":\"1.4.6\",\"bom-ref\":\"cookie-parser@1.4.6\",\"purl\":\"pkg:npm/cookie-parser@1.4.6\"}],"
	"\"dependencies\":[{\"ref\":\"juice-shop@14.1.1\",\"dependsOn\":[\"cookie-parser@1.4.6\",\"express@4.18.2\"]},"
	"{\"ref\":\"cookie-parser@1.4.6\",\"dependsOn\":[\"cookie@0.4.1\"]},{\"ref\":\"express@4.18.2\",\"dependsOn\":[\"express@4.18.2|cookie@0.5.0\"]},"
	"{\"ref\":\"@types/cookie@0.4.1\"},{\"ref\":\"cookie@0.4.1\"},{\"ref\":\"express@4.18.2|cookie@0.5.0\"}]}";

/* cyclonedx-php-composer (1.4): vendor as group, versions with and without a 'v', bom-refs "vendor/name-1.3.0.0". */
static const char *zComposer =
	"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\"version\":1,\"metadata\":{\"tools\":[{\"vendor\":\"cyclonedx\","
	"\"name\":\"cyclonedx-php-composer\",\"version\":\"in-dev\"}],\"component\":{\"bom-ref\":\"acme/telematics-portal-dev-master\","
	"\"type\":\"application\",\"name\":\"telematics-portal\",\"version\":\"dev-master\",\"group\":\"acme\","
	"\"purl\":\"pkg:composer/acme/telematics-portal@dev-master\"}},\"components\":["
	"{\"bom-ref\":\"asm89/stack-cors-1.3.0.0\",\"type\":\"library\",\"name\":\"stack-cors\",\"version\":\"1.3.0\",\"group\":\"asm89\","
	"\"purl\":\"pkg:composer/asm89/stack-cors@1.3.0\"},"
	"{\"bom-ref\":\"laravel/laravel-7.12.0.0\",\"type\":\"library\",\"name\":\"laravel\",\"version\":\"v7.12.0\",\"group\":\"laravel\","
	"\"purl\":\"pkg:composer/laravel/laravel@v7.12.0\"},"
	"{\"bom-ref\":\"fruitcake/laravel-cors-1.0.6.0\",\"type\":\"library\",\"name\":\"laravel-cors\",\"version\":\"v1.0.6\",\"group\":\"fruitcake\","
	"\"purl\":\"pkg:composer/fruitcake/laravel-cors@v1.0.6\"}],"
	"\"dependencies\":[{\"ref\":\"asm89/stack-cors-1.3.0.0\",\"dependsOn\":[]},{\"ref\":\"fruitcake/laravel-cors-1.0.6.0\","
	"\"dependsOn\":[\"asm89/stack-cors-1.3.0.0\"]},{\"ref\":\"laravel/laravel-7.12.0.0\",\"dependsOn\":[\"fruitcake/laravel-cors-1.0.6.0\"]},"
	"{\"ref\":\"acme/telematics-portal-dev-master\",\"dependsOn\":[\"laravel/laravel-7.12.0.0\"]}]}";

/* cyclonedx-gomod (1.5): the module path as the name, no group, purls with ?type=module. */
static const char *zGomod =
	"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"serialNumber\":\"urn:uuid:2c671687-395b-41f5-a30f-a58921a69b79\",\"version\":1,"
	"\"metadata\":{\"tools\":[{\"vendor\":\"CycloneDX\",\"name\":\"cyclonedx-gomod\",\"version\":\"v1.4.1\"}],\"component\":{"
	"\"bom-ref\":\"pkg:golang/example.com/acme/tcu-agent@v0.9.0?type=module\",\"type\":\"application\",\"name\":\"example.com/acme/tcu-agent\","
	"\"version\":\"v0.9.0\",\"purl\":\"pkg:golang/example.com/acme/tcu-agent@v0.9.0?type=module\"}},\"components\":["
	"{\"bom-ref\":\"pkg:golang/github.com/gin-gonic/gin@v1.9.1?type=module\",\"type\":\"library\",\"name\":\"github.com/gin-gonic/gin\","
	"\"version\":\"v1.9.1\",\"scope\":\"required\",\"purl\":\"pkg:golang/github.com/gin-gonic/gin@v1.9.1?type=module\"},"
	"{\"bom-ref\":\"pkg:golang/golang.org/x/net@v0.17.0?type=module\",\"type\":\"library\",\"name\":\"golang.org/x/net\","
	"\"version\":\"v0.17.0\",\"purl\":\"pkg:golang/golang.org/x/net@v0.17.0?type=module\"}],"
	"\"dependencies\":[{\"ref\":\"pkg:golang/example.com/acme/tcu-agent@v0.9.0?type=module\",\"dependsOn\":["
	"\"pkg:golang/github.com/gin-gonic/gin@v1.9.1?type=module\"]},{\"ref\":\"pkg:golang/github.com/gin-gonic/gin@v1.9.1?type=module\","
	"\"dependsOn\":[\"pkg:golang/golang.org/x/net@v0.17.0?type=module\"]},{\"ref\":\"pkg:golang/golang.org/x/net@v0.17.0?type=module\"}]}";

static void add_doc(veh_sbom *s, const char *zText, const char *zEcu, const char *zVer) {
	veh_sbom_load opt = { .zEcu = zEcu, .zVersion = zVer };
	ky_err err = { 0 };
	if (veh_sbom_add_cyclonedx(s, zText, strlen(zText), "test.cdx.json", &opt, &err))
		ky_test_fail(__FILE__, __LINE__, "load failed: %s", err.zMsg);
}

/* Firmware hit by a component query: "ecu@version ecu@version" (their order), or "ERROR: msg". */
static const char *hits(const veh_sbom *s, const char *zQuery, const char *zRange, json_t **pDetail) {
	static char z[512];
	veh_sbom_eval ev;
	ky_err err = { 0 };
	if (veh_sbom_eval_component(s, zQuery, zRange, &ev, &err)) {
		snprintf(z, sizeof z, "ERROR: %.500s", err.zMsg);
		return z;
	}
	z[0] = 0;
	size_t i, k = 0;
	json_t *f;
	json_array_foreach(json_object_get(ev.detail, "firmware"), i, f)
		k += (size_t)snprintf(z + k, sizeof z - k, "%s%s@%s", i ? " " : "", json_string_value(json_object_get(f, "ecu")),
		                      json_string_value(json_object_get(f, "version")));
	if (pDetail) *pDetail = json_incref(ev.detail);
	veh_sbom_eval_free(&ev);
	return z;
}

static veh_sbom *tool_shaped(void) {
	veh_sbom *s = veh_sbom_new();
	add_doc(s, zCdxgen, "ivi", "6.1.0");
	add_doc(s, zNpm, "ivi", "6.2.0");
	add_doc(s, zComposer, "gw", "1.5.0");
	add_doc(s, zGomod, "tcu", "3.2.0");
	return s;
}

TEST(a_name_without_group_is_not_a_scoped_npm_package) {
	veh_sbom *s = tool_shaped();
	ASSERT_EQ_STR(hits(s, "cookie@0.4.1", NULL, NULL), "ivi@6.2.0");               /* not the @types/cookie of 6.1.0 */
	ASSERT_EQ_STR(hits(s, "@types/cookie@0.4.1", NULL, NULL), "ivi@6.1.0 ivi@6.2.0");
	ASSERT_EQ_STR(hits(s, "pkg:npm/%40types/cookie@0.4.1", NULL, NULL), "ivi@6.1.0 ivi@6.2.0");
	ASSERT_EQ_STR(hits(s, "pkg:npm/@types/cookie@0.4.1", NULL, NULL), "ivi@6.1.0 ivi@6.2.0");
	ASSERT_EQ_STR(hits(s, "pkg:npm/cookie@0.4.1", NULL, NULL), "ivi@6.2.0");
	ASSERT_EQ_STR(hits(s, "cookie@0.5.0", NULL, NULL), "ivi@6.1.0 ivi@6.2.0");       /* nested under express in 6.2.0 */
	ASSERT_EQ_STR(hits(s, "cookie", NULL, NULL), "ivi@6.1.0 ivi@6.2.0");
	veh_sbom_free(s);
}

TEST(composer_vendors_and_go_module_paths_are_found_every_way_they_are_written) {
	veh_sbom *s = tool_shaped();
	ASSERT_EQ_STR(hits(s, "pkg:composer/asm89/stack-cors@1.3.0", NULL, NULL), "gw@1.5.0");
	ASSERT_EQ_STR(hits(s, "asm89/stack-cors@1.3.0", NULL, NULL), "gw@1.5.0");
	ASSERT_EQ_STR(hits(s, "pkg:composer/ASM89/Stack-Cors@1.3.0", NULL, NULL), "gw@1.5.0");   /* composer names fold case */
	ASSERT_EQ_STR(hits(s, "stack-cors@1.3.0", NULL, NULL), "");                             /* it has a vendor */
	ASSERT_EQ_STR(hits(s, "laravel/laravel@7.12.0", NULL, NULL), "gw@1.5.0");               /* v7.12.0 in the SBOM */
	ASSERT_EQ_STR(hits(s, "github.com/gin-gonic/gin@v1.9.1", NULL, NULL), "tcu@3.2.0");
	ASSERT_EQ_STR(hits(s, "github.com/gin-gonic/gin@1.9.1", NULL, NULL), "tcu@3.2.0");
	ASSERT_EQ_STR(hits(s, "pkg:golang/github.com/gin-gonic/gin@v1.9.1?type=module#binding", NULL, NULL), "tcu@3.2.0");
	ASSERT_EQ_STR(hits(s, "pkg:golang/github.com/Gin-Gonic/gin@v1.9.1", NULL, NULL), "");   /* Go paths keep their case */
	ASSERT_EQ_STR(hits(s, "pkg:golang/golang.org/x/net", NULL, NULL), "tcu@3.2.0");
	veh_sbom_free(s);
}

TEST(a_query_that_matches_nothing_says_whether_the_name_is_known) {
	veh_sbom *s = tool_shaped();
	json_t *d = NULL;
	ASSERT_EQ_STR(hits(s, "cookie@0.4.2", NULL, &d), "");
	ASSERT_FALSE(json_is_true(json_object_get(d, "known")));
	ASSERT_EQ_INT(json_array_size(json_object_get(d, "other_versions")), 2);
	ASSERT_EQ_STR(json_string_value(json_array_get(json_object_get(d, "other_versions"), 0)), "0.4.1");
	ASSERT_CONTAINS(json_string_value(json_object_get(d, "note")), "'cookie' is known at 0.4.1, 0.5.0");
	json_decref(d);
	ASSERT_EQ_STR(hits(s, "cookei@0.4.1", NULL, &d), "");
	ASSERT_CONTAINS(json_string_value(json_object_get(d, "note")), "no component named 'cookei'");
	json_decref(d);
	ASSERT_CONTAINS(hits(s, "pkg:npm", NULL, NULL), "ERROR: 'pkg:npm' is not a package URL");
	ASSERT_CONTAINS(hits(s, "cookie@", NULL, NULL), "ERROR:");
	ASSERT_CONTAINS(hits(s, "open ssl@1.0", NULL, NULL), "no spaces");
	veh_sbom_free(s);
}

TEST(transitive_components_count_and_the_path_shows_how) {
	veh_sbom *s = tool_shaped();
	json_t *d = NULL;
	ASSERT_EQ_STR(hits(s, "asm89/stack-cors@1.3.0", NULL, &d), "gw@1.5.0");
	json_t *f = json_array_get(json_object_get(d, "firmware"), 0), *path = json_object_get(f, "path");
	ASSERT_EQ_INT(json_array_size(path), 4);
	ASSERT_EQ_STR(json_string_value(json_array_get(path, 0)), "acme/telematics-portal@dev-master");
	ASSERT_EQ_STR(json_string_value(json_array_get(path, 1)), "laravel/laravel@v7.12.0");
	ASSERT_EQ_STR(json_string_value(json_array_get(path, 2)), "fruitcake/laravel-cors@v1.0.6");
	ASSERT_FALSE(json_is_true(json_object_get(f, "direct")));
	json_decref(d);
	ASSERT_EQ_STR(hits(s, "laravel/laravel@v7.12.0", NULL, &d), "gw@1.5.0");
	ASSERT_TRUE(json_is_true(json_object_get(json_array_get(json_object_get(d, "firmware"), 0), "direct")));
	json_decref(d);
	veh_sbom_free(s);
}

/* A firmware lists a supplier's part; the part's own SBOM says what it contains. */
TEST(a_parts_own_sbom_adds_to_every_firmware_that_lists_it) {
	veh_sbom *s = veh_sbom_new();
	add_doc(s, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"metadata\":{\"component\":{\"type\":\"firmware\",\"name\":\"tcu\","
	           "\"version\":\"3.2.0\"}},\"components\":[{\"type\":\"library\",\"name\":\"tcu-stack\",\"group\":\"tier1\",\"version\":\"4.2.0\","
	           "\"purl\":\"pkg:generic/tier1/tcu-stack@4.2.0\"},{\"type\":\"library\",\"name\":\"busybox\",\"version\":\"1.36.1\"}]}", NULL, NULL);
	ASSERT_EQ_STR(hits(s, "zlib@1.2.12", NULL, NULL), "");
	const char *zPart = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"metadata\":{\"component\":{\"type\":\"library\",\"group\":\"tier1\","
	                    "\"name\":\"tcu-stack\",\"version\":\"4.2.0\",\"bom-ref\":\"stack\"}},\"components\":[{\"type\":\"library\",\"name\":\"libcurl\","
	                    "\"version\":\"7.83.1\",\"bom-ref\":\"curl\",\"purl\":\"pkg:generic/curl@7.83.1\"},{\"type\":\"library\",\"name\":\"zlib\","
	                    "\"version\":\"1.2.12\",\"bom-ref\":\"zlib\",\"purl\":\"pkg:generic/zlib@1.2.12\"}],\"dependencies\":[{\"ref\":\"stack\","
	                    "\"dependsOn\":[\"curl\"]},{\"ref\":\"curl\",\"dependsOn\":[\"zlib\"]}]}";
	veh_sbom_load opt = { .bPart = 1 };
	ky_err err = { 0 };
	ASSERT_EQ_INT(veh_sbom_add_cyclonedx(s, zPart, strlen(zPart), "tcu-stack.cdx.json", &opt, &err), 0);
	ASSERT_EQ_INT(opt.kind, VEH_SBOM_PART);
	json_t *d = NULL;
	ASSERT_EQ_STR(hits(s, "pkg:generic/zlib@1.2.12", NULL, &d), "tcu@3.2.0");
	json_t *path = json_object_get(json_array_get(json_object_get(d, "firmware"), 0), "path");
	ASSERT_EQ_INT(json_array_size(path), 4);   /* tcu@3.2.0 > tier1/tcu-stack@4.2.0 > libcurl@7.83.1 > zlib@1.2.12 */
	ASSERT_EQ_STR(json_string_value(json_array_get(path, 1)), "tier1/tcu-stack@4.2.0");
	ASSERT_EQ_STR(json_string_value(json_array_get(path, 2)), "libcurl@7.83.1");
	json_decref(d);
	veh_sbom_free(s);
}

TEST(ranges_select_every_version_below_a_fix) {
	veh_sbom *s = veh_sbom_new();
	json_t *t = json_loads("{\"tcu\":{\"2.8.1\":[\"zlib@1.2.11\"],\"3.2.0\":[\"zlib@1.2.12\"],\"3.2.1\":[\"zlib@1.2.13\"]},"
	                       "\"gw\":{\"1.6.0\":[\"pkg:generic/zlib@1.3.1\"]}}", 0, NULL);
	ky_err err = { 0 };
	ASSERT_EQ_INT(veh_sbom_add_json(s, t, &err), 0);
	json_decref(t);
	ASSERT_EQ_STR(hits(s, "zlib@vers:generic/<1.2.13", NULL, NULL), "tcu@2.8.1 tcu@3.2.0");
	ASSERT_EQ_STR(hits(s, "zlib", "vers:generic/<1.2.13", NULL), "tcu@2.8.1 tcu@3.2.0");
	ASSERT_EQ_STR(hits(s, "pkg:generic/zlib", "vers:generic/>=1.2.12|<1.3", NULL), "tcu@3.2.0 tcu@3.2.1");
	ASSERT_EQ_STR(hits(s, "zlib", "vers:generic/>=1.3", NULL), "gw@1.6.0");
	ASSERT_CONTAINS(hits(s, "zlib@1.2.12", "vers:generic/<2", NULL), "a version and a range");
	ASSERT_CONTAINS(hits(s, "zlib", "vers:rpm/<2", NULL), "unknown type 'rpm'");
	veh_sbom_free(s);
}

/* ---- VEX in ----------------------------------------------------------------------------------------------- */

/* Firmware hit by a vulnerability: "ecu@version ..." */
static const char *vhits(const veh_sbom *s, const char *zId, json_t **pDetail) {
	static char z[512];
	veh_sbom_eval ev;
	ky_err err = { 0 };
	if (veh_sbom_eval_vulnerability(s, zId, &ev, &err)) ky_test_fail(__FILE__, __LINE__, "%s", err.zMsg);
	z[0] = 0;
	size_t i, k = 0;
	json_t *f;
	json_array_foreach(json_object_get(ev.detail, "firmware"), i, f)
		k += (size_t)snprintf(z + k, sizeof z - k, "%s%s@%s", i ? " " : "", json_string_value(json_object_get(f, "ecu")),
		                      json_string_value(json_object_get(f, "version")));
	if (pDetail) *pDetail = json_incref(ev.detail);
	veh_sbom_eval_free(&ev);
	return z;
}

static int load_vex(veh_sbom *s, const char *zText, ky_err *err) {
	veh_sbom_load opt = { 0 };
	int rc = veh_sbom_add_cyclonedx(s, zText, strlen(zText), "vex.cdx.json", &opt, err);
	if (!rc) ASSERT_EQ_INT(opt.kind, VEH_SBOM_VEX);
	return rc;
}

static veh_sbom *zlib_fleet(void) {
	veh_sbom *s = veh_sbom_new();
	/* tcu 2.8.1 and 3.2.0 from a supplier with serials (BOM-Link targets); gw has the fixed zlib; ivi none */
	add_doc(s, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"serialNumber\":\"urn:uuid:aaaaaaaa-0000-4000-8000-000000000281\","
	           "\"version\":2,\"metadata\":{\"component\":{\"type\":\"firmware\",\"name\":\"tcu\",\"version\":\"2.8.1\",\"bom-ref\":\"fw\"}},"
	           "\"components\":[{\"type\":\"library\",\"name\":\"libcurl\",\"version\":\"7.79.1\",\"bom-ref\":\"curl\"},{\"type\":\"library\","
	           "\"name\":\"zlib\",\"version\":\"1.2.11\",\"bom-ref\":\"zlib\",\"purl\":\"pkg:generic/zlib@1.2.11\"}],\"dependencies\":["
	           "{\"ref\":\"fw\",\"dependsOn\":[\"curl\"]},{\"ref\":\"curl\",\"dependsOn\":[\"zlib\"]}]}", NULL, NULL);
	add_doc(s, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"serialNumber\":\"urn:uuid:aaaaaaaa-0000-4000-8000-000000000320\","
	           "\"version\":1,\"metadata\":{\"component\":{\"type\":\"firmware\",\"name\":\"tcu\",\"version\":\"3.2.0\",\"bom-ref\":\"fw\"}},"
	           "\"components\":[{\"type\":\"application\",\"name\":\"ota-agent\",\"group\":\"tier1\",\"version\":\"2.1.0\",\"bom-ref\":\"ota\"},"
	           "{\"type\":\"library\",\"name\":\"zlib\",\"version\":\"1.2.12\",\"bom-ref\":\"zlib\",\"purl\":\"pkg:generic/zlib@1.2.12\"}],"
	           "\"dependencies\":[{\"ref\":\"fw\",\"dependsOn\":[\"ota\"]},{\"ref\":\"ota\",\"dependsOn\":[\"zlib\"]}]}", NULL, NULL);
	json_t *t = json_loads("{\"gw\":{\"1.6.0\":[\"zlib@1.2.13\"]},\"ivi\":{\"6.1.0\":[\"qt@5.15.2\"]}}", 0, NULL);
	ky_err err = { 0 };
	ASSERT_EQ_INT(veh_sbom_add_json(s, t, &err), 0);
	json_decref(t);
	return s;
}

static const char *zAdvisory =
	"{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,\"vulnerabilities\":[{\"id\":\"CVE-2022-37434\","
	"\"source\":{\"name\":\"NVD\",\"url\":\"https://nvd.nist.gov/vuln/detail/CVE-2022-37434\"},\"ratings\":[{\"score\":9.8,"
	"\"severity\":\"critical\",\"method\":\"CVSSv31\"}],\"cwes\":[787],\"affects\":[{\"ref\":\"pkg:generic/zlib\",\"versions\":["
	"{\"range\":\"vers:generic/<1.2.13\",\"status\":\"affected\"},{\"range\":\"vers:generic/>=1.2.13\",\"status\":\"unaffected\"}]}]}]}";

TEST(an_advisory_by_purl_and_range_finds_direct_and_transitive_carriers) {
	veh_sbom *s = zlib_fleet();
	ky_err err = { 0 };
	ASSERT_EQ_STR(vhits(s, "CVE-2022-37434", NULL), "");
	ASSERT_EQ_INT(load_vex(s, zAdvisory, &err), 0);
	json_t *d = NULL;
	ASSERT_EQ_STR(vhits(s, "CVE-2022-37434", &d), "tcu@2.8.1 tcu@3.2.0");
	ASSERT_TRUE(json_is_true(json_object_get(d, "known")));
	ASSERT_EQ_INT(json_array_size(json_object_get(d, "components")), 2);   /* zlib 1.2.11 and 1.2.12, not 1.2.13 */
	json_t *p = json_object_get(json_array_get(json_object_get(d, "firmware"), 1), "path");
	ASSERT_EQ_STR(json_string_value(json_array_get(p, 1)), "tier1/ota-agent@2.1.0");
	json_decref(d);
	ASSERT_EQ_STR(vhits(s, "CVE-2099-0001", &d), "");
	ASSERT_FALSE(json_is_true(json_object_get(d, "known")));
	json_decref(d);
	veh_sbom_free(s);
}

TEST(a_products_not_affected_statement_shields_what_it_contains) {
	veh_sbom *s = zlib_fleet();
	ky_err err = { 0 };
	ASSERT_EQ_INT(load_vex(s, zAdvisory, &err), 0);
	/* the supplier's VEX: tcu 2.8.1 (by BOM-Link to its SBOM, version 2) is not affected, the code is not reachable */
	const char *zVex = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\"version\":1,\"vulnerabilities\":[{\"id\":\"CVE-2022-37434\","
	                   "\"analysis\":{\"state\":\"not_affected\",\"justification\":\"code_not_reachable\",\"response\":[\"will_not_fix\"]},"
	                   "\"affects\":[{\"ref\":\"urn:cdx:aaaaaaaa-0000-4000-8000-000000000281/2#fw\"},{\"ref\":\"urn:cdx:deadbeef-0000-4000-8000-000000000000/1#x\"}]}]}";
	ASSERT_EQ_INT(load_vex(s, zVex, &err), 0);
	json_t *d = NULL;
	ASSERT_EQ_STR(vhits(s, "CVE-2022-37434", &d), "tcu@3.2.0");
	ASSERT_EQ_INT(json_array_size(json_object_get(d, "not_affected")), 2);   /* the firmware, and zlib 1.2.13 by its range */
	ASSERT_EQ_STR(json_string_value(json_array_get(json_object_get(d, "unresolved"), 0)), "urn:cdx:deadbeef-0000-4000-8000-000000000000/1#x");
	json_decref(d);
	/* a later statement by plain bom-ref (found in the firmware's SBOM) says the agent is exploitable after all: no
	 * change (it was already reached); one that clears zlib 1.2.12 itself clears tcu 3.2.0 */
	const char *zVex2 = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\"vulnerabilities\":[{\"id\":\"CVE-2022-37434\","
	                    "\"analysis\":{\"state\":\"resolved\"},\"affects\":[{\"ref\":\"pkg:generic/zlib@1.2.12\"}]}]}";
	ASSERT_EQ_INT(load_vex(s, zVex2, &err), 0);
	ASSERT_EQ_STR(vhits(s, "CVE-2022-37434", NULL), "");
	veh_sbom_free(s);
}

TEST(statements_inside_an_sbom_and_versions_of_a_product_family_count) {
	veh_sbom *s = veh_sbom_new();
	/* CISA use case 7's shape: a product without a version, statements by version and range of it */
	add_doc(s, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\"version\":1,\"metadata\":{\"component\":{\"name\":\"tcu\","
	           "\"type\":\"firmware\",\"version\":\"2.4\",\"bom-ref\":\"product-tcu\"}},\"components\":[],\"vulnerabilities\":[{\"id\":\"CVE-2021-44228\","
	           "\"analysis\":{\"state\":\"exploitable\"},\"affects\":[{\"ref\":\"product-tcu\",\"versions\":[{\"version\":\"2.4\",\"status\":\"affected\"},"
	           "{\"range\":\"vers:generic/>=2.9|<=4.1\",\"status\":\"affected\"},{\"version\":\"2.5\",\"status\":\"unaffected\"}]}]}]}", "tcu", "2.4");
	add_doc(s, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\"metadata\":{\"component\":{\"name\":\"tcu\",\"type\":\"firmware\","
	           "\"version\":\"2.5\"}}}", NULL, NULL);
	add_doc(s, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\"metadata\":{\"component\":{\"name\":\"tcu\",\"type\":\"firmware\","
	           "\"version\":\"3.0\"}}}", NULL, NULL);
	ASSERT_EQ_STR(vhits(s, "CVE-2021-44228", NULL), "tcu@2.4.0 tcu@3.0.0");
	veh_sbom_free(s);
}

/* ---- refused documents -------------------------------------------------------------------------------------- */

TEST(malformed_cyclonedx_is_refused_with_the_file_and_the_json_path) {
	static const char *const az[][2] = {
		{ "[]", "x.json: $.bomFormat: not a CycloneDX document" },
		{ "{\"bomFormat\":\"SPDX\"}", "x.json: $.bomFormat: not a CycloneDX document" },
		{ "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.1\"}", "x.json: $.specVersion: '1.1' is not read" },
		{ "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":{}}", "x.json: $.components: expected an array" },
		{ "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[{\"name\":\"a\",\"components\":[{\"name\":\"b\"},{\"version\":\"1\"}]}]}",
		  "x.json: $.components[0].components[1]: a component needs a name" },
		{ "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[{\"name\":\"a\",\"version\":7}]}",
		  "x.json: $.components[0].version: expected a string" },
		{ "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[{\"name\":\"a\",\"purl\":\"pkg:npm\"}]}",
		  "x.json: $.components[0].purl: 'pkg:npm' is not a package URL: no type" },
		{ "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[{\"name\":\"a\",\"bom-ref\":\"r\"},{\"name\":\"b\",\"bom-ref\":\"r\"}]}",
		  "the bom-ref 'r' is used twice" },
		{ "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[{\"name\":\"a\",\"bom-ref\":\"r\"}],\"dependencies\":"
		  "[{\"ref\":\"r\",\"dependsOn\":[\"r\",\"s\"]}]}", "x.json: $.dependencies[0].dependsOn[1]: 's' names no bom-ref in this document" },
		{ "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"vulnerabilities\":[{\"id\":\"CVE-1\",\"analysis\":{\"state\":\"fine\"}}]}",
		  "x.json: $.vulnerabilities[0].analysis.state: 'fine' is not one of" },
		{ "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"vulnerabilities\":[{\"affects\":[]}]}",
		  "x.json: $.vulnerabilities[0]: a vulnerability needs an id" },
		{ "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"vulnerabilities\":[{\"id\":\"X\",\"affects\":[{\"ref\":\"a\",\"versions\":"
		  "[{\"range\":\"vers:generic/<1|<2\"}]}]}]}", "x.json: $.vulnerabilities[0].affects[0].versions[0].range: 'vers:generic/<1|<2' is not a version range" },
		{ "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"serialNumber\":\"1234\"}", "x.json: $.serialNumber: expected \"urn:uuid:" },
		{ "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\n\"components\":[{\"name\":\"a\",}]}",
		  "x.json: not JSON: line 2 column 27 ($.components[0]): expected a key" },
	};
	veh_sbom *s = veh_sbom_new();
	add_doc(s, zNpm, "ivi", "6.2.0");
	json_t *before = veh_sbom_json(s);
	int nBefore = veh_sbom_component_count(s);
	for (size_t i = 0; i < sizeof az / sizeof az[0]; i++) {
		veh_sbom_load opt = { .zEcu = "tcu", .zVersion = "1.0.0" };
		ky_err err = { 0 };
		if (!veh_sbom_add_cyclonedx(s, az[i][0], strlen(az[i][0]), "x.json", &opt, &err)) ky_test_fail(__FILE__, __LINE__, "accepted: %s", az[i][0]);
		ASSERT_CONTAINS(err.zMsg, az[i][1]);
	}
	/* nothing of the refused documents was added */
	ASSERT_EQ_INT(veh_sbom_component_count(s), nBefore);
	json_t *after = veh_sbom_json(s);
	ASSERT_TRUE(json_equal(before, after));
	json_decref(before);
	json_decref(after);
	veh_sbom_free(s);
}

/* ---- size ------------------------------------------------------------------------------------------------------ */

/* A 16 MiB document in the cdxgen shape: it loads, every component is reachable, a deep one is found with its path.
 * The time is printed (bench/sbom compares it with jansson); it is not asserted. */
TEST(a_16_mib_document_loads_and_is_queried) {
	size_t nCap = VEH_SBOM_MAX_BYTES, n = 0;
	char *z = malloc(nCap);
	n += (size_t)snprintf(z + n, nCap - n, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"metadata\":{\"component\":{\"type\":"
	                      "\"firmware\",\"name\":\"ivi\",\"version\":\"7.0.0\",\"bom-ref\":\"root\"}},\"components\":[");
	int nComp = 0;
	while (n + 2000 + (size_t)nComp * 40 < nCap - 4096) {   /* and room for the dependencies */
		n += (size_t)snprintf(z + n, nCap - n, "%s{\"type\":\"library\",\"group\":\"@g%d\",\"name\":\"p%d\",\"version\":\"%d.%d.%d\","
		                      "\"bom-ref\":\"r%d\",\"purl\":\"pkg:npm/%%40g%d/p%d@%d.%d.%d\",\"description\":\"a library of the test "
		                      "document, with a description as long as real ones have\",\"licenses\":[{\"license\":{\"id\":\"MIT\"}}],"
		                      "\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"%064d\"}]}", nComp ? "," : "", nComp % 97, nComp,
		                      nComp % 7, nComp % 13, nComp % 29, nComp, nComp % 97, nComp, nComp % 7, nComp % 13, nComp % 29, nComp);
		nComp++;
	}
	n += (size_t)snprintf(z + n, nCap - n, "],\"dependencies\":[{\"ref\":\"root\",\"dependsOn\":[\"r0\"]}");
	for (int i = 0; i + 1 < nComp && n + 100 < nCap; i++) n += (size_t)snprintf(z + n, nCap - n, ",{\"ref\":\"r%d\",\"dependsOn\":[\"r%d\"]}", i, i + 1);
	n += (size_t)snprintf(z + n, nCap - n, "]}");
	ASSERT_LT(n, nCap + 1);
	ASSERT_LT(15 << 20, n);
	veh_sbom *s = veh_sbom_new();
	veh_sbom_load opt = { 0 };
	ky_err err = { 0 };
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	int rc = veh_sbom_add_cyclonedx(s, z, n, "ivi-7.0.0.cdx.json", &opt, &err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (rc) ky_test_fail(__FILE__, __LINE__, "%s", err.zMsg);
	printf("  %.1f MiB, %d components loaded in %.3f s\n", (double)n / (1 << 20), nComp,
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	ASSERT_EQ_INT(opt.nTop, nComp);
	ASSERT_EQ_STR(opt.zEcuOut, "ivi");
	char zQ[64];
	snprintf(zQ, sizeof zQ, "@g%d/p%d", (nComp - 1) % 97, nComp - 1);
	json_t *d = NULL;
	ASSERT_EQ_STR(hits(s, zQ, NULL, &d), "ivi@7.0.0");
	ASSERT_EQ_INT(json_array_size(json_object_get(json_array_get(json_object_get(d, "firmware"), 0), "path")), nComp + 1);
	json_decref(d);
	veh_sbom_free(s);
	free(z);
}
