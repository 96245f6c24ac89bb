/* server: see server.h. Layout: connections and their out queues; routing (the drill's sink); one handler per
 * client message type; the paced clock; HTTP; the lws callback; start-up and clean stop. */
#include "server/server.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "server/drill.h"
#include "server/guard.h"
#include "server/metrics.h"
#include "server/outq.h"
#include "server/proto.h"
#include "server/token.h"

_Static_assert(SRV_BUF_PRE == LWS_PRE, "srv_buf headroom must equal LWS_PRE");

enum { ROLE_NONE, ROLE_TEAM, ROLE_FAC };

#define SRV_ANSWER_LANE 64     /* answers (ack, error) a connection holds ahead of its other messages */
#define SRV_HELLO_TIMEOUT_S 60  /* a connection without a valid hello is closed after this long */

typedef struct conn {
	struct conn *pNext, *pPrev;
	struct lws *wsi;
	int bWs;             /* a websocket (in the list); else an HTTP transaction */
	int role, iTeam;
	srv_outq q;
	/* Answers (ack, error) may go ahead of q's messages in a small lane of their own, written first. Answers keep
	 * their order: one is put in the lane only while every earlier answer put in q has been written (nQWritten >=
	 * nLaneUntil); one that cannot (lane full, the welcome or its backlog not yet written) goes to q and moves
	 * nLaneUntil to its place. Nothing overtakes the welcome and its backlog. */
	srv_outq qAns;
	uint64_t nQPushed, nQWritten, nLaneUntil;
	unsigned char *pRx;  /* a message being reassembled from fragments */
	size_t nRx, nRxAlloc;
	int bRxTooBig, bRxBinary;
	int bDropped;        /* queue overflowed: being killed, send nothing more */
	int bClosing;        /* server stopping: close after the queue drains */
	srv_buf **apPend;    /* the welcome's backlog, fed into q as it drains (a backlog may exceed q's bounds) */
	size_t iPend, nPend, nPendCap;
	int bWelcoming;      /* send_welcome is filling apPend */
	uint32_t nPendLive;  /* live messages queued behind the backlog (bounded like q) */
	char *zHttp;         /* HTTP: LWS_PRE bytes of headroom (HTTP/2 frames the body in place), then the body */
	size_t nHttp;
	char zAddr[SRV_GUARD_ADDR]; /* the peer (behind a local reverse proxy: the address it forwards for) */
	int64_t tOpen;       /* wall us when the websocket opened */
	int bRevoked;        /* its team's token was revoked: closing */
	int64_t tLastTx;     /* wall us of the last message written to it (or of the open) */
	int64_t phaseUs;     /* its heartbeat's place in the second (spread, so that beats never come as one burst) */
	int bHeld;           /* a hello waits (sulHello) for its address's delay after wrong tokens: zHeld its digest */
	char zHeld[SRV_HASH_HEX];
	char zHeldName[SRV_MAX_NAME + 1];
	long long iSince;    /* its hello's since: the team's action records it already holds, up to this seq */
	lws_sorted_usec_list_t sulHello;
	char zName[SRV_MAX_NAME + 1]; /* the participant's display name (hello or name), "" if none */
} conn;

typedef struct srv {
	srv_opts o;
	struct lws_context *ctx;
	struct lws_vhost *vh;
	srv_drill *pDrill;
	char zWeb[PATH_MAX];
	char zFacPath[PATH_MAX + 32];
	int nTeam;
	char (*azTeamHash)[SRV_HASH_HEX];
	char zFacHash[SRV_HASH_HEX];
	char zBase[512];     /* base of the join URLs (http(s)://HOST:PORT or --public-url) */
	char (*azRevoked)[SRV_HASH_HEX]; /* digests of the tokens revoked since this start (told apart from wrong ones) */
	int nRevoked;
	srv_guard guard;     /* failed hellos by address */
	conn *pConns;
	srv_metrics m;
	int bStarted, bRunning, bEnded, bStopped;
	double speed;
	eng_time_t tBase;    /* sim time at wallBase */
	eng_time_t tHold;    /* control hold_at: the clock pauses by itself on reaching it (-1: no hold) */
	int64_t wallBase, wallStart;
	uint64_t nEventsPrev;
	int bJournalErr;     /* a recording error was logged once */
	lws_sorted_usec_list_t sulStep, sulSecond, sulWake, sulBeat;
	struct pend_act { conn *c; int iTeam; srv_req r; } *aAct; /* actions of this service pass, for one group commit */
	uint64_t nGen;       /* bumped by every message routed: what a welcome's backlog was built from has changed */
	struct backlog_cache { uint64_t gen; eng_time_t t; srv_buf **ap; int64_t *aSeq; size_t n, nCap; } *aBacklog; /* per team;
	                                                 aSeq: an ungraded action record's seq, else 0 (hello's since) */
	struct action_bucket { double n; int64_t wallUs; } *aBucket; /* per team: actions it may send now (token bucket) */
	int nAct, nActAlloc;
	int nWritableWaited; /* writable callbacks run while actions waited for their commit (on_writeable) */
} srv;

static volatile sig_atomic_t gbQuit;
static struct lws_context *gpCtx;

