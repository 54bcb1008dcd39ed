/* fragments.c: pieces of ink too small to stand as digits but a stroke's
 * worth (the ends of a broken stroke, a 5's detached bar).  They are kept
 * aside while candidates are found; one joins the digit its ink nearly
 * touches, and fragments chained together into something digit-tall become
 * a candidate of their own.  Distances are judged against the writing's
 * height on the fragment's line. */
#include <stdlib.h>

#include "segment/seg_internal.h"

/* Chebyshev distance from any ink of a to the nearest ink of b, up to r
 * (r + 1 when farther). */
static int ink_gap(const seg_cand *a, const seg_cand *b, int r)
{
	int best = r + 1;
	for (int y = 0; y < a->h; y++)
		for (int x = 0; x < a->w; x++) {
			if (!a->mask[(size_t)y * a->w + x]) continue;
			int px = a->x + x, py = a->y + y;
			if (px < b->x - r || px >= b->x + b->w + r || py < b->y - r || py >= b->y + b->h + r) continue;
			for (int dy = -best + 1; dy < best; dy++)
				for (int dx = -best + 1; dx < best; dx++) {
					int bx = px + dx - b->x, by = py + dy - b->y;
					if (bx < 0 || by < 0 || bx >= b->w || by >= b->h || !b->mask[(size_t)by * b->w + bx]) continue;
					int d = abs(dx) > abs(dy) ? abs(dx) : abs(dy);
					if (d < best) best = d;
				}
		}
	return best;
}

/* Should fragment f (a piece too small to be a candidate: a broken
 * stroke's end, the detached bar of a 5) join candidate c?  Its ink must
 * come within r pixels of c's, the union stay no taller than the writing beside it
 * (href) and not over twice as wide as tall, and a fragment level with c must lie over
 * it, not beside it (a decimal point, a comma). */
static bool fragment_joins(const seg_cand *c, const seg_cand *f, double href, int r)
{
	int y0 = c->y < f->y ? c->y : f->y, y1 = c->y + c->h > f->y + f->h ? c->y + c->h : f->y + f->h;
	int x0 = c->x < f->x ? c->x : f->x, x1 = c->x + c->w > f->x + f->w ? c->x + c->w : f->x + f->w;
	int ox = (c->x + c->w < f->x + f->w ? c->x + c->w : f->x + f->w) - (c->x > f->x ? c->x : f->x);
	int oy = (c->y + c->h < f->y + f->h ? c->y + c->h : f->y + f->h) - (c->y > f->y ? c->y : f->y);
	if (y1 - y0 > 1.3 * c->h && y1 - y0 > 1.1 * href) return false;
	/* Wide is allowed (a 5's long bar): a wide candidate is also offered
	 * split, and the model decides. */
	if (x1 - x0 > 2 * (y1 - y0)) return false;
	if (oy > f->h / 2 && ox < f->w / 2) return false;
	return ink_gap(f, c, r) <= r;
}

/* The tallest candidate on c's line within a few of its heights: the
 * writing's height there (0 if c stands alone). */
static int line_height(const seg_cand *v, size_t n, const seg_cand *c)
{
	int best = 0, reach = 4 * c->h;
	for (size_t i = 0; i < n; i++) {
		const seg_cand *o = &v[i];
		if (o == c || !o->mask || o->x > c->x + c->w + reach || o->x + o->w < c->x - reach) continue;
		int cy = o->y + o->h / 2;
		if (cy < c->y || cy > c->y + c->h) continue;
		if (o->h > best) best = o->h;
	}
	return best;
}

/* Worth keeping as a possible piece of a digit: a stroke's worth of ink,
 * not dust, not a crumb left by ruling removal, not a dash of a dashed
 * rule (cc[i] among the page's n components). */
bool seg_is_fragment(const img_comp *cc, int n, int i, double h, const img_t *lines)
{
	const img_comp *k = &cc[i];
	int side = k->w > k->h ? k->w : k->h;
	if (k->area < 6 || side < 4 || side < 0.2 * h) return false;
	if (seg_touches_mask(lines, k->x - 1, k->y - 1, k->x + k->w + 1, k->y + k->h + 1)) return false;
	return !seg_dash(cc, n, i, h);
}

int seg_push_fragment(seg_cand **v, size_t *n, size_t *cap, const int32_t *labels, int lw, int label,
			 const img_comp *k)
{
	if (*n == *cap) {
		size_t nc = *cap * 2 + 16;
		seg_cand *nv = realloc(*v, nc * sizeof *nv);
		if (!nv) return -1;
		*v = nv;
		*cap = nc;
	}
	if (seg_cand_make(&(*v)[*n], labels, lw, label, k) < 0) return -1;
	(*n)++;
	return 0;
}

/* Each fragment joins the nearest candidate that takes it (fragment_joins),
 * or is dropped: a fragment never becomes a candidate of its own.  Passes
 * repeat while fragments join, so a stroke broken twice comes back whole.
 * v is sorted by x; spent fragments lose their mask. */
