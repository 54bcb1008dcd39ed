/* clean.c: a scanned page -> a level binary image of its ink.
 *
 * Order matters: the ink channel is chosen on the full colour page; the page
 * is then shrunk to the working size (area averaging also averages noise),
 * the paper level is divided out so uneven light and tinted backgrounds
 * become white, the result is binarised, deskewed (the gray image is rotated
 * and binarised again, which keeps strokes smooth), and long ruling lines are
 * removed last, when they are level and a long thin kernel fits them.
 * Denoising is the shrink's averaging plus the speck filter of candidates.c:
 * a median filter here thins strokes and cost 5 points of recall on samples/. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/ops.h"
#include "segment/seg_internal.h"

#define MIN_WORK_H 20           /* typical mark height worth working at, pixels */
#define COARSE_H 24             /* tall marks at least this after a further halving: halve */
#define COARSE_MIN_PIXELS 1500000 /* ...on a page this large: on a smaller one the saving is small */

void seg_options_default(seg_options *o)
{
	memset(o, 0, sizeof *o);
	o->sauvola = false;
	o->deskew = true;
	o->remove_lines = true;
	o->max_angle = 10.0;
	o->work_side = 2000;
	o->coarsen = true;
}

void seg_clean_free(seg_clean_out *c)
{
	img_free(&c->bin);
	img_free(&c->lines);
	img_free(&c->solid);
	img_free(&c->gray);
}

/* Otsu on a flattened page, bounded: on a page that is nearly all paper,
 * Otsu may split paper texture; ink is always well below the paper level. */
static int binarize(const img_t *flat, const seg_options *o, img_t *bin, int *thr, img_err *err)
{
	if (o->sauvola) {
		*thr = -1;
		return img_threshold_sauvola(flat, 31, 0.2, bin, err);
	}
	if (img_threshold_otsu(flat, bin, thr, err) < 0) return -1;
	if (*thr <= 185 && *thr >= 60) return 0;
	img_free(bin);
	*thr = *thr > 185 ? 185 : 60;
	return img_threshold_below(flat, *thr, bin, err);
}

/* small = bin shrunk q times, 255 where at least half of a q x q block is
 * ink (blocks past the edge are cut short).  Rows of counts are summed
 * first, so the inner loops are plain vectorisable adds. */
static int mostly_ink(const img_t *bin, int q, img_t *small, img_err *err)
{
	int sw = bin->w / q > 0 ? bin->w / q : 1, sh = bin->h / q > 0 ? bin->h / q : 1;
	uint16_t *acc = calloc((size_t)bin->w, sizeof *acc);
	if (!acc || img_alloc_uninit(small, sw, sh, 1, err) < 0) {
		free(acc);
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return -1;
	}
	for (int by = 0; by < sh; by++) {
		int y0 = by * q, y1 = by == sh - 1 ? bin->h : y0 + q;
		memset(acc, 0, (size_t)bin->w * sizeof *acc);
		for (int y = y0; y < y1; y++) {
			const uint8_t *restrict b = bin->data + (size_t)y * bin->stride;
			uint16_t *restrict a = acc;
			for (int x = 0; x < bin->w; x++) a[x] += b[x] != 0;
		}
		uint8_t *o = small->data + (size_t)by * small->stride;
		for (int bx = 0; bx < sw; bx++) {
			int x0 = bx * q, x1 = bx == sw - 1 ? bin->w : x0 + q, n = 0;
			for (int x = x0; x < x1; x++) n += acc[x];
			o[bx] = 2 * n >= (x1 - x0) * (y1 - y0) ? 255 : 0;
		}
	}
	free(acc);
	return 0;
}

/* The quick look: the page's marks measured on its copy shrunk four
 * times (mean), divided by the paper level.  Large means the page halved
 * still holds them comfortably: its tall marks, the writing, COARSE_H
 * tall, and its typical mark (small print, or small writing such as
 * cents) MIN_WORK_H tall.  Then every stage after this one, which costs by
 * the pixel, can run on the page halved: a cheque in large writing
 * scanned at 300 dpi or more, or any page at 600 dpi; the page size alone
 * cannot tell.  Only a large page is looked at (COARSE_MIN_PIXELS): on a
 * small one the saving is a millisecond or two, and near a rule's
 * threshold (a number two thirds as tall as the page's writing is flagged
 * as written small) the coarser heights can tip the verdict.  The look is
 * checked once the page is cleaned (seg_clean starts again at full size
 * when it was wrong), so it only needs to be right for speed. */
