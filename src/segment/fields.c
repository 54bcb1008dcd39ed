/* fields.c: candidates -> fields (runs of digits on one line), reading order.
 *
 * Candidates are taken left to right; each joins the field whose last member
 * overlaps it vertically, is of a similar height, and ends close enough
 * before it: a gap under three quarters of a digit height (comb boxes and
 * handwriting spacing pass; the space between a date and an amount, or
 * between a word and a number, does not), with no separator in between.
 * Following the last member rather than the field's box lets a slightly
 * slanted line stay one field. */
#include <stdlib.h>
#include <string.h>

#include "segment/seg_internal.h"

static int cmp_x(const void *a, const void *b)
{
	const seg_cand *p = a, *q = b;
	return p->x != q->x ? p->x - q->x : p->y - q->y;
}

typedef struct {
	int x0, y0, x1, y1;
	int last;               /* index of the last member */
	int hmax;
	int key;                /* reading-order rank */
	int gapsum, ngaps;      /* spacing between members so far */
	int pitchsum;           /* centre-to-centre advances so far (ngaps of them) */
} fbox;

/* qsort_r, not a global: workers segment pages on several threads at once. */
static int cmp_field(const void *a, const void *b, void *arg)
{
	const fbox *f = arg;
	const fbox *p = &f[*(const int *)a], *q = &f[*(const int *)b];
	int pc = (p->y0 + p->y1) / 2, qc = (q->y0 + q->y1) / 2;
	/* Same line if each one's centre lies within the other's extent. */
	if (pc >= q->y0 && pc <= q->y1 && qc >= p->y0 && qc <= p->y1) return p->x0 - q->x0;
	return pc - qc;
}

/* The widest gap inside one number, in writing heights: 1.3 in free
 * writing; in a comb, where a cell may be left empty (an empty cell and
 * its spacing: about two heights), 2.5.  Chosen on 60 mkpages pages of
 * MNIST training digits (seed 4242): fields accepted unflagged but wrong
 * 10.0 -> 8.7 % (4.0: 8.2 %, but field exact fell), read rate unchanged;
 * the empty cell then flags the field (gap). */
#define FREE_GAP 1.3
#define COMB_GAP 2.5

static int cmp_rank(const void *a, const void *b)
{
	const seg_cand *p = a, *q = b;
	return p->field != q->field ? p->field - q->field : (p->x != q->x ? p->x - q->x : p->y - q->y);
}

/* Is rule s one of a comb's dividers: another short rule within a cell's
 * width (h: the writing's height) beside it, on the same rows? */
static bool comb_divider(const seg_sep *s, const seg_sep *seps, size_t nseps, int h)
{
	for (size_t k = 0; k < nseps; k++) {
		const seg_sep *o = &seps[k];
		if (o == s || (o->kind != SEG_SEP_RULE && o->kind != SEG_SEP_SIDE)) continue;
		int dx = abs((o->x + o->w / 2) - (s->x + s->w / 2));
		int ov = (o->y + o->h < s->y + s->h ? o->y + o->h : s->y + s->h) - (o->y > s->y ? o->y : s->y);
		if (dx > 0 && dx < 1.6 * h && ov > s->h / 2) return true;
	}
	return false;
}

/* A comb's divider: a short rule with another a cell's width beside it. */
static bool comb_rule(const seg_sep *s, const seg_sep *seps, size_t nseps, int h)
{
	return s->kind == SEG_SEP_RULE && s->h < 2 * h && comb_divider(s, seps, nseps, h);
}

/* Rows of [top, bot) covered by the pieces of a column rule at x = cx
 * (a digit crossing a rule cuts it into pieces just where it stands). */
static int rule_cover(const seg_sep *seps, size_t nseps, int cx, int top, int bot)
{
	int n = 0;
	for (size_t k = 0; k < nseps; k++) {
		const seg_sep *o = &seps[k];
		if ((o->kind != SEG_SEP_RULE && o->kind != SEG_SEP_SIDE) || abs(o->x + o->w / 2 - cx) > 3) continue;
		int ov = (o->y + o->h < bot ? o->y + o->h : bot) - (o->y > top ? o->y : top);
		if (ov > 0) n += ov;
	}
	return n;
}

