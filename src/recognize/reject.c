/* reject.c: what is not a handwritten digit leaves before anything is
 * reported: printed words, headings, signatures, marks.
 *
 * MNIST has no negatives, so a 10-class model reads a letter as some digit;
 * rejection therefore leans on the page as well as on the model:
 *  - the model's own "not a digit" class, when it has one (11 outputs);
 *  - text-line analysis per field: a field whose candidates the model finds
 *    unconvincing is text or scribble; a field where several candidates
 *    stand at x-height is lower-case writing (digits, printed or written,
 *    are all as tall as capitals);
 *  - size: handwriting is larger than the print around it on nearly every
 *    form, so a candidate much smaller than the page's convincing writing
 *    is print;
 *  - place: a lone mark in the outer margin is a hole or a bullet;
 *  - print: runs of glyphs of one height, baseline, stroke and pitch are
 *    type (printed.c), however good the digits they read as.
 * Rules are relative (to the field, to the page), never absolute pixels.
 *
 * With a verifier beside the model (verify.h) these rules no longer decide:
 * their verdicts are features, with the page-trained network's output and
 * the candidate's size and shape, and the verifier's calibrated probability
 * keeps, flags or drops; only the model's reject class and slashes still
 * drop on their own.  What is dropped from a field that may have held a
 * number becomes an unread region.  Without one, the rules decide, and a
 * field dropped for its size alone is kept and flagged (rescue_small). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recognize/rec_internal.h"
#include "recognize/verify.h"
#include "util/order.h"

#define FIELD_MIN_MEAN 0.75     /* mean top probability of a field's digits */
#define FIELD_MAX_WEAK 0.5     /* share of digits under WEAK */
#define WEAK 0.6f              /* a digit's top probability, reject mass included, under this is weak */
#define SINGLE_MIN 0.85         /* a lone candidate must be at least this convincing */
#define XHEIGHT 0.75            /* shorter than this share of the field's tall ones */
#define XHEIGHT_SHARE 0.3
#define WORD_SPACE 1.0          /* words of one line stand closer than this share of the tall letters */
#define SMALL 0.65              /* share of the page's writing height */
#define WRITING_Q 0.85          /* the writing height: this quantile of surviving candidates */
#define MARGIN 0.06             /* outer margin, share of the page's width or height */
#define SURE_ONE 0.9            /* a slash-like stroke stays a digit when this sure it is a 1 */
#define SURE 0.95               /* a digit the model is sure of is not a letter */
#define REJECT_MIN 0.8          /* the reject class must also be this sure to drop a candidate */
#define WORD_LETTER 0.4         /* a letter beside a number: at least this share of its height */
#define WORD_LETTERS 2          /* this many letters beside a number make a word */

/* How convincing a candidate is as a digit, given that it is one: with a
 * reject class, the top digit's share of the digit classes' mass (the
 * reject class is judged on its own, candidate by candidate). */
static float top_of(const seg_page *sp, size_t i, const float *probs, int classes)
{
	const float *p = probs + (size_t)sp->digits[i].tag * (size_t)classes;
	float t = rec_top_digit(p);
	if (classes > NN_CLASS_REJECT) {
		float digits = 1.0f - p[NN_CLASS_REJECT];
		t = digits > 1e-6f ? t / digits : 0.0f;
	}
	return t;
}

/* Convincing as a digit: a clear top digit, and (with a reject class) the
 * reject class unlikely. */
static bool sure_digit(const seg_page *sp, size_t i, const float *probs, int classes)
{
	const float *p = probs + (size_t)sp->digits[i].tag * (size_t)classes;
	if (classes > NN_CLASS_REJECT && p[NN_CLASS_REJECT] > 0.2f) return false;
	return top_of(sp, i, probs, classes) >= SURE;
}

/* A field is judged on the candidates still standing: a "$" or a dash
 * the reject class already took out says nothing about the digits beside
 * it.  But when most of a field went that way, it is text, and what is
 * left of it (an l, an o) goes too. */
