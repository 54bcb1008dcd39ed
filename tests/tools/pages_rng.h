/* pages_rng.h: mkpages' own deterministic random numbers (splitmix64).
 *
 * Everything mkpages draws comes from here, never from rand() or the
 * clock, so one seed gives byte-identical pages and truth on every machine
 * (OpenCV is only asked to draw lines, text and warps, which it does the
 * same way for the same arguments). */
#ifndef DIGITD_PAGES_RNG_H
#define DIGITD_PAGES_RNG_H
#include <math.h>
#include <stdint.h>

typedef struct {
	uint64_t s;
} prng;

static uint64_t prng_next(prng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* A stream of its own for each (seed, purpose, item): drawing one more
 * thing on one page does not shift every later page. */
static prng prng_for(uint64_t seed, uint64_t purpose, uint64_t item)
{
	prng r = { seed * 0x100000001B3ull ^ purpose << 32 ^ item };
	prng_next(&r);
	return r;
}

static double prng_unit(prng *r) { return (double)(prng_next(r) >> 11) * 0x1.0p-53; }
static double prng_range(prng *r, double lo, double hi) { return lo + (hi - lo) * prng_unit(r); }
/* Log-uniform: as many ratios from 1/3 to 1 as from 1 to 3. */
static double prng_logrange(prng *r, double lo, double hi) { return lo * exp(log(hi / lo) * prng_unit(r)); }
static int prng_int(prng *r, int lo, int hi) { return lo + (int)(prng_next(r) % (uint64_t)(hi - lo + 1)); }
static int prng_chance(prng *r, double p) { return prng_unit(r) < p; }

/* Standard normal (Box-Muller, one of the pair kept: simple, not hot). */
static double prng_normal(prng *r)
{
	double u = prng_unit(r), v = prng_unit(r);
	return sqrt(-2.0 * log(u + 1e-300)) * cos(2.0 * M_PI * v);
}

/* Index drawn with weights w[0..n-1] (need not sum to 1). */
static int prng_pick(prng *r, const double *w, int n)
{
	double t = 0;
	for (int i = 0; i < n; i++) t += w[i];
	double u = prng_unit(r) * t;
	for (int i = 0; i < n; i++) {
		if (u < w[i]) return i;
		u -= w[i];
	}
	return n - 1;
}

#endif
