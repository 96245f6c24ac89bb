/* bench report: what `kyodo report` costs on a national-scale drill. A generated 4-hour drill with 1,000,000
 * cars and 5 teams (an attack that spreads, 8 injects with 14 expectations, 16 team actions with shares and a
 * grade) is run once and recorded (scn_record_attach), then its journal is reported on:
 *   report.aar.1M   s    `kyodo report FILE.db --out AAR.html`, the whole command (process start, journal read,
 *                        analysis, HTML), median of --reps runs (target <= 1 s); peer, in the same run: the sqlite3
 *                        shell exporting the same journal's tables as HTML (`sqlite3 -html`, every row of every table
 *                        but the snapshot blobs: the naive report that renders every metrics row)
 *   report.aar.1M   size the report file in MiB (target <= 2 MB = 1.907 MiB); peer: the sqlite3 export's size
 *   report.exports.1M s  `kyodo report --no-html --msel --stix` (MSEL and STIX bundle); peer: the same export
 * and, in-process (no process start), the library's load + HTML for the human summary.
 * Each line's "ratio" is peer/ours, so that > 1 is better (values are lower-is-better).
 * Usage: build/bench/report [--cars N] [--hours H] [--reps N] [--keep FILE.db] */
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench/bench.h"
#include "scenarios/drill.h"
#include "scenarios/record.h"
#include "ui/report/aar.h"
#include "ui/report/data.h"
#include "ui/report/msel.h"
#include "ui/report/stix.h"

