/* metrics (server): the server's counters and their Prometheus text rendering for GET /metrics.
 * Plain numbers filled by server.c; no sockets here. */
#ifndef SRV_METRICS_H
#define SRV_METRICS_H

#include <stddef.h>
#include <stdint.h>

typedef struct srv_metrics {
	uint64_t nConnPending, nConnTeam, nConnFacilitator;  /* websocket connections now, by role */
	uint64_t nMsgIn, nMsgOut, nBytesIn, nBytesOut;        /* websocket messages and payload bytes */
	uint64_t nErrors;                                    /* error messages sent */
	uint64_t nActions, nActionRepeats;                   /* actions acknowledged; of those, resent ids */
	uint64_t nActionGroups;                              /* group commits of actions (one fsync each) */
	uint64_t nDropped;                                   /* clients closed because their queue overflowed */
	uint64_t nHttp;                                      /* HTTP requests to /healthz and /metrics */
	uint64_t nQueueMsgs, nQueueBytes, nQueueMaxMsgs;     /* out queues now: total messages, bytes, the longest */
	double simTimeS, simSpeed;                           /* sim clock */
	int bRunning, bStarted, bEnded;
	uint64_t nEvents;                                    /* engine events run so far */
	double eventsPerS;                                   /* over the last wall second */
	double wallUptimeS;
} srv_metrics;

/* Renders m as Prometheus text exposition format into z (n bytes); returns the length (truncated at n-1). */
size_t srv_metrics_render(const srv_metrics *m, char *z, size_t n);

#endif
