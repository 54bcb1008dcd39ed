/* overlay.c: pictures a person can check: the debug overlay (every box with
 * its label and confidence, flagged digits in red, fields in blue, unread
 * regions in orange, and with --explain the dropped candidates in grey with
 * their reason) and the
 * per-digit crop PNGs kept for review. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "imaging/draw.h"
#include "imaging/png.h"
#include "recognize/rec_internal.h"

int rec_crop_png(const img_t *page, const seg_digit *s, rec_digit *d)
{
	img_t crop = { 0 };
	img_err ie;
	int pad = s->h / 8 + 2;
	int x0 = s->x - pad, y0 = s->y - pad, x1 = s->x + s->w + pad, y1 = s->y + s->h + pad;
	if (x0 < 0) x0 = 0;
	if (y0 < 0) y0 = 0;
	if (x1 > page->w) x1 = page->w;
	if (y1 > page->h) y1 = page->h;
	if (x1 <= x0 || y1 <= y0) return 0;
	if (img_alloc(&crop, x1 - x0, y1 - y0, page->ch, &ie) < 0) return -1;
	for (int y = y0; y < y1; y++)
		memcpy(crop.data + (size_t)(y - y0) * crop.stride, page->data + (size_t)y * page->stride + (size_t)x0 * page->ch,
		       crop.stride);
	int rc = img_encode_png(&crop, &d->crop_png, &d->crop_png_len, &ie);
	img_free(&crop);
	return rc;
}

/* With --explain: every dropped candidate in grey, and the first reason
 * and the verifier's probability of those the model read as digits; drawn
 * first so kept boxes stay on top. */
static void draw_dropped(img_t *im, int page, double k, const rec_result *r, int t, double fs)
{
	const img_color grey = { 150, 150, 150 };
	for (size_t i = 0; i < r->ncands; i++) {
		const rec_cand *c = &r->cands[i];
		if (c->page != page || !c->drop) continue;
		int x = (int)(c->x * k), y = (int)(c->y * k), w = (int)(c->w * k), h = (int)(c->h * k);
		img_draw_rect(im, x, y, w, h, grey, 1);
		/* Words only where a digit may have been lost: a candidate the
		 * model read as a digit; the rest (letters, print) would bury them. */
		if (c->reject >= 0.5f || c->confidence < 0.5f) continue;
		char why[128], s[160];
		rec_drop_words(c->drop, why, sizeof why);
		char *comma = strchr(why, ',');
		if (comma) *comma = 0;
		if (c->verifier >= 0) snprintf(s, sizeof s, "%s %.2f", why, c->verifier);
		else snprintf(s, sizeof s, "%s", why);
		img_draw_text(im, s, x, y + h + (int)(16 * fs), fs * 0.6, grey, t > 1 ? t - 1 : 1, 0);
	}
}

static void draw_page(img_t *im, int page, double k, const rec_result *r)
{
	const img_color red = { 40, 40, 230 }, green = { 40, 170, 40 }, blue = { 220, 120, 20 };
	const img_color orange = { 0, 140, 255 };
	int t = im->w > 1500 ? 2 : 1;
	double fs = im->w > 1500 ? 0.8 : 0.5;
	draw_dropped(im, page, k, r, t, fs);
	for (size_t i = 0; i < r->nunread; i++) {
		const rec_unread *u = &r->unread[i];
		if (u->page != page) continue;
		int x = (int)(u->x * k), y = (int)(u->y * k), w = (int)(u->w * k), h = (int)(u->h * k);
		img_draw_rect(im, x - 6, y - 6, w + 12, h + 12, orange, t + 1);
		img_draw_text(im, "unread?", x, y - 10, fs, orange, t, 0);
	}
	for (size_t i = 0; i < r->nfields; i++) {
		const rec_field *f = &r->fields[i];
		if (f->page != page) continue;
		int x = (int)(f->x * k), y = (int)(f->y * k), w = (int)(f->w * k), h = (int)(f->h * k);
		img_draw_rect(im, x - 4, y - 4, w + 8, h + 8, blue, t);
		char s[96];
		snprintf(s, sizeof s, "%zu: %.40s %.2f", i, f->text, f->confidence);
		img_draw_text(im, s, x, y + h + 6 + (int)(24 * fs), fs, blue, t, 0);
	}
	for (size_t i = 0; i < r->ndigits; i++) {
		const rec_digit *d = &r->digits[i];
		if (d->page != page) continue;
		img_color c = d->flagged ? red : green;
		int x = (int)(d->x * k), y = (int)(d->y * k), w = (int)(d->w * k), h = (int)(d->h * k);
		img_draw_rect(im, x, y, w, h, c, t);
		char s[32];
		snprintf(s, sizeof s, "%d %.2f", d->label, d->confidence);
		img_draw_text(im, s, x, y - 4, fs, c, t, 0);
	}
}

int rec_write_overlay(const char *dir, const char *name, const img_doc *doc, const rec_result *r, char *err,
		      size_t errlen)
{
	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	for (int p = 0; p < doc->npages; p++) {
		img_t im = { 0 };
		img_err ie;
		if (img_to_bgr(&doc->pages[p], &im, &ie) < 0) {
			snprintf(err, errlen, "overlay: %s", ie.msg);
			return -1;
		}
		/* Boxes are in file coordinates; the page may have been decoded smaller. */
		double k = r->pages[p].width > 0 ? (double)im.w / r->pages[p].width : 1.0;
		draw_page(&im, p, k, r);
		char path[4096];
		if (doc->npages > 1) snprintf(path, sizeof path, "%s/%s.p%d.overlay.png", dir, base, p);   /* 0-based like "page" */
		else snprintf(path, sizeof path, "%s/%s.overlay.png", dir, base);
		int rc = img_write(path, &im, 1, 90, &ie);
		img_free(&im);
		if (rc < 0) {
			snprintf(err, errlen, "overlay: %s", ie.msg);
			return -1;
		}
	}
	return 0;
}
