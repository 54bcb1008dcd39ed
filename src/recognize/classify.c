/* classify.c: candidates through the model, and what the probabilities say.
 *
 * The caller's nn_infer context was sized by someone else (the daemon's
 * worker, the CLI), so batches are sent as large as it accepts: a refused
 * batch is halved until it fits.  The class count is learnt from the model
 * by one inference into a buffer pre-filled with -1: probabilities are never
 * negative, so the first -1 marks the end of the row. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recognize/rec_internal.h"

#define MAX_CLASSES 64

int rec_classes(nn_infer *nn)
{
	uint8_t img[NN_PIXELS] = { 0 };
	float p[MAX_CLASSES];
	for (int i = 0; i < MAX_CLASSES; i++) p[i] = -1.0f;
	if (!nn || nn_infer_run(nn, img, 1, p) < 0) return -1;
	int k = 0;
	while (k < MAX_CLASSES && p[k] >= 0.0f) k++;
	return k;
}

int rec_classify(nn_infer *nn, const uint8_t *img, size_t n, int classes, float *probs)
{
	size_t chunk = 256;
	for (size_t done = 0; done < n;) {
		size_t k = n - done < chunk ? n - done : chunk;
		if (nn_infer_run(nn, img + done * NN_PIXELS, (int)k, probs + done * (size_t)classes) < 0) {
			if (chunk == 1) return -1;
			chunk /= 2;
			continue;
		}
		done += k;
	}
	return 0;
}

static float top_digit(const float *p)
{
	float m = p[0];
	for (int c = 1; c < 10; c++)
		if (p[c] > m) m = p[c];
	return m;
}

void rec_score(const float *p, int classes, rec_digit *d)
{
	int a = 0, b = -1;
	for (int c = 1; c < 10; c++)
		if (p[c] > p[a]) a = c;
	for (int c = 0; c < 10; c++)
		if (c != a && (b < 0 || p[c] > p[b])) b = c;
	d->label = a;
	d->confidence = p[a];
	d->alt_label = b;
	d->alt_confidence = p[b];
	if (classes > NN_CLASS_REJECT && p[NN_CLASS_REJECT] > 0.25f) d->why |= REC_FLAG_REJECT;
}

/* Split hypotheses: a wide component was offered whole and in pieces.  Keep
 * the pieces when the model reads them better than the whole (geometric
 * mean of their top probabilities against the whole's), with a margin in
 * favour of the whole, since a split is a guess and costs a review. */
int rec_resolve_splits(seg_page *sp, const float *probs, int classes, img_err *err)
{
	int groups = 0;
	for (size_t i = 0; i < sp->ndigits; i++)
		if (sp->digits[i].alt + 1 > groups) groups = sp->digits[i].alt + 1;
	if (groups == 0) return 0;
	double *whole = calloc((size_t)groups, sizeof(double)), *lsum = calloc((size_t)groups, sizeof(double));
	int *npieces = calloc((size_t)groups, sizeof(int));
	bool *keep = malloc(sp->ndigits);
	int rc = -1;
	if (!whole || !lsum || !npieces || !keep) {
		snprintf(err->msg, sizeof err->msg, "out of memory");
		goto out;
	}
	for (int g = 0; g < groups; g++) whole[g] = -1;
	for (size_t i = 0; i < sp->ndigits; i++) {
		const seg_digit *d = &sp->digits[i];
		if (d->alt < 0) continue;
		double t = top_digit(probs + (size_t)d->tag * (size_t)classes);
		if (d->alt_piece) lsum[d->alt] += log(t > 1e-6 ? t : 1e-6), npieces[d->alt]++;
		else whole[d->alt] = t;
	}
	for (size_t i = 0; i < sp->ndigits; i++) {
		const seg_digit *d = &sp->digits[i];
		keep[i] = true;
		if (d->alt < 0 || whole[d->alt] < 0 || npieces[d->alt] == 0) continue;
		double pieces = exp(lsum[d->alt] / npieces[d->alt]);
		bool use_pieces = pieces > whole[d->alt] + 0.1 || (whole[d->alt] < 0.5 && pieces > whole[d->alt]);
		keep[i] = d->alt_piece == use_pieces;
	}
	rc = seg_page_filter(sp, keep, err);
out:
	free(whole);
	free(lsum);
	free(npieces);
	free(keep);
	return rc;
}

