/* ky_test: runner for the tests registered with TEST(); see ky_test.h. */
#include "tests/c/ky_test.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define KY_TEST_MAX 1024

static struct { const char *zName; ky_test_fn fn; } aTest[KY_TEST_MAX];
static int nTest;
static jmp_buf jbFail;
static char zTmp[256];
static int bChild;  /* in a ky_test_fork_each child: a failure ends the process */

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
	if (bChild) _exit(1);
	longjmp(jbFail, 1);
}

void ky_test_fork_each(int n, void (*fn)(int i)) {
	long nCpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nMax = nCpu < 1 ? 1 : (int)nCpu, nRun = 0, nFailed = 0;
	char zFailed[256] = "";
	pid_t *aPid = calloc((size_t)n + 1, sizeof *aPid);
	fflush(stdout);
	for (int i = 0; i <= n; i++) {
		while (nRun > 0 && (nRun >= nMax || i == n)) {  /* wait for one child */
			int st = 0;
			pid_t p = wait(&st);
			if (p < 0) break;
			for (int k = 0; k < i; k++) {
				if (aPid[k] != p) continue;
				nRun--;
				if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
					nFailed++;
					size_t m = strlen(zFailed);
					snprintf(zFailed + m, sizeof zFailed - m, "%s%d", m ? ", " : "", k);
				}
			}
		}
		if (i == n) break;
		pid_t p = fork();
		if (p == 0) {
			bChild = 1;
			fn(i);
			fflush(stdout);
			_exit(0);
		}
		if (p < 0) ky_test_fail(__FILE__, __LINE__, "fork failed");
		aPid[i] = p;
		nRun++;
	}
	free(aPid);
	if (nFailed) ky_test_fail(__FILE__, __LINE__, "%d case(s) failed: %s", nFailed, zFailed);
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
