/* normalize.c: one candidate's ink -> a 28x28 input the way MNIST was made.
 *
 * MNIST digits were fitted into 20x20 preserving aspect ratio, anti-aliased
 * by the resampling, and placed in 28x28 so their centre of mass sits at the
 * centre.  Their strokes are thick (about 2.5 px at that size); a thin pen
 * scanned at high resolution would come out as hairlines the model has never
 * seen, so a stroke estimated thinner than that is dilated first.
 *
 * MNIST kept the pen's grey edges; a binary cut at the page's threshold
 * does not: a blurred stroke cut near the paper level comes out fat, and
 * small loops (a 4's, a 9's) fill in.  So the input is taken from the grey
 * page under the candidate's mask (grown by a pixel for the rim), scaled so
 * that the stroke's core is full ink and the paper none.  Hairlines still
 * go the binary way, to be thickened. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/ops.h"
#include "segment/seg_internal.h"

#define FIT 20
#define TARGET_STROKE 2.4       /* pixels, at the 20x20 scale */

/* Mean stroke width: area over half the boundary length.  A boundary
 * pixel is ink with paper (or the box's edge) beside it; the rest of the
 * ink is interior, counted row by row in loops that vectorise. */
double seg_stroke_width(const uint8_t *m, int w, int h)
{
	long area = 0, interior = 0;
	for (int y = 0; y < h; y++) {
		const uint8_t *r = m + (size_t)y * w;
		for (int x = 0; x < w; x++) area += r[x] != 0;
		if (y == 0 || y == h - 1) continue;
		const uint8_t *up = r - w, *dn = r + w;
		for (int x = 1; x < w - 1; x++)
			interior += (r[x] != 0) & (r[x - 1] != 0) & (r[x + 1] != 0) & (up[x] != 0) & (dn[x] != 0);
	}
	long edge = area - interior;
	return edge ? 2.0 * (double)area / (double)edge : 1.0;
}

/* src (ink high, any grey) fitted into 20x20 keeping its aspect, then
 * placed in 28x28 with its centre of mass at the centre. */
static int fit_centre(const img_t *src, uint8_t out[SEG_PIXELS], img_err *err)
{
	img_t fit = { 0 };
	int W = src->w, H = src->h;
	int side = W > H ? W : H;
	double s = (double)FIT / side;
	int nw = (int)(W * s + 0.5), nh = (int)(H * s + 0.5);
	if (nw < 1) nw = 1;
	if (nh < 1) nh = 1;
	if (nw > FIT) nw = FIT;
	if (nh > FIT) nh = FIT;
	if (img_resize(src, nw, nh, IMG_INTER_AREA, &fit, err) < 0) return -1;
	double sum = 0, sx = 0, sy = 0;
	for (int y = 0; y < nh; y++)
		for (int x = 0; x < nw; x++) {
			double v = fit.data[(size_t)y * fit.stride + x];
			sum += v, sx += v * (x + 0.5), sy += v * (y + 0.5);
		}
	int ox = (SEG_SIDE - nw) / 2, oy = (SEG_SIDE - nh) / 2;
	if (sum > 0) {
		ox = (int)lround(SEG_SIDE / 2.0 - sx / sum);
		oy = (int)lround(SEG_SIDE / 2.0 - sy / sum);
	}
	if (ox < 0) ox = 0;
	if (oy < 0) oy = 0;
	if (ox > SEG_SIDE - nw) ox = SEG_SIDE - nw;
	if (oy > SEG_SIDE - nh) oy = SEG_SIDE - nh;
	for (int y = 0; y < nh; y++)
		memcpy(out + (size_t)(y + oy) * SEG_SIDE + ox, fit.data + (size_t)y * fit.stride, (size_t)nw);
	img_free(&fit);
	return 0;
}

/* Dilation radius that brings a w x h candidate's stroke of width sw up
 * to MNIST's (0: none). */
static int thin_radius(double sw, int w, int h)
{
	int side = w > h ? w : h;
	double s = (double)FIT / side;
	if (sw * s >= TARGET_STROKE * 0.8) return 0;
	int r = (int)((TARGET_STROKE / s - sw) / 2 + 0.5);
	if (r > side / 10) r = side / 10;
	return r < 0 ? 0 : r;
}

