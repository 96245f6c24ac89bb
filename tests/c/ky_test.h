/* ky_test: kyodo's tiny C test harness.
 * Tests register themselves with TEST(name); each failed assertion prints file:line and both values and
 * ends that test; the executable prints "PASS name" / "FAIL name" lines (tests/run.sh counts them) and
 * exits non-zero when any test failed. Run one test with `build/tests/test_x name`. */
#ifndef KY_TEST_H
#define KY_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*ky_test_fn)(void);
void ky_test_register(const char *zName, ky_test_fn fn);
void ky_test_fail(const char *zFile, int iLine, const char *zFmt, ...) __attribute__((noreturn, format(printf, 3, 4)));
/* A per-test scratch directory (created on demand, removed after the test); borrowed string. */
const char *ky_test_tmpdir(void);
/* Runs fn(0..n-1) in child processes, as many at once as there are cores (for slow, independent cases); a failed
 * assertion in a child prints its line and ends that child; the test fails (naming the cases) when any child did. */
void ky_test_fork_each(int n, void (*fn)(int i));

#define TEST(name)                                                                 \
	static void name(void);                                                        \
	__attribute__((constructor)) static void name##__reg(void) { ky_test_register(#name, name); } \
	static void name(void)

#define ASSERT_TRUE(c) do { if (!(c)) ky_test_fail(__FILE__, __LINE__, "expected true: %s", #c); } while (0)
#define ASSERT_FALSE(c) do { if (c) ky_test_fail(__FILE__, __LINE__, "expected false: %s", #c); } while (0)
#define ASSERT_EQ_INT(a, b) do { long long ky__a = (long long)(a), ky__b = (long long)(b); \
	if (ky__a != ky__b) ky_test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, ky__a, ky__b); } while (0)
#define ASSERT_NE_INT(a, b) do { long long ky__a = (long long)(a), ky__b = (long long)(b); \
	if (ky__a == ky__b) ky_test_fail(__FILE__, __LINE__, "%s != %s: both %lld", #a, #b, ky__a); } while (0)
#define ASSERT_EQ_U64(a, b) do { unsigned long long ky__a = (a), ky__b = (b); \
	if (ky__a != ky__b) ky_test_fail(__FILE__, __LINE__, "%s == %s: %llu != %llu", #a, #b, ky__a, ky__b); } while (0)
#define ASSERT_LT(a, b) do { double ky__a = (double)(a), ky__b = (double)(b); \
	if (!(ky__a < ky__b)) ky_test_fail(__FILE__, __LINE__, "%s < %s: %g >= %g", #a, #b, ky__a, ky__b); } while (0)
#define ASSERT_LE(a, b) do { double ky__a = (double)(a), ky__b = (double)(b); \
	if (!(ky__a <= ky__b)) ky_test_fail(__FILE__, __LINE__, "%s <= %s: %g > %g", #a, #b, ky__a, ky__b); } while (0)
#define ASSERT_NEAR(a, b, tol) do { double ky__a = (double)(a), ky__b = (double)(b); \
	if (!(ky__a - ky__b <= (tol) && ky__b - ky__a <= (tol))) \
		ky_test_fail(__FILE__, __LINE__, "%s ~= %s (±%g): %g vs %g", #a, #b, (double)(tol), ky__a, ky__b); } while (0)
#define ASSERT_EQ_STR(a, b) do { const char *ky__a = (a), *ky__b = (b); \
	if (!ky__a || !ky__b || strcmp(ky__a, ky__b) != 0) ky_test_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", \
		#a, #b, ky__a ? ky__a : "(null)", ky__b ? ky__b : "(null)"); } while (0)
#define ASSERT_CONTAINS(hay, needle) do { const char *ky__h = (hay), *ky__n = (needle); \
	if (!ky__h || !strstr(ky__h, ky__n)) ky_test_fail(__FILE__, __LINE__, "%s contains \"%s\": got \"%s\"", \
		#hay, ky__n, ky__h ? ky__h : "(null)"); } while (0)

#endif