static int write_scenario(const char *zPath, long nCars, double hours) {
	FILE *f = fopen(zPath, "w");
	if (!f) return -1;
	long a = nCars / 2, b = nCars * 3 / 10, c = nCars - a - b;
	fprintf(f,
	        "scenario { id = \"bench-report\", title = \"National drill: remote TCU exploit\", duration = \"%gh\", seed = 7,\n"
	        "           techniques = { \"ATM-T0012\", \"ATM-T0031\", \"T1041\" } }\n"
	        "teams { { id = \"oem_psirt\", name = \"OEM PSIRT\" }, { id = \"vsoc\", name = \"Vehicle SOC\" },\n"
	        "        { id = \"supplier\", name = \"Tier-1 supplier\" }, { id = \"isac\", name = \"Auto-ISAC\" },\n"
	        "        { id = \"legal_pr\", name = \"Legal & PR\" } }\n"
	        "fleet { { model = \"Sedan-A\", count = %ld, region = \"JP-Kanto\", ecus = { tcu = \"2.3.1\", gw = \"1.4.0\", ivi = \"5.0.2\" } },\n"
	        "        { model = \"SUV-B\", count = %ld, region = \"JP-Kansai\", ecus = { tcu = \"2.3.4\", gw = \"1.4.0\", ivi = \"5.1.0\" } },\n"
	        "        { model = \"Kei-C\", count = %ld, region = \"JP-Chubu\", ecus = { tcu = \"2.4.1\", gw = \"1.5.0\", ivi = \"5.1.0\" } } }\n"
	        "sbom { tcu = { [\"2.3.1\"] = { \"openssl@1.1.1k\" }, [\"2.3.4\"] = { \"openssl@1.1.1k\" }, [\"2.4.1\"] = { \"openssl@3.0.8\" } } }\n"
	        "local C2 = \"203.0.113.7\"\n"
	        "at(\"00:05:00\", function(now) attack.compromise { select = { ecu = \"tcu\", below = \"2.4.0\" }, fraction = 0.002, c2 = C2,\n"
	        "   entry = \"tcu\", technique = \"ATM-T0012\", indicators = { \"update-check.example.net\" } } end)\n"
	        "every(\"10m\", function(now) attack.spread { rate = 0.2, c2 = C2, select = { ecu = \"tcu\", below = \"2.4.0\" } } end, { start = \"00:15:00\" })\n"
	        "inject { id = \"I1\", at = \"00:10:00\", to = { \"vsoc\" }, severity = \"high\", title = \"IDS alert surge\", body = \"beacons to 203.0.113.7\",\n"
	        "  expects = { { action = \"triage\", args = { inject = \"I1\" }, within = \"15m\", points = 5 },\n"
	        "              { action = \"block_indicator\", args = { value = C2 }, within = \"1h\", points = 20 } } }\n"
	        "inject { id = \"I2\", at = \"00:30:00\", to = { \"oem_psirt\" }, severity = \"high\", title = \"Escalation\", body = \"RCE in TCU 2.3.x\",\n"
	        "  expects = { { action = \"triage\", args = { inject = \"I2\" }, within = \"30m\", points = 5 },\n"
	        "              { action = \"share\", args = { to = \"supplier\" }, within = \"1h\", points = 10 },\n"
	        "              { action = \"assess\", args = { component = \"openssl@1.1.1k\" }, within = \"2h\", points = 15 } } }\n"
	        "inject { id = \"I3\", at = \"00:45:00\", to = { \"supplier\" }, severity = \"high\", title = \"Root cause\", body = \"crash dumps\",\n"
	        "  expects = { { action = \"share\", args = { to = \"oem_psirt\", tlp = \"amber\" }, within = \"1h\", points = 15 } } }\n"
	        "inject { id = \"I4\", at = \"01:00:00\", to = { \"isac\" }, severity = \"medium\", title = \"Member request\", body = \"seen in the wild?\",\n"
	        "  expects = { { action = \"share\", args = { to = \"all\", tlp = \"green\" }, within = \"1h\", points = 10 } } }\n"
	        "inject { id = \"I5\", at = \"01:30:00\", to = { \"oem_psirt\", \"supplier\" }, severity = \"high\", title = \"Fix ready\", body = \"2.4.1\",\n"
	        "  expects = { { team = \"oem_psirt\", action = \"ota_campaign\", args = { ecu = \"tcu\", version = \"2.4.1\" }, within = \"1h\", points = 25 },\n"
	        "              { team = \"supplier\", action = \"report\", within = \"2h\", points = 5 } } }\n"
	        "inject { id = \"I6\", at = \"00:40:00\", to = { \"legal_pr\" }, severity = \"high\", title = \"Reporting clock\", body = \"R155\",\n"
	        "  expects = { { action = \"notify\", args = { party = \"regulator\", stage = \"initial\" }, within = \"24h\", points = 20 },\n"
	        "              { action = \"notify\", args = { party = \"customers\" }, within = \"3h\", points = 10 } } }\n"
	        "inject { id = \"I7\", at = \"02:00:00\", to = \"all\", severity = \"medium\", title = \"Press\", body = \"a daily calls\" }\n"
	        "inject { id = \"I8\", at = \"03:00:00\", to = { \"vsoc\", \"isac\" }, severity = \"low\", title = \"Variant\", body = \"new C2\",\n"
	        "  expects = { { team = \"isac\", action = \"share\", args = { to = \"all\" }, within = \"30m\", points = 5 } } }\n"
	        "on(\"action\", function(a) if a.kind == \"block_indicator\" and a.args.value == C2 then attack.stop { c2 = C2 } end end)\n",
	        hours, a, b, c);
	return fclose(f);
}

