/* bench/scenario: what a drill's Lua callbacks add to `kyodo run` on the fleet benchmark's workload
 * (bench/fleet.c: 1,000,000 cars checking in every 5 simulated minutes, one spreading attack, one OTA campaign,
 * 4 simulated hours).
 * ours: a drill file written at run time (scenario{}, teams, fleet, sbom, injects with expectations, penalty,
 *       outcome, at, every("10m") spreading the attack, every("1m") reading world.metrics(), a when() condition,
 *       on("action") and on("inject") handlers) driven like `kyodo run FILE --actions FILE`: scn_drill_open, then
 *       advance to each scripted action, scn_drill_action, advance to the end, the --json summary.
 * peer: the same world workload with no Lua and no drill: the same cohorts, seed and SBOM, the attack verbs as C
 *       engine events at the same simulated times, the same team actions applied with veh_world_action at the
 *       same times, a metrics sample (veh_world_metrics_json) every simulated minute as the drill takes them, and
 *       at the end what the --json summary computes of the world (its metrics and state hash).
 * Both worlds must end in the same state (veh_world_state_hash), which shows the workloads are the same.
 * Timed: the simulation after the world has started (both sides), best of REPS alternating runs; the set-up
 * (drill open: Lua load and world build, twice since the file declares its seed; peer: world build) is printed.
 * Prints JSON lines (bench scenario.callbacks: overhead_ratio, wall_s, cpu overhead_ratio, vs target) then a
 * summary. Usage: build/bench/scenario [cars] [hours] [reps] [dir]   (dir: write the drill there and keep it) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/sim.h"
#include "engine/time.h"
#include "scenarios/drill.h"
#include "vehicles/world.h"
#include "bench/bench.h"

#define TARGET_OVERHEAD 1.10  /* issue 4: callbacks add <= 10% */


static void die(const char *what, const char *zMsg) {
	fprintf(stderr, "bench scenario: %s: %s\n", what, zMsg);
	exit(1);
}

/* ---- the workload --------------------------------------------------------------------------------------- */

#define SEED 20261128u
#define C2 "203.0.113.7"

/* The scripted teams (the --actions file): times in seconds; the world-changing ones are fleet.c's OTA
 * campaign at 1 h and the block at 2 h, the others are what teams do around them. */
typedef struct bench_action {
	int t;
	const char *zTeam, *zKind, *zArgs, *zId, *zInject;
} bench_action;

static const bench_action aAction[] = {
	{ 900, "vsoc", "triage", "{\"inject\":\"I1\"}", "a1", "I1" },
	{ 1500, "vsoc", "share", "{\"to\":\"isac\",\"text\":\"TCU beacons to " C2 "\",\"tlp\":\"amber\",\"indicators\":[\"" C2 "\"]}", "a2", "I1" },
	{ 2100, "oem_psirt", "triage", "{\"inject\":\"I2\"}", "a3", "I2" },
	{ 2700, "oem_psirt", "assess", "{\"component\":\"openssl@1.1.1k\",\"affected\":500000}", "a4", "I2" },
	{ 3000, "isac", "share", "{\"to\":\"all\",\"text\":\"Members see the same C2\",\"tlp\":\"green\"}", "a5", "I2" },
	{ 3600, "oem_psirt", "ota_campaign", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"ecu\":\"tcu\",\"version\":\"2.4.0\",\"rollout\":0.5}", "a6", "I2" },
	{ 4500, "legal_pr", "notify", "{\"party\":\"regulator\",\"stage\":\"initial\",\"text\":\"UN R155 initial notification\"}", "a7", "I3" },
	{ 7200, "vsoc", "block_indicator", "{\"value\":\"" C2 "\"}", "a8", "I1" },
	{ 7800, "legal_pr", "notify", "{\"party\":\"customers\",\"text\":\"Update your car\"}", "a9", NULL },
	{ 10800, "oem_psirt", "report", "{\"text\":\"Root cause: TCU below 2.4.0; patched by OTA\"}", "a10", NULL },
	{ 12600, "legal_pr", "notify", "{\"party\":\"regulator\",\"stage\":\"detailed\",\"text\":\"UN R155 detailed report\"}", "a11", "I3" },
};
#define N_ACTION ((int)(sizeof aAction / sizeof aAction[0]))