static int64_t wall_us(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int gbLogJson;     /* --log-json */
static struct srv *gpLog; /* the server whose log libwebsockets' own lines join (its log callback has no context) */

/* One log line on stderr: "[UPTIME sim HH:MM:SS] message", or with --log-json one JSON object a line,
 * {"ts":"2026-01-31T09:00:00.123Z","uptime_s":1.234,"sim_us":N,"sim":"HH:MM:SS","msg":"…"} (ts: UTC wall time). */
static void log_line(double uptime, eng_time_t tSim, const char *zMsg) {
	char zT[32];
	eng_time_format(tSim, zT, sizeof zT);
	if (!gbLogJson) {
		fprintf(stderr, "[%9.3f sim %s] %s\n", uptime, zT, zMsg);
		return;
	}
	struct timespec ts;
	struct tm tm;
	char zTs[48];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(zTs, sizeof zTs, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(zTs + n, sizeof zTs - n, ".%03dZ", (int)(ts.tv_nsec / 1000000));
	json_t *j = json_pack("{s:s,s:f,s:I,s:s,s:s}", "ts", zTs, "uptime_s", (double)(int64_t)(uptime * 1000) / 1000, "sim_us",
	                      (json_int_t)tSim, "sim", zT, "msg", zMsg);
	if (j && json_dumpf(j, stderr, JSON_COMPACT | JSON_REAL_PRECISION(12)) == 0) fputc('\n', stderr);
	json_decref(j);
}

static void srv_log(srv *s, const char *zFmt, ...) __attribute__((format(printf, 2, 3)));
static void srv_log(srv *s, const char *zFmt, ...) {
	char zMsg[1024];
	va_list ap;
	va_start(ap, zFmt);
	vsnprintf(zMsg, sizeof zMsg, zFmt, ap);
	va_end(ap);
	log_line((double)(wall_us() - s->wallStart) / 1e6, s->pDrill ? srv_drill_now(s->pDrill) : 0, zMsg);
}

/* libwebsockets' own error lines, under --log-json. */
static void log_lws(int level, const char *zLine) {
	(void)level;
	if (gpLog) srv_log(gpLog, "libwebsockets: %.*s", (int)strcspn(zLine, "\n"), zLine);
}

/* --- connections and their queues ------------------------------------------------------------------------- */

static void conn_drop(srv *s, conn *c) {
	static const char zWhy[] = "out queue full: client not reading";
	if (c->bDropped) return;
	c->bDropped = 1;
	s->m.nDropped++;
	srv_log(s, "dropping a %s connection: its out queue is full (%u messages)",
	        c->role == ROLE_TEAM ? "team" : c->role == ROLE_FAC ? "facilitator" : "pending", c->q.nLen);
	lws_close_reason(c->wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)zWhy, sizeof zWhy - 1);
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
}

static int pend_push(conn *c, srv_buf *b) {
	if (c->nPend == c->nPendCap) {
		size_t nNew = c->nPendCap ? 2 * c->nPendCap : 64;
		srv_buf **ap = realloc(c->apPend, nNew * sizeof *ap);
		if (!ap) return -1;
		c->apPend = ap;
		c->nPendCap = nNew;
	}
	srv_buf_ref(b);
	c->apPend[c->nPend++] = b;
	return 0;
}

static void pend_free(conn *c) {
	for (size_t i = c->iPend; i < c->nPend; i++) srv_buf_unref(c->apPend[i]);
	free(c->apPend);
	c->apPend = NULL;
	c->iPend = c->nPend = c->nPendCap = 0;
	c->nPendLive = 0;
}

/* Moves pending backlog into the out queue while it has room. */
static void pend_refill(conn *c) {
	while (c->iPend < c->nPend && srv_outq_push(&c->q, c->apPend[c->iPend]) == 0) {
		srv_buf_unref(c->apPend[c->iPend++]);
		c->nQPushed++;
	}
	if (c->apPend && c->iPend == c->nPend) pend_free(c);
}

static void conn_send_buf(srv *s, conn *c, srv_buf *b) {
	if (c->bDropped || !b) return;
	if (c->bWelcoming || c->iPend < c->nPend) { /* behind a backlog still streaming: keep the order */
		if ((!c->bWelcoming && ++c->nPendLive > s->o.nQueueMax) || pend_push(c, b)) conn_drop(s, c);
		else lws_callback_on_writable(c->wsi);
		return;
	}
	if (srv_outq_push(&c->q, b)) {
		conn_drop(s, c);
		return;
	}
	c->nQPushed++;
	lws_callback_on_writable(c->wsi);
}

/* An answer to this client's own message (ack, error): ahead of the queued messages when it keeps the order. */
static void conn_answer(srv *s, conn *c, json_t *msg) {
	srv_buf *b = msg ? srv_buf_json(msg) : NULL;
	if (!b) return;
	if (!c->bDropped && !c->bWelcoming && c->iPend == c->nPend && c->nQWritten >= c->nLaneUntil &&
	    srv_outq_push(&c->qAns, b) == 0) {
		lws_callback_on_writable(c->wsi);
	} else {
		conn_send_buf(s, c, b);
		c->nLaneUntil = c->nQPushed + (c->nPend - c->iPend); /* later answers wait until this one is written */
	}
	srv_buf_unref(b);
}

/* Writes b to c's socket now and counts it; -1 when the socket did not take it whole. */
static int conn_write(srv *s, conn *c, srv_buf *b) {
	if (lws_write(c->wsi, srv_buf_payload(b), b->n, LWS_WRITE_TEXT) < (int)b->n) return -1;
	s->m.nMsgOut++;
	s->m.nBytesOut += b->n;
	c->tLastTx = wall_us();
	return 0;
}

/* An action's ack, written at once when nothing of this connection's waits ahead of it (conn_answer's lane empty
 * and open, no welcome backlog) and its socket takes data now: the client hears that its action is stored without
 * waiting for the loop's next pass, whose writable callbacks serve every connection the loop has queued for (a
 * thousand injects, the group's own action records) in socket order. Else as conn_answer. A write outside the
 * writable callback is allowed while the connection can take data (lws_send_pipe_choked); a part the kernel does not
 * take, lws keeps and sends first, holding back this connection's writable callbacks until then. */
static void conn_ack_now(srv *s, conn *c, json_t *msg) {
	if (c->bDropped || c->bClosing || c->bRevoked || c->bWelcoming || c->iPend < c->nPend || c->qAns.nLen ||
	    c->nQWritten < c->nLaneUntil || lws_send_pipe_choked(c->wsi)) {
		conn_answer(s, c, msg);
		return;
	}
	srv_buf *b = msg ? srv_buf_json(msg) : NULL;
	if (!b) return;
	if (conn_write(s, c, b)) {
		c->bDropped = 1; /* the socket failed: closed from its next callback (on_writeable) or the timeout */
		lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
	}
	srv_buf_unref(b);
}

/* Sends msg (borrowed) to one connection. */
static void conn_send(srv *s, conn *c, json_t *msg) {
	srv_buf *b = msg ? srv_buf_json(msg) : NULL;
	if (!b) return;
	conn_send_buf(s, c, b);
	srv_buf_unref(b);
}

static void conn_error(srv *s, conn *c, json_t *pId, const char *zCode, const char *zMsg) {
	json_t *m = srv_proto_error(pId, zCode, zMsg);
	s->m.nErrors++;
	srv_metrics_refuse(&s->m, zCode);
	conn_answer(s, c, m);
	json_decref(m);
}

static int team_index(const srv *s, const char *zTeam) {
	for (int i = 0; zTeam && i < s->nTeam; i++)
		if (!strcmp(srv_drill_team_id(s->pDrill, i), zTeam)) return i;
	return -1;
}

/* --- routing: the drill's sink ---------------------------------------------------------------------------- */

static void route(srv *s, json_t *msg, int role, int iTeam) {
	srv_buf *b = srv_buf_json(msg);
	s->nGen++; /* a team's backlog may have changed: its cached welcome backlog is stale (team_backlog) */
	if (!b) return;
	for (conn *c = s->pConns, *pNext; c; c = pNext) {
		pNext = c->pNext;
		if (c->role == ROLE_NONE || c->bClosing || c->bRevoked || c->bDropped) continue;
		if (role == ROLE_NONE || (c->role == role && (role != ROLE_TEAM || c->iTeam == iTeam))) conn_send_buf(s, c, b);
	}
	srv_buf_unref(b);
}

static void sink_team(void *ctx, const char *zTeam, json_t *msg) {
	srv *s = ctx;
	int i = team_index(s, zTeam);
	if (i >= 0) route(s, msg, ROLE_TEAM, i);
}

static void sink_fac(void *ctx, json_t *msg) { route(ctx, msg, ROLE_FAC, 0); }
static void sink_all(void *ctx, json_t *msg) { route(ctx, msg, ROLE_NONE, 0); }

/* --- the clock -------------------------------------------------------------------------------------------- */

static json_t *clock_obj(srv *s, int bType) {
	json_t *m = json_pack("{s:I, s:f, s:b, s:b, s:b, s:I}", "t_us", (json_int_t)srv_drill_now(s->pDrill), "speed",
	                      s->speed, "running", s->bRunning, "started", s->bStarted, "ended", s->bEnded, "duration_us",
	                      (json_int_t)srv_drill_duration(s->pDrill));
	if (m && s->tHold >= 0) json_object_set_new(m, "hold_at_us", json_integer(s->tHold));
	if (m && bType) json_object_set_new(m, "type", json_string("clock"));
	return m;
}

/* Sends the latest fleet sample, if a new one came: the truth to the facilitator, each team its view; once a wall
 * second however many samples the steps made (the drill samples at the end of every paced step), and at the
 * drill's end. */
static void send_fleet(srv *s) {
	json_t *f = srv_drill_take_fleet(s->pDrill);
	if (!f) return;
	route(s, f, ROLE_FAC, 0);
	for (int i = 0; i < srv_drill_team_count(s->pDrill); i++) {
		json_t *t = srv_drill_team_fleet(s->pDrill, f, srv_drill_team_id(s->pDrill, i));
		if (t) route(s, t, ROLE_TEAM, i);
		json_decref(t);
	}
	json_decref(f);
}

static void broadcast_clock(srv *s) {
	json_t *m = clock_obj(s, 1);
	if (m) route(s, m, ROLE_NONE, 0);
	json_decref(m);
}

/* Advances the drill to where the wall clock says it should be; holds it at hold_at; ends the drill at its
 * duration. */
static void clock_step(srv *s) {
	ky_err err = { 0 };
	eng_time_t tEnd = srv_drill_duration(s->pDrill), t, tNow = srv_drill_now(s->pDrill);
	int bHold = 0;
	if (!s->bRunning) return;
	t = s->tBase + (eng_time_t)((double)(wall_us() - s->wallBase) * s->speed);
	if (t > tEnd) t = tEnd;
	if (s->tHold >= 0 && s->tHold < tEnd && t >= s->tHold) {
		t = s->tHold > tNow ? s->tHold : tNow;
		bHold = 1;
	}
	if (srv_drill_advance_to(s->pDrill, t, &err)) srv_log(s, "advance: %s", err.zMsg);
	if (bHold) {
		s->bRunning = 0;
		s->tHold = -1;
		s->tBase = srv_drill_now(s->pDrill);
		lws_sul_cancel(&s->sulStep);
		srv_log(s, "the clock reached the hold the facilitator set: paused");
		srv_drill_control_note(s->pDrill, "held", s->speed, 0, -1);
		broadcast_clock(s);
		send_fleet(s);
	} else if (srv_drill_now(s->pDrill) >= tEnd) {
		s->bRunning = 0;
		s->bEnded = 1;
		s->tBase = srv_drill_now(s->pDrill);
		srv_log(s, "the drill reached its end");
		broadcast_clock(s);
		send_fleet(s);
	}
}

static void flush_actions(srv *s);

static void on_step(lws_sorted_usec_list_t *sul) {
	srv *s = lws_container_of(sul, srv, sulStep);
	flush_actions(s); /* actions that arrived before this step happen before the sim time it reaches */
	clock_step(s);
	if (s->bRunning) lws_sul_schedule(s->ctx, 0, &s->sulStep, on_step, (lws_usec_t)s->o.tickMs * LWS_US_PER_MS);
}

static void on_second(lws_sorted_usec_list_t *sul) {
	srv *s = lws_container_of(sul, srv, sulSecond);
	uint64_t n = srv_drill_events(s->pDrill);
	s->m.eventsPerS = (double)(n - s->nEventsPrev);
	s->nEventsPrev = n;
	if (s->bRunning) broadcast_clock(s); /* while held or ended, on_beat keeps the idle connections hearing one */
	send_fleet(s);
	srv_drill_tick(s->pDrill);
	{
		ky_err err = { 0 };
		if (srv_drill_flush(s->pDrill, &err) && !s->bJournalErr) {
			s->bJournalErr = 1;
			srv_log(s, "journal: %s", err.zMsg);
		}
	}
	lws_sul_schedule(s->ctx, 0, &s->sulSecond, on_second, LWS_US_PER_SEC);
}

/* The heartbeat (ui/web/conn.js shows a connection lost after 5 s without a message): every joined connection that
 * has had nothing written for a second gets a clock, in its own 100 ms slot of the second, so that a thousand idle
 * connections of a held drill never get their beats as one burst (an action arriving in it would wait). */
#define SRV_BEAT_US 100000
static void on_beat(lws_sorted_usec_list_t *sul) {
	srv *s = lws_container_of(sul, srv, sulBeat);
	int64_t now = wall_us();
	srv_buf *b = NULL;
	for (conn *c = s->pConns; c; c = c->pNext) {
		if (c->role == ROLE_NONE || c->bClosing || c->bRevoked || c->bDropped || now - c->tLastTx < 1000000) continue;
		if ((now + c->phaseUs) / SRV_BEAT_US % 10 != 0) continue;
		if (!b) {
			json_t *m = clock_obj(s, 1);
			b = m ? srv_buf_json(m) : NULL;
			json_decref(m);
			if (!b) break;
		}
		c->tLastTx = now; /* counted as written now: one beat per second at most, even while the queue drains */
		conn_send_buf(s, c, b);
	}
	if (b) srv_buf_unref(b);
	lws_sul_schedule(s->ctx, 0, &s->sulBeat, on_beat, SRV_BEAT_US);
}

static void clock_run(srv *s) {
	s->tBase = srv_drill_now(s->pDrill);
	s->wallBase = wall_us();
	s->bRunning = 1;
	lws_sul_schedule(s->ctx, 0, &s->sulStep, on_step, (lws_usec_t)s->o.tickMs * LWS_US_PER_MS);
}

/* Freezes the clock where the wall clock has taken it: a pause never skips or shifts sim time. */
static void clock_hold(srv *s) {
	clock_step(s);
	s->bRunning = 0;
	s->tBase = srv_drill_now(s->pDrill);
	lws_sul_cancel(&s->sulStep);
}

/* --- one handler per client message ------------------------------------------------------------------------ */

static const char *code_of(int rc) {
	return rc == KY_EIO ? SRV_E_STORAGE : rc == KY_ENOMEM ? SRV_E_INTERNAL : rc == KY_ESTATE ? SRV_E_STATE : SRV_E_REJECTED;
}


static void backlog_drop(struct backlog_cache *bc) {
	for (size_t i = 0; i < bc->n; i++) srv_buf_unref(bc->ap[i]);
	bc->n = 0;
}

/* The seq by which a hello's `since` may leave backlog message v out: an action record's, unless it has been graded
 * (its points reach a laptop that saw it before only through the record); 0 for every other message. */
static int64_t backlog_seq(json_t *v) {
	const char *zType = json_string_value(json_object_get(v, "type"));
	if (!zType || strcmp(zType, "action") != 0 || json_object_get(v, "points")) return 0;
	return json_integer_value(json_object_get(v, "seq"));
}

static int backlog_add(struct backlog_cache *bc, json_t *v) {
	srv_buf *b = v ? srv_buf_json(v) : NULL;
	if (!b) return v ? -1 : 0;
	if (bc->n == bc->nCap) {
		size_t nNew = bc->nCap ? 2 * bc->nCap : 64;
		srv_buf **ap = realloc(bc->ap, nNew * sizeof *ap);
		int64_t *aSeq = ap ? realloc(bc->aSeq, nNew * sizeof *aSeq) : NULL;
		if (ap) bc->ap = ap;
		if (!aSeq) {
			srv_buf_unref(b);
			return -1;
		}
		bc->aSeq = aSeq;
		bc->nCap = nNew;
	}
	bc->aSeq[bc->n] = backlog_seq(v);
	bc->ap[bc->n++] = b;
	return 0;
}

/* A team's welcome backlog (everything after the welcome), encoded once and shared by every connection of the team
 * that joins before anything is routed or the clock moves: after a restart a hundred laptops of one team ask for it
 * at once, and a thousand copies of it were the server's peak memory (bench/load). NULL when out of memory. */
static struct backlog_cache *team_backlog(srv *s, int iTeam) {
	struct backlog_cache *bc = &s->aBacklog[iTeam];
	const char *zTeam = srv_drill_team_id(s->pDrill, iTeam);
	json_t *b, *v;
	size_t i;
	int rc = 0;
	if (bc->n && bc->gen == s->nGen && bc->t == srv_drill_now(s->pDrill)) return bc;
	backlog_drop(bc);
	bc->gen = s->nGen;
	bc->t = srv_drill_now(s->pDrill);
	b = srv_drill_backlog(s->pDrill, zTeam);
	json_array_foreach(b, i, v) rc |= backlog_add(bc, v);
	json_decref(b);
	v = srv_drill_score_msg(s->pDrill, zTeam, 0);
	rc |= backlog_add(bc, v);
	json_decref(v);
	b = srv_drill_replay(s->pDrill, zTeam);
	json_array_foreach(b, i, v) rc |= backlog_add(bc, v);
	json_decref(b);
	v = srv_drill_fleet_msg(s->pDrill, zTeam);
	rc |= backlog_add(bc, v);
	json_decref(v);
	if (rc) {
		backlog_drop(bc);
		return NULL;
	}
	return bc;
}

static void send_welcome(srv *s, conn *c) {
	json_t *w = json_pack("{s:s, s:s, s:o, s:o}", "type", "welcome", "role", c->role == ROLE_FAC ? "facilitator" : "team",
	                      "exercise", c->role == ROLE_FAC ? srv_drill_exercise(s->pDrill, 1)
	                                                      : srv_drill_team_exercise(s->pDrill, srv_drill_team_id(s->pDrill, c->iTeam)),
	                      "clock", clock_obj(s, 0));
	json_t *pSeen = json_object(), *b, *v, *f;
	size_t i;
	if (c->role == ROLE_TEAM) {
		const char *zTeam = srv_drill_team_id(s->pDrill, c->iTeam), *zOrg = srv_drill_team_org(s->pDrill, zTeam);
		json_object_set_new(w, "team", json_string(zTeam));
		if (zOrg) json_object_set_new(w, "org", json_string(zOrg));  /* CONTRACT §4: the team's organisation */
	}
	c->bWelcoming = 1;
	conn_send(s, c, w);
	json_decref(w);
	if (c->role == ROLE_TEAM && s->aBacklog) {
		struct backlog_cache *bc = team_backlog(s, c->iTeam);
		for (size_t k = 0; bc && k < bc->n; k++)  /* less what the laptop says it holds (hello's since) */
			if (!bc->aSeq[k] || bc->aSeq[k] > c->iSince) conn_send_buf(s, c, bc->ap[k]);
		json_decref(pSeen);
		c->bWelcoming = 0;
		pend_refill(c);
		c->nLaneUntil = c->nQPushed + (c->nPend - c->iPend); /* the welcome and its backlog go first */
		if (!bc) conn_drop(s, c);
		return;
	}
	for (int k = 0; k < s->nTeam; k++) {
		const char *zTeam = srv_drill_team_id(s->pDrill, k);
		if (c->role == ROLE_TEAM && k != c->iTeam) continue;
		b = srv_drill_backlog(s->pDrill, zTeam);
		json_array_foreach(b, i, v) {
			if (c->role == ROLE_FAC) { /* the facilitator sees each team's injects, each message once */
				const char *zType = json_string_value(json_object_get(v, "type"));
				if (zType && !strcmp(zType, "message")) {
					char *z = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
					int bSeen = z && json_object_get(pSeen, z);
					if (z) json_object_set_new(pSeen, z, json_true());
					free(z);
					if (bSeen) continue;
				} else {
					json_object_set_new(v, "team", json_string(zTeam));
				}
			}
			conn_send(s, c, v);
		}
		json_decref(b);
		f = srv_drill_score_msg(s->pDrill, zTeam, c->role == ROLE_FAC);
		conn_send(s, c, f);
		json_decref(f);
	}
	json_decref(pSeen);
	b = srv_drill_replay(s->pDrill, c->role == ROLE_FAC ? NULL : srv_drill_team_id(s->pDrill, c->iTeam));
	json_array_foreach(b, i, v) conn_send(s, c, v);
	json_decref(b);
	f = srv_drill_fleet_msg(s->pDrill, c->role == ROLE_FAC ? NULL : srv_drill_team_id(s->pDrill, c->iTeam));
	if (f) conn_send(s, c, f);
	json_decref(f);
	c->bWelcoming = 0;
	pend_refill(c);
	c->nLaneUntil = c->nQPushed + (c->nPend - c->iPend); /* the welcome and its backlog go first */
}

/* An error that tells the client how long to wait before it tries again (its address's next hello, its team's next
 * action): retry_after_ms. pId (borrowed, may be NULL): the request's id. */
static void conn_error_wait(srv *s, conn *c, json_t *pId, const char *zCode, const char *zMsg, int64_t waitUs) {
	json_t *m = srv_proto_error(pId, zCode, zMsg);
	if (m) json_object_set_new(m, "retry_after_ms", json_integer((json_int_t)((waitUs + 999) / 1000)));
	s->m.nErrors++;
	srv_metrics_refuse(&s->m, zCode);
	conn_answer(s, c, m);
	json_decref(m);
}

/* Checks a hello's token digest now: the connection joins as the facilitator or a team, or is refused; a wrong token
 * makes its address wait longer (server/guard.h). Tokens are never logged, right or wrong. */
static void hello_check(srv *s, conn *c, const char *zHash, const char *zName) {
	int64_t now = wall_us(), wait;
	if (srv_token_equal(zHash, s->zFacHash)) {
		c->role = ROLE_FAC;
		s->m.nConnPending--, s->m.nConnFacilitator++;
	} else {
		for (int i = 0; i < s->nTeam; i++) {
			if (!srv_token_equal(zHash, s->azTeamHash[i])) continue;
			c->role = ROLE_TEAM;
			c->iTeam = i;
			s->m.nConnPending--, s->m.nConnTeam++;
		}
	}
	for (int i = 0; c->role == ROLE_NONE && i < s->nRevoked; i++) {
		if (!srv_token_equal(zHash, s->azRevoked[i])) continue;
		/* a page still holding a revoked link: it was valid, so no guessing, and the address is not held back
		 * (a team behind the venue's one address would otherwise hold back everyone else there) */
		conn_error(s, c, NULL, SRV_E_REVOKED, "hello: this token was revoked; ask the facilitator for the new join link");
		return;
	}
	if (c->role == ROLE_NONE) {
		uint32_t n;
		wait = srv_guard_fail(&s->guard, c->zAddr, now);
		n = srv_guard_failures(&s->guard, c->zAddr, now);
		if ((n & (n - 1)) == 0) /* 1, 2, 4, 8, ... : a storm does not flood the log */
			srv_log(s, "hello with a wrong token from %s (%u in a row; its next hello waits %.2f s)", c->zAddr, n, (double)wait / 1e6);
		conn_error_wait(s, c, NULL, SRV_E_BAD_TOKEN, "hello: unknown token", wait);
		return;
	}
	lws_set_timeout(c->wsi, NO_PENDING_TIMEOUT, 0);
	if (zName) snprintf(c->zName, sizeof c->zName, "%s", zName);
	send_welcome(s, c);
}

/* A held hello's turn: checked once its address no longer has to wait (a failure meanwhile may make it wait more). */
static void on_hello_held(lws_sorted_usec_list_t *sul) {
	conn *c = lws_container_of(sul, conn, sulHello);
	srv *s = lws_context_user(lws_get_context(c->wsi));
	int64_t wait = srv_guard_wait(&s->guard, c->zAddr, wall_us());
	if (wait > 0) {
		lws_sul_schedule(s->ctx, 0, &c->sulHello, on_hello_held, (lws_usec_t)wait);
		return;
	}
	c->bHeld = 0;
	hello_check(s, c, c->zHeld, c->zHeldName[0] ? c->zHeldName : NULL);
	memset(c->zHeld, 0, sizeof c->zHeld);
}

/* A hello from an address that sent wrong tokens is held for that address's delay before its token is even
 * looked at (exponential: 0.25 s after the first failure, doubling, up to 60 s). Other addresses never wait. */
static void on_hello(srv *s, conn *c, srv_req *r) {
	char zHash[SRV_HASH_HEX];
	int64_t wait;
	if (c->role != ROLE_NONE) {
		conn_error(s, c, NULL, SRV_E_TWICE, "hello: this connection has already joined");
		return;
	}
	if (c->bHeld) {
		conn_error(s, c, NULL, SRV_E_RATE_LIMITED, "hello: one hello at a time (the previous one waits for this address's delay)");
		return;
	}
	srv_token_hash(r->zToken, zHash);
	c->iSince = r->iSince;
	if ((wait = srv_guard_wait(&s->guard, c->zAddr, wall_us())) > 0) {
		c->bHeld = 1;
		memcpy(c->zHeld, zHash, sizeof zHash);
		snprintf(c->zHeldName, sizeof c->zHeldName, "%s", r->zName ? r->zName : "");
		s->m.nHellosHeld++;
		lws_sul_schedule(s->ctx, 0, &c->sulHello, on_hello_held, (lws_usec_t)wait);
		return;
	}
	hello_check(s, c, zHash, r->zName);
}

/* A participant names themself (kept per connection; their actions and feedback say who). */
static void on_name(srv *s, conn *c, srv_req *r) {
	(void)s;
	snprintf(c->zName, sizeof c->zName, "%s", r->zName ? r->zName : "");
}

/* The hot wash: a participant's feedback form, once the drill has ended; durable before it is answered. The
 * facilitator gets the new count of participants who answered. */
static void on_feedback(srv *s, conn *c, srv_req *r) {
	ky_err err = { 0 };
	json_t *pId = json_object_get(r->pRoot, "id");
	if (c->role != ROLE_TEAM) {
		conn_error(s, c, pId, SRV_E_FORBIDDEN, "feedback: only a team's participants answer the feedback form");
		return;
	}
	if (!s->bEnded) {
		conn_error(s, c, pId, SRV_E_STATE, "feedback: the form opens when the drill has ended");
		return;
	}
	const char *zName = r->zName ? r->zName : c->zName;
	int rc = srv_drill_feedback(s->pDrill, srv_drill_team_id(s->pDrill, c->iTeam), r->zParticipant, zName, r->pAnswers, &err);
	if (rc) {
		conn_error(s, c, pId, code_of(rc), err.zMsg[0] ? err.zMsg : ky_err_name(rc));
		return;
	}
	if (r->zName) snprintf(c->zName, sizeof c->zName, "%s", r->zName);
	json_t *m = json_pack("{s:s, s:s, s:I}", "type", "feedback_saved", "participant", r->zParticipant, "t_us", (json_int_t)srv_drill_now(s->pDrill));
	if (m && pId) json_object_set(m, "id", pId);
	conn_answer(s, c, m);
	json_decref(m);
	m = srv_drill_hotwash_msg(s->pDrill);
	if (m) route(s, m, ROLE_FAC, 0);
	json_decref(m);
}

/* Actions are answered in groups: the consecutive ones received in one service pass are stored with one durable
 * commit (flush_actions: after lws_service returns, before any other message is handled, once the pass has
 * written to SRV_WRITABLE_BEFORE_FLUSH connections, and before a paced clock step) and then acked; the request is kept until then. */
/* A team's token bucket (--action-rate, --action-burst): 0 when the team may send this action now (one taken), else
 * the wall microseconds until it may. A team flooding actions would slow the drill for every team. */
static int64_t action_wait(srv *s, int iTeam) {
	if (s->o.actionRate <= 0 || !s->aBucket) return 0;
	struct action_bucket *b = &s->aBucket[iTeam];
	int64_t now = wall_us();
	b->n += (double)(now - b->wallUs) / 1e6 * s->o.actionRate;
	if (b->n > s->o.actionBurst) b->n = s->o.actionBurst;
	b->wallUs = now;
	if (b->n >= 1) {
		b->n -= 1;
		return 0;
	}
	return (int64_t)((1 - b->n) / s->o.actionRate * 1e6) + 1;
}

static void on_action(srv *s, conn *c, srv_req *r) {
	if (c->role != ROLE_TEAM) {
		conn_error(s, c, r->pId, SRV_E_FORBIDDEN, "action: only a team acts; the facilitator injects and grades");
		return;
	}
	int64_t waitUs = action_wait(s, c->iTeam);
	if (waitUs > 0) { /* refused before it is stored: the client resends it (same id) after retry_after_ms */
		char z[200];
		snprintf(z, sizeof z, "action: team '%s' sent more than %d actions at once or %g a second; resend it later",
		         srv_drill_team_id(s->pDrill, c->iTeam), s->o.actionBurst, s->o.actionRate);
		conn_error_wait(s, c, r->pId, SRV_E_RATE_LIMITED, z, waitUs);
		return;
	}
	if (s->nAct == s->nActAlloc) {
		int n = s->nActAlloc ? 2 * s->nActAlloc : 64;
		struct pend_act *a = realloc(s->aAct, (size_t)n * sizeof *a);
		if (!a) {
			conn_error(s, c, r->pId, SRV_E_INTERNAL, "action: out of memory");
			return;
		}
		s->aAct = a;
		s->nActAlloc = n;
	}
	s->aAct[s->nAct].c = c;
	s->aAct[s->nAct].iTeam = c->iTeam;
	s->aAct[s->nAct++].r = *r; /* taken over */
	memset(r, 0, sizeof *r);
}

/* The answer to action i of the group: its ack, or its error, on its connection if still open; bNow: an ack is
 * written at once if it can be (conn_ack_now). */
static void answer_action(srv *s, int i, const srv_drill_act *a, int bNow) {
	conn *c = s->aAct[i].c;
	srv_req *r = &s->aAct[i].r;
	if (!c) {
		/* closed meanwhile: stored (or not) all the same; a resend after reconnecting gets its ack */
	} else if (a->rc) {
		conn_error(s, c, r->pId, code_of(a->rc), a->err.zMsg[0] ? a->err.zMsg : ky_err_name(a->rc));
	} else {
		json_t *m = srv_proto_ack(r->pId, a->iSeq, a->t);
		s->m.nActions++;
		if (a->bRepeat) s->m.nActionRepeats++;
		if (bNow) conn_ack_now(s, c, m);
		else conn_answer(s, c, m);
		json_decref(m);
	}
}

/* srv_drill_durable_fn: the group is committed, nothing of it applied yet: every answer goes out now (an ack
 * written at once where it can be), so each ack is ahead of the action records, messages and scores the group then
 * fans out. */
static void on_durable(void *pCtx, const srv_drill_act *a, int n) {
	for (int i = 0; i < n; i++) answer_action(pCtx, i, &a[i], 1);
}

/* Stores the pending actions as one group, then answers each on its connection if still open: after the commit,
 * before the group is applied (on_durable); only when the commit failed, after. */
static void flush_actions(srv *s) {
	srv_drill_act *a;
	int n = s->nAct;
	if (n == 0) return;
	clock_step(s); /* the actions happen now, not at the last paced step */
	a = calloc((size_t)n, sizeof *a);
	for (int i = 0; a && i < n && !s->bEnded; i++) {
		srv_req *r = &s->aAct[i].r;
		a[i] = (srv_drill_act){ .zTeam = srv_drill_team_id(s->pDrill, s->aAct[i].iTeam), .zClientId = r->zId,
		                        .zKind = r->zKind, .zInject = r->zInject, .pArgs = r->pArgs };
	}
	for (int i = 0; a && i < n && !s->bEnded; i++) { /* who acted: stored with the group's commit */
		conn *c = s->aAct[i].c;
		if (c && c->zName[0]) srv_drill_actor(s->pDrill, a[i].zTeam, a[i].zClientId, c->zName);
	}
	if (a && !s->bEnded) {
		srv_drill_actions_cb(s->pDrill, a, n, on_durable, s);
		s->m.nActionGroups++;
	}
	for (int i = 0; i < n; i++) {
		conn *c = s->aAct[i].c;
		srv_req *r = &s->aAct[i].r;
		if (!a) {
			if (c) conn_error(s, c, r->pId, SRV_E_INTERNAL, "action: out of memory");
		} else if (s->bEnded) {
			if (c) conn_error(s, c, r->pId, SRV_E_STATE, "action: the drill has ended");
		} else if (!a[i].bEarly) {
			answer_action(s, i, &a[i], 0);
		} else if (a[i].rc == 0 && a[i].iSeq != a[i].iSeqEarly) {
			srv_log(s, "action '%s' of team '%s' was acked as seq %lld but applied as seq %lld", a[i].zClientId ? a[i].zClientId : "",
			        a[i].zTeam, (long long)a[i].iSeqEarly, (long long)a[i].iSeq);
		} else if (a[i].rc && a[i].iSeqEarly && (a[i].rc == KY_ESTATE || a[i].rc == KY_ENOMEM || a[i].rc == KY_EIO)) {
			/* not the world's refusal (that one keeps its ack and is in the action record) */
			srv_log(s, "action '%s' of team '%s' was acked as seq %lld but not applied: %s", a[i].zClientId ? a[i].zClientId : "",
			        a[i].zTeam, (long long)a[i].iSeqEarly, a[i].err.zMsg);
		}
		srv_req_clear(r);
	}
	s->nAct = 0;
	s->nWritableWaited = 0;
	free(a);
}

static void on_read(srv *s, conn *c, srv_req *r) {
	ky_err err = { 0 };
	int rc;
	if (c->role != ROLE_TEAM) return; /* a facilitator looking at a team's inbox marks nothing read */
	rc = srv_drill_read(s->pDrill, srv_drill_team_id(s->pDrill, c->iTeam), r->zInject, &err);
	if (rc) conn_error(s, c, NULL, code_of(rc), err.zMsg[0] ? err.zMsg : ky_err_name(rc));
}

static void on_control(srv *s, conn *c, srv_req *r) {
	const char *zBad = NULL;
	if (c->role != ROLE_FAC) {
		conn_error(s, c, NULL, SRV_E_FORBIDDEN, "control: facilitator only");
		return;
	}
	if (s->bStopped) zBad = "control: the drill was stopped";
	else if (r->cmd == SRV_CMD_START && s->bStarted) zBad = "control: start: already started (use resume)";
	else if (s->bEnded && r->cmd != SRV_CMD_STOP && r->cmd != SRV_CMD_SPEED) zBad = "control: the drill has ended";
	if (zBad) {
		conn_error(s, c, NULL, SRV_E_STATE, zBad);
		return;
	}
	switch (r->cmd) {
	case SRV_CMD_START:
	case SRV_CMD_RESUME:
		if (r->bValue && r->cmd == SRV_CMD_START) s->speed = r->value;
		s->bStarted = 1;
		if (!s->bRunning) clock_run(s);
		break;
	case SRV_CMD_PAUSE:
		if (s->bRunning) clock_hold(s);
		break;
	case SRV_CMD_SPEED:
		if (s->bRunning) {
			clock_hold(s);
			s->speed = r->value;
			clock_run(s);
		} else {
			s->speed = r->value;
		}
		break;
	case SRV_CMD_STOP:
		if (s->bRunning) clock_hold(s);
		s->bStopped = s->bEnded = 1;
		srv_drill_finish(s->pDrill); /* the attribution of what was played (the `impact` message) */
		break;
	case SRV_CMD_HOLD_AT:
		s->tHold = r->bValue ? (eng_time_t)(r->value * 1e6 + 0.5) : -1;
		if (s->bRunning) clock_step(s); /* a hold already passed takes effect now */
		break;
	}
	srv_log(s, "facilitator: %s%s (speed %g)", srv_cmd_name(r->cmd), s->bRunning ? ", running" : ", held", s->speed);
	srv_drill_control_note(s->pDrill, srv_cmd_name(r->cmd), s->speed, s->bRunning, s->tHold);
	broadcast_clock(s);
}

static void on_inject(srv *s, conn *c, srv_req *r) {
	ky_err err = { 0 };
	json_t *m;
	int rc;
	if (c->role != ROLE_FAC) {
		conn_error(s, c, NULL, SRV_E_FORBIDDEN, "inject: facilitator only");
		return;
	}
	clock_step(s);
	m = json_deep_copy(r->pRoot);
	json_object_del(m, "type");
	rc = srv_drill_inject(s->pDrill, m, &err);
	json_decref(m);
	if (rc) conn_error(s, c, NULL, code_of(rc), err.zMsg[0] ? err.zMsg : ky_err_name(rc));
}

static void on_grade(srv *s, conn *c, srv_req *r) {
	ky_err err = { 0 };
	int rc;
	if (c->role != ROLE_FAC) {
		conn_error(s, c, NULL, SRV_E_FORBIDDEN, "grade: facilitator only");
		return;
	}
	rc = srv_drill_grade(s->pDrill, r->iSeq, r->points, r->zComment, &err);
	if (rc) conn_error(s, c, NULL, code_of(rc), err.zMsg[0] ? err.zMsg : ky_err_name(rc));
}

/* The token digests as the journal keeps them: {"facilitator":HEX,"teams":{ID:HEX}} (new ref). */
static json_t *token_digests(srv *s) {
	json_t *o = json_pack("{s:s, s:{}}", "facilitator", s->zFacHash, "teams"), *pTeams = json_object_get(o, "teams");
	for (int i = 0; pTeams && i < s->nTeam; i++)
		json_object_set_new(pTeams, srv_drill_team_id(s->pDrill, i), json_string(s->azTeamHash[i]));
	return o;
}

/* Closes every connection of team i: its token was revoked. Returns how many. */
static int close_team(srv *s, int iTeam) {
	int n = 0;
	for (conn *c = s->pConns; c; c = c->pNext) {
		if (c->role != ROLE_TEAM || c->iTeam != iTeam || c->bRevoked) continue;
		c->bRevoked = 1; /* on_writeable sends the close frame (1008 "token revoked"); 5 s for it, then killed */
		srv_metrics_refuse(&s->m, "revoked");
		lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, 5);
		lws_callback_on_writable(c->wsi);
		n++;
	}
	return n;
}

