/* fuzz_msel: the MSEL spreadsheet reader (scenarios/msel.c: RFC 4180 CSV, the expected_action mini-language, and
 * the whole `kyodo msel import`, which also loads the scenario it writes) on any bytes. Properties: the CSV parser
 * returns records of strings with increasing spreadsheet rows, or an error "ROW:COLUMN: message"; an import either
 * returns a scenario that `kyodo check` loads, or an error that names the file (FILE.csv:ROW:COLUMN). */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenarios/drill.h"
#include "scenarios/msel.h"
#include "tests/fuzz/fuzz.h"

static char gzDir[256], gzCsv[300], gzLua[300];

static void remove_files(void) {
	unlink(gzCsv);
	unlink(gzLua);
	rmdir(gzDir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
	const char *zTmp = getenv("TMPDIR");
	(void)argc, (void)argv;
	snprintf(gzDir, sizeof gzDir, "%s/kyodo-fuzz-msel-%d", zTmp && *zTmp ? zTmp : "/tmp", (int)getpid());
	snprintf(gzCsv, sizeof gzCsv, "%s/m.csv", gzDir);
	snprintf(gzLua, sizeof gzLua, "%s/m.lua", gzDir);
	mkdir(gzDir, 0700);
	atexit(remove_files);
	return 0;
}

static void check_csv(const uint8_t *data, size_t size) {
	int *aRow = NULL;
	ky_err err = { 0 };
	json_t *recs = scn_msel_csv_parse((const char *)data, size, &aRow, &err), *r, *f;
	size_t i, k;
	if (!recs) {
		int row = 0, col = 0;
		FUZZ_ASSERT(sscanf(err.zMsg, "%d:%d:", &row, &col) == 2 && row >= 1 && col >= 1);
		free(aRow);
		return;
	}
	json_array_foreach(recs, i, r) {
		FUZZ_ASSERT(json_is_array(r) && aRow[i] >= 1 && (i == 0 || aRow[i] > aRow[i - 1]));
		json_array_foreach(r, k, f) {
			char *zKind = NULL;
			json_t *args = NULL;
			FUZZ_ASSERT(json_is_string(f));
			if (k == 0 && scn_msel_parse_action(json_string_value(f), &zKind, &args, &err) == 0)
				FUZZ_ASSERT(zKind && json_is_object(args));
			free(zKind);
			json_decref(args);
		}
	}
	json_decref(recs);
	free(aRow);
}

static void check_import(const uint8_t *data, size_t size) {
	ky_err err = { 0 };
	FILE *f = fopen(gzCsv, "wb");
	char *zLua;
	FUZZ_ASSERT(f && fwrite(data, 1, size, f) == size);
	fclose(f);
	zLua = scn_msel_import(gzCsv, &err);
	if (!zLua) {
		FUZZ_ASSERT(err.zMsg[0] && strncmp(err.zMsg, gzCsv, strlen(gzCsv)) == 0);
		return;
	}
	/* what it returns loads as kyodo check loads it */
	f = fopen(gzLua, "wb");
	FUZZ_ASSERT(f && fwrite(zLua, 1, strlen(zLua), f) == strlen(zLua));
	fclose(f);
	scn_drill_opts o = { 0 };
	o.bCheckOnly = 1;
	scn_drill *d = scn_drill_open(gzLua, &o, &err);
	if (!d) fprintf(stderr, "fuzz_msel: the imported scenario does not load: %s\n", err.zMsg);
	FUZZ_ASSERT(d != NULL);
	scn_drill_free(d);
	free(zLua);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (!gzDir[0]) LLVMFuzzerInitialize(NULL, NULL);
	check_csv(data, size);
	if (size <= 16384) check_import(data, size);
	return 0;
}
