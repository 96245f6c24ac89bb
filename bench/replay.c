/* bench replay: the debrief's figures, each beside a peer in the same run.
 *   replay.seek        p99_ms  exact seek (ui/replay/seek: the world re-run from the journal without Lua) to 200
 *                              random moments of a 4-hour drill with 100,000 cars, after the one pass at open that
 *                              the viewer makes (peer: scn_seek_exact, the exact drill by re-simulation with Lua)
 *   replay.seek.cold   p99_ms  the same seeks on a journal just opened, without that pass (same peer)
 *   replay.frame.1M    ms      one 1920x1080 frame with 1,000,000 cars in SDL's software renderer, the whole frame
 *                              (median of the frames drawn; peer: clearing and one SDL_RenderFillRect per car)
 *   replay.frame.10M   ms      the same with 10,000,000 cars
 *   replay.whatif      ratio   `kyodo whatif --from` the middle of the recorded drill with other actions, against
 *                              recording the same spliced drill from the start (scn_whatif_run vs a recorded run)
 * Each line's "ratio" is peer/ours (> 1 is better). Usage: build/bench/replay [--cars N] [--seeks N] [--exact N]
 * [--frames N] [--no-10m]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL.h>

#include "bench/bench.h"
#include "scenarios/drill.h"
#include "scenarios/record.h"
#include "scenarios/resume.h"
#include "scenarios/whatif.h"
#include "ui/replay/draw.h"
#include "ui/replay/seek.h"

static int cmp_double(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(double *a, long n, double q) {
	qsort(a, (size_t)n, sizeof *a, cmp_double);
	return a[(size_t)((double)(n - 1) * q)];
}

static void line(const char *zBench, const char *zMetric, double v, const char *zUnit, const char *zPeer, double peer) {
	printf("{\"bench\":\"%s\",\"metric\":\"%s\",\"value\":%.3f,\"unit\":\"%s\",\"peer\":\"%s\",\"peer_value\":%.3f,\"ratio\":%.3f}\n",
	       zBench, zMetric, v, zUnit, zPeer, peer, v > 0 ? peer / v : 0);
}

/* ---- the drill: 4 hours, 100,000 cars, an attack that spreads, team actions ---------------------------------- */

static int write_scenario(const char *zPath, long nCars) {
	FILE *f = fopen(zPath, "w");
	if (!f) return -1;
	long a = nCars * 6 / 10, b = nCars - a;
	fprintf(f,
	        "scenario { id = \"bench-replay\", title = \"Replay benchmark\", duration = \"4h\", seed = 7 }\n"
	        "teams { { id = \"vsoc\", name = \"Vehicle SOC\" }, { id = \"oem_psirt\", name = \"OEM PSIRT\" } }\n"
	        "fleet { { model = \"Sedan-A\", count = %ld, region = \"JP-Kanto\", ecus = { tcu = \"2.3.1\", gw = \"1.4.0\" } },\n"
	        "        { model = \"SUV-B\", count = %ld, region = \"JP-Kansai\", ecus = { tcu = \"2.4.1\", gw = \"1.4.0\" } } }\n"
	        "inject { id = \"I1\", at = \"00:10:00\", to = { \"vsoc\" }, severity = \"high\", title = \"IDS alert surge\", body = \"b\" }\n"
	        "at(\"00:05:00\", function(now) attack.compromise { select = { model = \"Sedan-A\", ecu = \"tcu\", below = \"2.4.0\" },\n"
	        "                                                fraction = 0.01, entry = \"tcu\", technique = \"ATM-T0012\" } end)\n"
	        "every(\"10m\", function(now) attack.spread { rate = 0.05 } end)\n"
	        "on(\"action\", function(a) if a.kind == \"block_indicator\" then attack.stop { c2 = a.args.value } end end)\n",
	        a, b);
	return fclose(f);
}

typedef struct act {
	double tMin;
	const char *zTeam, *zKind, *zArgs;
} act;