/* The drill. %u: the number of cars; %lld: the duration in seconds. */
static const char zScenario[] =
	"-- bench/scenario: the fleet benchmark's workload (bench/fleet.c) as a drill, with the callbacks a real drill has.\n"
	"local CARS = %u\n"
	"local C2 = \"" C2 "\"\n"
	"scenario { id = \"bench-fleet\", title = \"Fleet benchmark drill\", duration = %lld, seed = %u,\n"
	"           description = \"A TCU exploit spreads through a million cars until the C2 is blocked; an OTA campaign patches.\",\n"
	"           techniques = { \"ATM-T0012\" } }\n"
	"teams { { id = \"vsoc\", name = \"Vehicle SOC\" }, { id = \"oem_psirt\", name = \"OEM PSIRT\" },\n"
	"        { id = \"isac\", name = \"ISAC liaison\" }, { id = \"legal_pr\", name = \"Legal/PR\" } }\n"
	"\n"
	"-- fleet.c's 20 cohorts: 4 models x 5 regions, TCU versions rotating, check-in every 5 minutes\n"
	"local models = { \"Sedan-A\", \"SUV-B\", \"Kei-C\", \"Van-D\" }\n"
	"local regions = { \"JP-Kanto\", \"JP-Kansai\", \"JP-Chubu\", \"EU-DE\", \"US-CA\" }\n"
	"local tcu = { \"2.3.1\", \"2.3.4\", \"2.4.0\", \"2.5.0\" }\n"
	"local left = CARS\n"
	"for m = 1, 4 do\n"
	"\tfor r = 1, 5 do\n"
	"\t\tlocal n = (m == 4 and r == 5) and left or CARS // 20\n"
	"\t\tleft = left - n\n"
	"\t\tfleet { model = models[m], region = regions[r], count = n, checkin = \"5m\",\n"
	"\t\t        ecus = { tcu = tcu[(m + r - 2) %% 4 + 1], gw = \"1.4.0\", ivi = \"5.0.2\", bcm = \"3.1.0\", adas = \"1.0.\" .. (r - 1) } }\n"
	"\tend\n"
	"end\n"
	"sbom { tcu = { [\"2.3.1\"] = { \"openssl@1.1.1k\", \"busybox@1.31.1\" }, [\"2.3.4\"] = { \"openssl@1.1.1k\" } } }\n"
	"\n"
	"inject { id = \"I1\", at = \"00:10:00\", to = \"vsoc\", severity = \"high\", title = \"IDS alerts: TCUs beacon to \" .. C2,\n"
	"         body = \"Telematics units of several models contact an unknown host every check-in.\",\n"
	"         expects = { { action = \"triage\", args = { inject = \"I1\" }, within = \"30m\", points = 5 },\n"
	"                     { action = \"share\", args = { to = \"isac\", indicators = { C2 } }, within = \"1h\", points = 10 },\n"
	"                     { action = \"block_indicator\", args = { value = C2 }, within = \"2h\", points = 20 } } }\n"
	"inject { id = \"I2\", at = \"00:30:00\", to = { \"oem_psirt\", \"isac\" }, severity = \"high\",\n"
	"         title = \"Supplier: openssl 1.1.1k in TCU firmware below 2.4.0 is exploitable\",\n"
	"         expects = { { team = \"oem_psirt\", action = \"assess\", args = { component = \"openssl@1.1.1k\" }, within = \"1h\", points = 10 },\n"
	"                     { team = \"oem_psirt\", action = \"ota_campaign\", args = { ecu = \"tcu\", version = \"2.4.0\" }, within = \"1h\", points = 20 },\n"
	"                     { team = \"isac\", action = \"share\", args = { to = \"all\" }, within = \"1h\", points = 5 } } }\n"
	"inject { id = \"I3\", at = \"00:45:00\", to = \"legal_pr\", severity = \"medium\", title = \"Is this a reportable incident?\",\n"
	"         expects = { { action = \"notify\", args = { party = \"regulator\", stage = \"initial\" }, within = \"24h\", points = 20, label = \"R155-initial-24h\" },\n"
	"                     { action = \"notify\", args = { party = \"regulator\", stage = \"detailed\" }, within = \"72h\", points = 15, label = \"R155-detailed-72h\" } } }\n"
	"penalty { action = \"ota_campaign\", args = { version = \"2.5.0\" }, points = 20, reason = \"pushed the untested release\" }\n"
	"outcome { { metric = \"compromised\", best = 0, worst = 5000, points = 30 },\n"
	"          { metric = \"records_exfiltrated\", worst = 1000000, points = 10 } }\n"
	"\n"
	"-- the attack, at fleet.c's times\n"
	"at(\"00:05:00\", function(now)\n"
	"\tattack.compromise { select = { ecu = \"tcu\", below = \"2.4.0\" }, fraction = 0.001, persistence = true, technique = \"ATM-T0012\" }\n"
	"\tattack.exfiltrate { records_per_car = 5 }\n"
	"end)\n"
	"local spreads, newly = 0, 0\n"
	"every(\"10m\", function(now)\n"
	"\tlocal n = attack.spread { rate = 0.25 }\n"
	"\tspreads = spreads + 1\n"
	"\tif type(n) == \"number\" then newly = newly + n end\n"
	"end, { start = \"00:15:00\" })\n"
	"\n"
	"-- the facilitator's dashboard logic: a metrics read every simulated minute (reads counted for the report)\n"
	"local reads, END = 0, %lld\n"
	"local function metrics() reads = reads + 1; return world.metrics() end\n"
	"local peak, lastRecords, blocked, marks = 0, 0, false, { 100, 300, 1000, 3000, 10000 }\n"
	"every(\"1m\", function(now)\n"
	"\tlocal m = metrics()\n"
	"\tif now >= END then log(\"bench: world.metrics reads \" .. reads) end\n"
	"\tif m.compromised > peak then peak = m.compromised end\n"
	"\twhile #marks > 0 and m.compromised >= marks[1] do\n"
	"\t\tlog(\"compromised passed \" .. table.remove(marks, 1) .. \" at \" .. clock())\n"
	"\tend\n"
	"\tif m.records_exfiltrated - lastRecords >= 100000 then\n"
	"\t\tlastRecords = m.records_exfiltrated\n"
	"\t\tmessage { to = \"legal_pr\", from = \"Dark-web monitor\", text = lastRecords .. \" customer records offered for sale\" }\n"
	"\tend\n"
	"end)\n"
	"\n"
	"when(function() return metrics().compromised >= 300 end, function(now)\n"
	"\tinject { id = \"W1\", to = \"all\", severity = \"critical\", title = \"Press inquiry: cars hacked?\",\n"
	"\t         expects = { { team = \"legal_pr\", action = \"notify\", args = { party = \"customers\" }, within = \"2h\", points = 10 } } }\n"
	"end)\n"
	"\n"
	"on(\"action\", function(a)\n"
	"\tif a.kind == \"block_indicator\" and a.args.value == C2 and not blocked then\n"
	"\t\tblocked = true\n"
	"\t\tmessage { to = \"isac\", from = \"JPCERT/CC\", text = \"We also see \" .. C2 .. \" go quiet\", tlp = \"green\" }\n"
	"\t\tafter(\"15m\", function() inject { to = \"vsoc\", severity = \"info\", title = \"Beacons to \" .. C2 .. \" stopped\" } end)\n"
	"\telseif a.kind == \"ota_campaign\" then\n"
	"\t\tinject { to = \"oem_psirt\", severity = \"medium\", title = \"OTA campaign for tcu \" .. a.args.version .. \" started\" }\n"
	"\telseif a.kind == \"share\" and a.args.tlp == \"red\" and a.args.to == \"all\" then\n"
	"\t\tscore.add { team = a.team, points = -5, reason = \"TLP:RED to everyone\" }\n"
	"\tend\n"
	"end)\n"
	"local delivered = 0\n"
	"on(\"inject\", function(i) delivered = delivered + #i.to end)\n"
	"at(%lld, function(now)\n"
	"\tlog(\"peak compromised \" .. peak .. \", spreads \" .. spreads .. \", new infections \" .. newly .. \", deliveries \" .. delivered)\n"
	"end)\n";

