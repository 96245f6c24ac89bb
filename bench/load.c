/* bench/load: the drill server under a drill-sized crowd and a crash, side by side with the Node `ws` peer
 * (bench/ws_peer.mjs --resume), both on 127.0.0.1, one after the other, driven by the same libwebsockets client:
 * 1,000 team clients (100 per team, 10 teams); each team sends 10 actions/s (spread over its clients), the
 * facilitator an ad-hoc inject to all every 2 s, for 60 s; at 30 s the server is killed with SIGKILL and started
 * again with --resume on the same port; every client reconnects (100-300 ms back-off) and resends every action it
 * has no ack for. Then the clients' records are checked against the server's journal:
 *   load.actions lost         acked, but not in the journal afterwards (must be 0)
 *   load.actions duplicated   a client id stored twice, or acked with two different seqs (must be 0)
 *   load.actions unacked      sent, never acked by the end (the run waits up to 30 s more for them)
 *   load.ack p99_ms           ack round trip in steady state: actions sent and acked by one server process, 10 s or
 *                             more after their client's welcome (a welcome's backlog is written before any answer:
 *                             after the restart a thousand backlogs stream first)
 *   load.ack p99_all_ms       the same over every action sent and acked by one process (the crash's own wait is
 *                             recovery_s)
 *   load.memory rss_mib       the server's peak resident memory (VmHWM of both processes)
 *   load.recovery recovery_s  SIGKILL to the first welcome from the restarted server
 * ratio = peer/ours for times and memory; (peer+1)/(ours+1) for counts; > 1 means ours is ahead.
 * Usage: build/bench/load [--clients N] [--teams N] [--rate R] [--seconds S] [--kill-at S] [--only ours|peer] */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "bench/wsbench.h"

#define MAX_TEAMS 32
#define OUT_SLOTS 256 /* messages one client may have waiting to be written */

typedef struct act {
	int iClient;
	double tSend;     /* last (re)send, ms */
	double tAck;
	int gen;          /* server process of the last send (0 first, 1 after the restart) */
	long long seq;    /* from the first ack; 0 none */
	int nSent, bAcked, bDup;
	int bSteady;      /* its last send was 10 s or more after its client's latest welcome */
} act;

typedef struct lconn {
	struct lws *wsi;
	int idx, iTeam, bFac, bUp, bJoined, bDown;
	double tRetry;    /* when to reconnect, ms */
	char zHello[160];
	char (*aOut)[LWS_PRE + 256];
	size_t anOut[OUT_SLOTS];
	int iOut, nOut;
	double tWelcome;  /* its latest welcome, ms */
	long long maxSeq; /* the highest seq of its team's action records it received: its hello's since */
	int *aMine;       /* indices of this client's actions (for the resend) */
	int nMine, nMineCap;
} lconn;

typedef struct target {
	const char *zName;
	pid_t pid;
	int port;
	char azTok[MAX_TEAMS][40];
	char zFacTok[40];
	int nTeam;
	double hwm;       /* peak RSS over its processes, MiB */
} target;

typedef struct result {
	long long nSent, nAcked, nLost, nDup, nUnacked, nJournal;
	double ackP50, ackP99, ackP99All, rss, recoveryS;
	int bOk;
} result;

static int gnClients = 1000, gnTeams = 10, gRate = 10, gSeconds = 60, gKillAt = 30;
static struct lws_context *gCtx;
static lconn *gaConn, gFac;
static act *gaAct;
static long long gnAct, gnActCap;
static int gGen;              /* 0 before the kill, 1 after */
static double gtKill, gtRecovered;
static long long gnJoins;
static target *gpT;


/* --- one client ----------------------------------------------------------------------------------------------- */

static void conn_queue(lconn *c, const char *z) {
	size_t n = strlen(z);
	if (c->nOut >= OUT_SLOTS || n > 250 || !c->wsi || !c->bUp) return; /* dropped: a resend covers an action */
	int k = (c->iOut + c->nOut) % OUT_SLOTS;
	memcpy(c->aOut[k] + LWS_PRE, z, n);
	c->anOut[k] = n;
	c->nOut++;
	lws_callback_on_writable(c->wsi);
}

