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
 *    is print.
 * Rules are relative (to the field, to the page), never absolute pixels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recognize/rec_internal.h"

enum {
	DROP_CLASS = 1,         /* the model's reject class won */
	DROP_WEAK = 2,          /* field unconvincing as digits */
	DROP_LOWER = 4,         /* field with x-height letters */
	DROP_SMALL = 8,         /* much smaller than the page's writing */
};

#define FIELD_MIN_MEAN 0.75     /* mean top probability of a field's digits */
#define FIELD_MAX_WEAK 0.5     /* share of digits under WEAK */
#define WEAK 0.6f
#define SINGLE_MIN 0.85         /* a lone candidate must be at least this convincing */
#define XHEIGHT 0.75            /* shorter than this share of the field's tall ones */
#define XHEIGHT_SHARE 0.3
#define SMALL 0.65              /* share of the page's writing height */

static double knob(const char *name, double def)
{
	const char *v = getenv(name);
	return v ? atof(v) : def;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static float top_of(const seg_page *sp, size_t i, const float *probs, int classes)
{
	return rec_top_digit(probs + (size_t)sp->digits[i].tag * (size_t)classes);
}

static unsigned judge_field(const seg_page *sp, const seg_field *fd, const float *probs, int classes)
{
	int weak = 0;
	double sum = 0;
	for (int j = fd->first; j < fd->first + fd->n; j++) {
		float t = top_of(sp, (size_t)j, probs, classes);
		weak += t < WEAK;
		sum += t;
	}
	double mean = sum / fd->n;
	unsigned why = 0;
	if (fd->n >= 2 ? (mean < knob("K_MEAN", FIELD_MIN_MEAN) || weak > knob("K_WEAK", FIELD_MAX_WEAK) * fd->n)
		       : mean < knob("K_SINGLE", SINGLE_MIN))
		why |= DROP_WEAK;
	/* Lower-case words: heights fall into two groups, x-height letters and
	 * ascenders/capitals, both well represented.  Digits have one height;
	 * a single tall or short outlier is not enough. */
	if (fd->n >= 4) {
		int hs[64], k = 0, shorter = 0, tall_n = 0;
		for (int j = fd->first; j < fd->first + fd->n && k < 64; j++) hs[k++] = sp->digits[j].wh;
		qsort(hs, (size_t)k, sizeof *hs, cmp_int);
		double tall = hs[k * 8 / 10];
		for (int j = fd->first; j < fd->first + fd->n; j++) {
			const seg_digit *d = &sp->digits[j];
			/* Narrow marks (an i, a 1, a comma) are not letters at x-height. */
			shorter += d->wh < XHEIGHT * tall && d->ww * 3 > d->wh;
			tall_n += d->wh >= 0.9 * tall;
		}
		if (shorter >= 3 && tall_n >= 2 && shorter >= knob("K_SHORT", XHEIGHT_SHARE) * k) why |= DROP_LOWER;
	}
	return why;
}

int rec_reject(seg_page *sp, const float *probs, int classes, img_err *err)
{
	size_t n = sp->ndigits;
	unsigned *why = calloc(n + 1, sizeof *why);
	bool *keep = malloc(n + 1);
	int *hs = malloc(sizeof(int) * (n + 1));
	int rc = -1;
	if (!why || !keep || !hs) {
		snprintf(err->msg, sizeof err->msg, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const float *p = probs + (size_t)sp->digits[i].tag * (size_t)classes;
		if (classes > NN_CLASS_REJECT && p[NN_CLASS_REJECT] > rec_top_digit(p)) why[i] |= DROP_CLASS;
	}
	for (size_t f = 0; f < sp->nfields; f++) {
		const seg_field *fd = &sp->fields[f];
		unsigned w = judge_field(sp, fd, probs, classes);
		if (getenv("DIGITD_DEBUG_FIELDS")) {
			fprintf(stderr, "FIELD %d,%d,%d,%d,%d why=%u:", fd->x, fd->y, fd->w, fd->h, sp->page_w, w);
			for (int j = fd->first; j < fd->first + fd->n; j++)
				fprintf(stderr, " %dx%d/%.2f/%.2f/%d", sp->digits[j].ww, sp->digits[j].wh, top_of(sp, (size_t)j, probs, classes),
					sp->digits[j].stroke, sp->digits[j].wy + sp->digits[j].wh);
			fputc('\n', stderr);
		}
		for (int j = fd->first; j < fd->first + fd->n; j++) why[j] |= w;
	}
	/* The page's writing height: upper quartile of what survived so far. */
	int nh = 0;
	for (size_t i = 0; i < n; i++)
		if (!why[i]) hs[nh++] = sp->digits[i].wh;
	if (nh >= 3) {
		qsort(hs, (size_t)nh, sizeof *hs, cmp_int);
		double H = hs[(int)(nh * knob("K_HQ", 0.75))];
		for (size_t i = 0; i < n; i++)
			if (sp->digits[i].wh < knob("K_SMALL", SMALL) * H) why[i] |= DROP_SMALL;
	}
	bool debug = getenv("DIGITD_DEBUG_REJECT") != NULL;
	for (size_t i = 0; i < n; i++) {
		keep[i] = why[i] == 0;
		if (debug) {
			const seg_digit *d = &sp->digits[i];
			fprintf(stderr, "REJECT %d %d %d %d why=%u conf=%.3f pw=%d\n", d->x, d->y, d->w, d->h, why[i],
				top_of(sp, i, probs, classes), sp->page_w);
		}
	}
	rc = seg_page_filter(sp, keep, err);
out:
	free(why);
	free(keep);
	free(hs);
	return rc;
}