static const struct { double tMin; const char *zTeam, *zKind, *zArgs; } aActions[] = {
	{ 12, "vsoc", "triage", "{\"inject\":\"I1\"}" },
	{ 25, "vsoc", "block_indicator", "{\"value\":\"198.51.100.23\"}" },
	{ 35, "vsoc", "block_indicator", "{\"value\":\"203.0.113.7\"}" },
	{ 36, "vsoc", "share", "{\"to\":\"oem_psirt\",\"tlp\":\"amber\",\"text\":\"C2 blocked\",\"indicators\":[\"203.0.113.7\",\"update-check.example.net\"]}" },
	{ 38, "oem_psirt", "triage", "{\"inject\":\"I2\"}" },
	{ 50, "oem_psirt", "share", "{\"to\":\"supplier\",\"tlp\":\"amber\",\"text\":\"crash dumps\"}" },
	{ 55, "legal_pr", "notify", "{\"party\":\"regulator\",\"stage\":\"initial\",\"text\":\"initial notification\"}" },
	{ 70, "supplier", "share", "{\"to\":\"oem_psirt\",\"tlp\":\"amber\",\"text\":\"root cause: SMS handler\"}" },
	{ 75, "isac", "share", "{\"to\":\"all\",\"tlp\":\"green\",\"text\":\"IoCs\",\"indicators\":[\"203.0.113.7\"]}" },
	{ 80, "oem_psirt", "assess", "{\"component\":\"openssl@1.1.1k\",\"affected\":800000}" },
	{ 95, "oem_psirt", "ota_campaign", "{\"select\":{\"ecu\":\"tcu\",\"below\":\"2.4.0\"},\"ecu\":\"tcu\",\"version\":\"2.4.1\",\"rollout\":1.0}" },
	{ 110, "supplier", "report", "{\"text\":\"advisory published\"}" },
	{ 130, "legal_pr", "notify", "{\"party\":\"customers\",\"text\":\"owner letter\"}" },
	{ 150, "isac", "share", "{\"to\":\"vsoc\",\"tlp\":\"red\",\"text\":\"member source\"}" },
	{ 190, "isac", "share", "{\"to\":\"all\",\"tlp\":\"green\",\"text\":\"variant C2\",\"indicators\":[\"198.51.100.99\"]}" },
	{ 200, "vsoc", "isolate_service", "{\"name\":\"nonexistent\"}" },
};

static int record(const char *zScenario, const char *zDb) {
	ky_err err = { 0 };
	scn_drill *d = scn_drill_open(zScenario, NULL, &err);
	scn_record *r = d ? scn_record_attach(d, zDb, &err) : NULL;
	if (!r) goto fail;
	eng_time_t dur = scn_drill_duration(d);
	for (size_t i = 0; i < sizeof aActions / sizeof aActions[0]; i++) {
		eng_time_t t = (eng_time_t)(aActions[i].tMin * 60e6);
		if (t > dur) break;
		if (scn_drill_advance_to(d, t, &err)) goto fail;
		json_t *a = json_loads(aActions[i].zArgs, 0, NULL);
		char zId[16];
		snprintf(zId, sizeof zId, "b%zu", i);
		scn_drill_action(d, aActions[i].zTeam, zId, aActions[i].zKind, a, NULL, NULL, &err); /* a refusal is data */
		json_decref(a);
	}
	scn_drill_grade(d, 7, 8, "clear initial notification", &err);
	if (scn_drill_advance_to(d, dur, &err)) goto fail;
	if (scn_record_close(r, &err)) {
		r = NULL;
		goto fail;
	}
	scn_drill_free(d);
	return 0;
fail:
	fprintf(stderr, "bench report: %s\n", err.zMsg);
	scn_record_close(r, NULL);
	scn_drill_free(d);
	return -1;
}

/* Ours: the journal loaded and the AAR written (what `kyodo report FILE.db --out X` does after its start-up). */
static double ours_aar(const char *zDb, const char *zOut) {
	double t0 = bench_wall_s();
	ky_err err = { 0 };
	rep_data *d = rep_data_load(zDb, &err);
	rep_buf b;
	rep_buf_init(&b);
	int rc = d ? rep_aar_html(&b, d, REP_EN, &err) : -1;
	if (rc == 0) rc = rep_buf_write(&b, zOut, &err);
	rep_buf_free(&b);
	rep_data_free(d);
	if (rc) fprintf(stderr, "bench report: %s\n", err.zMsg);
	return rc ? -1 : bench_wall_s() - t0;
}

