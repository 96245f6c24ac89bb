/* `kyodo replay` and `kyodo whatif` as a user runs them (CONTRACT §1): journals written by `kyodo run` of the shipped
 * drills with their good scripts; frames rendered by real SDL2 (software renderer; the scripted window under
 * SDL_VIDEODRIVER=dummy), read back from the PNG files. In the fleet panel the exact state colours are counted and
 * compared with the describe line's "drawn" and with the world's counts of `kyodo run --until T`; markers are looked
 * for where their times put them; what-if journals are compared with `kyodo run` of the spliced actions; bad files
 * give exit 1 and a message naming them. The frames are kept in build/artifacts/replay/ to be looked at. */
#include "tests/c/ky_test.h"

#include <math.h>
#include <png.h>
#include <signal.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/time.h"

#define ART "build/artifacts/replay"

/* ---- running kyodo ----------------------------------------------------------------------------------------- */

static const char *kyodo(void) {
	const char *z = getenv("KYODO");
	return z && *z ? z : "build/kyodo";
}

/* Runs `kyodo ARGS` (a shell command line after the binary); stdout into *pzOut (malloc'd, may be NULL), stderr
 * into *pzErr (malloc'd, may be NULL). Returns the exit code. */
static int run(char **pzOut, char **pzErr, const char *zFmt, ...) __attribute__((format(printf, 3, 4)));
static int run(char **pzOut, char **pzErr, const char *zFmt, ...) {
	char zArgs[3000], zCmd[4000], zErrFile[600];
	va_list ap;
	va_start(ap, zFmt);
	vsnprintf(zArgs, sizeof zArgs, zFmt, ap);
	va_end(ap);
	snprintf(zErrFile, sizeof zErrFile, "%s/stderr.txt", ky_test_tmpdir());
	snprintf(zCmd, sizeof zCmd, "%s %s 2>%s", kyodo(), zArgs, zErrFile);
	FILE *p = popen(zCmd, "r");
	if (!p) ky_test_fail(__FILE__, __LINE__, "popen %s", zCmd);
	size_t n = 0, cap = 1 << 16;
	char *z = malloc(cap);
	for (size_t k; z && (k = fread(z + n, 1, cap - n - 1, p)) > 0;) {
		n += k;
		if (n + 1 >= cap) z = realloc(z, cap *= 2);
	}
	int st = pclose(p);
	if (z) z[n] = 0;
	if (pzOut) *pzOut = z;
	else free(z);
	if (pzErr) {
		FILE *f = fopen(zErrFile, "r");
		char *e = calloc(1, 8192);
		if (f && e) e[fread(e, 1, 8191, f)] = 0;
		if (f) fclose(f);
		*pzErr = e;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static json_t *json_line(const char *z) {
	json_t *o = z ? json_loads(z, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	if (!o) ky_test_fail(__FILE__, __LINE__, "not a JSON line: %s", z ? z : "(null)");
	return o;
}

static long long jint(json_t *o, const char *zPath) { /* "a.b" */
	char z[128];
	snprintf(z, sizeof z, "%s", zPath);
	json_t *v = o;
	for (char *s = strtok(z, "."); s && v; s = strtok(NULL, ".")) v = json_object_get(v, s);
	if (!json_is_integer(v)) ky_test_fail(__FILE__, __LINE__, "no integer at %s", zPath);
	return json_integer_value(v);
}

/* Journals of `kyodo run SCENARIO --actions GOOD --db`, made once per drill for the whole program (recording takes
 * an fsync per action), in a folder removed at exit; a test gets its own copy (zName) to change it if it likes. */
static char zShared[300];

static void shared_remove(void) {
	char z[400];
	snprintf(z, sizeof z, "rm -rf '%s'", zShared);
	if (zShared[0] && system(z) != 0) fprintf(stderr, "could not remove %s\n", zShared);
}

static const char *journal(const char *zDrill, const char *zName) {
	static char z[8][600];
	static int k;
	char zMaster[600], zCmd[1400];
	if (!zShared[0]) {
		const char *zBase = getenv("TMPDIR");
		snprintf(zShared, sizeof zShared, "%s/kyodo-replay-XXXXXX", zBase && *zBase ? zBase : "/tmp");
		if (!mkdtemp(zShared)) ky_test_fail(__FILE__, __LINE__, "mkdtemp");
		atexit(shared_remove);
	}
	snprintf(zMaster, sizeof zMaster, "%s/%s.db", zShared, zDrill);
	if (access(zMaster, F_OK) != 0)
		ASSERT_EQ_INT(run(NULL, NULL, "run scenarios/%s.lua --actions scenarios/%s.good.jsonl --db %s", zDrill, zDrill, zMaster), 0);
	char *p = z[k++ % 8];
	snprintf(p, 600, "%s/%s.db", ky_test_tmpdir(), zName);
	snprintf(zCmd, sizeof zCmd, "cp '%s' '%s'", zMaster, p);
	ASSERT_EQ_INT(system(zCmd), 0);
	return p;
}

/* `kyodo run --until T --json` of the same drill and actions (file: an actions file, NULL: the good script). */
static json_t *run_until(const char *zDrill, const char *zActions, eng_time_t t) {
	char *zOut = NULL, zA[600];
	snprintf(zA, sizeof zA, "scenarios/%s.good.jsonl", zDrill);
	ASSERT_EQ_INT(run(&zOut, NULL, "run scenarios/%s.lua --actions %s --until %.6f --json", zDrill, zActions ? zActions : zA,
	                  (double)t / 1e6), 0);
	json_t *o = json_line(zOut);
	free(zOut);
	return o;
}

/* ---- PNG ----------------------------------------------------------------------------------------------------- */

typedef struct image {
	int w, h;
	uint8_t *p; /* RGBA */
} image;

static void png_read(const char *zPath, image *im) {
	png_image pi;
	memset(&pi, 0, sizeof pi);
	pi.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&pi, zPath)) ky_test_fail(__FILE__, __LINE__, "%s: not a PNG: %s", zPath, pi.message);
	ASSERT_EQ_INT(pi.format & PNG_FORMAT_FLAG_COLORMAP, 0);
	ASSERT_EQ_INT(PNG_IMAGE_SAMPLE_COMPONENT_SIZE(pi.format), 1); /* 8-bit */
	pi.format = PNG_FORMAT_RGBA;
	im->w = (int)pi.width, im->h = (int)pi.height;
	im->p = malloc(PNG_IMAGE_SIZE(pi));
	if (!png_image_finish_read(&pi, NULL, im->p, 0, NULL)) ky_test_fail(__FILE__, __LINE__, "%s: %s", zPath, pi.message);
}

static const uint8_t aPal[5][3] = { { 0x56, 0xB4, 0xE9 }, { 0xD5, 0x5E, 0x00 }, { 0x99, 0x99, 0x99 }, { 0x00, 0x9E, 0x73 }, { 0xCC, 0x79, 0xA7 } };
static const char *const azClass[5] = { "clean", "compromised", "offline", "patched", "bricked" };

/* Pixels of each state colour inside the rectangle [x, y, w, h] (a JSON array). */
static void count_colours(const image *im, json_t *rect, long long n[5]) {
	int x0 = (int)json_integer_value(json_array_get(rect, 0)), y0 = (int)json_integer_value(json_array_get(rect, 1));
	int w = (int)json_integer_value(json_array_get(rect, 2)), h = (int)json_integer_value(json_array_get(rect, 3));
	memset(n, 0, 5 * sizeof *n);
	ASSERT_TRUE(x0 >= 0 && y0 >= 0 && x0 + w <= im->w && y0 + h <= im->h);
	for (int y = y0; y < y0 + h; y++)
		for (int x = x0; x < x0 + w; x++) {
			const uint8_t *p = im->p + ((size_t)y * (size_t)im->w + (size_t)x) * 4;
			for (int c = 0; c < 5; c++)
				if (p[0] == aPal[c][0] && p[1] == aPal[c][1] && p[2] == aPal[c][2]) n[c]++;
		}
}

/* Each colour's area in the rectangle is its drawn count times a car's area: exactly when a car has whole pixels,
 * within two pixels when cars share cells. Returns the pixel counts (n). */
static void check_areas(const image *im, json_t *rect, json_t *drawn, double area, long long n[5]) {
	count_colours(im, rect, n);
	for (int c = 0; c < 5; c++) {
		double want = (double)json_integer_value(json_object_get(drawn, azClass[c])) * area;
		if (area == (double)(long long)area) ASSERT_EQ_INT(n[c], (long long)want);
		else ASSERT_NEAR(n[c], want, 2.0);
	}
}

/* Renders FILE at t into build/artifacts/replay/NAME.png, checks the frame against the describe line; returns it. */
static json_t *frame(const char *zDb, const char *zExtra, eng_time_t t, const char *zName, image *im) {
	char *zOut = NULL, *zErr = NULL, zPng[600];
	mkdir("build/artifacts", 0777);
	mkdir(ART, 0777);
	snprintf(zPng, sizeof zPng, ART "/%s.png", zName);
	int rc = run(&zOut, &zErr, "replay %s --headless --at %.6f --out %s %s", zDb, (double)t / 1e6, zPng, zExtra ? zExtra : "");
	if (rc != 0) ky_test_fail(__FILE__, __LINE__, "replay exit %d: %s", rc, zErr);
	json_t *o = json_line(zOut);
	free(zOut);
	free(zErr);
	png_read(zPng, im);
	ASSERT_EQ_INT(im->w, json_integer_value(json_array_get(json_object_get(o, "size"), 0)));
	ASSERT_EQ_INT(im->h, json_integer_value(json_array_get(json_object_get(o, "size"), 1)));
	long long n[5], sum = 0;
	json_t *drawn = json_object_get(o, "drawn");
	for (int c = 0; c < 5; c++) sum += json_integer_value(json_object_get(drawn, azClass[c]));
	ASSERT_EQ_INT(sum, jint(o, "fleet.total"));
	ASSERT_EQ_INT(json_integer_value(json_object_get(drawn, "compromised")), jint(o, "fleet.compromised"));
	ASSERT_EQ_INT(json_integer_value(json_object_get(drawn, "bricked")), jint(o, "fleet.bricked"));
	check_areas(im, json_object_get(json_object_get(o, "panels"), "fleet"), drawn, json_real_value(json_object_get(o, "car_area")), n);
	return o;
}

static void same_counts(json_t *frameJson, json_t *runJson) {
	static const char *const az[] = { "total", "compromised", "patched", "offline", "bricked" };
	for (size_t i = 0; i < sizeof az / sizeof az[0]; i++) {
		long long a = json_integer_value(json_object_get(json_object_get(frameJson, "fleet"), az[i]));
		long long b = json_integer_value(json_object_get(json_object_get(runJson, "fleet"), az[i]));
		if (a != b) ky_test_fail(__FILE__, __LINE__, "fleet.%s at %lld us: replay %lld, run --until %lld", az[i],
		                         jint(frameJson, "t_us"), a, b);
	}
}

static eng_time_t first_attack(json_t *o) {
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(o, "markers"), i, m) {
		if (!strcmp(json_string_value(json_object_get(m, "lane")), "attack")) return json_integer_value(json_object_get(m, "t_us"));
	}
	return -1;
}

