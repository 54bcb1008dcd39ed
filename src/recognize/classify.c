/* classify.c: candidates through the model, and what the probabilities say.
 *
 * The caller's nn_infer context was sized by someone else (the daemon's
 * worker, the CLI), so batches are sent as large as it accepts: a refused
 * batch is halved until it fits.  The class count is learnt from the model
 * by one inference into a buffer pre-filled with -1: probabilities are never
 * negative, so the first -1 marks the end of the row. */
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

static float top_digit(const float *p)
{
	float m = p[0];
	for (int c = 1; c < 10; c++)
		if (p[c] > m) m = p[c];
	return m;
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
		bool text = (fd->n >= 3 && weak * 2 > fd->n) || (fd->n < 3 && sum / fd->n < 0.5);
		if (text)
			for (int j = fd->first; j < fd->first + fd->n; j++) keep[j] = false;
	}
	int rc = seg_page_filter(sp, keep, err);
	free(keep);
	return rc;
}
