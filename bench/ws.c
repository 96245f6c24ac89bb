/* bench/ws: the drill server under 1,000 websocket clients, side by side with a minimal Node `ws` server doing
 * the same work (bench/ws_peer.mjs). Both run on 127.0.0.1 only, one after the other, driven by the same
 * libwebsockets client in this process:
 *   ws.fanout.1000  an ad-hoc inject to "all" reaches 1,000 team connections: delivery latency p50/p99 (ms)
 *   ws.ack          200 actions/s, each acknowledged once durable: round trip p50/p99 (ms)
 *   ws.ack.burst    20 team connections (two per team) each send one action at the same instant, 50 times with
 *                   100 ms pauses: round trip to each ack p50/p99 (ms); kyodo commits such a burst as one group
 *                   (one fsync), the peer fsyncs each action
 *   ws.memory       the server's resident memory with 1,000 clients connected (MiB)
 * ratio = peer/ours (lower is better for all of them, so > 1 means ours is ahead).
 * Usage: build/bench/ws [--clients N] [--rounds N] [--ack-seconds S] [--burst N] [--burst-rounds R]
 *                       [--only ours|peer]  */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "bench/wsbench.h"

#define MAX_TEAMS 10

typedef struct bconn {
	struct lws *wsi;
	int idx, bFac, bJoined, bUp;
	char zHello[128];
	int bHelloSent;
	char aOut[8][LWS_PRE + 512]; /* small pending sends */
	size_t anOut[8];
	int nOut;
	int lastRound;               /* last fan-out round received */
} bconn;

typedef struct target {
	const char *zName;
	pid_t pid;
	int port;
	char azTok[MAX_TEAMS][40];
	char zFacTok[40];
	int nTeam;
} target;

static int gnClients = 1000, gnRounds = 20, gAckSeconds = 5, gnBurst = 20, gnBurstRounds = 50;
static struct lws_context *gCtx;
static bconn *gaConn;
static bconn gFac;
static int gnUp, gnJoined, gnErr;
static int gRound;               /* current fan-out round (1-based), 0 none */
static double gRoundT0;
static int gnRoundGot;
static double *gaFan;            /* latencies, ms */
static size_t gnFan;
static double *gaAckSent;        /* send time per action id */
static double *gaAck;            /* round trips, ms */
static size_t gnAck, gnAckSent;
static size_t gnBurstBase = (size_t)-1; /* action ids from here on are the burst's */
static double *gaBurst;          /* burst round trips, ms */
static size_t gnBurstAck;


static void conn_queue(bconn *c, const char *z) {
	size_t n = strlen(z);
	if (c->nOut >= 8 || n > 500 || !c->wsi) return;
	memcpy(c->aOut[c->nOut] + LWS_PRE, z, n);
	c->anOut[c->nOut++] = n;
	lws_callback_on_writable(c->wsi);
}

static void on_text(bconn *c, const char *p, size_t n) {
	char z[256];
	size_t k = n < sizeof z - 1 ? n : sizeof z - 1;
	memcpy(z, p, k);
	z[k] = 0;
	if (!c->bJoined && strstr(z, "\"type\":\"welcome\"")) {
		c->bJoined = 1;
		gnJoined++;
		return;
	}
	if (strstr(z, "\"type\":\"ack\"")) {
		const char *q = strstr(z, "\"id\":\"b");
		if (q) {
			long i = strtol(q + 7, NULL, 10);
			if (i >= 0 && (size_t)i < gnAckSent && gaAckSent[i] > 0) {
				if ((size_t)i >= gnBurstBase) gaBurst[gnBurstAck++] = wsb_now_ms() - gaAckSent[i];
				else gaAck[gnAck++] = wsb_now_ms() - gaAckSent[i];
				gaAckSent[i] = -1;
			}
		}
		return;
	}
	if (!c->bFac && gRound && strstr(z, "\"type\":\"inject\"")) {
		const char *q = strstr(z, "fanout-");
		if (q && atoi(q + 7) == gRound && c->lastRound != gRound) {
			c->lastRound = gRound;
			gaFan[gnFan++] = wsb_now_ms() - gRoundT0;
			gnRoundGot++;
		}
	}
}

