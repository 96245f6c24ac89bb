/* fuzz_time: the time parser and formatter (engine/time.c). Properties: a parsed time is >= 0 and an error names
 * the text; formatting never fails, whatever the int64 (negative too); a time formats to text that parses back to
 * itself (to the millisecond the format keeps). */
#include <string.h>

#include "engine/time.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	char *z = fuzz_strdup(data, size), zFmt[64];
	eng_time_t t = -1;
	ky_err err = { 0 };
	if (eng_time_parse(z, &t, &err) == 0) {
		FUZZ_ASSERT(t >= 0);
		eng_time_format(t, zFmt, sizeof zFmt);
		eng_time_t back = -1;
		FUZZ_ASSERT(eng_time_parse(zFmt, &back, &err) == 0);
		if (t < (eng_time_t)1e15) FUZZ_ASSERT(back == t - t % 1000); /* the format keeps milliseconds */
	} else {
		FUZZ_ASSERT(err.code == KY_EPARSE && err.zMsg[0]);
		FUZZ_ASSERT(t == -1);
	}
	if (size >= 8) { /* any int64 formats */
		int64_t v;
		memcpy(&v, data, 8);
		eng_time_format(v, zFmt, sizeof zFmt);
		FUZZ_ASSERT(zFmt[0]);
		double d;
		memcpy(&d, data, 8);
		eng_time_t u = -1;
		if (eng_time_from_seconds(d, &u, &err) == 0) FUZZ_ASSERT(u >= 0);
	}
	free(z);
	return 0;
}