static bool writing_is_large(const img_t *mean, const img_t *level, const seg_options *o, img_err *err, int *rc)
{
	img_t flat = { 0 }, bin = { 0 };
	int thr;
	double h0 = 0, tall = 0;
	*rc = img_apply_level(mean, level, &flat, err);
	if (*rc == 0) *rc = binarize(&flat, o, &bin, &thr, err);
	if (*rc == 0) h0 = seg_probe_height(&bin, 4, err, rc, &tall);
	img_free(&flat);
	img_free(&bin);
	return *rc == 0 && 4 * tall >= 2 * COARSE_H && 4 * h0 >= 2 * MIN_WORK_H;
}

int seg_clean(const img_t *page, const seg_options *o, seg_clean_out *c, img_err *err)
{
	seg_prof prof;
	seg_prof_start(&prof, "clean");
	img_t gray = { 0 }, work = { 0 }, flat = { 0 }, rot = { 0 };
	memset(c, 0, sizeof *c);
	c->page_w = page->w;
	c->page_h = page->h;
	/* A gray page is used as it is (no copy) when it needs no shrinking. */
	const img_t *g = page;
	c->ink_channel = -1;
	if (page->ch != 1) {
		if (img_ink_gray(page, &gray, &c->ink_channel, err) < 0) goto fail;
		g = &gray;
	}

	/* Working size: halve while the long side is over work_side (digits at
	 * 300 dpi stay ~30+ px tall at 150 dpi, plenty for a 20x20 box). */
	int side = page->w > page->h ? page->w : page->h, div = 1;
	while (o->work_side > 0 && side / div > o->work_side) div *= 2;
	c->scale = 1.0 / div;
	if (div > 1) {
		int ww = page->w / div, wh = page->h / div;
		if (ww < 1) ww = 1;
		if (wh < 1) wh = 1;
		if (img_resize(g, ww, wh, IMG_INTER_AREA, &work, err) < 0) goto fail;
		img_free(&gray);
	} else if (g == &gray) {
		work = gray;
		gray = (img_t){ 0 };
	} else if (img_clone(page, &work, err) < 0) {
		goto fail;
	}
	side = work.w > work.h ? work.w : work.h;
	seg_prof_step(&prof, "gray+size");

	/* The paper level, on a copy shrunk four times; that copy, divided by
	 * it, is also the quick look that tells whether the page can be
	 * worked at half this size. */
	img_t level = { 0 }, mean = { 0 };
	if (img_paper_level(&work, side / 50 + 4, 4, &level, &mean, err) < 0) goto fail;
	int rc = 0;
	bool coarse = false;
	if (o->coarsen && (long)work.w * work.h >= COARSE_MIN_PIXELS) {
		coarse = writing_is_large(&mean, &level, o, err, &rc);
		if (rc == 0 && coarse) {
			img_t half = { 0 };
			rc = img_resize(&work, work.w / 2, work.h / 2, IMG_INTER_AREA, &half, err);
			img_free(&work);
			work = half;
			c->scale /= 2;
		}
	}
	img_free(&mean);
	if (rc == 0) rc = img_apply_level(&work, &level, &flat, err);
	img_free(&level);
	if (rc < 0) goto fail;
	seg_prof_step(&prof, coarse ? "flatten/2" : "flatten");
	if (binarize(&flat, o, &c->bin, &c->threshold, err) < 0) goto fail;
	seg_prof_step(&prof, "binarize");

	if (o->deskew && work.w >= 64 && work.h >= 64) {
		double a = seg_skew_angle(&c->bin, o->max_angle);
		if (fabs(a) >= 0.3) {
			if (img_rotate(&flat, a, 255, IMG_INTER_LINEAR, &rot, err) < 0) goto fail;
			img_free(&c->bin);
			if (c->threshold >= 0) {
				if (img_threshold_below(&rot, c->threshold + 1, &c->bin, err) < 0) goto fail;
			} else if (binarize(&rot, o, &c->bin, &c->threshold, err) < 0) {
				goto fail;
			}
			c->angle = a;
		}
	}

	seg_prof_step(&prof, "deskew");
	double tall = 0;
	c->h0 = seg_typical_height(&c->bin, err, &rc, &tall);
	if (rc < 0) goto fail;
	seg_prof_step(&prof, "height");
	if (prof.stage) fprintf(stderr, "clean h0 %.0f tall %.0f angle %.2f\n", c->h0, tall, c->angle);
	seg_options o2 = *o;
	if (coarse && (tall < COARSE_H || c->h0 < MIN_WORK_H)) {
		/* Halved on the quick look, but the marks measured properly
		 * are not that large after all: again at full size. */
		o2.coarsen = false;
		goto restart;
	}
	if (!coarse && div > 1 && tall > 0 && tall < MIN_WORK_H) {
		/* Shrunk so far that the tall marks (the writing, on a form)
		 * are under MIN_WORK_H pixels (a 200 dpi page halved: digits 15
		 * px tall), strokes and the gaps between them blur together:
		 * start again at twice the size. */
		int pside = page->w > page->h ? page->w : page->h;
		o2.work_side = pside * 2 / div;  /* one halving fewer */
		goto restart;
	}
	if (o->remove_lines) {
		double h0 = c->h0 > 0 ? c->h0 : 20;
		int minlen = (int)(4 * h0);
		if (minlen < 40) minlen = 40;
		int repair = (int)(h0 / 3);
		if (repair < 5) repair = 5;
		if (seg_remove_lines(&c->bin, minlen, repair, &c->lines, err) < 0) goto fail;
	}
	seg_prof_step(&prof, "lines");
	/* Solid ink: what survives an opening wider than any pen stroke (a
	 * banner printed white on dark, a filled box).  Marks inside it are the
	 * gaps between reversed letters, not writing. */
	{
		/* Solid areas are large: found on a quarter-size copy. */
		int k = (int)(1.5 * (c->h0 > 0 ? c->h0 : 20));
		if (k < 15) k = 15;
		int q = SEG_SOLID_DIV, kq = (k + q - 1) / q;
		img_t small = { 0 }, op = { 0 };
		if (mostly_ink(&c->bin, q, &small, err) < 0) goto fail;
		int mrc = img_morph(&small, IMG_MORPH_OPEN, kq, kq, false, &op, err);
		if (mrc == 0) mrc = img_morph(&op, IMG_MORPH_DILATE, kq, kq, false, &c->solid, err);
		img_free(&op);
		img_free(&small);
		if (mrc < 0) goto fail;
	}
	seg_prof_step(&prof, "solid");
	/* The grey page bin was cut from, kept for normalisation. */
	if (rot.data) {
		c->gray = rot;
		img_free(&flat);
	} else {
		c->gray = flat;
	}
	img_free(&work);
	return 0;
restart:
	img_free(&rot);
	img_free(&flat);
	img_free(&work);
	seg_clean_free(c);
	return seg_clean(page, &o2, c, err);
fail:
	img_free(&rot);
	img_free(&flat);
	img_free(&work);
	img_free(&gray);
	seg_clean_free(c);
	return -1;
}