/* revoke: a team's join link leaked. A new token replaces its token (its digest durable first, so a --resume
 * knows only the new one), every connection of the team is closed, and the new join URL goes to the facilitator
 * who asked (and, as at start, to stdout; never to the log). */
static void on_revoke(srv *s, conn *c, srv_req *r) {
	char zTok[SRV_TOKEN_HEX], zOld[SRV_HASH_HEX], zUrl[700];
	ky_err err = { 0 };
	int i = team_index(s, r->zTeam), rc, nClosed;
	json_t *o, *m;
	if (c->role != ROLE_FAC) {
		conn_error(s, c, NULL, SRV_E_FORBIDDEN, "revoke: facilitator only");
		return;
	}
	if (i < 0) {
		snprintf(zUrl, sizeof zUrl, "revoke: unknown team '%.128s'", r->zTeam);
		conn_error(s, c, NULL, SRV_E_REJECTED, zUrl);
		return;
	}
	if ((rc = srv_token_new(zTok, &err)) != 0) {
		conn_error(s, c, NULL, SRV_E_INTERNAL, err.zMsg);
		return;
	}
	memcpy(zOld, s->azTeamHash[i], sizeof zOld);
	srv_token_hash(zTok, s->azTeamHash[i]);
	o = token_digests(s);
	rc = o ? srv_drill_store_tokens(s->pDrill, o, &err) : ky_err_set(&err, KY_ENOMEM, "out of memory");
	json_decref(o);
	if (rc) { /* the old token stays: nothing changed */
		memcpy(s->azTeamHash[i], zOld, sizeof zOld);
		memset(zTok, 0, sizeof zTok);
		conn_error(s, c, NULL, code_of(rc), err.zMsg);
		return;
	}
	{
		char (*a)[SRV_HASH_HEX] = realloc(s->azRevoked, (size_t)(s->nRevoked + 1) * sizeof *a);
		if (a) {
			s->azRevoked = a;
			memcpy(a[s->nRevoked++], zOld, sizeof zOld);
		}
	}
	nClosed = close_team(s, i);
	snprintf(zUrl, sizeof zUrl, "%s/?token=%s", s->zBase, zTok);
	m = json_pack("{s:s, s:s, s:s, s:s, s:i}", "type", "token", "team", r->zTeam, "token", zTok, "url", zUrl, "closed", nClosed);
	conn_answer(s, c, m);
	json_decref(m);
	printf("join %s %s\n", r->zTeam, zUrl);
	fflush(stdout);
	memset(zTok, 0, sizeof zTok);
	memset(zUrl, 0, sizeof zUrl);
	srv_log(s, "facilitator: revoked the token of team '%s' and issued a new one (%d connections closed; the new join "
	        "URL went to the facilitator and stdout)", r->zTeam, nClosed);
}

