/* lines.c: ruling lines and comb boxes out, digit strokes kept.
 *
 * A line is what survives a morphological opening with a long thin kernel
 * (minlen x 1 for horizontal, 1 x minlen for vertical): no digit stroke is
 * that long and straight, because minlen is several digit heights.  On a
 * binary image that opening is exactly "the runs of ink at least minlen
 * long", which long_runs finds in one pass instead of minlen per pixel.  Removing
 * the line cuts every stroke that crosses it; the cut is repaired by a
 * closing across the line's direction restricted to the removed pixels, so a
 * gap is bridged only where ink continues on both sides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/ops.h"
#include "segment/seg_internal.h"
#include "util/order.h"

/* Component heights of bin, measured on a copy shrunk k times (heights
 * are only needed roughly; k = 2 is a quarter of the labelling work) and
 * scaled back; components under 8/q pixels tall, specks, are left out (q:
 * how many times bin is smaller than the page the 8 is meant for). */
static double heights(const img_t *bin, int k2, int q, img_err *err, int *rc, double *tall)
{
	int32_t *labels = NULL;
	img_comp *cc = NULL;
	int n = 0;
	*rc = 0;
	img_t half = { 0 };
	if (k2 == 2 && img_resize(bin, bin->w / 2, bin->h / 2, IMG_INTER_NEAREST, &half, err) < 0) {
		*rc = -1;
		return 0;
	}
	int cr = img_components(k2 == 2 ? &half : bin, &labels, &cc, &n, err);
	img_free(&half);
	if (cr < 0) {
		*rc = -1;
		return 0;
	}
	free(labels);
	int *hs = malloc(sizeof(int) * (size_t)(n > 0 ? n : 1)), k = 0;
	double h = 0;
	if (!hs) {
		*rc = -1;
		snprintf(err->msg, sizeof err->msg, "out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		int ch = cc[i].h * k2, cw = cc[i].w * k2;
		if (ch * q >= 8 && cc[i].area * k2 * k2 * q * q >= 16 && ch <= bin->h / 4 && cw <= bin->w / 4 && cw <= 3 * ch)
			hs[k++] = ch;
	}
	if (tall) *tall = 0;
	if (k > 0) {
		qsort(hs, (size_t)k, sizeof(int), order_int);
		h = hs[k * 6 / 10];
		if (tall) *tall = hs[k * 9 / 10];
	}
out:
	free(hs);
	free(cc);
	return h;
}

double seg_typical_height(const img_t *bin, img_err *err, int *rc, double *tall)
{
	return heights(bin, bin->w >= 400 && bin->h >= 400 ? 2 : 1, 1, err, rc, tall);
}

double seg_probe_height(const img_t *bin, int q, img_err *err, int *rc, double *tall)
{
	return heights(bin, 1, q, err, rc, tall);
}

/* Mark [x0, x1) of row y and its neighbours above and below in out. */
static void mark_h(img_t *out, int y, int x0, int x1)
{
	for (int yy = y - 1; yy <= y + 1; yy++)
		if (yy >= 0 && yy < out->h) memset(out->data + (size_t)yy * out->stride + x0, 255, (size_t)(x1 - x0));
}

/* Mark rows [y0, y1) of column x and the columns beside it in out. */
static void mark_v(img_t *out, int x, int y0, int y1)
{
	int xa = x > 0 ? x - 1 : x, xb = x + 1 < out->w ? x + 1 : x;
	for (int k = y0; k < y1; k++) memset(out->data + (size_t)k * out->stride + xa, 255, (size_t)(xb - xa + 1));
}

/* out (zeroed, same size) = 255 on every horizontal (or vertical) run of
 * ink at least minlen pixels long, fattened by one pixel across the run
 * (anti-aliased line edges): the same as a 1x3 (3x1) dilation of the runs,
 * without a pass over the whole image for it.  Paper is most of a page, so
 * rows are scanned with memchr and columns with branch-free counters. */
static void long_runs(const img_t *bin, bool horiz, int minlen, img_t *out)
{
	if (horiz) {
		for (int y = 0; y < bin->h; y++) {
			const uint8_t *b = bin->data + (size_t)y * bin->stride, *end = b + bin->w, *p = b;
			while ((p = memchr(p, 255, (size_t)(end - p)))) {
				const uint8_t *q = memchr(p, 0, (size_t)(end - p));
				if (!q) q = end;
				if (q - p >= minlen) mark_h(out, y, (int)(p - b), (int)(q - b));
				p = q;
			}
		}
		return;
	}
	/* Vertical: a run length per column (saturating), rows in memory order;
	 * the rare row where a long run ends is then walked column by column. */
	uint16_t *run = calloc((size_t)bin->w, sizeof *run);
	if (!run) return;       /* no lines found is a safe answer */
	uint16_t lim = (uint16_t)(minlen < 65535 ? minlen : 65535);
	for (int y = 0; y <= bin->h; y++) {
		const uint8_t *restrict b = y < bin->h ? bin->data + (size_t)y * bin->stride : NULL;
		uint16_t *restrict r = run;
		int ended = 0;
		if (b)
			for (int x = 0; x < bin->w; x++) ended |= !b[x] & (r[x] >= lim);
		else
			ended = 1;
		if (ended)
			for (int x = 0; x < bin->w; x++)
				if ((!b || !b[x]) && r[x] >= lim) mark_v(out, x, y - r[x], y);
		if (b)
			for (int x = 0; x < bin->w; x++) r[x] = b[x] ? (uint16_t)(r[x] + (r[x] < 65535)) : 0;
	}
	free(run);
}

/* Nearest ink from (x, y) stepping (dx, dy), up to r steps; r + 1 if none. */
static int ink_dist(const img_t *bin, int x, int y, int dx, int dy, int r)
{
	for (int k = 1; k <= r; k++) {
		int xx = x + dx * k, yy = y + dy * k;
		if (xx < 0 || yy < 0 || xx >= bin->w || yy >= bin->h) break;
		if (bin->data[(size_t)yy * bin->stride + xx]) return k;
	}
	return r + 1;
}

/* ink_dist before (a) and after (b) every column of row y at once, across
 * lines running horiz(ontally) or not: for a row with many removed pixels
 * (a dark margin on a photo is "line" everywhere), whole-row passes that
 * vectorise instead of 2r scattered reads per pixel.  Same answers. */
static void row_dists(const img_t *bin, int y, bool horiz, int r, int *restrict a, int *restrict b)
{
	int w = bin->w;
	for (int x = 0; x < w; x++) a[x] = b[x] = r + 1;
	if (horiz) {
		/* nearest first: the smallest k is written last */
		for (int k = r; k >= 1; k--) {
			if (y - k >= 0) {
				const uint8_t *restrict up = bin->data + (size_t)(y - k) * bin->stride;
				for (int x = 0; x < w; x++) a[x] = up[x] ? k : a[x];
			}
			if (y + k < bin->h) {
				const uint8_t *restrict dn = bin->data + (size_t)(y + k) * bin->stride;
				for (int x = 0; x < w; x++) b[x] = dn[x] ? k : b[x];
			}
		}
		return;
	}
	const uint8_t *row = bin->data + (size_t)y * bin->stride;
	for (int x = 0, last = -1; x < w; x++) {
		if (last >= 0 && x - last <= r) a[x] = x - last;
		if (row[x]) last = x;
	}
	for (int x = w - 1, next = -1; x >= 0; x--) {
		if (next >= 0 && next - x <= r) b[x] = next - x;
		if (row[x]) next = x;
	}
}

/* One direction: long runs are the lines; they are subtracted from bin,
 * then each removed pixel with ink on both sides across the line, within
 * `repair` pixels in all, is put back (a closing across the line restricted
 * to the line, computed only where there is a line). */
static int remove_dir(img_t *bin, bool horiz, int minlen, int repair, img_t *mask, img_err *err)
{
	img_t lines = { 0 };
	if (img_alloc(&lines, bin->w, bin->h, 1, err) < 0) goto fail;
	long_runs(bin, horiz, minlen, &lines);
	/* Subtract, keeping in `lines` only what was ink. */
	uint8_t any = 0;
	int w = bin->w;         /* a local: stores through uint8_t pointers could alias bin->w */
	for (int y = 0; y < bin->h; y++) {
		uint8_t *restrict b = bin->data + (size_t)y * bin->stride;
		uint8_t *restrict l = lines.data + (size_t)y * lines.stride;
		if (!memchr(l, 255, (size_t)w)) continue;
		for (int x = 0; x < w; x++) {
			uint8_t on = b[x] & l[x];
			b[x] &= (uint8_t)~l[x];
			l[x] = on;
			any |= on;
		}
	}
	if (any == 0) goto done;
	/* Decide every removed pixel on the subtracted image, then apply. */
	int dx = horiz ? 0 : 1, dy = horiz ? 1 : 0;
	int *da = malloc(2 * sizeof(int) * (size_t)bin->w), *db = da ? da + bin->w : NULL;
	if (!da) {
		snprintf(err->msg, sizeof err->msg, "out of memory");
		goto fail;
	}
	for (int y = 0; y < bin->h; y++) {
		uint8_t *restrict l = lines.data + (size_t)y * lines.stride;
		int removed = 0;
		for (int x = 0; x < bin->w; x++) removed += l[x] == 255;
		if (removed == 0) continue;
		if ((long)removed * repair > bin->w) {
			row_dists(bin, y, horiz, repair, da, db);
			for (int x = 0; x < bin->w; x++)
				if (l[x] == 255 && da[x] + db[x] <= repair + 1) l[x] = 1;
			continue;
		}
		const uint8_t *end = l + bin->w;
		for (uint8_t *p = l; (p = memchr(p, 255, (size_t)(end - p))); p++) {
			int x = (int)(p - l);
			int a = ink_dist(bin, x, y, -dx, -dy, repair), b = ink_dist(bin, x, y, dx, dy, repair);
			if (a + b <= repair + 1) *p = 1;        /* a stroke crossing the line */
		}
	}
	free(da);
	for (int y = 0; y < bin->h; y++) {
		const uint8_t *restrict l = lines.data + (size_t)y * lines.stride;
		if (!memchr(l, 255, (size_t)bin->w) && !memchr(l, 1, (size_t)bin->w)) continue;
		uint8_t *restrict b = bin->data + (size_t)y * bin->stride;
		uint8_t *restrict m = mask->data + (size_t)y * mask->stride;
		uint8_t bits = horiz ? SEG_LINE_H : SEG_LINE_V;
		/* l: 1 put back, 255 removed as a line, 0 untouched. */
		for (int x = 0; x < w; x++) {
			b[x] |= l[x] == 1 ? 255 : 0;
			m[x] |= l[x] == 255 ? bits : 0;
		}
	}
done:
	img_free(&lines);
	return 0;
fail:
	img_free(&lines);
	return -1;
}

static bool h_line_near(const img_t *mask, int x, int y)
{
	for (int yy = y - 3; yy <= y + 3; yy++)
		for (int xx = x - 1; xx <= x + 1; xx++)
			if (xx >= 0 && yy >= 0 && xx < mask->w && yy < mask->h &&
			    mask->data[(size_t)yy * mask->stride + xx] & SEG_LINE_H)
				return true;
	return false;
}

/* A vertical run of ink ended above row y in column x, from row y0: take
 * it out when it is a comb divider (see remove_dividers). */
static void divider_at(img_t *bin, img_t *mask, int x, int y0, int y)
{
	if (!h_line_near(mask, x, y0) || !h_line_near(mask, x, y - 1)) return;
	/* Printed sides are hairlines nearly all along (a digit touching the
	 * side widens it where they meet); a pen stroke that happens to span
	 * the cell is wider in many places. */
	int thin = 0;
	for (int q = 1; q <= 8; q++) {
		int yy = y0 + (y - y0) * q / 9, w = 0;
		const uint8_t *r = bin->data + (size_t)yy * bin->stride;
		for (int xx = x; xx >= 0 && r[xx]; xx--) w++;
		for (int xx = x + 1; xx < bin->w && r[xx]; xx++) w++;
		thin += w <= 5;
	}
	if (thin < 6) return;
	for (int k = y0; k < y; k++) {
		bin->data[(size_t)k * bin->stride + x] = 0;
		mask->data[(size_t)k * mask->stride + x] |= SEG_LINE_V;
	}
}

/* Comb dividers: vertical strokes too short for the long-line test that run
 * from a removed horizontal rule to another (the sides of a closed comb's
 * cells).  A digit touching its cell's side would otherwise carry the side
 * with it.  A written stroke that spans a whole cell from rule to rule is
 * rare enough to be taken for a divider. */
static void remove_dividers(img_t *bin, img_t *mask, int minrun)
{
	/* Rows in memory order, a run length per column.  Each row is first
	 * tested as a whole for runs of minrun or more ending on it; only those
	 * columns are then looked at one by one. */
	uint16_t *run = calloc((size_t)bin->w, sizeof *run);
	uint8_t *ends = malloc((size_t)bin->w);
	if (!run || !ends) {
		free(run);
		free(ends);
		return;         /* dividers left in place is a safe answer */
	}
	/* A divider is at most a cell tall: a run long enough to saturate the
	 * 16-bit counter is never one. */
	uint16_t lo = (uint16_t)(minrun < 65535 ? minrun : 65535);
	for (int y = 0; y <= bin->h; y++) {
		const uint8_t *restrict row = y < bin->h ? bin->data + (size_t)y * bin->stride : NULL;
		uint16_t *restrict r = run;
		uint8_t *restrict e = ends, any = 0;
		/* e[x]: a run of minrun or more ended above this row in column x. */
		if (row)
			for (int x = 0; x < bin->w; x++) {
				e[x] = !row[x] & (r[x] >= lo) & (r[x] < 65535);
				any |= e[x];
			}
		else
			for (int x = 0; x < bin->w; x++) any |= e[x] = (r[x] >= lo) & (r[x] < 65535);
		if (any)
			for (uint8_t *p = e; (p = memchr(p, 1, (size_t)(e + bin->w - p))); p++) {
				int x = (int)(p - e);
				divider_at(bin, mask, x, y - r[x], y);
			}
		if (row)
			for (int x = 0; x < bin->w; x++) r[x] = row[x] ? (uint16_t)(r[x] + (r[x] < 65535)) : 0;
	}
	free(ends);
	free(run);
}

int seg_remove_lines(img_t *bin, int minlen, int repair, img_t *mask, img_err *err)
{
	seg_prof prof;
	seg_prof_start(&prof, "lines");
	if (img_alloc(mask, bin->w, bin->h, 1, err) < 0) return -1;
	if (bin->w > minlen && remove_dir(bin, true, minlen, repair, mask, err) < 0) goto fail;
	seg_prof_step(&prof, "horiz");
	if (bin->h > minlen && remove_dir(bin, false, minlen, repair, mask, err) < 0) goto fail;
	seg_prof_step(&prof, "vert");
	remove_dividers(bin, mask, minlen / 5 > 8 ? minlen / 5 : 8);
	seg_prof_step(&prof, "dividers");
	return 0;
fail:
	img_free(mask);
	return -1;
}
