/* metrics (server): see metrics.h. */
#include "server/metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SRV_REFUSAL_NAME(e, z) z,
static const char *const azRefusal[SRV_REFUSE_N] = { SRV_REFUSALS(SRV_REFUSAL_NAME) };

void srv_metrics_refuse(srv_metrics *m, const char *zReason) {
	int i = 0;
	while (i < SRV_REFUSE_OTHER && strcmp(azRefusal[i], zReason ? zReason : "")) i++;
	m->aRefused[i]++;
}

typedef struct out {
	char *z;
	size_t n, len;
} out;

static void put(out *o, const char *zFmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out *o, const char *zFmt, ...) {
	va_list ap;
	int k;
	if (o->len + 1 >= o->n) return;
	va_start(ap, zFmt);
	k = vsnprintf(o->z + o->len, o->n - o->len, zFmt, ap);
	va_end(ap);
	if (k > 0) o->len = o->len + (size_t)k < o->n ? o->len + (size_t)k : o->n - 1;
}

static void metric(out *o, const char *zName, const char *zType, const char *zHelp, double v) {
	put(o, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", zName, zHelp, zName, zType, zName, v);
}

size_t srv_metrics_render(const srv_metrics *m, char *z, size_t n) {
	out o = { z, n, 0 };
	if (n) z[0] = 0;
	put(&o, "# HELP kyodo_connections Websocket connections now, by role (pending: before a valid hello).\n"
	        "# TYPE kyodo_connections gauge\n");
	put(&o, "kyodo_connections{role=\"pending\"} %llu\n", (unsigned long long)m->nConnPending);
	put(&o, "kyodo_connections{role=\"team\"} %llu\n", (unsigned long long)m->nConnTeam);
	put(&o, "kyodo_connections{role=\"facilitator\"} %llu\n", (unsigned long long)m->nConnFacilitator);
	metric(&o, "kyodo_messages_in_total", "counter", "Websocket messages received.", (double)m->nMsgIn);
	metric(&o, "kyodo_messages_out_total", "counter", "Websocket messages written.", (double)m->nMsgOut);
	metric(&o, "kyodo_bytes_in_total", "counter", "Websocket payload bytes received.", (double)m->nBytesIn);
	metric(&o, "kyodo_bytes_out_total", "counter", "Websocket payload bytes written.", (double)m->nBytesOut);
	metric(&o, "kyodo_errors_total", "counter", "Error messages sent to clients.", (double)m->nErrors);
	put(&o, "# HELP kyodo_refusals_total Refusals by reason: each error code sent, and connections refused or closed "
	        "(origin: a browser page of another site; plain: a websocket without TLS on a TLS port; revoked: its "
	        "team's token was revoked; hello_timeout: no valid hello in time).\n# TYPE kyodo_refusals_total counter\n");
	for (int i = 0; i < SRV_REFUSE_N; i++)
		put(&o, "kyodo_refusals_total{reason=\"%s\"} %llu\n", azRefusal[i], (unsigned long long)m->aRefused[i]);
	metric(&o, "kyodo_actions_total", "counter", "Team actions acknowledged (durable).", (double)m->nActions);
	metric(&o, "kyodo_action_groups_total", "counter", "Group commits of actions (one fsync each; actions arriving together share one).",
	       (double)m->nActionGroups);
	metric(&o, "kyodo_action_repeats_total", "counter", "Acknowledgements of a resent client id.", (double)m->nActionRepeats);
	metric(&o, "kyodo_clients_dropped_total", "counter", "Clients closed because their out queue overflowed.", (double)m->nDropped);
	metric(&o, "kyodo_hellos_delayed_total", "counter", "Hellos held back because their address sent wrong tokens.",
	       (double)m->nHellosHeld);
	metric(&o, "kyodo_http_requests_total", "counter", "Requests to /healthz and /metrics.", (double)m->nHttp);
	metric(&o, "kyodo_queue_messages", "gauge", "Messages waiting in all out queues.", (double)m->nQueueMsgs);
	metric(&o, "kyodo_queue_bytes", "gauge", "Payload bytes waiting in all out queues.", (double)m->nQueueBytes);
	metric(&o, "kyodo_queue_max_messages", "gauge", "Messages waiting in the longest out queue.", (double)m->nQueueMaxMsgs);
	metric(&o, "kyodo_sim_time_seconds", "gauge", "Simulated time reached.", m->simTimeS);
	metric(&o, "kyodo_sim_speed", "gauge", "Simulated seconds per wall second while running.", m->simSpeed);
	metric(&o, "kyodo_sim_running", "gauge", "1 while the clock runs.", m->bRunning);
	metric(&o, "kyodo_sim_started", "gauge", "1 once the facilitator started the drill.", m->bStarted);
	metric(&o, "kyodo_sim_ended", "gauge", "1 once the drill reached its end or was stopped.", m->bEnded);
	metric(&o, "kyodo_events_total", "counter", "Engine events run.", (double)m->nEvents);
	metric(&o, "kyodo_events_per_second", "gauge", "Engine events run per wall second (last second).", m->eventsPerS);
	metric(&o, "kyodo_uptime_seconds", "gauge", "Wall seconds since the server started.", m->wallUptimeS);
	return o.len;
}