static void handle_message(srv *s, conn *c, const unsigned char *p, size_t n) {
	srv_req r;
	const char *zCode;
	char zMsg[300];
	json_t *pId = NULL;
	int rc = srv_proto_parse((const char *)p, n, &r, &zCode, zMsg, sizeof zMsg, &pId);
	/* Effects follow arrival order: actions waiting for their group commit are committed, applied and acked before
	 * any other message (of any connection) is handled. Only consecutive actions share a commit. */
	if (rc || r.type != SRV_REQ_ACTION) flush_actions(s);
	if (rc) {
		conn_error(s, c, pId, zCode, zMsg);
		json_decref(pId);
		return;
	}
	json_decref(pId);
	if (c->role == ROLE_NONE && r.type != SRV_REQ_HELLO) {
		conn_error(s, c, r.pId, SRV_E_NO_HELLO, "send hello with your token first");
	} else {
		switch (r.type) {
		case SRV_REQ_HELLO: on_hello(s, c, &r); break;
		case SRV_REQ_ACTION: on_action(s, c, &r); break;
		case SRV_REQ_READ: on_read(s, c, &r); break;
		case SRV_REQ_CONTROL: on_control(s, c, &r); break;
		case SRV_REQ_INJECT: on_inject(s, c, &r); break;
		case SRV_REQ_GRADE: on_grade(s, c, &r); break;
		case SRV_REQ_REVOKE: on_revoke(s, c, &r); break;
		case SRV_REQ_NAME: on_name(s, c, &r); break;
		case SRV_REQ_FEEDBACK: on_feedback(s, c, &r); break;
		}
	}
	srv_req_clear(&r);
}