static const act aGood[] = {
	{ 15, "vsoc", "triage", "{\"inject\":\"I1\"}" },
	{ 70, "oem_psirt", "ota_campaign", "{\"select\":{\"model\":\"Sedan-A\"},\"ecu\":\"tcu\",\"version\":\"2.4.0\",\"rollout\":0.5}" },
	{ 150, "vsoc", "block_indicator", "{\"value\":\"203.0.113.7\"}" },
	{ 200, "oem_psirt", "notify", "{\"party\":\"regulator\",\"text\":\"incident\"}" },
};
static const act aAlt[] = { /* the what-if: block at once, patch everything */
	{ 121, "vsoc", "block_indicator", "{\"value\":\"203.0.113.7\"}" },
	{ 125, "oem_psirt", "ota_campaign", "{\"select\":{\"model\":\"Sedan-A\"},\"ecu\":\"tcu\",\"version\":\"2.4.0\",\"rollout\":1.0}" },
};

/* Runs the drill with the actions of a (those before tSplit) and of b (from tSplit on), recording into zDb. */
static double record(const char *zScenario, const char *zDb, const act *a, size_t nA, const act *b, size_t nB, double tSplit) {
	ky_err err = { 0 };
	double t0 = bench_wall_s();
	scn_drill *d = scn_drill_open(zScenario, NULL, &err);
	scn_record *r = d ? scn_record_attach(d, zDb, &err) : NULL;
	if (!r) goto fail;
	for (int k = 0; k < 2; k++) {
		const act *p = k ? b : a;
		for (size_t i = 0; i < (k ? nB : nA); i++) {
			if (k == 0 ? p[i].tMin >= tSplit : p[i].tMin < tSplit) continue;
			if (scn_drill_advance_to(d, (eng_time_t)(p[i].tMin * 60e6), &err) != 0) goto fail;
			json_t *args = json_loads(p[i].zArgs, 0, NULL);
			scn_drill_action(d, p[i].zTeam, NULL, p[i].zKind, args, NULL, NULL, &err);
			json_decref(args);
		}
	}
	if (scn_drill_advance_to(d, scn_drill_duration(d), &err) != 0 || scn_record_close(r, &err) != 0) {
		r = NULL;
		goto fail;
	}
	scn_drill_free(d);
	return bench_wall_s() - t0;
fail:
	fprintf(stderr, "bench replay: %s\n", err.zMsg);
	scn_record_close(r, NULL);
	scn_drill_free(d);
	return -1;
}

static void remove_db(const char *z) {
	char s[700];
	unlink(z);
	snprintf(s, sizeof s, "%s-wal", z), unlink(s);
	snprintf(s, sizeof s, "%s-shm", z), unlink(s);
}

/* ---- seek ------------------------------------------------------------------------------------------------------ */