static void write_file(const char *zPath, const char *zText) {
	FILE *f = fopen(zPath, "w");
	if (!f || fputs(zText, f) < 0 || fclose(f) != 0) die(zPath, strerror(errno));
}

/* Writes the drill and its actions (JSONL, for `kyodo run FILE --actions FILE`) into zDir. */
static void write_drill(const char *zDir, uint32_t nCars, double hours, char *zLua, char *zJsonl, size_t n) {
	size_t nBuf = sizeof zScenario + 256;
	char *z = malloc(nBuf);
	if (!z) die("scenario", "out of memory");
	long long nSec = (long long)(hours * 3600.0);
	snprintf(z, nBuf, zScenario, nCars, nSec, SEED, nSec, nSec);
	snprintf(zLua, n, "%s/bench-fleet.lua", zDir);
	write_file(zLua, z);
	free(z);
	snprintf(zJsonl, n, "%s/bench-fleet.actions.jsonl", zDir);
	FILE *f = fopen(zJsonl, "w");
	if (!f) die(zJsonl, strerror(errno));
	for (int i = 0; i < N_ACTION; i++) {
		const bench_action *a = &aAction[i];
		fprintf(f, "{\"t\":%d,\"team\":\"%s\",\"kind\":\"%s\",\"args\":%s,\"id\":\"%s\"", a->t, a->zTeam, a->zKind, a->zArgs, a->zId);
		if (a->zInject) fprintf(f, ",\"inject\":\"%s\"", a->zInject);
		fputs("}\n", f);
	}
	if (fclose(f) != 0) die(zJsonl, strerror(errno));
}

