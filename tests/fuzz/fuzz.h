/* fuzz: what the fuzz targets in tests/fuzz share. Each fuzz_NAME.c is a libFuzzer target (LLVMFuzzerTestOneInput,
 * optionally LLVMFuzzerInitialize). `make fuzz` links it with libFuzzer (clang -fsanitize=fuzzer,address,undefined)
 * and runs it FUZZ_SECONDS over tests/fuzz/corpus/NAME; `make test` links it with replay.c, which runs it once on
 * every file of tests/fuzz/corpus/NAME and tests/fuzz/crashes/NAME (regressions), in the normal and the ASan build.
 * A property a target checks is asserted with FUZZ_ASSERT: a failure aborts (a crash to libFuzzer). */
#ifndef KY_FUZZ_H
#define KY_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_ASSERT(c) do { if (!(c)) { fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

/* A NUL-terminated copy of the input (malloc'd; the caller frees). */
static inline char *fuzz_strdup(const uint8_t *p, size_t n) {
	char *z = malloc(n + 1);
	if (!z) abort();
	for (size_t i = 0; i < n; i++) z[i] = (char)p[i];
	z[n] = 0;
	return z;
}

/* The folder of the fuzz data files (tests/fuzz/data), from KYODO_FUZZ_DATA or the working directory. */
static inline const char *fuzz_data_dir(void) {
	const char *z = getenv("KYODO_FUZZ_DATA");
	return z && *z ? z : "tests/fuzz/data";
}

#endif