/* Reassembles fragments; a message over SRV_MAX_FRAME is discarded as it arrives and answered once. */
static void on_receive(srv *s, conn *c, const unsigned char *p, size_t n) {
	struct lws *wsi = c->wsi;
	s->m.nBytesIn += n;
	if (c->bDropped || c->bClosing || c->bRevoked) return;
	if (lws_frame_is_binary(wsi)) c->bRxBinary = 1;
	if (c->nRx == 0 && lws_is_first_fragment(wsi) && lws_is_final_fragment(wsi) && !c->bRxTooBig) {
		s->m.nMsgIn++;
		if (c->bRxBinary) conn_error(s, c, NULL, SRV_E_BINARY, "binary frames are not part of kyodo.v1 (send JSON text)");
		else if (n > SRV_MAX_FRAME) conn_error(s, c, NULL, SRV_E_TOO_LARGE, "message over 65536 bytes");
		else handle_message(s, c, p, n);
		c->bRxBinary = 0;
		return;
	}
	if (!c->bRxTooBig && c->nRx + n > SRV_MAX_FRAME) {
		c->bRxTooBig = 1;
		free(c->pRx);
		c->pRx = NULL;
		c->nRx = c->nRxAlloc = 0;
	}
	if (!c->bRxTooBig && n) {
		if (c->nRx + n > c->nRxAlloc) {
			size_t nNew = c->nRxAlloc ? c->nRxAlloc * 2 : 8192;
			unsigned char *pNew;
			while (nNew < c->nRx + n) nNew *= 2;
			pNew = realloc(c->pRx, nNew);
			if (!pNew) {
				c->bRxTooBig = 1;
				return;
			}
			c->pRx = pNew;
			c->nRxAlloc = nNew;
		}
		memcpy(c->pRx + c->nRx, p, n);
		c->nRx += n;
	}
	if (!lws_is_final_fragment(wsi)) return;
	s->m.nMsgIn++;
	if (c->bRxBinary) conn_error(s, c, NULL, SRV_E_BINARY, "binary frames are not part of kyodo.v1 (send JSON text)");
	else if (c->bRxTooBig) conn_error(s, c, NULL, SRV_E_TOO_LARGE, "message over 65536 bytes");
	else handle_message(s, c, c->pRx, c->nRx);
	free(c->pRx);
	c->pRx = NULL;
	c->nRx = c->nRxAlloc = 0;
	c->bRxTooBig = c->bRxBinary = 0;
}