int seg_attach_fragments(seg_cand *v, size_t n, seg_cand *fr, size_t nfr)
{
	for (int pass = 0; pass < 3; pass++) {
		int maxw = 0, joined = 0;
		for (size_t i = 0; i < n; i++)
			if (v[i].w > maxw) maxw = v[i].w;
		for (size_t k = 0; k < nfr; k++) {
			seg_cand *f = &fr[k];
			if (!f->mask) continue;
			/* First candidate that could reach f from the left (binary search on x). */
			size_t lo = 0, hi = n;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				if (v[mid].x + 2 * maxw < f->x) lo = mid + 1;
				else hi = mid;
			}
			long best = -1;
			int bestd = 1 << 30;
			for (size_t i = lo; i < n && v[i].x <= f->x + f->w + maxw; i++) {
				const seg_cand *c = &v[i];
				int dx = c->x > f->x + f->w ? c->x - (f->x + f->w) : f->x > c->x + c->w ? f->x - (c->x + c->w) : 0;
				int dy = c->y > f->y + f->h ? c->y - (f->y + f->h) : f->y > c->y + c->h ? f->y - (c->y + c->h) : 0;
				int d = dx > dy ? dx : dy;
				/* A break is judged against the digit's height: the
				 * writing's on this line, when c is itself a piece. */
				if (d >= bestd || d > 0.3 * c->h + 2) continue;
				int lh = line_height(v, n, c), ref = lh < 2 * c->h ? lh : 2 * c->h;
				if (ref < c->h) ref = c->h;
				int r = (int)(0.15 * ref) > 2 ? (int)(0.15 * ref) : 2;
				if (d > r || !fragment_joins(c, f, lh, r)) continue;
				best = (long)i, bestd = d;
			}
			if (best < 0) continue;
			if (seg_cand_merge(&v[best], f) < 0) return -1;
			free(f->mask);
			f->mask = NULL;
			joined++;
		}
		if (!joined) break;
	}
	return 0;
}

/* Fragments left over that chain together (each within r of the next)
 * into something at least min_h tall: a digit broken all over by a fine
 * or faint pen, none of whose pieces is big enough alone.  Each such
 * chain of two or more becomes a candidate (SEG_MERGED) appended to *v;
 * fine print stays out, its letters standing side by side under min_h.
 * fr is sorted by x here; spent fragments lose their mask. */
int seg_chain_fragments(seg_cand *fr, size_t nfr, int r, double min_h, double max_h, seg_cand **v, size_t *n,
			   size_t *cap)
{
	if (nfr < 2) return 0;
	int *root = malloc(nfr * sizeof *root);
	if (!root) return -1;
	for (size_t i = 0; i < nfr; i++) root[i] = (int)i;
	qsort(fr, nfr, sizeof *fr, seg_cand_cmp_x);
	for (size_t i = 0; i < nfr; i++) {
		if (!fr[i].mask) continue;
		for (size_t j = i + 1; j < nfr && fr[j].x <= fr[i].x + fr[i].w + r; j++) {
			const seg_cand *a = &fr[i], *b = &fr[j];
			if (!b->mask || b->y > a->y + a->h + r || a->y > b->y + b->h + r) continue;
			if (ink_gap(a, b, r) > r) continue;
			int ra = (int)i, rb = (int)j;
			while (root[ra] != ra) ra = root[ra];
			while (root[rb] != rb) rb = root[rb];
			if (ra != rb) root[rb > ra ? rb : ra] = rb > ra ? ra : rb;
		}
	}
	int rc = 0;
	for (size_t i = 0; i < nfr && rc == 0; i++) {
		int ri = (int)i;
		while (root[ri] != ri) ri = root[ri];
		if (ri != (int)i || !fr[i].mask) continue;
		/* i is a chain's first member: gather the others into it. */
		seg_cand c = fr[i];
		int members = 1;
		for (size_t j = i + 1; j < nfr && rc == 0; j++) {
			int rj = (int)j;
			while (root[rj] != rj) rj = root[rj];
			if (rj != (int)i || !fr[j].mask) continue;
			if (seg_cand_merge(&c, &fr[j]) < 0) rc = -1;
			members++;
		}
		fr[i].mask = NULL;
		if (rc < 0 || members < 2 || c.h < min_h || c.h > max_h || c.w > 2 * c.h) {
			free(c.mask);
			continue;
		}
		if (*n == *cap) {
			size_t nc = *cap * 2 + 16;
			seg_cand *nv = realloc(*v, nc * sizeof *nv);
			if (!nv) {
				free(c.mask);
				rc = -1;
				break;
			}
			*v = nv;
			*cap = nc;
		}
		c.alt = -1;
		(*v)[(*n)++] = c;
	}
	free(root);
	return rc;
}
