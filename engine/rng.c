/* rng: see rng.h. */
#include "engine/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *pX) {
	uint64_t z = (*pX += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void eng_rng_seed(eng_rng *pRng, uint64_t seed, uint64_t stream) {
	uint64_t x = seed ^ rotl(stream * 0xd1342543de82ef95ULL + 0x632be59bd9b4e019ULL, 17);
	for (int i = 0; i < 4; i++) pRng->s[i] = splitmix64(&x);
	if ((pRng->s[0] | pRng->s[1] | pRng->s[2] | pRng->s[3]) == 0) pRng->s[0] = 1;
}

uint64_t eng_hash_str(const char *z) {
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *z; z++) h = (h ^ (unsigned char)*z) * 0x100000001b3ULL;
	return h;
}

void eng_rng_seed_named(eng_rng *pRng, uint64_t seed, const char *zPurpose) {
	eng_rng_seed(pRng, seed, eng_hash_str(zPurpose));
}

uint64_t eng_rng_u64(eng_rng *pRng) { return eng_rng_next(pRng); }

double eng_rng_double(eng_rng *pRng) {
	return (double)(eng_rng_u64(pRng) >> 11) * 0x1.0p-53;
}

uint64_t eng_rng_below(eng_rng *pRng, uint64_t n) {
	return eng_rng_next_below(pRng, n);
}

double eng_rng_exp(eng_rng *pRng, double mean) {
	return -mean * log1p(-eng_rng_double(pRng));
}

int eng_rng_chance(eng_rng *pRng, double p) {
	if (p <= 0) return 0;
	if (p >= 1) return 1;
	return eng_rng_double(pRng) < p;
}