static int client_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len) {
	bconn *c = user;
	(void)wsi;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->bUp = 1;
		gnUp++;
		conn_queue(c, c->zHello);
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		gnErr++;
		c->wsi = NULL;
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (c) c->wsi = NULL;
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		/* messages the bench looks at are small; a long one (welcome) is only looked at in its first fragment */
		if (lws_is_first_fragment(wsi)) on_text(c, in, len);
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (c->nOut) {
			if (lws_write(wsi, (unsigned char *)c->aOut[0] + LWS_PRE, c->anOut[0], LWS_WRITE_TEXT) < (int)c->anOut[0]) return -1;
			memmove(c->aOut[0], c->aOut[1], sizeof c->aOut[0] * (size_t)(c->nOut - 1));
			memmove(c->anOut, c->anOut + 1, sizeof c->anOut[0] * (size_t)(c->nOut - 1));
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
	{ "bench", client_cb, 0, 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void connect_one(bconn *c, int port) {
	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof ci);
	ci.context = gCtx;
	ci.address = "127.0.0.1";
	ci.port = port;
	ci.path = "/ws";
	ci.host = "127.0.0.1";
	ci.origin = "127.0.0.1";
	ci.protocol = "kyodo.v1";
	ci.local_protocol_name = "bench";
	ci.userdata = c;
	ci.pwsi = &c->wsi;
	if (!lws_client_connect_via_info(&ci)) gnErr++;
}

/* lws_service sleeps until I/O or the next timer: a 1 ms timer keeps the pacing loops below honest. */
static lws_sorted_usec_list_t gSulTick;
static void on_tick(lws_sorted_usec_list_t *sul) { lws_sul_schedule(gCtx, 0, sul, on_tick, LWS_US_PER_MS); }

static void service_until(int (*done)(void), double msMax) {
	double tEnd = wsb_now_ms() + msMax;
	while (!done() && wsb_now_ms() < tEnd) lws_service(gCtx, 0);
}

static int all_joined(void) { return gnJoined >= gnClients + 1 || gnErr > gnClients / 10; }
static int round_done(void) { return gnRoundGot >= gnClients; }
static int never(void) { return 0; }
static size_t gnBurstWant;
static int burst_done(void) { return gnBurstAck >= gnBurstWant; }




static pid_t gaChild[2];
static void on_signal(int sig) {
	for (int i = 0; i < 2; i++)
		if (gaChild[i] > 0) kill(gaChild[i], SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Spawns argv with stdout on a pipe, stderr to zLog; reads join/facilitator lines into t. */
static int spawn_target(target *t, char *const argv[], const char *zLog) {
	int aPipe[2];
	char zBuf[8192];
	size_t nBuf = 0;
	double tEnd = wsb_now_ms() + 30000;
	if (pipe(aPipe)) return -1;
	t->pid = fork();
	if (t->pid < 0) return -1;
	if (t->pid == 0) {
		int fd = open(zLog, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(aPipe[1], 1);
		if (fd >= 0) dup2(fd, 2);
		close(aPipe[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(aPipe[1]);
	gaChild[gaChild[0] ? 1 : 0] = t->pid;
	while (wsb_now_ms() < tEnd) {
		struct pollfd pfd = { aPipe[0], POLLIN, 0 };
		ssize_t r;
		if (poll(&pfd, 1, 200) <= 0) continue;
		r = read(aPipe[0], zBuf + nBuf, sizeof zBuf - 1 - nBuf);
		if (r <= 0) break;
		nBuf += (size_t)r;
		zBuf[nBuf] = 0;
		if (strstr(zBuf, "facilitator http")) {
			char *q = strstr(zBuf, "facilitator http");
			if (strchr(q, '\n')) break;
		}
	}
	close(aPipe[0]);
	t->nTeam = 0;
	for (char *q = zBuf; (q = strstr(q, "join ")) && t->nTeam < MAX_TEAMS; q++) {
		char *pTok = strstr(q, "token="), *pPort = strstr(q, "127.0.0.1:");
		if (!pTok) break;
		sscanf(pTok + 6, "%39[0-9a-f]", t->azTok[t->nTeam++]);
		if (pPort) t->port = atoi(pPort + 10);
	}
	{
		char *q = strstr(zBuf, "facilitator http");
		char *pTok = q ? strstr(q, "token=") : NULL;
		if (!pTok || !t->nTeam || !t->port) return -1;
		sscanf(pTok + 6, "%39[0-9a-f]", t->zFacTok);
	}
	return 0;
}

static void stop_target(target *t) {
	int st;
	if (t->pid <= 0) return;
	kill(t->pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		if (waitpid(t->pid, &st, WNOHANG) == t->pid) {
			t->pid = 0;
			return;
		}
		usleep(50000);
	}
	kill(t->pid, SIGKILL);
	waitpid(t->pid, &st, 0);
	t->pid = 0;
}

typedef struct result {
	double fanP50, fanP99, ackP50, ackP99, burstP50, burstP99, rss;
	size_t nFan, nAck, nBurst;
} result;

static int measure(target *t, result *r) {
	struct lws_context_creation_info info;
	memset(r, 0, sizeof *r);
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = aProto;
	info.fd_limit_per_thread = (unsigned)gnClients + 64;
	gCtx = lws_create_context(&info);
	if (!gCtx) return -1;
	memset(&gSulTick, 0, sizeof gSulTick);
	lws_sul_schedule(gCtx, 0, &gSulTick, on_tick, LWS_US_PER_MS);
	gaConn = calloc((size_t)gnClients, sizeof *gaConn);
	gaFan = calloc((size_t)gnClients * (size_t)gnRounds, sizeof *gaFan);
	gnUp = gnJoined = gnErr = gRound = 0;
	gnFan = gnAck = gnAckSent = 0;
	memset(&gFac, 0, sizeof gFac);
	gFac.bFac = 1;
	snprintf(gFac.zHello, sizeof gFac.zHello, "{\"type\":\"hello\",\"token\":\"%s\"}", t->zFacTok);
	connect_one(&gFac, t->port);
	for (int i = 0; i < gnClients; i++) {
		bconn *c = &gaConn[i];
		c->idx = i;
		snprintf(c->zHello, sizeof c->zHello, "{\"type\":\"hello\",\"token\":\"%s\"}", t->azTok[i % t->nTeam]);
		connect_one(c, t->port);
		if (i % 50 == 49) lws_service(gCtx, 0);
	}
	service_until(all_joined, 30000);
	if (gnJoined < gnClients + 1) {
		fprintf(stderr, "ws: %s: only %d of %d clients joined (%d errors)\n", t->zName, gnJoined, gnClients + 1, gnErr);
		goto fail;
	}
	/* fan-out rounds: one ad-hoc inject to all teams, latency from the facilitator's send to each delivery */
	for (int k = 1; k <= gnRounds; k++) {
		char z[512];
		service_until(never, 100);
		snprintf(z, sizeof z,
		         "{\"type\":\"inject\",\"to\":[\"all\"],\"title\":\"fanout-%d\",\"severity\":\"low\","
		         "\"body\":\"A 200-byte body for the fan-out benchmark: lorem ipsum dolor sit amet, consectetur adipiscing elit, "
		         "sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim.\"}", k);
		gnRoundGot = 0;
		gRound = k;
		gRoundT0 = wsb_now_ms();
		conn_queue(&gFac, z);
		service_until(round_done, 10000);
		if (gnRoundGot < gnClients) fprintf(stderr, "ws: %s: round %d reached %d of %d\n", t->zName, k, gnRoundGot, gnClients);
	}
	gRound = 0;
	r->rss = wsb_proc_mib(t->pid, "VmRSS:");
	/* acks: 200 actions per second from the team clients, round trip to the ack */
	{
		size_t nTotal = (size_t)gAckSeconds * 200;
		double tStart = wsb_now_ms();
		gaAckSent = calloc(nTotal, sizeof *gaAckSent);
		gaAck = calloc(nTotal, sizeof *gaAck);
		while (gnAckSent < nTotal) {
			double tDue = tStart + (double)gnAckSent * 5.0;
			if (wsb_now_ms() >= tDue) {
				char z[256];
				bconn *c = &gaConn[(gnAckSent * 7) % (size_t)gnClients];
				snprintf(z, sizeof z, "{\"type\":\"action\",\"id\":\"b%zu\",\"kind\":\"report\",\"args\":{\"text\":\"bench %zu\"}}",
				         gnAckSent, gnAckSent);
				gaAckSent[gnAckSent++] = wsb_now_ms();
				conn_queue(c, z);
			}
			lws_service(gCtx, 0);
		}
		{
			double tEnd = wsb_now_ms() + 5000;
			while (gnAck < nTotal && wsb_now_ms() < tEnd) lws_service(gCtx, 0);
		}
		if (gnAck < nTotal) fprintf(stderr, "ws: %s: %zu of %zu actions acked\n", t->zName, gnAck, nTotal);
	}
	/* bursts: gnBurst connections (spread over the teams) each send one action in the same service pass */
	{
		size_t nTotal = (size_t)gAckSeconds * 200, nBurstTotal = (size_t)gnBurst * (size_t)gnBurstRounds;
		double *aSent = realloc(gaAckSent, (nTotal + nBurstTotal) * sizeof *aSent);
		gaBurst = calloc(nBurstTotal, sizeof *gaBurst);
		if (!aSent || !gaBurst) {
			free(gaBurst);
			gaBurst = NULL;
			if (aSent) gaAckSent = aSent;
			goto fail;
		}
		gaAckSent = aSent;
		gnBurstBase = gnAckSent = nTotal;
		gnBurstAck = gnBurstWant = 0;
		for (int k = 0; k < gnBurstRounds; k++) {
			service_until(never, 100);
			for (int j = 0; j < gnBurst; j++) {
				char z[256];
				bconn *c = &gaConn[j]; /* connection j belongs to team j % teams */
				snprintf(z, sizeof z, "{\"type\":\"action\",\"id\":\"b%zu\",\"kind\":\"report\",\"args\":{\"text\":\"burst %zu\"}}",
				         gnAckSent, gnAckSent);
				gaAckSent[gnAckSent++] = wsb_now_ms();
				conn_queue(c, z);
			}
			gnBurstWant += (size_t)gnBurst;
			service_until(burst_done, 5000);
		}
		if (gnBurstAck < nBurstTotal) fprintf(stderr, "ws: %s: %zu of %zu burst actions acked\n", t->zName, gnBurstAck, nBurstTotal);
		r->nBurst = gnBurstAck;
		r->burstP50 = wsb_pct(gaBurst, gnBurstAck, 0.50);
		r->burstP99 = wsb_pct(gaBurst, gnBurstAck, 0.99);
		gnBurstBase = (size_t)-1;
		free(gaBurst);
		gaBurst = NULL;
	}
	{
		double rss2 = wsb_proc_mib(t->pid, "VmRSS:");
		if (rss2 > r->rss) r->rss = rss2;
	}
	r->nFan = gnFan;
	r->nAck = gnAck;
	r->fanP50 = wsb_pct(gaFan, gnFan, 0.50);
	r->fanP99 = wsb_pct(gaFan, gnFan, 0.99);
	r->ackP50 = wsb_pct(gaAck, gnAck, 0.50);
	r->ackP99 = wsb_pct(gaAck, gnAck, 0.99);
	lws_context_destroy(gCtx);
	free(gaConn), free(gaFan), free(gaAckSent), free(gaAck);
	gaAckSent = gaAck = NULL;
	return 0;
fail:
	lws_context_destroy(gCtx);
	free(gaConn), free(gaFan), free(gaAckSent), free(gaAck);
	gaAckSent = gaAck = NULL;
	return -1;
}

static void emit(const char *zBench, const char *zMetric, const char *zUnit, double ours, double peer) {
	printf("{\"bench\":\"%s\",\"metric\":\"%s\",\"value\":%.3f,\"unit\":\"%s\",\"peer\":\"node-ws\",\"peer_value\":%.3f,"
	       "\"ratio\":%.3f}\n",
	       zBench, zMetric, ours, zUnit, peer, ours > 0 && peer > 0 ? peer / ours : 0);
}


int main(int argc, char **argv) {
	char zScn[PATH_MAX + 32], zDb[PATH_MAX + 32], zLog[PATH_MAX + 32], zJl[PATH_MAX + 32], z[2 * PATH_MAX];
	const char *zOnly = NULL;
	target ours = { "kyodo", 0, 0, { { 0 } }, { 0 }, 0 }, peer = { "node-ws", 0, 0, { { 0 } }, { 0 }, 0 };
	result ro = { 0 }, rp = { 0 };
	struct rlimit rl;
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--clients") && i + 1 < argc) gnClients = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) gnRounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--ack-seconds") && i + 1 < argc) gAckSeconds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--burst") && i + 1 < argc) gnBurst = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--burst-rounds") && i + 1 < argc) gnBurstRounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc) zOnly = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--clients N] [--rounds N] [--ack-seconds S] [--burst N] [--burst-rounds R] [--only ours|peer]\n",
			        argv[0]);
			return 2;
		}
	}
	if (gnClients < 1 || gnClients > 5000 || gnRounds < 1 || gnRounds > 1000 || gAckSeconds < 1 || gAckSeconds > 60 ||
	    gnBurst < 1 || gnBurst > gnClients || gnBurst > 500 || gnBurstRounds < 1 || gnBurstRounds > 500) {
		fprintf(stderr, "ws: bounds: 1..5000 clients, 1..1000 rounds, 1..60 ack seconds, 1..min(clients,500) burst, "
		                "1..500 burst rounds\n");
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) rl.rlim_cur = rl.rlim_max, setrlimit(RLIMIT_NOFILE, &rl);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	lws_set_log_level(LLL_ERR, NULL);
	wsb_paths P;
	if (wsb_setup(&P, "ws", "bench")) return 1;
	char *zKyodo = P.zKyodo, *zPeer = P.zPeer, *zDir = P.zDir, *zWeb = P.zWeb;
	snprintf(zScn, sizeof zScn, "%s/bench.lua", zDir);
	snprintf(zDb, sizeof zDb, "%s/bench.db", zDir);
	snprintf(zJl, sizeof zJl, "%s/peer.jsonl", zDir);
	snprintf(zLog, sizeof zLog, "%s/server.log", zDir);
	{
		char zTeams[1024] = "";
		for (int i = 0; i < MAX_TEAMS; i++) {
			char zOne[64];
			snprintf(zOne, sizeof zOne, "%s{ id = \"t%d\", name = \"Team %d\" }", i ? ", " : "", i, i);
			strcat(zTeams, zOne);
		}
		snprintf(z, sizeof z,
		         "scenario { id = \"bench-ws\", title = \"websocket bench\", duration = \"4h\", seed = 1 }\n"
		         "teams { %s }\n"
		         "fleet { { model = \"Sedan-A\", count = 1000, region = \"JP-Kanto\", ecus = { tcu = \"2.3.1\" } } }\n",
		         zTeams);
		wsb_write_file(zScn, z);
	}
	if (!zOnly || !strcmp(zOnly, "ours")) {
		/* no per-team action limit: ws.ack sends one team's actions back to back, as fast as they are acked */
		char *av[] = { zKyodo, "serve", zScn, "--port", "0", "--db", zDb, "--web", zWeb, "--action-rate", "0", NULL };
		if (access(zKyodo, X_OK) || spawn_target(&ours, av, zLog) || measure(&ours, &ro)) {
			snprintf(z, sizeof z, "%s", zLog);
			fprintf(stderr, "ws: our server failed (log: %s)\n", zLog);
			rc = 1;
		}
		stop_target(&ours);
	}
	if (!zOnly || !strcmp(zOnly, "peer")) {
		char *av[] = { "node", zPeer, "--teams", "10", "--journal", zJl, NULL };
		snprintf(zLog, sizeof zLog, "%s/peer.log", zDir);
		if (spawn_target(&peer, av, zLog) || measure(&peer, &rp)) {
			fprintf(stderr, "ws: the peer failed (needs node and tests/browser/node_modules/ws: make bench-deps; log %s)\n", zLog);
			rc = 1;
		}
		stop_target(&peer);
	}
	emit("ws.fanout.1000", "p50_ms", "ms", ro.fanP50, rp.fanP50);
	emit("ws.fanout.1000", "p99_ms", "ms", ro.fanP99, rp.fanP99);
	emit("ws.ack", "p50_ms", "ms", ro.ackP50, rp.ackP50);
	emit("ws.ack", "p99_ms", "ms", ro.ackP99, rp.ackP99);
	emit("ws.ack.burst", "p50_ms", "ms", ro.burstP50, rp.burstP50);
	emit("ws.ack.burst", "p99_ms", "ms", ro.burstP99, rp.burstP99);
	emit("ws.memory", "rss_mib", "MiB", ro.rss, rp.rss);
	printf("\nws: %d clients, %d fan-out rounds, %d s of 200 actions/s (durable ack), loopback only\n", gnClients, gnRounds,
	       gAckSeconds);
	printf("  %-8s fan-out p50 %7.2f ms  p99 %7.2f ms (%zu deliveries) | ack p50 %6.2f ms  p99 %6.2f ms (%zu) | RSS %6.1f MiB\n",
	       "kyodo", ro.fanP50, ro.fanP99, ro.nFan, ro.ackP50, ro.ackP99, ro.nAck, ro.rss);
	printf("  %-8s fan-out p50 %7.2f ms  p99 %7.2f ms (%zu deliveries) | ack p50 %6.2f ms  p99 %6.2f ms (%zu) | RSS %6.1f MiB\n",
	       "node-ws", rp.fanP50, rp.fanP99, rp.nFan, rp.ackP50, rp.ackP99, rp.nAck, rp.rss);
	printf("  burst: %d connections x %d rounds (100 ms apart), one action each at once\n", gnBurst, gnBurstRounds);
	printf("  %-8s burst ack p50 %6.2f ms  p99 %6.2f ms (%zu)\n", "kyodo", ro.burstP50, ro.burstP99, ro.nBurst);
	printf("  %-8s burst ack p50 %6.2f ms  p99 %6.2f ms (%zu)\n", "node-ws", rp.burstP50, rp.burstP99, rp.nBurst);
	printf("  targets: fan-out p99 <= 25 ms, ack p99 <= 10 ms, <= 64 MiB\n");
	if (!rc) {
		snprintf(z, sizeof z, "rm -rf '%s'", zDir);
		if (system(z)) {}
	}
	return rc;
}
