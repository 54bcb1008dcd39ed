/* samples_rng.h: the generators' own PRNG (splitmix64), so the samples and the
 * negatives come out bit-identical on every libc: rand() and random() differ
 * between platforms, and the ground truth is committed beside the images. */
#ifndef DIGITD_SAMPLES_RNG_H
#define DIGITD_SAMPLES_RNG_H
#include <math.h>
#include <stdint.h>

typedef struct { uint64_t s; } rng_t;

static inline uint64_t rng_u64(rng_t *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1): the top 53 bits. */
static inline double rng_unit(rng_t *r) { return (double)(rng_u64(r) >> 11) * (1.0 / 9007199254740992.0); }
static inline double rng_uniform(rng_t *r, double a, double b) { return a + (b - a) * rng_unit(r); }
/* Uniform integer in [a, b], both included. */
static inline int rng_int(rng_t *r, int a, int b) { return a + (int)(rng_u64(r) % (uint64_t)(b - a + 1)); }
static inline int rng_chance(rng_t *r, double p) { return rng_unit(r) < p; }

/* Standard normal (Box-Muller; the second value is dropped for simplicity). */
static inline double rng_normal(rng_t *r)
{
	double u = rng_unit(r), v = rng_unit(r);
	if (u < 1e-300) u = 1e-300;
	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

#endif