static int bench_seek(const char *zDb, const char *zScenario, long nSeeks, long nExact) {
	ky_err err = { 0 };
	const eng_time_t dur = ENG_S(4 * 3600);
	double *aCold = calloc((size_t)nSeeks, sizeof(double)), *aWarm = calloc((size_t)nSeeks, sizeof(double));
	double *aExact = calloc((size_t)nExact + 1, sizeof(double)), tOpen = 0, tWarm = 0;
	double *aCpu = calloc((size_t)nSeeks, sizeof(double)); /* CPU time of the warm seeks: the machine is shared */
	for (int pass = 0; pass < 2; pass++) {
		double t0 = bench_wall_s();
		rpl_seek *s = rpl_seek_open(zDb, &err);
		if (!s) goto fail;
		tOpen = bench_wall_s() - t0;
		if (pass == 1) {
			t0 = bench_wall_s();
			if (rpl_seek_prewarm(s, &err) != 0) goto fail;
			tWarm = bench_wall_s() - t0;
		}
		uint64_t x = 88172645463325252ULL;
		for (long i = 0; i < nSeeks; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			t0 = bench_wall_s();
			double c0 = bench_cpu_s();
			if (!rpl_seek_world(s, (eng_time_t)(x % (uint64_t)dur), &err)) goto fail;
			(pass ? aWarm : aCold)[i] = (bench_wall_s() - t0) * 1e3;
			if (pass) aCpu[i] = (bench_cpu_s() - c0) * 1e3;
		}
		rpl_seek_close(s);
	}
	scn_seek *p = scn_seek_open(zDb, zScenario, &err);
	if (!p) goto fail;
	uint64_t x = 88172645463325252ULL;
	for (long i = 0; i < nExact; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		double t0 = bench_wall_s();
		if (scn_seek_exact(p, (eng_time_t)(x % (uint64_t)dur), &err) != 0) goto fail;
		aExact[i] = (bench_wall_s() - t0) * 1e3;
	}
	scn_seek_close(p);
	double peer = nExact > 0 ? pct(aExact, nExact, 0.99) : 0, peer50 = nExact > 0 ? pct(aExact, nExact, 0.5) : 0;
	double warm99 = pct(aWarm, nSeeks, 0.99), cold99 = pct(aCold, nSeeks, 0.99);
	line("replay.seek", "p99_ms", warm99, "ms", "scn_seek_exact (re-simulation with Lua)", peer);
	line("replay.seek.cold", "p99_ms", cold99, "ms", "scn_seek_exact (re-simulation with Lua)", peer);
	printf("# seek: CPU time per warm seek p50 %.2f ms, p99 %.2f ms\n", pct(aCpu, nSeeks, 0.5), pct(aCpu, nSeeks, 0.99));
	free(aCpu);
	printf("# seek: open %.0f ms, one pass to keep checkpoints %.0f ms; then p50 %.2f ms, p99 %.2f ms over %ld random moments\n"
	       "#   (without the pass: p50 %.2f ms, p99 %.2f ms); peer p50 %.0f ms, p99 %.0f ms over %ld\n",
	       tOpen * 1e3, tWarm * 1e3, pct(aWarm, nSeeks, 0.5), warm99, nSeeks, pct(aCold, nSeeks, 0.5), cold99, peer50, peer, nExact);
	free(aCold), free(aWarm), free(aExact);
	return 0;
fail:
	fprintf(stderr, "bench replay: seek: %s\n", err.zMsg);
	return 1;
}

/* ---- frames ---------------------------------------------------------------------------------------------------- */

/* A started world of nCars (the fleet benchmark's cohorts), 3 % compromised, an hour run: every colour present. */
static veh_world *frame_world(eng_sim **pSim, uint32_t nCars) {
	ky_err err = { 0 };
	eng_sim *sim = eng_sim_new(7);
	veh_world *w = sim ? veh_world_new(sim, &err) : NULL;
	json_t *res = NULL, *a = json_loads("{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"fraction\":0.03}", 0, NULL);
	if (!w || bench_fleet_configure(w, nCars, &err) != 0 || veh_world_start(w, &err) != 0 || eng_sim_run_until(sim, ENG_S(600)) < 0 ||
	    veh_world_call(w, "attack.compromise", a, &res, &err) != 0 || eng_sim_run_until(sim, ENG_S(1800)) < 0) {
		fprintf(stderr, "bench replay: world: %s\n", err.zMsg);
		return NULL;
	}
	json_decref(a);
	json_decref(res);
	*pSim = sim;
	return w;
}

