/* cand.c: one candidate: its mask cut from the labels, two merged into one,
 * its order, and the box tests on a mask image that candidates.c and
 * fragments.c both ask.  Depends on no other segment file, so the stage
 * files that use it form no cycle. */
#include <stdlib.h>
#include <string.h>

#include "segment/seg_internal.h"

void seg_cands_free(seg_cand *c, size_t n)
{
	if (!c) return;
	for (size_t i = 0; i < n; i++) free(c[i].mask);
	free(c);
}

/* Does any pixel of the box (clipped to the mask) carry one of bits? */
bool seg_mask_any(const img_t *m, int x0, int y0, int x1, int y1, uint8_t bits)
{
	if (!m->data) return false;
	if (x0 < 0) x0 = 0;
	if (y0 < 0) y0 = 0;
	if (x1 > m->w) x1 = m->w;
	if (y1 > m->h) y1 = m->h;
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++)
			if (m->data[(size_t)y * m->stride + x] & bits) return true;
	return false;
}

bool seg_touches_mask(const img_t *m, int x0, int y0, int x1, int y1)
{
	return seg_mask_any(m, x0, y0, x1, y1, 0xff);
}

int seg_cand_make(seg_cand *c, const int32_t *labels, int lw, int label, const img_comp *k)
{
	memset(c, 0, sizeof *c);
	c->x = k->x, c->y = k->y, c->w = k->w, c->h = k->h, c->area = k->area;
	c->alt = -1;
	c->mask = calloc((size_t)k->w * (size_t)k->h, 1);
	if (!c->mask) return -1;
	for (int y = 0; y < k->h; y++) {
		const int32_t *row = labels + (size_t)(k->y + y) * (size_t)lw + k->x;
		for (int x = 0; x < k->w; x++)
			if (row[x] == label) c->mask[(size_t)y * k->w + x] = 255;
	}
	return 0;
}

/* Union of two candidates into a (new box, OR of masks). */
int seg_cand_merge(seg_cand *a, const seg_cand *b)
{
	int x0 = a->x < b->x ? a->x : b->x, y0 = a->y < b->y ? a->y : b->y;
	int x1 = a->x + a->w > b->x + b->w ? a->x + a->w : b->x + b->w;
	int y1 = a->y + a->h > b->y + b->h ? a->y + a->h : b->y + b->h;
	int w = x1 - x0, h = y1 - y0;
	uint8_t *m = calloc((size_t)w * (size_t)h, 1);
	if (!m) return -1;
	const seg_cand *src[2] = { a, b };
	for (int s = 0; s < 2; s++)
		for (int y = 0; y < src[s]->h; y++)
			for (int x = 0; x < src[s]->w; x++)
				if (src[s]->mask[(size_t)y * src[s]->w + x])
					m[(size_t)(y + src[s]->y - y0) * w + (x + src[s]->x - x0)] = 255;
	free(a->mask);
	a->mask = m;
	a->x = x0, a->y = y0, a->w = w, a->h = h;
	a->area += b->area;
	a->why |= SEG_MERGED | b->why;
	return 0;
}

int seg_cand_cmp_x(const void *a, const void *b)
{
	const seg_cand *p = a, *q = b;
	return p->x != q->x ? p->x - q->x : p->y - q->y;
}
