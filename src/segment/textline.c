/* textline.c: typographic measurements of a field, to tell printed lines
 * (labels, printed numbers, headings) from handwriting.
 *
 * Print is regular where handwriting is not: its characters stand on one
 * baseline to the pixel, digits and capitals share one height, and the
 * stroke width hardly varies from glyph to glyph.  These are measured
 * relative to the field's own median height, so they hold at any size. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "segment/segment.h"

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median absolute deviation from the median. */
static double mad(const double *v, int n, double *tmp)
{
	memcpy(tmp, v, sizeof *v * (size_t)n);
	double m = median(tmp, n);
	for (int i = 0; i < n; i++) tmp[i] = fabs(v[i] - m);
	return median(tmp, n);
}

void seg_field_measure(const seg_page *p, size_t f, seg_field_stats *st)
{
	memset(st, 0, sizeof *st);
	const seg_field *fd = &p->fields[f];
	int n = fd->n > 64 ? 64 : fd->n;
	st->n = fd->n;
	if (n < 2) return;
	double bot[64], top[64], h[64], gap[64], tmp[64];
	int ng = 0;
	for (int i = 0; i < n; i++) {
		const seg_digit *d = &p->digits[fd->first + i];
		bot[i] = d->wy + d->wh;
		top[i] = d->wy;
		h[i] = d->wh;
		if (i > 0) {
			const seg_digit *e = &p->digits[fd->first + i - 1];
			gap[ng++] = d->wx - (e->wx + e->ww);
		}
	}
	memcpy(tmp, h, sizeof *h * (size_t)n);
	double mh = median(tmp, n);
	if (mh < 1) mh = 1;
	st->median_h = mh;
	st->bottom_mad = mad(bot, n, tmp) / mh;
	st->top_mad = mad(top, n, tmp) / mh;
	st->height_mad = mad(h, n, tmp) / mh;
	if (ng > 0) {
		memcpy(tmp, gap, sizeof *gap * (size_t)ng);
		st->gap_median = median(tmp, ng) / mh;
	}
}