static int bench_frame(uint32_t nCars, int nFrames, const char *zName) {
	eng_sim *sim = NULL;
	veh_world *w = frame_world(&sim, nCars);
	if (!w) return 1;
	SDL_Surface *sf = SDL_CreateRGBSurfaceWithFormat(0, 1920, 1080, 32, SDL_PIXELFORMAT_RGBA32);
	SDL_Renderer *r = sf ? SDL_CreateSoftwareRenderer(sf) : NULL;
	rpl_draw *d = r ? rpl_draw_new(1) : NULL;
	if (!d) return 1;
	rpl_model m;
	memset(&m, 0, sizeof m);
	m.zTitle = "frame benchmark", m.zId = "bench", m.duration = ENG_S(4 * 3600), m.tWhatif = -1;
	rpl_side side = { .m = &m, .w = w, .zLabel = "bench" };
	json_t *cat = veh_world_catalog_json(w);
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(cat, "cohorts"), i, c) {
		side.aCount[side.nGroup] = (uint32_t)json_integer_value(json_object_get(c, "count"));
		side.azGroup[side.nGroup++] = json_string_value(json_object_get(c, "model"));
	}
	rpl_view v = { .t = ENG_S(1800), .laneMask = ~0ul, .speed = 60 };
	rpl_frame_info fi;
	double *aOurs = calloc((size_t)nFrames, sizeof(double)), *aPeer = calloc((size_t)nFrames, sizeof(double));
	ky_err err = { 0 };
	uint32_t n = 0;
	const uint16_t *aFl = veh_world_flags(w, &n);
	double cpuOurs = 0;
	for (int k = 0; k < nFrames; k++) {
		double t0 = bench_wall_s(), c0 = bench_cpu_s();
		if (rpl_draw_frame(d, r, 1920, 1080, &side, NULL, &v, &fi, &err) != 0) {
			fprintf(stderr, "bench replay: frame: %s\n", err.zMsg);
			return 1;
		}
		SDL_RenderFlush(r);
		aOurs[k] = (bench_wall_s() - t0) * 1e3;
		cpuOurs += (bench_cpu_s() - c0) * 1e3;
		/* the peer: a pixel rectangle per car, in its state's colour, row after row over the fleet panel */
		t0 = bench_wall_s();
		SDL_SetRenderDrawColor(r, 15, 17, 21, 255);
		SDL_RenderClear(r);
		for (uint32_t j = 0; j < n; j++) {
			const uint8_t *rgb = rpl_palette[rpl_class_of(aFl[j])];
			SDL_Rect rc = { fi.fleet.x + (int)(j % (uint32_t)fi.fleet.w), fi.fleet.y + (int)((j / (uint32_t)fi.fleet.w) % (uint32_t)fi.fleet.h), 1, 1 };
			SDL_SetRenderDrawColor(r, rgb[0], rgb[1], rgb[2], 255);
			SDL_RenderFillRect(r, &rc);
		}
		SDL_RenderFlush(r);
		aPeer[k] = (bench_wall_s() - t0) * 1e3;
	}
	double ours = pct(aOurs, nFrames, 0.5), peer = pct(aPeer, nFrames, 0.5);
	line(zName, "ms", ours, "ms", "one SDL_RenderFillRect per car", peer);
	printf("# %s: %u cars, %.3g px per car, frame median %.2f ms (max %.2f, CPU %.2f ms a frame) over %d, peer median %.1f ms\n",
	       zName, n, fi.carArea[0], ours, aOurs[nFrames - 1], cpuOurs / nFrames, nFrames, peer);
	json_decref(cat);
	free(aOurs), free(aPeer);
	rpl_draw_flush(d);
	rpl_draw_free(d);
	SDL_DestroyRenderer(r);
	SDL_FreeSurface(sf);
	veh_world_free(w);
	eng_sim_free(sim);
	return 0;
}

/* ---- what-if --------------------------------------------------------------------------------------------------- */

