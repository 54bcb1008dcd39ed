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
#define CLEAR_PIECES 0.98       /* geometric mean of the pieces' top probabilities */
#define CLEAR_WHOLE 0.5         /* the whole's top probability */

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

int rec_top_label(const float *p)
{
	int a = 0;
	for (int c = 1; c < 10; c++)
		if (p[c] > p[a]) a = c;
	return a;
}

float rec_top_digit(const float *p)
{
	return p[rec_top_label(p)];
}

void rec_score(const float *p, int classes, rec_digit *d)
{
	int a = rec_top_label(p), b = -1;
	for (int c = 0; c < 10; c++)
		if (c != a && (b < 0 || p[c] > p[b])) b = c;
	d->label = a;
	d->confidence = p[a];
	d->alt_label = b;
	d->alt_confidence = p[b];
	d->reject = classes > NN_CLASS_REJECT ? p[NN_CLASS_REJECT] : 0.0f;
	if (d->reject > 0.25f) d->why |= REC_FLAG_REJECT;
}

/* Split hypotheses: a wide component was offered whole and in pieces.  Keep
 * the pieces when the model reads them better than the whole (geometric
 * mean of their top probabilities against the whole's), with a margin in
 * favour of the whole, since a split is a guess and costs a review. */
int rec_resolve_splits(seg_page *sp, const float *probs, int classes, rec_cand *cands, img_err *err)
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
		double t = rec_top_digit(probs + (size_t)d->tag * (size_t)classes);
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
		if (!keep[i]) cands[d->tag].drop |= REC_DROP_ALT;
		/* A clear-cut split (every piece a convincing digit, the whole
		 * no digit at all) is no doubt worth a review. */
		if (keep[i] && use_pieces && pieces >= CLEAR_PIECES && whole[d->alt] <= CLEAR_WHOLE)
			sp->digits[i].why &= ~(unsigned)SEG_SPLIT;
	}
	rc = seg_page_filter(sp, keep, err);
out:
	free(whole);
	free(lsum);
	free(npieces);
	free(keep);
	return rc;
}
