/* impact: see impact.h. A plan holds one run per left-out set: the baseline (every team left out) and one per team
 * that acts. Run r is forked at aRun[r].iFork, the first input it leaves out; the child plays the rest of the
 * inputs without them and sends one fixed-size record (imp_msg, under PIPE_BUF: one atomic write) through its pipe.
 * At most nCap children run at once; past that the real run waits for the oldest one before forking. */
#include "scenarios/impact.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vehicles/world.h"

typedef struct imp_run {
	int iTeam;     /* the team left out; -1: the baseline (every team) */
	int iFork;     /* the first input it leaves out */
	pid_t pid;     /* 0: not forked yet */
	int fd;        /* read end of its pipe, -1 when closed */
	int bDone;
	double harm;
} imp_run;

typedef struct imp_msg {
	int32_t rc;
	double harm;
	char zMsg[200];
} imp_msg;

struct scn_impact {
	const scn_play *a;
	int n;
	eng_time_t end;
	json_t *teams;   /* borrowed */
	int nTeam;
	int *aTeamOf;    /* per input: its team's index, -1 for an ad-hoc inject or an unknown team */
	imp_run *aRun;
	int nRun, nRunning, nCap;
};

/* ---- inputs -------------------------------------------------------------------------------------------------- */

int scn_play_one(scn_drill *d, const scn_play *p, int64_t *pSeq, ky_err *err) {
	if (pSeq) *pSeq = 0;
	if (!p->zTeam) return scn_drill_inject(d, p->args, err);
	return scn_drill_action(d, p->zTeam, p->zId, p->zKind, p->args, p->zInject, pSeq, err);
}

scn_play *scn_play_from_inputs(json_t *inputs, int *pn, ky_err *err) {
	size_t n = json_array_size(inputs), i;
	json_t *v;
	*pn = 0;
	if (!n) return NULL;
	scn_play *a = calloc(n, sizeof *a);
	if (!a) return ky_err_set(err, KY_ENOMEM, "impact: out of memory"), NULL;
	json_array_foreach(inputs, i, v) {
		scn_play *p = &a[i];
		p->t = (eng_time_t)json_integer_value(json_object_get(v, "t_us"));
		p->zTeam = json_string_value(json_object_get(v, "team"));
		p->zKind = json_string_value(json_object_get(v, "kind"));
		p->zId = json_string_value(json_object_get(v, "id"));
		p->zInject = json_string_value(json_object_get(v, "inject"));
		p->args = p->zTeam ? json_object_get(v, "args") : json_object_get(v, "adhoc");
	}
	*pn = (int)n;
	return a;
}

/* ---- plan ---------------------------------------------------------------------------------------------------- */

static int team_index(json_t *teams, const char *zTeam) {
	size_t i;
	json_t *t;
	json_array_foreach(teams, i, t) {
		const char *z = json_string_value(json_object_get(t, "id"));
		if (zTeam && z && !strcmp(z, zTeam)) return (int)i;
	}
	return -1;
}

scn_impact *scn_impact_plan(const scn_play *a, int n, json_t *teams, eng_time_t end, ky_err *err) {
	scn_impact *m = calloc(1, sizeof *m);
	int nTeam = (int)json_array_size(teams);
	if (m) {
		m->aTeamOf = calloc((size_t)n + 1, sizeof *m->aTeamOf);
		m->aRun = calloc((size_t)nTeam + 1, sizeof *m->aRun);
	}
	if (!m || !m->aTeamOf || !m->aRun) {
		scn_impact_free(m);
		return ky_err_set(err, KY_ENOMEM, "impact: out of memory"), NULL;
	}
	m->a = a, m->n = n, m->end = end, m->teams = teams, m->nTeam = nTeam;
	long nCpu = sysconf(_SC_NPROCESSORS_ONLN);
	m->nCap = nCpu < 2 ? 8 : nCpu > 8 ? 32 : (int)nCpu * 4;  /* memory, not cores, is what bounds it: COW copies of the world */
	int iFirst = -1;
	for (int i = 0; i < n; i++) {
		m->aTeamOf[i] = a[i].zTeam ? team_index(teams, a[i].zTeam) : -1;
		if (a[i].t > end || m->aTeamOf[i] < 0) continue;  /* never played, or not a team's */
		if (iFirst < 0) iFirst = i;
		int bHave = 0;
		for (int r = 0; r < m->nRun; r++) bHave |= m->aRun[r].iTeam == m->aTeamOf[i];
		if (!bHave) m->aRun[m->nRun++] = (imp_run){ m->aTeamOf[i], i, 0, -1, 0, 0 };
	}
	if (iFirst >= 0) m->aRun[m->nRun++] = (imp_run){ -1, iFirst, 0, -1, 0, 0 };
	return m;
}