/* ---- frames of the shipped drills ---------------------------------------------------------------------------- */

/* Returns the compromised pixels seen after the first attack (some drills compromise no car: a data leak). */
static long long drill_frames(const char *zDrill) {
	image im = { 0 };
	char zName[128];
	const char *zDb = journal(zDrill, zDrill);
	snprintf(zName, sizeof zName, "%s-end", zDrill);
	json_t *end = frame(zDb, NULL, ENG_S(100000), zName, &im);
	free(im.p);
	eng_time_t tAttack = first_attack(end), tMid = jint(end, "duration_us") / 2 + ENG_S(7);
	ASSERT_TRUE(tAttack > 0);
	/* before the first attack: not one pixel of the compromised colour; after it (at once, or in the middle of the
	 * drill for an attack that takes time, such as a poisoned update), some */
	long long n[5], nAfter;
	snprintf(zName, sizeof zName, "%s-before-attack", zDrill);
	json_t *o = frame(zDb, NULL, tAttack - ENG_S(1), zName, &im);
	count_colours(&im, json_object_get(json_object_get(o, "panels"), "fleet"), n);
	ASSERT_EQ_INT(n[1], 0);
	json_decref(o);
	free(im.p);
	snprintf(zName, sizeof zName, "%s-after-attack", zDrill);
	o = frame(zDb, NULL, tAttack + ENG_S(1), zName, &im);
	count_colours(&im, json_object_get(json_object_get(o, "panels"), "fleet"), n);
	nAfter = n[1];
	json_decref(o);
	free(im.p);
	/* the world at T is `kyodo run --until T`'s */
	snprintf(zName, sizeof zName, "%s-mid", zDrill);
	o = frame(zDb, NULL, tMid, zName, &im);
	json_t *r = run_until(zDrill, NULL, tMid);
	same_counts(o, r);
	count_colours(&im, json_object_get(json_object_get(o, "panels"), "fleet"), n);
	json_decref(r);
	json_decref(o);
	json_decref(end);
	free(im.p);
	return nAfter + n[1];
}

TEST(frames_of_tcu_remote_and_ota_supplier_show_the_world_in_its_colours) {
	ASSERT_LT(0, drill_frames("tcu-remote"));
	ASSERT_LT(0, drill_frames("ota-supplier"));
}

TEST(frames_of_relay_theft_darkweb_leak_api_key_leak_and_ev_charging_show_the_world_in_its_colours) {
	ASSERT_LT(0, drill_frames("relay-theft"));
	drill_frames("darkweb-leak");
	drill_frames("api-key-leak");
	drill_frames("ev-charging");
}

