/* Server pieces without sockets: request parsing (kyodo.v1), token hashing, bounded out queues, metrics text. */
#include <stdlib.h>
#include <string.h>

#include "server/metrics.h"
#include "server/outq.h"
#include "server/proto.h"
#include "server/token.h"
#include "tests/c/ky_test.h"

static const char *parse_code(const char *z) {
	srv_req r;
	const char *zCode = NULL;
	char zMsg[300];
	json_t *pId = NULL;
	if (srv_proto_parse(z, strlen(z), &r, &zCode, zMsg, sizeof zMsg, &pId) == 0) {
		json_decref(pId);
		srv_req_clear(&r);
		return "ok";
	}
	json_decref(pId);
	return zCode;
}

TEST(parse_accepts_every_client_message_of_the_contract) {
	ASSERT_EQ_STR(parse_code("{\"type\":\"hello\",\"token\":\"abc\"}"), "ok");
	ASSERT_EQ_STR(parse_code("{\"type\":\"hello\",\"token\":\"abc\",\"since\":412}"), "ok");
	ASSERT_EQ_STR(parse_code("{\"type\":\"action\",\"id\":\"c1\",\"kind\":\"block_indicator\",\"args\":{\"value\":\"1.2.3.4\"}}"), "ok");
	ASSERT_EQ_STR(parse_code("{\"type\":\"action\",\"id\":7,\"kind\":\"triage\",\"args\":{},\"inject\":\"I1\"}"), "ok");
	ASSERT_EQ_STR(parse_code("{\"type\":\"read\",\"inject\":\"I1\"}"), "ok");
	ASSERT_EQ_STR(parse_code("{\"type\":\"control\",\"cmd\":\"start\"}"), "ok");
	ASSERT_EQ_STR(parse_code("{\"type\":\"control\",\"cmd\":\"speed\",\"value\":60}"), "ok");
	ASSERT_EQ_STR(parse_code("{\"type\":\"inject\",\"to\":[\"vsoc\"],\"title\":\"t\",\"body\":\"b\",\"severity\":\"high\"}"), "ok");
	ASSERT_EQ_STR(parse_code("{\"type\":\"inject\",\"to\":\"all\",\"title\":\"t\",\"body\":\"b\"}"), "ok");
	ASSERT_EQ_STR(parse_code("{\"type\":\"grade\",\"action\":3,\"points\":5,\"comment\":\"good\"}"), "ok");
}

TEST(parse_names_the_error_of_bad_input) {
	ASSERT_EQ_STR(parse_code("{nope"), SRV_E_BAD_JSON);
	ASSERT_EQ_STR(parse_code("[1,2]"), SRV_E_BAD_JSON);
	ASSERT_EQ_STR(parse_code("{\"type\":\"hello\",\"token\":\"a\",\"token\":\"b\"}"), SRV_E_BAD_JSON);
	ASSERT_EQ_STR(parse_code("{\"token\":\"abc\"}"), SRV_E_BAD_TYPE);
	ASSERT_EQ_STR(parse_code("{\"type\":\"dance\"}"), SRV_E_BAD_TYPE);
	ASSERT_EQ_STR(parse_code("{\"type\":\"hello\"}"), SRV_E_BAD_FIELD);
	ASSERT_EQ_STR(parse_code("{\"type\":\"hello\",\"token\":\"abc\",\"since\":-1}"), SRV_E_BAD_FIELD);
	ASSERT_EQ_STR(parse_code("{\"type\":\"hello\",\"token\":\"abc\",\"since\":\"3\"}"), SRV_E_BAD_FIELD);
	ASSERT_EQ_STR(parse_code("{\"type\":\"action\",\"id\":\"c1\",\"kind\":\"triage\"}"), SRV_E_BAD_FIELD);
	ASSERT_EQ_STR(parse_code("{\"type\":\"action\",\"id\":{},\"kind\":\"triage\",\"args\":{}}"), SRV_E_BAD_FIELD);
	ASSERT_EQ_STR(parse_code("{\"type\":\"action\",\"id\":\"c\",\"kind\":\"triage\",\"args\":[]}"), SRV_E_BAD_FIELD);
	ASSERT_EQ_STR(parse_code("{\"type\":\"control\",\"cmd\":\"rewind\"}"), SRV_E_BAD_FIELD);
	ASSERT_EQ_STR(parse_code("{\"type\":\"control\",\"cmd\":\"speed\"}"), SRV_E_BAD_FIELD);
	ASSERT_EQ_STR(parse_code("{\"type\":\"control\",\"cmd\":\"speed\",\"value\":-1}"), SRV_E_BAD_FIELD);
	ASSERT_EQ_STR(parse_code("{\"type\":\"inject\",\"to\":[],\"title\":\"t\",\"body\":\"b\"}"), SRV_E_BAD_FIELD);
	ASSERT_EQ_STR(parse_code("{\"type\":\"grade\",\"action\":\"x\",\"points\":1}"), SRV_E_BAD_FIELD);
}

TEST(parse_rejects_a_message_over_64_kib_before_reading_it) {
	size_t n = SRV_MAX_FRAME + 1;
	char *z = malloc(n + 1);
	memset(z, ' ', n);
	z[n] = 0;
	ASSERT_EQ_STR(parse_code(z), SRV_E_TOO_LARGE);
	free(z);
}

static double hold_value(const char *z, int *pbValue) {
	srv_req r;
	const char *zCode = NULL;
	char zMsg[300];
	json_t *pId = NULL;
	ASSERT_EQ_INT(srv_proto_parse(z, strlen(z), &r, &zCode, zMsg, sizeof zMsg, &pId), 0);
	ASSERT_EQ_INT(r.cmd, SRV_CMD_HOLD_AT);
	double v = r.value;
	*pbValue = r.bValue;
	json_decref(pId);
	srv_req_clear(&r);
	return v;
}

