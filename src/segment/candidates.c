/* candidates.c: connected components -> digit candidates and separators.
 *
 * Sizes are judged against h, the page's typical component height, against
 * neighbours, and against the smallest handwriting (1.5 mm at the page's
 * least possible resolution); only hairlines (4 px at working resolution)
 * are absolute.  What is dropped here is never shown to the model: specks,
 * fine print, dashes, blobs several digits tall, frames (a box drawn around
 * other ink), comb ticks and cell sides, marks inside solid ink, and anything
 * touching the image's edge.  Pieces too small to stand alone but a
 * stroke's worth of ink (fragments: the ends of a broken stroke) are kept
 * aside: one joins the digit its ink nearly touches, and fragments chained
 * together into something digit-tall become a candidate.  Decimal points,
 * slashes, column rules, gaps between rule segments and comb ticks become
 * separators for the field grouping.  Pieces of one digit are merged; wide
 * components are offered both whole and split at projection minima (the
 * pieces marked SEG_SPLIT), and the model's reading decides. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/ops.h"
#include "segment/seg_internal.h"
#include "util/order.h"

/* The smallest handwritten digit a candidate may be, and under STROKE_MM
 * only one that is not a single straight stroke (minor/major axes of its
 * ink at least STROKE_ELONG): the pieces of a printed slash, comb ticks and
 * the strokes of fine print stay out, a small 1 with them.  The floor was
 * 2.3 mm; on 60 mkpages pages written with MNIST training digits (seed
 * 4242) 2.0 / 1.5 / 1.2 mm took recall from 73.5 % to 74.9 / 76.9 / 77.6 %
 * and writing nothing reported or flagged from 18.5 % to 16.9 / 14.5 /
 * 13.5 %, accepted-wrong flat (10.7-11.2 %); samples/ unchanged at 1.5. */
#define MIN_DIGIT_MM 1.5
#define STROKE_MM 2.3
#define STROKE_ELONG 0.25
/* Letter-sized components between the floors beyond which a page is small
 * print: mkpages pages have at most 219 (held-out) and 217 (training-digit
 * set), samples/ 254; a page of dense 1.7 mm print 3190. */
#define FINE_PRINT_PAGE 400
#define BIG_DIGIT_MM 12.0       /* a large handwritten digit, box and all */
#define MAX_CANDS 20000         /* a page with more components is noise, not a form */
#define SET_IN_INK 0.5          /* share of ink around a candidate beyond which it stands in a banner */

/* A comb tick: a thin, solid, vertical bar whose end rests on a removed line. */
static bool is_tick(const img_comp *k, const img_t *lines)
{
	if (k->w * 4 > k->h || k->area * 10 < k->w * k->h * 8) return false;
	int pad = 3;
	return seg_touches_mask(lines, k->x - 1, k->y - pad, k->x + k->w + 1, k->y + 1) ||
	       seg_touches_mask(lines, k->x - 1, k->y + k->h - 1, k->x + k->w + 1, k->y + k->h + pad);
}

/* Should b (a piece) join a?  One above the other, overlapping in x, close
 * in y, and the union no taller than a digit. */
static bool mergeable(const seg_cand *a, const seg_cand *b, double h)
{
	const seg_cand *big = a->h >= b->h ? a : b, *small = a->h >= b->h ? b : a;
	int ox = (a->x + a->w < b->x + b->w ? a->x + a->w : b->x + b->w) - (a->x > b->x ? a->x : b->x);
	int gap = (a->y > b->y ? a->y : b->y) - (a->y + a->h < b->y + b->h ? a->y + a->h : b->y + b->h);
	int y0 = a->y < b->y ? a->y : b->y;
	int y1 = a->y + a->h > b->y + b->h ? a->y + a->h : b->y + b->h;
	int x0 = a->x < b->x ? a->x : b->x;
	int x1 = a->x + a->w > b->x + b->w ? a->x + a->w : b->x + b->w;
	double ref = big->h > h ? big->h : h;
	if (ox < small->w / 2 && ox < big->w / 2) return false;
	if (gap > 0.25 * ref) return false;
	if (y1 - y0 > 1.45 * big->h && y1 - y0 > 1.2 * h) return false;
	if (x1 - x0 > 1.3 * (y1 - y0)) return false;
	/* Two whole digits stacked (lines close together) stay apart; pieces
	 * both under the page's typical height are halves of one digit. */
	if (small->h > 0.6 * big->h && gap >= 0 && small->h >= 0.6 * h) return false;
	return true;
}

/* Median width of the candidates of about c's height on its line, within
 * a few of its heights (0 unless there are two or more). */
