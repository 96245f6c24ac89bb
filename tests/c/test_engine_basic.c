/* Basic engine behaviour: ordering with ties, time parsing, errors. The engine's full suite is test_engine.c. */
#include "tests/c/ky_test.h"

#include "engine/sha256.h"
#include "engine/sim.h"

static int aOrder[16];
static int nOrder;

static void record(eng_sim *s, void *ctx, const eng_event *ev) {
	(void)s;
	(void)ctx;
	aOrder[nOrder++] = (int)ev->a;
}

TEST(equal_times_pop_in_schedule_order) {
	eng_sim *s = eng_sim_new(1);
	uint32_t k;
	ASSERT_EQ_INT(eng_sim_register(s, "rec", record, NULL, &k), 0);
	nOrder = 0;
	ASSERT_EQ_INT(eng_sim_schedule(s, 10, k, 1, 0, NULL), 0);
	ASSERT_EQ_INT(eng_sim_schedule(s, 5, k, 2, 0, NULL), 0);
	ASSERT_EQ_INT(eng_sim_schedule(s, 10, k, 3, 0, NULL), 0);
	ASSERT_EQ_INT(eng_sim_schedule(s, 10, k, 4, 0, NULL), 0);
	ASSERT_EQ_INT(eng_sim_run_until(s, 100), 4);
	ASSERT_EQ_INT(aOrder[0], 2);
	ASSERT_EQ_INT(aOrder[1], 1);
	ASSERT_EQ_INT(aOrder[2], 3);
	ASSERT_EQ_INT(aOrder[3], 4);
	ASSERT_EQ_INT(eng_sim_now(s), 100);
	ASSERT_EQ_INT(eng_sim_schedule(s, 99, k, 5, 0, NULL), KY_EPAST);
	eng_sim_free(s);
}

TEST(time_strings_parse_as_the_contract_says) {
	eng_time_t t = 0;
	ky_err err = { 0 };
	ASSERT_EQ_INT(eng_time_parse("90s", &t, &err), 0);
	ASSERT_EQ_INT(t, 90 * ENG_US_PER_S);
	ASSERT_EQ_INT(eng_time_parse("15m", &t, &err), 0);
	ASSERT_EQ_INT(t, 900 * ENG_US_PER_S);
	ASSERT_EQ_INT(eng_time_parse("4h", &t, &err), 0);
	ASSERT_EQ_INT(t, 4 * 3600 * ENG_US_PER_S);
	ASSERT_EQ_INT(eng_time_parse("01:30:00", &t, &err), 0);
	ASSERT_EQ_INT(t, 5400 * ENG_US_PER_S);
	ASSERT_EQ_INT(eng_time_parse("42", &t, &err), 0);
	ASSERT_EQ_INT(t, 42 * ENG_US_PER_S);
	ASSERT_EQ_INT(eng_time_parse("4x", &t, &err), KY_EPARSE);
	ASSERT_CONTAINS(err.zMsg, "4x");
	ASSERT_EQ_INT(eng_time_parse("01:75:00", &t, &err), KY_EPARSE);
	ASSERT_EQ_INT(eng_time_parse("-5s", &t, &err), KY_EPARSE);
}

TEST(sha256_matches_the_fips_vectors_across_block_boundaries) {
	char zHex[65];
	static char aMillion[1000000];
	eng_sha256_hex("abc", 3, zHex);
	ASSERT_EQ_STR(zHex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	eng_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, zHex);
	ASSERT_EQ_STR(zHex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(aMillion, 'a', sizeof aMillion);
	eng_sha256_hex(aMillion, sizeof aMillion, zHex);
	ASSERT_EQ_STR(zHex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
