/* What the two websocket benchmarks (bench/ws.c, bench/load.c) share: the monotonic clock in ms, percentiles, a
 * process's memory from /proc, and the start-up that finds build/kyodo and bench/ws_peer.mjs beside the bench's own
 * binary and makes a temp folder with a stub of the pages (the benches serve no page). Header-only: each bench is
 * its own executable. */
#ifndef KY_WSBENCH_H
#define KY_WSBENCH_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static inline double wsb_now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline int wsb_cmp_d(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The p-quantile (0..1) of a[0..n), sorting a in place; -1 when n is 0. */
static inline double wsb_pct(double *a, size_t n, double p) {
	if (!n) return -1;
	qsort(a, n, sizeof *a, wsb_cmp_d);
	return a[(size_t)((double)(n - 1) * p + 0.5)];
}

/* A line of /proc/PID/status in MiB: zKey "VmRSS:" (now) or "VmHWM:" (peak); -1 when unknown. */
static inline double wsb_proc_mib(pid_t pid, const char *zKey) {
	char zPath[64], zLine[256];
	double v = -1;
	snprintf(zPath, sizeof zPath, "/proc/%d/status", (int)pid);
	FILE *f = fopen(zPath, "r");
	if (!f) return -1;
	while (fgets(zLine, sizeof zLine, f))
		if (!strncmp(zLine, zKey, strlen(zKey))) v = atof(zLine + strlen(zKey)) / 1024.0;
	fclose(f);
	return v;
}

static inline void wsb_write_file(const char *zPath, const char *z) {
	FILE *f = fopen(zPath, "w");
	if (f) fputs(z, f), fclose(f);
}

typedef struct wsb_paths {
	char zRoot[PATH_MAX];          /* the source tree (build/bench/NAME is two folders below it) */
	char zKyodo[PATH_MAX + 32];    /* build/kyodo */
	char zPeer[PATH_MAX + 32];     /* bench/ws_peer.mjs */
	char zDir[PATH_MAX];           /* a new temp folder: TMPDIR (or /tmp)/kyodo-bench-TAG-XXXXXX */
	char zWeb[PATH_MAX + 32];      /* zDir/web with a stub index.html and facilitator.html (TITLE) */
} wsb_paths;

/* Fills p for the bench named zTag; 0, or -1 when the binary's folder or the temp folder cannot be had. */
static inline int wsb_setup(wsb_paths *p, const char *zTag, const char *zTitle) {
	char zExe[PATH_MAX], z[2 * PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", zExe, sizeof zExe - 1);
	if (n <= 0) return -1;
	zExe[n] = 0;
	*strrchr(zExe, '/') = 0; /* build/bench */
	snprintf(p->zKyodo, sizeof p->zKyodo, "%s/../kyodo", zExe);
	snprintf(z, sizeof z, "%s/../..", zExe);
	if (!realpath(z, p->zRoot)) return -1;
	snprintf(p->zPeer, sizeof p->zPeer, "%s/bench/ws_peer.mjs", p->zRoot);
	snprintf(p->zDir, sizeof p->zDir, "%s/kyodo-bench-%s-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", zTag);
	if (!mkdtemp(p->zDir)) return -1;
	snprintf(p->zWeb, sizeof p->zWeb, "%s/web", p->zDir);
	mkdir(p->zWeb, 0755);
	const char *const azPage[] = { "index.html", "facilitator.html" };
	for (int i = 0; i < 2; i++) {
		char zPage[2 * PATH_MAX], zHtml[256];
		snprintf(zPage, sizeof zPage, "%s/%s", p->zWeb, azPage[i]);
		snprintf(zHtml, sizeof zHtml, "<!doctype html><title>%s</title>\n", zTitle);
		wsb_write_file(zPage, zHtml);
	}
	return 0;
}

#endif