static int line_width(const seg_cand *v, size_t n, const seg_cand *c)
{
	int ws[64], k = 0, reach = 4 * c->h;
	for (size_t i = 0; i < n && k < 64; i++) {
		const seg_cand *o = &v[i];
		if (o == c || !o->mask || o->x > c->x + c->w + reach || o->x + o->w < c->x - reach) continue;
		int cy = o->y + o->h / 2;
		if (cy < c->y || cy > c->y + c->h || o->h < 0.6 * c->h || o->h > 1.5 * c->h) continue;
		ws[k++] = o->w;
	}
	if (k < 2) return 0;
	for (int a = 1; a < k; a++)
		for (int b = a; b > 0 && ws[b - 1] > ws[b]; b--) {
			int t = ws[b];
			ws[b] = ws[b - 1];
			ws[b - 1] = t;
		}
	return ws[k / 2];
}

static void tighten(seg_cand *c)
{
	int x0 = c->w, y0 = c->h, x1 = -1, y1 = -1, area = 0;
	for (int y = 0; y < c->h; y++)
		for (int x = 0; x < c->w; x++)
			if (c->mask[(size_t)y * c->w + x]) {
				if (x < x0) x0 = x;
				if (x > x1) x1 = x;
				if (y < y0) y0 = y;
				if (y > y1) y1 = y;
				area++;
			}
	c->area = area;
	if (x1 < 0) {
		c->w = c->h = 0;
		return;
	}
	int w = x1 - x0 + 1, h = y1 - y0 + 1;
	if (w == c->w && h == c->h) return;
	for (int y = 0; y < h; y++) memmove(c->mask + (size_t)y * w, c->mask + (size_t)(y + y0) * c->w + x0, (size_t)w);
	c->x += x0, c->y += y0, c->w = w, c->h = h;
}

/* A drop-fall path from column x0: a drop rolls through background,
 * from the top down (up = false) or from the bottom up, sliding sideways
 * around ink, and cuts through a stroke only where it is stuck; it never
 * strays more than win columns from x0 nor leaves [lo, hi).  Touching
 * digits are cut along the gap between their outlines rather than across
 * a stroke, so each piece keeps its strokes whole.  path[y] is the first
 * column of the right-hand piece on row y; returns the ink pixels cut. */
static int drop_fall(const seg_cand *c, int x0, int win, int lo, int hi, bool up, int *path)
{
	int x = x0, cut = 0;
#define INK(xx, yy) (c->mask[(size_t)(yy) * c->w + (xx)] != 0)
	for (int i = 0; i < c->h; i++) {
		int y = up ? c->h - 1 - i : i, ny = up ? y - 1 : y + 1;
		path[y] = x;
		cut += INK(x, y);
		if (i + 1 >= c->h || !INK(x, ny)) continue;
		if (x - 1 >= lo && x - 1 >= x0 - win && !INK(x - 1, ny)) x--;
		else if (x + 1 < hi && x + 1 <= x0 + win && !INK(x + 1, ny)) x++;
		/* stuck on ink ahead: cut straight through it */
	}
#undef INK
	return cut;
}

/* Cut a wide candidate into k pieces along drop-fall paths started at the
 * columns of least ink near the nominal cut positions.  Pieces are
 * appended to *v (which may move). */
