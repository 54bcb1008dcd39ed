/* beside.c: ink beside a candidate that no candidate explains.
 *
 * A digit that never became a candidate leaves its field short, and the
 * field then reads as a shorter number that nothing flags: on make
 * eval-heldout, 105 of the 123 wrong fields accepted without a flag had
 * lost a digit that was never a candidate (written fainter than the
 * page's threshold, in pencil, under the smallest digit's height, or
 * over a comb cell's side).  The ink is still on the page.  For every
 * candidate, the columns beside it (one digit height to the left and to
 * the right, over the middle of its height) are searched for ink at a
 * lighter level than the binarisation's, outside every candidate's box
 * and outside the ruling that was removed; the share of such columns is
 * what recognize weighs to flag the field (REC_FLAG_GAP).
 *
 * Separators (a decimal point, a date's slash, a comb's tick) are not
 * counted as explained: a lost 1 is often taken for a slash, a small 0
 * for a point.  Explaining them cost trust for no read rate: on the
 * training-digit page set accepted-wrong rose from 10.8 to 17.1 % (11.6 %
 * for points alone) while the read rate moved by 0.4 points. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segment/seg_internal.h"

/* Halfway from the binarisation threshold to white paper: faint ink, a
 * pencil's grain, a thin stroke blurred by the scan.  The flattened page's
 * paper sits near 255 with noise of a few levels (make eval-heldout's
 * noisiest pages: sigma 10), well clear of the level. */
#define FAINT_SHARE 0.5
/* A column counts when this many of its pixels in the band are faint ink
 * (one pixel alone is noise or JPEG ringing). */
#define FAINT_PIXELS 2
/* The band: the middle of the candidate's height (rules above and below a
 * field, and descenders of the line above, stay out). */
#define BAND_TOP 0.15
#define BAND_BOTTOM 0.85
/* A box's own blurred edge is not ink beside it: every box is grown by
 * this share of its height (at least EDGE_MIN_PX) before it covers. */
#define EDGE_SHARE 0.1
#define EDGE_MIN_PX 2

static int edge(const seg_cand *c)
{
	int m = (int)(EDGE_SHARE * c->h);
	return m > EDGE_MIN_PX ? m : EDGE_MIN_PX;
}

/* Share of the columns of [x0, x1) with FAINT_PIXELS faint pixels between
 * rows y0 and y1 that no candidate's grown box covers and no removed rule
 * holds.  The window is a digit's size, so the boxes over it are marked in
 * a window-sized mask (*buf, grown as needed) rather than a page-sized one:
 * a page-sized mask cost 2-5 ms a page on A4 forms. */
static int faint_columns(const img_t *gray, const img_t *lines, const seg_cand *c, size_t n, int level, int x0,
			 int x1, int y0, int y1, uint8_t **buf, size_t *cap, float *out)
{
	*out = 0;
	if (x0 < 0) x0 = 0;
	if (x1 > gray->w) x1 = gray->w;
	if (y0 < 0) y0 = 0;
	if (y1 > gray->h) y1 = gray->h;
	if (x1 <= x0 || y1 <= y0) return 0;
	int ww = x1 - x0, wh = y1 - y0;
	size_t need = (size_t)ww * wh;
	if (need > *cap) {
		uint8_t *nb = realloc(*buf, need);
		if (!nb) return -1;
		*buf = nb;
		*cap = need;
	}
	uint8_t *covered = *buf;
	memset(covered, 0, need);
	for (size_t i = 0; i < n; i++) {
		int m = edge(&c[i]);
		int bx0 = c[i].x - m, by0 = c[i].y - m, bx1 = c[i].x + c[i].w + m, by1 = c[i].y + c[i].h + m;
		if (bx0 < x0) bx0 = x0;
		if (by0 < y0) by0 = y0;
		if (bx1 > x1) bx1 = x1;
		if (by1 > y1) by1 = y1;
		for (int y = by0; y < by1 && bx1 > bx0; y++) memset(covered + (size_t)(y - y0) * ww + (bx0 - x0), 1, (size_t)(bx1 - bx0));
	}
	int cols = 0;
	for (int x = x0; x < x1; x++) {
		int k = 0;
		for (int y = y0; y < y1 && k < FAINT_PIXELS; y++) {
			if (covered[(size_t)(y - y0) * ww + (x - x0)] || gray->data[(size_t)y * gray->stride + x] >= level) continue;
			if (lines->data && lines->data[(size_t)y * lines->stride + x]) continue;
			k++;
		}
		cols += k >= FAINT_PIXELS;
	}
	*out = (float)cols / (float)ww;
	return 0;
}

int seg_ink_beside(const seg_clean_out *cl, const seg_cand *c, size_t n, seg_digit *d, img_err *err)
{
	const img_t *g = &cl->gray;
	if (!g->data || n == 0) return 0;
	uint8_t *buf = NULL;
	size_t cap = 0;
	int thr = cl->threshold >= 0 ? cl->threshold : 128;
	int level = thr + (int)(FAINT_SHARE * (255 - thr));
	for (size_t i = 0; i < n; i++) {
		const seg_cand *a = &c[i];
		int y0 = a->y + (int)(BAND_TOP * a->h), y1 = a->y + (int)(BAND_BOTTOM * a->h) + 1;
		if (faint_columns(g, &cl->lines, c, n, level, a->x - a->h, a->x, y0, y1, &buf, &cap, &d[i].ink_left) < 0 ||
		    faint_columns(g, &cl->lines, c, n, level, a->x + a->w, a->x + a->w + a->h, y0, y1, &buf, &cap,
				  &d[i].ink_right) < 0) {
			free(buf);
			snprintf(err->msg, sizeof err->msg, "segmentation: out of memory");
			return -1;
		}
	}
	free(buf);
	return 0;
}
