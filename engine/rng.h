/* rng: deterministic random streams (xoshiro256** seeded through splitmix64).
 * A stream is derived from (seed, purpose name), so each purpose draws from its own sequence and one more
 * draw in one module never shifts another module's numbers. No global state, no wall clock. */
#ifndef ENG_RNG_H
#define ENG_RNG_H

#include <stdint.h>

typedef struct eng_rng { uint64_t s[4]; } eng_rng;

/* Seeds pRng from a run seed and a stream id. This function can't fail. */
void eng_rng_seed(eng_rng *pRng, uint64_t seed, uint64_t stream);
/* Seeds pRng from a run seed and a purpose name ("fleet.checkin"); the name is hashed with FNV-1a 64. */
void eng_rng_seed_named(eng_rng *pRng, uint64_t seed, const char *zPurpose);
uint64_t eng_rng_u64(eng_rng *pRng);
/* The same draw as eng_rng_u64, inline, for hot loops (the fleet's check-ins draw a few per car). */
static inline uint64_t eng_rng_next(eng_rng *pRng) {
	uint64_t *s = pRng->s;
	uint64_t x = s[1] * 5, result = ((x << 7) | (x >> 57)) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return result;
}
/* Uniform in [0, 1) with 53 bits. */
double eng_rng_double(eng_rng *pRng);
/* Uniform integer in [0, n); n > 0 (Lemire's method, unbiased). */
uint64_t eng_rng_below(eng_rng *pRng, uint64_t n);
/* The same draw as eng_rng_below, inline, for hot loops (an attack's selection sampling draws one per candidate). */
static inline uint64_t eng_rng_next_below(eng_rng *pRng, uint64_t n) {
	unsigned __int128 m = (unsigned __int128)eng_rng_next(pRng) * n;
	if ((uint64_t)m < n) {
		uint64_t t = -n % n;
		while ((uint64_t)m < t) m = (unsigned __int128)eng_rng_next(pRng) * n;
	}
	return (uint64_t)(m >> 64);
}
/* Exponential with the given mean (> 0). */
double eng_rng_exp(eng_rng *pRng, double mean);
/* 1 with probability p (clamped to [0,1]), else 0. */
int eng_rng_chance(eng_rng *pRng, double p);
/* FNV-1a 64 of a NUL-terminated string; exposed for stable name hashing elsewhere. */
uint64_t eng_hash_str(const char *z);

#endif
