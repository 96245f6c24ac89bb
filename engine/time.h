/* time: simulated time (int64 microseconds) and the time strings of the contract.
 * Accepted: a number of seconds ("90", "1.5"), "90s", "15m", "4h", "2d", "01:30:00", "30:00" (mm:ss). */
#ifndef ENG_TIME_H
#define ENG_TIME_H

#include <stdint.h>
#include <stddef.h>

#include "engine/err.h"

typedef int64_t eng_time_t;  /* microseconds of simulated time */
#define ENG_US_PER_S 1000000LL
#define ENG_TIME_MAX INT64_MAX
#define ENG_S(x) ((eng_time_t)((x) * ENG_US_PER_S))

/* Parses z into *pOut. On error returns KY_EPARSE with pErr naming the bad text; *pOut is untouched. */
int eng_time_parse(const char *z, eng_time_t *pOut, ky_err *pErr);
/* Converts seconds (finite, >= 0) to eng_time_t; KY_EINVAL otherwise. */
int eng_time_from_seconds(double seconds, eng_time_t *pOut, ky_err *pErr);
/* Formats t as "HH:MM:SS" (or "HH:MM:SS.mmm" when not whole seconds) into z; returns z. */
char *eng_time_format(eng_time_t t, char *z, size_t n);

#endif
