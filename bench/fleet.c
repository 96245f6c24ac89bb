/* bench/fleet: the fleet simulation at national scale. Prints JSON lines, each with its peer from the same run, then
 * a human summary.
 *   fleet.1M     a million cars for 4 simulated hours as fast as possible: check-ins every 5 minutes, one spreading
 *                attack (compromise, spread every 10 minutes, blocked after 2 hours), one OTA campaign
 *                (real_time_factor, events_per_s, bytes_per_car, vs_phold); peers: a plain PHOLD on eng_sim (the
 *                engine's raw events/s) and the same check-ins as one heap event per car (fleet.1M.checkin)
 *   fleet.10M    ten million cars across 3 OEMs (and an ISAC) for 4 simulated hours: real_time_factor (target
 *                >= 2,000x) and bytes_per_car (target <= 48), each against its target
 *   fleet.orgs   per-org accounting: the same 1M-car fleet and script run with the cohorts owned by 3 OEMs and with
 *                no orgs, in alternating pairs; overhead_ratio = the median of orgs/plain wall times (target <= 1.10)
 *   national.10M `kyodo run` of scenarios/national-relay.lua with its good script at 10,000,000 cars (SCALE = 1)
 *                and, as its peer, at its shipped 1/100 scale: wall_s (peer scaled x100) and journal bytes per car
 * Usage: build/bench/fleet [cars] [hours] [--only fleet.1M|fleet.10M|fleet.orgs|national.10M|core|core.orgs]
 * (core: one run of the 1M workload and nothing else, core.orgs the same with orgs; for profilers) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/sim.h"
#include "vehicles/world.h"
#include "bench/bench.h"

#define ORGS 3             /* OEMs of the multi-org runs */
#define PAIRS 5            /* alternating pairs of fleet.orgs */
#define TARGET_RTF_10M 2000.0
#define TARGET_BPC_10M 48.0
#define TARGET_ORGS 1.10

static long rss_bytes(void) {
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f) return 0;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0;
	fclose(f);
	return rss * sysconf(_SC_PAGESIZE);
}

static void line(const char *bench, const char *metric, double v, const char *unit, const char *peer, double pv, double ratio) {
	printf("{\"bench\":\"%s\",\"metric\":\"%s\",\"value\":%.6g,\"unit\":\"%s\",\"peer\":\"%s\",\"peer_value\":%.6g,\"ratio\":%.4g}\n",
	       bench, metric, v, unit, peer, pv, ratio);
	fflush(stdout);
}

static void die(const char *what, const ky_err *err) {
	fprintf(stderr, "bench fleet: %s: %s\n", what, err->zMsg);
	exit(1);
}

/* ---- the workload, as engine events --------------------------------------------------------------------- */

typedef struct script {
	veh_world *w;
	uint32_t kind;
	int nOrg;       /* 0: the original script (one OTA campaign); else ORGS OTA campaigns, one per OEM (or per model
	                 * group of the same cars when the run has no orgs: the same work, with or without orgs) */
	int bSplitOta;
	int64_t nSpread;
} script;

static void call(veh_world *w, const char *org, const char *verb, const char *args, int bAction) {
	ky_err err = { 0 };
	json_error_t je;
	json_t *a = json_loads(args, 0, &je), *r = NULL;
	int rc = bAction ? veh_world_action_as(w, "bench", org, verb, a, &r, &err) : veh_world_call(w, verb, a, &r, &err);
	json_decref(a);
	json_decref(r);
	if (rc) die(verb, &err);
}

