/* cli (scenarios): `kyodo check`, `kyodo run` and `kyodo sweep merge` (see cli.h and CONTRACT §1). The only code in
 * scenarios/ that prints. A run is: open the drill, optionally attach the journal (record.h), play the actions file
 * at its times while advancing the simulation, print the summary. A sweep runs seeds 1..N (or one shard of them)
 * on a pool of worker processes (spawn.h), aggregates the runs' lines (sweep.h, pure) and prints the result here;
 * `kyodo sweep merge` aggregates the lines of shards run elsewhere through the same code. */
#include "scenarios/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/opt.h"
#include "engine/sha256.h"
#include "engine/time.h"
#include "engine/version.h"
#include "scenarios/actions.h"
#include "scenarios/drill.h"
#include "scenarios/impact.h"
#include "scenarios/record.h"
#include "scenarios/whatif.h"
#include "scenarios/spawn.h"
#include "scenarios/sweep.h"
#include "vehicles/world.h"

/* The options' ids, for every command here. */
enum { R_SEED = KY_OPT_LONG, R_DB, R_ACTIONS, R_UNTIL, R_JSON, R_SWEEP, R_SHARD, R_WORKERS, R_NO_IMPACT };

/* --- check ------------------------------------------------------------------------------------------ */

static const ky_opt kCheckOpts[] = {
	{ "json", R_JSON, NULL, "print the facts (and the inject list) as one JSON object" },
	{ NULL, 0, NULL, NULL },
};
static const ky_cmd kCheck = {
	"check", "SCENARIO.lua [OPTION]...",
	"Load and validate a scenario: runs it in the sandbox, builds the world (without starting it) and checks\n"
	"everything that can be known before the drill. Prints title, duration, teams, inject and expectation counts.",
	kCheckOpts,
	"Exit status: 0 valid; 1 invalid, with one line FILE:LINE: message on stderr; 2 usage.", 1, 1,
};

static void print_check(json_t *ex) {
	printf("scenario      %s\n", json_string_value(json_object_get(ex, "id")));
	printf("title         %s\n", json_string_value(json_object_get(ex, "title")));
	printf("duration      %s\n", json_string_value(json_object_get(ex, "duration")));
	printf("seed          %lld\n", (long long)json_integer_value(json_object_get(ex, "seed")));
	json_t *teams = json_object_get(ex, "teams");
	printf("teams         %zu:", json_array_size(teams));
	size_t i;
	json_t *t;
	json_array_foreach(teams, i, t) {
		printf("%s %s (%s)", i ? "," : "", json_string_value(json_object_get(t, "id")),
		       json_string_value(json_object_get(t, "name")));
	}
	printf("\ninjects       %lld\n", (long long)json_integer_value(json_object_get(ex, "injects")));
	printf("expectations  %lld\n", (long long)json_integer_value(json_object_get(ex, "expectations")));
	printf("ok\n");
}

int scn_cli_check(int argc, char **argv) {
	ky_opts g;
	int id, bJson = 0;
	ky_opts_init(&g, &kCheck, argc, argv);
	while ((id = ky_opts_next(&g)) > 0)
		if (id == R_JSON) bJson = 1;
	if (id < 0) return g.rc;
	ky_err err = { 0 };
	scn_drill_opts opts = { .bCheckOnly = 1 };
	scn_drill *d = scn_drill_open(g.azPos[0], &opts, &err);
	if (!d) {
		fprintf(stderr, "%s\n", err.zMsg);
		return KY_EXIT_FAIL;
	}
	json_t *ex = scn_drill_exercise_json(d);
	if (bJson) {
		json_object_del(ex, "source");
		json_dumpf(ex, stdout, JSON_COMPACT);
		fputc('\n', stdout);
	} else {
		print_check(ex);
	}
	json_decref(ex);
	scn_drill_free(d);
	return KY_EXIT_OK;
}

/* --- actions file ----------------------------------------------------------------------------------- */

typedef scn_action_line cli_action; /* the actions file: scenarios/actions.h */
typedef scn_actions cli_actions;

static void actions_free(cli_actions *p) { scn_actions_free(p); }

/* Reads a JSONL actions file; prints FILE:LINE: message and returns -1 on a bad line. */
static int actions_load(const char *zPath, cli_actions *p) {
	ky_err err = { 0 };
	if (scn_actions_load(zPath, p, &err) == 0) return 0;
	fprintf(stderr, "%s\n", err.zMsg);
	return -1;
}

/* --- run -------------------------------------------------------------------------------------------- */

