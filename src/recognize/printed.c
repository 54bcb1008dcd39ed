/* printed.c: machine-printed lines of glyphs (account numbers, form numbers,
 * reference codes, printed amounts) told apart from handwriting by geometry.
 *
 * A printer repeats itself; a hand does not.  A run of four or more
 * neighbouring glyphs that share one height to a few per cent, stand on one
 * baseline, keep one stroke width and advance by a regular pitch is type.
 * Handwritten digits, even a careful writer's in comb cells, vary in height
 * and baseline by more than that.  The model cannot help here (a printed 7 is
 * a very good 7), which is why this is geometry only.
 *
 * A printer also repeats a glyph exactly: two candidates read as the same
 * digit whose 28x28 inputs are all but identical are type, however short
 * or irregular their group (a cheque number, the MICR line of a scan whose
 * heights the binarisation made uneven).  Different writers' digits never
 * come that close (at most 0.93 in cosine on our pages, against 0.96-1.0
 * for print), and a hand repeats itself less closely than a printer.  0 and
 * 1 are left out: a bar or a ring can be drawn alike twice.
 *
 * A field most of whose candidates belong to such runs is printed as a
 * whole (the odd symbol in a MICR line, a narrow 1 whose stroke measures
 * differently, go with it); a short group of glyphs on the same text line,
 * with the same height, baseline and stroke as a found run, is printed too
 * (the last group of an account number after a space).
 *
 * DIGITD_DEBUG_PRINTED=1 lists every run found on stderr. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "recognize/rec_internal.h"

#define RUN_MIN 4               /* glyphs in a run before it counts as type */
#define H_TOL 0.04              /* heights within this share of the run's */
#define W_TOL 0.12              /* widths (of glyphs wider than NARROW) likewise */
#define NARROW 0.5              /* a 1 or an l: narrower than this share of its height */
#define BASE_TOL 0.06           /* baseline step from the previous glyph, share of the height */
#define STROKE_TOL 1.25         /* stroke widths within this ratio */
#define PITCH_TOL 0.15          /* spread of centre-to-centre advances, share of the smallest */
#define MAX_PASSES 64          /* growth passes from the runs to their symbols */
#define FIELD_SHARE 0.5         /* share of a field in runs for the field to be print */
#define TWIN_COS 0.97           /* inputs this alike (cosine) are one typeface's glyph twice */

typedef struct {
	double h, base, stroke;
	double w;               /* mean width of the wide glyphs, 0 while none */
	int nw;
} glyph_ref;

static bool alike(const seg_digit *d, const glyph_ref *r)
{
	double htol = fmax(1.25, H_TOL * r->h), btol = fmax(1.5, BASE_TOL * r->h);
	double s = d->stroke > 0 ? d->stroke : 1e-3, rs = r->stroke > 0 ? r->stroke : 1e-3;
	/* Type sets digits in one width (tabular figures); a hand does not. */
	if (d->ww >= NARROW * d->wh && r->nw > 0 && fabs(d->ww - r->w) > fmax(1.5, W_TOL * r->w)) return false;
	return fabs(d->wh - r->h) <= htol && fabs(d->wy + d->wh - r->base) <= btol && s / rs <= STROKE_TOL &&
	       rs / s <= STROKE_TOL;
}

/* Is every glyph of field fd of the run r's face: height, width (wide
 * glyphs), stroke, and one baseline among themselves? */
static bool same_face(const seg_page *sp, const seg_field *fd, const glyph_ref *r)
{
	double htol = fmax(1.25, H_TOL * r->h), btol = fmax(1.5, BASE_TOL * r->h);
	double bmin = 1e30, bmax = -1e30;
	for (int j = fd->first; j < fd->first + fd->n; j++) {
		const seg_digit *d = &sp->digits[j];
		double s = d->stroke > 0 ? d->stroke : 1e-3, rs = r->stroke > 0 ? r->stroke : 1e-3;
		if (fabs(d->wh - r->h) > htol || s / rs > STROKE_TOL || rs / s > STROKE_TOL) return false;
		if (d->ww >= NARROW * d->wh && (r->nw == 0 || fabs(d->ww - r->w) > fmax(1.5, W_TOL * r->w))) return false;
		bmin = fmin(bmin, d->wy + d->wh);
		bmax = fmax(bmax, d->wy + d->wh);
	}
	return bmax - bmin <= btol;
}