static void send_action(long long i) {
	act *a = &gaAct[i];
	lconn *c = &gaConn[a->iClient];
	char z[256];
	if (!c->bJoined) return; /* sent when it joins again */
	snprintf(z, sizeof z, "{\"type\":\"action\",\"id\":\"a%lld\",\"kind\":\"report\",\"args\":{\"text\":\"load %lld\"}}", i, i);
	a->tSend = wsb_now_ms();
	a->bSteady = a->tSend - c->tWelcome >= 10000;
	a->gen = gGen;
	a->nSent++;
	conn_queue(c, z);
}

static void on_welcome(lconn *c) {
	c->bJoined = 1;
	c->tWelcome = wsb_now_ms();
	gnJoins++;
	if (gGen == 1 && gtRecovered == 0) gtRecovered = wsb_now_ms();
	if (c->bFac && gGen == 1) conn_queue(c, "{\"type\":\"control\",\"cmd\":\"resume\"}"); /* a resumed drill is held */
	for (int k = 0; k < c->nMine; k++)
		if (!gaAct[c->aMine[k]].bAcked) send_action(c->aMine[k]);
}

static void on_ack(const char *z) {
	const char *q = strstr(z, "\"id\":\"a"), *s = strstr(z, "\"seq\":");
	long long i = q ? strtoll(q + 7, NULL, 10) : -1, seq = s ? strtoll(s + 6, NULL, 10) : 0;
	if (i < 0 || i >= gnAct) return;
	act *a = &gaAct[i];
	if (a->bAcked) {
		if (seq != a->seq) a->bDup = 1; /* a resend given another seq: a second action */
		return;
	}
	a->bAcked = 1;
	a->seq = seq;
	a->tAck = wsb_now_ms();
}

static void on_text(lconn *c, const char *p, size_t n) {
	char z[320];
	size_t k = n < sizeof z - 1 ? n : sizeof z - 1;
	memcpy(z, p, k);
	z[k] = 0;
	if (!c->bJoined && strstr(z, "\"type\":\"welcome\"")) on_welcome(c);
	else if (strstr(z, "\"type\":\"ack\"")) on_ack(z);
	else if (strstr(z, "\"type\":\"action\"")) {  /* a record of its team's: a page keeps them over a reconnect */
		const char *q = memmem(p, n, "\"seq\":", 6);
		long long seq = q ? strtoll(q + 6, NULL, 10) : 0;
		if (seq > c->maxSeq) c->maxSeq = seq;
	}
}

static void conn_down(lconn *c) {
	c->wsi = NULL;
	c->bUp = c->bJoined = 0;
	c->nOut = c->iOut = 0;
	c->bDown = 1;
	c->tRetry = wsb_now_ms() + 100 + (double)(rand() % 200);
}

static int client_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
	lconn *c = user;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->bUp = 1;
		if (c->maxSeq > 0 && !c->bFac) {  /* a reconnect: the records it holds need not come again (hello's since) */
			char z[200];
			snprintf(z, sizeof z, "%.*s,\"since\":%lld}", (int)strlen(c->zHello) - 1, c->zHello, c->maxSeq);
			conn_queue(c, z);
		} else {
			conn_queue(c, c->zHello);
		}
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: /* lws has already cleared c->wsi (pwsi) */
		if (c) conn_down(c);
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (c && (c->wsi == wsi || !c->wsi)) conn_down(c);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (lws_is_first_fragment(wsi)) on_text(c, in, len);
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (c->nOut) {
			if (lws_write(wsi, (unsigned char *)c->aOut[c->iOut] + LWS_PRE, c->anOut[c->iOut], LWS_WRITE_TEXT) < (int)c->anOut[c->iOut])
				return -1;
			c->iOut = (c->iOut + 1) % OUT_SLOTS;
			c->nOut--;
			if (c->nOut) lws_callback_on_writable(wsi);
		}
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols aProto[] = {
	{ "load", client_cb, 0, 8192, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void connect_one(lconn *c) {
	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof ci);
	ci.context = gCtx;
	ci.address = "127.0.0.1";
	ci.port = gpT->port;
	ci.path = "/ws";
	ci.host = "127.0.0.1";
	ci.protocol = "kyodo.v1";
	ci.local_protocol_name = "load";
	ci.userdata = c;
	ci.pwsi = &c->wsi;
	c->bDown = 0;
	if (!lws_client_connect_via_info(&ci)) conn_down(c);
}

/* --- the servers ---------------------------------------------------------------------------------------------- */

static pid_t gaChild[2];
static void on_signal(int sig) {
	for (int i = 0; i < 2; i++)
		if (gaChild[i] > 0) kill(gaChild[i], SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}


static int free_port(void) {
	struct sockaddr_in a;
	socklen_t n = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &n) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0) close(fd);
	return port;
}