/* The OTA step: one campaign, or one per OEM (model m belongs to OEM m % ORGS + 1, see bench.h). */
static void ota(script *s) {
	static const char *azModel[] = { "Sedan-A", "SUV-B", "Kei-C", "Van-D" };
	if (!s->bSplitOta) {
		call(s->w, NULL, "ota_campaign", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"ecu\":\"tcu\",\"version\":\"2.4.0\","
		                                 "\"rollout\":0.5}", 1);
		return;
	}
	for (int o = 0; o < ORGS; o++) {
		char zOrg[32], zModels[128] = "", z[400];
		snprintf(zOrg, sizeof zOrg, "bench_oem_%d", o + 1);
		for (int m = 0; m < 4; m++)
			if (m % ORGS == o) snprintf(zModels + strlen(zModels), sizeof zModels - strlen(zModels), "%s\"%s\"", zModels[0] ? "," : "", azModel[m]);
		if (s->nOrg)  /* the team of each OEM updates its own cars */
			snprintf(z, sizeof z, "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"ecu\":\"tcu\",\"version\":\"2.4.0\",\"rollout\":0.5}");
		else
			snprintf(z, sizeof z, "{\"select\":{\"model\":[%s],\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"ecu\":\"tcu\",\"version\":\"2.4.0\","
			         "\"rollout\":0.5}", zModels);
		call(s->w, s->nOrg ? zOrg : NULL, "ota_campaign", z, 1);
	}
}

static void on_script(eng_sim *sim, void *ctx, const eng_event *ev) {
	script *s = ctx;
	switch (ev->a) {
	case 0:
		call(s->w, NULL, "attack.compromise", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"fraction\":0.001,"
		                                      "\"persistence\":true,\"technique\":\"ATM-T0012\"}", 0);
		call(s->w, NULL, "attack.exfiltrate", "{\"records_per_car\":5}", 0);
		break;
	case 1:
		call(s->w, NULL, "attack.spread", "{\"rate\":0.25}", 0);
		s->nSpread++;
		eng_sim_after(sim, ENG_S(600), s->kind, 1, 0, NULL);
		break;
	case 2:
		ota(s);
		break;
	case 3:
		call(s->w, NULL, "block_indicator", "{\"value\":\"203.0.113.7\"}", 1);  /* unscoped: at every org's gateway */
		break;
	}
}

/* One run of the fleet workload and what it measured. */
typedef struct fleet_run {
	double wall, cpu, rtf, eps, bpc, bpcStart;
	uint64_t nCarEv, nEngEv;
	int64_t nSamples;
	veh_metrics m;
	char hex[65];
	size_t nSnap;
	double tSnap;
	long rssBefore;
} fleet_run;

static void run_fleet(uint32_t nCars, double hours, int nOrg, int bSplitOta, fleet_run *out) {
	eng_time_t tEnd = (eng_time_t)(hours * 3600.0) * ENG_US_PER_S;
	ky_err err = { 0 };
	memset(out, 0, sizeof *out);
	long rss0 = rss_bytes();
	eng_sim *sim = eng_sim_new(20261128);
	veh_world *w = veh_world_new(sim, &err);
	if (!w) die("new", &err);
	if (bench_fleet_configure_orgs(w, nCars, nOrg, &err)) die("configure", &err);
	if (veh_world_start(w, &err)) die("start", &err);
	long rss1 = rss_bytes();
	script s = { w, 0, nOrg, bSplitOta, 0 };
	eng_sim_register(sim, "bench.script", on_script, &s, &s.kind);
	eng_sim_schedule(sim, ENG_S(300), s.kind, 0, 0, NULL);
	eng_sim_schedule(sim, ENG_S(900), s.kind, 1, 0, NULL);
	eng_sim_schedule(sim, ENG_S(3600), s.kind, 2, 0, NULL);
	eng_sim_schedule(sim, ENG_S(7200), s.kind, 3, 0, NULL);
	/* metric samples once a simulated minute, as the drill takes them */
	double t0 = bench_wall_s(), c0 = bench_cpu_s();
	for (eng_time_t t = ENG_S(60); t <= tEnd; t += ENG_S(60)) {
		eng_sim_run_until(sim, t);
		json_decref(veh_world_metrics_json(w));
		out->nSamples++;
	}
	out->wall = bench_wall_s() - t0;
	out->cpu = bench_cpu_s() - c0;
	long rss2 = rss_bytes();
	veh_world_state_hash(w, out->hex);
	veh_world_metrics(w, &out->m);
	out->nCarEv = veh_world_car_events(w);
	out->nEngEv = eng_sim_events_run(sim);
	out->eps = (double)out->nCarEv / out->wall;
	out->rtf = (double)tEnd / ENG_US_PER_S / out->wall;
	out->bpc = (double)(rss2 - rss0) / nCars;
	out->bpcStart = (double)(rss1 - rss0) / nCars;
	out->rssBefore = rss0;
	unsigned char *pSnap = NULL;
	double tS0 = bench_wall_s();
	if (veh_world_snapshot(w, &pSnap, &out->nSnap, &err)) die("snapshot", &err);
	out->tSnap = bench_wall_s() - tS0;
	free(pSnap);
	veh_world_free(w);
	eng_sim_free(sim);
}