static const ky_opt kRunOpts[] = {
	{ "seed", R_SEED, "N", "the seed (default: the scenario's own)" },
	{ "db", R_DB, "FILE", "also write the journal, for replay and report" },
	{ "actions", R_ACTIONS, "FILE.jsonl", "play these team actions at their times, one JSON object a line:\n"
	                                      "{\"t\":\"00:12:00\",\"team\":\"vsoc\",\"kind\":\"block_indicator\",\"args\":{...}}" },
	{ "until", R_UNTIL, "T", "stop at simulated time T (default: the scenario's duration)" },
	{ "json", R_JSON, NULL, "print the summary as one JSON object on stdout" },
	{ "sweep", R_SWEEP, "N", "run seeds 1..N (up to 1000000) and aggregate them: how often each expectation\n"
	                         "was met, each team's score range, the branches that never fired; plays\n"
	                         "NAME.good.jsonl beside the scenario unless --actions is given" },
	{ "shard", R_SHARD, "I/K", "with --sweep and --json: run only shard I of K (0 <= I < K; contiguous blocks of\n"
	                           "seeds) and print one JSON line per seed, for 'kyodo sweep merge'" },
	{ "workers", R_WORKERS, "N", "processes of a sweep (default: the machine's cores)" },
	{ "no-impact", R_NO_IMPACT, NULL, "skip the impact figures (the runs without the teams' actions, and without each\n"
	                                  "team's, that measure the harm the response averted)" },
	{ NULL, 0, NULL, NULL },
};
static const ky_cmd kRun = {
	"run", "SCENARIO.lua [OPTION]...",
	"Simulate the drill as fast as possible, with no server: scripted teams from an actions file, the summary on\n"
	"stdout, a progress bar on stderr when it is a terminal, every runtime error of the scenario's callbacks as\n"
	"FILE:LINE: message (at TIME) above the bar.",
	kRunOpts,
	"A sweep's shards can run on separate machines (a Kubernetes Indexed Job, a Slurm job array):\n"
	"  kyodo run drill.lua --sweep 1000 --shard 3/10 --json > shard-3.jsonl\n"
	"  kyodo sweep merge shard-*.jsonl --json\n"
	"prints what 'kyodo run drill.lua --sweep 1000 --json' prints, byte for byte.\n\n"
	"Exit status: 0 done; 1 a bad scenario or actions file, a journal error, or a run of a sweep that failed;\n"
	"2 usage.",
	1, 1,
};

typedef struct run_opts {
	const char *zPath, *zDb, *zActions;
	uint64_t seed;
	int bSeed, bJson, bUntil, nSweep, bProgress, bQuiet, bNoImpact;
	int iShard, nShards, nWorkers; /* nShards 0: no --shard; nWorkers 0: the machine's cores */
	eng_time_t until;
} run_opts;

/* The progress bar on stderr (a terminal). Whatever else goes to stderr while it is drawn goes through run_note,
 * which clears the bar's line first and draws it again after, so that a message is never overwritten. */
typedef struct progress {
	int bOn, bDrawn;
	eng_time_t t, end;
} progress;

static void progress_draw(progress *p) {
	enum { WIDTH = 40 };
	if (!p || !p->bOn) return;
	int done = p->end > 0 ? (int)((double)p->t / (double)p->end * WIDTH) : WIDTH;
	char bar[WIDTH + 1], z[32];
	for (int i = 0; i < WIDTH; i++) bar[i] = i < done ? '#' : '.';
	bar[WIDTH] = 0;
	fprintf(stderr, "\r[%s] %3d%% %s", bar, p->end > 0 ? (int)(100.0 * (double)p->t / (double)p->end) : 100,
	        eng_time_format(p->t, z, sizeof z));
	fflush(stderr);
	p->bDrawn = 1;
}

static void progress_clear(progress *p) {
	if (!p || !p->bDrawn) return;
	fputs("\r\033[K", stderr);  /* back to the line's start, erase to its end */
	p->bDrawn = 0;
}

static void run_note(progress *p, const char *zFmt, ...) __attribute__((format(printf, 2, 3)));
static void run_note(progress *p, const char *zFmt, ...) {
	va_list ap;
	progress_clear(p);
	va_start(ap, zFmt);
	vfprintf(stderr, zFmt, ap);
	va_end(ap);
	progress_draw(p);
}

/* Prints the scenario's runtime errors as FILE:LINE: message on stderr (a dry run is for finding them). */
static void print_event(void *ctx, eng_time_t t, const char *zKind, const char *zSubject, json_t *detail) {
	char z[32];
	if (strcmp(zKind, "scenario.error") != 0 && strcmp(zKind, "scenario.stopped") != 0) return;
	run_note(ctx, "%s: %s (at %s)\n", zSubject, json_string_value(json_object_get(detail, "message")),
	         eng_time_format(t, z, sizeof z));
}