static int left_out(const scn_impact *m, int i, int iTeam) {
	return m->aTeamOf[i] >= 0 && (iTeam < 0 || m->aTeamOf[i] == iTeam);
}

/* ---- the child ----------------------------------------------------------------------------------------------- */

/* Plays inputs i0.. without those run r leaves out, to the end; sends the harm; never returns. */
static void child_run(scn_impact *m, scn_drill *d, int i0, int iTeam, int fd) {
	imp_msg msg;
	ky_err err = { 0 };
	int rc = 0;
	memset(&msg, 0, sizeof msg);
	scn_drill_detach_observers(d);
	for (int j = i0; j < m->n && !rc && m->a[j].t <= m->end; j++) {
		if (left_out(m, j, iTeam)) continue;
		if (m->a[j].t > scn_drill_now(d)) rc = scn_drill_advance_to(d, m->a[j].t, &err);
		int64_t seq = 0;
		ky_err e2 = { 0 };
		if (!rc && scn_play_one(d, &m->a[j], &seq, &e2) && seq == 0) rc = e2.code, err = e2;  /* refusals go on */
	}
	if (!rc && scn_drill_now(d) < m->end) rc = scn_drill_advance_to(d, m->end, &err);
	msg.rc = rc;
	msg.harm = veh_world_harm(scn_drill_world(d), NULL);
	if (rc) memcpy(msg.zMsg, err.zMsg, sizeof msg.zMsg - 1);
	ssize_t w = write(fd, &msg, sizeof msg);
	_exit(w == (ssize_t)sizeof msg ? 0 : 1);
}

/* ---- the parent ---------------------------------------------------------------------------------------------- */

static const char *run_name(const scn_impact *m, const imp_run *r, char *z, size_t n) {
	if (r->iTeam < 0) snprintf(z, n, "the baseline (no team actions)");
	else snprintf(z, n, "the run without %s", json_string_value(json_object_get(json_array_get(m->teams, (size_t)r->iTeam), "id")));
	return z;
}

