/* metrics (server): the server's counters and their Prometheus text rendering for GET /metrics.
 * Plain numbers filled by server.c; no sockets here. */
#ifndef SRV_METRICS_H
#define SRV_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* Why the server refused something: every error code sent to a client (docs/protocol.md), and the refusals that
 * close a connection. kyodo_refusals_total{reason=...} counts each. */
#define SRV_REFUSALS(X) \
	X(BAD_JSON, "bad_json") X(BAD_TYPE, "bad_type") X(BAD_FIELD, "bad_field") X(TOO_LARGE, "too_large") \
	X(BINARY, "binary") X(HELLO_FIRST, "hello_first") X(BAD_TOKEN, "bad_token") X(ALREADY_JOINED, "already_joined") \
	X(FORBIDDEN, "forbidden") X(REJECTED, "rejected") X(BAD_STATE, "bad_state") X(STORAGE, "storage") \
	X(INTERNAL, "internal") X(RATE_LIMITED, "rate_limited") X(REVOKED, "revoked") X(ORIGIN, "origin") X(PLAIN, "plain") \
	X(HELLO_TIMEOUT, "hello_timeout") X(OTHER, "other")
#define SRV_REFUSAL_ENUM(e, z) SRV_REFUSE_##e,
enum { SRV_REFUSALS(SRV_REFUSAL_ENUM) SRV_REFUSE_N };

typedef struct srv_metrics {
	uint64_t aRefused[SRV_REFUSE_N];                     /* refusals by reason (SRV_REFUSALS) */
	uint64_t nConnPending, nConnTeam, nConnFacilitator;  /* websocket connections now, by role */
	uint64_t nMsgIn, nMsgOut, nBytesIn, nBytesOut;        /* websocket messages and payload bytes */
	uint64_t nErrors;                                    /* error messages sent */
	uint64_t nActions, nActionRepeats;                   /* actions acknowledged; of those, resent ids */
	uint64_t nActionGroups;                              /* group commits of actions (one fsync each) */
	uint64_t nDropped;                                   /* clients closed because their queue overflowed */
	uint64_t nHttp;                                      /* HTTP requests to /healthz and /metrics */
	uint64_t nHellosHeld;                                /* hellos held for their address's delay (guard.h) */
	uint64_t nQueueMsgs, nQueueBytes, nQueueMaxMsgs;     /* out queues now: total messages, bytes, the longest */
	double simTimeS, simSpeed;                           /* sim clock */
	int bRunning, bStarted, bEnded;
	uint64_t nEvents;                                    /* engine events run so far */
	double eventsPerS;                                   /* over the last wall second */
	double wallUptimeS;
} srv_metrics;

/* Counts one refusal of reason zReason (an error code or a SRV_REFUSALS name; unknown names count as "other"). */
void srv_metrics_refuse(srv_metrics *m, const char *zReason);
/* Renders m as Prometheus text exposition format into z (n bytes); returns the length (truncated at n-1). */
size_t srv_metrics_render(const srv_metrics *m, char *z, size_t n);

#endif
