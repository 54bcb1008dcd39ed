/* deskew.c: the page's skew from its ink, by projection profiles.
 *
 * Rows of text, digits and ruling lines make the horizontal projection of
 * the ink peaky when they are level.  For each trial angle the ink points
 * (sampled on a grid) are projected onto the rotated vertical axis and the
 * sum of squared bin counts scores the sharpness; a coarse sweep is refined
 * around its best.  A flat score curve (blank page, noise) means "unsure"
 * and gives 0, so an empty page is never rotated. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "segment/seg_internal.h"

/* Ink points projected per trial angle: enough for a sharp profile on a
 * full page; their count is the cost (52 trial angles). */
#define CAP 30000

typedef struct {
	float *x, *y;           /* ink points, row by row */
	size_t n;
} pts;

/* Count the points projected at deg into bins, four interleaved
 * histograms (4 * nb counters).  The bin numbers are computed a block at a
 * time in a loop the compiler vectorises; consecutive points mostly fall
 * in one bin, and a single histogram would wait on its own last increment
 * at every point. */
static void project(const pts *p, double deg, int *bins, int nb, double off)
{
	double a = deg * M_PI / 180.0;
	/* Single precision: a bin is 2 px, and the page is under 2^24 px. */
	const float ca = (float)(cos(a) / 2), sa = (float)(sin(a) / 2), o = (float)(off / 2);
	int idx[256];
	for (size_t i0 = 0; i0 < p->n; i0 += 256) {
		size_t m = p->n - i0 < 256 ? p->n - i0 : 256;
		const float *restrict x = p->x + i0, *restrict y = p->y + i0;
		for (size_t i = 0; i < m; i++) idx[i] = (int)(y[i] * ca - x[i] * sa + o);
		for (size_t i = 0; i < m; i++)
			if ((unsigned)idx[i] < (unsigned)nb) bins[4 * idx[i] + (i & 3)]++;
	}
}

/* The profile's sharpness at deg: the sum of squared bin counts of the
 * points of the sets (one or two) projected at that angle. */
static double score(const pts *set, int nsets, double deg, int *bins, int nb, double off)
{
	memset(bins, 0, sizeof(int) * 4 * (size_t)nb);
	for (int k = 0; k < nsets; k++) project(&set[k], deg, bins, nb, off);
	double s = 0;
	for (int b = 0; b < nb; b++) {
		double c = (double)bins[4 * b] + bins[4 * b + 1] + bins[4 * b + 2] + bins[4 * b + 3];
		s += c * c;
	}
	return s;
}

/* Alternate points go to the two sets. */
static inline void add_point(pts *set, size_t *n, int x, int y)
{
	pts *q = &set[*n & 1];
	q->x[q->n] = (float)x, q->y[q->n] = (float)y, q->n++, (*n)++;
}

double seg_skew_angle(const img_t *bin, double max_deg)
{
	/* Every row, every step-th column.  Skipping rows would alias with
	 * the 2-pixel bins: at exactly 0 degrees some bins stay empty, which
	 * sharpens the profile and let 0 beat a real skew of a few degrees. */
	size_t cap = CAP, n = 0, ink = 0;
	/* The ink, counted on every 4th row, sets the column step. */
	for (int y = 0; y < bin->h; y += 4) {
		const uint8_t *row = bin->data + (size_t)y * bin->stride;
		for (int x = 0; x < bin->w; x++) ink += row[x] != 0;
	}
	int step = (int)(4 * ink / cap) + 1;
	double best = 0;
	/* Alternate points go to two sets spread alike over the page: the
	 * coarse sweep only finds the peak's neighbourhood and one set will
	 * do; the refinement around it counts both. */
	size_t half = (cap + 1) / 2;   /* points a set holds */
	float *mem = malloc(4 * half * sizeof(float));
	if (!mem) goto out;
	pts set[2] = { { mem, mem + half, 0 }, { mem + 2 * half, mem + 3 * half, 0 } };
	for (int y = 0; y < bin->h && n < cap; y++) {
		const uint8_t *row = bin->data + (size_t)y * bin->stride;
		/* Paper is skipped eight bytes at a time; within ink, every
		 * step-th column, starting at y % step.  The cap is checked at
		 * every point: the step comes from every 4th row, and thin rules
		 * between those rows make it too small for the page. */
		int x0 = 0, phase = y % step;
		for (; x0 + 8 <= bin->w && n < cap; x0 += 8) {
			uint64_t v;
			memcpy(&v, row + x0, 8);
			if (v == 0) continue;
			for (int x = x0; x < x0 + 8 && n < cap; x++)
				if (row[x] && x % step == phase) add_point(set, &n, x, y);
		}
		for (int x = x0; x < bin->w && n < cap; x++)
			if (row[x] && x % step == phase) add_point(set, &n, x, y);
	}
	if (n < 50) goto out;
	double off = bin->w + 4;
	int nb = (int)((bin->h + 2 * off) / 2.0) + 2;
	int *bins = malloc(sizeof(int) * 4 * (size_t)nb);
	if (!bins) goto out;
	double bs = -1, worst = 1e300;
	for (double d = -max_deg; d <= max_deg + 1e-9; d += 0.5) {
		double s = score(set, 1, d, bins, nb, off);
		if (s > bs) bs = s, best = d;
		if (s < worst) worst = s;
	}
	/* Unsure: the sharpest angle is barely better than the flattest. */
	if (bs < worst * 1.05) {
		best = 0;
	} else {
		double c = best;
		bs = -1;        /* scores of both sets from here on */
		for (double d = c - 0.5; d <= c + 0.5 + 1e-9; d += 0.1) {
			double s = score(set, 2, d, bins, nb, off);
			if (s > bs) bs = s, best = d;
		}
	}
	free(bins);
out:
	free(mem);
	return best;
}