/* One run of the drill; *pSummary gets the summary (new ref). Returns the exit code. */
static int run_once(const run_opts *o, const cli_actions *acts, json_t **pSummary) {
	ky_err err = { 0 };
	progress pr = { .bOn = o->bProgress };
	scn_observer obs = { .ctx = &pr, .on_event = print_event };
	scn_drill_opts dopts = { .seed = o->seed, .bSeed = o->bSeed, .pObs = o->bQuiet ? NULL : &obs };
	scn_drill *d = scn_drill_open(o->zPath, &dopts, &err);
	*pSummary = NULL;
	if (!d) {
		fprintf(stderr, "%s\n", err.zMsg);
		return 1;
	}
	scn_record *rec = NULL;
	if (o->zDb) {
		rec = scn_record_attach(d, o->zDb, &err);
		if (!rec && err.code == KY_ESTATE) {
			fprintf(stderr, "kyodo run: --db %s: %s; running without a journal\n", o->zDb, err.zMsg);
		} else if (!rec) {
			fprintf(stderr, "kyodo run: --db %s: %s\n", o->zDb, err.zMsg);
			scn_drill_free(d);
			return 1;
		}
	}
	eng_time_t end = scn_drill_duration(d);
	if (o->bUntil && o->until < end) end = o->until;
	int rc = 0;
	int iAct = 0;
	/* the counterfactual runs of the impact figures fork from this run where they leave its inputs (impact.h) */
	scn_play *aPlay = acts && acts->n ? calloc((size_t)acts->n, sizeof *aPlay) : NULL;
	for (int i = 0; aPlay && i < acts->n; i++) {
		const cli_action *a = &acts->a[i];
		aPlay[i] = (scn_play){ a->t, a->line, a->zTeam, a->zKind, a->zId, a->zInject, a->args };
	}
	json_t *ex = o->bNoImpact ? NULL : scn_drill_exercise_json(d);
	scn_impact *imp = ex ? scn_impact_plan(aPlay, aPlay ? acts->n : 0, json_object_get(ex, "teams"), end, &err) : NULL;
	if (ex && !imp) {
		fprintf(stderr, "kyodo run: %s\n", err.zMsg);
		rc = 1;
	}
	eng_time_t step = end / 200 > 0 ? end / 200 : 1, next = 0;
	while (!rc) {
		eng_time_t tNext = end;
		if (acts && iAct < acts->n && acts->a[iAct].t < tNext) tNext = acts->a[iAct].t;
		if (o->bProgress && next < tNext) tNext = next;
		if (scn_drill_advance_to(d, tNext, &err)) {
			run_note(&pr, "%s\n", err.zMsg);
			rc = 1;
			break;
		}
		while (acts && iAct < acts->n && acts->a[iAct].t <= tNext) {
			if (imp && scn_impact_fork_point(imp, d, iAct, &err)) {
				run_note(&pr, "kyodo run: %s\n", err.zMsg);
				rc = 1;
				break;
			}
			const cli_action *a = &acts->a[iAct++];
			int64_t seq = 0;
			ky_err ae = { 0 };
			if (scn_drill_action(d, a->zTeam, a->zId, a->zKind, a->args, a->zInject, &seq, &ae)) {
				if (seq == 0) {  /* refused before it was recorded: the line itself is wrong */
					run_note(&pr, "%s:%d: %s\n", acts->zPath, a->line, ae.zMsg);
					rc = 1;
					break;
				}
				if (!o->bQuiet) { /* CONTRACT §1: TIME TEAM KIND: refused: message (the run goes on) */
					char zT[32];
					run_note(&pr, "%s %s %s: refused: %s (%s:%d)\n", eng_time_format(a->t, zT, sizeof zT), a->zTeam, a->zKind,
					         ae.zMsg, acts->zPath, a->line);
				}
			}
		}
		if (o->bProgress && tNext >= next) {
			pr.t = tNext;
			pr.end = end;
			progress_draw(&pr);
			next += step;
		}
		if (tNext >= end) break;
	}
	if (pr.bDrawn) fputc('\n', stderr);  /* the bar at its last position stays */
	json_t *impact = NULL;
	if (!rc && imp && scn_impact_finish(imp, d, &impact, &err)) {
		fprintf(stderr, "kyodo run: %s\n", err.zMsg);
		rc = 1;
	}
	scn_impact_free(imp);
	json_decref(ex);
	free(aPlay);
	if (!rc) {
		*pSummary = scn_drill_summary_json(d);
		if (acts) {
			int nLate = acts->n - iAct;
			json_object_set_new(*pSummary, "actions_not_played", json_integer(nLate));
		}
		scn_impact_summary_put(*pSummary, impact);
		scn_record_set_summary(rec, *pSummary); /* the journal keeps what this run prints (the report reads it) */
	}
	json_decref(impact);
	if (rec && scn_record_close(rec, &err)) {
		fprintf(stderr, "kyodo run: --db %s: %s\n", o->zDb, err.zMsg);
		rc = 1;
	}
	scn_drill_free(d);
	return rc;
}

static double num(json_t *o, const char *zKey) { return json_number_value(json_object_get(o, zKey)); }

/* The impact lines; with the recorded drill's figures (whatif's impact_recorded) beside each one. */
static void print_impact(json_t *im, json_t *rec) {
	const char *k;
	json_t *v;
	if (!im) return;
	if (rec) {
		printf("impact     harm %.1f (recorded %.1f), baseline %.1f (no team actions): %.1f %% averted (recorded %.1f %%)\n",
		       num(im, "harm"), num(rec, "harm"), num(im, "baseline"), 100 * num(im, "averted"), 100 * num(rec, "averted"));
	} else {
		printf("impact     harm %.1f, baseline %.1f (no team actions): %.1f %% averted\n", num(im, "harm"), num(im, "baseline"),
		       100 * num(im, "averted"));
	}
	json_object_foreach(json_object_get(im, "teams"), k, v) {
		json_t *r = json_object_get(json_object_get(rec, "teams"), k);
		printf("averted by %-14s %6.1f %% (harm without it: %.1f", k, 100 * num(v, "averted"), num(v, "harm_without"));
		if (r) printf("; recorded %.1f %%", 100 * num(r, "averted"));
		printf(")\n");
	}
}