static unsigned judge_field(const seg_page *sp, const seg_field *fd, const float *probs, int classes,
			    const unsigned *dropped)
{
	int weak = 0, n = 0;
	double sum = 0;
	for (int j = fd->first; j < fd->first + fd->n; j++) {
		if (dropped[j] & (REC_DROP_CLASS | REC_DROP_PRINTED)) continue;
		float t = top_of(sp, (size_t)j, probs, classes);
		/* Weak on the model's unconditional word: a candidate it finds
		 * hardly a digit at all (reject mass) is as weak as one it
		 * hesitates over between two digits. */
		weak += rec_top_digit(probs + (size_t)sp->digits[j].tag * (size_t)classes) < WEAK;
		sum += t;
		n++;
	}
	unsigned why = 0;
	if (n * 2 < fd->n) return REC_DROP_WEAK;
	double mean = n ? sum / n : 0;
	if (n >= 2 ? (mean < FIELD_MIN_MEAN || weak > FIELD_MAX_WEAK * n) : mean < SINGLE_MIN)
		why |= REC_DROP_WEAK;
	/* A lone mark in the page's outer margin: punch holes, bullets, binding
	 * and staple marks; nobody writes a number there. */
	if (fd->n == 1) {
		const seg_digit *d = &sp->digits[fd->first];
		int cx = d->wx + d->ww / 2, cy = d->wy + d->wh / 2;
		if (cx < MARGIN * sp->work_w || cx > (1 - MARGIN) * sp->work_w || cy < MARGIN * sp->work_h ||
		    cy > (1 - MARGIN) * sp->work_h)
			why |= REC_DROP_MARGIN;
	}
	return why;
}

/* Text lines: fields side by side on one baseline, whatever their sizes
 * (fields split letters at x-height from ascenders, lines do not).
 * line[f] gets the index of the first field of f's line. */
/* Union-find over fields; a root is always its set's smallest index. */
static int root(int *parent, int f)
{
	while (parent[f] != f) {
		parent[f] = parent[parent[f]];
		f = parent[f];
	}
	return f;
}

static void find_lines(const seg_page *sp, int *line)
{
	/* A field's baseline and size: medians over its candidates, so one
	 * descender or a tall box does not move it. */
	int *base = malloc(sizeof(int) * (sp->nfields + 1)), *mh = malloc(sizeof(int) * (sp->nfields + 1));
	for (size_t f = 0; f < sp->nfields; f++) line[f] = (int)f;
	if (!base || !mh) goto out;
	for (size_t f = 0; f < sp->nfields; f++) {
		const seg_field *fd = &sp->fields[f];
		int b[64], h[64], k = 0;
		for (int j = fd->first; j < fd->first + fd->n && k < 64; j++, k++)
			b[k] = sp->digits[j].wy + sp->digits[j].wh, h[k] = sp->digits[j].wh;
		base[f] = order_median_int(b, (size_t)k);
		mh[f] = order_median_int(h, (size_t)k);
	}
	for (size_t a = 0; a < sp->nfields; a++)
		for (size_t b = a + 1; b < sp->nfields; b++) {
			const seg_field *A = &sp->fields[a], *B = &sp->fields[b];
			int maxh = mh[a] > mh[b] ? mh[a] : mh[b];
			int gap = A->x < B->x ? B->x - (A->x + A->w) : A->x - (B->x + B->w);
			if (abs(base[a] - base[b]) > maxh / 3 || gap > 1.5 * maxh) continue;
			int ra = root(line, (int)a), rb = root(line, (int)b);
			if (ra != rb) line[ra > rb ? ra : rb] = ra < rb ? ra : rb;
		}
	/* Flatten: every field points at its line's first field. */
	for (size_t f = 0; f < sp->nfields; f++) line[f] = root(line, (int)f);
out:
	free(base);
	free(mh);
}

/* Lower-case words: a line whose heights fall into two groups, letters at
 * x-height (half to four fifths of the tall ones) and ascenders/capitals,
 * both well represented.  Digits have one height; a single outlier, or
 * print much smaller than the handwriting beside it, is not enough.  The
 * fields dropped are those within the words' size band. */
