/* deskew.c: the page's skew from its ink, by projection profiles.
 *
 * Rows of text, digits and ruling lines make the horizontal projection of
 * the ink peaky when they are level.  For each trial angle the ink points
 * (sampled on a grid) are projected onto the rotated vertical axis and the
 * sum of squared bin counts scores the sharpness; a coarse sweep is refined
 * around its best.  A flat score curve (blank page, noise) means "unsure"
 * and gives 0, so an empty page is never rotated. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "segment/seg_internal.h"

/* Ink points projected per trial angle: enough for a sharp profile on a
 * full page; their count is the cost (52 trial angles). */
#define CAP 30000

typedef struct {
	float x, y;
} pt;

static double score(const pt *p, size_t n, double deg, int *bins, int nb, double off)
{
	double a = deg * M_PI / 180.0;
	/* Single precision: a bin is 2 px, and the page is under 2^24 px. */
	const float ca = (float)(cos(a) / 2), sa = (float)(sin(a) / 2), o = (float)(off / 2);
	memset(bins, 0, sizeof(int) * (size_t)nb);
	for (size_t i = 0; i < n; i++) {
		int b = (int)(p[i].y * ca - p[i].x * sa + o);
		if (b >= 0 && b < nb) bins[b]++;
	}
	double s = 0;
	for (int i = 0; i < nb; i++) s += (double)bins[i] * bins[i];
	return s;
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
	pt *p = malloc(cap * sizeof *p);
	if (!p) return 0;
	for (int y = 0; y < bin->h && n < cap; y++) {
		const uint8_t *row = bin->data + (size_t)y * bin->stride;
		for (int x = y % step; x < bin->w && n < cap; x += step)
			if (row[x]) p[n++] = (pt){ (float)x, (float)y };
	}
	double best = 0;
	if (n < 50) goto out;
	double off = bin->w + 4;
	int nb = (int)((bin->h + 2 * off) / 2.0) + 2;
	int *bins = malloc(sizeof(int) * (size_t)nb);
	if (!bins) goto out;
	double bs = -1, worst = 1e300;
	for (double d = -max_deg; d <= max_deg + 1e-9; d += 0.5) {
		double s = score(p, n, d, bins, nb, off);
		if (s > bs) bs = s, best = d;
		if (s < worst) worst = s;
	}
	/* Unsure: the sharpest angle is barely better than the flattest. */
	if (bs < worst * 1.05) {
		best = 0;
	} else {
		double c = best;
		for (double d = c - 0.5; d <= c + 0.5 + 1e-9; d += 0.1) {
			double s = score(p, n, d, bins, nb, off);
			if (s > bs) bs = s, best = d;
		}
	}
	free(bins);
out:
	free(p);
	return best;
}
