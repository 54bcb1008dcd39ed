/* recognize.c: bytes -> pages -> candidates -> one batch per page through the
 * model -> digits with calibrated confidences, grouped into fields.
 *
 * The invariants the daemon relies on: rec_buffer never keeps a pointer to
 * buf, leaves *out valid (possibly empty) whatever happens, and reports every
 * failure as a message, never a crash; boxes are in the file's own pixel
 * coordinates whatever reduced decoding or deskewing happened. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imaging/load.h"
#include "recognize/rec_internal.h"
#include "recognize/verify.h"
#include "segment/segment.h"
#include "util/file.h"
#include "util/sha256.h"
#include "util/order.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void rec_options_default(rec_options *o)
{
	memset(o, 0, sizeof *o);
	o->threshold = 0.90f;
	o->max_pixels = 100000000ULL;
	o->max_bytes = (size_t)256 << 20;
}

void rec_result_free(rec_result *r)
{
	if (!r) return;
	for (size_t i = 0; i < r->ndigits; i++) free(r->digits[i].crop_png);
	for (size_t i = 0; i < r->nfields; i++) free(r->fields[i].text);
	free(r->digits);
	free(r->fields);
	free(r->unread);
	free(r->cands);
	free(r->pages);
	char sha[65];
	memcpy(sha, r->sha256, sizeof sha);
	memset(r, 0, sizeof *r);
	memcpy(r->sha256, sha, sizeof sha);
}

/* A box of the decoded page in file coordinates, clipped to the file's page. */
static void to_file(int x, int y, int w, int h, int scale, int pw, int ph, int *ox, int *oy, int *ow, int *oh)
{
	*ox = x * scale, *oy = y * scale, *ow = w * scale, *oh = h * scale;
	if (*ox + *ow > pw) *ow = pw - *ox > 0 ? pw - *ox : 1;
	if (*oy + *oh > ph) *oh = ph - *oy > 0 ? ph - *oy : 1;
}

/* A gap between two digits of one field at least this many of the field's
 * median digit widths may be where a digit was lost.  Fields end at a gap
 * of three quarters of a digit's height (fields.c), about one width, so
 * this only looks at the widest gaps a field can hold. */
#define GAP_WIDTHS 0.8

/* Is box (x, y, w, h) beside the field box (fx, fy, fw, fh): on its line
 * (overlapping half the smaller height), of its size (height within a
 * factor BESIDE_SIZE), and within BESIDE_GAP of its height from one end?
 * Fields end at a gap of three quarters of a digit's height (fields.c); a
 * number cut there, or a digit dropped there, stands this close. */
#define BESIDE_GAP 1.0
#define BESIDE_SIZE 1.6

static bool beside(int x, int y, int w, int h, int fx, int fy, int fw, int fh)
{
	int ov = (y + h < fy + fh ? y + h : fy + fh) - (y > fy ? y : fy);
	if (ov * 2 < (h < fh ? h : fh) || h * BESIDE_SIZE < fh || h > BESIDE_SIZE * fh) return false;
	int gap = x >= fx + fw ? x - (fx + fw) : fx - (x + w);
	return gap >= 0 && gap <= BESIDE_GAP * fh;
}

/* Field reasons of segmentation doubt, per field of sp: a gap where a
 * digit fits, or a candidate dropped inside the field's box by a rule or
 * the verifier (not the model's reject class, a slash or print). */
/* A field is doubted when faint ink no candidate explains fills this share
 * of the columns a digit's height beside one of its digits (beside.c).
 * Chosen on 60 mkpages pages written with MNIST training digits (seed
 * 4242, not the held-out seed): of the fields accepted without a flag,
 * 28.8 % were wrong without this test, 10.7 % at 0.1 (9.0 % at 0.05, 12.9 %
 * at 0.15, 16.5 % at 0.3); the read rate (fields accepted and right) fell
 * from 20.8 % to 17.8 % (15.7 %, 19.0 %, 19.6 %).  A wrong field accepted
 * is the worse error, a right one flagged costs a glance. */
#define INK_BESIDE_MIN 0.1

