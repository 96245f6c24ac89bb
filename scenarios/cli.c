/* cli (scenarios): `kyodo check` and `kyodo run` (see cli.h and CONTRACT §1). The only code in scenarios/ that
 * prints. A run is: open the drill, optionally attach the journal (record.h), play the actions file at its
 * times while advancing the simulation, print the summary. --sweep forks one worker per core over seeds 1..N. */
#include "scenarios/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/time.h"
#include "scenarios/actions.h"
#include "scenarios/drill.h"
#include "scenarios/record.h"
#include "vehicles/world.h"

#define SWEEP_WORKERS 2

/* --- check ------------------------------------------------------------------------------------------ */

int scn_cli_check(int argc, char **argv) {
	int bJson = 0;
	const char *zPath = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) bJson = 1;
		else if (argv[i][0] == '-' || zPath) {
			fprintf(stderr, "usage: kyodo check SCENARIO.lua [--json]\n");
			return 2;
		} else zPath = argv[i];
	}
	if (!zPath) {
		fprintf(stderr, "usage: kyodo check SCENARIO.lua [--json]\n");
		return 2;
	}
	ky_err err = { 0 };
	scn_drill_opts opts = { .bCheckOnly = 1 };
	scn_drill *d = scn_drill_open(zPath, &opts, &err);
	if (!d) {
		fprintf(stderr, "%s\n", err.zMsg);
		return 1;
	}
	json_t *ex = scn_drill_exercise_json(d);
	if (bJson) {
		json_object_del(ex, "source");
		json_dumpf(ex, stdout, JSON_COMPACT);
		fputc('\n', stdout);
	} else {
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
	json_decref(ex);
	scn_drill_free(d);
	return 0;
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

typedef struct run_opts {
	const char *zPath, *zDb, *zActions;
	uint64_t seed;
	int bSeed, bJson, bUntil, nSweep, bProgress, bQuiet;
	eng_time_t until;
} run_opts;

static void progress(eng_time_t t, eng_time_t end) {
	int width = 40;
	int done = end > 0 ? (int)((double)t / (double)end * width) : width;
	char bar[64], z[32];
	for (int i = 0; i < width; i++) bar[i] = i < done ? '#' : '.';
	bar[width] = 0;
	fprintf(stderr, "\r[%s] %3d%% %s", bar, end > 0 ? (int)(100.0 * (double)t / (double)end) : 100,
	        eng_time_format(t, z, sizeof z));
	fflush(stderr);
}

/* Prints the scenario's runtime errors as FILE:LINE: message on stderr (a dry run is for finding them). */
static void print_event(void *ctx, eng_time_t t, const char *zKind, const char *zSubject, json_t *detail) {
	char z[32];
	(void)ctx;
	if (strcmp(zKind, "scenario.error") != 0 && strcmp(zKind, "scenario.stopped") != 0) return;
	fprintf(stderr, "%s: %s (at %s)\n", zSubject, json_string_value(json_object_get(detail, "message")),
	        eng_time_format(t, z, sizeof z));
}

/* One run of the drill; *pSummary gets the summary (new ref). Returns the exit code. */
static int run_once(const run_opts *o, const cli_actions *acts, json_t **pSummary) {
	ky_err err = { 0 };
	scn_observer obs = { .on_event = print_event };
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
	int rc = 0, nRejected = 0;
	int iAct = 0;
	eng_time_t step = end / 200 > 0 ? end / 200 : 1, next = 0;
	while (!rc) {
		eng_time_t tNext = end;
		if (acts && iAct < acts->n && acts->a[iAct].t < tNext) tNext = acts->a[iAct].t;
		if (o->bProgress && next < tNext) tNext = next;
		if (scn_drill_advance_to(d, tNext, &err)) {
			fprintf(stderr, "%s\n", err.zMsg);
			rc = 1;
			break;
		}
		while (acts && iAct < acts->n && acts->a[iAct].t <= tNext) {
			const cli_action *a = &acts->a[iAct++];
			int64_t seq = 0;
			ky_err ae = { 0 };
			if (scn_drill_action(d, a->zTeam, a->zId, a->zKind, a->args, a->zInject, &seq, &ae)) {
				if (seq == 0) {  /* refused before it was recorded: the line itself is wrong */
					fprintf(stderr, "%s:%d: %s\n", acts->zPath, a->line, ae.zMsg);
					rc = 1;
					break;
				}
				if (!o->bQuiet) fprintf(stderr, "%s:%d: the world rejected the action: %s\n", acts->zPath, a->line, ae.zMsg);
				nRejected++;
			}
		}
		if (o->bProgress && tNext >= next) {
			progress(tNext, end);
			next += step;
		}
		if (tNext >= end) break;
	}
	if (o->bProgress) fputc('\n', stderr);
	if (!rc) {
		*pSummary = scn_drill_summary_json(d);
		json_object_set_new(*pSummary, "actions_rejected", json_integer(nRejected));
		if (acts) {
			int nLate = acts->n - iAct;
			json_object_set_new(*pSummary, "actions_not_played", json_integer(nLate));
		}
	}
	if (rec && scn_record_close(rec, &err)) {
		fprintf(stderr, "kyodo run: --db %s: %s\n", o->zDb, err.zMsg);
		rc = 1;
	}
	scn_drill_free(d);
	return rc;
}

static void print_summary(json_t *s) {
	char z[32];
	json_t *fl = json_object_get(s, "fleet");
	printf("scenario   %s (seed %lld)\n", json_string_value(json_object_get(s, "scenario")),
	       (long long)json_integer_value(json_object_get(s, "seed")));
	printf("sim end    %s, %lld events, %lld actions, %lld injects sent, %lld scenario errors\n",
	       eng_time_format((eng_time_t)json_integer_value(json_object_get(s, "sim_end_us")), z, sizeof z),
	       (long long)json_integer_value(json_object_get(s, "events")),
	       (long long)json_integer_value(json_object_get(s, "actions")),
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
	printf("state_hash %s\n", json_string_value(json_object_get(s, "state_hash")));
}

/* --- sweep ------------------------------------------------------------------------------------------ */

/* Keeps what the sweep aggregates, to keep the pipe small. */
static json_t *sweep_digest(json_t *s) {
	json_t *e = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(s, "expectations"), i, x) {
		json_array_append_new(e, json_pack("{s:O,s:O,s:O,s:f}", "label", json_object_get(x, "label"), "team",
		                                   json_object_get(x, "team"), "status", json_object_get(x, "status"), "awarded",
		                                   json_number_value(json_object_get(x, "awarded"))));
	}
	return json_pack("{s:O,s:O,s:O,s:o,s:O,s:O,s:O}", "seed", json_object_get(s, "seed"), "teams",
	                 json_object_get(s, "teams"), "joint", json_object_get(s, "joint"), "expectations", e, "branches",
	                 json_object_get(s, "branches"), "scenario_errors", json_object_get(s, "scenario_errors"),
	                 "state_hash", json_object_get(s, "state_hash"));
}

static int sweep(const run_opts *o0, const cli_actions *acts) {
	int aFd[SWEEP_WORKERS];
	pid_t aPid[SWEEP_WORKERS];
	int nWorkers = o0->nSweep < SWEEP_WORKERS ? o0->nSweep : SWEEP_WORKERS;
	fflush(stdout);
	fflush(stderr);
	for (int w = 0; w < nWorkers; w++) {
		int fd[2];
		if (pipe(fd) != 0) {
			fprintf(stderr, "kyodo run --sweep: pipe: %s\n", strerror(errno));
			return 1;
		}
		pid_t pid = fork();
		if (pid < 0) {
			fprintf(stderr, "kyodo run --sweep: fork: %s\n", strerror(errno));
			return 1;
		}
		if (pid == 0) {
			close(fd[0]);
			FILE *out = fdopen(fd[1], "w");
			int rc = 0;
			for (int seed = w + 1; seed <= o0->nSweep && !rc; seed += nWorkers) {
				run_opts o = *o0;
				o.seed = (uint64_t)seed;
				o.bSeed = 1;
				o.bProgress = 0;
				o.bQuiet = 1;
				json_t *s = NULL;
				rc = run_once(&o, acts, &s);
				if (s) {
					json_t *dg = sweep_digest(s);
					json_dumpf(dg, out, JSON_COMPACT);
					fputc('\n', out);
					json_decref(dg);
					json_decref(s);
				}
			}
			fclose(out);
			_exit(rc);
		}
		close(fd[1]);
		aFd[w] = fd[0];
		aPid[w] = pid;
	}
	json_t *runs = json_array();
	for (int w = 0; w < nWorkers; w++) {
		FILE *in = fdopen(aFd[w], "r");
		char *zLine = NULL;
		size_t nCap = 0;
		while (getline(&zLine, &nCap, in) > 0) {
			json_t *j = json_loads(zLine, 0, NULL);
			if (j) json_array_append_new(runs, j);
		}
		free(zLine);
		fclose(in);
	}
	int rc = 0;
	for (int w = 0; w < nWorkers; w++) {
		int st;
		if (waitpid(aPid[w], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) rc = 1;
	}
	size_t nRuns = json_array_size(runs);
	if (rc || nRuns != (size_t)o0->nSweep) {
		fprintf(stderr, "kyodo run --sweep: %zu of %d runs finished\n", nRuns, o0->nSweep);
		json_decref(runs);
		return 1;
	}
	/* aggregate by label (expectations) and by type+line (branches), in order of first appearance: runs may
	 * declare different things at run time (an inject sent from a when() that fired in one run only) */
	json_t *first = json_array_get(runs, 0);
	json_t *exp = json_object(), *br = json_object(), *teams = json_object(), *hashes = json_object();
	size_t i, r;
	json_t *x, *run;
	json_array_foreach(runs, r, run) {
		json_array_foreach(json_object_get(run, "expectations"), i, x) {
			const char *zLabel = json_string_value(json_object_get(x, "label"));
			json_t *agg = json_object_get(exp, zLabel);
			if (!agg) {
				agg = json_pack("{s:s,s:O,s:i,s:i,s:f}", "label", zLabel, "team", json_object_get(x, "team"), "met", 0,
				                "runs", (int)nRuns, "mean_points", 0.0);
				json_object_set_new(exp, zLabel, agg);
			}
			int bMet = !strcmp(json_string_value(json_object_get(x, "status")), "met");
			json_object_set_new(agg, "met", json_integer(json_integer_value(json_object_get(agg, "met")) + bMet));
			json_object_set_new(agg, "mean_points", json_real(json_number_value(json_object_get(agg, "mean_points")) +
			                                                  json_number_value(json_object_get(x, "awarded")) / (double)nRuns));
		}
		json_array_foreach(json_object_get(run, "branches"), i, x) {
			char zKey[96];
			snprintf(zKey, sizeof zKey, "%s:%lld:%s", json_string_value(json_object_get(x, "type")),
			         (long long)json_integer_value(json_object_get(x, "line")),
			         json_object_get(x, "event") ? json_string_value(json_object_get(x, "event")) : "");
			json_t *agg = json_object_get(br, zKey);
			if (!agg) {
				agg = json_deep_copy(x);
				json_object_set_new(agg, "fires", json_integer(0));
				json_object_set_new(agg, "runs_fired", json_integer(0));
				json_object_set_new(br, zKey, agg);
			}
			long long f = json_integer_value(json_object_get(x, "fires"));
			json_object_set_new(agg, "fires", json_integer(json_integer_value(json_object_get(agg, "fires")) + f));
			json_object_set_new(agg, "runs_fired", json_integer(json_integer_value(json_object_get(agg, "runs_fired")) + (f > 0)));
		}
	}
	/* objects keep insertion order in jansson; turn them into arrays */
	json_t *expA = json_array(), *brA = json_array();
	const char *kk;
	json_t *vv;
	json_object_foreach(exp, kk, vv) json_array_append(expA, vv);
	json_object_foreach(br, kk, vv) json_array_append(brA, vv);
	json_decref(exp);
	json_decref(br);
	exp = expA;
	br = brA;
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(first, "teams"), k, v) {
		double sum = 0, lo = 1e300, hi = -1e300;
		json_array_foreach(runs, r, run) {
			double s = json_number_value(json_object_get(json_object_get(json_object_get(run, "teams"), k), "score"));
			sum += s;
			lo = s < lo ? s : lo;
			hi = s > hi ? s : hi;
		}
		json_object_set_new(teams, k, json_pack("{s:f,s:f,s:f}", "mean", sum / (double)nRuns, "min", lo, "max", hi));
	}
	long long nErr = 0;
	json_array_foreach(runs, r, run) {
		json_object_set_new(hashes, json_string_value(json_object_get(run, "state_hash")), json_true());
		nErr += json_integer_value(json_object_get(run, "scenario_errors"));
	}
	size_t nHashes = json_object_size(hashes);
	json_t *out = json_pack("{s:i,s:o,s:o,s:o,s:I,s:I}", "runs", (int)nRuns, "teams", teams, "expectations", exp,
	                        "branches", br, "distinct_state_hashes", (json_int_t)nHashes, "scenario_errors", (json_int_t)nErr);
	json_decref(hashes);
	if (o0->bJson) {
		json_dumpf(out, stdout, JSON_COMPACT);
		fputc('\n', stdout);
	} else {
		printf("sweep      %zu runs (seeds 1..%zu) on %d workers, actions: %s\n", nRuns, nRuns, nWorkers,
		       acts ? acts->zPath : "(none)");
		json_object_foreach(teams, k, v) {
			printf("team       %-14s mean %7.2f  min %7.2f  max %7.2f\n", k, json_number_value(json_object_get(v, "mean")),
			       json_number_value(json_object_get(v, "min")), json_number_value(json_object_get(v, "max")));
		}
		printf("expectations (how often met):\n");
		json_array_foreach(exp, i, x) {
			printf("  %-24s %-12s %3lld/%zu  mean %.2f pts\n", json_string_value(json_object_get(x, "label")),
			       json_string_value(json_object_get(x, "team")), (long long)json_integer_value(json_object_get(x, "met")),
			       nRuns, json_number_value(json_object_get(x, "mean_points")));
		}
		int nNever = 0;
		json_array_foreach(br, i, x) {
			if (json_integer_value(json_object_get(x, "fires")) > 0) continue;
			if (!nNever++) printf("never fired:\n");
			printf("  %s at line %lld%s%s\n", json_string_value(json_object_get(x, "type")),
			       (long long)json_integer_value(json_object_get(x, "line")), json_object_get(x, "event") ? " on " : "",
			       json_object_get(x, "event") ? json_string_value(json_object_get(x, "event")) : "");
		}
		if (!nNever) printf("never fired: none (every at/every/when/on branch fired at least once)\n");
		printf("distinct state hashes %zu, scenario errors %lld\n", nHashes, nErr);
	}
	json_decref(out);
	json_decref(runs);
	return 0;
}

static const char zRunUsage[] =
	"usage: kyodo run SCENARIO.lua [--seed N] [--db FILE] [--actions FILE.jsonl] [--until T] [--json] [--sweep N]\n";

int scn_cli_run(int argc, char **argv) {
	run_opts o;
	memset(&o, 0, sizeof o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int bVal = i + 1 < argc;
		ky_err err = { 0 };
		if (!strcmp(a, "--json")) o.bJson = 1;
		else if (!strcmp(a, "--seed") && bVal) {
			char *zEnd;
			errno = 0;
			unsigned long long v = strtoull(argv[++i], &zEnd, 10);
			if (errno || *zEnd || argv[i][0] == '-') {
				fprintf(stderr, "kyodo run: --seed: '%s' is not a non-negative integer\n", argv[i]);
				return 2;
			}
			o.seed = v;
			o.bSeed = 1;
		} else if (!strcmp(a, "--db") && bVal) o.zDb = argv[++i];
		else if (!strcmp(a, "--actions") && bVal) o.zActions = argv[++i];
		else if (!strcmp(a, "--until") && bVal) {
			if (eng_time_parse(argv[++i], &o.until, &err)) {
				fprintf(stderr, "kyodo run: --until: %s\n", err.zMsg);
				return 2;
			}
			o.bUntil = 1;
		} else if (!strcmp(a, "--sweep") && bVal) {
			o.nSweep = atoi(argv[++i]);
			if (o.nSweep < 1 || o.nSweep > 10000) {
				fprintf(stderr, "kyodo run: --sweep: expected a count from 1 to 10000\n");
				return 2;
			}
		} else if (a[0] == '-' || o.zPath) {
			fprintf(stderr, "kyodo run: unexpected '%s'\n%s", a, zRunUsage);
			return 2;
		} else o.zPath = a;
	}
	if (!o.zPath) {
		fprintf(stderr, "%s", zRunUsage);
		return 2;
	}
	cli_actions acts = { 0 };
	char zGood[4096];
	const char *zActions = o.zActions;
	if (!zActions && o.nSweep) {  /* a sweep plays the good team's script beside the scenario, if there is one */
		size_t n = strlen(o.zPath);
		if (n > 4 && !strcmp(o.zPath + n - 4, ".lua") && n < sizeof zGood - 16) {
			snprintf(zGood, sizeof zGood, "%.*s.good.jsonl", (int)(n - 4), o.zPath);
			if (access(zGood, R_OK) == 0) zActions = zGood;
		}
	}
	if (zActions && actions_load(zActions, &acts) != 0) {
		actions_free(&acts);
		return 1;
	}
	int rc;
	if (o.nSweep) {
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