/* Mark the runs of field fd; returns the number of candidates marked and
 * leaves one run's reference in *ref.  A run may step over one odd glyph
 * at a time (two touching glyphs read as one, a symbol) when the glyph
 * after it is in step again, two or three advances on. */
static int field_runs(const seg_page *sp, const seg_field *fd, bool *printed, glyph_ref *ref)
{
	int marked = 0;
	int end = fd->first + fd->n;
#define CX(d) ((d)->wx + (d)->ww / 2.0)
	for (int s = fd->first; s < end;) {
		const seg_digit *a = &sp->digits[s];
		glyph_ref r = { a->wh, a->wy + a->wh, a->stroke, 0, 0 };
		if (a->ww >= NARROW * a->wh) r.w = a->ww, r.nw = 1;
		double pmin = 1e30, pmax = 0;
		int last = s, matched = 1, skipped = 0;
		for (int e = s + 1; e < end; e++) {
			const seg_digit *b = &sp->digits[e], *p = &sp->digits[last];
			double pitch = CX(b) - CX(p);
			double nmin = fmin(pmin, pitch), nmax = fmax(pmax, pitch);
			bool in_step = alike(b, &r) && nmin > 0 && nmax - nmin <= 2 + PITCH_TOL * nmin;
			if (!in_step) {
				if (matched < 2 || e + 1 >= end || !alike(&sp->digits[e + 1], &r)) break;
				double mean = (pmin + pmax) / 2, d = CX(&sp->digits[e + 1]) - CX(p);
				if (d < 1.6 * mean || d > 3.4 * mean) break;
				skipped++;
				e++;
				b = &sp->digits[e];
			} else {
				pmin = nmin, pmax = nmax;
			}
			/* The reference follows the run, so a residual skew over a
			 * long line does not break it. */
			matched++;
			r.h += (b->wh - r.h) / matched;
			/* The baseline follows the last glyph: a line printed a
			 * little off the scan's axis climbs steadily. */
			r.base = b->wy + b->wh;
			r.stroke += (b->stroke - r.stroke) / matched;
			if (b->ww >= NARROW * b->wh) r.nw++, r.w += (b->ww - r.w) / r.nw;
			last = e;
		}
		if (matched >= RUN_MIN && skipped * 3 <= matched) {
			for (int j = s; j <= last; j++) {
				printed[j] = true;
				if (getenv("DIGITD_DEBUG_PRINTED")) {
					const seg_digit *q = &sp->digits[j];
					fprintf(stderr, "PRINTED run %d: page %d,%d work %d,%d %dx%d bottom %d stroke %.2f\n", s,
						q->x, q->y, q->wx, q->wy, q->ww, q->wh, q->wy + q->wh, q->stroke);
				}
			}
			marked += last - s + 1;
			*ref = r;
			s = last + 1;
		} else {
			s++;
		}
	}
#undef CX
	return marked;
}

bool rec_typeset_field(const seg_page *sp, const seg_field *fd)
{
	if (fd->n < 2) return false;
	glyph_ref r = { 0 };
	for (int j = fd->first; j < fd->first + fd->n; j++) {
		const seg_digit *d = &sp->digits[j];
		r.h += d->wh;
		r.stroke += d->stroke;
		if (d->ww >= NARROW * d->wh) r.w += d->ww, r.nw++;
	}
	r.h /= fd->n;
	r.stroke /= fd->n;
	if (r.nw > 0) r.w /= r.nw;
	return same_face(sp, fd, &r);
}

/* Are a and b the same glyph printed twice: read as the same digit (not 0
 * or 1), side by side rather than overlapping, one height and baseline,
 * and their inputs alike to TWIN_COS? */
static bool twins(const seg_digit *a, const seg_digit *b, int la, int lb)
{
	if (la != lb || la <= 1) return false;
	if (a->wx < b->wx + b->ww && b->wx < a->wx + a->ww && a->wy < b->wy + b->wh && b->wy < a->wy + a->wh) return false;
	double h = fmax(a->wh, b->wh);
	if (abs(a->wh - b->wh) > 0.1 * h || abs(a->wy + a->wh - b->wy - b->wh) > 0.25 * h) return false;
	long aa = 0, bb = 0, ab = 0;
	for (int k = 0; k < SEG_PIXELS; k++) aa += a->img[k] * a->img[k], bb += b->img[k] * b->img[k], ab += a->img[k] * b->img[k];
	return aa > 0 && bb > 0 && (double)ab >= TWIN_COS * sqrt((double)aa * (double)bb);
}