/* Does a separator stand between a (left) and b (right) on their line? */
static bool separated(const seg_cand *a, const seg_cand *b, const seg_sep *seps, size_t nseps)
{
	int top = a->y < b->y ? a->y : b->y, bot = a->y + a->h > b->y + b->h ? a->y + a->h : b->y + b->h;
	int left = a->x + a->w * 3 / 4, right = b->x + b->w / 4;
	for (size_t k = 0; k < nseps; k++) {
		const seg_sep *s = &seps[k];
		int cx = s->x + s->w / 2, cy = s->y + s->h / 2, mid = (top + bot) / 2;
		/* A column rule between the two centres, its pieces together
		 * running along a third of the writing's height, even where a
		 * digit overlaps it. */
		if (s->kind == SEG_SEP_RULE && cx > a->x + a->w / 2 && cx < b->x + b->w / 2 &&
		    rule_cover(seps, nseps, cx, top, bot) * 3 >= bot - top && !comb_rule(s, seps, nseps, bot - top))
			return true;
		/* A box's outer side beside the writing ends it, comb or not
		 * (the next box in a row of boxes is another field). */
		int sov = (s->y + s->h < bot ? s->y + s->h : bot) - (s->y > top ? s->y : top);
		if (s->kind == SEG_SEP_SIDE && cx > a->x + a->w / 2 && cx < b->x + b->w / 2 && sov * 3 >= bot - top)
			return true;
		if (cx <= left || cx >= right) continue;
		if (s->kind == SEG_SEP_DOT) {
			/* A point separates only on the baseline (a decimal point),
			 * not halfway up (noise, a dot over an i). */
			if (cy >= top + (bot - top) * 6 / 10 && cy <= bot) return true;
			continue;
		}
		if (s->kind == SEG_SEP_TICK || s->y > mid || s->y + s->h < mid) continue;
		/* A column rule runs past the writing, or stands alone between
		 * wide cells; a comb's dividers, about as tall as the digits and a
		 * digit apart, sit inside one field. */
		if (s->kind == SEG_SEP_RULE && s->h < 2 * (bot - top) && comb_divider(s, seps, nseps, bot - top)) continue;
		return true;
	}
	return false;
}

/* Is there a comb between a and b: a tick rising from the rule under them,
 * or one of a comb's dividers?  Comb cells are wider than handwriting's
 * spacing, so a comb allows a wider gap inside one field. */
static bool comb_between(const seg_cand *a, const seg_cand *b, const seg_sep *seps, size_t nseps)
{
	int top = a->y < b->y ? a->y : b->y, bot = a->y + a->h > b->y + b->h ? a->y + a->h : b->y + b->h;
	int left = a->x + a->w / 2, right = b->x + b->w / 2, h = bot - top;
	for (size_t k = 0; k < nseps; k++) {
		const seg_sep *s = &seps[k];
		int cx = s->x + s->w / 2;
		if (cx <= left || cx >= right || s->y + s->h < top || s->y > bot + h / 3) continue;
		if (s->kind == SEG_SEP_TICK) return true;
		if (s->kind == SEG_SEP_RULE && s->h < 2 * h && comb_divider(s, seps, nseps, h)) return true;
	}
	return false;
}

