/* sweep (scenarios): see sweep.h. */
#include "scenarios/sweep.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* The fields every line of one sweep must share. */
static const char *const kIdentKeys[] = { "sweep", "scenario", "kyodo", "inputs" };
#define N_IDENT (sizeof kIdentKeys / sizeof kIdentKeys[0])

void scn_sweep_shard_seeds(int nSweep, int iShard, int nShards, int *pFirst, int *pLast) {
	assert(nSweep >= 0 && nShards >= 1 && iShard >= 0 && iShard < nShards);
	long long n = nSweep, k = nShards, i = iShard;
	long long base = n / k, extra = n % k;
	long long first = i * base + (i < extra ? i : extra);
	long long len = base + (i < extra);
	*pFirst = (int)(first + 1);
	*pLast = (int)(first + len);
}

json_t *scn_sweep_digest(const json_t *summary, const json_t *ident) {
	json_t *e = json_array(), *line;
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(summary, "expectations"), i, x) {
		json_array_append_new(e, json_pack("{s:O,s:O,s:O,s:f}", "label", json_object_get(x, "label"), "team",
		                                   json_object_get(x, "team"), "status", json_object_get(x, "status"), "awarded",
		                                   json_number_value(json_object_get(x, "awarded"))));
	}
	line = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:o,s:O,s:O,s:O}", "sweep", json_object_get(ident, "sweep"), "seed",
	                 json_object_get(summary, "seed"), "scenario", json_object_get(summary, "scenario"), "kyodo",
	                 json_object_get(ident, "kyodo"), "inputs", json_object_get(ident, "inputs"), "actions",
	                 json_object_get(ident, "actions"), "expectations", e, "teams", json_object_get(summary, "teams"),
	                 "joint", json_object_get(summary, "joint"), "branches", json_object_get(summary, "branches"));
	if (!line) return NULL;
	json_object_set(line, "scenario_errors", json_object_get(summary, "scenario_errors"));
	json_object_set(line, "state_hash", json_object_get(summary, "state_hash"));
	return line;
}

/* --- checks ------------------------------------------------------------------------------------------------ */

int scn_sweep_check_line(const json_t *line, ky_err *err) {
	static const struct { const char *zKey; json_type type; } aField[] = {
		{ "sweep", JSON_INTEGER }, { "seed", JSON_INTEGER }, { "scenario", JSON_STRING }, { "kyodo", JSON_STRING },
		{ "inputs", JSON_STRING }, { "teams", JSON_OBJECT }, { "expectations", JSON_ARRAY },
		{ "branches", JSON_ARRAY }, { "scenario_errors", JSON_INTEGER }, { "state_hash", JSON_STRING },
	};
	if (!json_is_object(line)) return ky_err_set(err, KY_EPARSE, "not a sweep line (a JSON object)");
	for (size_t i = 0; i < sizeof aField / sizeof aField[0]; i++) {
		json_t *v = json_object_get(line, aField[i].zKey);
		if (!v || json_typeof(v) != aField[i].type)
			return ky_err_set(err, KY_EPARSE, "not a sweep line: '%s' %s", aField[i].zKey, v ? "has the wrong type" : "is missing");
	}
	json_int_t n = json_integer_value(json_object_get(line, "sweep")), s = json_integer_value(json_object_get(line, "seed"));
	if (n < 1 || n > SCN_SWEEP_MAX) return ky_err_set(err, KY_EPARSE, "sweep %lld is not from 1 to %d", (long long)n, SCN_SWEEP_MAX);
	if (s < 1 || s > n) return ky_err_set(err, KY_EPARSE, "seed %lld is not from 1 to %lld", (long long)s, (long long)n);
	return 0;
}

static int by_seed(const void *pa, const void *pb) {
	json_int_t a = json_integer_value(json_object_get(*(json_t *const *)pa, "seed"));
	json_int_t b = json_integer_value(json_object_get(*(json_t *const *)pb, "seed"));
	return a < b ? -1 : a > b;
}

/* Appends "A..B" (or "A") to z, at most a few ranges. */
static void add_range(char *z, size_t n, int *pnRanges, long long a, long long b) {
	size_t len = strlen(z);
	if ((*pnRanges)++ == 4) snprintf(z + len, n - len, ", ...");
	if (*pnRanges > 4) return;
	if (a == b) snprintf(z + len, n - len, "%s%lld", len ? ", " : "", a);
	else snprintf(z + len, n - len, "%s%lld..%lld", len ? ", " : "", a, b);
}

/* Sorts lines by seed into ap (nLines of them) and checks they are one sweep's seeds 1..N, each once. */
static int sort_and_check(const json_t *lines, json_t **ap, size_t nLines, ky_err *err) {
	for (size_t i = 0; i < nLines; i++) {
		ap[i] = json_array_get(lines, i);
		if (scn_sweep_check_line(ap[i], err)) return ky_err_prefix(err, "line %zu", i + 1);
		for (size_t k = 0; k < N_IDENT; k++) {
			if (!json_equal(json_object_get(ap[i], kIdentKeys[k]), json_object_get(ap[0], kIdentKeys[k])))
				return ky_err_set(err, KY_EINVAL, "seed %lld is of another sweep: its '%s' differs from seed %lld's",
				                  (long long)json_integer_value(json_object_get(ap[i], "seed")), kIdentKeys[k],
				                  (long long)json_integer_value(json_object_get(ap[0], "seed")));
		}
	}
	qsort(ap, nLines, sizeof *ap, by_seed);
	long long n = json_integer_value(json_object_get(ap[0], "sweep")), next = 1;
	char zMissing[160] = "", zTwice[160] = "";
	int nMissing = 0, nTwice = 0;
	for (size_t i = 0; i < nLines; i++) {
		long long s = json_integer_value(json_object_get(ap[i], "seed"));
		if (s < next) add_range(zTwice, sizeof zTwice, &nTwice, s, s);
		else if (s > next) add_range(zMissing, sizeof zMissing, &nMissing, next, s - 1);
		if (s >= next) next = s + 1;
	}
	if (next <= n) add_range(zMissing, sizeof zMissing, &nMissing, next, n);
	if (nTwice) return ky_err_set(err, KY_EINVAL, "seeds given more than once: %s (a shard merged twice?)", zTwice);
	if (nMissing)
		return ky_err_set(err, KY_EINVAL, "seeds missing from the sweep of 1..%lld: %s (a shard not run or not given?)", n,
		                  zMissing);
	return 0;
}