/* Reads run r's record (blocking) and reaps it. 0 or KY_EIO naming the run. */
static int collect(scn_impact *m, imp_run *r, ky_err *err) {
	imp_msg msg;
	ssize_t got;
	char z[96];
	do got = read(r->fd, &msg, sizeof msg);
	while (got < 0 && errno == EINTR);
	close(r->fd);
	r->fd = -1;
	int st = 0;
	while (waitpid(r->pid, &st, 0) < 0 && errno == EINTR) {}
	r->bDone = 1;
	m->nRunning--;
	if (got != (ssize_t)sizeof msg || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return ky_err_set(err, KY_EIO, "impact: %s did not finish", run_name(m, r, z, sizeof z));
	if (msg.rc) {
		msg.zMsg[sizeof msg.zMsg - 1] = 0;
		return ky_err_set(err, KY_EIO, "impact: %s failed: %s", run_name(m, r, z, sizeof z), msg.zMsg);
	}
	r->harm = msg.harm;
	return 0;
}

/* Waits for the oldest running child (to make room under nCap). */
static int collect_oldest(scn_impact *m, ky_err *err) {
	for (int r = 0; r < m->nRun; r++)
		if (m->aRun[r].pid > 0 && !m->aRun[r].bDone) return collect(m, &m->aRun[r], err);
	return 0;
}

int scn_impact_fork_point(scn_impact *m, scn_drill *d, int i, ky_err *err) {
	for (int k = 0; k < m->nRun; k++) {
		imp_run *r = &m->aRun[k];
		if (r->iFork != i || r->pid) continue;
		int rc;
		while (m->nRunning >= m->nCap)
			if ((rc = collect_oldest(m, err))) return rc;
		int fd[2];
		if (pipe(fd) != 0) return ky_err_set(err, KY_EIO, "impact: pipe: %s", strerror(errno));
		fflush(NULL);
		pid_t pid = fork();
		if (pid < 0) {
			close(fd[0]);
			close(fd[1]);
			return ky_err_set(err, KY_EIO, "impact: fork: %s", strerror(errno));
		}
		if (pid == 0) {
			close(fd[0]);
			child_run(m, d, i, r->iTeam, fd[1]);
		}
		close(fd[1]);
		r->pid = pid;
		r->fd = fd[0];
		m->nRunning++;
	}
	return 0;
}

static double r3(double x) { return round(x * 1000.0) / 1000.0; }

int scn_impact_finish(scn_impact *m, scn_drill *d, json_t **pImpact, ky_err *err) {
	*pImpact = NULL;
	for (int k = 0; k < m->nRun; k++) {
		imp_run *r = &m->aRun[k];
		int rc;
		if (!r->pid) {  /* its fork point was never reached (the real run stopped early) */
			char z[96];
			return ky_err_set(err, KY_ESTATE, "impact: %s was never started", run_name(m, r, z, sizeof z));
		}
		if (!r->bDone && (rc = collect(m, r, err))) return rc;
	}
	double h = r3(veh_world_harm(scn_drill_world(d), NULL)), h0 = h;
	for (int k = 0; k < m->nRun; k++)
		if (m->aRun[k].iTeam < 0) h0 = r3(m->aRun[k].harm);
	json_t *teams = json_object();
	size_t i;
	json_t *t;
	json_array_foreach(m->teams, i, t) {
		double hT = h;
		for (int k = 0; k < m->nRun; k++)
			if (m->aRun[k].iTeam == (int)i) hT = r3(m->aRun[k].harm);
		json_object_set_new(teams, json_string_value(json_object_get(t, "id")),
		                    json_pack("{s:f,s:f}", "averted", h0 > 0 ? (hT - h) / h0 : 0.0, "harm_without", hT));
	}
	*pImpact = json_pack("{s:f,s:f,s:f,s:o,s:i}", "harm", h, "baseline", h0, "averted", h0 > 0 ? (h0 - h) / h0 : 0.0,
	                     "teams", teams, "runs", m->nRun);
	return *pImpact ? 0 : ky_err_set(err, KY_ENOMEM, "impact: out of memory");
}

void scn_impact_summary_put(json_t *summary, json_t *impact) { scn_impact_summary_put_as(summary, "impact", impact); }

void scn_impact_summary_put_as(json_t *summary, const char *zKey, json_t *v) {
	json_t *copy = json_copy(summary), *x;
	const char *k;
	if (!copy || !v) {
		json_decref(copy);
		return;
	}
	json_object_clear(summary);
	json_object_foreach(copy, k, x) {
		if (!strcmp(k, "teams")) json_object_set(summary, zKey, v);
		if (strcmp(k, zKey)) json_object_set(summary, k, x);
	}
	if (!json_object_get(summary, zKey)) json_object_set(summary, zKey, v);
	json_decref(copy);
}

void scn_impact_free(scn_impact *m) {
	if (!m) return;
	for (int k = 0; k < m->nRun; k++) {
		imp_run *r = &m->aRun[k];
		if (r->pid <= 0 || r->bDone) continue;
		kill(r->pid, SIGKILL);
		while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR) {}
		if (r->fd >= 0) close(r->fd);
	}
	free(m->aTeamOf);
	free(m->aRun);
	free(m);
}

/* ---- from scratch -------------------------------------------------------------------------------------------- */

int scn_impact_replay(const scn_replay *r, json_t **pSummary, ky_err *err) {
	scn_drill_opts opts = { .seed = r->seed, .bSeed = r->bSeed };
	const scn_play *a = r->a;
	*pSummary = NULL;
	scn_drill *d = scn_drill_open(r->zPath, &opts, err);
	if (!d) return err ? err->code : KY_EINVAL;
	eng_time_t end = r->end > 0 && r->end < scn_drill_duration(d) ? r->end : scn_drill_duration(d);
	json_t *ex = r->bImpact ? scn_drill_exercise_json(d) : NULL, *impact = NULL;
	scn_impact *m = ex ? scn_impact_plan(a, r->n, json_object_get(ex, "teams"), end, err) : NULL;
	int rc = r->bImpact && !m ? KY_ENOMEM : 0;
	for (int i = 0; i < r->n && !rc && a[i].t <= end; i++) {
		if (a[i].t > scn_drill_now(d)) rc = scn_drill_advance_to(d, a[i].t, err);
		if (!rc && m) rc = scn_impact_fork_point(m, d, i, err);
		int64_t seq = 0;
		ky_err e2 = { 0 };
		if (!rc && scn_play_one(d, &a[i], &seq, &e2) && seq == 0) {
			rc = e2.code;
			if (err) ky_err_set(err, rc, "input %d (%s %s at %lld us): %s", i + 1, a[i].zTeam ? a[i].zTeam : "facilitator",
			                    a[i].zKind ? a[i].zKind : "inject", (long long)a[i].t, e2.zMsg);
		}
	}
	if (!rc && scn_drill_now(d) < end) rc = scn_drill_advance_to(d, end, err);
	if (!rc && m) rc = scn_impact_finish(m, d, &impact, err);
	if (!rc) {
		*pSummary = scn_drill_summary_json(d);
		scn_impact_summary_put(*pSummary, impact);
	}
	json_decref(impact);
	scn_impact_free(m);
	json_decref(ex);
	scn_drill_free(d);
	return rc;
}