TEST(control_hold_at_takes_seconds_a_time_string_or_nothing) {
	int b = 0;
	ASSERT_NEAR(hold_value("{\"type\":\"control\",\"cmd\":\"hold_at\",\"value\":5400}", &b), 5400, 1e-9);
	ASSERT_TRUE(b);
	ASSERT_NEAR(hold_value("{\"type\":\"control\",\"cmd\":\"hold_at\",\"value\":\"01:30:00\"}", &b), 5400, 1e-9);
	ASSERT_TRUE(b);
	ASSERT_NEAR(hold_value("{\"type\":\"control\",\"cmd\":\"hold_at\",\"value\":\"90m\"}", &b), 5400, 1e-9);
	hold_value("{\"type\":\"control\",\"cmd\":\"hold_at\",\"value\":null}", &b);
	ASSERT_FALSE(b);
	hold_value("{\"type\":\"control\",\"cmd\":\"hold_at\"}", &b);
	ASSERT_FALSE(b);
	ASSERT_EQ_STR(parse_code("{\"type\":\"control\",\"cmd\":\"hold_at\",\"value\":\"soon\"}"), SRV_E_BAD_FIELD);
	ASSERT_EQ_STR(parse_code("{\"type\":\"control\",\"cmd\":\"hold_at\",\"value\":-5}"), SRV_E_BAD_FIELD);
	ASSERT_EQ_STR(parse_code("{\"type\":\"control\",\"cmd\":\"hold_at\",\"value\":[1]}"), SRV_E_BAD_FIELD);
	ASSERT_EQ_STR(srv_cmd_name(SRV_CMD_HOLD_AT), "hold_at");
}

TEST(parse_returns_the_client_id_with_an_error) {
	srv_req r;
	const char *zCode;
	char zMsg[300];
	json_t *pId = NULL;
	const char *z = "{\"type\":\"action\",\"id\":\"c9\",\"kind\":\"triage\"}";
	ASSERT_EQ_INT(srv_proto_parse(z, strlen(z), &r, &zCode, zMsg, sizeof zMsg, &pId), -1);
	ASSERT_EQ_STR(json_string_value(pId), "c9");
	ASSERT_CONTAINS(zMsg, "args");
	json_decref(pId);
}

TEST(token_hash_is_sha256) {
	char zHex[SRV_HASH_HEX];
	srv_token_hash("", zHex);
	ASSERT_EQ_STR(zHex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	srv_token_hash("abc", zHex);
	ASSERT_EQ_STR(zHex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	srv_token_hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", zHex);
	ASSERT_EQ_STR(zHex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(tokens_are_fresh_128_bit_hex) {
	char a[SRV_TOKEN_HEX], b[SRV_TOKEN_HEX];
	ASSERT_EQ_INT(srv_token_new(a, NULL), 0);
	ASSERT_EQ_INT(srv_token_new(b, NULL), 0);
	ASSERT_EQ_INT(strlen(a), 32);
	ASSERT_EQ_INT(strspn(a, "0123456789abcdef"), 32);
	ASSERT_FALSE(srv_token_equal(a, b));
	ASSERT_TRUE(srv_token_equal(a, a));
}

TEST(outq_refuses_past_its_bounds_and_shares_buffers) {
	srv_outq q1, q2;
	srv_buf *b = srv_buf_new("hello", 5);
	ASSERT_EQ_INT(srv_outq_init(&q1, 2, 1 << 20), 0);
	ASSERT_EQ_INT(srv_outq_init(&q2, 8, 12), 0);
	ASSERT_EQ_INT(srv_outq_push(&q1, b), 0);
	ASSERT_EQ_INT(srv_outq_push(&q1, b), 0);
	ASSERT_EQ_INT(srv_outq_push(&q1, b), -1); /* message bound */
	ASSERT_EQ_INT(srv_outq_push(&q2, b), 0);
	ASSERT_EQ_INT(srv_outq_push(&q2, b), 0);
	ASSERT_EQ_INT(srv_outq_push(&q2, b), -1); /* byte bound: 15 > 12 */
	ASSERT_EQ_INT(b->nRef, 5);
	ASSERT_TRUE(srv_outq_peek(&q1) == b);
	srv_outq_pop(&q1);
	ASSERT_EQ_INT(q1.nLen, 1);
	ASSERT_EQ_INT(srv_outq_push(&q1, b), 0); /* room again after a pop */
	srv_outq_fini(&q1);
	srv_outq_fini(&q2);
	ASSERT_EQ_INT(b->nRef, 1);
	ASSERT_EQ_STR((char *)srv_buf_payload(b), "hello");
	srv_buf_unref(b);
}

TEST(metrics_text_has_the_prometheus_families) {
	srv_metrics m = { 0 };
	char z[8192];
	m.nConnTeam = 3;
	m.nActions = 7;
	m.simTimeS = 90;
	srv_metrics_render(&m, z, sizeof z);
	ASSERT_CONTAINS(z, "kyodo_connections{role=\"team\"} 3\n");
	ASSERT_CONTAINS(z, "# TYPE kyodo_actions_total counter\nkyodo_actions_total 7\n");
	ASSERT_CONTAINS(z, "kyodo_sim_time_seconds 90\n");
	ASSERT_CONTAINS(z, "kyodo_events_per_second");
	ASSERT_CONTAINS(z, "kyodo_queue_max_messages");
}
