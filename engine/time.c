/* time: see time.h. */
#include "engine/time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int eng_time_from_seconds(double seconds, eng_time_t *pOut, ky_err *pErr) {
	if (!isfinite(seconds) || seconds < 0 || seconds > 9.2e12) {
		return ky_err_set(pErr, KY_EINVAL, "time %g s is out of range (0 .. 9.2e12 s)", seconds);
	}
	*pOut = (eng_time_t)llround(seconds * ENG_US_PER_S);
	return KY_OK;
}

static int parse_clock(const char *z, double *pSec) {
	/* "HH:MM:SS", "MM:SS" or "HH:MM:SS.fff" */
	double part[3];
	int n = 0;
	const char *p = z;
	while (n < 3) {
		char *zEnd;
		if (*p < '0' || *p > '9') return -1;
		part[n++] = strtod(p, &zEnd);
		p = zEnd;
		if (*p == ':') { p++; continue; }
		break;
	}
	if (*p != 0 || n < 2) return -1;
	for (int i = 0; i < n - 1; i++) {
		if (part[i] != floor(part[i])) return -1;
	}
	for (int i = 1; i < n; i++) {
		if (part[i] >= 60) return -1;
	}
	*pSec = n == 3 ? part[0] * 3600 + part[1] * 60 + part[2] : part[0] * 60 + part[1];
	return 0;
}

int eng_time_parse(const char *z, eng_time_t *pOut, ky_err *pErr) {
	double sec = 0;
	if (!z || !*z) return ky_err_set(pErr, KY_EPARSE, "empty time string");
	if (strchr(z, ':')) {
		if (parse_clock(z, &sec) != 0) goto bad;
	} else {
		char *zEnd;
		if ((*z < '0' || *z > '9') && *z != '.') goto bad;
		sec = strtod(z, &zEnd);
		if (zEnd == z) goto bad;
		if (*zEnd) {
			double mult;
			switch (*zEnd) {
			case 's': mult = 1; break;
			case 'm': mult = 60; break;
			case 'h': mult = 3600; break;
			case 'd': mult = 86400; break;
			default: goto bad;
			}
			if (zEnd[1] != 0) goto bad;
			sec *= mult;
		}
	}
	if (eng_time_from_seconds(sec, pOut, pErr) != 0) goto bad;
	return KY_OK;
bad:
	return ky_err_set(pErr, KY_EPARSE,
	                  "bad time \"%s\" (expected seconds, \"90s\", \"15m\", \"4h\" or \"01:30:00\")", z);
}

char *eng_time_format(eng_time_t t, char *z, size_t n) {
	const char *zSign = t < 0 ? "-" : "";
	unsigned long long u = t < 0 ? 0ull - (unsigned long long)t : (unsigned long long)t; /* INT64_MIN too */
	unsigned long long s = u / ENG_US_PER_S, us = u % ENG_US_PER_S;
	if (us) {
		snprintf(z, n, "%s%02llu:%02llu:%02llu.%03llu", zSign, s / 3600, (s / 60) % 60, s % 60, us / 1000);
	} else {
		snprintf(z, n, "%s%02llu:%02llu:%02llu", zSign, s / 3600, (s / 60) % 60, s % 60);
	}
	return z;
}