static void judge_lines(const seg_page *sp, const int *line, const float *probs, int classes, unsigned *why)
{
	int *hs = malloc(sizeof(int) * (sp->ndigits + 1));
	bool *word = calloc(sp->nfields + 1, sizeof *word);
	if (!hs || !word) {
		free(hs);
		free(word);
		return; /* no verdict is a safe answer */
	}
	for (size_t l = 0; l < sp->nfields; l++) {
		if (line[l] != (int)l) continue;
		int k = 0;
		for (size_t f = l; f < sp->nfields; f++) {
			if (line[f] != (int)l) continue;
			const seg_field *fd = &sp->fields[f];
			/* Narrow marks (an i, an l, a 1, a box's side) say nothing
			 * about x-height: only letters with some width are measured. */
			for (int j = fd->first; j < fd->first + fd->n; j++)
				if (sp->digits[j].ww * 3 > sp->digits[j].wh) hs[k++] = sp->digits[j].wh;
		}
		if (k < 4) continue;
		qsort(hs, (size_t)k, sizeof *hs, order_int);
		/* The tall group: the most common height among the taller half. */
		double tall = hs[k * 8 / 10];
		/* The baseline: median bottom of the tall ones.  Letters at
		 * x-height stand on it; marks below or above it do not count. */
		int nb = 0;
		for (size_t f = l; f < sp->nfields; f++) {
			if (line[f] != (int)l) continue;
			const seg_field *fd = &sp->fields[f];
			for (int j = fd->first; j < fd->first + fd->n; j++) {
				const seg_digit *d = &sp->digits[j];
				if (d->ww * 3 > d->wh && d->wh >= 0.9 * tall && d->wh <= 1.15 * tall) hs[nb++] = d->wy + d->wh;
			}
		}
		if (nb < 2) continue;
		int base = order_median_int(hs, (size_t)nb);
		int shorter = 0, tall_n = nb;
		for (size_t f = l; f < sp->nfields; f++) {
			if (line[f] != (int)l) continue;
			const seg_field *fd = &sp->fields[f];
			for (int j = fd->first; j < fd->first + fd->n; j++) {
				const seg_digit *d = &sp->digits[j];
				if (d->ww * 3 <= d->wh) continue;
				/* A letter, not a small digit: the model must not be
				 * sure it is a digit. */
				bool x = d->wh < XHEIGHT * tall && d->wh >= 0.5 * tall && abs(d->wy + d->wh - base) <= 0.15 * tall &&
					 !sure_digit(sp, (size_t)j, probs, classes);
				shorter += x;
				word[f] |= x;
			}
		}
		if (shorter < 3 || tall_n < 2 || shorter < XHEIGHT_SHARE * (shorter + tall_n)) continue;
		/* The words: fields holding x-height letters, and, word after
		 * word, the fields a word space away from them (a word the model
		 * happens to read as sure digits is still part of the sentence).
		 * A number standing apart on the line, a date after its label,
		 * is not a word: the other rules judge it. */
		for (bool grew = true; grew;) {
			grew = false;
			for (size_t f = l; f < sp->nfields; f++) {
				if (line[f] != (int)l || word[f]) continue;
				const seg_field *fd = &sp->fields[f];
				for (size_t g = l; g < sp->nfields && !word[f]; g++) {
					if (g == f || line[g] != (int)l || !word[g]) continue;
					const seg_field *o = &sp->fields[g];
					int gap = o->x < fd->x ? fd->x - (o->x + o->w) : o->x - (fd->x + fd->w);
					if (gap < WORD_SPACE * tall) word[f] = grew = true;
				}
			}
		}
		for (size_t f = l; f < sp->nfields; f++) {
			if (line[f] != (int)l || !word[f]) continue;
			const seg_field *fd = &sp->fields[f];
			/* A field of tall, convincing digits only, not touching the
			 * words, is a number beside them (letters of one word stand
			 * closer than a quarter of their height). */
			bool in_band = true, all_tall = fd->n >= 2;
			double sum = 0;
			for (int j = fd->first; j < fd->first + fd->n; j++) {
				in_band &= sp->digits[j].wh <= 1.15 * tall;
				all_tall &= sp->digits[j].wh >= 0.85 * tall;
				sum += top_of(sp, (size_t)j, probs, classes);
			}
			int near = 1 << 30;
			for (size_t g = l; g < sp->nfields; g++) {
				if (g == f || line[g] != (int)l) continue;
				const seg_field *o = &sp->fields[g];
				int gap = o->x < fd->x ? fd->x - (o->x + o->w) : o->x - (fd->x + fd->w);
				if (gap < near) near = gap;
			}
			if (all_tall && sum / fd->n >= 0.95 && near >= 0.25 * tall) continue;
			if (in_band)
				for (int j = fd->first; j < fd->first + fd->n; j++) why[j] |= REC_DROP_LOWER;
		}
	}
	free(hs);
	free(word);
}