int seg_group_fields(seg_cand *c, size_t n, const seg_sep *seps, size_t nseps, seg_field **fields, size_t *nfields)
{
	*fields = NULL;
	*nfields = 0;
	if (n == 0) return 0;
	fbox *f = calloc(n, sizeof *f);
	int *order = calloc(n, sizeof(int)), *rank = calloc(n, sizeof(int));
	seg_field *out = calloc(n, sizeof *out);
	if (!f || !order || !rank || !out) goto fail;
	qsort(c, n, sizeof *c, cmp_x);
	int nf = 0;
	for (size_t i = 0; i < n; i++) {
		int best = -1, bestgap = 0;
		for (int j = 0; j < nf; j++) {
			const seg_cand *l = &c[f[j].last];
			int ov = (l->y + l->h < c[i].y + c[i].h ? l->y + l->h : c[i].y + c[i].h) -
				 (l->y > c[i].y ? l->y : c[i].y);
			int minh = l->h < c[i].h ? l->h : c[i].h;
			int ref = f[j].hmax > c[i].h ? f[j].hmax : c[i].h;
			/* Narrow digits (a 1) are measured as if half a height wide,
			 * centred: a 1 leaves wide gaps that are not field breaks. */
			int lw = l->w > l->h / 2 ? l->w : l->h / 2, cw = c[i].w > c[i].h / 2 ? c[i].w : c[i].h / 2;
			int gap = (c[i].x + c[i].w / 2 - cw / 2) - (l->x + l->w / 2 + lw / 2);
			if (ov < 0.4 * minh || gap > COMB_GAP * ref) continue;
			/* A writer who spaces digits widely does so all along the
			 * number: a gap like the field's own earlier ones is no break. */
			int pitch = (c[i].x + c[i].w / 2) - (l->x + l->w / 2);
			bool steady = f[j].ngaps > 0 && (gap <= 1.35 * f[j].gapsum / f[j].ngaps ||
							 pitch <= 1.35 * f[j].pitchsum / f[j].ngaps);
			bool comb = comb_between(l, &c[i], seps, nseps);
			if (gap > FREE_GAP * ref && !comb) continue;
			if (gap > 0.75 * ref && !steady && !comb) continue;
			/* One writer writes one number at one size: a much smaller or
			 * larger neighbour is a printed label or another field.  Not
			 * in a comb: its cells hold the number together, and a digit
			 * drawn small in its cell is still one of it. */
			if ((c[i].h * 100 < l->h * 72 || l->h * 100 < c[i].h * 72) && !comb) continue;
			if (separated(l, &c[i], seps, nseps)) continue;
			if (best < 0 || gap < bestgap) best = j, bestgap = gap;
		}
		if (best < 0) {
			best = nf++;
			f[best] = (fbox){ c[i].x, c[i].y, c[i].x + c[i].w, c[i].y + c[i].h, (int)i, c[i].h, 0, 0, 0, 0 };
		} else {
			f[best].gapsum += bestgap > 0 ? bestgap : 0;
			f[best].pitchsum += (c[i].x + c[i].w / 2) - (c[f[best].last].x + c[f[best].last].w / 2);
			f[best].ngaps++;
		}
		fbox *b = &f[best];
		if (c[i].x < b->x0) b->x0 = c[i].x;
		if (c[i].y < b->y0) b->y0 = c[i].y;
		if (c[i].x + c[i].w > b->x1) b->x1 = c[i].x + c[i].w;
		if (c[i].y + c[i].h > b->y1) b->y1 = c[i].y + c[i].h;
		if (c[i].h > b->hmax) b->hmax = c[i].h;
		b->last = (int)i;
		c[i].field = best;
	}
	for (int j = 0; j < nf; j++) order[j] = j;
	qsort_r(order, (size_t)nf, sizeof(int), cmp_field, f);
	for (int r = 0; r < nf; r++) rank[order[r]] = r;
	for (size_t i = 0; i < n; i++) c[i].field = rank[c[i].field];
	qsort(c, n, sizeof *c, cmp_rank);
	for (int r = 0; r < nf; r++) {
		const fbox *b = &f[order[r]];
		out[r] = (seg_field){ b->x0, b->y0, b->x1 - b->x0, b->y1 - b->y0, 0, 0 };
	}
	for (size_t i = 0; i < n; i++) {
		seg_field *o = &out[c[i].field];
		if (o->n == 0) o->first = (int)i;
		o->n++;
	}
	free(f);
	free(order);
	free(rank);
	*fields = out;
	*nfields = (size_t)nf;
	return 0;
fail:
	free(f);
	free(order);
	free(rank);
	free(out);
	return -1;
}