typedef struct timing {
	double setup, wall, cpu;
	double metricsCall;  /* CPU seconds of one veh_world_metrics on the final world (peer) */
	char zWorldHash[65];
} timing;

/* ---- ours: the drill, driven as `kyodo run --actions` drives it --------------------------------------------- */

typedef struct obs_count {
	int64_t nEvents, nErrors, nInjects, nMessages, nScores, nFleet, nReads;
	char zFirstError[600];
} obs_count;

static void on_event(void *ctx, eng_time_t t, const char *zKind, const char *zSubject, json_t *detail) {
	obs_count *c = ctx;
	(void)t;
	c->nEvents++;
	if (!strcmp(zKind, "log")) {
		long long n;
		const char *z = json_string_value(json_object_get(detail, "text"));
		if (z && sscanf(z, "bench: world.metrics reads %lld", &n) == 1) c->nReads = n;
	}
	if (strcmp(zKind, "scenario.error") != 0 && strcmp(zKind, "scenario.stopped") != 0) return;
	if (!c->nErrors++) {
		snprintf(c->zFirstError, sizeof c->zFirstError, "%s: %s", zSubject, json_string_value(json_object_get(detail, "message")));
	}
}
static void on_inject(void *ctx, const char *team, json_t *m) { (void)team; (void)m; ((obs_count *)ctx)->nInjects++; }
static void on_message(void *ctx, json_t *m) { (void)m; ((obs_count *)ctx)->nMessages++; }
static void on_score(void *ctx, const char *team, json_t *m) { (void)team; (void)m; ((obs_count *)ctx)->nScores++; }
static void on_fleet(void *ctx, json_t *m) { (void)m; ((obs_count *)ctx)->nFleet++; }

static void run_ours(const char *zLua, timing *tm, obs_count *c, json_t **pSummary) {
	ky_err err = { 0 };
	memset(c, 0, sizeof *c);
	scn_observer obs = { .ctx = c, .on_event = on_event, .on_inject = on_inject, .on_message = on_message,
	                     .on_score = on_score, .on_fleet = on_fleet };
	scn_drill_opts opts = { .pObs = &obs };
	double t0 = bench_wall_s();
	scn_drill *d = scn_drill_open(zLua, &opts, &err);
	if (!d) die("drill", err.zMsg);
	tm->setup = bench_wall_s() - t0;
	eng_time_t end = scn_drill_duration(d);
	double w0 = bench_wall_s(), c0 = bench_cpu_s();
	for (int i = 0; i < N_ACTION && ENG_S(aAction[i].t) <= end; i++) {
		const bench_action *a = &aAction[i];
		if (scn_drill_advance_to(d, ENG_S(a->t), &err)) die("advance", err.zMsg);
		json_t *args = json_loads(a->zArgs, 0, NULL);
		int64_t seq = 0;
		if (scn_drill_action(d, a->zTeam, a->zId, a->zKind, args, a->zInject, &seq, &err)) die(a->zKind, err.zMsg);
		json_decref(args);
	}
	if (scn_drill_advance_to(d, end, &err)) die("advance", err.zMsg);
	json_t *s = scn_drill_summary_json(d);
	tm->wall = bench_wall_s() - w0;
	tm->cpu = bench_cpu_s() - c0;
	veh_world_state_hash(scn_drill_world(d), tm->zWorldHash);
	json_decref(*pSummary);
	*pSummary = s;
	scn_drill_free(d);
}