/* A kept candidate right beside marks dropped as text or scribble (the
 * model's reject class, an unconvincing field, x-height words) on its own
 * line may be a letter of them read as a digit: worth a look.  Print and
 * size drops are not counted: a label before a number is normal. */
static void text_near(const seg_page *sp, const int *line, const unsigned *why, rec_cand *cands)
{
	for (size_t f = 0; f < sp->nfields; f++) {
		const seg_field *fd = &sp->fields[f];
		for (int j = fd->first; j < fd->first + fd->n; j++) {
			const seg_digit *d = &sp->digits[j];
			if (why[j]) continue;
			for (size_t g = 0; g < sp->nfields; g++) {
				if (line[g] != line[f]) continue;
				const seg_field *o = &sp->fields[g];
				for (int k = o->first; k < o->first + o->n; k++) {
					if (!(why[k] & (REC_DROP_CLASS | REC_DROP_WEAK | REC_DROP_LOWER))) continue;
					const seg_digit *e = &sp->digits[k];
					int gap = e->wx > d->wx ? e->wx - (d->wx + d->ww) : d->wx - (e->wx + e->ww);
					if (gap < 0.5 * d->wh) cands[d->tag].why |= REC_FLAG_TEXTNEAR;
				}
			}
		}
	}
}

/* A word's letters beside a number, as they grow out from it: a box
 * standing on the number's baseline (or descending from it), at least
 * WORD_LETTER of its height and no taller than a capital, within a word
 * space of what is already in the word.  Grows [*x0, *x1]; true if it did. */
static bool grow_word(int x, int y, int w, int h, double fh, double base, double *x0, double *x1)
{
	double bottom = y + h;
	if (h < WORD_LETTER * fh || h > 1.25 * fh || bottom < base - 0.25 * fh || bottom > base + 0.5 * fh) return false;
	if (x >= *x0 && x + w <= *x1) return false;     /* already in the word */
	double gap = x >= *x1 ? x - *x1 : *x0 - (x + w);
	if (gap > WORD_SPACE * fh) return false;
	*x0 = fmin(*x0, x), *x1 = fmax(*x1, x + w);
	return true;
}

/* Does a word go on beside field fd?  Its letters are the marks too small
 * to be candidates (fine print's lower case and small script's x-height
 * letters fall under the candidates' floor, so their line looks empty to
 * every other rule here) and candidates the model does not vouch for as
 * digits (a capital); WORD_LETTERS of them make a word.  Sure digits (the
 * rest of a date, a capital O) carry the word on but are no letters; a
 * speck of dust is neither as tall nor in a row. */
static bool word_beside(const seg_page *sp, const seg_field *fd, const float *probs, int classes)
{
	int h[64], b[64], k = 0;
	for (int j = fd->first; j < fd->first + fd->n && k < 64; j++, k++)
		h[k] = sp->digits[j].wh, b[k] = sp->digits[j].wy + sp->digits[j].wh;
	double fh = order_median_int(h, (size_t)k), base = order_median_int(b, (size_t)k);
	const seg_digit *first = &sp->digits[fd->first], *last = &sp->digits[fd->first + fd->n - 1];
	double x0 = first->wx, x1 = last->wx + last->ww;
	int letters = 0;
	for (bool grew = true; grew && letters < WORD_LETTERS;) {
		grew = false;
		for (size_t m = 0; m < sp->nmarks; m++) {
			const seg_mark *e = &sp->marks[m];
			if (grow_word(e->x, e->y, e->w, e->h, fh, base, &x0, &x1)) letters++, grew = true;
		}
		for (size_t i = 0; i < sp->ndigits; i++) {
			const seg_digit *d = &sp->digits[i];
			if (d->field == first->field || !grow_word(d->wx, d->wy, d->ww, d->wh, fh, base, &x0, &x1)) continue;
			letters += !sure_digit(sp, i, probs, classes);
			grew = true;
		}
	}
	return letters >= WORD_LETTERS;
}