static void print_summary(json_t *s) {
	char z[32];
	json_t *fl = json_object_get(s, "fleet");
	printf("scenario   %s (seed %lld)\n", json_string_value(json_object_get(s, "scenario")),
	       (long long)json_integer_value(json_object_get(s, "seed")));
	json_t *act = json_object_get(s, "actions");  /* {"applied","refused"} */
	printf("sim end    %s, %lld events, %lld actions (%lld refused), %lld injects sent, %lld scenario errors\n",
	       eng_time_format((eng_time_t)json_integer_value(json_object_get(s, "sim_end_us")), z, sizeof z),
	       (long long)json_integer_value(json_object_get(s, "events")),
	       (long long)json_integer_value(json_object_get(act, "applied")),
	       (long long)json_integer_value(json_object_get(act, "refused")),
	       (long long)json_integer_value(json_object_get(s, "injects_sent")),
	       (long long)json_integer_value(json_object_get(s, "scenario_errors")));
	printf("fleet      total %lld, compromised %lld, patched %lld, offline %lld\n",
	       (long long)json_integer_value(json_object_get(fl, "total")),
	       (long long)json_integer_value(json_object_get(fl, "compromised")),
	       (long long)json_integer_value(json_object_get(fl, "patched")),
	       (long long)json_integer_value(json_object_get(fl, "offline")));
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(s, "teams"), k, v) {
		printf("team       %-14s score %7.2f  met %lld  missed %lld\n", k, json_number_value(json_object_get(v, "score")),
		       (long long)json_integer_value(json_object_get(v, "met")),
		       (long long)json_integer_value(json_object_get(v, "missed")));
	}
	printf("outcome    %.2f\njoint      %.2f\n", json_number_value(json_object_get(s, "outcome")),
	       json_number_value(json_object_get(s, "joint")));
	print_impact(json_object_get(s, "impact"), json_object_get(s, "impact_recorded"));
	printf("state_hash %s\n", json_string_value(json_object_get(s, "state_hash")));
}

/* --- sweep: spawn the runs, print the aggregate -------------------------------------------------------- */

/* SHA-256 (hex) of a file's bytes into zHex; -1 with a message on stderr when it cannot be read. */
static int file_sha256(const char *zPath, char zHex[65]) {
	FILE *f = fopen(zPath, "rb");
	char *z = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&z, &n);
	int rc = f && m ? 0 : -1;
	char buf[65536];
	size_t k;
	while (!rc && (k = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, k, m);
	if (f && ferror(f)) rc = -1;
	if (m) fclose(m);
	if (f) fclose(f);
	if (rc) fprintf(stderr, "%s: cannot read: %s\n", zPath, strerror(errno));
	else eng_sha256_hex(z, n, zHex);
	free(z);
	return rc;
}

/* What every line of this sweep carries (sweep.h): sweep, kyodo, inputs, actions. New reference or NULL. */
static json_t *sweep_ident(const run_opts *o, const char *zActions) {
	char zScn[65], zAct[65] = "", zBoth[140], zInputs[65];
	if (file_sha256(o->zPath, zScn) || (zActions && file_sha256(zActions, zAct))) return NULL;
	snprintf(zBoth, sizeof zBoth, "%s %s", zScn, zAct);
	eng_sha256_hex(zBoth, strlen(zBoth), zInputs);
	return json_pack("{s:i,s:s,s:s,s:s?}", "sweep", o->nSweep, "kyodo", KY_VERSION, "inputs", zInputs, "actions", zActions);
}

typedef struct sweep_job {
	const run_opts *o;
	const cli_actions *acts;
	const json_t *ident;
} sweep_job;

/* A worker's job (spawn.h): one quiet run of the seed, its line. */
static json_t *sweep_one(void *ctx, uint64_t seed) {
	const sweep_job *j = ctx;
	run_opts o = *j->o;
	json_t *s = NULL, *line = NULL;
	o.seed = seed;
	o.bSeed = 1;
	o.bProgress = 0;
	o.bQuiet = 1;
	if (run_once(&o, j->acts, &s) == 0 && s) line = scn_sweep_digest(s, j->ident);
	json_decref(s);
	return line;
}

static void print_sweep_text(const json_t *agg, const char *zHow, const char *zActions) {
	size_t i, nRuns = (size_t)json_integer_value(json_object_get(agg, "runs"));
	json_t *x;
	const char *k;
	printf("sweep      %zu runs (seeds 1..%zu) %s, actions: %s\n", nRuns, nRuns, zHow, zActions ? zActions : "(none)");
	json_object_foreach(json_object_get(agg, "teams"), k, x) {
		printf("team       %-14s mean %7.2f  min %7.2f  max %7.2f\n", k, json_number_value(json_object_get(x, "mean")),
		       json_number_value(json_object_get(x, "min")), json_number_value(json_object_get(x, "max")));
	}
	printf("expectations (how often met):\n");
	json_array_foreach(json_object_get(agg, "expectations"), i, x) {
		printf("  %-24s %-12s %3lld/%zu  mean %.2f pts\n", json_string_value(json_object_get(x, "label")),
		       json_string_value(json_object_get(x, "team")), (long long)json_integer_value(json_object_get(x, "met")), nRuns,
		       json_number_value(json_object_get(x, "mean_points")));
	}
	int nNever = 0;
	json_array_foreach(json_object_get(agg, "branches"), i, x) {
		if (json_integer_value(json_object_get(x, "fires")) > 0) continue;
		if (!nNever++) printf("never fired:\n");
		const char *zEvent = json_string_value(json_object_get(x, "event"));
		printf("  %s at line %lld%s%s\n", json_string_value(json_object_get(x, "type")),
		       (long long)json_integer_value(json_object_get(x, "line")), zEvent ? " on " : "", zEvent ? zEvent : "");
	}
	if (!nNever) printf("never fired: none (every at/every/when/on branch fired at least once)\n");
	printf("distinct state hashes %lld, scenario errors %lld\n",
	       (long long)json_integer_value(json_object_get(agg, "distinct_state_hashes")),
	       (long long)json_integer_value(json_object_get(agg, "scenario_errors")));
	json_t *im = json_object_get(agg, "impact"), *av = json_object_get(im, "averted");
	if (av)
		printf("impact     averted mean %.1f %%, min %.1f %%, max %.1f %%\n", 100 * json_number_value(json_object_get(av, "mean")),
		       100 * json_number_value(json_object_get(av, "min")), 100 * json_number_value(json_object_get(av, "max")));
	json_object_foreach(json_object_get(im, "teams"), k, x)
		printf("averted by %-14s mean %6.1f %%\n", k, 100 * json_number_value(json_object_get(x, "mean")));
}