/* ---- peer: the same world workload in C ------------------------------------------------------------------ */

typedef struct peer_script {
	veh_world *w;
	uint32_t kind;
	eng_time_t end;
} peer_script;

static void call(veh_world *w, const char *zTeam, const char *verb, const char *zArgs, int bAction) {
	ky_err err = { 0 };
	json_t *a = json_loads(zArgs, 0, NULL), *r = NULL;
	int rc = bAction ? veh_world_action(w, zTeam, verb, a, &r, &err) : veh_world_call(w, verb, a, &r, &err);
	json_decref(a);
	json_decref(r);
	if (rc) die(verb, err.zMsg);
}

static void on_peer_script(eng_sim *sim, void *ctx, const eng_event *ev) {
	peer_script *s = ctx;
	if (ev->a == 0) {
		call(s->w, NULL, "attack.compromise", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"fraction\":0.001,"
		                                      "\"persistence\":true,\"technique\":\"ATM-T0012\"}", 0);
		call(s->w, NULL, "attack.exfiltrate", "{\"records_per_car\":5}", 0);
	} else {
		call(s->w, NULL, "attack.spread", "{\"rate\":0.25}", 0);
		if (eng_sim_now(sim) + ENG_S(600) <= s->end) eng_sim_after(sim, ENG_S(600), s->kind, 1, 0, NULL);
	}
}

static void run_peer(uint32_t nCars, double hours, timing *tm) {
	ky_err err = { 0 };
	eng_time_t end = (eng_time_t)(hours * 3600.0) * ENG_US_PER_S;
	double t0 = bench_wall_s();
	eng_sim *sim = eng_sim_new(SEED);
	veh_world *w = veh_world_new(sim, &err);
	if (!w) die("world", err.zMsg);
	if (bench_fleet_configure(w, nCars, &err)) die("configure", err.zMsg);
	if (veh_world_start(w, &err)) die("start", err.zMsg);
	peer_script s = { w, 0, end };
	eng_sim_register(sim, "bench.script", on_peer_script, &s, &s.kind);
	if (ENG_S(300) <= end) eng_sim_schedule(sim, ENG_S(300), s.kind, 0, 0, NULL);
	if (ENG_S(900) <= end) eng_sim_schedule(sim, ENG_S(900), s.kind, 1, 0, NULL);
	tm->setup = bench_wall_s() - t0;

	double w0 = bench_wall_s(), c0 = bench_cpu_s();
	int iAct = 0;
	json_decref(veh_world_metrics_json(w));  /* the drill samples at 0 too */
	for (eng_time_t tSample = ENG_S(60); tSample <= end; tSample += ENG_S(60)) {
		while (iAct < N_ACTION && ENG_S(aAction[iAct].t) <= tSample) {
			const bench_action *a = &aAction[iAct++];
			eng_sim_run_until(sim, ENG_S(a->t));
			call(w, a->zTeam, a->zKind, a->zArgs, 1);
		}
		eng_sim_run_until(sim, tSample);
		json_decref(veh_world_metrics_json(w));
	}
	eng_sim_run_until(sim, end);
	json_decref(veh_world_metrics_json(w));   /* the summary's fleet */
	veh_world_state_hash(w, tm->zWorldHash);  /* and its state_hash (a snapshot and its SHA-256) */
	tm->wall = bench_wall_s() - w0;
	tm->cpu = bench_cpu_s() - c0;
	veh_metrics vm;
	double m0 = bench_cpu_s();
	for (int i = 0; i < 20; i++) veh_world_metrics(w, &vm);
	tm->metricsCall = (bench_cpu_s() - m0) / 20;
	veh_world_free(w);
	eng_sim_free(sim);
}

