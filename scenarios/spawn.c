/* spawn (scenarios): see spawn.h. */
#include "scenarios/spawn.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SPAWN_MAX_WORKERS 256

typedef struct worker {
	pid_t pid;
	int fd;       /* read end of its pipe; -1 once at end of file */
	char *zBuf;   /* bytes received and not yet a whole line */
	size_t nBuf, nCap;
} worker;

int scn_spawn_cores(void) {
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* In the child: the seeds of worker w, one compact JSON line each; never returns. */
static void child(int fd, int first, int last, int w, int nWorkers, scn_spawn_job job, void *ctx) {
	FILE *out = fdopen(fd, "w");
	int rc = out ? 0 : 1;
	for (int seed = first + w; seed <= last && !rc; seed += nWorkers) {
		json_t *line = job(ctx, (uint64_t)seed);
		if (!line) {
			rc = 1;
			break;
		}
		if (json_dumpf(line, out, JSON_COMPACT) || fputc('\n', out) == EOF) rc = 1;
		json_decref(line);
		fflush(out);
	}
	if (out && fclose(out)) rc = 1;
	_exit(rc);
}

/* Parses the whole lines in w's buffer into lines, keeping a partial last line. */
static void take_lines(worker *w, json_t *lines) {
	size_t start = 0;
	for (size_t i = 0; i < w->nBuf; i++) {
		if (w->zBuf[i] != '\n') continue;
		json_t *j = json_loadb(w->zBuf + start, i - start, 0, NULL);
		if (j) json_array_append_new(lines, j);
		start = i + 1;
	}
	memmove(w->zBuf, w->zBuf + start, w->nBuf - start);
	w->nBuf -= start;
}

/* Reads what w has; returns 0 at end of file or on an error, 1 while open. */
static int read_some(worker *w, json_t *lines) {
	if (w->nCap - w->nBuf < 4096) {
		size_t nNew = w->nCap ? 2 * w->nCap : 65536;
		char *z = realloc(w->zBuf, nNew);
		if (!z) return 0;
		w->zBuf = z;
		w->nCap = nNew;
	}
	ssize_t n = read(w->fd, w->zBuf + w->nBuf, w->nCap - w->nBuf);
	if (n < 0 && errno == EINTR) return 1;
	if (n <= 0) return 0;
	w->nBuf += (size_t)n;
	take_lines(w, lines);
	return 1;
}

/* Reads every worker's pipe until all are at end of file. */
static void collect(worker *aW, int nW, json_t *lines) {
	struct pollfd aP[SPAWN_MAX_WORKERS];
	int nOpen = nW;
	while (nOpen > 0) {
		for (int i = 0; i < nW; i++) aP[i] = (struct pollfd){ .fd = aW[i].fd, .events = POLLIN };
		if (poll(aP, (nfds_t)nW, -1) < 0) {
			if (errno == EINTR) continue;
			break;
		}
		for (int i = 0; i < nW; i++) {
			if (aW[i].fd < 0 || !(aP[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
			if (!read_some(&aW[i], lines)) {
				close(aW[i].fd);
				aW[i].fd = -1;
				nOpen--;
			}
		}
	}
}

int scn_spawn_run(int first, int last, int nWorkers, scn_spawn_job job, void *ctx, json_t **pLines, ky_err *err) {
	worker aW[SPAWN_MAX_WORKERS];
	int nW = 0, rc = 0;
	*pLines = json_array();
	if (nWorkers > last - first + 1) nWorkers = last - first + 1;
	if (nWorkers > SPAWN_MAX_WORKERS) nWorkers = SPAWN_MAX_WORKERS;
	fflush(stdout);
	fflush(stderr);
	for (int w = 0; w < nWorkers; w++) {
		int fd[2];
		if (pipe(fd) != 0) {
			rc = ky_err_set(err, KY_EIO, "pipe: %s", strerror(errno));
			break;
		}
		pid_t pid = fork();
		if (pid < 0) {
			rc = ky_err_set(err, KY_EIO, "fork: %s", strerror(errno));
			close(fd[0]);
			close(fd[1]);
			break;
		}
		if (pid == 0) {
			close(fd[0]);
			for (int i = 0; i < nW; i++) close(aW[i].fd);  /* the earlier workers' pipes are the parent's */
			child(fd[1], first, last, w, nWorkers, job, ctx);
		}
		close(fd[1]);
		aW[nW++] = (worker){ .pid = pid, .fd = fd[0] };
	}
	collect(aW, nW, *pLines);
	for (int i = 0; i < nW; i++) {
		int st;
		pid_t r;
		while ((r = waitpid(aW[i].pid, &st, 0)) < 0 && errno == EINTR) {}
		if (!rc && (r < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0))
			rc = ky_err_set(err, KY_ESTATE, "worker %d of %d (seeds %d, %d, ...) %s", i + 1, nW, first + i, first + i + nW,
			                r >= 0 && WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "failed");
		free(aW[i].zBuf);
	}
	return rc;
}