/* Aggregates lines and prints the result, as JSON or text. Returns the exit code. */
static int print_sweep(const json_t *lines, int bJson, const char *zWho, const char *zHow, const char *zActions) {
	ky_err err = { 0 };
	json_t *agg = scn_sweep_aggregate(lines, &err);
	if (!agg) {
		fprintf(stderr, "%s: %s\n", zWho, err.zMsg);
		return KY_EXIT_FAIL;
	}
	if (bJson) {
		json_dumpf(agg, stdout, JSON_COMPACT);
		fputc('\n', stdout);
	} else {
		print_sweep_text(agg, zHow, zActions);
	}
	json_decref(agg);
	return KY_EXIT_OK;
}

static int by_seed(const void *pa, const void *pb) {
	json_int_t a = json_integer_value(json_object_get(*(json_t *const *)pa, "seed"));
	json_int_t b = json_integer_value(json_object_get(*(json_t *const *)pb, "seed"));
	return a < b ? -1 : a > b;
}

/* A shard's output: its lines in seed order, one compact JSON object each. */
static void print_lines(json_t *lines) {
	size_t n = json_array_size(lines);
	json_t **ap = malloc((n ? n : 1) * sizeof *ap);
	if (!ap) return;
	for (size_t i = 0; i < n; i++) ap[i] = json_array_get(lines, i);
	qsort(ap, n, sizeof *ap, by_seed);
	for (size_t i = 0; i < n; i++) {
		json_dumpf(ap[i], stdout, JSON_COMPACT);
		fputc('\n', stdout);
	}
	free(ap);
}

static int sweep(const run_opts *o, const cli_actions *acts) {
	int first = 1, last = o->nSweep, rc;
	int nWorkers = o->nWorkers ? o->nWorkers : scn_spawn_cores();
	json_t *lines = NULL, *ident;
	ky_err err = { 0 };
	scn_drill_opts check = { .bCheckOnly = 1 };
	scn_drill *d = scn_drill_open(o->zPath, &check, &err);  /* a bad scenario is said once, not once per worker */
	if (!d) {
		fprintf(stderr, "%s\n", err.zMsg);
		return KY_EXIT_FAIL;
	}
	scn_drill_free(d);
	if (!(ident = sweep_ident(o, acts ? acts->zPath : NULL))) return KY_EXIT_FAIL;
	if (o->nShards) scn_sweep_shard_seeds(o->nSweep, o->iShard, o->nShards, &first, &last);
	sweep_job job = { o, acts, ident };
	rc = first <= last ? scn_spawn_run(first, last, nWorkers, sweep_one, &job, &lines, &err) : 0;
	if (rc) fprintf(stderr, "kyodo run --sweep: %s\n", err.zMsg);
	if (!lines) lines = json_array();
	size_t nWant = first <= last ? (size_t)(last - first + 1) : 0, nGot = json_array_size(lines);
	if (!rc && nGot != nWant) rc = KY_ESTATE;
	if (rc) fprintf(stderr, "kyodo run --sweep: %zu of %zu runs finished\n", nGot, nWant);
	if (o->nShards) {
		print_lines(lines);  /* what finished, so that a merge names exactly the seeds that are missing */
	} else if (!rc) {
		char zHow[48];
		snprintf(zHow, sizeof zHow, "on %d worker%s", nWorkers < o->nSweep ? nWorkers : o->nSweep,
		         (nWorkers < o->nSweep ? nWorkers : o->nSweep) == 1 ? "" : "s");
		rc = print_sweep(lines, o->bJson, "kyodo run --sweep", zHow, acts ? acts->zPath : NULL);
	}
	json_decref(lines);
	json_decref(ident);
	return rc ? KY_EXIT_FAIL : KY_EXIT_OK;
}

/* --- run: options ----------------------------------------------------------------------------------------- */