static int split_cand(seg_cand *c, int k, int group, seg_cand **v, size_t *n, size_t *cap)
{
	int *proj = calloc((size_t)c->w, sizeof(int));
	int *cuts = calloc((size_t)k + 1, sizeof(int));
	int *paths = calloc((size_t)(k + 1) * (size_t)c->h, sizeof(int));
	if (!proj || !cuts || !paths) goto fail;
	for (int y = 0; y < c->h; y++)
		for (int x = 0; x < c->w; x++) proj[x] += c->mask[(size_t)y * c->w + x] != 0;
	cuts[0] = 0;
	cuts[k] = c->w;
	for (int i = 1; i < k; i++) {
		int nom = c->w * i / k, win = c->w / k / 3, best = nom;
		for (int x = nom - win; x <= nom + win; x++) {
			if (x <= cuts[i - 1] || x >= c->w) continue;
			int d = abs(x - nom), bd = abs(best - nom);
			if (proj[x] < proj[best] || (proj[x] == proj[best] && d < bd)) best = x;
		}
		cuts[i] = best;
		/* Of the straight cut and the two drop-falls, the one that cuts
		 * the least ink (ties: the straight one). */
		int *pi = paths + (size_t)i * c->h, *tmp = paths + (size_t)k * c->h;
		int lo = cuts[i - 1] + 1, ww = win > 1 ? win : 1, bestcut = proj[best];
		for (int y = 0; y < c->h; y++) pi[y] = best;
		for (int dir = 0; dir < 2; dir++) {
			int cut = drop_fall(c, best, ww, lo, c->w, dir == 1, tmp);
			if (cut < bestcut) {
				bestcut = cut;
				memcpy(pi, tmp, (size_t)c->h * sizeof *pi);
			}
		}
	}
	for (int y = 0; y < c->h; y++) paths[y] = 0, paths[(size_t)k * c->h + y] = c->w;
	for (int i = 0; i < k; i++) {
		const int *pl = paths + (size_t)i * c->h, *pr = paths + (size_t)(i + 1) * c->h;
		int x0 = c->w, x1 = 0;
		for (int y = 0; y < c->h; y++) {
			if (pl[y] < x0) x0 = pl[y];
			if (pr[y] > x1) x1 = pr[y];
		}
		int w = x1 - x0;
		if (w <= 0) continue;
		if (*n == *cap) {
			size_t nc = *cap * 2 + 16;
			seg_cand *nv = realloc(*v, nc * sizeof *nv);
			if (!nv) goto fail;
			*v = nv;
			*cap = nc;
		}
		seg_cand *p = &(*v)[*n];
		memset(p, 0, sizeof *p);
		p->mask = calloc((size_t)w * (size_t)c->h, 1);
		if (!p->mask) goto fail;
		for (int y = 0; y < c->h; y++)
			for (int x = pl[y]; x < pr[y]; x++) p->mask[(size_t)y * w + (x - x0)] = c->mask[(size_t)y * c->w + x];
		p->x = c->x + x0, p->y = c->y, p->w = w, p->h = c->h;
		p->why = c->why | SEG_SPLIT;
		p->alt = group;
		p->alt_piece = true;
		(*n)++;
		tighten(p);
	}
	free(proj);
	free(cuts);
	free(paths);
	return 0;
fail:
	free(proj);
	free(cuts);
	free(paths);
	return -1;
}

/* Share of a frame around the candidate's box (a quarter of its height
 * wide, clipped to the page) that is ink, ruling included. */
static double frame_ink(const seg_cand *c, const img_t *bin, const img_t *lines)
{
	int m = c->h / 4 > 2 ? c->h / 4 : 2;
	int x0 = c->x - m > 0 ? c->x - m : 0, y0 = c->y - m > 0 ? c->y - m : 0;
	int x1 = c->x + c->w + m < bin->w ? c->x + c->w + m : bin->w;
	int y1 = c->y + c->h + m < bin->h ? c->y + c->h + m : bin->h;
	long ink = 0, all = 0;
	for (int y = y0; y < y1; y++) {
		const uint8_t *b = bin->data + (size_t)y * bin->stride;
		const uint8_t *l = lines->data ? lines->data + (size_t)y * lines->stride : NULL;
		bool beside = y >= c->y && y < c->y + c->h;     /* rows of the box: its sides only */
		for (int x = x0; x < x1; x++) {
			if (beside && x == c->x) x = c->x + c->w;
			if (x >= x1) break;
			ink += b[x] != 0 || (l && l[x]);
			all++;
		}
	}
	return all ? (double)ink / all : 0;
}

/* Is a third or more of the candidate's ink inside solid-ink areas? */
static bool in_solid(const seg_cand *c, const img_t *solid)
{
	if (!solid->data) return false;
	int in = 0;
	for (int y = 0; y < c->h; y++)
		for (int x = 0; x < c->w; x++)
			if (c->mask[(size_t)y * c->w + x]) {
				int sx = (c->x + x) / SEG_SOLID_DIV, sy = (c->y + y) / SEG_SOLID_DIV;
				if (sx < solid->w && sy < solid->h && solid->data[(size_t)sy * solid->stride + sx]) in++;
			}
	return in * 3 >= c->area;
}

/* Any vertical rule pixel in the box (a table's column rule)? */
static bool vrule_in(const img_t *m, int x0, int y0, int x1, int y1)
{
	return seg_mask_any(m, x0, y0, x1, y1, SEG_LINE_V);
}

/* Writing on both sides of candidate i, on its line, of its size and
 * within a short step, with no column rule in between (then the stroke
 * opens the next cell's number): a leaning stroke there separates groups
 * (a date's slash). */