/* --- aggregation ------------------------------------------------------------------------------------------- */

static void add_int(json_t *o, const char *zKey, json_int_t d) {
	json_object_set_new(o, zKey, json_integer(json_integer_value(json_object_get(o, zKey)) + d));
}

static void agg_expectations(json_t *exp, json_t *const *ap, size_t nRuns) {
	size_t i;
	json_t *x;
	for (size_t r = 0; r < nRuns; r++) {
		json_array_foreach(json_object_get(ap[r], "expectations"), i, x) {
			const char *zLabel = json_string_value(json_object_get(x, "label"));
			if (!zLabel) continue;
			json_t *agg = json_object_get(exp, zLabel);
			if (!agg) {
				agg = json_pack("{s:s,s:O,s:i,s:i,s:f}", "label", zLabel, "team", json_object_get(x, "team"), "met", 0,
				                "runs", (int)nRuns, "mean_points", 0.0);
				json_object_set_new(exp, zLabel, agg);
			}
			const char *zStatus = json_string_value(json_object_get(x, "status"));
			add_int(agg, "met", zStatus && !strcmp(zStatus, "met"));
			json_object_set_new(agg, "mean_points", json_real(json_number_value(json_object_get(agg, "mean_points")) +
			                                                  json_number_value(json_object_get(x, "awarded")) / (double)nRuns));
		}
	}
}

static void agg_branches(json_t *br, json_t *const *ap, size_t nRuns) {
	size_t i;
	json_t *x;
	for (size_t r = 0; r < nRuns; r++) {
		json_array_foreach(json_object_get(ap[r], "branches"), i, x) {
			char zKey[160];
			const char *zEvent = json_string_value(json_object_get(x, "event"));
			snprintf(zKey, sizeof zKey, "%s:%lld:%s", json_string_value(json_object_get(x, "type")) ?: "",
			         (long long)json_integer_value(json_object_get(x, "line")), zEvent ? zEvent : "");
			json_t *agg = json_object_get(br, zKey);
			if (!agg) {
				agg = json_deep_copy(x);
				json_object_set_new(agg, "fires", json_integer(0));
				json_object_set_new(agg, "runs_fired", json_integer(0));
				json_object_set_new(br, zKey, agg);
			}
			json_int_t f = json_integer_value(json_object_get(x, "fires"));
			add_int(agg, "fires", f);
			add_int(agg, "runs_fired", f > 0);
		}
	}
}

static json_t *agg_teams(json_t *const *ap, size_t nRuns) {
	json_t *teams = json_object(), *v;
	const char *k;
	json_object_foreach(json_object_get(ap[0], "teams"), k, v) {
		double sum = 0, lo = 1e300, hi = -1e300;
		for (size_t r = 0; r < nRuns; r++) {
			double s = json_number_value(json_object_get(json_object_get(json_object_get(ap[r], "teams"), k), "score"));
			sum += s;
			lo = s < lo ? s : lo;
			hi = s > hi ? s : hi;
		}
		json_object_set_new(teams, k, json_pack("{s:f,s:f,s:f}", "mean", sum / (double)nRuns, "min", lo, "max", hi));
	}
	return teams;
}

/* jansson objects keep insertion order: the values in that order, as an array (new reference). */
static json_t *values(json_t *o) {
	json_t *a = json_array(), *v;
	const char *k;
	json_object_foreach(o, k, v) json_array_append(a, v);
	return a;
}

json_t *scn_sweep_aggregate(const json_t *lines, ky_err *err) {
	size_t nRuns = json_array_size(lines);
	if (nRuns == 0) {
		ky_err_set(err, KY_EINVAL, "no sweep lines");
		return NULL;
	}
	json_t **ap = malloc(nRuns * sizeof *ap);
	if (!ap) {
		ky_err_set(err, KY_ENOMEM, "out of memory");
		return NULL;
	}
	if (sort_and_check(lines, ap, nRuns, err)) {
		free(ap);
		return NULL;
	}
	json_t *exp = json_object(), *br = json_object(), *hashes = json_object();
	long long nErr = 0;
	agg_expectations(exp, ap, nRuns);
	agg_branches(br, ap, nRuns);
	for (size_t r = 0; r < nRuns; r++) {
		json_object_set_new(hashes, json_string_value(json_object_get(ap[r], "state_hash")), json_true());
		nErr += json_integer_value(json_object_get(ap[r], "scenario_errors"));
	}
	json_t *out = json_pack("{s:i,s:O,s:o,s:o,s:o,s:I,s:I}", "runs", (int)nRuns, "scenario", json_object_get(ap[0], "scenario"),
	                        "teams", agg_teams(ap, nRuns), "expectations", values(exp), "branches", values(br),
	                        "distinct_state_hashes", (json_int_t)json_object_size(hashes), "scenario_errors", (json_int_t)nErr);
	json_decref(exp);
	json_decref(br);
	json_decref(hashes);
	free(ap);
	if (!out) ky_err_set(err, KY_ENOMEM, "out of memory");
	return out;
}