/* A number written small (a tight box, a hurried note) standing on its
 * own line: with a reject class the model can vouch for it, every digit
 * sure and none likely print or scribble; it is kept but flagged
 * (REC_FLAG_SMALL), since small print on a line of its own passes too.  Small print comes in lines of
 * text, labels and symbols, so a line holding anything dropped as text,
 * print or a non-digit keeps the rule; so does a lone mark. */
static bool small_but_sure(const seg_page *sp, const int *line, size_t f, const unsigned *why, const float *probs,
			   int classes)
{
	const seg_field *fd = &sp->fields[f];
	if (classes <= NN_CLASS_REJECT || fd->n < 2) return false;
	/* A short number as regular as type ("25", "0044" beside a label):
	 * small print, which the model is surest of. */
	if (rec_typeset_field(sp, fd)) return false;
	/* A number inside a line of small text: its lower-case letters are
	 * marks, not candidates, and would not show as text below. */
	if (word_beside(sp, fd, probs, classes)) return false;
	for (int j = fd->first; j < fd->first + fd->n; j++)
		if (!sure_digit(sp, (size_t)j, probs, classes)) return false;
	for (size_t g = 0; g < sp->nfields; g++) {
		if (g == f || line[g] != line[f]) continue;
		const seg_field *o = &sp->fields[g];
		for (int k = o->first; k < o->first + o->n; k++)
			if (why[k] & (REC_DROP_CLASS | REC_DROP_WEAK | REC_DROP_LOWER | REC_DROP_PRINTED)) return false;
	}
	return true;
}

/* Cents written small after their amount: a small field of convincing
 * digits right after a surviving field of full-size writing on its line. */
static bool small_cents(const seg_page *sp, const int *line, size_t f, const unsigned *why, double small,
			const float *probs, int classes)
{
	const seg_field *fd = &sp->fields[f];
	double sum = 0;
	for (int j = fd->first; j < fd->first + fd->n; j++) sum += top_of(sp, (size_t)j, probs, classes);
	if (sum < SURE * fd->n) return false;
	for (size_t g = 0; g < sp->nfields; g++) {
		const seg_field *o = &sp->fields[g];
		if (g == f || line[g] != line[f] || why[o->first] || o->x >= fd->x) continue;
		/* The amount: most of its digits at full size (not one tall
		 * symbol of a printed line). */
		int big = 0, hmax = 0;
		for (int j = o->first; j < o->first + o->n; j++) {
			big += sp->digits[j].wh >= small;
			if (sp->digits[j].wh > hmax) hmax = sp->digits[j].wh;
		}
		const seg_digit *last = &sp->digits[o->first + o->n - 1], *first = &sp->digits[fd->first];
		int gap = first->wx - (last->wx + last->ww);
		if (big * 2 > o->n && gap <= hmax) return true;
	}
	return false;
}

/* Soft drop reasons as the flags a person reads when the verifier keeps
 * the candidate anyway. */
static unsigned soft_flags(unsigned drop)
{
	unsigned f = 0;
	if (drop & REC_DROP_SMALL) f |= REC_FLAG_SMALL;
	if (drop & REC_DROP_WEAK) f |= REC_FLAG_WEAKFIELD;
	if (drop & REC_DROP_LOWER) f |= REC_FLAG_WORDLIKE;
	if (drop & REC_DROP_MARGIN) f |= REC_FLAG_MARGIN;
	if (drop & REC_DROP_PRINTED) f |= REC_FLAG_PRINTLIKE;
	return f;
}

/* What the model and the page say about candidate i, as verify.h's
 * features.  H: the page's writing height; fh: its field's median height;
 * stroke: the page's median stroke width. */