typedef struct {
	int line, label, i;
} twin_key;

static int by_line_label(const void *a, const void *b)
{
	const twin_key *x = a, *y = b;
	if (x->line != y->line) return x->line < y->line ? -1 : 1;
	if (x->label != y->label) return x->label < y->label ? -1 : 1;
	return x->i - y->i;
}

/* Fields holding a glyph whose twin is on the same text line: twin[f],
 * with the twins' face in refs[f] for the rest of the line.  Glyphs are grouped by line and digit read; each is compared
 * with at most TWIN_TRIES others of its group, so a page of noise stays
 * cheap. */
#define TWIN_TRIES 32
static void find_twins(const seg_page *sp, const int *line, const float *probs, int classes, bool *twin,
		       glyph_ref *refs)
{
	size_t n = sp->ndigits;
	twin_key *key = malloc(sizeof *key * (n + 1));
	if (!key) return;       /* no verdict is a safe answer */
	for (size_t i = 0; i < n; i++) {
		const seg_digit *d = &sp->digits[i];
		key[i] = (twin_key){ line[d->field], rec_top_label(probs + (size_t)d->tag * (size_t)classes), (int)i };
	}
	qsort(key, n, sizeof *key, by_line_label);
	for (size_t a = 0; a < n; a++) {
		const seg_digit *x = &sp->digits[key[a].i];
		for (size_t b = a + 1; b < n && b <= a + TWIN_TRIES; b++) {
			if (key[b].line != key[a].line || key[b].label != key[a].label) break;
			const seg_digit *y = &sp->digits[key[b].i];
			if (!twins(x, y, key[a].label, key[b].label)) continue;
			glyph_ref r = { (x->wh + y->wh) / 2.0, (x->wy + x->wh + y->wy + y->wh) / 2.0, (x->stroke + y->stroke) / 2, 0, 0 };
			if (x->ww >= NARROW * x->wh) r.w = (x->ww + y->ww) / 2.0, r.nw = 1;
			const int fs[2] = { x->field, y->field };
			for (int k = 0; k < 2; k++)
				if (!twin[fs[k]]) twin[fs[k]] = true, refs[fs[k]] = r;
			if (getenv("DIGITD_DEBUG_PRINTED"))
				fprintf(stderr, "PRINTED twins %d: page %d,%d %dx%d and %d,%d %dx%d\n", key[a].label, x->x, x->y, x->w,
					x->h, y->x, y->y, y->w, y->h);
		}
	}
	free(key);
}

