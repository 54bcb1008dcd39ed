/* rng.h: a small deterministic random generator (xoshiro128+ seeded through
 * splitmix64).  Training must reproduce bit for bit from --seed, so every
 * random draw comes from an nn_rng whose seed is derived from (seed, purpose,
 * index), never from shared state whose order depends on thread timing. */
#ifndef DIGITD_NN_RNG_H
#define DIGITD_NN_RNG_H
#include <math.h>
#include <stdint.h>

typedef struct { uint32_t s[4]; } nn_rng;

static inline uint64_t nn_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Seed from up to three numbers (e.g. run seed, epoch, sample index). */
static inline void nn_rng_seed(nn_rng *r, uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t x = a ^ nn_splitmix64(&b) ^ (nn_splitmix64(&c) << 1);
	uint64_t u = nn_splitmix64(&x), v = nn_splitmix64(&x);
	r->s[0] = (uint32_t)u; r->s[1] = (uint32_t)(u >> 32);
	r->s[2] = (uint32_t)v; r->s[3] = (uint32_t)(v >> 32) | 1u;
}

static inline uint32_t nn_rng_u32(nn_rng *r)
{
	uint32_t *s = r->s;
	const uint32_t result = s[0] + s[3], t = s[1] << 9;
	s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 11) | (s[3] >> 21);
	return result;
}

/* Uniform in [0,1). */
static inline float nn_rng_uniform(nn_rng *r)
{
	return (float)(nn_rng_u32(r) >> 8) * (1.0f / 16777216.0f);
}

/* Uniform in [-a, a). */
static inline float nn_rng_sym(nn_rng *r, float a)
{
	return (2.0f * nn_rng_uniform(r) - 1.0f) * a;
}

/* Uniform integer in [0, n). */
static inline uint32_t nn_rng_below(nn_rng *r, uint32_t n)
{
	return (uint32_t)(((uint64_t)nn_rng_u32(r) * n) >> 32);
}

#endif