/* ---- main ------------------------------------------------------------------------------------------------ */

static void line(const char *bench, const char *metric, double v, const char *unit, const char *peer, double pv, double ratio) {
	printf("{\"bench\":\"%s\",\"metric\":\"%s\",\"value\":%.6g,\"unit\":\"%s\",\"peer\":\"%s\",\"peer_value\":%.6g,\"ratio\":%.4g}\n",
	       bench, metric, v, unit, peer, pv, ratio);
}

static int64_t fires(json_t *summary, const char *zType) {
	int64_t n = 0;
	size_t i;
	json_t *b;
	json_array_foreach(json_object_get(summary, "branches"), i, b) {
		if (!strcmp(json_string_value(json_object_get(b, "type")), zType)) n += json_integer_value(json_object_get(b, "fires"));
	}
	return n;
}

int main(int argc, char **argv) {
	uint32_t nCars = argc > 1 ? (uint32_t)atol(argv[1]) : 1000000u;
	double hours = argc > 2 ? atof(argv[2]) : 4.0;
	int nRep = argc > 3 ? atoi(argv[3]) : 3;
	if (nCars < 20 || hours <= 0 || nRep < 1) die("usage", "build/bench/scenario [cars>=20] [hours] [reps] [dir]");
	char zDir[4096], zLua[4200], zJsonl[4200];
	int bKeep = argc > 4;
	if (bKeep) {
		snprintf(zDir, sizeof zDir, "%s", argv[4]);
	} else {
		const char *zTmp = getenv("TMPDIR");
		snprintf(zDir, sizeof zDir, "%s/kyodo-bench-XXXXXX", zTmp && *zTmp ? zTmp : "/tmp");
		if (!mkdtemp(zDir)) die(zDir, strerror(errno));
	}
	write_drill(zDir, nCars, hours, zLua, zJsonl, sizeof zLua);

	timing best[2], tm;  /* 0 ours, 1 peer */
	obs_count cnt;
	json_t *summary = NULL;
	for (int k = 0; k < 2; k++) best[k].wall = best[k].cpu = best[k].setup = best[k].metricsCall = 1e300;
	for (int rep = 0; rep < nRep; rep++) {
		for (int j = 0; j < 2; j++) {
			int k = (rep + j) % 2;  /* alternate which goes first */
			if (k == 0) run_ours(zLua, &tm, &cnt, &summary);
			else run_peer(nCars, hours, &tm);
			if (tm.wall < best[k].wall) best[k].wall = tm.wall;
			if (tm.cpu < best[k].cpu) best[k].cpu = tm.cpu;
			if (tm.setup < best[k].setup) best[k].setup = tm.setup;
			if (k == 1 && tm.metricsCall < best[k].metricsCall) best[k].metricsCall = tm.metricsCall;
			memcpy(best[k].zWorldHash, tm.zWorldHash, sizeof tm.zWorldHash);
		}
	}
	if (!bKeep) {
		unlink(zLua);
		unlink(zJsonl);
		rmdir(zDir);
	}
	if (cnt.nErrors) die("the drill reported scenario errors", cnt.zFirstError);
	int bSame = !strcmp(best[0].zWorldHash, best[1].zWorldHash);

	/* ratio > 1 is better: the peer's time over ours (ours/peer as a speed), 1/overhead_ratio */
	double ov = best[0].wall / best[1].wall, ovCpu = best[0].cpu / best[1].cpu;
	line("scenario.callbacks", "overhead_ratio", ov, "x", "world without scenario callbacks", 1.0, 1.0 / ov);
	line("scenario.callbacks", "wall_s", best[0].wall, "s", "world without scenario callbacks", best[1].wall, best[1].wall / best[0].wall);
	line("scenario.callbacks.cpu", "overhead_ratio", ovCpu, "x", "world without scenario callbacks", 1.0, 1.0 / ovCpu);
	line("scenario.callbacks", "overhead_vs_target", ov, "x", "target", TARGET_OVERHEAD, TARGET_OVERHEAD / ov);

	json_t *fl = json_object_get(summary, "fleet");
	double simS = hours * 3600.0;
	/* Attribution: world.metrics() from Lua is veh_world_metrics_json (counters kept as cars change, so its cost
	 * does not grow with the fleet); the drill's callbacks call it nReads times more than the peer's one sample a
	 * minute (which both do). */
	double tReads = (double)cnt.nReads * best[1].metricsCall;
	double ovRest = (best[0].cpu - tReads) / best[1].cpu;
	printf("scenario: %u cars, %.1f simulated hours, best of %d alternating runs; timed from the started world to the end\n"
	       "  drill (kyodo run path): %.2f s wall, %.2f s CPU (open %.2f s: the Lua file and the world, loaded twice for the seed)\n"
	       "  peer (world, C events): %.2f s wall, %.2f s CPU (world build %.2f s)\n"
	       "  callbacks fired: at %lld, every %lld, when %lld, on %lld; injects sent %lld (%lld deliveries), messages %lld,\n"
	       "  score messages %lld, fleet samples %lld, events to the observer %lld, actions %lld, scenario errors %lld\n"
	       "  world.metrics() calls by the callbacks %lld; one veh_world_metrics takes %.2f ms CPU at %u cars (counters\n"
	       "  kept as cars change state) => those reads cost about %.2f s (whole CPU difference %.2f s);\n"
	       "  drill CPU without them would be %.3fx the peer's (an estimate)\n"
	       "  outcome: compromised %lld, patched %lld, records %lld, joint score %.1f; world state %s (%s)\n"
	       "  drill state_hash %s\n",
	       nCars, hours, nRep, best[0].wall, best[0].cpu, best[0].setup, best[1].wall, best[1].cpu, best[1].setup,
	       (long long)fires(summary, "at"), (long long)fires(summary, "every"), (long long)fires(summary, "when"),
	       (long long)fires(summary, "on"), (long long)json_integer_value(json_object_get(summary, "injects_sent")),
	       (long long)cnt.nInjects, (long long)cnt.nMessages, (long long)cnt.nScores, (long long)cnt.nFleet,
	       (long long)cnt.nEvents, (long long)json_integer_value(json_object_get(summary, "actions")),
	       (long long)json_integer_value(json_object_get(summary, "scenario_errors")), (long long)cnt.nReads,
	       best[1].metricsCall * 1e3, nCars, tReads, best[0].cpu - best[1].cpu, ovRest,
	       (long long)json_integer_value(json_object_get(fl, "compromised")), (long long)json_integer_value(json_object_get(fl, "patched")),
	       (long long)json_integer_value(json_object_get(fl, "records_exfiltrated")), json_number_value(json_object_get(summary, "joint")),
	       bSame ? "identical in both" : "DIFFERS between drill and peer", best[0].zWorldHash,
	       json_string_value(json_object_get(summary, "state_hash")));
	printf("Target (issue 4): scenario callbacks add <= 10%% to `kyodo run` of the fleet benchmark with a drill attached. "
	       "With these callbacks the drill took %.3fx the wall time of the same world workload without Lua (%.3fx in CPU "
	       "time, which the other processes on the machine disturb less), i.e. %+.1f%% wall: the target is %s. "
	       "%s the world.metrics() reads of the every(\"1m\") and when() callbacks: each one scans "
	       "the whole fleet (%.2f ms here), so a callback that reads metrics every minute costs as much as the drill's own "
	       "sample; without those reads the drill would be about %.3fx (estimate). "
	       "In the JSON, value is ours/peer time (lower is better) and ratio is peer/ours, so > 1 is better and the "
	       "target means ratio >= %.3f; the overhead_vs_target line has ratio > 1 exactly when the target is met. "
	       "The drill ran %.0f simulated seconds at %.0fx real time.\n",
	       ov, ovCpu, (ov - 1) * 100, ov <= TARGET_OVERHEAD ? "met" : "NOT met",
	       tReads > 0.5 * (best[0].cpu - best[1].cpu) ? "Most of the difference is" : "Part of the difference is",
	       best[1].metricsCall * 1e3, ovRest,
	       1.0 / TARGET_OVERHEAD, simS, simS / best[0].wall);
	json_decref(summary);
	return bSame ? 0 : 1;
}