/* "I/K" with 0 <= I < K <= SCN_SWEEP_MAX. */
static int parse_shard(const ky_opts *g, run_opts *o) {
	char zI[24], zK[24];
	const char *z = g->zArg, *pSlash = strchr(z, '/');
	long long i, k;
	if (pSlash && (size_t)(pSlash - z) < sizeof zI && strlen(pSlash + 1) < sizeof zK) {
		snprintf(zI, sizeof zI, "%.*s", (int)(pSlash - z), z);
		snprintf(zK, sizeof zK, "%s", pSlash + 1);
		if (!ky_parse_ll(zK, 1, SCN_SWEEP_MAX, &k) && !ky_parse_ll(zI, 0, k - 1, &i)) {
			o->iShard = (int)i;
			o->nShards = (int)k;
			return 0;
		}
	}
	return ky_opts_usage(g, "%s: '%s' is not a shard I/K (0 <= I < K <= %d)", g->zOpt, z, SCN_SWEEP_MAX);
}

/* One option into o; 0 or the usage exit code (the message printed). */
static int run_option(const ky_opts *g, int id, run_opts *o) {
	long long v;
	switch (id) {
	case R_SEED: o->bSeed = 1; return ky_opts_u64(g, &o->seed);
	case R_DB: o->zDb = g->zArg; return 0;
	case R_ACTIONS: o->zActions = g->zArg; return 0;
	case R_UNTIL: o->bUntil = 1; return ky_opts_time(g, &o->until);
	case R_JSON: o->bJson = 1; return 0;
	case R_NO_IMPACT: o->bNoImpact = 1; return 0;
	case R_SWEEP:
		if (ky_opts_int(g, 1, SCN_SWEEP_MAX, &v)) return KY_EXIT_USAGE;
		o->nSweep = (int)v;
		return 0;
	case R_SHARD: return parse_shard(g, o);
	case R_WORKERS:
		if (ky_opts_int(g, 1, 256, &v)) return KY_EXIT_USAGE;
		o->nWorkers = (int)v;
		return 0;
	}
	return KY_EXIT_USAGE;
}

/* The options that only make sense together. */
static int run_check_combination(const ky_opts *g, const run_opts *o) {
	if (o->nShards && !o->nSweep) return ky_opts_usage(g, "--shard needs --sweep N");
	if (o->nShards && !o->bJson) return ky_opts_usage(g, "--shard needs --json (its lines are for 'kyodo sweep merge')");
	if (o->nWorkers && !o->nSweep) return ky_opts_usage(g, "--workers needs --sweep N");
	if (o->nSweep && o->bSeed) return ky_opts_usage(g, "--sweep runs seeds 1..N: it takes no --seed");
	if (o->nSweep && o->zDb) return ky_opts_usage(g, "--sweep writes no journal: it takes no --db");
	return 0;
}

/* A sweep without team actions measures the scenario left alone: every expectation missed. Worth a warning. */
static void sweep_warn_no_actions(const run_opts *o, const char *zActions) {
	fprintf(stderr,
	        "kyodo run --sweep: warning: %s %s: no team action is played, so every expectation is missed and the scores "
	        "show the scenario with no response (give --actions FILE.jsonl, or put the good team's script beside the "
	        "scenario as NAME.good.jsonl)\n",
	        zActions ? zActions : o->zPath, zActions ? "holds no action" : "has no --actions and no NAME.good.jsonl beside it");
}

/* The actions a sweep plays: --actions, else the good team's script beside the scenario, if there is one. */
static const char *sweep_actions(const run_opts *o, char *zGood, size_t nGood) {
	size_t n = strlen(o->zPath);
	if (o->zActions || !o->nSweep) return o->zActions;
	if (n > 4 && !strcmp(o->zPath + n - 4, ".lua") && n + 16 < nGood) {
		snprintf(zGood, nGood, "%.*s.good.jsonl", (int)(n - 4), o->zPath);
		if (access(zGood, R_OK) == 0) return zGood;
	}
	return NULL;
}

int scn_cli_run(int argc, char **argv) {
	run_opts o;
	ky_opts g;
	int id, rc = 0;
	memset(&o, 0, sizeof o);
	ky_opts_init(&g, &kRun, argc, argv);
	while (rc == 0 && (id = ky_opts_next(&g)) > 0) rc = run_option(&g, id, &o);
	if (rc) return rc;
	if (id < 0) return g.rc;
	o.zPath = g.azPos[0];
	if ((rc = run_check_combination(&g, &o))) return rc;
	cli_actions acts = { 0 };
	char zGood[4096];
	const char *zActions = sweep_actions(&o, zGood, sizeof zGood);
	if (zActions && actions_load(zActions, &acts) != 0) {
		actions_free(&acts);
		return KY_EXIT_FAIL;
	}
	if (o.nSweep) {
		if (!zActions || acts.n == 0) sweep_warn_no_actions(&o, zActions);
		rc = sweep(&o, zActions ? &acts : NULL);
	} else {
		o.bProgress = isatty(2);
		json_t *s = NULL;
		rc = run_once(&o, zActions ? &acts : NULL, &s);
		if (s && o.bJson) {
			json_dumpf(s, stdout, JSON_COMPACT);
			fputc('\n', stdout);
		} else if (s) {
			print_summary(s);
		}
		json_decref(s);
	}
	actions_free(&acts);
	return rc;
}

/* --- sweep merge -------------------------------------------------------------------------------------------- */