/* Up to SRV_WRITES_PER_CALLBACK messages per callback, each after lws_send_pipe_choked says the socket takes more
 * (lws's way to write back to back); re-arms while the queue has more. One write per callback cost a whole service
 * pass over every connection per message: after a restart, a thousand welcome backlogs of some 300 messages took
 * that many passes, and answers waited behind them (bench/load). */
#define SRV_WRITES_PER_CALLBACK 16
#define SRV_WRITABLE_BEFORE_FLUSH 32
static int on_writeable(srv *s, conn *c) {
	/* Actions received earlier in this service pass are committed and acked once the pass has served
	 * SRV_WRITABLE_BEFORE_FLUSH writable connections after them: one pass may hold a thousand (an inject, a fleet
	 * sample to every client), and an action would otherwise wait for all of them (flush_actions after lws_service).
	 * A few writes between the actions of a burst keep them in one group. The ones received later form the next. */
	int bFlushed = s->nAct > 0 && ++s->nWritableWaited > SRV_WRITABLE_BEFORE_FLUSH;
	if (bFlushed) flush_actions(s);
	if (c->bDropped) return -1;
	if (c->bRevoked) {
		static const char zWhy[] = "token revoked";
		lws_close_reason(c->wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)zWhy, sizeof zWhy - 1);
		return -1;
	}
	for (int k = 0; k < SRV_WRITES_PER_CALLBACK; k++) {
		srv_outq *q = c->qAns.nLen ? &c->qAns : &c->q; /* answers first (conn_answer keeps their order) */
		srv_buf *b = srv_outq_peek(q);
		if (!b || ((k > 0 || bFlushed) && lws_send_pipe_choked(c->wsi))) break; /* the group may have acked here */
		if (conn_write(s, c, b)) return -1;
		srv_outq_pop(q);
		if (q == &c->q) c->nQWritten++;
		pend_refill(c);
	}
	if (c->q.nLen || c->qAns.nLen || c->iPend < c->nPend) {
		lws_callback_on_writable(c->wsi);
	} else if (c->bClosing) {
		static const char zWhy[] = "server stopping";
		lws_close_reason(c->wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)zWhy, sizeof zWhy - 1);
		return -1;
	}
	return 0;
}

/* --- HTTP: /healthz, /metrics, /facilitator ---------------------------------------------------------------- */

static void metrics_fill(srv *s) {
	s->m.nQueueMsgs = s->m.nQueueBytes = s->m.nQueueMaxMsgs = 0;
	for (conn *c = s->pConns; c; c = c->pNext) {
		s->m.nQueueMsgs += c->q.nLen + c->qAns.nLen + (c->nPend - c->iPend);
		s->m.nQueueBytes += c->q.nBytes + c->qAns.nBytes;
		if (c->q.nLen + c->qAns.nLen > s->m.nQueueMaxMsgs) s->m.nQueueMaxMsgs = c->q.nLen + c->qAns.nLen;
	}
	s->m.simTimeS = (double)srv_drill_now(s->pDrill) / 1e6;
	s->m.simSpeed = s->speed;
	s->m.bRunning = s->bRunning;
	s->m.bStarted = s->bStarted;
	s->m.bEnded = s->bEnded;
	s->m.nEvents = srv_drill_events(s->pDrill);
	s->m.wallUptimeS = (double)(wall_us() - s->wallStart) / 1e6;
}

static int http_reply(struct lws *wsi, conn *c, int status, const char *zMime, char *zBody, size_t n) {
	unsigned char aHead[LWS_PRE + 1024], *pStart = aHead + LWS_PRE, *p = pStart, *pEnd = aHead + sizeof aHead - 1;
	c->zHttp = zBody;
	c->nHttp = n;
	if (lws_add_http_common_headers(wsi, (unsigned int)status, zMime, (lws_filepos_t)n, &p, pEnd)) return 1;
	if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL, (const unsigned char *)"no-store", 8, &p, pEnd))
		return 1;
	if (lws_finalize_write_http_header(wsi, pStart, &p, pEnd)) return 1;
	lws_callback_on_writable(wsi);
	return 0;
}

static int on_http(srv *s, struct lws *wsi, conn *c) {
	char zUri[256];
	int n;
	if (lws_hdr_copy(wsi, zUri, sizeof zUri, WSI_TOKEN_GET_URI) <= 0) {
		lws_return_http_status(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED, NULL);
		return -1;
	}
	s->m.nHttp++;
	if (!strcmp(zUri, "/healthz")) {
		char *z = malloc(LWS_PRE + 256);
		if (!z) return -1;
		n = snprintf(z + LWS_PRE, 256, "{\"status\":\"ok\",\"t_us\":%lld,\"running\":%s,\"connections\":%llu}\n",
		             (long long)srv_drill_now(s->pDrill), s->bRunning ? "true" : "false",
		             (unsigned long long)(s->m.nConnPending + s->m.nConnTeam + s->m.nConnFacilitator));
		return http_reply(wsi, c, HTTP_STATUS_OK, "application/json", z, (size_t)n) ? -1 : 0;
	}
	if (!strcmp(zUri, "/metrics")) {
		char *z = malloc(LWS_PRE + 16384);
		if (!z) return -1;
		metrics_fill(s);
		n = (int)srv_metrics_render(&s->m, z + LWS_PRE, 16384);
		return http_reply(wsi, c, HTTP_STATUS_OK, "text/plain; version=0.0.4", z, (size_t)n) ? -1 : 0;
	}
	if (!strcmp(zUri, "/facilitator") || !strcmp(zUri, "/facilitator/")) {
		n = lws_serve_http_file(wsi, s->zFacPath, "text/html", NULL, 0);
		if (n < 0 || (n > 0 && lws_http_transaction_completed(wsi))) return -1;
		return 0;
	}
	lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL);
	return -1;
}

static int on_http_writeable(struct lws *wsi, conn *c) {
	int n;
	if (!c->zHttp) return 0;
	n = lws_write(wsi, (unsigned char *)c->zHttp + LWS_PRE, c->nHttp, LWS_WRITE_HTTP_FINAL);
	free(c->zHttp);
	c->zHttp = NULL;
	if (n < 0 || lws_http_transaction_completed(wsi)) return -1;
	return 0;
}

/* --- who is on the other end ------------------------------------------------------------------------------- */

static int is_loopback(const char *z) { return !strncmp(z, "127.", 4) || !strcmp(z, "::1") || !strncmp(z, "::ffff:127.", 11); }

/* The client's address for the hello brake: the peer's, or, when the peer is this machine (a reverse proxy in front,
 * --public-url), the last address of its X-Forwarded-For (the one that proxy added: earlier ones the client wrote). */
static void peer_address(struct lws *wsi, char *z, size_t n) {
	char zFwd[256];
	int k;
	z[0] = 0;
	lws_get_peer_simple(wsi, z, n);
	if (!is_loopback(z)) return;
	k = lws_hdr_custom_copy(wsi, zFwd, sizeof zFwd, "x-forwarded-for:", 16);
	if (k > 0) {
		const char *p = strrchr(zFwd, ',');
		p = p ? p + 1 : zFwd;
		while (*p == ' ') p++;
		if (*p) snprintf(z, n, "%.*s", (int)strcspn(p, " "), p);
	}
}