/* Runs argv with stdout into zOut (NULL: /dev/null) and stdin from zIn (may be NULL); wall seconds or -1. */
static double run_cmd(char *const *argv, const char *zIn, const char *zOut) {
	double t0 = bench_wall_s();
	pid_t pid = fork();
	if (pid < 0) return -1;
	if (pid == 0) {
		int fo = open(zOut ? zOut : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open("/dev/null", O_WRONLY);
		if (fo >= 0) dup2(fo, 1);
		if (fe >= 0) dup2(fe, 2);
		if (zIn) {
			int fi = open(zIn, O_RDONLY);
			if (fi >= 0) dup2(fi, 0);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "bench report: %s exited with %d\n", argv[0], WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return -1;
	}
	return bench_wall_s() - t0;
}

/* The peer's script: every table but the snapshot blobs, as HTML rows. */
static int write_peer_script(const char *zPath) {
	static const char *const aTable[] = { "meta", "events", "injects", "deliveries", "reads", "messages", "actions",
	                                      "grades", "adhoc", "scores", "metrics", "feedback", "actors" };
	FILE *f = fopen(zPath, "w");
	if (!f) return -1;
	fputs(".mode html\n.headers on\n", f);
	for (size_t i = 0; i < sizeof aTable / sizeof aTable[0]; i++) fprintf(f, "SELECT * FROM %s;\n", aTable[i]);
	return fclose(f);
}

static int cmp_double(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double mib(const char *z) {
	struct stat st;
	return stat(z, &st) == 0 ? (double)st.st_size / 1048576.0 : 0;
}

/* Runs fn nReps times (alternating with the peer by the caller), returns the median. */
static double median(double *a, int n) {
	qsort(a, (size_t)n, sizeof *a, cmp_double);
	return a[n / 2];
}

int main(int argc, char **argv) {
	long nCars = 1000000;
	double hours = 4;
	int nReps = 5;
	const char *zKeep = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cars") && i + 1 < argc) nCars = atol(argv[++i]);
		else if (!strcmp(argv[i], "--hours") && i + 1 < argc) hours = atof(argv[++i]);
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc) nReps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--keep") && i + 1 < argc) zKeep = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--cars N] [--hours H] [--reps N] [--keep FILE.db]\n", argv[0]);
			return 2;
		}
	}
	if (nReps < 1 || nReps > 99) nReps = 5;
	char zDir[] = "/tmp/kyodo-bench-report-XXXXXX";
	if (!mkdtemp(zDir)) return 1;
	char zScenario[300], zDb[300], zAar[300], zPeer[300], zMsel[300], zStix[300];
	snprintf(zScenario, sizeof zScenario, "%s/bench.lua", zDir);
	snprintf(zDb, sizeof zDb, "%s", zKeep ? zKeep : "");
	if (!zKeep) snprintf(zDb, sizeof zDb, "%s/bench.db", zDir);
	snprintf(zAar, sizeof zAar, "%s/aar.html", zDir);
	snprintf(zPeer, sizeof zPeer, "%s/peer.html", zDir);
	snprintf(zMsel, sizeof zMsel, "%s/msel.csv", zDir);
	snprintf(zStix, sizeof zStix, "%s/stix.json", zDir);
	if (write_scenario(zScenario, nCars, hours) != 0) return 1;
	double t0 = bench_wall_s();
	if (record(zScenario, zDb) != 0) return 1;
	double tRecord = bench_wall_s() - t0;

	char zSelf[600], zKyodo[700], zScript[320];
	snprintf(zSelf, sizeof zSelf, "%s", argv[0]);
	snprintf(zKyodo, sizeof zKyodo, "%s/../kyodo", dirname(zSelf)); /* build/bench/report -> build/kyodo */
	snprintf(zScript, sizeof zScript, "%s/peer.sql", zDir);
	if (write_peer_script(zScript) != 0) return 1;
	char *aReport[] = { zKyodo, "report", zDb, "--out", zAar, NULL };
	char *aExports[] = { zKyodo, "report", zDb, "--no-html", "--msel", zMsel, "--stix", zStix, NULL };
	char *aPeerCmd[] = { "sqlite3", "-readonly", zDb, NULL };
	double aOurs[99], aPeer[99], aExp[99], aLib[99];
	for (int r = 0; r < nReps; r++) { /* alternating, so that a disturbed moment of the shared machine hits both */
		aPeer[r] = run_cmd(aPeerCmd, zScript, zPeer);
		aOurs[r] = run_cmd(aReport, NULL, NULL);
		aExp[r] = run_cmd(aExports, NULL, NULL);
		aLib[r] = ours_aar(zDb, zAar);
		if (aPeer[r] < 0 || aOurs[r] < 0 || aExp[r] < 0 || aLib[r] < 0) return 1;
	}
	run_cmd(aReport, NULL, NULL); /* the file measured is the command's own */
	double tPeer = median(aPeer, nReps), tOurs = median(aOurs, nReps), tExp = median(aExp, nReps), tLib = median(aLib, nReps);
	double mOurs = mib(zAar), mPeer = mib(zPeer);
	char zTag[32];
	if (nCars % 1000000 == 0) snprintf(zTag, sizeof zTag, "%ldM", nCars / 1000000);
	else snprintf(zTag, sizeof zTag, "%ldk", nCars / 1000);
	const char *zPeerName = "sqlite3 -html export of every journal row";
	printf("{\"bench\":\"report.aar.%s\",\"metric\":\"s\",\"value\":%.4f,\"unit\":\"s\",\"peer\":\"%s\",\"peer_value\":%.4f,\"ratio\":%.2f}\n",
	       zTag, tOurs, zPeerName, tPeer, tPeer / tOurs);
	printf("{\"bench\":\"report.aar.%s\",\"metric\":\"size\",\"value\":%.3f,\"unit\":\"MiB\",\"peer\":\"%s\",\"peer_value\":%.3f,\"ratio\":%.2f}\n",
	       zTag, mOurs, zPeerName, mPeer, mPeer / (mOurs > 0 ? mOurs : 1));
	printf("{\"bench\":\"report.exports.%s\",\"metric\":\"s\",\"value\":%.4f,\"unit\":\"s\",\"peer\":\"%s\",\"peer_value\":%.4f,\"ratio\":%.2f}\n",
	       zTag, tExp, zPeerName, tPeer, tPeer / tExp);
	printf("\nreport of a %g-hour drill with %ld cars and 5 teams (recorded in %.1f s, journal %.1f MiB):\n", hours, nCars, tRecord, mib(zDb));
	printf("  kyodo report (AAR)       %.3f s median of %d (target <= 1 s), %.3f MiB (target <= 1.907 MiB); in-process %.3f s\n",
	       tOurs, nReps, mOurs, tLib);
	printf("  kyodo report --msel --stix %.3f s (%.1f KiB + %.1f KiB)\n", tExp, mib(zMsel) * 1024, mib(zStix) * 1024);
	printf("  sqlite3 -html (peer)     %.3f s, %.3f MiB: ours %.2fx its time, %.2fx its size\n", tPeer, mPeer, tOurs / tPeer,
	       mOurs / (mPeer > 0 ? mPeer : 1));
	unlink(zScript);
	unlink(zAar), unlink(zPeer), unlink(zMsel), unlink(zStix), unlink(zScenario);
	if (!zKeep) {
		char z[320];
		unlink(zDb);
		snprintf(z, sizeof z, "%s-wal", zDb), unlink(z);
		snprintf(z, sizeof z, "%s-shm", zDb), unlink(z);
	}
	rmdir(zDir);
	return 0;
}
