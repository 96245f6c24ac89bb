/* ky_test: runner for the tests registered with TEST(); see ky_test.h. */
#include "tests/c/ky_test.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define KY_TEST_MAX 1024

static struct { const char *zName; ky_test_fn fn; } aTest[KY_TEST_MAX];
static int nTest;
static jmp_buf jbFail;
static char zTmp[256];

void ky_test_register(const char *zName, ky_test_fn fn) {
	if (nTest < KY_TEST_MAX) {
		aTest[nTest].zName = zName;
		aTest[nTest].fn = fn;
		nTest++;
	}
}

void ky_test_fail(const char *zFile, int iLine, const char *zFmt, ...) {
	va_list ap;
	fprintf(stdout, "  %s:%d: ", zFile, iLine);
	va_start(ap, zFmt);
	vfprintf(stdout, zFmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	longjmp(jbFail, 1);
}

const char *ky_test_tmpdir(void) {
	if (!zTmp[0]) {
		const char *zBase = getenv("TMPDIR");
		snprintf(zTmp, sizeof zTmp, "%s/kyodo-test-XXXXXX", zBase ? zBase : "/tmp");
		if (!mkdtemp(zTmp)) {
			zTmp[0] = 0;
			ky_test_fail(__FILE__, __LINE__, "mkdtemp failed");
		}
	}
	return zTmp;
}

static void rm_tree(const char *zPath) {
	char zCmd[512];
	snprintf(zCmd, sizeof zCmd, "rm -rf '%s'", zPath);
	if (system(zCmd) != 0) fprintf(stderr, "could not remove %s\n", zPath);
}

/* Runs test i; 1 if it passed. Kept apart from main so no counter lives across the longjmp. */
static int run_one(int i) {
	if (setjmp(jbFail) == 0) {
		aTest[i].fn();
		printf("PASS %s\n", aTest[i].zName);
		return 1;
	}
	printf("FAIL %s\n", aTest[i].zName);
	return 0;
}

int main(int argc, char **argv) {
	int nPass = 0, nFail = 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < nTest; i++) {
		if (argc > 1 && strcmp(argv[1], aTest[i].zName) != 0) continue;
		if (run_one(i)) nPass++;
		else nFail++;
		if (zTmp[0]) {
			rm_tree(zTmp);
			zTmp[0] = 0;
		}
	}
	printf("# %s: %d passed, %d failed\n", argv[0], nPass, nFail);
	return nFail ? 1 : 0;
}
