/* server: `kyodo serve`'s loop: one libwebsockets context on one thread serving HTTP (ui/web, /healthz,
 * /metrics) and protocol kyodo.v1 on /ws, tokens and roles, bounded per-connection out queues, and the paced
 * clock (sim time = speed x wall time, from lws_sul timers). Simulates nothing itself: the drill does, behind
 * server/drill.h. Prints the join lines on stdout and its log on stderr. */
#ifndef SRV_SERVER_H
#define SRV_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"

typedef struct srv_opts {
	const char *zScenario;
	const char *zHost;      /* default 127.0.0.1 */
	int port;               /* default 8080; 0 picks a free port (the join lines show it) */
	const char *zDb;        /* journal file, default kyodo.db */
	const char *zWeb;       /* ui/web folder; NULL: found from the binary's location */
	const char *zPublicUrl; /* base of the printed join URLs (e.g. behind a proxy); NULL: http://HOST:PORT */
	double speed;           /* default 1 */
	int bResume;            /* re-open zDb and go on where it stopped; the tokens stay valid */
	int bAutostart;         /* start the clock at once instead of waiting for the facilitator's start */
	uint32_t nQueueMax;     /* messages per connection's out queue (default 4096) */
	size_t nQueueBytes;     /* payload bytes per out queue (default 8 MiB) */
	int tickMs;             /* wall milliseconds per paced step (default 20) */
	const char *zTlsCert;   /* PEM certificate (chain) and private key: TLS only on the port; NULL: plain HTTP */
	const char *zTlsKey;
	int pingS;              /* a websocket idle this long is pinged; one silent 2*pingS + 5 s more is closed (10) */
	int bLogJson;           /* the log as JSON lines {"ts","uptime_s","sim_us","sim","msg"} (default: text lines) */
	double actionRate;      /* actions a second a team may send, sustained (default 20); 0: no limit */
	int actionBurst;        /* actions a team may send at once before the rate applies (default 200) */
} srv_opts;

/* Fills o with the defaults. */
void srv_opts_default(srv_opts *o);
/* Runs the drill server until SIGINT/SIGTERM, then flushes the journal and closes every connection with a
 * close frame. 0 on a clean stop; a KY_E* code with err set when it cannot start (bad scenario, port in use). */
int srv_serve(const srv_opts *o, ky_err *err);

#endif
