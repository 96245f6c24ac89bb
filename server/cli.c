/* cli (server): see cli.h. Parses the options of CONTRACT §1 (and a few extensions) and runs srv_serve. */
#include "server/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server.h"

static int usage(void) {
	fprintf(stderr,
	        "usage: kyodo serve SCENARIO.lua [--port P] [--host H] [--db FILE] [--speed X] [--resume]\n"
	        "                  [--autostart] [--web DIR] [--public-url URL] [--queue N] [--tick MS]\n"
	        "                  [--tls-cert FILE --tls-key FILE] [--ping S]\n"
	        "  --port P      listen port (default 8080; 0 picks a free one)\n"
	        "  --host H      listen address (default 127.0.0.1)\n"
	        "  --db FILE     journal (default kyodo.db)\n"
	        "  --speed X     simulated seconds per wall second (default 1)\n"
	        "  --resume      go on with the drill in --db; the join URLs of the first start stay valid\n"
	        "  --autostart   start the clock at once (default: held until the facilitator's start)\n"
	        "  --web DIR     the participant and facilitator pages (default: ui/web beside the binary)\n"
	        "  --public-url URL  base of the printed join URLs, e.g. https://drill.example.org (default http://HOST:PORT)\n"
	        "  --queue N     messages a connection may have waiting before it is dropped (default 4096)\n"
	        "  --tick MS     wall milliseconds per paced step (default 20)\n"
	        "  --tls-cert FILE, --tls-key FILE  serve HTTPS and wss only (PEM certificate chain and key); join URLs https://\n"
	        "  --ping S      ping a websocket idle S seconds; close one silent 2S+5 s (default 10)\n");
	return 2;
}

static int num(const char *zOpt, const char *z, double lo, double hi, double *pOut) {
	char *pEnd;
	double v = z ? strtod(z, &pEnd) : 0;
	if (!z || !*z || *pEnd || v < lo || v > hi) {
		fprintf(stderr, "kyodo serve: %s: expected a number from %g to %g, got '%s'\n", zOpt, lo, hi, z ? z : "");
		return -1;
	}
	*pOut = v;
	return 0;
}

int srv_cli_serve(int argc, char **argv) {
	srv_opts o;
	ky_err err = { 0 };
	double v;
	int rc;
	srv_opts_default(&o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *zVal = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) return usage() - 2;
		else if (!strcmp(a, "--resume")) o.bResume = 1;
		else if (!strcmp(a, "--autostart")) o.bAutostart = 1;
		else if (!strcmp(a, "--host") && zVal) o.zHost = argv[++i];
		else if (!strcmp(a, "--db") && zVal) o.zDb = argv[++i];
		else if (!strcmp(a, "--web") && zVal) o.zWeb = argv[++i];
		else if (!strcmp(a, "--public-url") && zVal) o.zPublicUrl = argv[++i];
		else if (!strcmp(a, "--tls-cert") && zVal) o.zTlsCert = argv[++i];
		else if (!strcmp(a, "--tls-key") && zVal) o.zTlsKey = argv[++i];
		else if (!strcmp(a, "--ping")) {
			if (num(a, zVal, 1, 3600, &v)) return 2;
			o.pingS = (int)v, i++;
		}
		else if (!strcmp(a, "--port")) {
			if (num(a, zVal, 0, 65535, &v)) return 2;
			o.port = (int)v, i++;
		} else if (!strcmp(a, "--speed")) {
			if (num(a, zVal, 1e-6, 100000, &v)) return 2;
			o.speed = v, i++;
		} else if (!strcmp(a, "--queue")) {
			if (num(a, zVal, 1, 1 << 20, &v)) return 2;
			o.nQueueMax = (uint32_t)v, i++;
		} else if (!strcmp(a, "--tick")) {
			if (num(a, zVal, 1, 1000, &v)) return 2;
			o.tickMs = (int)v, i++;
		} else if (a[0] != '-' && !o.zScenario) o.zScenario = a;
		else {
			fprintf(stderr, "kyodo serve: unknown or incomplete option '%s'\n", a);
			return usage();
		}
	}
	if (!o.zScenario) return usage();
	if (!o.zTlsCert != !o.zTlsKey) {
		fprintf(stderr, "kyodo serve: --tls-cert and --tls-key go together\n");
		return 2;
	}
	rc = srv_serve(&o, &err);
	if (rc) {
		fprintf(stderr, "kyodo serve: %s\n", err.zMsg[0] ? err.zMsg : ky_err_name(rc));
		return 1;
	}
	return 0;
}
