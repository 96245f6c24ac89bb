/* bench/fleet: a million cars for 4 simulated hours as fast as possible: check-ins every 5 minutes, one spreading
 * attack (compromise, spread every 10 minutes, blocked after 2 hours), one OTA campaign. Prints JSON lines
 * (bench fleet.1M: real_time_factor, events_per_s, bytes_per_car, vs_phold) then a human summary.
 * Peers measured in the same run: a plain PHOLD on eng_sim (the engine's raw events/s), and the same check-ins
 * scheduled as one heap event per car instead of the world's timing wheel.
 * Usage: build/bench/fleet [cars] [hours] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/sim.h"
#include "vehicles/world.h"
#include "bench/bench.h"


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
}

static void die(const char *what, const ky_err *err) {
	fprintf(stderr, "bench fleet: %s: %s\n", what, err->zMsg);
	exit(1);
}

/* ---- the scenario, as engine events -------------------------------------------------------------------- */

typedef struct script {
	veh_world *w;
	uint32_t kind;
	int64_t nSpread;
} script;

static void call(veh_world *w, const char *verb, const char *args, int bAction) {
	ky_err err = { 0 };
	json_error_t je;
	json_t *a = json_loads(args, 0, &je), *r = NULL;
	int rc = bAction ? veh_world_action(w, "bench", verb, a, &r, &err) : veh_world_call(w, verb, a, &r, &err);
	json_decref(a);
	json_decref(r);
	if (rc) die(verb, &err);
}

static void on_script(eng_sim *sim, void *ctx, const eng_event *ev) {
	script *s = ctx;
	switch (ev->a) {
	case 0:
		call(s->w, "attack.compromise", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"fraction\":0.001,"
		                                "\"persistence\":true,\"technique\":\"ATM-T0012\"}", 0);
		call(s->w, "attack.exfiltrate", "{\"records_per_car\":5}", 0);
		break;
	case 1:
		call(s->w, "attack.spread", "{\"rate\":0.25}", 0);
		s->nSpread++;
		eng_sim_after(sim, ENG_S(600), s->kind, 1, 0, NULL);
		break;
	case 2:
		call(s->w, "ota_campaign", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"ecu\":\"tcu\",\"version\":\"2.4.0\","
		                           "\"rollout\":0.5}", 1);
		break;
	case 3:
		call(s->w, "block_indicator", "{\"value\":\"203.0.113.7\"}", 1);
		break;
	}
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

int main(int argc, char **argv) {
	uint32_t nCars = argc > 1 ? (uint32_t)atol(argv[1]) : 1000000u;
	double hours = argc > 2 ? atof(argv[2]) : 4.0;
	eng_time_t tEnd = (eng_time_t)(hours * 3600.0) * ENG_US_PER_S;
	ky_err err = { 0 };

	long rss0 = rss_bytes();
	eng_sim *sim = eng_sim_new(20261128);
	veh_world *w = veh_world_new(sim, &err);
	if (!w) die("new", &err);
	if (bench_fleet_configure(w, nCars, &err)) die("configure", &err);
	if (veh_world_start(w, &err)) die("start", &err);
	long rss1 = rss_bytes();
	script s = { w, 0, 0 };
	eng_sim_register(sim, "bench.script", on_script, &s, &s.kind);
	eng_sim_schedule(sim, ENG_S(300), s.kind, 0, 0, NULL);
	eng_sim_schedule(sim, ENG_S(900), s.kind, 1, 0, NULL);
	eng_sim_schedule(sim, ENG_S(3600), s.kind, 2, 0, NULL);
	eng_sim_schedule(sim, ENG_S(7200), s.kind, 3, 0, NULL);

	/* metric samples once a simulated minute, as the drill takes them */
	double t0 = bench_wall_s();
	int64_t nSamples = 0;
	for (eng_time_t t = ENG_S(60); t <= tEnd; t += ENG_S(60)) {
		eng_sim_run_until(sim, t);
		json_decref(veh_world_metrics_json(w));
		nSamples++;
	}
	double dt = bench_wall_s() - t0;
	long rss2 = rss_bytes();
	char hex[65];
	veh_world_state_hash(w, hex);
	veh_metrics m;
	veh_world_metrics(w, &m);
	uint64_t nCarEv = veh_world_car_events(w), nEngEv = eng_sim_events_run(sim);
	double eps = (double)nCarEv / dt;
	double rtf = (double)tEnd / ENG_US_PER_S / dt;
	double bpc = (double)(rss2 - rss0) / nCars;
	unsigned char *pSnap = NULL;
	size_t nSnap = 0;
	double tS0 = bench_wall_s();
	if (veh_world_snapshot(w, &pSnap, &nSnap, &err)) die("snapshot", &err);
	double tSnap = bench_wall_s() - tS0;
	free(pSnap);
	veh_world_free(w);
	eng_sim_free(sim);

	uint64_t nPh = 0, nPc = 0;
	double phEps = run_phold(10000, 100000, ENG_S(50), &nPh);
	double qb = 0;
	double pc = run_percar(nCars, ENG_S(1800), &nPc, &qb);

	line("fleet.1M", "real_time_factor", rtf, "x", "target", 1000, rtf / 1000);
	line("fleet.1M", "events_per_s", eps, "1/s", "eng_sim PHOLD 100k same run", phEps, eps / phEps);
	line("fleet.1M", "bytes_per_car", bpc, "B", "target", 200, 200 / bpc);
	line("fleet.1M", "vs_phold", eps / phEps, "ratio", "target", 0.5, eps / phEps / 0.5);
	line("fleet.1M.checkin", "events_per_s", eps, "1/s", "one heap event per car (eng_sim)", pc, eps / pc);
	fprintf(stdout,
	        "fleet: %u cars, %.1f simulated hours in %.2f s wall = %.0fx real time\n"
	        "  car events %llu (check-ins, OTA steps, infections) = %.3g/s; engine events %llu; %lld metric samples\n"
	        "  resident: %.1f B/car after start (%ld B/car total incl. %.0f MB before), world arrays %.1f B/car\n"
	        "  outcome: compromised %lld, patched %lld, offline %lld, bricked %lld, records %lld, car-hours %.0f, alerts %lld, incidents %lld, check-ins %lld\n"
	        "  peers: PHOLD %llu events at %.3g/s; per-car heap events %llu in 30 min at %.3g/s (wheel is %.1fx), %.0f resident B/car for 6 B of state + queue\n"
	        "  snapshot %.1f MB (%.2f B/car) in %.3f s; state_hash %s\n",
	        nCars, hours, dt, rtf, (unsigned long long)nCarEv, eps, (unsigned long long)nEngEv, (long long)nSamples,
	        (double)(rss1 - rss0) / nCars, (rss2 - rss0) / (long)nCars, rss0 / 1e6, (double)(rss2 - rss0) / nCars,
	        (long long)m.compromised, (long long)m.patched, (long long)m.offline, (long long)m.bricked,
	        (long long)m.records_exfiltrated, m.compromised_car_hours, (long long)m.alerts, (long long)m.incidents,
	        (long long)m.checkins, (unsigned long long)nPh, phEps, (unsigned long long)nPc, pc, eps / pc, qb, nSnap / 1e6, (double)nSnap / nCars, tSnap, hex);
	return 0;
}