/* ---- live ------------------------------------------------------------------------------------------------------ */

typedef struct live_child {
	pid_t pid;     /* 0: none, -1: reaped */
	int fd;        /* read end, -1 once closed (EOF) */
	unsigned char *buf;
	size_t n, cap;
} live_child;

struct scn_impact_live {
	live_child base, fin;
	int bFinStarted;
	char *zPath;
	uint64_t seed;
};

/* Forks a child with only its pipe's write end (as fd 3) and the standard streams open, default signal handling,
 * and death with its parent. Returns the pid in the parent (*pFd: the read end, non-blocking), 0 in the child. */
static pid_t spawn_child(int *pFd, ky_err *err) {
	int fd[2];
	if (pipe(fd) != 0) return ky_err_set(err, KY_EIO, "impact: pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return ky_err_set(err, KY_EIO, "impact: fork: %s", strerror(errno));
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1) _exit(1);  /* the parent died before the line above */
		signal(SIGINT, SIG_DFL), signal(SIGTERM, SIG_DFL), signal(SIGPIPE, SIG_DFL), signal(SIGCHLD, SIG_DFL);
		if (fd[1] != 3 && dup2(fd[1], 3) < 0) _exit(1);
		close_range(4, ~0U, 0);  /* the server's sockets, its journal: none of the child's business */
		return 0;
	}
	close(fd[1]);
	fcntl(fd[0], F_SETFL, fcntl(fd[0], F_GETFL) | O_NONBLOCK);
	*pFd = fd[0];
	return pid;
}

static void write_all(int fd, const void *p, size_t n) {
	const unsigned char *q = p;
	while (n > 0) {
		ssize_t w = write(fd, q, n);
		if (w < 0 && errno == EINTR) continue;
		if (w <= 0) _exit(1);
		q += w, n -= (size_t)w;
	}
}

/* The baseline child: (t_us, harm) pairs, one per metric sample, to the end. */
static void baseline_child(const char *zPath, uint64_t seed) {
	scn_drill_opts opts = { .seed = seed, .bSeed = 1 };
	ky_err err = { 0 };
	scn_drill *d = scn_drill_open(zPath, &opts, &err);
	if (!d) _exit(1);
	eng_time_t end = scn_drill_duration(d);
	int rc = 0;
	for (eng_time_t t = 0;; t += SCN_DRILL_SAMPLE_US) {
		if (t > end) t = end;
		if ((rc = scn_drill_advance_to(d, t, &err) != 0)) break;
		struct { int64_t t; double h; } rec = { t, veh_world_harm(scn_drill_world(d), NULL) };
		write_all(3, &rec, sizeof rec);
		if (t >= end) break;
	}
	scn_drill_free(d);  /* what this process made is given back (make valgrind checks the children too) */
	_exit(rc);
}

scn_impact_live *scn_impact_live_start(const char *zPath, uint64_t seed, ky_err *err) {
	scn_impact_live *l = calloc(1, sizeof *l);
	if (l && !(l->zPath = strdup(zPath))) free(l), l = NULL;
	if (!l) return ky_err_set(err, KY_ENOMEM, "impact: out of memory"), NULL;
	l->base.fd = l->fin.fd = -1;
	l->seed = seed;
	pid_t pid = spawn_child(&l->base.fd, err);
	if (pid < 0) {
		free(l->zPath);
		free(l);
		return NULL;
	}
	if (pid == 0) baseline_child(zPath, seed);
	l->base.pid = pid;
	return l;
}