/* Text-line analysis on the model's view: a field where most candidates are
 * unconvincing as digits is printed text, a signature or a drawing, and a
 * lone unconvincing candidate is a stray mark.  Digits written by hand are
 * mostly read with high confidence, so this costs little recall. */
int rec_reject(seg_page *sp, const float *probs, int classes, img_err *err)
{
	bool *keep = malloc(sp->ndigits ? sp->ndigits : 1);
	if (!keep) {
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < sp->ndigits; i++) {
		const float *p = probs + (size_t)sp->digits[i].tag * (size_t)classes;
		keep[i] = !(classes > NN_CLASS_REJECT && p[NN_CLASS_REJECT] > top_digit(p));
	}
	for (size_t f = 0; f < sp->nfields; f++) {
		const seg_field *fd = &sp->fields[f];
		int weak = 0;
		double sum = 0;
		for (int j = fd->first; j < fd->first + fd->n; j++) {
			float t = top_digit(probs + (size_t)sp->digits[j].tag * (size_t)classes);
			weak += t < 0.6f;
			sum += t;
		}
		double mean = sum / fd->n;
		static double k_mean = -1, k_weak = -1, k_single = -1;
		if (k_mean < 0) {
			k_mean = getenv("K_MEAN") ? atof(getenv("K_MEAN")) : 0.85;
			k_weak = getenv("K_WEAK") ? atof(getenv("K_WEAK")) : 0.34;
			k_single = getenv("K_SINGLE") ? atof(getenv("K_SINGLE")) : 0.85;
		}
		bool text = fd->n >= 2 ? (mean < k_mean || weak > k_weak * fd->n) : mean < k_single;
		if (getenv("DIGITD_DEBUG_CANDS"))
			for (int j = fd->first; j < fd->first + fd->n; j++) {
				const seg_digit *d = &sp->digits[j];
				fprintf(stderr, "CAND %d %d %d %d wh=%d sw=%.2f dens=%.3f conf=%.3f fieldn=%d pageh=%.1f asp=%.2f\n", d->x, d->y, d->w, d->h,
					d->wh, d->stroke, (double)d->area / (d->ww * d->wh),
					top_digit(probs + (size_t)d->tag * (size_t)classes), fd->n, sp->digit_h, (double)d->ww / d->wh);
			}
		if (getenv("DIGITD_DEBUG_FIELDS")) {
			seg_field_stats st;
			seg_field_measure(sp, f, &st);
			const seg_digit *d0 = &sp->digits[fd->first];
			fprintf(stderr, "FIELD %d %d %d %d n=%d mh=%.1f bot=%.3f top=%.3f hgt=%.3f gap=%.3f weak=%d mean=%.3f\n",
				d0->x, d0->y, fd->x + fd->w, fd->y + fd->h, st.n, st.median_h, st.bottom_mad, st.top_mad,
				st.height_mad, st.gap_median, weak, sum / fd->n);
		}
		if (text)
			for (int j = fd->first; j < fd->first + fd->n; j++) keep[j] = false;
	}
	/* Handwriting is larger than the print around it on nearly every form:
	 * estimate its height from convincing fields, drop what is much smaller. */
	static double k_small = -1;
	if (k_small < 0) k_small = getenv("K_SMALL") ? atof(getenv("K_SMALL")) : 0.65;
	int *hs = malloc(sizeof(int) * (sp->ndigits + 1)), nh = 0;
	if (hs) {
		for (size_t i = 0; i < sp->ndigits; i++)
			if (keep[i]) hs[nh++] = sp->digits[i].wh;
		if (nh >= 3) {
			for (int a = 1; a < nh; a++)
				for (int b = a; b > 0 && hs[b - 1] > hs[b]; b--) {
					int t = hs[b];
					hs[b] = hs[b - 1];
					hs[b - 1] = t;
				}
			double H = hs[nh * 3 / 4];
			for (size_t i = 0; i < sp->ndigits; i++)
				if (sp->digits[i].wh < k_small * H) keep[i] = false;
		}
		free(hs);
	}
	int rc = seg_page_filter(sp, keep, err);
	free(keep);
	return rc;
}