/* ---- peer 1: PHOLD on eng_sim --------------------------------------------------------------------------- */

typedef struct phold {
	eng_rng r;
	uint32_t kind, nLp;
} phold;

static void on_phold(eng_sim *sim, void *ctx, const eng_event *ev) {
	phold *p = ctx;
	(void)ev;
	eng_time_t d = (eng_time_t)eng_rng_exp(&p->r, 1e6) + 1;
	eng_sim_after(sim, d, p->kind, (uint32_t)eng_rng_below(&p->r, p->nLp), 0, NULL);
}

static double run_phold(uint32_t nLp, uint32_t nInit, eng_time_t tEnd, uint64_t *pEvents) {
	eng_sim *sim = eng_sim_new(1);
	phold p;
	p.nLp = nLp;
	eng_sim_stream(sim, "phold", &p.r);
	eng_sim_register(sim, "phold", on_phold, &p, &p.kind);
	for (uint32_t i = 0; i < nInit; i++)
		eng_sim_schedule(sim, (eng_time_t)eng_rng_exp(&p.r, 1e6), p.kind, i % nLp, 0, NULL);
	double t0 = bench_wall_s();
	eng_sim_run_until(sim, tEnd);
	double dt = bench_wall_s() - t0;
	*pEvents = eng_sim_events_run(sim);
	eng_sim_free(sim);
	return (double)*pEvents / dt;
}

/* ---- peer 2: one heap event per car --------------------------------------------------------------------- */

typedef struct percar {
	eng_rng r;
	uint32_t kind;
	uint32_t *aLast;
	uint16_t *aFlags;
} percar;

static void on_car(eng_sim *sim, void *ctx, const eng_event *ev) {
	percar *p = ctx;
	uint64_t r = eng_rng_u64(&p->r);
	p->aLast[ev->a] = (uint32_t)(eng_sim_now(sim) / ENG_US_PER_S) + (uint32_t)((r >> 32) % 30) + 1;
	if ((uint32_t)r < 20000000u) p->aFlags[ev->a] ^= 8;  /* churn-like work */
	eng_sim_after(sim, ENG_S(300), p->kind, ev->a, 0, NULL);
}

static double run_percar(uint32_t nCars, eng_time_t tEnd, uint64_t *pEvents, double *pBytesPerCar) {
	long rss0 = rss_bytes();
	eng_sim *sim = eng_sim_new(1);
	percar p;
	p.aLast = calloc(nCars, 4);
	p.aFlags = calloc(nCars, 2);
	eng_sim_stream(sim, "percar", &p.r);
	eng_sim_register(sim, "car", on_car, &p, &p.kind);
	for (uint32_t i = 0; i < nCars; i++) eng_sim_schedule(sim, (eng_time_t)eng_rng_below(&p.r, 300) * ENG_US_PER_S, p.kind, i, 0, NULL);
	*pBytesPerCar = (double)(rss_bytes() - rss0) / nCars;  /* 6 bytes of car state + the queue's entries */
	double t0 = bench_wall_s();
	eng_sim_run_until(sim, tEnd);
	double dt = bench_wall_s() - t0;
	*pEvents = eng_sim_events_run(sim);
	eng_sim_free(sim);
	free(p.aLast);
	free(p.aFlags);
	return (double)*pEvents / dt;
}

