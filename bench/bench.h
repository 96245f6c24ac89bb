/* bench.h: pieces every benchmark program shares, header-only (each bench/NAME.c is its own program):
 * wall and CPU clocks, and the fleet benchmark's world (bench/fleet.c and bench/scenario.c must measure the
 * same cohorts and SBOM, so both build it here). */
#ifndef KY_BENCH_H
#define KY_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "vehicles/world.h"

/* Monotonic wall-clock seconds. */
static inline double bench_wall_s(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of this process. */
static inline double bench_cpu_s(void) {
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The fleet benchmark's world: nCars cars in 20 cohorts (4 models x 5 regions, check-in every 5 minutes, four
 * TCU versions) and the SBOM of the two vulnerable TCU versions. With nOrg > 0 the same cohorts belong to OEMs
 * bench_oem_1 .. bench_oem_nOrg (model m to OEM m % nOrg + 1), declared with an ISAC beside them. 0, or the world's
 * error in *err. */
static inline int bench_fleet_configure_orgs(veh_world *w, uint32_t nCars, int nOrg, ky_err *err) {
	static const char *azModel[] = { "Sedan-A", "SUV-B", "Kei-C", "Van-D" };
	static const char *azRegion[] = { "JP-Kanto", "JP-Kansai", "JP-Chubu", "EU-DE", "US-CA" };
	static const char *azTcu[] = { "2.3.1", "2.3.4", "2.4.0", "2.5.0" };
	uint32_t nLeft = nCars;
	int rc = 0;
	for (int o = 0; o <= nOrg && nOrg > 0 && rc == 0; o++) {
		char z[128];
		if (o < nOrg) snprintf(z, sizeof z, "{\"id\":\"bench_oem_%d\",\"kind\":\"oem\"}", o + 1);
		else snprintf(z, sizeof z, "{\"id\":\"bench_isac\",\"kind\":\"isac\"}");
		json_t *j = json_loads(z, 0, NULL);
		rc = veh_world_add_org(w, j, err);
		json_decref(j);
	}
	for (int m = 0; m < 4 && rc == 0; m++)
		for (int r = 0; r < 5 && rc == 0; r++) {
			uint32_t n = (m == 3 && r == 4) ? nLeft : nCars / 20;
			char z[512], zOrg[40] = "";
			nLeft -= n;
			if (nOrg > 0) snprintf(zOrg, sizeof zOrg, "\"org\":\"bench_oem_%d\",", m % nOrg + 1);
			snprintf(z, sizeof z, "{%s\"model\":\"%s\",\"region\":\"%s\",\"count\":%u,\"checkin\":\"5m\",\"ecus\":{\"tcu\":\"%s\","
			         "\"gw\":\"1.4.0\",\"ivi\":\"5.0.2\",\"bcm\":\"3.1.0\",\"adas\":\"1.0.%d\"}}", zOrg, azModel[m], azRegion[r], n,
			         azTcu[(m + r) % 4], r);
			json_t *c = json_loads(z, 0, NULL);
			rc = veh_world_add_cohort(w, c, err);
			json_decref(c);
		}
	if (rc) return rc;
	json_t *sb = json_loads("{\"tcu\":{\"2.3.1\":[\"openssl@1.1.1k\",\"busybox@1.31.1\"],\"2.3.4\":[\"openssl@1.1.1k\"]}}", 0, NULL);
	rc = veh_world_add_sbom(w, sb, err);
	json_decref(sb);
	return rc;
}

static inline int bench_fleet_configure(veh_world *w, uint32_t nCars, ky_err *err) {
	return bench_fleet_configure_orgs(w, nCars, 0, err);
}

#endif