static const ky_opt kSweepOpts[] = {
	{ "json", R_JSON, NULL, "print the result as one JSON object, as 'kyodo run --sweep N --json' does" },
	{ NULL, 0, NULL, NULL },
};
static const ky_cmd kSweep = {
	"sweep", "merge FILE... [OPTION]...",
	"Merge the shards of a sweep: the lines of 'kyodo run SCENARIO --sweep N --shard I/K --json' for every I,\n"
	"from any number of files in any order ('-' reads stdin), aggregated exactly as an unsharded\n"
	"'kyodo run SCENARIO --sweep N' aggregates its runs: the same output, byte for byte.",
	kSweepOpts,
	"Every seed 1..N must be there exactly once, all of one sweep (same N, scenario, kyodo version, and the same\n"
	"bytes of the scenario and actions files); otherwise the merge names the missing or repeated seeds.\n\n"
	"Exit status: 0 merged; 1 a file that cannot be read, a malformed line (FILE:LINE: message), missing or\n"
	"repeated seeds; 2 usage.",
	2, 1 << 30,
};

/* Appends the lines of one shard file to lines; -1 with FILE:LINE: message on stderr. */
static int merge_read(const char *zPath, json_t *lines) {
	int bStdin = !strcmp(zPath, "-");
	FILE *f = bStdin ? stdin : fopen(zPath, "r");
	if (!f) {
		fprintf(stderr, "%s: cannot open: %s\n", zPath, strerror(errno));
		return -1;
	}
	char *zLine = NULL;
	size_t nCap = 0;
	ssize_t n;
	int iLine = 0, rc = 0;
	while (rc == 0 && (n = getline(&zLine, &nCap, f)) >= 0) {
		iLine++;
		while (n > 0 && (zLine[n - 1] == '\n' || zLine[n - 1] == '\r')) zLine[--n] = 0;
		if (n == 0) continue;
		json_error_t je;
		ky_err err = { 0 };
		json_t *j = json_loadb(zLine, (size_t)n, JSON_REJECT_DUPLICATES, &je);
		if (!j) rc = ky_err_set(&err, KY_EPARSE, "%s", je.text);
		else rc = scn_sweep_check_line(j, &err);
		if (rc) fprintf(stderr, "%s:%d: %s\n", bStdin ? "(stdin)" : zPath, iLine, err.zMsg);
		if (j && !rc) json_array_append(lines, j);
		json_decref(j);
	}
	free(zLine);
	if (!bStdin) fclose(f);
	return rc ? -1 : 0;
}

int scn_cli_sweep(int argc, char **argv) {
	ky_opts g;
	int id, bJson = 0;
	ky_opts_init(&g, &kSweep, argc, argv);
	while ((id = ky_opts_next(&g)) > 0)
		if (id == R_JSON) bJson = 1;
	if (id < 0) return g.rc;
	if (strcmp(g.azPos[0], "merge") != 0) return ky_opts_usage(&g, "unknown sweep command '%s' (there is: merge)", g.azPos[0]);
	json_t *lines = json_array();
	int rc = 0;
	for (int i = 1; i < g.nPos && rc == 0; i++) rc = merge_read(g.azPos[i], lines);
	if (rc == 0 && json_array_size(lines) == 0) {
		fprintf(stderr, "kyodo sweep merge: no lines in the files given\n");
		rc = -1;
	}
	if (rc == 0) {
		char zHow[48];
		snprintf(zHow, sizeof zHow, "merged from %d file%s", g.nPos - 1, g.nPos == 2 ? "" : "s");
		rc = print_sweep(lines, bJson, "kyodo sweep merge", zHow,
		                 json_string_value(json_object_get(json_array_get(lines, 0), "actions")));
	}
	json_decref(lines);
	return rc ? KY_EXIT_FAIL : KY_EXIT_OK;
}

/* --- whatif ----------------------------------------------------------------------------------------- */

enum { W_FROM = KY_OPT_LONG + 40, W_ACTIONS, W_WITHOUT, W_DB, W_JSON, W_NO_IMPACT };

static const ky_opt kWhatifOpts[] = {
	{ "from", W_FROM, "T", "where the what-if leaves the recorded drill (required): the recorded drill up to T" },
	{ "actions", W_ACTIONS, "ALT.jsonl", "the team actions from T on, in place of the recorded ones (the format of\n"
	                                     "'kyodo run --actions'; lines before T are ignored)" },
	{ "without", W_WITHOUT, "TEAM", "drop that team's actions from T on (repeatable)" },
	{ "db", W_DB, "OUT.db", "the new journal (required): a whole journal, for replay, report and --compare" },
	{ "json", W_JSON, NULL, "print OUT.db's run summary as one JSON object, as 'kyodo run --json' does" },
	{ "no-impact", W_NO_IMPACT, NULL, "skip the impact figures (the what-if without the teams' actions, and without\n"
	                                  "each team's); the recorded drill's figures are then not shown either" },
	{ NULL, 0, NULL, NULL },
};
static const ky_cmd kWhatif = {
	"whatif", "FILE.db --from T [--actions ALT.jsonl] [--without TEAM]... --db OUT.db [--json] [--no-impact]",
	"Re-play the drill recorded in FILE.db (its scenario text, seed and inputs) up to T, then go on with ALT's\n"
	"actions in place of the recorded ones from T on (--without TEAM: drop that team's actions from T on), to the\n"
	"end of the drill. The same inputs give the same state_hash and impact figures as 'kyodo run' of the spliced\n"
	"actions; the summary shows the recorded drill's impact figures beside the what-if's (impact_recorded).",
	kWhatifOpts,
	"From T on the what-if's inputs are team actions only: the facilitator's grades, read receipts and ad-hoc\n"
	"injects after T answered the recorded drill and are dropped. See docs/replay.md.\n\n"
	"Exit status: 0 done; 1 a bad journal, a T that does not parse or lies outside the recording, an unknown team,\n"
	"an actions line refused (FILE:LINE); the new journal is then removed; 2 usage.",
	1, 1,
};

