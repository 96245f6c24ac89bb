/* The command line's conventions (engine/opt.h): strict numbers, getopt_long over one table (both value forms,
 * `--`, operands anywhere), and what a usage error returns. The messages and streams are checked on the real binary
 * in tests/sh/test_cli.sh. */
#include "tests/c/ky_test.h"

#include <stdio.h>
#include <unistd.h>

#include "engine/opt.h"

TEST(integers_are_the_whole_string_within_the_range) {
	long long v = 42;
	ASSERT_EQ_INT(ky_parse_ll("80", 0, 65535, &v), 0);
	ASSERT_EQ_INT(v, 80);
	static const char *const azBad[] = { "80.9", "3x", "", " 8", "8 ", "+8", "-1", "0x10", "65536", "1e3",
	                                     "99999999999999999999" };
	for (size_t i = 0; i < sizeof azBad / sizeof azBad[0]; i++) {
		v = 7;
		if (ky_parse_ll(azBad[i], 0, 65535, &v) != KY_EINVAL) ky_test_fail(__FILE__, __LINE__, "accepted '%s'", azBad[i]);
		ASSERT_EQ_INT(v, 7);  /* untouched */
	}
	ASSERT_EQ_INT(ky_parse_ll("-5", -10, 10, &v), 0);
	ASSERT_EQ_INT(v, -5);
	ASSERT_EQ_INT(ky_parse_ll(NULL, 0, 1, &v), KY_EINVAL);
}

TEST(u64_takes_the_whole_range_and_nothing_else) {
	uint64_t v = 0;
	ASSERT_EQ_INT(ky_parse_u64("18446744073709551615", &v), 0);
	ASSERT_EQ_U64(v, UINT64_MAX);
	ASSERT_EQ_INT(ky_parse_u64("18446744073709551616", &v), KY_EINVAL);
	ASSERT_EQ_INT(ky_parse_u64("-1", &v), KY_EINVAL);
	ASSERT_EQ_INT(ky_parse_u64("7s", &v), KY_EINVAL);
}

TEST(doubles_are_decimal_finite_and_in_range) {
	double v = 0;
	ASSERT_EQ_INT(ky_parse_double("2.5", 0, 10, &v), 0);
	ASSERT_NEAR(v, 2.5, 0);
	ASSERT_EQ_INT(ky_parse_double("1e2", 0, 1000, &v), 0);
	ASSERT_NEAR(v, 100, 0);
	ASSERT_EQ_INT(ky_parse_double(".5", 0, 1, &v), 0);
	static const char *const azBad[] = { "nan", "inf", "0x10", "", "1.5x", " 1", "1e", "11", "-1", "." };
	for (size_t i = 0; i < sizeof azBad / sizeof azBad[0]; i++)
		if (ky_parse_double(azBad[i], 0, 10, &v) != KY_EINVAL) ky_test_fail(__FILE__, __LINE__, "accepted '%s'", azBad[i]);
}

enum { O_PORT = KY_OPT_LONG, O_JSON, O_MODE };
static const ky_opt kOpts[] = {
	{ "port", O_PORT, "P", "a port" },
	{ "json", O_JSON, NULL, "json" },
	{ "mode", O_MODE, "[=auto]", "optional value" },
	{ "out", 'o', "FILE", "short too" },
	{ NULL, 0, NULL, NULL },
};
static const ky_cmd kCmd = { "demo", "FILE [OPTION]...", "A demo.", kOpts, NULL, 1, 2 };