/* host[:port] of an origin or URL ("https://a.example:8443/x" -> "a.example:8443"), lowercased into z. */
static void host_of(const char *zUrl, char *z, size_t n) {
	const char *p = strstr(zUrl, "://");
	size_t i = 0;
	p = p ? p + 3 : zUrl;
	for (; *p && *p != '/' && *p != '?' && *p != '#' && i + 1 < n; p++) z[i++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	z[i] = 0;
}

/* A browser says which page opened a websocket (Origin): only the drill's own pages may (a page of another site, in a
 * participant's browser, must not talk to the drill even with a token it got hold of). No Origin: not a browser. */
static int origin_ok(srv *s, struct lws *wsi) {
	char zOrigin[256], zHost[256], a[256], b[256];
	if (lws_hdr_copy(wsi, zOrigin, sizeof zOrigin, WSI_TOKEN_ORIGIN) <= 0) return 1;
	host_of(zOrigin, a, sizeof a);
	if (lws_hdr_copy(wsi, zHost, sizeof zHost, WSI_TOKEN_HOST) > 0 ||
	    lws_hdr_copy(wsi, zHost, sizeof zHost, WSI_TOKEN_HTTP_COLON_AUTHORITY) > 0) { /* HTTP/2: :authority */
		host_of(zHost, b, sizeof b);
		if (!strcmp(a, b)) return 1;
	}
	if (s->o.zPublicUrl) {
		host_of(s->o.zPublicUrl, b, sizeof b);
		if (!strcmp(a, b)) return 1;
	}
	return 0;
}

/* --- the lws callback ------------------------------------------------------------------------------------- */

static void conn_unlink(srv *s, conn *c) {
	if (c->pPrev) c->pPrev->pNext = c->pNext;
	else if (s->pConns == c) s->pConns = c->pNext;
	if (c->pNext) c->pNext->pPrev = c->pPrev;
	c->pNext = c->pPrev = NULL;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *pUser, void *in, size_t len) {
	struct lws_context *ctx = lws_get_context(wsi);
	srv *s = ctx ? lws_context_user(ctx) : NULL;
	conn *c = pUser;
	char zUri[64];
	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		if (lws_hdr_copy(wsi, zUri, sizeof zUri, WSI_TOKEN_GET_URI) <= 0 || strcmp(zUri, "/ws")) return 1;
		if (!origin_ok(s, wsi)) {
			srv_metrics_refuse(&s->m, "origin");
			return 1;
		}
		if (s->o.zTlsCert && !lws_is_ssl(wsi)) { /* plain HTTP on a TLS port is only ever redirected, never upgraded */
			srv_metrics_refuse(&s->m, "plain");
			return 1;
		}
		return 0;
	case LWS_CALLBACK_ESTABLISHED:
		memset(c, 0, sizeof *c);
		if (s->pDrill == NULL || gbQuit || srv_outq_init(&c->q, s->o.nQueueMax, s->o.nQueueBytes)) return -1;
		if (srv_outq_init(&c->qAns, SRV_ANSWER_LANE, s->o.nQueueBytes)) {
			srv_outq_fini(&c->q);
			return -1;
		}
		c->nLaneUntil = UINT64_MAX; /* no answer overtakes anything before the welcome */
		c->wsi = wsi;
		c->tOpen = c->tLastTx = wall_us();
		{
			static uint32_t nSeen;
			c->phaseUs = (int64_t)((nSeen++ * 2654435761u) % 1000000u); /* spread evenly over the second */
		}
		peer_address(wsi, c->zAddr, sizeof c->zAddr);
		c->bWs = 1;
		c->pNext = s->pConns;
		if (s->pConns) s->pConns->pPrev = c;
		s->pConns = c;
		s->m.nConnPending++;
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, SRV_HELLO_TIMEOUT_S); /* no valid hello in time: closed */
		return 0;
	case LWS_CALLBACK_CLOSED:
		if (!c || !c->bWs) return 0;
		conn_unlink(s, c);
		lws_sul_cancel(&c->sulHello);
		for (int i = 0; i < s->nAct; i++)
			if (s->aAct[i].c == c) s->aAct[i].c = NULL; /* still stored; no one to ack */
		if (c->role == ROLE_TEAM) s->m.nConnTeam--;
		else if (c->role == ROLE_FAC) s->m.nConnFacilitator--;
		else s->m.nConnPending--;
		if (c->role == ROLE_NONE && wall_us() - c->tOpen >= (SRV_HELLO_TIMEOUT_S - 1) * 1000000LL)
			srv_metrics_refuse(&s->m, "hello_timeout");
		srv_outq_fini(&c->q);
		srv_outq_fini(&c->qAns);
		pend_free(c);
		free(c->pRx);
		c->pRx = NULL;
		c->bWs = 0;
		return 0;
	case LWS_CALLBACK_RECEIVE:
		on_receive(s, c, in, len);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return on_writeable(s, c);
	case LWS_CALLBACK_HTTP:
		if (!c || (s->o.zTlsCert && !lws_is_ssl(wsi))) return -1; /* TLS only (lws redirects plain requests first) */
		memset(c, 0, sizeof *c);
		return on_http(s, wsi, c);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (c && c->zHttp) return on_http_writeable(wsi, c);
		break;
	case LWS_CALLBACK_CLOSED_HTTP:
		if (c && !c->bWs) {
			free(c->zHttp);
			c->zHttp = NULL;
		}
		break;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, pUser, in, len);
}