static unsigned field_doubt(const seg_page *sp, size_t f, const rec_cand *cands, size_t nc)
{
	const seg_field *fd = &sp->fields[f];
	unsigned why = 0;
	if (fd->n >= 2) {
		int w[64], k = 0;
		for (int j = fd->first; j < fd->first + fd->n && k < 64; j++) w[k++] = sp->digits[j].w;
		double mw = order_median_int(w, (size_t)k);
		for (int j = fd->first; j + 1 < fd->first + fd->n; j++) {
			const seg_digit *a = &sp->digits[j], *b = &sp->digits[j + 1];
			if (b->x - (a->x + a->w) >= GAP_WIDTHS * mw) why |= REC_FLAG_GAP;
		}
	}
	/* Faint ink beside a member that no candidate explains (beside.c). */
	for (int j = fd->first; j < fd->first + fd->n; j++)
		if (sp->digits[j].ink_left >= INK_BESIDE_MIN || sp->digits[j].ink_right >= INK_BESIDE_MIN) why |= REC_FLAG_GAP;
	const unsigned judged = REC_DROP_CLASS | REC_DROP_SLASH | REC_DROP_ALT | REC_DROP_PRINTED;
	for (size_t i = 0; i < nc; i++) {
		const rec_cand *c = &cands[i];
		if (!c->drop || (c->drop & judged)) continue;
		int cx = c->x + c->w / 2, cy = c->y + c->h / 2;
		if (cx >= fd->x && cx < fd->x + fd->w && cy >= fd->y && cy < fd->y + fd->h) why |= REC_FLAG_GAP;
		/* or just beside it, of its size, on its line: a digit the field lost at an end */
		if (beside(c->x, c->y, c->w, c->h, fd->x, fd->y, fd->w, fd->h)) why |= REC_FLAG_GAP;
	}
	for (size_t g = 0; g < sp->nfields; g++) {
		const seg_field *o = &sp->fields[g];
		if (g != f && beside(o->x, o->y, o->w, o->h, fd->x, fd->y, fd->w, fd->h)) why |= REC_FLAG_BESIDE;
	}
	return why;
}

/* Flags that put a digit before a person whatever its confidence. */
#define FLAG_ALWAYS (REC_FLAG_SPLIT | REC_FLAG_LEANING | REC_FLAG_REJECT | REC_FLAG_ODDSIZE | REC_FLAG_TEXTNEAR | REC_FLAG_SMALL | \
		     REC_FLAG_VERIFIER | REC_FLAG_PRINTLIKE | REC_FLAG_WEAKFIELD | REC_FLAG_WORDLIKE | REC_FLAG_MARGIN)

/* Unread regions and (with explain) every candidate of the page, in file
 * coordinates; cands are indexed by tag, nc of them. */
static int append_explained(rec_result *r, const seg_page *sp, int page, int scale, int pw, int ph,
			    const rec_unread *un, size_t nun, rec_cand *cands, size_t nc, size_t dbase, bool explain)
{
	if (nun) {
		rec_unread *u = realloc(r->unread, (r->nunread + nun) * sizeof *u);
		if (!u) return -1;
		r->unread = u;
		for (size_t i = 0; i < nun; i++) {
			rec_unread *o = &r->unread[r->nunread++];
			*o = un[i];
			o->page = page;
			to_file(un[i].x, un[i].y, un[i].w, un[i].h, scale, pw, ph, &o->x, &o->y, &o->w, &o->h);
		}
	}
	if (!explain || nc == 0) return 0;
	for (size_t i = 0; i < sp->ndigits; i++) cands[sp->digits[i].tag].why = r->digits[dbase + i].why;
	rec_cand *c = realloc(r->cands, (r->ncands + nc) * sizeof *c);
	if (!c) return -1;
	r->cands = c;
	for (size_t i = 0; i < nc; i++) {
		rec_cand *o = &r->cands[r->ncands++];
		*o = cands[i];
		o->page = page;
		to_file(cands[i].x, cands[i].y, cands[i].w, cands[i].h, scale, pw, ph, &o->x, &o->y, &o->w, &o->h);
	}
	return 0;
}

