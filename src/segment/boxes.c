/* boxes.c: printed boxes drawn around single digits, which the digit
 * touches (so the box and the digit are one component).  The box's sides
 * are erased and what was inside is cut into its own components again. */
#include <stdlib.h>
#include <string.h>

#include "segment/seg_internal.h"

/* Share of ink in row y (or column x) of a candidate's mask. */
static double row_fill(const seg_cand *c, int y)
{
	int k = 0;
	for (int x = 0; x < c->w; x++) k += c->mask[(size_t)y * c->w + x] != 0;
	return (double)k / c->w;
}

static double col_fill(const seg_cand *c, int x)
{
	int k = 0;
	for (int y = 0; y < c->h; y++) k += c->mask[(size_t)y * c->w + x] != 0;
	return (double)k / c->h;
}

/* 8-connected components of a candidate's mask appended to *v as new
 * candidates (page coordinates), those of at least min_area pixels. */
static int split_components(const seg_cand *c, int min_area, seg_cand **v, size_t *n, size_t *cap)
{
	size_t npx = (size_t)c->w * c->h;
	int *stack = malloc(npx * sizeof(int));
	uint8_t *seen = calloc(npx, 1);
	if (!stack || !seen) goto fail;
	for (size_t start = 0; start < npx; start++) {
		if (!c->mask[start] || seen[start]) continue;
		int sp = 0, x0 = c->w, y0 = c->h, x1 = -1, y1 = -1, area = 0;
		stack[sp++] = (int)start;
		seen[start] = 1;
		/* First pass: extent and area; pixels are re-found in the box below. */
		while (sp > 0) {
			int p = stack[--sp], x = p % c->w, y = p / c->w;
			area++;
			if (x < x0) x0 = x;
			if (x > x1) x1 = x;
			if (y < y0) y0 = y;
			if (y > y1) y1 = y;
			for (int dy = -1; dy <= 1; dy++)
				for (int dx = -1; dx <= 1; dx++) {
					int xx = x + dx, yy = y + dy;
					if (xx < 0 || yy < 0 || xx >= c->w || yy >= c->h) continue;
					size_t q = (size_t)yy * c->w + xx;
					if (c->mask[q] && !seen[q]) {
						seen[q] = 1;
						stack[sp++] = (int)q;
					}
				}
		}
		if (area < min_area) continue;
		if (*n == *cap) {
			size_t nc = *cap * 2 + 16;
			seg_cand *nv = realloc(*v, nc * sizeof *nv);
			if (!nv) goto fail;
			*v = nv;
			*cap = nc;
		}
		seg_cand *o = &(*v)[*n];
		memset(o, 0, sizeof *o);
		o->x = c->x + x0, o->y = c->y + y0, o->w = x1 - x0 + 1, o->h = y1 - y0 + 1;
		o->alt = -1;
		o->why = c->why;
		o->mask = calloc((size_t)o->w * o->h, 1);
		if (!o->mask) goto fail;
		/* This component's pixels: seen, inside its box, and connected
		 * to it; a flood fill restricted to the box finds exactly them. */
		size_t q0 = start;
		int sp2 = 0;
		stack[sp2++] = (int)q0;
		o->mask[(size_t)(q0 / c->w - y0) * o->w + (q0 % c->w - x0)] = 255;
		while (sp2 > 0) {
			int p = stack[--sp2], x = p % c->w, y = p / c->w;
			o->area++;
			for (int dy = -1; dy <= 1; dy++)
				for (int dx = -1; dx <= 1; dx++) {
					int xx = x + dx, yy = y + dy;
					if (xx < x0 || yy < y0 || xx > x1 || yy > y1) continue;
					size_t q = (size_t)yy * c->w + xx;
					uint8_t *om = &o->mask[(size_t)(yy - y0) * o->w + (xx - x0)];
					if (c->mask[q] && !*om) {
						*om = 255;
						stack[sp2++] = (int)q;
					}
				}
		}
		(*n)++;
	}
	free(stack);
	free(seen);
	return 0;
fail:
	free(stack);
	free(seen);
	return -1;
}

/* A printed box drawn around a digit that touches it: three or four sides
 * of the candidate's box are solid rows or columns of ink.  The sides are
 * erased and what is left inside becomes candidates of its own.  Returns 1
 * when c was a box (c's mask is then spent), 0 if not, -1 on no memory. */
int seg_strip_box(seg_cand *c, double h, seg_cand **v, size_t *n, size_t *cap)
{
	if (c->w < 0.6 * h || c->h < 0.6 * h || c->w < 8 || c->h < 8) return 0;
	int tmax = c->h / 8 > 2 ? c->h / 8 : 2;
	int top = 0, bot = 0, left = 0, right = 0;
	while (top < tmax && row_fill(c, top) >= 0.75) top++;
	while (bot < tmax && row_fill(c, c->h - 1 - bot) >= 0.75) bot++;
	while (left < tmax && col_fill(c, left) >= 0.75) left++;
	while (right < tmax && col_fill(c, c->w - 1 - right) >= 0.75) right++;
	if ((top > 0) + (bot > 0) + (left > 0) + (right > 0) < 3) return 0;
	/* Erase the sides, one pixel beyond what was solid (anti-aliasing). */
	top += top > 0, bot += bot > 0, left += left > 0, right += right > 0;
	for (int y = 0; y < c->h; y++)
		for (int x = 0; x < c->w; x++)
			if (y < top || y >= c->h - bot || x < left || x >= c->w - right) c->mask[(size_t)y * c->w + x] = 0;
	int min_area = (int)(0.02 * h * h) > 6 ? (int)(0.02 * h * h) : 6;
	if (split_components(c, min_area, v, n, cap) < 0) return -1;
	return 1;
}