static bool stroke_between(const seg_cand *v, size_t n, const uint8_t *slashy, size_t i, double h, const img_t *lines)
{
	const seg_cand *a = &v[i];
	bool left = false, right = false;
	double reach = a->h > h ? a->h : h;
	for (size_t j = 0; j < n && !(left && right); j++) {
		const seg_cand *b = &v[j];
		if (j == i || slashy[j] || b->h < 0.5 * h) continue;
		int ov = (a->y + a->h < b->y + b->h ? a->y + a->h : b->y + b->h) - (a->y > b->y ? a->y : b->y);
		if (ov < 0.5 * (a->h < b->h ? a->h : b->h)) continue;
		int gr = b->x - (a->x + a->w), gl = a->x - (b->x + b->w);
		/* Writing of the same size, a short step away: a date's groups. */
		if (b->h < 0.6 * a->h || b->h > 1.5 * a->h) continue;
		int y0 = a->y > b->y ? a->y : b->y, y1 = a->y + a->h < b->y + b->h ? a->y + a->h : b->y + b->h;
		if (gr >= -a->w / 4 && gr <= 0.6 * reach && b->x > a->x && !vrule_in(lines, a->x + a->w / 2, y0, b->x + b->w / 2, y1))
			right = true;
		if (gl >= -a->w / 4 && gl <= 0.6 * reach && b->x < a->x && !vrule_in(lines, b->x + b->w / 2, y0, a->x + a->w / 2, y1))
			left = true;
	}
	return left && right;
}

/* Columns of [x0, x1) with ink within half a rule's thickness t of row y. */
static int ink_along(const img_t *bin, int x0, int x1, int y, int t)
{
	int n = 0, y0 = y - t / 2 - 1, y1 = y + t / 2 + 1;
	if (y0 < 0) y0 = 0;
	if (y1 >= bin->h) y1 = bin->h - 1;
	if (x0 < 0) x0 = 0;
	if (x1 > bin->w) x1 = bin->w;
	for (int x = x0; x < x1; x++)
		for (int yy = y0; yy <= y1; yy++)
			if (bin->data[(size_t)yy * bin->stride + x]) {
				n++;
				break;
			}
	return n;
}

/* Does any of the n bytes at p carry one of bits?  (OR-reduced: vectorises.) */
static bool any_bits(const uint8_t *restrict p, int n, uint8_t bits)
{
	uint8_t acc = 0;
	for (int i = 0; i < n; i++) acc |= p[i];
	return (acc & bits) != 0;
}

/* The rules of one direction (bits: SEG_LINE_H or SEG_LINE_V) as a binary
 * image at half size, each pixel the OR of a 2x2 block: rules are long and
 * only their boxes are wanted, so labelling a quarter of the pixels loses
 * nothing but a pixel of precision (line_boxes doubles them back).
 * Returns the number of rows holding a rule, or -1. */
static int line_mask(const img_t *lines, uint8_t bits, img_t *out, img_err *err)
{
	int w = (lines->w + 1) / 2, h = (lines->h + 1) / 2, pairs = lines->w / 2, rows = 0;
	if (img_alloc(out, w, h, 1, err) < 0) return -1;
	for (int y = 0; y < h; y++) {
		const uint8_t *restrict r0 = lines->data + (size_t)(2 * y) * lines->stride;
		const uint8_t *restrict r1 = 2 * y + 1 < lines->h ? r0 + lines->stride : r0;
		uint8_t *restrict dst = out->data + (size_t)y * out->stride;
		/* Most rows hold no rule at all: leave them zero. */
		if (!any_bits(r0, lines->w, bits) && !any_bits(r1, lines->w, bits)) continue;
		rows++;
		for (int x = 0; x < pairs; x++)
			dst[x] = (r0[2 * x] | r0[2 * x + 1] | r1[2 * x] | r1[2 * x + 1]) & bits ? 255 : 0;
		if (w > pairs) dst[pairs] = (r0[2 * pairs] | r1[2 * pairs]) & bits ? 255 : 0;
	}
	return rows;
}

/* Components of a line_mask, boxes back in working pixels. */
static int line_boxes(const img_t *lines, uint8_t bits, img_comp **cc, int *n, img_err *err)
{
	img_t m = { 0 };
	int32_t *labels = NULL;
	*cc = NULL;
	*n = 0;
	int rows = line_mask(lines, bits, &m, err);
	if (rows < 0) return -1;
	int rc = rows > 0 ? img_components(&m, &labels, cc, n, err) : 0;      /* no rule: nothing to label */
	img_free(&m);
	free(labels);
	for (int i = 0; rc == 0 && i < *n; i++) {
		img_comp *k = &(*cc)[i];
		k->x *= 2, k->y *= 2, k->w *= 2, k->h *= 2;
		if (k->x + k->w > lines->w) k->w = lines->w - k->x;
		if (k->y + k->h > lines->h) k->h = lines->h - k->y;
	}
	return rc;
}

/* A vertical rule with horizontal ruling leaving it on one side only, at
 * its top or its bottom, is a box's outer side (SEG_SEP_SIDE): it ends
 * whatever is written in the box, even where the box is a comb.  Ruling on
 * both sides: a comb's divider or a table's column rule (SEG_SEP_RULE). */
