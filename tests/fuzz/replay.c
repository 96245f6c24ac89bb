/* replay: runs a fuzz target once on each file named on the command line (folders: each file in them, sorted), as
 * `make test` does with the corpora and the crashes found so far. Prints one PASS line per target (the name of the
 * binary) with the number of inputs, or the input that crashed it. Not built with libFuzzer: a plain main. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);
/* Under a sanitizer: called when it reports an error and exits (it handles SIGSEGV itself). */
__attribute__((weak)) void __sanitizer_set_death_callback(void (*fn)(void));

static const char *gzCurrent = "";

/* On a crash, names the input before dying (async-signal-safe writes only). */
static void on_crash(int sig) {
	static const char zA[] = "FAIL replaying input ";
	ssize_t r = write(2, zA, sizeof zA - 1);
	r = write(2, gzCurrent, strlen(gzCurrent));
	r = write(2, "\n", 1);
	(void)r;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_sanitizer_death(void) {
	fprintf(stderr, "FAIL replaying input %s\n", gzCurrent);
}

static int run_file(const char *zPath) {
	FILE *f = fopen(zPath, "rb");
	unsigned char *p = NULL;
	size_t n = 0, nCap = 0, k;
	if (!f) {
		fprintf(stderr, "%s: cannot open\n", zPath);
		return -1;
	}
	do {
		if (n == nCap) {
			nCap = nCap ? 2 * nCap : 65536;
			p = realloc(p, nCap);
			if (!p) abort();
		}
		k = fread(p + n, 1, nCap - n, f);
		n += k;
	} while (k > 0);
	fclose(f);
	gzCurrent = zPath;
	LLVMFuzzerTestOneInput(p, n);
	free(p);
	return 0;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Runs every regular file of folder zDir (sorted); returns how many, -1 on error. */
static int run_dir(const char *zDir) {
	DIR *d = opendir(zDir);
	struct dirent *e;
	char **az = NULL;
	int n = 0, nCap = 0, rc = 0;
	if (!d) return 0; /* no crashes folder yet: nothing to replay */
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.') continue;
		if (n == nCap) {
			nCap = nCap ? 2 * nCap : 256;
			az = realloc(az, (size_t)nCap * sizeof *az);
			if (!az) abort();
		}
		az[n] = malloc(strlen(zDir) + strlen(e->d_name) + 2);
		if (!az[n]) abort();
		sprintf(az[n], "%s/%s", zDir, e->d_name);
		n++;
	}
	closedir(d);
	if (n > 1) qsort(az, (size_t)n, sizeof *az, cmp); /* not qsort(NULL, 0, ...) for an empty folder */
	for (int i = 0; i < n; i++) {
		struct stat st;
		if (stat(az[i], &st) == 0 && S_ISREG(st.st_mode) && run_file(az[i]) == 0) rc++;
		free(az[i]);
	}
	free(az);
	return rc;
}

int main(int argc, char **argv) {
	const char *zName = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int nRun = 0;
	signal(SIGSEGV, on_crash);
	signal(SIGABRT, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGFPE, on_crash);
	if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(on_sanitizer_death);
	if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) nRun += run_dir(argv[i]);
		else if (stat(argv[i], &st) == 0 && run_file(argv[i]) == 0) nRun++;
	}
	if (nRun == 0) {
		printf("FAIL %s_replays_its_corpus\n  no input found in the folders given\n", zName);
		return 1;
	}
	printf("PASS %s_replays_its_corpus (%d inputs)\n", zName, nRun);
	return 0;
}