void rec_find_printed(const seg_page *sp, const int *line, const float *probs, int classes, bool *printed)
{
	size_t nf = sp->nfields;
	glyph_ref *refs = calloc(nf + 1, sizeof *refs);
	bool *is_print = calloc(nf + 1, sizeof *is_print), *has_run = calloc(nf + 1, sizeof *has_run);
	bool *line_run = calloc(nf + 1, sizeof *line_run);      /* by line (its first field) */
	bool *seeds = calloc(nf + 1, sizeof *seeds);            /* a run or twins: a reference for its line */
	bool *twin = calloc(nf + 1, sizeof *twin);
	glyph_ref *twin_refs = calloc(nf + 1, sizeof *twin_refs);
	for (size_t i = 0; i < sp->ndigits; i++) printed[i] = false;
	if (!refs || !is_print || !has_run || !line_run || !seeds || !twin || !twin_refs) goto out;      /* no verdict is a safe answer */
	for (size_t f = 0; f < nf; f++) {
		const seg_field *fd = &sp->fields[f];
		int m = field_runs(sp, fd, printed, &refs[f]);
		has_run[f] = m > 0;
		if (m > 0) line_run[line[f]] = true;
		if (m > 0 && m >= FIELD_SHARE * fd->n) {
			is_print[f] = true;
			for (int j = fd->first; j < fd->first + fd->n; j++) printed[j] = true;
		}
	}
	/* Twins: their fields are print as a whole, and seed their lines like
	 * a run (not the page's typefaces: two glyphs are no measure of a
	 * face).  A field with a run keeps the run's reference. */
	find_twins(sp, line, probs, classes, twin, twin_refs);
	for (size_t f = 0; f < nf; f++) {
		seeds[f] = has_run[f];
		if (!twin[f] || is_print[f]) continue;
		const seg_field *fd = &sp->fields[f];
		is_print[f] = seeds[f] = true;
		if (!has_run[f]) refs[f] = twin_refs[f];
		line_run[line[f]] = true;
		for (int j = fd->first; j < fd->first + fd->n; j++) printed[j] = true;
	}
	/* Short groups on a printed line: most of their glyphs like the run's. */
	for (size_t f = 0; f < nf; f++) {
		if (is_print[f]) continue;
		const seg_field *fd = &sp->fields[f];
		for (size_t g = 0; g < nf; g++) {
			if (!is_print[g] || line[g] != line[f]) continue;
			int like = 0;
			for (int j = fd->first; j < fd->first + fd->n; j++) like += alike(&sp->digits[j], &refs[g]);
			if (like * 2 > fd->n) {
				for (int j = fd->first; j < fd->first + fd->n; j++) printed[j] = true;
				break;
			}
		}
	}
	/* The page's typefaces: a short group elsewhere (a price cut in two by
	 * its decimal point, a page number) set in the very face and size of a
	 * run found on this page: every glyph of the group as tall, as wide
	 * and in the same stroke as the run's, on one baseline. */
	for (size_t f = 0; f < nf; f++) {
		const seg_field *fd = &sp->fields[f];
		if (fd->n < 2 || printed[fd->first]) continue;
		for (size_t g = 0; g < nf; g++) {
			if (!has_run[g]) continue;
			if (same_face(sp, fd, &refs[g])) {
				for (int j = fd->first; j < fd->first + fd->n; j++) printed[j] = true;
				break;
			}
		}
	}
	/* The print's own symbols and odd glyphs (a MICR line's transit and
	 * on-us marks, a font's shorter 1, a bracket), grown out from the runs
	 * glyph by glyph: on the line, across the run's band, within a glyph
	 * height of printed ink, no taller than one and a half glyphs, in the
	 * same stroke. */
	/* Each pass grows every chain by at least a glyph; a bound keeps a
	 * pathological page linear. */
	for (int pass = 0, grew = 1; grew && pass < MAX_PASSES; pass++) {
		grew = 0;
		for (size_t f = 0; f < nf; f++) {
			if (!line_run[line[f]]) continue;
			const seg_field *fd = &sp->fields[f];
			for (int j = fd->first; j < fd->first + fd->n; j++) {
				if (printed[j]) continue;
				const seg_digit *d = &sp->digits[j];
				for (size_t g = 0; g < nf && !printed[j]; g++) {
					if (!seeds[g] || line[g] != line[f]) continue;
					const glyph_ref *r = &refs[g];
					if (d->wh < 0.8 * r->h || d->wh > 1.7 * r->h) continue;
					double ov = fmin(d->wy + d->wh, r->base) - fmax(d->wy, r->base - r->h);
					double sr = d->stroke > r->stroke ? d->stroke / fmax(r->stroke, 1e-3)
									  : r->stroke / fmax(d->stroke, 1e-3);
					if (ov < 0.8 * r->h || sr > 1.5) continue;
					for (size_t f2 = 0; f2 < nf && !printed[j]; f2++) {
						if (line[f2] != line[f]) continue;
						const seg_field *o = &sp->fields[f2];
						for (int k = o->first; k < o->first + o->n; k++) {
							if (!printed[k]) continue;
							const seg_digit *p = &sp->digits[k];
							double gap = p->wx > d->wx ? p->wx - (d->wx + d->ww) : d->wx - (p->wx + p->ww);
							if (gap <= r->h) {
								printed[j] = true;
								grew = 1;
								break;
							}
						}
					}
				}
			}
		}
	}
out:
	free(refs);
	free(is_print);
	free(has_run);
	free(line_run);
	free(seeds);
	free(twin);
	free(twin_refs);
}