typedef struct whatif_args {
	const char *zSource, *zOut, *zActions, *zFrom;
	const char *azWithout[32];
	int nWithout, bJson, bNoImpact;
} whatif_args;

static int whatif_option(const ky_opts *g, int id, whatif_args *w) {
	switch (id) {
	case W_FROM: w->zFrom = g->zArg; return 0;
	case W_ACTIONS: w->zActions = g->zArg; return 0;
	case W_DB: w->zOut = g->zArg; return 0;
	case W_JSON: w->bJson = 1; return 0;
	case W_NO_IMPACT: w->bNoImpact = 1; return 0;
	case W_WITHOUT:
		if (w->nWithout == 32) return ky_opts_usage(g, "--without: at most 32 teams");
		w->azWithout[w->nWithout++] = g->zArg;
		return 0;
	}
	return KY_EXIT_USAGE;
}

/* CONTRACT §1: an action the world refuses is reported and the run goes on. */
static void whatif_refused(void *ctx, eng_time_t t, const char *zTeam, const char *zKind, int line, const char *zMsg) {
	char z[32];
	const char *zFile = ctx;
	if (line > 0) fprintf(stderr, "%s %s %s: refused: %s (%s:%d)\n", eng_time_format(t, z, sizeof z), zTeam, zKind, zMsg, zFile, line);
	else fprintf(stderr, "%s %s %s: refused: %s\n", eng_time_format(t, z, sizeof z), zTeam, zKind, zMsg);
}

int scn_cli_whatif(int argc, char **argv) {
	whatif_args w;
	ky_opts g;
	int id, rc = 0;
	memset(&w, 0, sizeof w);
	ky_opts_init(&g, &kWhatif, argc, argv);
	while (rc == 0 && (id = ky_opts_next(&g)) > 0) rc = whatif_option(&g, id, &w);
	if (rc) return rc;
	if (id < 0) return g.rc;
	w.zSource = g.azPos[0];
	if (!w.zFrom || !w.zOut) return ky_opts_usage(&g, "--from T and --db OUT.db are required");
	ky_err err = { 0 };
	eng_time_t tFrom = 0;
	if (eng_time_parse(w.zFrom, &tFrom, &err) != 0) { /* CONTRACT §1: a bad T is exit 1 */
		fprintf(stderr, "kyodo whatif: --from: %s\n", err.zMsg);
		return KY_EXIT_FAIL;
	}
	if (!strcmp(w.zSource, w.zOut)) {
		fprintf(stderr, "kyodo whatif: --db %s: the what-if needs a new journal, not the recorded one\n", w.zOut);
		return KY_EXIT_FAIL;
	}
	cli_actions acts = { 0 };
	if (w.zActions && actions_load(w.zActions, &acts) != 0) {
		actions_free(&acts);
		return KY_EXIT_FAIL;
	}
	scn_whatif_action *aAlt = calloc((size_t)acts.n + 1, sizeof *aAlt);
	for (int i = 0; aAlt && i < acts.n; i++) {
		const cli_action *a = &acts.a[i];
		aAlt[i] = (scn_whatif_action){ a->t, a->zTeam, a->zKind, a->zId, a->zInject, a->args, a->line };
	}
	scn_whatif_opts o = { .zSource = w.zSource, .zOut = w.zOut, .tFrom = tFrom, .bAlt = w.zActions != NULL, .aAlt = aAlt,
	                      .nAlt = acts.n, .zAltName = w.zActions, .azWithout = w.azWithout, .nWithout = w.nWithout,
	                      .bNoImpact = w.bNoImpact,
	                      .xRefused = whatif_refused, .pCtx = (void *)(w.zActions ? w.zActions : "") };
	json_t *s = NULL;
	scn_whatif_result res = { 0 };
	rc = aAlt ? scn_whatif_run(&o, &s, &res, &err) : ky_err_set(&err, KY_ENOMEM, "out of memory");
	if (rc != 0 && res.iBadLine > 0) fprintf(stderr, "%s:%d: %s\n", w.zActions, res.iBadLine, err.zMsg);
	else if (rc != 0) fprintf(stderr, "kyodo whatif: %s\n", err.zMsg);
	if (rc == 0) {
		char z[32];
		if (res.nIgnored)
			fprintf(stderr, "kyodo whatif: %d action(s) of %s before %s ignored (the recorded ones stand there)\n",
			        res.nIgnored, w.zActions, eng_time_format(tFrom, z, sizeof z));
		if (w.bJson) {
			json_dumpf(s, stdout, JSON_COMPACT);
			fputc('\n', stdout);
		} else {
			print_summary(s);
		}
	}
	json_decref(s);
	free(aAlt);
	actions_free(&acts);
	return rc == 0 ? KY_EXIT_OK : KY_EXIT_FAIL;
}
