/* The report's parts alone (ui/report, scenarios/msel): SHA-1 and UUIDv5 against published vectors, STIX
 * patterns, the message catalogue (both languages, the same placeholders, every key the code builds), the CSV
 * reader's RFC 4180 cases, the expected_action text both ways, the P/S/M/U rule, and a recorded drill's STIX
 * bundle: identical twice, nothing of a TLP:RED share in it. Real drill, real journal. */
#include "tests/c/ky_test.h"

#include <stdlib.h>

#include "scenarios/drill.h"
#include "scenarios/msel.h"
#include "scenarios/record.h"
#include "ui/report/aar.h"
#include "ui/report/data.h"
#include "ui/report/find.h"
#include "ui/report/msel.h"
#include "ui/report/msg.h"
#include "ui/report/stix.h"
#include "vehicles/action.h"

static void hex(const unsigned char *p, size_t n, char *z) {
	for (size_t i = 0; i < n; i++) sprintf(z + 2 * i, "%02x", p[i]);
}

TEST(sha1_gives_the_fips_180_vectors) {
	static const struct { const char *zIn, *zOut; } a[] = {
		{ "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
		{ "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	};
	unsigned char d[20];
	char z[41];
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
		rep_stix_sha1(a[i].zIn, strlen(a[i].zIn), d);
		hex(d, 20, z);
		ASSERT_EQ_STR(z, a[i].zOut);
	}
	char *zM = malloc(1000000);
	memset(zM, 'a', 1000000);
	rep_stix_sha1(zM, 1000000, d);
	free(zM);
	hex(d, 20, z);
	ASSERT_EQ_STR(z, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(uuid5_matches_the_rfc_4122_dns_namespace_example) {
	static const unsigned char aDns[16] = { 0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
	                                        0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 };
	char z[37];
	rep_stix_uuid5(aDns, "python.org", z);
	ASSERT_EQ_STR(z, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
}

TEST(stix_patterns_follow_the_value_kind_and_escape_quotes) {
	static const struct { const char *zIn, *zOut; } a[] = {
		{ "203.0.113.7", "[ipv4-addr:value = '203.0.113.7']" },
		{ "198.51.100.0/24", "[ipv4-addr:value = '198.51.100.0/24']" },
		{ "2001:db8::1", "[ipv6-addr:value = '2001:db8::1']" },
		{ "update-check.example.net", "[domain-name:value = 'update-check.example.net']" },
		{ "https://c2.example.org/x?a=1", "[url:value = 'https://c2.example.org/x?a=1']" },
		{ "ops@example.com", "[email-addr:value = 'ops@example.com']" },
		{ "D41D8CD98F00B204E9800998ECF8427E", "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']" },
		{ "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		  "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']" },
		{ "https://x.example/it's", "[url:value = 'https://x.example/it\\'s']" },
	};
	for (size_t i = 0; i < sizeof a / sizeof a[0]; i++) {
		char *z = rep_stix_pattern(a[i].zIn);
		ASSERT_EQ_STR(z, a[i].zOut);
		free(z);
	}
	ASSERT_TRUE(rep_stix_pattern("not an indicator") == NULL);
	ASSERT_TRUE(rep_stix_pattern("localhost") == NULL);
	ASSERT_TRUE(rep_stix_pattern("999.1.1.1") == NULL);
}

/* The {name} placeholders of a message, sorted, as one string. */
static void placeholders(const char *z, char *zOut, size_t n) {
	const char *az[32];
	size_t an[32], k = 0;
	for (const char *p = strchr(z, '{'); p && k < 32; p = strchr(p + 1, '{')) {
		const char *q = strchr(p, '}');
		if (!q) break;
		az[k] = p + 1;
		an[k++] = (size_t)(q - p - 1);
	}
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && strncmp(az[j - 1], az[j], 64) > 0; j--) {
			const char *t = az[j]; az[j] = az[j - 1]; az[j - 1] = t;
			size_t u = an[j]; an[j] = an[j - 1]; an[j - 1] = u;
		}
	zOut[0] = 0;
	for (size_t i = 0; i < k; i++) snprintf(zOut + strlen(zOut), n - strlen(zOut), "%.*s,", (int)an[i], az[i]);
}

TEST(the_catalogue_has_every_message_in_english_and_japanese_with_the_same_placeholders) {
	int n = rep_msg_count();
	ASSERT_LT(100, n);
	for (int i = 0; i < n; i++) {
		const char *zKey, *zEn, *zJa;
		char a[512], b[512];
		rep_msg_entry(i, &zKey, &zEn, &zJa);
		if (!*zEn || !*zJa) ky_test_fail(__FILE__, __LINE__, "%s: empty text", zKey);
		placeholders(zEn, a, sizeof a);
		placeholders(zJa, b, sizeof b);
		if (strcmp(a, b)) ky_test_fail(__FILE__, __LINE__, "%s: en {%s} vs ja {%s}", zKey, a, b);
		for (int j = 0; j < i; j++) {
			const char *zK2, *zE2, *zJ2;
			rep_msg_entry(j, &zK2, &zE2, &zJ2);
			if (!strcmp(zKey, zK2)) ky_test_fail(__FILE__, __LINE__, "%s: twice in the catalogue", zKey);
		}
	}
}

TEST(every_key_the_report_builds_from_data_is_in_the_catalogue) {
	static const char *const aFamily[][12] = {
		{ "kind.", "triage", "block_indicator", "isolate_service", "revoke_certificate", "ota_campaign", "disable_feature",
		  "restore_service", "notify", "share", "assess", "report" },
		{ "kind.", "pause_ota_campaign", "resume_ota_campaign", "contact" },
		{ "status.", "met", "late", "missed", "unfired", "pending" },
		{ "rating.", "P", "S", "M", "U" },
		{ "prio.", "high", "medium", "low" },
		{ "sev.", "info", "low", "medium", "high", "critical" },
		{ "cat.", "attack", "inject", "action", "share", "grade", "error", "fact" },
		{ "fleet.", "compromised", "patched", "offline", "bricked" },
		{ "hw.q.", "realism", "roles", "coordination", "tools", "value" },
	};
	for (size_t f = 0; f < sizeof aFamily / sizeof aFamily[0]; f++) {
		for (size_t i = 1; i < 12 && aFamily[f][i]; i++) {
			char zKey[64];
			snprintf(zKey, sizeof zKey, "%s%s", aFamily[f][0], aFamily[f][i]);
			ASSERT_TRUE(strcmp(rep_msg(REP_EN, zKey), zKey) != 0);
			ASSERT_TRUE(strcmp(rep_msg(REP_JA, zKey), zKey) != 0);
		}
	}
	/* every kind of the action table (vehicles/action.c) has a label and a capability */
	for (int i = 0; veh_action_at(i); i++) {
		const char *zKind = veh_action_at(i)->zKind, *zObj = rep_find_objective_key(zKind);
		char zKey[64];
		snprintf(zKey, sizeof zKey, "kind.%s", zKind);
		if (!strcmp(rep_msg(REP_JA, zKey), zKey)) ky_test_fail(__FILE__, __LINE__, "no label for kind %s", zKind);
		if (!strcmp(zObj, "obj.other")) ky_test_fail(__FILE__, __LINE__, "no capability for kind %s", zKind);
		ASSERT_TRUE(strcmp(rep_msg(REP_JA, zObj), zObj) != 0);
	}
	rep_buf b;
	rep_buf_init(&b);
	rep_msgf(&b, REP_EN, 1, "find.missed", "team", "A<b>", "kind", "notify", "label", "L", "window", "1 h", NULL);
	ASSERT_EQ_STR(b.z, "A&lt;b&gt; did not notify within the 1 h window (L).");
	rep_buf_free(&b);
}

TEST(the_csv_reader_follows_rfc_4180) {
	const char *z = "\xEF\xBB\xBF" "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\n\r\n1,,3\n4,5,\n";
	int *aRow = NULL;
	ky_err err = { 0 };
	json_t *r = scn_msel_csv_parse(z, strlen(z), &aRow, &err);
	if (!r) ky_test_fail(__FILE__, __LINE__, "%s", err.zMsg);
	ASSERT_EQ_INT(json_array_size(r), 4);
	ASSERT_EQ_STR(json_string_value(json_array_get(json_array_get(r, 0), 0)), "a");
	ASSERT_EQ_STR(json_string_value(json_array_get(json_array_get(r, 1), 0)), "x, y");
	ASSERT_EQ_STR(json_string_value(json_array_get(json_array_get(r, 1), 1)), "say \"hi\"");
	ASSERT_EQ_STR(json_string_value(json_array_get(json_array_get(r, 1), 2)), "two\nlines");
	ASSERT_EQ_INT(json_array_size(json_array_get(r, 3)), 3); /* the trailing comma is an empty field */
	ASSERT_EQ_INT(aRow[1], 2);
	ASSERT_EQ_INT(aRow[2], 4); /* the blank line counts as a spreadsheet row */
	ASSERT_EQ_INT(aRow[3], 5);
	json_decref(r);
	free(aRow);
	ASSERT_TRUE(scn_msel_csv_parse("a,\"b\n", 5, &aRow, &err) == NULL);
	ASSERT_CONTAINS(err.zMsg, "1:2: bad quoting");
	ASSERT_TRUE(scn_msel_csv_parse("a\n\xff\n", 4, &aRow, &err) == NULL);
	ASSERT_CONTAINS(err.zMsg, "2:1: not UTF-8");
}

TEST(expected_action_text_reads_back_as_the_same_kind_and_args) {
	static const char *const aArgs[] = {
		"{\"value\":\"203.0.113.7\"}",
		"{\"select\":{\"model\":\"Sedan-A\",\"region\":\"JP Kanto\"},\"ecu\":\"tcu\",\"version\":\"2.4.1\",\"rollout\":0.5}",
		"{\"to\":\"all\",\"tlp\":\"amber+strict\",\"indicators\":[\"a.example\",\"203.0.113.9\"]}",
		"{\"text\":\"a \\\"quoted\\\" = sign, 日本語\",\"affected\":1200,\"flag\":true,\"n\":\"42\",\"z\":\"true\",\"e\":\"\"}",
		"{\"component\":\"pkg:npm/%40scope/x@1.0.0\"}",
		"{}",
	};
	for (size_t i = 0; i < sizeof aArgs / sizeof aArgs[0]; i++) {
		json_t *args = json_loads(aArgs[i], 0, NULL);
		rep_buf b;
		rep_buf_init(&b);
		rep_msel_action(&b, "share", args);
		char *zKind = NULL;
		json_t *back = NULL;
		ky_err err = { 0 };
		if (scn_msel_parse_action(b.z, &zKind, &back, &err)) ky_test_fail(__FILE__, __LINE__, "%s: %s", b.z, err.zMsg);
		ASSERT_EQ_STR(zKind, "share");
		if (!json_equal(args, back)) {
			char *z = json_dumps(back, JSON_COMPACT | JSON_SORT_KEYS);
			ky_test_fail(__FILE__, __LINE__, "%s read back as %s", b.z, z);
		}
		free(zKind);
		json_decref(back);
		json_decref(args);
		rep_buf_free(&b);
	}
	char *zKind;
	json_t *a;
	ky_err err = { 0 };
	ASSERT_NE_INT(scn_msel_parse_action("block_indicator 203.0.113.7", &zKind, &a, &err), 0);
	ASSERT_CONTAINS(err.zMsg, "'203.0.113.7' is not key=value");
}

TEST(ratings_follow_the_documented_rule) {
	ASSERT_EQ_STR(rep_find_rating(20, 20, 1), "P");
	ASSERT_EQ_STR(rep_find_rating(20, 20, 0), "S"); /* everything earned, not everything in its window */
	ASSERT_EQ_STR(rep_find_rating(14, 20, 0), "S");
	ASSERT_EQ_STR(rep_find_rating(13, 20, 0), "M");
	ASSERT_EQ_STR(rep_find_rating(0.5, 20, 0), "M");
	ASSERT_EQ_STR(rep_find_rating(0, 20, 0), "U");
}

/* ---- a recorded drill ---- */

static const char *zDrill =
	"scenario { id = \"rep-test\", title = \"Report test\", duration = \"1h\", seed = 3, techniques = { \"ATM-T0012\", \"T1078\" },\n"
	"           malware = { \"TCUworm\" } }\n"
	"teams { { id = \"vsoc\", name = \"Vehicle SOC\" }, { id = \"isac\", name = \"ISAC\" } }\n"
	"fleet { { model = \"Sedan-A\", count = 2000, region = \"JP-Kanto\", ecus = { tcu = \"2.3.1\" } } }\n"
	"inject { id = \"I1\", at = \"00:05:00\", to = { \"vsoc\" }, severity = \"high\", title = \"Alert\", body = \"b\",\n"
	"         expects = { { action = \"block_indicator\", args = { value = \"203.0.113.7\" }, within = \"30m\", points = 20,\n"
	"                       objective = \"Stop the C2 in 30 minutes\", notes = \"the key move\" } } }\n"
	"at(\"00:02:00\", function(now) attack.compromise { select = { model = \"Sedan-A\" }, count = 10, c2 = \"203.0.113.7\",\n"
	"                entry = \"tcu\", technique = \"ATM-T0012\", indicators = { \"c2.example.net\" } } end)\n";

static char *record_drill(void) {
	static char zDb[600];
	char zLua[600];
	snprintf(zLua, sizeof zLua, "%s/rep.lua", ky_test_tmpdir());
	snprintf(zDb, sizeof zDb, "%s/rep.db", ky_test_tmpdir());
	FILE *f = fopen(zLua, "w");
	fputs(zDrill, f);
	fclose(f);
	ky_err err = { 0 };
	scn_drill *d = scn_drill_open(zLua, NULL, &err);
	if (!d) ky_test_fail(__FILE__, __LINE__, "%s", err.zMsg);
	scn_record *r = scn_record_attach(d, zDb, &err);
	ASSERT_TRUE(r != NULL);
	ASSERT_EQ_INT(scn_drill_advance_to(d, ENG_S(600), &err), 0);
	json_t *a = json_pack("{s:s,s:s,s:s,s:[s]}", "to", "isac", "tlp", "red", "text", "RED EYES ONLY", "indicators", "red-only.example.org");
	ASSERT_EQ_INT(scn_drill_action(d, "vsoc", "c1", "share", a, NULL, NULL, &err), 0);
	json_decref(a);
	a = json_pack("{s:s,s:s,s:s,s:[s,s]}", "to", "all", "tlp", "green", "text", "C2 seen", "indicators", "203.0.113.7", "RED-ONLY.example.org");
	ASSERT_EQ_INT(scn_drill_action(d, "isac", "c2", "share", a, NULL, NULL, &err), 0);
	json_decref(a);
	a = json_pack("{s:s}", "value", "203.0.113.7");
	ASSERT_EQ_INT(scn_drill_action(d, "vsoc", "c3", "block_indicator", a, NULL, NULL, &err), 0);
	json_decref(a);
	a = json_pack("{s:s,s:s,s:s,s:[s]}", "to", "isac", "tlp", "red", "text", "second red", "indicators", "only-red.example.org");
	ASSERT_EQ_INT(scn_drill_action(d, "vsoc", "c4", "share", a, NULL, NULL, &err), 0);
	json_decref(a);
	ASSERT_EQ_INT(scn_drill_advance_to(d, ENG_S(3600), &err), 0);
	ASSERT_EQ_INT(scn_record_close(r, &err), 0);
	scn_drill_free(d);
	return zDb;
}

static char *stix_of(const rep_data *d) {
	rep_buf b;
	ky_err err = { 0 };
	rep_buf_init(&b);
	if (rep_stix_bundle(&b, d, REP_EN, &err)) ky_test_fail(__FILE__, __LINE__, "%s", err.zMsg);
	return b.z;
}

TEST(a_recorded_drill_gives_the_same_stix_bundle_twice_and_nothing_of_a_red_share) {
	const char *zDb = record_drill();
	ky_err err = { 0 };
	rep_data *d1 = rep_data_load(zDb, &err);
	if (!d1) ky_test_fail(__FILE__, __LINE__, "%s", err.zMsg);
	rep_data *d2 = rep_data_load(zDb, &err);
	char *z1 = stix_of(d1), *z2 = stix_of(d2);
	ASSERT_EQ_STR(z1, z2);
	ASSERT_TRUE(strstr(z1, "RED EYES ONLY") == NULL);
	ASSERT_TRUE(strstr(z1, "second red") == NULL);
	ASSERT_TRUE(strstr(z1, "only-red.example.org") == NULL);    /* only a red share carried it */
	ASSERT_CONTAINS(z1, "[domain-name:value = 'red-only.example.org']"); /* a green share carried it too */
	ASSERT_CONTAINS(z1, "[domain-name:value = 'c2.example.net']");       /* the scenario's own indicator */
	ASSERT_CONTAINS(z1, "\"tlp_2_0\": \"green\"");
	ASSERT_TRUE(strstr(z1, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1") == NULL); /* no TLP:RED at all */
	ASSERT_CONTAINS(z1, "\"name\": \"TCUworm\"");
	ASSERT_CONTAINS(z1, "\"external_id\": \"ATM-T0012\"");
	ASSERT_CONTAINS(z1, "\"name\": \"Exploit via Radio Interface\""); /* the matrix's name of ATM-T0012 */
	ASSERT_CONTAINS(z1, "\"kill_chain_name\": \"auto-isac-atm\"");
	ASSERT_CONTAINS(z1, "https://attack.mitre.org/techniques/T1078/");
	free(z1);
	free(z2);
	/* the plan and the summary came with the journal's footer: the objective the scenario named is rated */
	ASSERT_EQ_STR(json_string_value(json_object_get(json_array_get(json_object_get(json_array_get(d1->plan, 0), "expects"), 0), "objective")),
	              "Stop the C2 in 30 minutes");
	json_t *m = rep_find_analyse(d1, REP_EN);
	json_t *vsoc = json_array_get(json_object_get(m, "teams"), 0);
	json_t *rating = json_array_get(json_object_get(vsoc, "ratings"), 0);
	ASSERT_EQ_STR(json_string_value(json_object_get(rating, "objective")), "Stop the C2 in 30 minutes");
	ASSERT_EQ_STR(json_string_value(json_object_get(rating, "rating")), "P");
	json_decref(m);
	rep_data_free(d1);
	rep_data_free(d2);
}

TEST(a_journal_without_a_summary_still_gives_a_report_that_says_so) {
	const char *zDb = record_drill();
	char zSql[800];
	snprintf(zSql, sizeof zSql, "sqlite3 '%s' \"DELETE FROM meta WHERE key IN ('summary','plan','ended_at')\"", zDb);
	ASSERT_EQ_INT(system(zSql), 0);
	ky_err err = { 0 };
	rep_data *d = rep_data_load(zDb, &err);
	if (!d) ky_test_fail(__FILE__, __LINE__, "%s", err.zMsg);
	ASSERT_FALSE(d->bPlanFull);
	rep_buf b;
	rep_buf_init(&b);
	ASSERT_EQ_INT(rep_aar_html(&b, d, REP_EN, &err), 0);
	ASSERT_CONTAINS(b.z, "data-k=\"nosummary\"");
	ASSERT_CONTAINS(b.z, "data-k=\"impact\" data-v=\"not computed\"");
	rep_buf_free(&b);
	rep_data_free(d);
}
