/* bench/sbom: loading a 16 MiB CycloneDX document (cdxgen's npm shape: about 42,000 components with groups, purls,
 * bom-refs, licenses, hashes, and a dependency chain through all of them) into kyodo's SBOM store, side by side with
 * jansson's json_loadb of the same text — the peer does less (it only parses; kyodo also checks every purl and
 * bom-ref, builds the identity table and the graph), so the ratio is the headroom the fast reader buys.
 * Then a query: the firmware that reaches the last component of the chain, with its path.
 * CPU time of the process (the machine is shared; wall time would measure the neighbours), best of 5, and the wall
 * time of the same best run. One JSON line per result, then a human summary.
 * Usage: build/bench/sbom [--quick]   (--quick: a 4 MiB document) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bench/bench.h"
#include "vehicles/sbom.h"

#define RUNS 5

/* ratio > 1 is better: peer/ours for times, ours/peer for rates (bHigher) */
static void line(const char *zBench, const char *zMetric, double v, const char *zUnit, const char *zPeer, double vPeer, int bHigher) {
	double ratio = bHigher ? (vPeer > 0 ? v / vPeer : 0) : (v > 0 ? vPeer / v : 0);
	printf("{\"bench\":\"%s\",\"metric\":\"%s\",\"value\":%.6g,\"unit\":\"%s\",\"peer\":\"%s\",\"peer_value\":%.6g,\"ratio\":%.4g}\n",
	       zBench, zMetric, v, zUnit, zPeer, vPeer, ratio);
}

/* The test document of tests/c/test_sbom.c's a_16_mib_document_loads_and_is_queried, nCap bytes at most. */
static char *make_doc(size_t nCap, size_t *pLen, int *pnComp) {
	char *z = malloc(nCap);
	size_t n = 0;
	int nComp = 0;
	n += (size_t)snprintf(z + n, nCap - n, "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"metadata\":{\"component\":{\"type\":"
	                      "\"firmware\",\"name\":\"ivi\",\"version\":\"7.0.0\",\"bom-ref\":\"root\"}},\"components\":[");
	while (n + 2000 + (size_t)nComp * 40 < nCap - 4096) {
		n += (size_t)snprintf(z + n, nCap - n, "%s{\"type\":\"library\",\"group\":\"@g%d\",\"name\":\"p%d\",\"version\":\"%d.%d.%d\","
		                      "\"bom-ref\":\"r%d\",\"purl\":\"pkg:npm/%%40g%d/p%d@%d.%d.%d\",\"description\":\"a library of the test "
		                      "document, with a description as long as real ones have\",\"licenses\":[{\"license\":{\"id\":\"MIT\"}}],"
		                      "\"hashes\":[{\"alg\":\"SHA-256\",\"content\":\"%064d\"}]}", nComp ? "," : "", nComp % 97, nComp,
		                      nComp % 7, nComp % 13, nComp % 29, nComp, nComp % 97, nComp, nComp % 7, nComp % 13, nComp % 29, nComp);
		nComp++;
	}
	n += (size_t)snprintf(z + n, nCap - n, "],\"dependencies\":[{\"ref\":\"root\",\"dependsOn\":[\"r0\"]}");
	for (int i = 0; i + 1 < nComp && n + 100 < nCap; i++) n += (size_t)snprintf(z + n, nCap - n, ",{\"ref\":\"r%d\",\"dependsOn\":[\"r%d\"]}", i, i + 1);
	n += (size_t)snprintf(z + n, nCap - n, "]}");
	*pLen = n;
	*pnComp = nComp;
	return z;
}

int main(int argc, char **argv) {
	int bQuick = argc > 1 && !strcmp(argv[1], "--quick");
	size_t nCap = bQuick ? (4u << 20) : VEH_SBOM_MAX_BYTES, n;
	int nComp;
	char *z = make_doc(nCap, &n, &nComp);
	double ours = 1e9, oursWall = 0, peer = 1e9, peerWall = 0, query = 1e9;
	for (int r = 0; r < RUNS; r++) {
		veh_sbom *s = veh_sbom_new();
		veh_sbom_load opt = { 0 };
		ky_err err = { 0 };
		double w0 = bench_wall_s(), c0 = bench_cpu_s();
		if (veh_sbom_add_cyclonedx(s, z, n, "bench.cdx.json", &opt, &err)) {
			fprintf(stderr, "bench/sbom: %s\n", err.zMsg);
			return 1;
		}
		double c1 = bench_cpu_s(), w1 = bench_wall_s();
		if (c1 - c0 < ours) ours = c1 - c0, oursWall = w1 - w0;
		char zQ[64];
		snprintf(zQ, sizeof zQ, "@g%d/p%d", (nComp - 1) % 97, nComp - 1);
		veh_sbom_eval ev;
		c0 = bench_cpu_s();
		if (veh_sbom_eval_component(s, zQ, NULL, &ev, &err) || ev.nHit != 1) {
			fprintf(stderr, "bench/sbom: the query found %d firmware: %s\n", ev.nHit, err.zMsg);
			return 1;
		}
		c1 = bench_cpu_s();
		if (c1 - c0 < query) query = c1 - c0;
		veh_sbom_eval_free(&ev);
		veh_sbom_free(s);
		json_error_t je;
		w0 = bench_wall_s(), c0 = bench_cpu_s();
		json_t *j = json_loadb(z, n, JSON_REJECT_DUPLICATES, &je);
		c1 = bench_cpu_s(), w1 = bench_wall_s();
		if (!j) {
			fprintf(stderr, "bench/sbom: jansson: %s\n", je.text);
			return 1;
		}
		json_decref(j);
		if (c1 - c0 < peer) peer = c1 - c0, peerWall = w1 - w0;
	}
	double mib = (double)n / (1 << 20);
	line("sbom.load", "cpu_s", ours, "s", "jansson json_loadb (parse only)", peer, 0);
	line("sbom.load", "wall_s", oursWall, "s", "jansson json_loadb (parse only)", peerWall, 0);
	line("sbom.load", "mib_per_cpu_s", mib / ours, "MiB/s", "jansson json_loadb (parse only)", mib / peer, 1);
	printf("{\"bench\":\"sbom.query\",\"metric\":\"cpu_ms\",\"value\":%.6g,\"unit\":\"ms\",\"peer\":\"none\",\"peer_value\":0,\"ratio\":0}\n",
	       query * 1e3);
	printf("\n%.1f MiB, %d components, dependencies chained through all of them (best of %d runs):\n", mib, nComp, RUNS);
	printf("  kyodo sbom load (check, identities, graph)  %.3f s CPU  (%.3f s wall)  %.0f MiB/s\n", ours, oursWall, mib / ours);
	printf("  jansson json_loadb (parse only)            %.3f s CPU  (%.3f s wall)  %.0f MiB/s\n", peer, peerWall, mib / peer);
	printf("  query of the last component, path of %d    %.1f ms CPU\n", nComp + 1, query * 1e3);
	free(z);
	return 0;
}
