/* The per-address brake on wrong tokens (server/guard.c): exponential, per address, forgotten after a quiet spell,
 * bounded in memory. */
#include "tests/c/ky_test.h"

#include "server/guard.h"

#define S 1000000LL

TEST(each_wrong_token_doubles_its_address_delay_up_to_a_minute) {
	srv_guard g;
	srv_guard_init(&g);
	ASSERT_EQ_INT(srv_guard_wait(&g, "10.0.0.1", 0), 0);
	ASSERT_EQ_INT(srv_guard_fail(&g, "10.0.0.1", 100 * S), SRV_GUARD_FIRST_US);
	ASSERT_EQ_INT(srv_guard_wait(&g, "10.0.0.1", 100 * S), SRV_GUARD_FIRST_US);
	ASSERT_EQ_INT(srv_guard_wait(&g, "10.0.0.1", 100 * S + SRV_GUARD_FIRST_US), 0);
	ASSERT_EQ_INT(srv_guard_fail(&g, "10.0.0.1", 101 * S), 2 * SRV_GUARD_FIRST_US);
	ASSERT_EQ_INT(srv_guard_fail(&g, "10.0.0.1", 102 * S), 4 * SRV_GUARD_FIRST_US);
	for (int i = 0; i < 40; i++) srv_guard_fail(&g, "10.0.0.1", 103 * S);
	ASSERT_EQ_INT(srv_guard_wait(&g, "10.0.0.1", 103 * S), SRV_GUARD_MAX_US);
	ASSERT_EQ_INT(srv_guard_failures(&g, "10.0.0.1", 103 * S), 43);
	srv_guard_fini(&g);
}

TEST(a_storm_from_one_address_never_delays_another) {
	srv_guard g;
	srv_guard_init(&g);
	for (int i = 0; i < 1000; i++) srv_guard_fail(&g, "198.51.100.7", 5 * S + i);
	ASSERT_EQ_INT(srv_guard_wait(&g, "198.51.100.8", 5 * S + 1000), 0);
	ASSERT_EQ_INT(srv_guard_wait(&g, "2001:db8::1", 5 * S + 1000), 0);
	ASSERT_LT(0, srv_guard_wait(&g, "198.51.100.7", 5 * S + 1000));
	srv_guard_fini(&g);
}

TEST(a_quiet_address_is_forgotten_and_the_table_stays_bounded) {
	srv_guard g;
	char z[32];
	srv_guard_init(&g);
	srv_guard_fail(&g, "10.0.0.1", 1 * S);
	srv_guard_fail(&g, "10.0.0.1", 2 * S);
	ASSERT_EQ_INT(srv_guard_failures(&g, "10.0.0.1", 2 * S + SRV_GUARD_FORGET_US + 1), 0);
	ASSERT_EQ_INT(srv_guard_fail(&g, "10.0.0.1", 3 * S + SRV_GUARD_FORGET_US), SRV_GUARD_FIRST_US); /* from scratch */
	for (int i = 0; i < 3 * SRV_GUARD_MAX; i++) {
		snprintf(z, sizeof z, "10.1.%d.%d", i / 256, i % 256);
		srv_guard_fail(&g, z, 1000 * S + i);
	}
	ASSERT_LE(g.n, SRV_GUARD_MAX);
	ASSERT_LT(0, srv_guard_wait(&g, z, 1000 * S + 3 * SRV_GUARD_MAX)); /* the latest is remembered */
	srv_guard_fini(&g);
}