/* Drains a child's pipe into its buffer; at EOF closes it and reaps the child. */
static void drain(live_child *c) {
	while (c->fd >= 0) {
		if (c->n + 4096 > c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 8192;
			unsigned char *b = realloc(c->buf, cap);
			if (!b) return;
			c->buf = b, c->cap = cap;
		}
		ssize_t got = read(c->fd, c->buf + c->n, c->cap - c->n);
		if (got > 0) {
			c->n += (size_t)got;
			continue;
		}
		if (got < 0 && errno == EINTR) continue;
		if (got < 0) return;  /* EAGAIN: nothing more for now */
		close(c->fd);
		c->fd = -1;
	}
	if (c->pid > 0 && waitpid(c->pid, NULL, WNOHANG) == c->pid) c->pid = -1;
}

void scn_impact_live_poll(scn_impact_live *l) {
	if (!l) return;
	drain(&l->base);
	drain(&l->fin);
}

int scn_impact_live_baseline(const scn_impact_live *l, eng_time_t t, double *pH0) {
	struct rec { int64_t t; double h; };
	if (!l) return 0;
	size_t n = l->base.n / sizeof(struct rec);
	int bHave = 0;
	for (size_t i = 0; i < n; i++) {
		struct rec r;
		memcpy(&r, l->base.buf + i * sizeof r, sizeof r);
		if (r.t > t) break;
		*pH0 = r.h;
		bHave = 1;
	}
	return bHave;
}

size_t scn_impact_live_baseline_count(const scn_impact_live *l) {
	return l ? l->base.n / (sizeof(int64_t) + sizeof(double)) : 0;
}

int scn_impact_live_baseline_sample(const scn_impact_live *l, size_t i, eng_time_t *pT, double *pH) {
	struct rec { int64_t t; double h; } r;
	if (i >= scn_impact_live_baseline_count(l)) return 0;
	memcpy(&r, l->base.buf + i * sizeof r, sizeof r);
	*pT = r.t, *pH = r.h;
	return 1;
}

int scn_impact_live_baseline_ended(const scn_impact_live *l) { return l && l->base.fd < 0; }

int scn_impact_live_finish(scn_impact_live *l, json_t *inputs, eng_time_t end, ky_err *err) {
	if (!l || l->bFinStarted) return 0;
	l->bFinStarted = 1;
	int fd = -1;
	pid_t pid = spawn_child(&fd, err);
	if (pid < 0) return pid;
	if (pid == 0) {  /* the child: replay the inputs with the counterfactual runs, send the impact object */
		int n = 0;
		ky_err e2 = { 0 };
		scn_play *a = scn_play_from_inputs(inputs, &n, &e2);
		json_t *s = NULL;
		scn_replay r = { l->zPath, l->seed, 1, a, n, end, 1 };
		if (scn_impact_replay(&r, &s, &e2)) _exit(1);
		char *z = json_dumps(json_object_get(s, "impact"), JSON_COMPACT);
		if (!z) _exit(1);
		write_all(3, z, strlen(z));
		_exit(0);
	}
	l->fin.pid = pid;
	l->fin.fd = fd;
	return 0;
}

json_t *scn_impact_live_result(scn_impact_live *l, int timeoutMs, int *pbFailed) {
	if (pbFailed) *pbFailed = 0;
	if (!l || !l->bFinStarted) return NULL;
	for (int waited = 0;; waited += 50) {
		drain(&l->fin);
		if (l->fin.fd < 0 || waited >= timeoutMs) break;
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL);
	}
	if (l->fin.fd >= 0) return NULL;  /* still running */
	json_t *o = json_loadb((const char *)l->fin.buf, l->fin.n, 0, NULL);
	if (!json_is_object(o) && pbFailed) *pbFailed = 1;
	return json_is_object(o) ? o : (json_decref(o), NULL);
}

void scn_impact_live_free(scn_impact_live *l) {
	if (!l) return;
	live_child *ac[2] = { &l->base, &l->fin };
	for (int k = 0; k < 2; k++) {
		live_child *c = ac[k];
		if (c->pid > 0) {
			kill(c->pid, SIGKILL);
			while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR) {}
		}
		if (c->fd >= 0) close(c->fd);
		free(c->buf);
	}
	free(l->zPath);
	free(l);
}