/* Append one page's digits and fields to the result, in file coordinates. */
static int append_page(rec_result *r, const seg_page *sp, int page, int scale, int pw, int ph, const float *probs,
		       int classes, const rec_options *o, const img_t *img, const rec_cand *cands, size_t nc)
{
	size_t nd = r->ndigits + sp->ndigits, nf = r->nfields + sp->nfields;
	rec_digit *d = realloc(r->digits, (nd ? nd : 1) * sizeof *d);
	if (!d) return -1;
	r->digits = d;
	rec_field *f = realloc(r->fields, (nf ? nf : 1) * sizeof *f);
	if (!f) return -1;
	r->fields = f;
	size_t fbase = r->nfields;
	for (size_t i = 0; i < sp->ndigits; i++) {
		const seg_digit *s = &sp->digits[i];
		rec_digit *o2 = &r->digits[r->ndigits];
		memset(o2, 0, sizeof *o2);
		o2->page = page;
		to_file(s->x, s->y, s->w, s->h, scale, pw, ph, &o2->x, &o2->y, &o2->w, &o2->h);
		rec_score(probs + (size_t)s->tag * (size_t)classes, classes, o2);
		o2->why |= s->why & ~(unsigned)SEG_SLASHLIKE;  /* a hint to the reject stage, no flag */
		o2->why |= cands[s->tag].why;                  /* what the reject stage decided */
		o2->flagged = o2->confidence < o->threshold || (o2->why & FLAG_ALWAYS);
		if (o2->confidence < o->threshold) o2->why |= REC_FLAG_LOWCONF;
		o2->field = (int)fbase + s->field;
		memcpy(o2->crop28, s->img, NN_PIXELS);
		if (o->want_crop_png && rec_crop_png(img, s, o2) < 0) return -1;
		r->ndigits++;
	}
	for (size_t k = 0; k < sp->nfields; k++) {
		const seg_field *s = &sp->fields[k];
		rec_field *o2 = &r->fields[r->nfields];
		memset(o2, 0, sizeof *o2);
		o2->page = page;
		to_file(s->x, s->y, s->w, s->h, scale, pw, ph, &o2->x, &o2->y, &o2->w, &o2->h);
		o2->text = malloc((size_t)s->n + 1);
		if (!o2->text) return -1;
		o2->confidence = 1.0f;
		size_t base = r->ndigits - sp->ndigits;
		for (int j = 0; j < s->n; j++) {
			const rec_digit *dj = &r->digits[base + (size_t)s->first + (size_t)j];
			o2->text[j] = (char)('0' + dj->label);
			o2->confidence *= dj->confidence;
			o2->flagged |= dj->flagged;
			o2->why |= dj->why;
		}
		o2->text[s->n] = 0;
		/* A field's own doubt stays on the field (fields.flagged and why,
		 * document_text.flagged): put on each of its digits, it doubled the
		 * digits flagged on samples/ (26.5 -> 45.7 %), every digit of a
		 * date's groups. */
		unsigned own = field_doubt(sp, k, cands, nc);
		o2->why |= own;
		o2->flagged |= own != 0;
		r->nfields++;
	}
	return 0;
}

/* The verifier network's outputs for the page's n candidates (11 per
 * image, into a new *out).  Its buffers are made per page: a few MB, well
 * under a millisecond, and no per-thread state for the caller to keep. */
#define VERIFIER_BATCH 256     /* rec_classify's chunk */

static int verifier_network(const rec_verifier *v, const uint8_t *batch, size_t n, float **out)
{
	const int classes = NN_CLASS_REJECT + 1;
	nn_infer *ctx = nn_infer_new(v->net, VERIFIER_BATCH);
	*out = malloc(n * (size_t)classes * sizeof(float));
	int rc = ctx && *out ? rec_classify(ctx, batch, n, classes, *out) : -1;
	nn_infer_free(ctx);
	return rc;
}