void seg_box_to_page(const seg_clean_out *c, int x, int y, int w, int h, int *px, int *py, int *pw, int *ph)
{
	double cx = (c->bin.w - 1) / 2.0, cy = (c->bin.h - 1) / 2.0;
	double a = c->angle * M_PI / 180.0, ca = cos(a), sa = sin(a);
	double xs[4] = { x, x + w, x, x + w }, ys[4] = { y, y, y + h, y + h };
	double x0 = 1e18, y0 = 1e18, x1 = -1e18, y1 = -1e18;
	for (int i = 0; i < 4; i++) {
		/* Inverse of OpenCV's rotation matrix for +angle about the centre. */
		double dx = xs[i] - cx, dy = ys[i] - cy;
		double sx = ca * dx - sa * dy + cx, sy = sa * dx + ca * dy + cy;
		if (sx < x0) x0 = sx;
		if (sx > x1) x1 = sx;
		if (sy < y0) y0 = sy;
		if (sy > y1) y1 = sy;
	}
	/* A rotated box's bounding box is larger than the digit: shrink it back
	 * by the share the rotation added, so boxes stay tight. */
	double grow_w = (x1 - x0) - w, grow_h = (y1 - y0) - h;
	x0 += grow_w / 2 * 0.5, x1 -= grow_w / 2 * 0.5;
	y0 += grow_h / 2 * 0.5, y1 -= grow_h / 2 * 0.5;
	double k = 1.0 / c->scale;
	int X0 = (int)floor(x0 * k), Y0 = (int)floor(y0 * k), X1 = (int)ceil(x1 * k), Y1 = (int)ceil(y1 * k);
	if (X0 < 0) X0 = 0;
	if (Y0 < 0) Y0 = 0;
	if (X1 > c->page_w) X1 = c->page_w;
	if (Y1 > c->page_h) Y1 = c->page_h;
	if (X1 <= X0) X1 = X0 + 1 <= c->page_w ? X0 + 1 : X0, X0 = X1 - 1;
	if (Y1 <= Y0) Y1 = Y0 + 1 <= c->page_h ? Y0 + 1 : Y0, Y0 = Y1 - 1;
	*px = X0;
	*py = Y0;
	*pw = X1 - X0;
	*ph = Y1 - Y0;
}