/* ---- sections -------------------------------------------------------------------------------------------- */

static void bench_1m(uint32_t nCars, double hours) {
	fleet_run f;
	run_fleet(nCars, hours, 0, 0, &f);
	uint64_t nPh = 0, nPc = 0;
	double phEps = run_phold(10000, 100000, ENG_S(50), &nPh);
	double qb = 0;
	double pc = run_percar(nCars, ENG_S(1800), &nPc, &qb);
	line("fleet.1M", "real_time_factor", f.rtf, "x", "target", 1000, f.rtf / 1000);
	line("fleet.1M", "events_per_s", f.eps, "1/s", "eng_sim PHOLD 100k same run", phEps, f.eps / phEps);
	line("fleet.1M", "bytes_per_car", f.bpc, "B", "target", 200, 200 / f.bpc);
	line("fleet.1M", "vs_phold", f.eps / phEps, "ratio", "target", 0.5, f.eps / phEps / 0.5);
	line("fleet.1M.checkin", "events_per_s", f.eps, "1/s", "one heap event per car (eng_sim)", pc, f.eps / pc);
	fprintf(stdout,
	        "fleet: %u cars, %.1f simulated hours in %.2f s wall (%.2f s CPU) = %.0fx real time\n"
	        "  car events %llu (check-ins, OTA steps, infections) = %.3g/s; engine events %llu; %lld metric samples\n"
	        "  resident: %.1f B/car after start (%.1f B/car at the end, %.0f MB before)\n"
	        "  outcome: compromised %lld, patched %lld, offline %lld, bricked %lld, records %lld, car-hours %.0f, alerts %lld, incidents %lld, check-ins %lld\n"
	        "  peers: PHOLD %llu events at %.3g/s; per-car heap events %llu in 30 min at %.3g/s (wheel is %.1fx), %.0f resident B/car for 6 B of state + queue\n"
	        "  snapshot %.1f MB (%.2f B/car) in %.3f s; state_hash %s\n",
	        nCars, hours, f.wall, f.cpu, f.rtf, (unsigned long long)f.nCarEv, f.eps, (unsigned long long)f.nEngEv,
	        (long long)f.nSamples, f.bpcStart, f.bpc, f.rssBefore / 1e6, (long long)f.m.compromised, (long long)f.m.patched,
	        (long long)f.m.offline, (long long)f.m.bricked, (long long)f.m.records_exfiltrated, f.m.compromised_car_hours,
	        (long long)f.m.alerts, (long long)f.m.incidents, (long long)f.m.checkins, (unsigned long long)nPh, phEps,
	        (unsigned long long)nPc, pc, f.eps / pc, qb, f.nSnap / 1e6, (double)f.nSnap / nCars, f.tSnap, f.hex);
}

static void bench_10m(void) {
	fleet_run f;
	run_fleet(10000000u, 4.0, ORGS, 1, &f);
	line("fleet.10M", "real_time_factor", f.rtf, "x", "target", TARGET_RTF_10M, f.rtf / TARGET_RTF_10M);
	line("fleet.10M", "bytes_per_car", f.bpc, "B", "target", TARGET_BPC_10M, TARGET_BPC_10M / f.bpc);
	fprintf(stdout,
	        "fleet.10M: 10,000,000 cars of %d OEMs, 4 simulated hours in %.2f s wall (%.2f s CPU: %.0fx real time per CPU "
	        "second) = %.0fx real time; %.3g car events/s; %.1f B/car resident (%.1f after start); snapshot %.0f MB in %.2f s\n"
	        "  outcome: compromised %lld, patched %lld, offline %lld, check-ins %lld; state_hash %s\n",
	        ORGS, f.wall, f.cpu, 4 * 3600.0 / f.cpu, f.rtf, f.eps, f.bpc, f.bpcStart, f.nSnap / 1e6, f.tSnap,
	        (long long)f.m.compromised, (long long)f.m.patched, (long long)f.m.offline, (long long)f.m.checkins, f.hex);
}