int rec_buffer(const uint8_t *buf, size_t len, const char *name, const rec_options *opt, nn_infer *nn,
	       rec_result *out, char *err, size_t errlen)
{
	rec_options defo;
	if (!opt) {
		rec_options_default(&defo);
		opt = &defo;
	}
	double t0 = now_ms();
	memset(out, 0, sizeof *out);
	sha256_buf_hex(buf, len, out->sha256);
	img_doc doc = { 0 };
	img_err ie = { { 0 } };
	seg_page sp = { 0 };
	float *probs = NULL;
	uint8_t *batch = NULL;
	rec_cand *cands = NULL;
	float *vprobs = NULL;
	rec_unread *unread = NULL;
	size_t nunread = 0;
	if (len > opt->max_bytes) {
		snprintf(err, errlen, "%s: file is %zu bytes, over the limit of %zu", name, len, opt->max_bytes);
		return -1;
	}
	img_load_opts lo;
	img_load_opts_default(&lo);
	lo.max_pixels = opt->max_pixels ? opt->max_pixels : lo.max_pixels;
	lo.name = name;
	if (img_load(buf, len, &lo, &doc, &ie) < 0) {
		snprintf(err, errlen, "%s: %s", name, ie.msg);
		return -1;
	}
	out->ms_decode = now_ms() - t0;
	out->explained = opt->explain;
	int classes = rec_classes(nn);
	if (classes < 10) {
		snprintf(err, errlen, "%s: the model gives %d classes; 10 or 11 expected", name, classes);
		goto fail;
	}
	out->pages = calloc((size_t)doc.npages, sizeof *out->pages);
	if (!out->pages) goto oom;
	out->npages = doc.npages;
	seg_options so;
	seg_options_default(&so);
	for (int p = 0; p < doc.npages; p++) {
		const img_t *pg = &doc.pages[p];
		int pw = doc.scale > 1 && p == 0 ? doc.info.w : pg->w * doc.scale;
		int ph = doc.scale > 1 && p == 0 ? doc.info.h : pg->h * doc.scale;
		out->pages[p] = (rec_page){ pw, ph };
		if (seg_page_run(pg, &so, &sp, &ie) < 0) {
			snprintf(err, errlen, "%s: page %d: %s", name, p + 1, ie.msg);
			goto fail;
		}
		out->ms_clean += sp.ms_clean;
		out->ms_segment += sp.ms_segment;
		double tc = now_ms();
		size_t n = sp.ndigits;
		if (n > 0) {
			batch = malloc(n * NN_PIXELS);
			probs = malloc(n * (size_t)classes * sizeof(float));
			cands = calloc(n, sizeof *cands);
			if (!batch || !probs || !cands) goto oom;
			for (size_t i = 0; i < n; i++) memcpy(batch + i * NN_PIXELS, sp.digits[i].img, NN_PIXELS);
			if (rec_classify(nn, batch, n, classes, probs) < 0) {
				snprintf(err, errlen, "%s: the model refused the batch", name);
				goto fail;
			}
			for (size_t i = 0; i < n; i++) {
				const seg_digit *s = &sp.digits[i];
				rec_digit tmp = { 0 };
				rec_score(probs + (size_t)s->tag * (size_t)classes, classes, &tmp);
				cands[s->tag] = (rec_cand){ .x = s->x, .y = s->y, .w = s->w, .h = s->h, .label = tmp.label,
							    .confidence = tmp.confidence, .reject = tmp.reject, .verifier = -1 };
				memcpy(cands[s->tag].img, s->img, NN_PIXELS);
			}
			if (opt->verifier && opt->verifier->net && verifier_network(opt->verifier, batch, n, &vprobs) < 0) {
				snprintf(err, errlen, "%s: the verifier network refused the batch", name);
				goto fail;
			}
			if (rec_resolve_splits(&sp, probs, classes, cands, &ie) < 0 ||
			    rec_reject(&sp, probs, vprobs, classes, opt->verifier, cands, &unread, &nunread, &ie) < 0) {
				snprintf(err, errlen, "%s: %s", name, ie.msg);
				goto fail;
			}
		}
		out->ms_classify += now_ms() - tc;
		size_t dbase = out->ndigits;
		if (append_page(out, &sp, p, doc.scale, pw, ph, probs, classes, opt, pg, cands, n) < 0 ||
		    append_explained(out, &sp, p, doc.scale, pw, ph, unread, nunread, cands, n, dbase, opt->explain) < 0)
			goto oom;
		free(batch);
		free(probs);
		free(cands);
		free(vprobs);
		free(unread);
		vprobs = NULL;
		batch = NULL;
		probs = NULL;
		cands = NULL;
		unread = NULL;
		nunread = 0;
		seg_page_free(&sp);
	}
	if (opt->debug_dir && rec_write_overlay(opt->debug_dir, name, &doc, out, err, errlen) < 0) goto fail;
	img_doc_free(&doc);
	out->ms = now_ms() - t0;
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", name);
fail:
	free(batch);
	free(probs);
	free(cands);
	free(vprobs);
	free(unread);
	seg_page_free(&sp);
	img_doc_free(&doc);
	rec_result_free(out);
	out->ms = now_ms() - t0;
	return -1;
}

int rec_file(const char *path, const rec_options *opt, nn_infer *nn, rec_result *out, char *err, size_t errlen)
{
	rec_options defo;
	if (!opt) {
		rec_options_default(&defo);
		opt = &defo;
	}
	memset(out, 0, sizeof *out);
	uint8_t *buf;
	size_t len;
	if (file_read_all(path, opt->max_bytes, &buf, &len, err, errlen) < 0) return -1;
	int rc = rec_buffer(buf, len, path, opt, nn, out, err, errlen);
	free(buf);
	return rc;
}