/* At each snapshot of the journal and a second after it, the frame's counts are those of `kyodo run --until`. */
TEST(frames_at_and_between_snapshot_boundaries_match_run_until) {
	const char *zDb = journal("tcu-remote", "snap");
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	eng_time_t aT[16];
	int n = 0;
	ASSERT_EQ_INT(sqlite3_open_v2(zDb, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_prepare_v2(db, "SELECT t_us FROM snapshots ORDER BY t_us", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW && n < 14) {
		eng_time_t t = sqlite3_column_int64(st, 0);
		aT[n++] = t;
		if (t + ENG_S(1) < ENG_S(4 * 3600)) aT[n++] = t + ENG_S(1) + 1;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	ASSERT_LE(6, n);
	for (int i = 0; i < n; i++) {
		image im = { 0 };
		char zName[64];
		snprintf(zName, sizeof zName, "snapshot-%d", i);
		json_t *o = frame(zDb, NULL, aT[i], zName, &im);
		json_t *r = run_until("tcu-remote", NULL, aT[i]);
		same_counts(o, r);
		ASSERT_EQ_INT(jint(o, "t_us"), aT[i]);
		json_decref(o);
		json_decref(r);
		free(im.p);
	}
}

/* Each marker is drawn where its time puts it: x = X + round(t (W - 1) / duration) on the timeline. */
TEST(markers_sit_at_the_x_positions_their_times_imply) {
	image im = { 0 };
	const char *zDb = journal("tcu-remote", "markers");
	json_t *o = frame(zDb, NULL, ENG_S(3600), "markers", &im);
	json_t *tl = json_object_get(json_object_get(o, "panels"), "timeline");
	long long X = json_integer_value(json_array_get(tl, 0)), W = json_integer_value(json_array_get(tl, 2));
	long long dur = jint(o, "duration_us");
	size_t i, nSeen = 0;
	json_t *m;
	json_array_foreach(json_object_get(o, "markers"), i, m) {
		long long t = json_integer_value(json_object_get(m, "t_us")), x = json_integer_value(json_object_get(m, "x"));
		long long y = json_integer_value(json_object_get(m, "y"));
		ASSERT_EQ_INT(x, X + (long long)((double)t * (double)(W - 1) / (double)dur + 0.5));
		const uint8_t *p = im.p + ((size_t)y * (size_t)im.w + (size_t)x) * 4;
		int bBackground = (p[0] == 23 && p[1] == 26 && p[2] == 32) || (p[0] == 29 && p[1] == 32 && p[2] == 40);
		if (bBackground) ky_test_fail(__FILE__, __LINE__, "no marker drawn at x %lld y %lld (t %lld us)", x, y, t);
		nSeen++;
	}
	ASSERT_LE(15, nSeen);
	json_decref(o);
	free(im.p);
}

/* ---- what-if ------------------------------------------------------------------------------------------------- */

/* Writes the recorded good script's lines before T and ALT's from T on (none of the teams left out from T on). */
static void splice(const char *zDrill, const char *zAlt, eng_time_t t, const char *const *azWithout, const char *zOut) {
	char zGood[300], z[4096];
	snprintf(zGood, sizeof zGood, "scenarios/%s.good.jsonl", zDrill);
	FILE *out = fopen(zOut, "w");
	const char *az[2] = { zGood, zAlt ? zAlt : zGood };
	for (int k = 0; k < 2; k++) {
		FILE *in = fopen(az[k], "r");
		ASSERT_TRUE(in != NULL);
		while (fgets(z, sizeof z, in)) {
			json_t *o = json_loads(z, 0, NULL);
			if (!o) continue;
			eng_time_t ta = 0;
			eng_time_parse(json_string_value(json_object_get(o, "t")), &ta, NULL);
			int bKeep = k == 0 ? ta < t : ta >= t;
			for (int w = 0; bKeep && k == 1 && azWithout && azWithout[w]; w++)
				bKeep = strcmp(azWithout[w], json_string_value(json_object_get(o, "team"))) != 0;
			if (bKeep) fputs(z, out);
			json_decref(o);
		}
		fclose(in);
	}
	fclose(out);
}

/* A journal's meta summary (the run summary stored at close), read with sqlite3 itself; NULL when it has none. */
static json_t *meta_summary(const char *zDb) {
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	json_t *o = NULL;
	ASSERT_EQ_INT(sqlite3_open_v2(zDb, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'summary'", -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW) o = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return o;
}

/* The impact objects are equal (every figure, every team), else the test fails showing both. */
static void same_impact(const char *zWhat, json_t *a, json_t *b, int line) {
	if (!json_is_object(a) || !json_is_object(b) || !json_equal(a, b)) {
		char *zA = a ? json_dumps(a, JSON_COMPACT) : NULL, *zB = b ? json_dumps(b, JSON_COMPACT) : NULL;
		ky_test_fail(__FILE__, line, "%s: impact %s, expected %s", zWhat, zA ? zA : "(none)", zB ? zB : "(none)");
	}
}

static void whatif_case(const char *zDb, const char *zDrill, const char *zAltName, eng_time_t t, const char *const *azWithout) {
	char zAlt[400] = "", zWithout[300] = "", zOut[600], zSpliced[600];
	char zAltPath[300];
	if (zAltName && strchr(zAltName, '/')) snprintf(zAltPath, sizeof zAltPath, "%s", zAltName);  /* a path */
	else snprintf(zAltPath, sizeof zAltPath, "scenarios/%s.%s.jsonl", zDrill, zAltName ? zAltName : "good");
	if (zAltName) snprintf(zAlt, sizeof zAlt, "--actions %s", zAltPath);
	for (int w = 0; azWithout && azWithout[w]; w++)
		snprintf(zWithout + strlen(zWithout), sizeof zWithout - strlen(zWithout), " --without %s", azWithout[w]);
	snprintf(zOut, sizeof zOut, "%s/whatif.db", ky_test_tmpdir());
	snprintf(zSpliced, sizeof zSpliced, "%s/spliced.jsonl", ky_test_tmpdir());
	char *zJson = NULL, *zErr = NULL;
	int rc = run(&zJson, &zErr, "whatif %s --from %.6f %s %s --db %s --json", zDb, (double)t / 1e6, zAlt, zWithout, zOut);
	if (rc) ky_test_fail(__FILE__, __LINE__, "whatif exit %d: %s", rc, zErr);
	splice(zDrill, zAltPath, t, azWithout, zSpliced);
	json_t *w = json_line(zJson), *r = run_until(zDrill, zSpliced, ENG_S(100000));
	const char *zW = json_string_value(json_object_get(w, "state_hash")), *zR = json_string_value(json_object_get(r, "state_hash"));
	if (!zW || !zR || strcmp(zW, zR) != 0)
		ky_test_fail(__FILE__, __LINE__, "%s whatif --from %lld us %s%s: state_hash %s, run of the spliced actions %s", zDrill,
		             (long long)t, zAlt, zWithout, zW, zR);
	same_counts(w, r);
	/* the impact figures: the what-if's are those of `kyodo run` of the splice (baseline, averted, each team's),
	 * stored in OUT.db's summary, with the recorded drill's figures (its journal's summary) beside them */
	char zWhat[900];
	snprintf(zWhat, sizeof zWhat, "%s whatif --from %lld us %s%s", zDrill, (long long)t, zAlt, zWithout);
	same_impact(zWhat, json_object_get(w, "impact"), json_object_get(r, "impact"), __LINE__);
	ASSERT_TRUE(json_integer_value(json_object_get(json_object_get(w, "impact"), "runs")) > 0);
	json_t *src = meta_summary(zDb), *out = meta_summary(zOut);
	same_impact(zWhat, json_object_get(w, "impact_recorded"), json_object_get(src, "impact"), __LINE__);
	same_impact(zWhat, json_object_get(out, "impact"), json_object_get(w, "impact"), __LINE__);
	json_decref(src);
	json_decref(out);
	/* OUT.db is a whole journal: the viewer opens it and shows the same end */
	image im = { 0 };
	json_t *f = frame(zOut, NULL, ENG_S(100000), "whatif-end", &im);
	same_counts(f, r);
	json_decref(f);
	free(im.p);
	json_decref(w);
	json_decref(r);
	free(zJson);
	free(zErr);
}

TEST(whatif_equals_run_of_the_spliced_actions_for_several_times_and_teams) {
	const char *zDb = journal("tcu-remote", "wi");
	const char *azVsoc[] = { "vsoc", NULL }, *azTwo[] = { "oem_psirt", "legal_pr", NULL };
	whatif_case(zDb, "tcu-remote", "poor", 0, NULL);
	whatif_case(zDb, "tcu-remote", "poor", ENG_S(25 * 60), NULL);
	whatif_case(zDb, "tcu-remote", "poor", ENG_S(90 * 60), NULL);
	whatif_case(zDb, "tcu-remote", NULL, ENG_S(20 * 60), azVsoc);
	whatif_case(zDb, "tcu-remote", NULL, ENG_S(3600), azTwo);
	whatif_case(zDb, "tcu-remote", "poor", ENG_S(4 * 3600), NULL);
	/* the good script without its triage: the first actions of the teams change the world, so a counterfactual
	 * forked one input late (after T, and the baseline at T = 0) would differ */
	whatif_case(zDb, "tcu-remote", "tests/data/replay/tcu-remote.notriage.jsonl", 0, NULL);
	whatif_case(zDb, "tcu-remote", "tests/data/replay/tcu-remote.notriage.jsonl", ENG_S(20 * 60), NULL);
	const char *zRelay = journal("relay-theft", "wi-relay");
	const char *azPsirt[] = { "oem_psirt", NULL };
	whatif_case(zRelay, "relay-theft", "poor", ENG_S(3 * 3600), NULL);
	whatif_case(zRelay, "relay-theft", NULL, ENG_S(2 * 3600), azPsirt);
	/* a scenario that loads files beside it: the journal's copies of them rebuild it */
	const char *zSbom = journal("sbom-zlib", "wi-sbom");
	whatif_case(zSbom, "sbom-zlib", "poor", ENG_S(3600), NULL);
}

/* The figure after `zKey` on the summary's impact line, e.g. "harm " or "(recorded ". */
static double text_figure(const char *zText, const char *zKey) {
	const char *p = strstr(zText, "\nimpact ");
	ASSERT_TRUE(p != NULL);
	p = strstr(p, zKey);
	ASSERT_TRUE(p != NULL);
	return strtod(p + strlen(zKey), NULL);
}

TEST(whatif_impact_text_no_impact_and_report) {
	const char *zDb = journal("tcu-remote", "wimp");
	char zOut[600], zB[600], zHtml[700], *zText = NULL, *zJson = NULL, *zErr = NULL;
	snprintf(zOut, sizeof zOut, "%s/wimp-out.db", ky_test_tmpdir());
	snprintf(zB, sizeof zB, "%s/wimp-b.db", ky_test_tmpdir());
	/* text: the what-if's harm and share averted beside the recorded ones, one line per team with both shares */
	ASSERT_EQ_INT(run(&zText, &zErr, "whatif %s --from 20m --without vsoc --db %s", zDb, zOut), 0);
	free(zErr);
	json_t *s = meta_summary(zOut), *im = json_object_get(s, "impact"), *rec = json_object_get(s, "impact_recorded");
	ASSERT_TRUE(im && rec);
	ASSERT_TRUE(fabs(text_figure(zText, "harm ") - json_number_value(json_object_get(im, "harm"))) < 0.051);
	ASSERT_TRUE(fabs(text_figure(zText, "(recorded ") - json_number_value(json_object_get(rec, "harm"))) < 0.051);
	ASSERT_TRUE(fabs(text_figure(zText, "(no team actions): ") - 100 * json_number_value(json_object_get(im, "averted"))) < 0.051);
	ASSERT_TRUE(fabs(text_figure(zText, "averted (recorded ") - 100 * json_number_value(json_object_get(rec, "averted"))) < 0.051);
	/* without the VSOC's actions from 20 min on, less harm is averted than in the recorded drill */
	ASSERT_LT(json_number_value(json_object_get(im, "averted")), json_number_value(json_object_get(rec, "averted")) - 0.1);
	ASSERT_CONTAINS(zText, "averted by vsoc");
	ASSERT_CONTAINS(zText, "; recorded ");
	/* the report of OUT.db shows the what-if's share averted (it reads the journal's summary) */
	snprintf(zHtml, sizeof zHtml, "%s/wimp.html", ky_test_tmpdir());
	ASSERT_EQ_INT(run(NULL, NULL, "report %s --out %s", zOut, zHtml), 0);
	char zWant[100], zGrep[1000];
	snprintf(zWant, sizeof zWant, "data-k=\"impact.averted\" data-v=\"%.10g\"", json_number_value(json_object_get(im, "averted")));
	snprintf(zGrep, sizeof zGrep, "grep -qF '%s' '%s'", zWant, zHtml);
	ASSERT_EQ_INT(system(zGrep), 0);
	json_decref(s);
	free(zText);
	/* --no-impact: neither the figures nor the recorded ones, in JSON, text or OUT.db */
	ASSERT_EQ_INT(run(&zJson, NULL, "whatif %s --from 20m --without vsoc --db %s --json --no-impact", zDb, zB), 0);
	json_t *w = json_line(zJson);
	ASSERT_TRUE(json_object_get(w, "impact") == NULL && json_object_get(w, "impact_recorded") == NULL);
	ASSERT_TRUE(json_object_get(w, "state_hash") != NULL);
	json_decref(w);
	free(zJson);
	s = meta_summary(zB);
	ASSERT_TRUE(s && !json_object_get(s, "impact"));
	json_decref(s);
	ASSERT_EQ_INT(run(&zText, NULL, "whatif %s --from 20m --db %s --no-impact", zDb, zB), 0);
	ASSERT_TRUE(strstr(zText, "\nimpact ") == NULL && strstr(zText, "averted by") == NULL);
	free(zText);
	/* a recorded drill without figures: the what-if has its own, and no recorded ones */
	char zNo[600];
	snprintf(zNo, sizeof zNo, "%s/wimp-noimp.db", ky_test_tmpdir());
	ASSERT_EQ_INT(run(NULL, NULL, "run scenarios/tcu-remote.lua --actions scenarios/tcu-remote.good.jsonl --no-impact --db %s", zNo), 0);
	ASSERT_EQ_INT(run(&zJson, NULL, "whatif %s --from 1h --actions scenarios/tcu-remote.poor.jsonl --db %s --json", zNo, zB), 0);
	w = json_line(zJson);
	ASSERT_TRUE(json_object_get(w, "impact") != NULL && json_object_get(w, "impact_recorded") == NULL);
	json_decref(w);
	free(zJson);
}

TEST(whatif_refuses_a_bad_file_or_time) {
	const char *zDb = journal("tcu-remote", "wibad");
	char *zErr = NULL, zOut[600];
	snprintf(zOut, sizeof zOut, "%s/out.db", ky_test_tmpdir());
	ASSERT_EQ_INT(run(NULL, &zErr, "whatif %s --from 05:00:00 --db %s", zDb, zOut), 1);
	ASSERT_CONTAINS(zErr, "outside the recording");
	ASSERT_TRUE(access(zOut, F_OK) != 0);
	free(zErr);
	ASSERT_EQ_INT(run(NULL, &zErr, "whatif %s --from soon --db %s", zDb, zOut), 1);
	ASSERT_CONTAINS(zErr, "bad time");
	free(zErr);
	ASSERT_EQ_INT(run(NULL, &zErr, "whatif %s/none.db --from 1h --db %s", ky_test_tmpdir(), zOut), 1);
	ASSERT_CONTAINS(zErr, "none.db");
	free(zErr);
	ASSERT_EQ_INT(run(NULL, &zErr, "whatif %s --from 1h --without nobody --db %s", zDb, zOut), 1);
	ASSERT_CONTAINS(zErr, "nobody");
	free(zErr);
	ASSERT_EQ_INT(run(NULL, &zErr, "whatif %s --from 0 --actions tests/data/replay/ties.jsonl --db %s", zDb, zOut), 1);
	ASSERT_CONTAINS(zErr, "tests/data/replay/ties.jsonl:");
	ASSERT_TRUE(access(zOut, F_OK) != 0);
	free(zErr);
}

/* ---- compare ------------------------------------------------------------------------------------------------- */

TEST(compare_frames_show_two_fleets) {
	const char *zA = journal("relay-theft", "cmpA");
	char zB[600], *zErr = NULL, zExtra[700];
	snprintf(zB, sizeof zB, "%s/cmpB.db", ky_test_tmpdir());
	ASSERT_EQ_INT(run(NULL, &zErr, "whatif %s --from 2h --without oem_psirt --db %s", zA, zB), 0);
	free(zErr);
	snprintf(zExtra, sizeof zExtra, "--compare %s", zB);
	image im = { 0 };
	json_t *o = frame(zA, zExtra, ENG_S(5 * 3600), "compare", &im);
	json_t *cmp = json_object_get(o, "compare");
	ASSERT_TRUE(cmp != NULL);
	long long nA[5], nB[5];
	json_t *rA = json_object_get(json_object_get(o, "panels"), "fleet"), *rB = json_object_get(json_object_get(o, "panels"), "fleet_b");
	ASSERT_TRUE(rB != NULL);
	ASSERT_LE(json_integer_value(json_array_get(rA, 0)) + json_integer_value(json_array_get(rA, 2)), json_integer_value(json_array_get(rB, 0)));
	check_areas(&im, rB, json_object_get(cmp, "drawn"), json_real_value(json_object_get(o, "car_area")), nB);
	count_colours(&im, rA, nA);
	ASSERT_LT(nA[1], nB[1]);   /* without the PSIRT's BCM update, more cars are stolen */
	ASSERT_LT(nB[3], nA[3]);   /* and none patched */
	json_decref(o);
	free(im.p);
}

/* ---- bad journals, odd journals -------------------------------------------------------------------------------- */

static void refused(const char *zDb, const char *zWant) {
	char *zErr = NULL, zPng[600];
	snprintf(zPng, sizeof zPng, "%s/bad.png", ky_test_tmpdir());
	int rc = run(NULL, &zErr, "replay %s --headless --at 1h --out %s", zDb, zPng);
	if (rc != 1) ky_test_fail(__FILE__, __LINE__, "replay %s: exit %d, want 1: %s", zDb, rc, zErr);
	ASSERT_CONTAINS(zErr, zDb);
	ASSERT_CONTAINS(zErr, zWant);
	free(zErr);
}

TEST(a_missing_empty_damaged_or_newer_journal_is_refused_with_a_clear_error) {
	char z[600];
	const char *zDir = ky_test_tmpdir();
	snprintf(z, sizeof z, "%s/missing.db", zDir);
	refused(z, "No such file");
	snprintf(z, sizeof z, "%s/empty.db", zDir);
	fclose(fopen(z, "w"));
	refused(z, "empty");
	snprintf(z, sizeof z, "%s/garbage.db", zDir);
	FILE *f = fopen(z, "w");
	for (int i = 0; i < 4096; i++) fputc((i * 7919) & 0xff, f);
	fclose(f);
	refused(z, "not a kyodo journal");
	const char *zDb = journal("tcu-remote", "newer");
	sqlite3 *db = NULL;
	ASSERT_EQ_INT(sqlite3_open(zDb, &db), SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	refused(zDb, "newer");
	snprintf(z, sizeof z, "%s/other.db", zDir);
	ASSERT_EQ_INT(sqlite3_open(z, &db), SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_exec(db, "CREATE TABLE t(x); PRAGMA application_id = 42", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	refused(z, "not a kyodo journal");
	char *zErr = NULL;
	ASSERT_EQ_INT(run(NULL, &zErr, "replay %s --headless --at later --out %s/x.png", zDb, zDir), 2); /* usage */
	ASSERT_CONTAINS(zErr, "bad time");
	free(zErr);
}

/* A damaged world log or snapshot never gives a wrong frame: the frame is right, or the run fails. */
TEST(a_journal_with_damaged_rows_gives_a_correct_frame_or_an_error) {
	const char *zDb = journal("tcu-remote", "damaged");
	sqlite3 *db = NULL;
	ASSERT_EQ_INT(sqlite3_open(zDb, &db), SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_exec(db, "UPDATE snapshots SET data = zeroblob(length(data)) WHERE t_us > 0", NULL, NULL, NULL),
	              SQLITE_OK);
	sqlite3_close(db);
	image im = { 0 };
	json_t *o = frame(zDb, NULL, ENG_S(5400), "damaged-snapshot", &im);
	json_t *r = run_until("tcu-remote", NULL, ENG_S(5400));
	same_counts(o, r);
	json_decref(o);
	json_decref(r);
	free(im.p);
	ASSERT_EQ_INT(sqlite3_open(zDb, &db), SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_exec(db, "UPDATE world_inputs SET args = '{bad' WHERE name = 'attack.spread'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	refused(zDb, "world_inputs");
}

TEST(a_journal_without_actions_gives_a_correct_frame) {
	char zDb[600];
	snprintf(zDb, sizeof zDb, "%s/noact.db", ky_test_tmpdir());
	ASSERT_EQ_INT(run(NULL, NULL, "run scenarios/tcu-remote.lua --db %s", zDb), 0);
	image im = { 0 };
	json_t *o = frame(zDb, NULL, ENG_S(7200), "no-actions", &im);
	char zEmpty[600];
	snprintf(zEmpty, sizeof zEmpty, "%s/empty.jsonl", ky_test_tmpdir());
	fclose(fopen(zEmpty, "w"));
	json_t *r = run_until("tcu-remote", zEmpty, ENG_S(7200));
	same_counts(o, r);
	json_decref(o);
	json_decref(r);
	free(im.p);
}

/* A drill killed while it ran: frames up to where its journal stops, an error after. */
TEST(an_interrupted_drills_journal_gives_correct_frames_up_to_where_it_stops) {
	char zDb[600];
	snprintf(zDb, sizeof zDb, "%s/killed.db", ky_test_tmpdir());
	pid_t pid = fork();
	if (pid == 0) {
		execl(kyodo(), "kyodo", "run", "scenarios/ota-supplier.lua", "--actions", "scenarios/ota-supplier.good.jsonl", "--db", zDb,
		      (char *)NULL);
		_exit(127);
	}
	eng_time_t tClean = 0;
	for (int i = 0; i < 400 && tClean < ENG_S(1800); i++) { /* until it has recorded half an hour */
		usleep(5000);
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;
		if (sqlite3_open_v2(zDb, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		    sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'clean_us'", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			tClean = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ASSERT_LT(0, tClean);
	image im = { 0 };
	json_t *end = frame(zDb, NULL, 0, "interrupted-start", &im);
	json_decref(end);
	free(im.p);
	char *zOut = NULL, *zErr = NULL, zPng[600];
	snprintf(zPng, sizeof zPng, ART "/interrupted-end.png");
	ASSERT_EQ_INT(run(&zOut, &zErr, "replay %s --headless --out %s", zDb, zPng), 0);
	json_t *o = json_line(zOut);
	eng_time_t tEnd = jint(o, "t_us");
	ASSERT_LT(0, tEnd);
	json_t *r = run_until("ota-supplier", NULL, tEnd);
	same_counts(o, r);
	free(zOut);
	free(zErr);
	json_decref(o);
	json_decref(r);
	ASSERT_EQ_INT(run(NULL, &zErr, "replay %s --headless --at 5h --out %s", zDb, zPng), 1);
	ASSERT_CONTAINS(zErr, "after the end of the recording");
	free(zErr);
}

/* ---- sequences, the window ------------------------------------------------------------------------------------- */

TEST(frames_dir_writes_a_numbered_png_sequence) {
	const char *zDb = journal("tcu-remote", "seq");
	char *zOut = NULL, zDir[600];
	snprintf(zDir, sizeof zDir, "%s/frames", ky_test_tmpdir());
	ASSERT_EQ_INT(run(&zOut, NULL, "replay %s --headless --frames %s --every 1h --size 640x360", zDb, zDir), 0);
	json_t *o = json_line(zOut);
	ASSERT_EQ_INT(jint(o, "frames"), 5);
	for (int i = 1; i <= 5; i++) {
		char z[700];
		image im = { 0 };
		snprintf(z, sizeof z, "%s/frame-%05d.png", zDir, i);
		png_read(z, &im);
		ASSERT_EQ_INT(im.w, 640);
		free(im.p);
	}
	json_decref(o);
	free(zOut);
}

/* The window (SDL's dummy video driver): keys seek to markers; the last frame keeps the colour rule. */
TEST(the_window_plays_keys_and_its_frame_keeps_the_colours) {
	const char *zDb = journal("tcu-remote", "window");
	char *zOut = NULL, *zErr = NULL;
	setenv("SDL_VIDEODRIVER", "dummy", 0);
	int rc = run(&zOut, &zErr, "replay %s --keys end,left,left,left,wheelup,0 --out " ART "/window.png", zDb);
	if (rc) ky_test_fail(__FILE__, __LINE__, "exit %d: %s", rc, zErr);
	json_t *o = json_line(zOut);
	ASSERT_EQ_INT(jint(o, "t_us"), ENG_S(7800)); /* end, then back three markers: 03:30, 02:30, 02:10 */
	image im = { 0 };
	png_read(ART "/window.png", &im);
	long long n[5];
	check_areas(&im, json_object_get(json_object_get(o, "panels"), "fleet"), json_object_get(o, "drawn"),
	            json_real_value(json_object_get(o, "car_area")), n);
	json_t *view = json_object_get(o, "view");
	ASSERT_LT(json_integer_value(json_array_get(view, 1)) - json_integer_value(json_array_get(view, 0)), ENG_S(4 * 3600)); /* zoomed */
	json_decref(o);
	free(im.p);
	free(zOut);
	free(zErr);
}

/* More cars than pixels: cars share cells, each colour's area still in proportion (within two pixels). */
TEST(a_fleet_larger_than_the_panel_shares_cells_in_proportion) {
	char zLua[600], zDb[600];
	snprintf(zLua, sizeof zLua, "%s/big.lua", ky_test_tmpdir());
	snprintf(zDb, sizeof zDb, "%s/big.db", ky_test_tmpdir());
	FILE *f = fopen(zLua, "w");
	fputs("scenario { id = \"big\", title = \"大規模フリート\", duration = \"12m\", seed = 3 }\n"
	      "teams { { id = \"vsoc\", name = \"Vehicle SOC\" } }\n"
	      "fleet { { model = \"Sedan-A\", count = 250000, region = \"JP-Kanto\", ecus = { tcu = \"2.3.1\" } },\n"
	      "        { model = \"SUV-B\", count = 150000, region = \"JP-Kansai\", ecus = { tcu = \"2.4.1\" } } }\n"
	      "at(\"00:05:00\", function() attack.compromise { select = { ecu = \"tcu\", below = \"2.4.0\" }, fraction = 0.04 } end)\n",
	      f);
	fclose(f);
	ASSERT_EQ_INT(run(NULL, NULL, "run %s --db %s", zLua, zDb), 0);
	image im = { 0 };
	json_t *o = frame(zDb, NULL, ENG_S(600), "shared-cells", &im);
	ASSERT_LT(json_real_value(json_object_get(o, "car_area")), 1.0);
	ASSERT_LT(8000, jint(o, "drawn.compromised")); /* 4 % of the 250,000 vulnerable, less those that went offline since */
	char zRun[700], *zOut = NULL;
	ASSERT_EQ_INT(run(&zOut, NULL, "run %s --until 600 --json", zLua), 0);
	json_t *r = json_line(zOut);
	same_counts(o, r);
	json_decref(r);
	free(zOut);
	(void)zRun;
	json_decref(o);
	free(im.p);
}

/* ---- organisations and the harm index (issues 12, 13) ------------------------------------------------------------ */

static double jreal(json_t *o, const char *zKey) {
	json_t *v = json_object_get(o, zKey);
	if (!json_is_number(v)) ky_test_fail(__FILE__, __LINE__, "no number at %s", zKey);
	return json_number_value(v);
}

/* The blocks of the fleet: each block's pixels of each colour, in its own rows of the panel, are its cars per
 * colour times a car's area (exactly: whole pixels); together they cover car ids [0, total) once each. Returns the
 * blocks' labels joined by "|" (z). */
static const char *check_groups(const image *im, json_t *o, char *z, size_t n) {
	json_t *fleet = json_object_get(json_object_get(o, "panels"), "fleet"), *g;
	double area = json_real_value(json_object_get(o, "car_area"));
	long long total = jint(o, "fleet.total"), covered = 0, aSum[5] = { 0 };
	size_t i, at = 0;
	ASSERT_EQ_INT(area, (double)(long long)area); /* whole pixels: the counts below are exact */
	z[0] = 0;
	json_array_foreach(json_object_get(o, "groups"), i, g) {
		json_t *rows = json_object_get(g, "rows");
		json_t *rect = json_pack("[IIII]", json_integer_value(json_array_get(fleet, 0)),
		                         json_integer_value(json_array_get(fleet, 1)) + json_integer_value(json_array_get(rows, 0)),
		                         json_integer_value(json_array_get(fleet, 2)), json_integer_value(json_array_get(rows, 1)));
		long long nPix[5], nCars = 0;
		check_areas(im, rect, json_object_get(g, "drawn"), area, nPix);
		for (int c = 0; c < 5; c++) {
			long long k = json_integer_value(json_object_get(json_object_get(g, "drawn"), azClass[c]));
			nCars += k, aSum[c] += k;
		}
		ASSERT_EQ_INT(nCars, jint(g, "cars"));
		/* car ids: no two blocks overlap (each starts where no other block's cars are) */
		long long f = jint(g, "first");
		size_t j;
		json_t *h;
		json_array_foreach(json_object_get(o, "groups"), j, h) {
			if (j != i) ASSERT_TRUE(f + jint(g, "cars") <= jint(h, "first") || jint(h, "first") + jint(h, "cars") <= f);
		}
		covered += nCars;
		json_decref(rect);
		at += (size_t)snprintf(z + at, at < n ? n - at : 0, "%s%s", i ? "|" : "", json_string_value(json_object_get(g, "label")));
	}
	ASSERT_EQ_INT(covered, total);
	for (int c = 0; c < 5; c++) ASSERT_EQ_INT(aSum[c], json_integer_value(json_object_get(json_object_get(o, "drawn"), azClass[c])));
	return z;
}

/* The org of each of national-relay's OEMs, by name (the scenario's orgs{}). */
static const char *const azOrgId[3] = { "oem_a", "oem_b", "oem_c" }, *const azOrgName[3] = { "A自動車", "B自動車", "C自動車" };

/* Each org's blocks together hold its cars: their cars and compromised cars are the org's of `kyodo run --until`. */
static void same_org_counts(json_t *o, json_t *r) {
	ASSERT_EQ_INT(jint(o, "fleet.bricked"), 0); /* so that a compromised car is drawn compromised */
	for (int k = 0; k < 3; k++) {
		long long nCars = 0, nComp = 0;
		size_t i;
		json_t *g;
		json_array_foreach(json_object_get(o, "groups"), i, g) {
			if (strncmp(json_string_value(json_object_get(g, "label")), azOrgName[k], strlen(azOrgName[k])) != 0) continue;
			nCars += jint(g, "cars");
			nComp += jint(g, "drawn.compromised");
		}
		json_t *org = json_object_get(json_object_get(r, "orgs"), azOrgId[k]);
		ASSERT_EQ_INT(nCars, json_integer_value(json_object_get(org, "total")));
		ASSERT_EQ_INT(nComp, json_integer_value(json_object_get(org, "compromised")));
	}
}

/* national-relay: one block per cohort, an org's cohorts together in the order the orgs are declared, each labelled
 * with its org's name; the same drill with the orgs declared in another order than its cohorts keeps every block's
 * cars exact (blocks out of car-id order). */
TEST(the_fleet_is_grouped_by_org_in_the_order_declared) {
	image im = { 0 };
	char z[2000], zLua[600], zDb[600], *zOut = NULL;
	const char *zNr = journal("national-relay", "orgs");
	eng_time_t t = ENG_S(2 * 3600 + 40 * 60);
	json_t *o = frame(zNr, NULL, t, "national-relay-orgs", &im);
	check_groups(&im, o, z, sizeof z);
	ASSERT_EQ_INT(json_array_size(json_object_get(o, "groups")), 5);
	const char *azWant[5] = { "A自動車 · ", "A自動車 · ", "B自動車 · ", "B自動車 · ", "C自動車 · " };
	for (int i = 0; i < 5; i++) {
		const char *zLabel = json_string_value(json_object_get(json_array_get(json_object_get(o, "groups"), (size_t)i), "label"));
		if (strncmp(zLabel, azWant[i], strlen(azWant[i])) != 0) ky_test_fail(__FILE__, __LINE__, "block %d is '%s'", i, zLabel);
	}
	json_t *r = run_until("national-relay", NULL, t);
	same_org_counts(o, r);
	ASSERT_LT(0, jint(o, "drawn.compromised"));
	json_decref(r);
	json_decref(o);
	free(im.p);
	/* the orgs declared B, C, A (A's line moved after C's): A's blocks, car ids 0.., come last */
	snprintf(zLua, sizeof zLua, "%s/nr-order.lua", ky_test_tmpdir());
	snprintf(zDb, sizeof zDb, "%s/nr-order.db", ky_test_tmpdir());
	FILE *f = fopen("scenarios/national-relay.lua", "r");
	ASSERT_TRUE(f != NULL);
	size_t cap = 1 << 20, n = 0;
	char *zText = malloc(cap);
	n = fread(zText, 1, cap - 1, f);
	zText[n] = 0;
	fclose(f);
	const char *zA = "\t{ id = \"oem_a\", name = \"A自動車\", kind = \"oem\" },\n", *zC = "\t{ id = \"oem_c\", name = \"C自動車\", kind = \"oem\" },\n";
	char *pA = strstr(zText, zA), *pC = strstr(zText, zC);
	ASSERT_TRUE(pA && pC && pA < pC);
	f = fopen(zLua, "w");
	fwrite(zText, 1, (size_t)(pA - zText), f);                       /* up to A's line */
	fwrite(pA + strlen(zA), 1, (size_t)(pC + strlen(zC) - pA - strlen(zA)), f); /* B's and C's */
	fputs(zA, f);
	fputs(pC + strlen(zC), f);
	fclose(f);
	free(zText);
	ASSERT_EQ_INT(run(NULL, NULL, "run %s --actions scenarios/national-relay.good.jsonl --db %s --no-impact", zLua, zDb), 0);
	o = frame(zDb, NULL, t, "national-relay-orgs-reordered", &im);
	check_groups(&im, o, z, sizeof z);
	const char *azWant2[5] = { "B自動車 · ", "B自動車 · ", "C自動車 · ", "A自動車 · ", "A自動車 · " };
	for (int i = 0; i < 5; i++) {
		json_t *g = json_array_get(json_object_get(o, "groups"), (size_t)i);
		const char *zLabel = json_string_value(json_object_get(g, "label"));
		if (strncmp(zLabel, azWant2[i], strlen(azWant2[i])) != 0) ky_test_fail(__FILE__, __LINE__, "block %d is '%s'", i, zLabel);
		if (i == 3) ASSERT_EQ_INT(jint(g, "first"), 0);
	}
	ASSERT_EQ_INT(run(&zOut, NULL, "run %s --actions scenarios/national-relay.good.jsonl --until %.6f --json --no-impact", zLua, (double)t / 1e6), 0);
	r = json_line(zOut);
	same_counts(o, r);
	same_org_counts(o, r);
	json_decref(r);
	json_decref(o);
	free(zOut);
	free(im.p);
}

/* A drill without orgs: one block per cohort, labelled model · region, in car-id order, as before the orgs. */
TEST(a_drill_without_orgs_keeps_its_blocks_in_car_id_order) {
	image im = { 0 };
	char z[2000];
	json_t *o = frame(journal("tcu-remote", "noorgs"), NULL, ENG_S(5400), "no-orgs", &im);
	check_groups(&im, o, z, sizeof z);
	size_t i;
	json_t *g;
	long long at = 0;
	json_array_foreach(json_object_get(o, "groups"), i, g) {
		ASSERT_EQ_INT(jint(g, "first"), at);
		at += jint(g, "cars");
		const char *zL = json_string_value(json_object_get(g, "label")), *p = strstr(zL, " · ");
		ASSERT_TRUE(p && !strstr(p + 1, " · ")); /* model · region: no org */
	}
	ASSERT_LE(2, (long long)i);
	json_decref(o);
	free(im.p);
}

/* The metric row of the journal in force at t (the last at or before it), as JSON. */
static json_t *metrics_row(const char *zDb, eng_time_t t) {
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	ASSERT_EQ_INT(sqlite3_open_v2(zDb, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_prepare_v2(db, "SELECT data FROM metrics WHERE t_us <= ? ORDER BY t_us DESC, id DESC LIMIT 1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, t);
	ASSERT_EQ_INT(sqlite3_step(st), SQLITE_ROW);
	json_t *o = json_line((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return o;
}

static json_t *meta_json(const char *zDb, const char *zKey) {
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	ASSERT_EQ_INT(sqlite3_open_v2(zDb, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, zKey, -1, SQLITE_STATIC);
	ASSERT_EQ_INT(sqlite3_step(st), SQLITE_ROW);
	json_t *o = json_line((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return o;
}

/* Pixels of one colour in a rectangle, left of x1 (exclusive) or from it. */
static long long colour_pixels(const image *im, json_t *rect, const uint8_t rgb[3], int x1, int bRight) {
	int x0 = (int)json_integer_value(json_array_get(rect, 0)), y0 = (int)json_integer_value(json_array_get(rect, 1));
	int w = (int)json_integer_value(json_array_get(rect, 2)), h = (int)json_integer_value(json_array_get(rect, 3));
	long long n = 0;
	for (int y = y0; y < y0 + h; y++)
		for (int x = x0; x < x0 + w; x++) {
			const uint8_t *p = im->p + ((size_t)y * (size_t)im->w + (size_t)x) * 4;
			if ((bRight ? x >= x1 : x < x1) && p[0] == rgb[0] && p[1] == rgb[1] && p[2] == rgb[2]) n++;
		}
	return n;
}

static const uint8_t kBaseline[3] = { 255, 110, 110 }, kAverted[3] = { 34, 100, 74 };

/* Under the curves: the run's harm (the journal's metric rows) and the baseline's (the same scenario and seed, nobody
 * acting: `kyodo run --until T` without actions), the gap between them filled up to the playhead, the summary's
 * final share averted; at the end the baseline is the impact figures' own. */
TEST(the_harm_curve_shows_the_run_against_nobody_acting) {
	image im = { 0 };
	char *zOut = NULL;
	const char *zDb = journal("national-relay", "harm");
	eng_time_t t = ENG_S(3 * 3600);
	json_t *o = frame(zDb, NULL, t, "national-relay-harm", &im), *h = json_object_get(o, "harm");
	json_t *panels = json_object_get(o, "panels"), *rc = json_object_get(panels, "harm"), *cv = json_object_get(panels, "curves");
	ASSERT_TRUE(json_is_array(rc));
	/* inside the curves panel */
	ASSERT_LE(json_integer_value(json_array_get(cv, 1)), json_integer_value(json_array_get(rc, 1)));
	ASSERT_LE(json_integer_value(json_array_get(rc, 1)) + json_integer_value(json_array_get(rc, 3)),
	          json_integer_value(json_array_get(cv, 1)) + json_integer_value(json_array_get(cv, 3)));
	ASSERT_EQ_STR(json_string_value(json_object_get(h, "baseline_state")), "done");
	json_t *row = metrics_row(zDb, t);
	ASSERT_EQ_INT(jreal(h, "harm") == jreal(row, "harm"), 1);
	ASSERT_EQ_INT(run(&zOut, NULL, "run scenarios/national-relay.lua --until %.6f --json --no-impact", (double)t / 1e6), 0);
	json_t *r = json_line(zOut);
	double h0 = jreal(json_object_get(r, "fleet"), "harm");
	ASSERT_NEAR(jreal(h, "baseline"), h0, 1e-9 * h0);
	ASSERT_LT(jreal(h, "harm"), jreal(h, "baseline")); /* the good script averts harm by then */
	ASSERT_NEAR(jreal(h, "averted_so_far"), jreal(h, "baseline") - jreal(h, "harm"), 1e-6);
	json_t *sum = meta_json(zDb, "summary"), *im0 = json_object_get(sum, "impact");
	ASSERT_NEAR(jreal(h, "averted"), jreal(im0, "averted"), 1e-12);
	/* the gap is filled left of the playhead only; the baseline's curve is drawn */
	int xNow = (int)(json_integer_value(json_array_get(rc, 0)) +
	                 llround((double)t * (double)(json_integer_value(json_array_get(rc, 2)) - 1) / (double)jint(o, "duration_us")));
	ASSERT_LT(0, colour_pixels(&im, rc, kAverted, xNow + 1, 0));
	ASSERT_EQ_INT(colour_pixels(&im, rc, kAverted, xNow + 1, 1), 0);
	ASSERT_LT(0, colour_pixels(&im, rc, kBaseline, 0, 1));
	json_decref(r), json_decref(row), json_decref(o);
	free(zOut), free(im.p);
	/* at the end: the baseline is the impact figures' (forked runs in `kyodo run`), the run's harm theirs too */
	o = frame(zDb, NULL, ENG_S(100000), "national-relay-harm-end", &im);
	h = json_object_get(o, "harm");
	ASSERT_NEAR(jreal(h, "baseline"), jreal(im0, "baseline"), 1e-3);
	ASSERT_NEAR(jreal(h, "harm"), jreal(im0, "harm"), 1e-3);
	json_decref(sum), json_decref(o);
	free(im.p);
}

/* Nobody acted: the run is its own baseline, nothing averted at any time. */
TEST(a_drill_nobody_acted_in_averts_nothing) {
	char zDb[600];
	image im = { 0 };
	snprintf(zDb, sizeof zDb, "%s/none.db", ky_test_tmpdir());
	ASSERT_EQ_INT(run(NULL, NULL, "run scenarios/tcu-remote.lua --db %s", zDb), 0);
	for (int k = 1; k <= 3; k++) {
		json_t *o = frame(zDb, NULL, ENG_S(k * 3600), "harm-none", &im), *h = json_object_get(o, "harm");
		ASSERT_LT(0, jreal(h, "harm"));
		ASSERT_NEAR(jreal(h, "baseline"), jreal(h, "harm"), 1e-9 * jreal(h, "harm"));
		ASSERT_EQ_INT(colour_pixels(&im, json_object_get(json_object_get(o, "panels"), "harm"), kAverted, 0, 1), 0);
		json_decref(o);
		free(im.p);
	}
}

/* A scenario that cannot be rebuilt (no text in the journal; a loaded file missing): the run's harm only, and the
 * describe line says why. */
TEST(without_the_scenario_the_harm_plot_shows_the_run_only) {
	image im = { 0 };
	sqlite3 *db = NULL;
	const char *zDb = journal("tcu-remote", "notext"), *zSb = journal("sbom-zlib", "nofiles");
	ASSERT_EQ_INT(sqlite3_open(zDb, &db), SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_exec(db, "DELETE FROM meta WHERE key = 'scenario_text'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ASSERT_EQ_INT(sqlite3_open(zSb, &db), SQLITE_OK);
	ASSERT_EQ_INT(sqlite3_exec(db, "DELETE FROM meta WHERE key = 'scenario_files'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	const char *azDb[2] = { zDb, zSb }, *azState[2] = { "unavailable", "failed" };
	for (int k = 0; k < 2; k++) {
		json_t *o = frame(azDb[k], NULL, ENG_S(3600), k ? "harm-no-files" : "harm-no-text", &im), *h = json_object_get(o, "harm");
		json_t *row = metrics_row(azDb[k], ENG_S(3600));
		ASSERT_EQ_STR(json_string_value(json_object_get(h, "baseline_state")), azState[k]);
		ASSERT_TRUE(json_is_null(json_object_get(h, "baseline")));
		ASSERT_EQ_INT(jreal(h, "harm") == jreal(row, "harm"), 1);
		ASSERT_TRUE(strstr(json_string_value(json_object_get(h, "note")), "cannot be rebuilt") != NULL);
		ASSERT_EQ_INT(colour_pixels(&im, json_object_get(json_object_get(o, "panels"), "harm"), kAverted, 0, 1), 0);
		json_decref(row);
		json_decref(o);
		free(im.p);
	}
}