static int bench_whatif(const char *zScenario, const char *zDb, const char *zDir) {
	char zOut[600], zFull[600];
	snprintf(zOut, sizeof zOut, "%s/whatif.db", zDir);
	snprintf(zFull, sizeof zFull, "%s/full.db", zDir);
	scn_whatif_action aW[sizeof aAlt / sizeof aAlt[0]];
	json_t *aArgs[sizeof aAlt / sizeof aAlt[0]];
	for (size_t i = 0; i < sizeof aAlt / sizeof aAlt[0]; i++) {
		aArgs[i] = json_loads(aAlt[i].zArgs, 0, NULL);
		aW[i] = (scn_whatif_action){ (eng_time_t)(aAlt[i].tMin * 60e6), aAlt[i].zTeam, aAlt[i].zKind, NULL, NULL, aArgs[i], (int)i + 1 };
	}
	double tBest = 1e30, tPeer = 1e30;
	char zHashW[65] = "", zHashP[65] = "";
	for (int rep = 0; rep < 3; rep++) {
		remove_db(zOut);
		scn_whatif_opts o = { .zSource = zDb, .zOut = zOut, .tFrom = ENG_S(2 * 3600), .bAlt = 1, .aAlt = aW,
		                      .nAlt = (int)(sizeof aW / sizeof aW[0]), .bNoImpact = 1 };  /* the peer computes none either */
		json_t *sum = NULL;
		scn_whatif_result res;
		ky_err err = { 0 };
		double t0 = bench_wall_s();
		if (scn_whatif_run(&o, &sum, &res, &err) != 0) {
			fprintf(stderr, "bench replay: whatif: %s\n", err.zMsg);
			return 1;
		}
		double t = bench_wall_s() - t0;
		snprintf(zHashW, sizeof zHashW, "%s", json_string_value(json_object_get(sum, "state_hash")));
		json_decref(sum);
		tBest = t < tBest ? t : tBest;
		remove_db(zFull);
		t = record(zScenario, zFull, aGood, sizeof aGood / sizeof aGood[0], aAlt, sizeof aAlt / sizeof aAlt[0], 120);
		if (t < 0) return 1;
		tPeer = t < tPeer ? t : tPeer;
		scn_resume_opts ro = { .bReadOnly = 1 };
		ky_err e2 = { 0 };
		scn_drill *d = scn_resume_open(zFull, &ro, NULL, NULL, &e2);
		if (d) {
			json_t *s = scn_drill_summary_json(d);
			snprintf(zHashP, sizeof zHashP, "%s", json_string_value(json_object_get(s, "state_hash")));
			json_decref(s);
		}
		scn_drill_free(d);
	}
	for (size_t i = 0; i < sizeof aAlt / sizeof aAlt[0]; i++) json_decref(aArgs[i]);
	printf("{\"bench\":\"replay.whatif\",\"metric\":\"ratio\",\"value\":%.3f,\"unit\":\"x\",\"peer\":\"recording the spliced drill from the start\","
	       "\"peer_value\":1,\"ratio\":%.3f}\n", tPeer / tBest, tPeer / tBest);
	printf("# whatif --from 02:00:00: best %.3f s; recording the same spliced drill from the start: best %.3f s; same state hash: %s\n",
	       tBest, tPeer, strcmp(zHashW, zHashP) == 0 ? "yes" : "NO");
	remove_db(zOut);
	remove_db(zFull);
	return strcmp(zHashW, zHashP) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
	long nCars = 100000, nSeeks = 200, nExact = 40;
	int nFrames = 15, b10M = 1;
	const char *zOnly = "";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cars") && i + 1 < argc) nCars = atol(argv[++i]);
		else if (!strcmp(argv[i], "--seeks") && i + 1 < argc) nSeeks = atol(argv[++i]);
		else if (!strcmp(argv[i], "--exact") && i + 1 < argc) nExact = atol(argv[++i]);
		else if (!strcmp(argv[i], "--frames") && i + 1 < argc) nFrames = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--no-10m")) b10M = 0;
		else if (!strcmp(argv[i], "--only") && i + 1 < argc) zOnly = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--cars N] [--seeks N] [--exact N] [--frames N] [--no-10m] [--only seek|frame|whatif]\n", argv[0]);
			return 2;
		}
	}
	if (nSeeks < 1 || nFrames < 1) return 2;
	char zDir[] = "/tmp/kyodo-bench-replay-XXXXXX", zScenario[300], zDb[300];
	if (!mkdtemp(zDir)) return 1;
	snprintf(zScenario, sizeof zScenario, "%s/bench.lua", zDir);
	snprintf(zDb, sizeof zDb, "%s/bench.db", zDir);
	int bAll = !*zOnly, rc = 0;
	if (bAll || strcmp(zOnly, "frame") != 0)
		rc = write_scenario(zScenario, nCars) != 0 || record(zScenario, zDb, aGood, sizeof aGood / sizeof aGood[0], NULL, 0, 1e9) < 0;
	if (!rc && (bAll || !strcmp(zOnly, "seek"))) rc = bench_seek(zDb, zScenario, nSeeks, nExact);
	if (!rc && (bAll || !strcmp(zOnly, "frame"))) rc = bench_frame(1000000, nFrames, "replay.frame.1M");
	if (!rc && b10M && (bAll || !strcmp(zOnly, "frame"))) rc = bench_frame(10000000, nFrames > 5 ? 5 : nFrames, "replay.frame.10M");
	if (!rc && (bAll || !strcmp(zOnly, "whatif"))) rc = bench_whatif(zScenario, zDb, zDir);
	remove_db(zDb);
	unlink(zScenario);
	rmdir(zDir);
	return rc;
}