/* Spawns argv (stdout on a pipe, stderr appended to zLog) and waits for its "facilitator " line; reads the tokens
 * of the join lines when it prints them (a first start; a --resume prints none). */
static int spawn_target(target *t, char *const argv[], const char *zLog) {
	int aPipe[2];
	char zBuf[16384];
	size_t nBuf = 0;
	double tEnd = wsb_now_ms() + 120000;
	if (pipe(aPipe)) return -1;
	t->pid = fork();
	if (t->pid < 0) return -1;
	if (t->pid == 0) {
		int fd = open(zLog, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(aPipe[1], 1);
		if (fd >= 0) dup2(fd, 2);
		close(aPipe[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(aPipe[1]);
	gaChild[0] = t->pid;
	while (wsb_now_ms() < tEnd) {
		struct pollfd pfd = { aPipe[0], POLLIN, 0 };
		ssize_t r;
		char *q;
		if (poll(&pfd, 1, 200) <= 0) continue;
		r = read(aPipe[0], zBuf + nBuf, sizeof zBuf - 1 - nBuf);
		if (r <= 0) break;
		nBuf += (size_t)r;
		zBuf[nBuf] = 0;
		if ((q = strstr(zBuf, "facilitator http")) && strchr(q, '\n')) break;
	}
	close(aPipe[0]);
	if (!strstr(zBuf, "facilitator http")) return -1;
	if (!strstr(zBuf, "token=")) return 0; /* resumed: the first start's tokens stay */
	t->nTeam = 0;
	for (char *q = zBuf; (q = strstr(q, "join ")) && t->nTeam < MAX_TEAMS; q++) {
		char *pTok = strstr(q, "token=");
		if (!pTok) break;
		sscanf(pTok + 6, "%39[0-9a-f]", t->azTok[t->nTeam++]);
	}
	sscanf(strstr(strstr(zBuf, "facilitator http"), "token=") + 6, "%39[0-9a-f]", t->zFacTok);
	return t->nTeam > 0 ? 0 : -1;
}

static void stop_target(target *t, int sig) {
	int st;
	if (t->pid <= 0) return;
	kill(t->pid, sig);
	for (int i = 0; i < 100; i++) {
		if (waitpid(t->pid, &st, WNOHANG) == t->pid) goto done;
		usleep(50000);
	}
	kill(t->pid, SIGKILL);
	waitpid(t->pid, &st, 0);
done:
	t->pid = 0;
	gaChild[0] = 0;
}

/* --- the run -------------------------------------------------------------------------------------------------- */

static lws_sorted_usec_list_t gSulTick;
static void on_tick(lws_sorted_usec_list_t *sul) { lws_sul_schedule(gCtx, 0, sul, on_tick, LWS_US_PER_MS); }

static void reconnect_due(double t) {
	if (gFac.bDown && t >= gFac.tRetry) connect_one(&gFac);
	for (int i = 0; i < gnClients; i++)
		if (gaConn[i].bDown && t >= gaConn[i].tRetry) connect_one(&gaConn[i]);
}

static int all_acked(void) {
	for (long long i = 0; i < gnAct; i++)
		if (!gaAct[i].bAcked) return 0;
	return 1;
}

static void add_action(double t0, double t) {
	long long nDue = (long long)((t - t0) / 1000.0 * gnTeams * gRate);
	while (gnAct < nDue) {
		if (gnAct == gnActCap) {
			gnActCap = gnActCap ? 2 * gnActCap : 8192;
			gaAct = realloc(gaAct, (size_t)gnActCap * sizeof *gaAct);
		}
		int iClient = (int)((gnAct * 7919) % gnClients);
		lconn *c = &gaConn[iClient];
		memset(&gaAct[gnAct], 0, sizeof gaAct[0]);
		gaAct[gnAct].iClient = iClient;
		if (c->nMine == c->nMineCap) {
			c->nMineCap = c->nMineCap ? 2 * c->nMineCap : 16;
			c->aMine = realloc(c->aMine, (size_t)c->nMineCap * sizeof *c->aMine);
		}
		c->aMine[c->nMine++] = (int)gnAct;
		send_action(gnAct++);
	}
}

/* Checks the client records against the journal: kyodo's sqlite3 file or the peer's JSON lines. */
static void check_journal(const char *zDb, const char *zJsonl, result *r) {
	char *aSeen = calloc((size_t)gnAct + 1, 1);
	if (zDb) {
		sqlite3 *db;
		sqlite3_stmt *st;
		if (sqlite3_open_v2(zDb, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		    sqlite3_prepare_v2(db, "SELECT client_id, seq FROM actions WHERE client_id LIKE 'a%'", -1, &st, NULL) == SQLITE_OK) {
			while (sqlite3_step(st) == SQLITE_ROW) {
				long long i = strtoll((const char *)sqlite3_column_text(st, 0) + 1, NULL, 10), seq = sqlite3_column_int64(st, 1);
				r->nJournal++;
				if (i < 0 || i >= gnAct) continue;
				if (aSeen[i]++ || (gaAct[i].bAcked && gaAct[i].seq != seq)) gaAct[i].bDup = 1;
			}
			sqlite3_finalize(st);
		}
		sqlite3_close(db);
	} else {
		FILE *f = fopen(zJsonl, "r");
		char zLine[1024];
		while (f && fgets(zLine, sizeof zLine, f)) {
			const char *q = strstr(zLine, "\"id\":\"a"), *s = strstr(zLine, "\"seq\":");
			if (!q || !s) continue;
			long long i = strtoll(q + 7, NULL, 10), seq = strtoll(s + 6, NULL, 10);
			r->nJournal++;
			if (i < 0 || i >= gnAct) continue;
			if (aSeen[i]++ || (gaAct[i].bAcked && gaAct[i].seq != seq)) gaAct[i].bDup = 1;
		}
		if (f) fclose(f);
	}
	for (long long i = 0; i < gnAct; i++) {
		if (gaAct[i].bAcked && !aSeen[i]) r->nLost++;
		if (gaAct[i].bDup) r->nDup++;
		if (!gaAct[i].bAcked) r->nUnacked++;
	}
	free(aSeen);
}



static void ack_figures(result *r) {
	double *a = malloc((size_t)(gnAct + 1) * sizeof *a), *b = malloc((size_t)(gnAct + 1) * sizeof *b);
	size_t n = 0, m = 0;
	for (long long i = 0; i < gnAct; i++) { /* one process sent and acked it: the crash's wait is recovery_s */
		const act *x = &gaAct[i];
		if (!x->bAcked || x->nSent != 1 || (x->gen == 1) != (x->tAck > gtKill)) continue;
		a[n++] = x->tAck - x->tSend;
		if (x->bSteady) b[m++] = x->tAck - x->tSend;
	}
	r->ackP99All = wsb_pct(a, n, 0.99);
	r->ackP50 = wsb_pct(b, m, 0.50);
	r->ackP99 = wsb_pct(b, m, 0.99);
	free(a);
	free(b);
}

/* One whole run against a target: start, crowd, kill, restart, drain, check. argv0/argvResume start it. */
static int run_one(target *t, char **argvFirst, char **argvResume, const char *zLog, const char *zDb, const char *zJsonl,
                   result *r) {
	struct lws_context_creation_info info;
	double t0, tEnd, tNextInject;
	int nInject = 0;
	memset(r, 0, sizeof *r);
	gpT = t;
	gGen = 0;
	gtKill = gtRecovered = 0;
	gnAct = gnJoins = 0;
	if (spawn_target(t, argvFirst, zLog)) return -1;
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = aProto;
	info.fd_limit_per_thread = (unsigned)gnClients + 64;
	gCtx = lws_create_context(&info);
	if (!gCtx) return -1;
	memset(&gSulTick, 0, sizeof gSulTick);
	lws_sul_schedule(gCtx, 0, &gSulTick, on_tick, LWS_US_PER_MS);
	gaConn = calloc((size_t)gnClients, sizeof *gaConn);
	memset(&gFac, 0, sizeof gFac);
	gFac.bFac = 1;
	gFac.aOut = calloc(OUT_SLOTS, sizeof *gFac.aOut);
	snprintf(gFac.zHello, sizeof gFac.zHello, "{\"type\":\"hello\",\"token\":\"%s\"}", t->zFacTok);
	connect_one(&gFac);
	for (int i = 0; i < gnClients; i++) {
		lconn *c = &gaConn[i];
		c->idx = i;
		c->iTeam = i % t->nTeam;
		c->aOut = calloc(OUT_SLOTS, sizeof *c->aOut);
		snprintf(c->zHello, sizeof c->zHello, "{\"type\":\"hello\",\"token\":\"%s\"}", t->azTok[c->iTeam]);
		connect_one(c);
		if (i % 50 == 49) lws_service(gCtx, 0);
	}
	tEnd = wsb_now_ms() + 60000;
	while (gnJoins < gnClients + 1 && wsb_now_ms() < tEnd) lws_service(gCtx, 0);
	if (gnJoins < gnClients + 1) fprintf(stderr, "load: %s: only %lld of %d clients joined\n", t->zName, gnJoins, gnClients + 1);
	t0 = wsb_now_ms();
	tNextInject = t0 + 2000;
	tEnd = t0 + gSeconds * 1000.0;
	for (double tNow = t0; tNow < tEnd; tNow = wsb_now_ms()) {
		add_action(t0, tNow);
		if (tNow >= tNextInject) {
			char z[256];
			snprintf(z, sizeof z, "{\"type\":\"inject\",\"to\":[\"all\"],\"title\":\"load-%d\",\"severity\":\"low\","
			         "\"body\":\"An ad-hoc inject to every team while the load runs.\"}", ++nInject);
			conn_queue(&gFac, z);
			tNextInject += 2000;
		}
		if (!gGen && tNow - t0 >= gKillAt * 1000.0) { /* the crash */
			double h = wsb_proc_mib(t->pid, "VmHWM:");
			if (h > t->hwm) t->hwm = h;
			gtKill = wsb_now_ms();
			stop_target(t, SIGKILL);
			gGen = 1;
			if (spawn_target(t, argvResume, zLog)) {
				fprintf(stderr, "load: %s: the restart failed (log %s)\n", t->zName, zLog);
				break;
			}
		}
		reconnect_due(tNow);
		lws_service(gCtx, 0);
	}
	/* drain: every action acked (or 30 s) */
	tEnd = wsb_now_ms() + 30000;
	while (!all_acked() && wsb_now_ms() < tEnd) {
		reconnect_due(wsb_now_ms());
		lws_service(gCtx, 0);
	}
	{
		double h = t->pid > 0 ? wsb_proc_mib(t->pid, "VmHWM:") : -1;
		if (h > t->hwm) t->hwm = h;
	}
	stop_target(t, SIGTERM);
	lws_context_destroy(gCtx);
	gCtx = NULL;
	r->nSent = gnAct;
	for (long long i = 0; i < gnAct; i++) r->nAcked += gaAct[i].bAcked;
	check_journal(zDb, zJsonl, r);
	ack_figures(r);
	r->rss = t->hwm;
	r->recoveryS = gtRecovered > 0 ? (gtRecovered - gtKill) / 1000.0 : -1;
	r->bOk = gtRecovered > 0;
	for (int i = 0; i < gnClients; i++) free(gaConn[i].aOut), free(gaConn[i].aMine);
	free(gaConn), free(gFac.aOut), free(gaAct);
	gaConn = NULL, gaAct = NULL, gnActCap = 0;
	return 0;
}

static void emit(const char *zBench, const char *zMetric, const char *zUnit, double ours, double peer, int bCount) {
	double ratio = bCount ? (peer + 1) / (ours + 1) : ours > 0 && peer > 0 ? peer / ours : 0;
	printf("{\"bench\":\"%s\",\"metric\":\"%s\",\"value\":%.3f,\"unit\":\"%s\",\"peer\":\"node-ws\",\"peer_value\":%.3f,"
	       "\"ratio\":%.3f}\n", zBench, zMetric, ours, zUnit, peer, ratio);
}


static void summary(const char *zName, const result *r) {
	printf("  %-8s sent %lld, acked %lld, journal %lld | lost %lld, duplicated %lld, unacked %lld | steady ack p50 %.2f ms, "
	       "p99 %.2f ms; p99 over all %.2f ms | peak RSS %.1f MiB | recovery %.2f s\n", zName, r->nSent, r->nAcked,
	       r->nJournal, r->nLost, r->nDup, r->nUnacked, r->ackP50, r->ackP99, r->ackP99All, r->rss, r->recoveryS);
}

int main(int argc, char **argv) {
	char zScn[PATH_MAX + 32], zDb[PATH_MAX + 32], zLog[PATH_MAX + 32], zJl[PATH_MAX + 32], zTok[PATH_MAX + 32], zPort[16],
	     z[2 * PATH_MAX];
	const char *zOnly = NULL;
	target ours = { "kyodo", 0, 0, { { 0 } }, { 0 }, 0, 0 }, peer = { "node-ws", 0, 0, { { 0 } }, { 0 }, 0, 0 };
	result ro = { 0 }, rp = { 0 };
	struct rlimit rl;
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--clients") && i + 1 < argc) gnClients = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--teams") && i + 1 < argc) gnTeams = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rate") && i + 1 < argc) gRate = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) gSeconds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--kill-at") && i + 1 < argc) gKillAt = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc) zOnly = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--clients N] [--teams N] [--rate R] [--seconds S] [--kill-at S] [--only ours|peer]\n", argv[0]);
			return 2;
		}
	}
	if (gnClients < 1 || gnClients > 5000 || gnTeams < 1 || gnTeams > MAX_TEAMS || gnTeams > gnClients || gRate < 1 ||
	    gRate > 1000 || gSeconds < 2 || gSeconds > 600 || gKillAt < 1 || gKillAt >= gSeconds) {
		fprintf(stderr, "load: bounds: 1..5000 clients, 1..%d teams, 1..1000 actions/s a team, 2..600 s, kill 1..S-1\n", MAX_TEAMS);
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) rl.rlim_cur = rl.rlim_max, setrlimit(RLIMIT_NOFILE, &rl);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	lws_set_log_level(LLL_ERR, NULL);
	srand(1);
	wsb_paths P;
	if (wsb_setup(&P, "load", "load")) return 1;
	char *zKyodo = P.zKyodo, *zPeer = P.zPeer, *zDir = P.zDir, *zWeb = P.zWeb;
	snprintf(zScn, sizeof zScn, "%s/load.lua", zDir);
	snprintf(zDb, sizeof zDb, "%s/load.db", zDir);
	snprintf(zJl, sizeof zJl, "%s/peer.jsonl", zDir);
	snprintf(zTok, sizeof zTok, "%s/peer.tokens", zDir);
	{
		char zTeams[2048] = "";
		for (int i = 0; i < gnTeams; i++) {
			char zOne[64];
			snprintf(zOne, sizeof zOne, "%s{ id = \"t%d\", name = \"Team %d\" }", i ? ", " : "", i, i);
			strcat(zTeams, zOne);
		}
		/* injects every sim minute to everyone besides the facilitator's (the server runs at --speed 60) */
		snprintf(z, sizeof z,
		         "scenario { id = \"bench-load\", title = \"load and crash bench\", duration = \"12h\", seed = 1 }\n"
		         "teams { %s }\n"
		         "fleet { { model = \"Sedan-A\", count = 20000, region = \"JP-Kanto\", ecus = { tcu = \"2.3.1\" } } }\n"
		         "for i = 1, 600 do inject { id = \"L\" .. i, at = i * 60, to = { \"all\" }, severity = \"low\",\n"
		         "  title = \"Scheduled inject \" .. i, body = \"The scenario's own inject to everyone.\" } end\n"
		         "at(\"00:05:00\", function() attack.compromise { select = { model = \"Sedan-A\" }, fraction = 0.01, c2 = \"203.0.113.7\" } end)\n"
		         "every(\"10m\", function() attack.spread { rate = 0.1, c2 = \"203.0.113.7\" } end)\n",
		         zTeams);
		wsb_write_file(zScn, z);
	}
	if (!zOnly || !strcmp(zOnly, "ours")) {
		snprintf(zPort, sizeof zPort, "%d", ours.port = free_port());
		snprintf(zLog, sizeof zLog, "%s/server.log", zDir);
		/* no per-team action limit (the peer has none; --rate can ask for more than the default limit) */
		char *avFirst[] = { zKyodo, "serve", zScn, "--port", zPort, "--db", zDb, "--web", zWeb, "--speed", "60", "--autostart",
		                    "--action-rate", "0", NULL };
		char *avResume[] = { zKyodo, "serve", zScn, "--port", zPort, "--db", zDb, "--web", zWeb, "--speed", "60", "--resume",
		                     "--action-rate", "0", NULL };
		if (access(zKyodo, X_OK) || run_one(&ours, avFirst, avResume, zLog, zDb, NULL, &ro) || !ro.bOk) {
			fprintf(stderr, "load: our server failed (log: %s)\n", zLog);
			rc = 1;
		}
	}
	if (!zOnly || !strcmp(zOnly, "peer")) {
		char zTeamsN[16];
		snprintf(zTeamsN, sizeof zTeamsN, "%d", gnTeams);
		snprintf(zPort, sizeof zPort, "%d", peer.port = free_port());
		snprintf(zLog, sizeof zLog, "%s/peer.log", zDir);
		char *avFirst[] = { "node", zPeer, "--port", zPort, "--teams", zTeamsN, "--journal", zJl, "--tokens", zTok, NULL };
		char *avResume[] = { "node", zPeer, "--port", zPort, "--teams", zTeamsN, "--journal", zJl, "--tokens", zTok, "--resume", NULL };
		if (run_one(&peer, avFirst, avResume, zLog, NULL, zJl, &rp) || !rp.bOk) {
			fprintf(stderr, "load: the peer failed (needs node and tests/browser/node_modules/ws: make bench-deps; log %s)\n", zLog);
			rc = 1;
		}
	}
	emit("load.actions", "lost", "actions", (double)ro.nLost, (double)rp.nLost, 1);
	emit("load.actions", "duplicated", "actions", (double)ro.nDup, (double)rp.nDup, 1);
	emit("load.actions", "unacked", "actions", (double)ro.nUnacked, (double)rp.nUnacked, 1);
	emit("load.ack", "p99_ms", "ms", ro.ackP99, rp.ackP99, 0);
	emit("load.ack", "p99_all_ms", "ms", ro.ackP99All, rp.ackP99All, 0);
	emit("load.memory", "rss_mib", "MiB", ro.rss, rp.rss, 0);
	emit("load.recovery", "recovery_s", "s", ro.recoveryS, rp.recoveryS, 0);
	printf("\nload: %d clients over %d teams, %d actions/s a team, an inject to all every 2 s, %d s; SIGKILL at %d s, "
	       "restart with --resume, reconnect and resend (loopback only)\n", gnClients, gnTeams, gRate, gSeconds, gKillAt);
	summary("kyodo", &ro);
	summary("node-ws", &rp);
	printf("  targets: lost 0, duplicated 0, ack p99 <= 20 ms, <= 128 MiB\n");
	if (ro.nLost || ro.nDup) rc = 1;
	if (!rc) {
		snprintf(z, sizeof z, "rm -rf '%s'", zDir);
		if (system(z)) {}
	}
	return rc;
}
