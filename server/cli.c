/* cli (server): see cli.h. The options of CONTRACT §1 (and the extensions in docs/operations.md) in one table
 * (engine/opt.h), then srv_serve. Adding an option: a line in kServeOpts, a case in serve_option. */
#include "server/cli.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/opt.h"
#include "server/server.h"

enum { S_PORT = KY_OPT_LONG, S_HOST, S_DB, S_SPEED, S_RESUME, S_AUTOSTART, S_WEB, S_PUBLIC_URL, S_QUEUE, S_TICK,
       S_LOG_JSON, S_TLS_CERT, S_TLS_KEY, S_PING, S_ACTION_RATE, S_ACTION_BURST };

static const ky_opt kServeOpts[] = {
	{ "port", S_PORT, "P", "listen port (default 8080; 0 picks a free one, shown in the join lines)" },
	{ "host", S_HOST, "H", "listen address (default 127.0.0.1; 0.0.0.0 for teams on other machines)" },
	{ "db", S_DB, "FILE", "the journal (default kyodo.db); a new drill keeps the file there before as FILE.prev" },
	{ "speed", S_SPEED, "X", "simulated seconds per wall second (default 1)" },
	{ "resume", S_RESUME, "[=auto]", "go on with the drill in --db after a crash or a stop; the join URLs of the\n"
	                                 "first start stay valid. --resume=auto: resume when --db holds a journal,\n"
	                                 "else start a new drill (for a service manager that restarts kyodo)" },
	{ "autostart", S_AUTOSTART, NULL, "start the clock at once (default: held until the facilitator's start)" },
	{ "web", S_WEB, "DIR", "the participant and facilitator pages (default: ui/web or ../share/kyodo/web\n"
	                       "beside the binary)" },
	{ "public-url", S_PUBLIC_URL, "URL", "base of the printed join URLs, e.g. https://drill.example.org\n"
	                                     "(default http://HOST:PORT)" },
	{ "queue", S_QUEUE, "N", "messages a connection may have waiting before it is dropped (default 4096)" },
	{ "tick", S_TICK, "MS", "wall milliseconds per paced step (default 20)" },
	{ "log-json", S_LOG_JSON, NULL, "write the log on stderr as JSON lines: {\"ts\",\"uptime_s\",\"sim_us\",\"sim\",\"msg\"}" },
	{ "tls-cert", S_TLS_CERT, "FILE", "serve HTTPS and wss only, with this PEM certificate (chain); needs --tls-key;\n"
	                                  "the join URLs become https:// (plain HTTP is redirected, a plain websocket refused)" },
	{ "tls-key", S_TLS_KEY, "FILE", "the private key of --tls-cert (PEM)" },
	{ "ping", S_PING, "S", "ping a websocket idle S seconds; close one silent 2S+5 s (default 10)" },
	{ "action-rate", S_ACTION_RATE, "N", "actions a second one team may send, sustained; more are refused with\n"
	                                     "rate_limited and retry_after_ms (default 20; 0: no limit)" },
	{ "action-burst", S_ACTION_BURST, "N", "actions one team may send at once before --action-rate applies (default 200)" },
	{ NULL, 0, NULL, NULL },
};
static const ky_cmd kServe = {
	"serve", "SCENARIO.lua [OPTION]...",
	"Run the drill for the teams' browsers: prints one line 'join TEAM_ID URL' per team and one\n"
	"'facilitator URL' on stdout once listening (the tokens in them are the only copy), then its log on stderr.\n"
	"Stops cleanly on SIGINT or SIGTERM: the journal is flushed and every browser gets a close frame.",
	kServeOpts,
	"Exit status: 0 on a clean stop; 1 when it cannot start (a bad scenario, a port in use, a journal that\n"
	"cannot be opened); 2 usage.",
	1, 1,
};

/* A non-empty regular file at zPath. */
static int has_journal(const char *zPath) {
	struct stat st;
	return zPath && stat(zPath, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* One option into o; 0 or the usage exit code (the message printed). */
static int serve_option(const ky_opts *g, int id, srv_opts *o, int *pbAuto) {
	long long n;
	switch (id) {
	case S_PORT: return ky_opts_port(g, &o->port);
	case S_HOST: o->zHost = g->zArg; return 0;
	case S_DB: o->zDb = g->zArg; return 0;
	case S_SPEED: return ky_opts_double(g, 1e-6, 100000, &o->speed);
	case S_RESUME:
		if (g->zArg && strcmp(g->zArg, "auto") != 0)
			return ky_opts_usage(g, "%s: '%s' is not 'auto' (or give --resume alone)", g->zOpt, g->zArg);
		o->bResume = !g->zArg;
		*pbAuto = g->zArg != NULL;
		return 0;
	case S_AUTOSTART: o->bAutostart = 1; return 0;
	case S_WEB: o->zWeb = g->zArg; return 0;
	case S_PUBLIC_URL: o->zPublicUrl = g->zArg; return 0;
	case S_QUEUE:
		if (ky_opts_int(g, 1, 1 << 20, &n)) return KY_EXIT_USAGE;
		o->nQueueMax = (uint32_t)n;
		return 0;
	case S_TICK:
		if (ky_opts_int(g, 1, 1000, &n)) return KY_EXIT_USAGE;
		o->tickMs = (int)n;
		return 0;
	case S_LOG_JSON: o->bLogJson = 1; return 0;
	case S_TLS_CERT: o->zTlsCert = g->zArg; return 0;
	case S_TLS_KEY: o->zTlsKey = g->zArg; return 0;
	case S_PING:
		if (ky_opts_int(g, 1, 3600, &n)) return KY_EXIT_USAGE;
		o->pingS = (int)n;
		return 0;
	case S_ACTION_RATE: return ky_opts_double(g, 0, 1e6, &o->actionRate);
	case S_ACTION_BURST:
		if (ky_opts_int(g, 1, 1 << 20, &n)) return KY_EXIT_USAGE;
		o->actionBurst = (int)n;
		return 0;
	}
	return KY_EXIT_USAGE;
}

int srv_cli_serve(int argc, char **argv) {
	srv_opts o;
	ky_opts g;
	ky_err err = { 0 };
	int id, rc = 0, bAuto = 0;
	srv_opts_default(&o);
	ky_opts_init(&g, &kServe, argc, argv);
	while (rc == 0 && (id = ky_opts_next(&g)) > 0) rc = serve_option(&g, id, &o, &bAuto);
	if (rc) return rc;
	if (id < 0) return g.rc;
	o.zScenario = g.azPos[0];
	if (bAuto) o.bResume = has_journal(o.zDb);
	if (!o.zTlsCert != !o.zTlsKey) return ky_opts_usage(&g, "--tls-cert and --tls-key go together");
	rc = srv_serve(&o, &err);
	if (rc) {
		fprintf(stderr, "kyodo serve: %s\n", err.zMsg[0] ? err.zMsg : ky_err_name(rc));
		return KY_EXIT_FAIL;
	}
	return KY_EXIT_OK;
}