/* seg_normalize with the stroke width already measured. */
static int normalize_binary(const uint8_t *mask, int w, int h, double stroke, uint8_t out[SEG_PIXELS], img_err *err)
{
	img_t src = { 0 };
	memset(out, 0, SEG_PIXELS);
	if (w <= 0 || h <= 0) return 0;
	int r = thin_radius(stroke, w, h);
	int W = w + 2 * r, H = h + 2 * r;
	if (img_alloc(&src, W, H, 1, err) < 0) return -1;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			if (mask[(size_t)y * w + x]) {
				if (r == 0) {
					src.data[(size_t)y * src.stride + x] = 255;
					continue;
				}
				/* Dilate by a disc of radius r. */
				for (int dy = -r; dy <= r; dy++)
					for (int dx = -r; dx <= r; dx++)
						if (dx * dx + dy * dy <= r * r + r)
							src.data[(size_t)(y + r + dy) * src.stride + x + r + dx] = 255;
			}
	int rc = fit_centre(&src, out, err);
	img_free(&src);
	return rc;
}

int seg_normalize(const uint8_t *mask, int w, int h, uint8_t out[SEG_PIXELS], img_err *err)
{
	return normalize_binary(mask, w, h, w > 0 && h > 0 ? seg_stroke_width(mask, w, h) : 0, out, err);
}

int seg_normalize_gray(const uint8_t *mask, int w, int h, double stroke, const img_t *gray, int x0, int y0,
		       uint8_t out[SEG_PIXELS], img_err *err)
{
	memset(out, 0, SEG_PIXELS);
	if (w <= 0 || h <= 0) return 0;
	/* A hairline is thickened on the binary mask; off the page, likewise. */
	if (!gray || !gray->data || gray->ch != 1 || x0 < 0 || y0 < 0 || x0 + w > gray->w || y0 + h > gray->h ||
	    thin_radius(stroke, w, h) > 0)
		return normalize_binary(mask, w, h, stroke, out, err);
	/* Ink level: a low quantile of the grey under the mask (the stroke's
	 * core); paper: the flattened page's white. */
	int hist[256] = { 0 }, n = 0;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			if (mask[(size_t)y * w + x]) hist[gray->data[(size_t)(y0 + y) * gray->stride + x0 + x]]++, n++;
	int ink = 0;
	for (int c = 0; ink < 255; ink++) {
		c += hist[ink];
		if (c * 4 >= n) break;
	}
	int paper = 255;        /* seg_clean flattened the paper to white */
	if (n == 0 || paper - ink < 40) return normalize_binary(mask, w, h, stroke, out, err);
	img_t src = { 0 };
	uint8_t *grown = malloc((size_t)w * h), *wide = malloc((size_t)w * h);
	if (!grown || !wide || img_alloc(&src, w, h, 1, err) < 0) {
		free(grown);
		free(wide);
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return -1;
	}
	/* The mask grown by a pixel (3x3, in two 1-D passes): the
	 * anti-aliased rim around the cut. */
	for (int y = 0; y < h; y++) {
		const uint8_t *m = mask + (size_t)y * w;
		uint8_t *o = wide + (size_t)y * w;
		for (int x = 0; x < w; x++) o[x] = m[x] | (x > 0 ? m[x - 1] : 0) | (x + 1 < w ? m[x + 1] : 0);
	}
	for (int y = 0; y < h; y++) {
		const uint8_t *a = wide + (size_t)(y > 0 ? y - 1 : y) * w, *b = wide + (size_t)y * w,
			      *c = wide + (size_t)(y + 1 < h ? y + 1 : y) * w;
		uint8_t *o = grown + (size_t)y * w;
		for (int x = 0; x < w; x++) o[x] = a[x] | b[x] | c[x];
	}
	const int span = paper - ink;
	for (int y = 0; y < h; y++) {
		const uint8_t *g = gray->data + (size_t)(y0 + y) * gray->stride + x0, *m = grown + (size_t)y * w;
		uint8_t *o = src.data + (size_t)y * src.stride;
		for (int x = 0; x < w; x++) {
			if (!m[x]) continue;
			int a = (paper - g[x]) * 255 / span;
			o[x] = (uint8_t)(a < 0 ? 0 : a > 255 ? 255 : a);
		}
	}
	free(grown);
	free(wide);
	int rc = fit_centre(&src, out, err);
	img_free(&src);
	return rc;
}