/* Parses a NULL-terminated argv; records ids and values into z ("port=80 json out=x | a b"). Returns next's last. */
static int parse(char **argv, char *z, size_t n, int *pRc) {
	ky_opts g;
	int argc = 0, id;
	while (argv[argc]) argc++;
	ky_opts_init(&g, &kCmd, argc, argv);
	z[0] = 0;
	while ((id = ky_opts_next(&g)) > 0) {
		size_t len = strlen(z);
		const ky_opt *o = NULL;
		for (int i = 0; kOpts[i].zLong; i++)
			if (kOpts[i].id == id) o = &kOpts[i];
		snprintf(z + len, n - len, "%s%s%s%s", len ? " " : "", o ? o->zLong : "?", g.zArg ? "=" : "", g.zArg ? g.zArg : "");
	}
	*pRc = g.rc;
	if (id == 0) {
		size_t len = strlen(z);
		snprintf(z + len, n - len, " |");
		for (int i = 0; i < g.nPos; i++) {
			len = strlen(z);
			snprintf(z + len, n - len, " %s", g.azPos[i]);
		}
	}
	return id;
}

TEST(both_value_forms_operands_anywhere_and_double_dash) {
	char z[256];
	int rc;
	char *a1[] = { "demo", "--port=80", "a", "--json", "--port", "81", "-o", "x", "-oy", NULL };
	ASSERT_EQ_INT(parse(a1, z, sizeof z, &rc), 0);
	ASSERT_EQ_STR(z, "port=80 json port=81 out=x out=y | a");
	char *a2[] = { "demo", "--json", "--", "--port", "b", NULL };  /* after --, options are operands */
	ASSERT_EQ_INT(parse(a2, z, sizeof z, &rc), 0);
	ASSERT_EQ_STR(z, "json | --port b");
	char *a3[] = { "demo", "--mode", "a", "--mode=auto", NULL };  /* an optional value only with = */
	ASSERT_EQ_INT(parse(a3, z, sizeof z, &rc), 0);
	ASSERT_EQ_STR(z, "mode mode=auto | a");
	char *a4[] = { "demo", "--po", "1", "a", NULL };  /* a unique prefix is the option */
	ASSERT_EQ_INT(parse(a4, z, sizeof z, &rc), 0);
	ASSERT_EQ_STR(z, "port=1 | a");
}

TEST(usage_errors_return_minus_one_with_exit_code_2) {
	char z[256];
	int rc;
	char *aBad[][5] = {
		{ "demo", "a", "--nope", NULL },        /* unknown */
		{ "demo", "a", "--json=1", NULL },      /* a flag with a value */
		{ "demo", "a", "--port", NULL },        /* a value missing */
		{ "demo", "a", "-x", NULL },            /* unknown letter */
		{ "demo", NULL },                       /* operand missing */
		{ "demo", "a", "b", "c", NULL },        /* one too many */
	};
	for (size_t i = 0; i < sizeof aBad / sizeof aBad[0]; i++) {
		rc = 99;
		ASSERT_EQ_INT(parse(aBad[i], z, sizeof z, &rc), -1);
		ASSERT_EQ_INT(rc, KY_EXIT_USAGE);
	}
}

TEST(help_is_printed_on_stdout_and_exits_0) {
	char zPath[512], z[256];
	int rc, fdOut = dup(1);
	snprintf(zPath, sizeof zPath, "%s/help.txt", ky_test_tmpdir());
	fflush(stdout);
	ASSERT_TRUE(freopen(zPath, "w", stdout) != NULL);
	char *a[] = { "demo", "--port", "80", "-h", NULL };
	int id = parse(a, z, sizeof z, &rc);
	fflush(stdout);
	dup2(fdOut, 1);
	close(fdOut);
	ASSERT_EQ_INT(id, -1);
	ASSERT_EQ_INT(rc, KY_EXIT_OK);
	FILE *f = fopen(zPath, "r");
	char zHelp[2048] = "";
	size_t n = fread(zHelp, 1, sizeof zHelp - 1, f);
	zHelp[n] = 0;
	fclose(f);
	ASSERT_CONTAINS(zHelp, "Usage: kyodo demo FILE [OPTION]...\nA demo.\n\nOptions:\n");
	ASSERT_CONTAINS(zHelp, "      --port=P");
	ASSERT_CONTAINS(zHelp, "      --mode[=auto]");
	ASSERT_CONTAINS(zHelp, "  -o, --out=FILE");
	ASSERT_CONTAINS(zHelp, "  -h, --help");
}