static void features(const seg_page *sp, size_t i, const float *probs, const float *vprobs, int classes,
		     unsigned drop, double H, double fh, double stroke, double field_top, bool typeset, bool word, float *f)
{
	const seg_digit *d = &sp->digits[i];
	const seg_field *fd = &sp->fields[d->field];
	const float *p = probs + (size_t)d->tag * (size_t)classes;
	f[REC_FEAT_TOP] = rec_top_digit(p);
	f[REC_FEAT_REJECT] = classes > NN_CLASS_REJECT ? p[NN_CLASS_REJECT] : 0.0f;
	f[REC_FEAT_TOP_COND] = top_of(sp, i, probs, classes);
	f[REC_FEAT_LOG_PAGE_H] = (float)log((d->wh + 1.0) / (H + 1.0));
	f[REC_FEAT_FIELD_H] = (float)(d->wh / (fh > 0 ? fh : 1.0));
	f[REC_FEAT_ASPECT] = (float)((double)d->ww / (d->wh > 0 ? d->wh : 1));
	f[REC_FEAT_STROKE] = (float)(d->stroke / (stroke > 0 ? stroke : 1.0));
	f[REC_FEAT_DENSITY] = (float)((double)d->area / ((double)d->ww * d->wh > 0 ? (double)d->ww * d->wh : 1.0));
	f[REC_FEAT_FIELD_N] = (float)((fd->n < 8 ? fd->n : 8) / 8.0);
	f[REC_FEAT_FIELD_TOP] = (float)field_top;
	f[REC_FEAT_PRINTED] = (drop & REC_DROP_PRINTED) != 0;
	f[REC_FEAT_TYPESET] = typeset;
	f[REC_FEAT_LOWER] = (drop & REC_DROP_LOWER) != 0;
	f[REC_FEAT_MARGIN] = (drop & REC_DROP_MARGIN) != 0;
	f[REC_FEAT_WORD] = word;
	f[REC_FEAT_PIECE] = (d->why & (SEG_SPLIT | SEG_MERGED)) != 0;
	f[REC_FEAT_PAGE_REJECT] = vprobs ? vprobs[(size_t)d->tag * (NN_CLASS_REJECT + 1) + NN_CLASS_REJECT] : 0.0f;
}

/* A field written smaller than the page's writing is kept, flagged SMALL,
 * when nothing but its size speaks against it: no other rule dropped any of
 * its candidates, the model reads them as digits (mean top_cond at least
 * RESCUE_MEAN), and it is not as regular as type nor part of a word.  People
 * write a date small and an amount large on one cheque, a row on ruled paper
 * smaller than the row above: dropping those fields lost 57 % of the
 * digits missed on the independent set.  Small print that passes comes out
 * flagged, never accepted.  Only with a reject class: a 10-class model
 * reads every printed glyph as a sure digit (cheque-01 with lenet5.model:
 * 21 more digits, all print). */
#define RESCUE_MEAN 0.9

static void rescue_small(const seg_page *sp, int classes, const unsigned *why, const double *ftop,
			 const bool *typeset, const bool *word, bool *kept)
{
	if (classes <= NN_CLASS_REJECT) return;
	for (size_t f = 0; f < sp->nfields; f++) {
		const seg_field *fd = &sp->fields[f];
		bool small = false, other = false;
		for (int j = fd->first; j < fd->first + fd->n; j++) {
			small |= (why[j] & REC_DROP_SMALL) != 0;
			other |= (why[j] & ~(unsigned)REC_DROP_SMALL) != 0;
		}
		kept[f] = small && !other && ftop[f] >= RESCUE_MEAN && !typeset[f] && !word[f];
	}
}

/* Grow the list of unread regions by one. */
static int push_unread(rec_unread **v, size_t *n, const rec_unread *u)
{
	rec_unread *nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (!nv) return -1;
	*v = nv;
	(*v)[(*n)++] = *u;
	return 0;
}