static int cmp_double(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void bench_orgs(uint32_t nCars, double hours) {
	double aRatio[PAIRS], aPlain[PAIRS], aOrgs[PAIRS];
	fleet_run p, o;
	for (int k = 0; k < PAIRS; k++) {  /* alternate which goes first, so that drift in the machine's load cancels */
		if (k % 2 == 0) run_fleet(nCars, hours, 0, 1, &p), run_fleet(nCars, hours, ORGS, 1, &o);
		else run_fleet(nCars, hours, ORGS, 1, &o), run_fleet(nCars, hours, 0, 1, &p);
		aPlain[k] = p.cpu, aOrgs[k] = o.cpu, aRatio[k] = o.cpu / p.cpu;
	}
	double aSorted[PAIRS];
	memcpy(aSorted, aRatio, sizeof aSorted);
	qsort(aSorted, PAIRS, sizeof aSorted[0], cmp_double);
	double med = aSorted[PAIRS / 2];
	line("fleet.orgs", "overhead_ratio", med, "ratio", "target", TARGET_ORGS, TARGET_ORGS / med);
	fprintf(stdout, "fleet.orgs: %u cars, %.1f simulated hours, the same script with the cohorts owned by %d OEMs vs no orgs; "
	        "CPU seconds per pair (orgs / plain):", nCars, hours, ORGS);
	for (int k = 0; k < PAIRS; k++) fprintf(stdout, " %.2f/%.2f", aOrgs[k], aPlain[k]);
	fprintf(stdout, "; median ratio %.3f (same outcome: compromised %lld vs %lld, patched %lld vs %lld)\n", med,
	        (long long)o.m.compromised, (long long)p.m.compromised, (long long)o.m.patched, (long long)p.m.patched);
}

/* ---- national.10M: kyodo run of the national drill --------------------------------------------------------- */

/* Copies the national drill to dir with `local SCALE = x`; 0 or -1. */
static int write_scaled(const char *zDir, const char *zScale) {
	FILE *in = fopen("scenarios/national-relay.lua", "r");
	char zOut[512], buf[4096];
	snprintf(zOut, sizeof zOut, "%s/national-relay.lua", zDir);
	FILE *out = in ? fopen(zOut, "w") : NULL;
	int bDone = 0;
	if (!out) {
		if (in) fclose(in);
		return -1;
	}
	while (fgets(buf, sizeof buf, in)) {
		if (!bDone && !strncmp(buf, "local SCALE = ", 14)) {
			fprintf(out, "local SCALE = %s\n", zScale);
			bDone = 1;
		} else {
			fputs(buf, out);
		}
	}
	fclose(in);
	fclose(out);
	return bDone ? 0 : -1;
}

static long file_size(const char *z) {
	struct stat st;
	return stat(z, &st) == 0 ? (long)st.st_size : 0;
}

/* Runs `build/kyodo run` of the drill at scale into dir/j.db; its wall seconds and journal bytes (db + wal). */
static int run_national(const char *zKyodo, const char *zDir, const char *zScale, double *pWall, long *pBytes, char *zSummary,
                        size_t nSummary) {
	char zDb[512], zCmd[2048], zLua[512];
	if (write_scaled(zDir, zScale)) return -1;
	snprintf(zLua, sizeof zLua, "%s/national-relay.lua", zDir);
	snprintf(zDb, sizeof zDb, "%s/j-%s.db", zDir, zScale);
	unlink(zDb);
	snprintf(zCmd, sizeof zCmd, "%s run %s --actions scenarios/national-relay.good.jsonl --db %s --json 2>/dev/null", zKyodo, zLua,
	         zDb);
	double t0 = bench_wall_s();
	FILE *p = popen(zCmd, "r");
	size_t n = p ? fread(zSummary, 1, nSummary - 1, p) : 0;
	int rc = p ? pclose(p) : -1;
	*pWall = bench_wall_s() - t0;
	zSummary[n] = 0;
	char zWal[600];
	snprintf(zWal, sizeof zWal, "%s-wal", zDb);
	*pBytes = file_size(zDb) + file_size(zWal);
	return rc == 0 ? 0 : -1;
}

static void bench_national(const char *zKyodo) {
	char zDir[] = "/tmp/kyodo-bench-national-XXXXXX", zS1[65536], zS2[65536];
	double w1 = 0, w2 = 0;
	long b1 = 0, b2 = 0;
	if (!mkdtemp(zDir)) return;
	if (run_national(zKyodo, zDir, "0.01", &w1, &b1, zS1, sizeof zS1) || run_national(zKyodo, zDir, "1", &w2, &b2, zS2, sizeof zS2)) {
		fprintf(stderr, "bench fleet: national.10M: kyodo run failed (is %s built? run from the source tree)\n", zKyodo);
		return;
	}
	double bpc1 = (double)b1 / 100000, bpc2 = (double)b2 / 10000000;
	line("national.10M", "wall_s", w2, "s", "the 100k-car drill x100", w1 * 100, w1 * 100 / w2);
	line("national.10M", "journal_bytes_per_car", bpc2, "B", "the 100k-car drill's journal per car", bpc1, bpc1 / bpc2);
	const char *zHash = strstr(zS2, "\"state_hash\"");
	fprintf(stdout, "national.10M: kyodo run scenarios/national-relay.lua (SCALE = 1: 10,000,000 cars, 8 simulated hours, "
	        "good script) in %.1f s wall, journal %.1f MB (%.2f B/car); at 100,000 cars %.2f s, %.1f MB (%.2f B/car); %.80s\n",
	        w2, b2 / 1e6, bpc2, w1, b1 / 1e6, bpc1, zHash ? zHash : "(no summary)");
	char zCmd[600];
	snprintf(zCmd, sizeof zCmd, "rm -rf %s", zDir);
	if (system(zCmd) != 0) fprintf(stderr, "bench fleet: could not remove %s\n", zDir);
}

int main(int argc, char **argv) {
	uint32_t nCars = 1000000u;
	double hours = 4.0;
	const char *zOnly = NULL;
	int iPos = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--only") && i + 1 < argc) zOnly = argv[++i];
		else if (iPos++ == 0) nCars = (uint32_t)atol(argv[i]);
		else hours = atof(argv[i]);
	}
	char zKyodo[600];
	snprintf(zKyodo, sizeof zKyodo, "%s/../kyodo", argv[0][0] ? argv[0] : ".");  /* build/bench/fleet -> build/kyodo */
	char *zSlash = strrchr(argv[0], '/');
	if (zSlash) snprintf(zKyodo, sizeof zKyodo, "%.*s/../kyodo", (int)(zSlash - argv[0]), argv[0]);
	else snprintf(zKyodo, sizeof zKyodo, "../kyodo");
	if (zOnly && !strncmp(zOnly, "core", 4)) {  /* profiling aid: one run of the workload, no peers (core, core.orgs) */
		fleet_run f;
		run_fleet(nCars, hours, zOnly[4] ? ORGS : 0, zOnly[4] != 0, &f);
		printf("core: %u cars, %.1f h: %.2f s wall, %.2f s CPU, state_hash %s\n", nCars, hours, f.wall, f.cpu, f.hex);
		return 0;
	}
	if (!zOnly || !strcmp(zOnly, "fleet.1M")) bench_1m(nCars, hours);
	if (!zOnly || !strcmp(zOnly, "fleet.orgs")) bench_orgs(nCars, hours);
	if (!zOnly || !strcmp(zOnly, "fleet.10M")) bench_10m();
	if (!zOnly || !strcmp(zOnly, "national.10M")) bench_national(zKyodo);
	return 0;
}