static int rule_kind(const img_t *lines, const img_comp *k)
{
	bool left = false, right = false;
	int reach = 2 * k->w + 4;
	for (int e = 0; e < 2; e++) {
		int y = e ? k->y + k->h - 1 : k->y;
		left |= seg_mask_any(lines, k->x - reach, y - 4, k->x - 1, y + 5, SEG_LINE_H);
		right |= seg_mask_any(lines, k->x + k->w + 1, y - 4, k->x + k->w + reach, y + 5, SEG_LINE_H);
	}
	return left != right ? SEG_SEP_SIDE : SEG_SEP_RULE;
}

static int push_sep(seg_sep **v, size_t *n, size_t *cap, int x, int y, int w, int h, int kind)
{
	if (*n == *cap) {
		size_t nc = *cap * 2 + 8;
		seg_sep *nv = realloc(*v, nc * sizeof *nv);
		if (!nv) return -1;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = (seg_sep){ x, y, w, h, kind };
	return 0;
}

static int push_mark(seg_mark **v, size_t *n, size_t *cap, const img_comp *k)
{
	if (*n == *cap) {
		size_t nc = *cap * 2 + 64;
		seg_mark *nv = realloc(*v, nc * sizeof *nv);
		if (!nv) return -1;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = (seg_mark){ k->x, k->y, k->w, k->h };
	return 0;
}

int seg_find_candidates(const seg_clean_out *cl, seg_cand **out, size_t *nout, seg_sep **seps, size_t *nseps,
			seg_mark **marks, size_t *nmarks, double *digit_h, img_err *err)
{
	size_t sepcap = 0, markcap = 0;
	*seps = NULL;
	*nseps = 0;
	*marks = NULL;
	*nmarks = 0;
	int32_t *labels = NULL;
	img_comp *cc = NULL;
	int ncc = 0;
	seg_cand *v = NULL;
	uint8_t *slashy = NULL; /* leaning strokes (lean_class): slashes or slanted 1s */
	seg_cand *fr = NULL;    /* fragments: too small alone, may join a candidate */
	size_t nfr = 0, frcap = 0;
	size_t n = 0, cap = 0;
	*out = NULL;
	*nout = 0;
	seg_prof prof;
	seg_prof_start(&prof, "segment");
	if (img_components(&cl->bin, &labels, &cc, &ncc, err) < 0) return -1;
	seg_prof_step(&prof, "label");
	double h = cl->h0 > 0 ? cl->h0 : 20;
	/* Nobody writes a digit under about 1.5 mm (MIN_DIGIT_MM); the page's
	 * resolution is taken as if it were A4 (its long side over 11.69 in), which can only
	 * underestimate it for smaller documents, so this never drops writing
	 * on a cheque or a note. */
	int wside = cl->bin.w > cl->bin.h ? cl->bin.w : cl->bin.h;
	double min_h = MIN_DIGIT_MM / 25.4 * (wside / 11.69), stroke_h = STROKE_MM / 25.4 * (wside / 11.69);
	/* A blob is several digits tall: several times the page's typical
	 * height, but that is often its print, and writing on forms is three
	 * or four times taller than small print.  So a blob must also be
	 * taller than a large written digit (same A4 reckoning; the larger of
	 * the two bounds keeps what either would keep).  What only the second
	 * bound keeps must be digit-shaped, not wide (a signature's loops). */
	double blob_h = 3.5 * h, big_h = BIG_DIGIT_MM / 25.4 * (wside / 11.69);
	if (blob_h < big_h) blob_h = big_h;
	*digit_h = h;
	if (ncc > MAX_CANDS) {
		/* Pure noise or a halftone: nothing here reads as handwriting. */
		free(labels);
		free(cc);
		return 0;
	}
	/* A page of small print (a contract's terms): letters by the
	 * thousand between the floors, each a candidate the verifier would
	 * only flag (test_badinput's dense page: 3190 letters, then 1410
	 * flagged "digits").  There the 2.3 mm floor stands. */
	{
		int between = 0;
		for (int i = 0; i < ncc; i++) between += cc[i].h >= min_h && cc[i].h < stroke_h && cc[i].w < 2 * stroke_h;
		if (between > FINE_PRINT_PAGE) min_h = stroke_h;
	}
	cap = (size_t)ncc + 16;
	v = calloc(cap, sizeof *v);
	slashy = calloc(cap, sizeof *slashy);
	if (!v || !slashy) goto oom;
	for (int i = 0; i < ncc; i++) {
		const img_comp *k = &cc[i];
		bool speck = (k->h < 0.3 * h && k->w < 0.3 * h) || (k->h < min_h && k->w < min_h);
		bool fine_print = k->h < min_h;
		/* Between the floors a straight stroke is print or a rule's piece. */
		if (!fine_print && k->h < stroke_h && k->area >= 4) {
			seg_cand t;
			if (seg_cand_make(&t, labels, cl->bin.w, i + 1, k) < 0) goto oom;
			double el;
			seg_ink_axis(&t, &el);
			free(t.mask);
			fine_print = el < STROKE_ELONG;
		}
		bool tiny = k->area < 0.01 * h * h || k->h < 0.25 * h;
		bool blob = k->h > blob_h || k->w > 12 * h || (k->h > 3.5 * h && k->w > 1.5 * k->h);
		/* A short solid bar: what ruling removal leaves of a rotated box side. */
		bool solid = k->area * 10 >= k->w * k->h * 8;
		bool bar = k->w * 3 <= k->h && solid && k->h < 0.6 * h;
		/* A hairline piece of a broken printed border or rule: thin, solid,
		 * and with another such piece in line with it (a thin written 1
		 * stands alone in its column). */
		bool hair = seg_hairline(cc, ncc, i, h);
		if (speck || tiny) {
			/* A full round point, well above noise size: a decimal point. */
			bool dot = k->w >= 3 && k->h >= 3 && k->w <= 0.4 * h && k->h <= 0.4 * h && k->w <= 2 * k->h &&
				   k->h <= 2 * k->w && k->area * 10 >= k->w * k->h * 5 &&
				   /* not a crumb of a removed rule */
				   !seg_touches_mask(&cl->lines, k->x - 2, k->y - 2, k->x + k->w + 2, k->y + k->h + 2);
			if (dot && push_sep(seps, nseps, &sepcap, k->x, k->y, k->w, k->h, SEG_SEP_DOT) < 0) goto oom;
			if (!dot && push_mark(marks, nmarks, &markcap, k) < 0) goto oom;
			if (!dot && seg_is_fragment(cc, ncc, i, h, &cl->lines) && seg_push_fragment(&fr, &nfr, &frcap, labels, cl->bin.w, i + 1, k) < 0)
				goto oom;
			continue;
		}
		/* Touching the image's edge: the scanner lid, the paper's edge, or a
		 * mark cut in two by the scan, never a readable digit. */
		bool edge = k->x <= 0 || k->y <= 0 || k->x + k->w >= cl->bin.w || k->y + k->h >= cl->bin.h;
		if (is_tick(k, &cl->lines)) {
			if (push_sep(seps, nseps, &sepcap, k->x, k->y, k->w, k->h, SEG_SEP_TICK) < 0) goto oom;
			continue;
		}
		if (fine_print && push_mark(marks, nmarks, &markcap, k) < 0) goto oom;
		if (fine_print && !edge && !hair && seg_is_fragment(cc, ncc, i, h, &cl->lines)) {
			if (seg_push_fragment(&fr, &nfr, &frcap, labels, cl->bin.w, i + 1, k) < 0) goto oom;
			continue;
		}
		if (fine_print || edge || blob || bar || hair) continue;
		if (seg_cand_make(&v[n], labels, cl->bin.w, i + 1, k) < 0) goto oom;
		if (in_solid(&v[n], &cl->solid)) {
			free(v[n].mask);
			continue;
		}
		/* Writing stands on paper; the gaps and counters of letters
		 * printed white on a dark banner stand in its ink, which the
		 * solid mask misses when the banner is no taller than the
		 * opening that finds it.  Dropped with the ruled bars below,
		 * once the page's stroke width (banner included) is measured. */
		v[n].in_ink = frame_ink(&v[n], &cl->bin, &cl->lines) > SET_IN_INK;
		slashy[n] = (uint8_t)seg_lean_class(&v[n], h);
		n++;
	}
	free(labels);
	labels = NULL;
	seg_prof_step(&prof, "filter");

	/* A leaning stroke is a slash only between two groups of writing; at
	 * a number's start or end, or alone, it is a 1 written with a slant.
	 * One leaning less steeply is left to the model (SEG_SLASHLIKE): a
	 * slanted 1 reads as a sure 1, a slash does not. */
	{
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			bool leaning = slashy[i] || seg_leaning(&v[i], h);
			bool between = leaning && stroke_between(v, n, slashy, i, h, &cl->lines);
			if (between && slashy[i] == 1) v[i].why |= SEG_SLASHLIKE;
			/* A handwritten slash often leans less than 30 degrees (held-out
			 * cheque-020: 24/10/23 read 24110123, unflagged); read as a 1,
			 * it is flagged for a person to see. */
			if (between && slashy[i] < 2) v[i].why |= SEG_LEANING;
			if (between && slashy[i] == 2) {
				if (push_sep(seps, nseps, &sepcap, v[i].x, v[i].y, v[i].w, v[i].h, SEG_SEP_SLASH) < 0) {
					for (size_t j = i; j < n; j++) v[k++] = v[j];
					n = k;
					goto oom;
				}
				free(v[i].mask);
				continue;
			}
			v[k++] = v[i];
		}
		n = k;
	}
	free(slashy);
	slashy = NULL;

	/* Ruled bars and slashes thinner than the page's writing: print and rules.
	 * The writing's stroke is the median over candidates above STROKE_MM:
	 * the fine print the lower floor lets in would thin it, and a printed
	 * date slash then stood as a 1 (samples/form-02). */
	if (n > 0) {
		double *sw = malloc(n * sizeof *sw), *tmp = malloc(n * sizeof *tmp);
		if (!sw || !tmp) {
			free(sw);
			free(tmp);
			goto oom;
		}
		size_t nt = 0;
		for (size_t i = 0; i < n; i++) {
			sw[i] = seg_stroke_width(v[i].mask, v[i].w, v[i].h);
			if (v[i].h >= stroke_h) tmp[nt++] = sw[i];
		}
		if (nt == 0)
			for (size_t i = 0; i < n; i++) tmp[nt++] = sw[i];
		qsort(tmp, nt, sizeof *tmp, order_double);
		double med = tmp[nt / 2];
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			if (v[i].in_ink || (sw[i] <= 0.7 * med && seg_ruled_bar(&v[i], h))) {
				free(v[i].mask);
				continue;
			}
			if (sw[i] <= 0.7 * med && seg_ruled_slash(&v[i], h)) {
				int rc = push_sep(seps, nseps, &sepcap, v[i].x, v[i].y, v[i].w, v[i].h, SEG_SEP_SLASH);
				free(v[i].mask);
				if (rc < 0) {
					for (size_t j = i + 1; j < n; j++) v[k++] = v[j];
					n = k;
					free(sw);
					free(tmp);
					goto oom;
				}
				continue;
			}
			v[k++] = v[i];
		}
		n = k;
		free(sw);
		free(tmp);
	}

	/* Boxes around digits that touch them: keep what is inside. */
	size_t nbox = n;
	for (size_t i = 0; i < nbox; i++) {
		seg_cand c = v[i];
		int r = seg_strip_box(&c, h, &v, &n, &cap);
		if (r < 0) goto oom;
		if (r == 1) {
			free(c.mask);
			v[i].mask = NULL;
		}
	}
	{
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (v[i].mask) v[k++] = v[i];
		n = k;
	}

	seg_prof_step(&prof, "shapes");
	/* Horizontal rules that stop and start again on one line (the comb
	 * groups of a date, boxes side by side): the gap between two segments
	 * ends the fields written on them. */
	if (cl->lines.data) {
		img_comp *hc = NULL;
		int nh = 0;
		int rc = line_boxes(&cl->lines, SEG_LINE_H, &hc, &nh, err);
		for (int a = 0; rc == 0 && a < nh; a++)
			for (int b = 0; rc == 0 && b < nh; b++) {
				const img_comp *A = &hc[a], *B = &hc[b];
				int gap = B->x - (A->x + A->w), ya = A->y + A->h / 2, yb = B->y + B->h / 2;
				/* Narrow gaps are where a stroke crossed the rule and was kept. */
				if (gap < 0.4 * h || gap > 4 * h || abs(ya - yb) > 0.3 * h) continue;
				int y = (ya + yb) / 2;
				/* Nor where a digit's stroke lies along the rule: the kept
				 * ink fills the gap at the rule's height. */
				if (ink_along(&cl->bin, A->x + A->w, B->x, y, (A->h + B->h) / 2 + 2) * 2 >= gap) continue;
				if (push_sep(seps, nseps, &sepcap, A->x + A->w, y - (int)(1.5 * h), gap, (int)(1.5 * h), SEG_SEP_GAP) < 0)
					rc = -1;
			}
		free(hc);
		if (rc < 0) goto fail;
	}

	/* Vertical rules (table columns) separate fields: one separator each. */
	if (cl->lines.data) {
		img_comp *vc = NULL;
		int nv = 0;
		int rc = line_boxes(&cl->lines, SEG_LINE_V, &vc, &nv, err);
		for (int i = 0; rc == 0 && i < nv; i++) {
			const img_comp *k = &vc[i];
			if (push_sep(seps, nseps, &sepcap, k->x, k->y, k->w, k->h, rule_kind(&cl->lines, k)) < 0) rc = -1;
		}
		free(vc);
		if (rc < 0) goto fail;
	}

	seg_prof_step(&prof, "rules");
	/* Frames: a low-density candidate whose box holds another whole candidate. */
	bool *drop = calloc(n + 1, sizeof(bool));
	if (!drop) goto oom;
	for (size_t i = 0; i < n; i++) {
		seg_cand *a = &v[i];
		if (a->area * 4 > a->w * a->h || a->w < 0.6 * h || a->h < 0.6 * h) continue;
		for (size_t j = 0; j < n && !drop[i]; j++) {
			seg_cand *b = &v[j];
			if (j != i && b->x > a->x && b->y > a->y && b->x + b->w < a->x + a->w && b->y + b->h < a->y + a->h &&
			    b->h > 0.3 * h)
				drop[i] = true;
		}
	}
	/* A frame is not dropped whole: a digit may touch it.  Its rules
	 * are cut out and what is left of a digit's size stays. */
	size_t nframes = n;
	for (size_t i = 0; i < nframes; i++) {
		if (!drop[i]) continue;
		seg_cand frame = v[i];
		if (seg_cut_frame(&frame, h, &v, &n, &cap) < 0) {
			free(drop);
			goto oom;
		}
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (i < nframes && drop[i]) {
			free(v[i].mask);
			continue;
		}
		v[m++] = v[i];
	}
	n = m;
	free(drop);

	/* Merge pieces, nearest first, until nothing changes. */
	qsort(v, n, sizeof *v, seg_cand_cmp_x);
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			if (!v[i].mask) continue;
			for (size_t j = i + 1; j < n && v[j].x <= v[i].x + v[i].w; j++) {
				if (!v[j].mask || !mergeable(&v[i], &v[j], h)) continue;
				if (seg_cand_merge(&v[i], &v[j]) < 0) goto oom;
				free(v[j].mask);
				v[j].mask = NULL;
				changed = true;
			}
		}
	}
	m = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].mask) v[m++] = v[i];
	n = m;
	if (seg_attach_fragments(v, n, fr, nfr) < 0) goto oom;
	if (seg_chain_fragments(fr, nfr, (int)(0.15 * h) > 2 ? (int)(0.15 * h) : 2, min_h, blob_h, &v, &n, &cap) < 0)
		goto oom;
	seg_cands_free(fr, nfr);
	fr = NULL;
	nfr = 0;

	seg_prof_step(&prof, "merge");
	/* Wide candidates may be touching digits: offer the pieces beside the
	 * whole; the model's confidence decides later.  Too wide to be one digit:
	 * only the pieces. */
	size_t n0 = n;
	int groups = 0;
	for (size_t i = 0; i < n0; i++) {
		seg_cand *c = &v[i];
		if (c->h < 0.5 * h) continue;
		/* Wider than tall, or much wider than the writer's other digits
		 * on its line (two narrow digits touching: 7 and 1, 6 and 0),
		 * unless a single straight stroke (a slanted 1, a slash). */
		if (c->w <= 1.15 * c->h) {
			int mw = c->w > 0.7 * c->h ? line_width(v, n0, c) : 0;
			double elong;
			if (mw == 0 || c->w <= 1.6 * mw) continue;
			seg_ink_axis(c, &elong);
			if (elong < 0.2) continue;
		}
		int k = (int)(c->w / (0.8 * c->h) + 0.5);
		if (k < 2) k = 2;
		if (k > 6) {
			/* A scribble or signature, not a run of digits. */
			free(c->mask);
			c->mask = NULL;
			continue;
		}
		bool keep_whole = c->w <= 2.0 * c->h;
		c->alt = groups;
		seg_cand whole = *c;
		if (!keep_whole) c->mask = NULL;
		if (split_cand(&whole, k, groups++, &v, &n, &cap) < 0) {
			if (!keep_whole) free(whole.mask);
			goto oom;
		}
		if (!keep_whole) free(whole.mask);
	}
	m = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].mask && v[i].w > 0 && v[i].area > 0) v[m++] = v[i];
		else free(v[i].mask);
	}
	n = m;
	for (size_t i = 0; i < n; i++) v[i].id = (int)i;
	seg_prof_step(&prof, "split");
	free(cc);
	*out = v;
	*nout = n;
	return 0;
oom:
	snprintf(err->msg, sizeof err->msg, "segmentation: out of memory");
fail:
	seg_cands_free(fr, nfr);
	free(slashy);
	free(labels);
	free(cc);
	seg_cands_free(v, n);
	free(*seps);
	*seps = NULL;
	*nseps = 0;
	free(*marks);
	*marks = NULL;
	*nmarks = 0;
	return -1;
}