int rec_reject(seg_page *sp, const float *probs, const float *vprobs, int classes, const rec_verifier *ver,
	       rec_cand *cands, rec_unread **unread, size_t *nunread, img_err *err)
{
	size_t n = sp->ndigits;
	unsigned *why = calloc(n + 1, sizeof *why);
	bool *keep = malloc(n + 1);
	int *hs = malloc(sizeof(int) * (n + 1));
	float *fs = malloc(sizeof(float) * (n + 1));
	int *line = malloc(sizeof(int) * (sp->nfields + 1));
	double *fh = malloc(sizeof(double) * (sp->nfields + 1)), *ftop = malloc(sizeof(double) * (sp->nfields + 1));
	bool *typeset = calloc(sp->nfields + 1, sizeof *typeset), *word = calloc(sp->nfields + 1, sizeof *word);
	bool *small_field_kept = calloc(sp->nfields + 1, sizeof *small_field_kept);
	int rc = -1;
	if (!why || !keep || !hs || !fs || !line || !fh || !ftop || !typeset || !word || !small_field_kept) goto oom;
	for (size_t i = 0; i < n; i++) {
		const float *p = probs + (size_t)sp->digits[i].tag * (size_t)classes;
		if (classes > NN_CLASS_REJECT && p[NN_CLASS_REJECT] > rec_top_digit(p) && p[NN_CLASS_REJECT] > REJECT_MIN) why[i] |= REC_DROP_CLASS;
		/* A stroke that might be a slash: a slash unless the model is
		 * sure it is a 1 (reject mass counting against it); as a slash
		 * it separates the groups around it. */
		if (sp->digits[i].why & SEG_SLASHLIKE) {
			if (p[1] < SURE_ONE) {
				const seg_digit *d = &sp->digits[i];
				seg_sep *ns = realloc(sp->seps, (sp->nseps + 1) * sizeof *ns);
				if (!ns) goto oom;
				sp->seps = ns;
				sp->seps[sp->nseps++] = (seg_sep){ d->wx, d->wy, d->ww, d->wh, SEG_SEP_SLASH };
				why[i] |= REC_DROP_SLASH;
			}
		}
	}
	find_lines(sp, line);
	judge_lines(sp, line, probs, classes, why);
	/* keep doubles as scratch for the printed verdicts; reset below. */
	rec_find_printed(sp, line, probs, classes, keep);
	for (size_t i = 0; i < n; i++)
		if (keep[i]) why[i] |= REC_DROP_PRINTED;
	for (size_t f = 0; f < sp->nfields; f++) {
		const seg_field *fd = &sp->fields[f];
		unsigned w = judge_field(sp, fd, probs, classes, why);
		for (int j = fd->first; j < fd->first + fd->n; j++) why[j] |= w;
	}
	/* The page's writing height: a high quantile of what survived so far
	 * (of everything the model did not reject when too little survived). */
	int nh = 0;
	for (size_t i = 0; i < n; i++)
		if (!why[i]) hs[nh++] = sp->digits[i].wh;
	bool small_rule = nh >= 3;      /* too few survivors say nothing of the writing's height */
	if (nh < 3) {
		nh = 0;
		for (size_t i = 0; i < n; i++)
			if (!(why[i] & REC_DROP_CLASS)) hs[nh++] = sp->digits[i].wh;
	}
	double H = 0;
	if (nh > 0) {
		qsort(hs, (size_t)nh, sizeof *hs, order_int);
		H = hs[(int)(nh * WRITING_Q)];
	}
	for (size_t f = 0; f < sp->nfields; f++) {
		const seg_field *fd = &sp->fields[f];
		int h[64], k = 0;
		double sum = 0;
		for (int j = fd->first; j < fd->first + fd->n && k < 64; j++) h[k++] = sp->digits[j].wh;
		for (int j = fd->first; j < fd->first + fd->n; j++) sum += top_of(sp, (size_t)j, probs, classes);
		fh[f] = order_median_int(h, (size_t)k);
		ftop[f] = sum / fd->n;
		typeset[f] = fd->n >= 2 && rec_typeset_field(sp, fd);
		word[f] = word_beside(sp, fd, probs, classes);
		if (!small_rule || fh[f] >= SMALL * H || small_cents(sp, line, f, why, SMALL * H, probs, classes)) continue;
		/* Kept on the model's word, but worth a look. */
		bool rescue = small_but_sure(sp, line, f, why, probs, classes);
		for (int j = fd->first; j < fd->first + fd->n; j++) {
			if (rescue) cands[sp->digits[j].tag].why |= REC_FLAG_SMALL;
			else why[j] |= REC_DROP_SMALL;
		}
	}
	rescue_small(sp, classes, why, ftop, typeset, word, small_field_kept);
	for (size_t i = 0; i < n; i++) fs[i] = sp->digits[i].stroke;
	qsort(fs, n, sizeof *fs, order_float);
	double stroke = n ? fs[n / 2] : 1.0;
	const rec_verifier *judge = ver && !ver->features_only ? ver : NULL;
	/* The verdicts.  Without a verifier: the rules above, as they stand.
	 * With one: the model's reject class and slashes still decide alone;
	 * everything else is the verifier's probability, the rules' verdicts
	 * among its features. */
	for (size_t i = 0; i < n; i++) {
		seg_digit *d = &sp->digits[i];
		rec_cand *c = &cands[d->tag];
		features(sp, i, probs, vprobs, classes, why[i], H, fh[d->field], stroke, ftop[d->field], typeset[d->field],
			 word[d->field], c->feat);
		c->verifier = -1;
		keep[i] = why[i] == 0 || (!judge && small_field_kept[d->field]);
		if (keep[i] && why[i]) c->why |= REC_FLAG_SMALL;
		if (judge && !(why[i] & (REC_DROP_CLASS | REC_DROP_SLASH))) {
			float p = rec_verifier_prob(judge, c->feat);
			c->verifier = p;
			keep[i] = p >= judge->flag;
			if (keep[i] && p < judge->keep) c->why |= REC_FLAG_VERIFIER | soft_flags(why[i]);
			else if (keep[i]) why[i] = 0;
		}
		c->drop = keep[i] ? 0 : why[i] | (c->verifier >= 0 ? REC_DROP_VERIFIER : 0);
	}
	/* A field none of whose candidates survived, with one that might have
	 * been a digit, is an unread region: the number may be there. */
	for (size_t f = 0; f < sp->nfields; f++) {
		const seg_field *fd = &sp->fields[f];
		rec_unread u = { 0, 0, 0, 0, 0, 0 };
		bool any_kept = false, maybe = false;
		int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
		for (int j = fd->first; j < fd->first + fd->n; j++) {
			const seg_digit *d = &sp->digits[j];
			const rec_cand *c = &cands[d->tag];
			any_kept |= keep[j];
			if (keep[j] || (why[j] & (REC_DROP_CLASS | REC_DROP_SLASH))) continue;
			/* Without a verifier the rules' drops stand: on samples/
			 * every region a rule-based test found was print or
			 * words (31 of 31), so none is reported. */
			maybe |= judge && c->verifier >= judge->unread;
			u.why |= soft_flags(why[j]);
			if (d->x < x0) x0 = d->x;
			if (d->y < y0) y0 = d->y;
			if (d->x + d->w > x1) x1 = d->x + d->w;
			if (d->y + d->h > y1) y1 = d->y + d->h;
		}
		if (any_kept || !maybe || x1 < 0) continue;
		u.x = x0, u.y = y0, u.w = x1 - x0, u.h = y1 - y0;
		u.why |= REC_FLAG_UNREAD;
		if (push_unread(unread, nunread, &u) < 0) goto oom;
	}
	for (size_t i = 0; i < n; i++)
		if (keep[i]) why[i] = 0;
	text_near(sp, line, why, cands);
	/* DIGITD_DEBUG_REJECT=1: every candidate's verdict (REC_DROP_* bits, box in
	 * decoded-page pixels) on stderr, for tuning these rules on new scans. */
	if (getenv("DIGITD_DEBUG_REJECT"))
		for (size_t i = 0; i < n; i++) {
			const seg_digit *d = &sp->digits[i];
			fprintf(stderr, "REJECT %d %d %d %d why=%u conf=%.3f pw=%d verifier=%.3f\n", d->x, d->y, d->w, d->h,
				why[i], top_of(sp, i, probs, classes), sp->page_w, cands[d->tag].verifier);
		}
	rc = seg_page_filter(sp, keep, err);
	goto out;
oom:
	snprintf(err->msg, sizeof err->msg, "out of memory");
out:
	free(why);
	free(keep);
	free(hs);
	free(fs);
	free(line);
	free(fh);
	free(ftop);
	free(typeset);
	free(word);
	free(small_field_kept);
	return rc;
}