static const struct lws_protocols aProtocols[] = {
	{ "kyodo.v1", callback, sizeof(conn), 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

/* Security headers on every HTTP response (lws adds a vhost's headers to each status line it writes: files, our
 * replies, errors). The pages load only their own files and run no inline script, so the policy allows nothing else;
 * no-referrer keeps the ?token= of a join URL out of any Referer. aTlsHeaders adds HSTS when serving TLS. */
#define SRV_CSP "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " \
	"font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
static const struct lws_protocol_vhost_options aHeaders[] = {
	{ &aHeaders[1], NULL, "content-security-policy:", SRV_CSP },
	{ &aHeaders[2], NULL, "x-content-type-options:", "nosniff" },
	{ &aHeaders[3], NULL, "referrer-policy:", "no-referrer" },
	{ &aHeaders[4], NULL, "x-frame-options:", "DENY" },
	{ NULL, NULL, "cross-origin-opener-policy:", "same-origin" },
};
static const struct lws_protocol_vhost_options aTlsHeaders[] = {
	{ &aHeaders[0], NULL, "strict-transport-security:", "max-age=86400" },
};

static const struct lws_protocol_vhost_options aMime[] = {
	{ &aMime[1], NULL, ".mjs", "text/javascript" },
	{ &aMime[2], NULL, ".json", "application/json" },
	{ &aMime[3], NULL, ".svg", "image/svg+xml" },
	{ &aMime[4], NULL, ".woff2", "font/woff2" },
	{ NULL, NULL, ".map", "application/json" },
};

/* --- start-up and the clean stop --------------------------------------------------------------------------- */

static void on_signal(int sig) {
	(void)sig;
	gbQuit = 1;
	if (gpCtx) lws_cancel_service(gpCtx);
}

static void on_wake(lws_sorted_usec_list_t *sul) {
	srv *s = lws_container_of(sul, srv, sulWake);
	lws_sul_schedule(s->ctx, 0, &s->sulWake, on_wake, 50 * LWS_US_PER_MS);
}

static int is_dir(const char *z) {
	struct stat st;
	return stat(z, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ui/web from --web, else beside the binary (build/kyodo, build/asan/kyodo, an installed bin/), else ./ui/web. */
static int find_web(srv *s, ky_err *err) {
	char zExe[PATH_MAX], zTry[PATH_MAX + 64];
	static const char *const azRel[] = { "/../ui/web", "/../../ui/web", "/ui/web", "/../share/kyodo/web" };
	ssize_t n;
	if (s->o.zWeb) {
		if (!realpath(s->o.zWeb, s->zWeb) || !is_dir(s->zWeb))
			return ky_err_set(err, KY_ENOENT, "serve: --web %s: not a folder", s->o.zWeb);
		return 0;
	}
	n = readlink("/proc/self/exe", zExe, sizeof zExe - 1);
	if (n > 0) {
		char *pSlash;
		zExe[n] = 0;
		pSlash = strrchr(zExe, '/');
		if (pSlash) *pSlash = 0;
		for (size_t i = 0; i < sizeof azRel / sizeof azRel[0]; i++) {
			snprintf(zTry, sizeof zTry, "%s%s", zExe, azRel[i]);
			if (is_dir(zTry) && realpath(zTry, s->zWeb)) return 0;
		}
	}
	if (is_dir("ui/web") && realpath("ui/web", s->zWeb)) return 0;
	return ky_err_set(err, KY_ENOENT, "serve: cannot find ui/web beside the binary or here; give --web DIR");
}

/* Token hashes from the journal (resume) or fresh tokens, printed as join lines. */
static int setup_tokens(srv *s, int port, ky_err *err) {
	json_t *pStored = srv_drill_load_tokens(s->pDrill), *pNew = NULL, *pTeams;
	char *zBase = s->zBase, zTok[SRV_TOKEN_HEX];
	int rc = 0;
	if (s->o.zPublicUrl) snprintf(zBase, sizeof s->zBase, "%.*s", (int)strcspn(s->o.zPublicUrl, "?#"), s->o.zPublicUrl);
	else if (strchr(s->o.zHost, ':')) snprintf(zBase, sizeof s->zBase, "%s://[%s]:%d", s->o.zTlsCert ? "https" : "http", s->o.zHost, port);
	else snprintf(zBase, sizeof s->zBase, "%s://%s:%d", s->o.zTlsCert ? "https" : "http", s->o.zHost, port);
	while (zBase[0] && zBase[strlen(zBase) - 1] == '/') zBase[strlen(zBase) - 1] = 0;
	s->nTeam = srv_drill_team_count(s->pDrill);
	s->azTeamHash = calloc((size_t)s->nTeam + 1, sizeof *s->azTeamHash);
	s->aBacklog = calloc((size_t)s->nTeam + 1, sizeof *s->aBacklog); /* NULL: welcomes built per connection */
	s->aBucket = calloc((size_t)s->nTeam + 1, sizeof *s->aBucket);
	for (int i = 0; s->aBucket && i < s->nTeam; i++) s->aBucket[i] = (struct action_bucket){ s->o.actionBurst, wall_us() };
	if (!s->azTeamHash) return ky_err_set(err, KY_ENOMEM, "serve: out of memory");
	if (pStored) { /* --resume: only digests were kept, so the URLs of the first start stay the ones to use */
		snprintf(s->zFacHash, sizeof s->zFacHash, "%s", json_string_value(json_object_get(pStored, "facilitator")) ?: "");
		pTeams = json_object_get(pStored, "teams");
		for (int i = 0; i < s->nTeam; i++) {
			const char *zH = json_string_value(json_object_get(pTeams, srv_drill_team_id(s->pDrill, i)));
			snprintf(s->azTeamHash[i], SRV_HASH_HEX, "%s", zH ? zH : "");
			printf("join %s %s/\n", srv_drill_team_id(s->pDrill, i), zBase);
		}
		printf("facilitator %s/facilitator\n", zBase);
		fflush(stdout);
		srv_log(s, "resumed: the tokens of the first start stay valid (only their digests are kept; add ?token=...)");
		json_decref(pStored);
		return 0;
	}
	/* Fresh tokens: their digests are stored durably first, and only then are the join lines printed, so a
	 * crash in between never hands out a URL that a --resume would not know. */
	char (*azTok)[SRV_TOKEN_HEX] = calloc((size_t)s->nTeam + 1, sizeof *azTok);
	if (!azTok) return ky_err_set(err, KY_ENOMEM, "serve: out of memory");
	pNew = json_pack("{s:s, s:{}}", "facilitator", "", "teams");
	pTeams = json_object_get(pNew, "teams");
	for (int i = 0; i < s->nTeam && rc == 0; i++) {
		rc = srv_token_new(azTok[i], err);
		if (rc) break;
		srv_token_hash(azTok[i], s->azTeamHash[i]);
		json_object_set_new(pTeams, srv_drill_team_id(s->pDrill, i), json_string(s->azTeamHash[i]));
	}
	if (rc == 0) rc = srv_token_new(zTok, err);
	if (rc == 0) {
		srv_token_hash(zTok, s->zFacHash);
		json_object_set_new(pNew, "facilitator", json_string(s->zFacHash));
		rc = srv_drill_store_tokens(s->pDrill, pNew, err);
	}
	if (rc == 0) {
		for (int i = 0; i < s->nTeam; i++) printf("join %s %s/?token=%s\n", srv_drill_team_id(s->pDrill, i), zBase, azTok[i]);
		printf("facilitator %s/facilitator?token=%s\n", zBase, zTok);
		fflush(stdout);
	}
	memset(azTok, 0, ((size_t)s->nTeam + 1) * sizeof *azTok);
	free(azTok);
	memset(zTok, 0, sizeof zTok);
	json_decref(pNew);
	return rc;
}

void srv_opts_default(srv_opts *o) {
	memset(o, 0, sizeof *o);
	o->zHost = "127.0.0.1";
	o->port = 8080;
	o->zDb = "kyodo.db";
	o->speed = 1;
	o->nQueueMax = 4096;
	o->nQueueBytes = (size_t)8 << 20;
	o->tickMs = 20;
	o->pingS = 10;
	o->actionRate = 20;
	o->actionBurst = 200;
}

static void raise_fd_limit(void) {
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* A new drill replaces the journal at --db; the one there before (a crashed drill started again without
 * --resume, say) is kept as FILE.prev (with its -wal) rather than lost. Returns 1 when it moved one. */
static int keep_previous_journal(const char *zDb) {
	char zFrom[PATH_MAX + 8], zTo[PATH_MAX + 16];
	struct stat st;
	if (!zDb || stat(zDb, &st) || !S_ISREG(st.st_mode) || st.st_size == 0) return 0;
	snprintf(zTo, sizeof zTo, "%s.prev", zDb);
	if (rename(zDb, zTo)) return 0;
	snprintf(zFrom, sizeof zFrom, "%s-wal", zDb);
	snprintf(zTo, sizeof zTo, "%s.prev-wal", zDb);
	if (rename(zFrom, zTo)) unlink(zTo);
	snprintf(zFrom, sizeof zFrom, "%s-shm", zDb);
	unlink(zFrom);
	return 1;
}

static void shutdown_conns(srv *s) {
	int64_t tEnd = wall_us() + 2 * 1000000;
	for (conn *c = s->pConns; c; c = c->pNext) {
		c->bClosing = 1;
		lws_callback_on_writable(c->wsi);
	}
	lws_sul_schedule(s->ctx, 0, &s->sulWake, on_wake, 50 * LWS_US_PER_MS);
	while (s->pConns && wall_us() < tEnd)
		if (lws_service(s->ctx, 0) < 0) break;
}

int srv_serve(const srv_opts *o, ky_err *err) {
	static srv s;
	struct lws_context_creation_info info;
	struct lws_http_mount mRoot, mHealth, mMetrics, mFac;
	static lws_retry_bo_t retry; /* outlives the context */
	srv_drill_sink sink = { &s, sink_team, sink_fac, sink_all };
	struct sigaction sa;
	int rc = 0, port;
	memset(&s, 0, sizeof s);
	s.o = *o;
	gbLogJson = o->bLogJson;
	gpLog = &s;
	s.speed = o->speed > 0 ? o->speed : 1;
	s.tHold = -1;
	s.wallStart = wall_us();
	srv_guard_init(&s.guard);
	if (!s.o.nQueueMax) s.o.nQueueMax = 4096;
	if (!s.o.nQueueBytes) s.o.nQueueBytes = (size_t)8 << 20;
	if (s.o.tickMs <= 0) s.o.tickMs = 20;
	gbQuit = 0;
	raise_fd_limit();
	if ((rc = find_web(&s, err))) return rc;
	snprintf(s.zFacPath, sizeof s.zFacPath, "%s/facilitator.html", s.zWeb);
	if (!o->bResume && keep_previous_journal(o->zDb)) srv_log(&s, "the journal already in %s was kept as %s.prev", o->zDb, o->zDb);
	s.pDrill = srv_drill_open(o->zScenario, o->zDb, o->bResume, &sink, err);
	if (!s.pDrill) return err && err->code ? err->code : KY_EINVAL;
	s.tBase = srv_drill_resumed_at(s.pDrill);
	s.bStarted = s.tBase > 0; /* a resumed drill is held until the facilitator's resume */

	memset(&mRoot, 0, sizeof mRoot);
	mRoot.mountpoint = "/";
	mRoot.mountpoint_len = 1;
	mRoot.origin = s.zWeb;
	mRoot.def = "index.html";
	mRoot.origin_protocol = LWSMPRO_FILE;
	mRoot.extra_mimetypes = aMime;
	mFac = mRoot;
	mFac.mount_next = &mRoot;
	mFac.mountpoint = "/facilitator";
	mFac.mountpoint_len = 12;
	mFac.origin = "kyodo.v1";
	mFac.def = NULL;
	mFac.origin_protocol = LWSMPRO_CALLBACK;
	mFac.extra_mimetypes = NULL;
	mMetrics = mFac;
	mMetrics.mount_next = &mFac;
	mMetrics.mountpoint = "/metrics";
	mMetrics.mountpoint_len = 8;
	mHealth = mFac;
	mHealth.mount_next = &mMetrics;
	mHealth.mountpoint = "/healthz";
	mHealth.mountpoint_len = 8;

	memset(&info, 0, sizeof info);
	info.port = o->port;
	info.iface = o->zHost;
	info.protocols = aProtocols;
	info.mounts = &mHealth;
	info.vhost_name = "kyodo";
	info.user = &s;
	info.options = LWS_SERVER_OPTION_VALIDATE_UTF8;
	info.headers = aHeaders;
	/* liveness: an idle websocket is pinged; one that answers nothing (a laptop closed, a network gone) is closed,
	 * paused drill or not (the server's clock heartbeat keeps the live ones busy anyway) */
	retry.secs_since_valid_ping = (uint16_t)(o->pingS > 0 ? o->pingS : 10);
	retry.secs_since_valid_hangup = (uint16_t)(2 * retry.secs_since_valid_ping + 5);
	info.retry_and_idle_policy = &retry;
	if (!strchr(o->zHost, ':')) info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	if (o->zTlsCert) {
		/* TLS only: a plain HTTP request on the port is answered with a redirect to https; a plain websocket
		 * upgrade (which lws would let through) is refused in FILTER_PROTOCOL_CONNECTION */
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_ALLOW_NON_SSL_ON_SSL_PORT |
		                LWS_SERVER_OPTION_REDIRECT_HTTP_TO_HTTPS;
		info.ssl_cert_filepath = o->zTlsCert;
		info.ssl_private_key_filepath = o->zTlsKey;
		/* HTTP/1.1 only: over HTTP/2 Chromium would carry the websocket inside the h2 connection (RFC 8441), which
		 * lws 4.1 fails (ERR_HTTP2_PROTOCOL_ERROR); a drill's pages gain nothing from h2 */
		info.alpn = "http/1.1";
		info.headers = aTlsHeaders;
	}
	lws_set_log_level(LLL_ERR, gbLogJson ? log_lws : NULL);
	s.ctx = lws_create_context(&info);
	if (!s.ctx && o->zTlsCert) {
		rc = ky_err_set(err, KY_EIO, "serve: cannot listen with TLS on %s:%d (port in use, or --tls-cert %s / --tls-key %s "
		                "not a readable PEM certificate and its key?)", o->zHost, o->port, o->zTlsCert, o->zTlsKey);
		goto out;
	}
	if (!s.ctx) {
		rc = ky_err_set(err, KY_EIO, "serve: cannot listen on %s:%d (in use or not a local address?)", o->zHost, o->port);
		goto out;
	}
	s.vh = lws_get_vhost_by_name(s.ctx, "kyodo");
	port = s.vh ? lws_get_vhost_listen_port(s.vh) : o->port;
	if ((rc = setup_tokens(&s, port, err))) goto out;
	gpCtx = s.ctx;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	srv_log(&s, "serving %s on %s://%s:%d/ (web %s, journal %s, speed %g, %s)", o->zScenario, o->zTlsCert ? "https" : "http",
	        o->zHost, port, s.zWeb, o->zDb, s.speed, o->bAutostart ? "started" : "held until the facilitator starts it");
	lws_sul_schedule(s.ctx, 0, &s.sulSecond, on_second, LWS_US_PER_SEC);
	lws_sul_schedule(s.ctx, 0, &s.sulBeat, on_beat, SRV_BEAT_US);
	if (o->bAutostart) {
		s.bStarted = 1;
		clock_run(&s);
	}
	while (!gbQuit) {
		if (lws_service(s.ctx, 0) < 0) break;
		flush_actions(&s);
	}
	flush_actions(&s);
	srv_log(&s, "stopping: closing %s connections, flushing the journal", s.pConns ? "the" : "no");
	if (s.bRunning) clock_hold(&s);
	shutdown_conns(&s);
out:
	gpCtx = NULL;
	gpLog = NULL;
	if (s.ctx) lws_context_destroy(s.ctx);
	s.ctx = NULL;
	{
		ky_err e2 = { 0 };
		if (srv_drill_close(s.pDrill, &e2) && rc == 0) rc = ky_err_set(err, e2.code, "%s", e2.zMsg);
	}
	s.pDrill = NULL;
	free(s.azTeamHash);
	for (int i = 0; s.aBacklog && i < s.nTeam; i++) {
		backlog_drop(&s.aBacklog[i]);
		free(s.aBacklog[i].ap);
		free(s.aBacklog[i].aSeq);
	}
	free(s.aBacklog);
	s.aBacklog = NULL;
	free(s.aBucket);
	s.aBucket = NULL;
	free(s.azRevoked);
	s.azRevoked = NULL;
	s.nRevoked = 0;
	srv_guard_fini(&s.guard);
	free(s.aAct);
	s.aAct = NULL;
	s.nAct = s.nActAlloc = 0;
	return rc;
}
