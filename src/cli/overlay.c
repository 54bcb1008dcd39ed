/* overlay.c: `show --overlay`, the document as digitd read it.
 *
 * Over the original scan: every field gets a thin violet box with its final
 * text and confidence under it; every digit a box and its final label above
 * it, green when read with confidence, red with a "?" while flagged and not
 * reviewed, blue once a person reviewed it (with the model's label in
 * brackets when the person corrected it).  A legend strip at the bottom says
 * what the colours mean.  Small scans are enlarged so the labels stay
 * legible; very large ones are reduced.
 *
 * The original is used only when its bytes still hash to the document's
 * sha256, so a different file that happens to carry the same name in done/
 * is never mistaken for it.  Without the original, the stored crop_png crops
 * are laid out field by field (the crop28 image when no PNG was kept). */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/overlay.h"
#include "imaging/draw.h"
#include "imaging/load.h"
#include "imaging/ops.h"
#include "nn/nn.h"
#include "store/query.h"
#include "util/file.h"
#include "util/sha256.h"

#define MAX_ORIGINAL_BYTES (512u << 20)

static const img_color C_OK = { 40, 150, 20 }, C_FLAG = { 30, 30, 220 }, C_REVIEW = { 200, 100, 0 },
		       C_FIELD = { 170, 60, 150 }, C_TEXT = { 40, 40, 40 }, C_WHITE = { 255, 255, 255 };

typedef struct {
	int64_t field_id;
	int page, x, y, w, h;
	int label, final, flagged, reviewed;
	double conf;
	const void *png;
	int pnglen;
	uint8_t crop28[NN_PIXELS];
	int has28;
} ov_digit;

typedef struct {
	int64_t id;
	int page, x, y, w, h;
	char text[64];
	double conf;
	int pending, reviewed;
} ov_field;

typedef struct {
	ov_digit *d;
	size_t nd;
	ov_field *f;
	size_t nf;
	sqlite3_stmt *dst;    /* keeps the crop blobs alive */
} ov_doc;

static uint8_t *read_file(const char *path, size_t *len)
{
	uint8_t *buf;
	char err[256];
	if (file_read_all(path, MAX_ORIGINAL_BYTES, &buf, len, err, sizeof err) < 0) return NULL;
	if (*len == 0) {        /* an empty file is no original */
		free(buf);
		return NULL;
	}
	return buf;
}

/* Try the places the original may be; return its bytes when they hash to sha. */
static uint8_t *find_original(sqlite3 *db, int64_t id, const char *spool, size_t *len)
{
	sqlite3_stmt *st = NULL;
	uint8_t *buf = NULL;
	char cand[4][4096], sha[65], hex[65];
	int n = 0;
	if (sqlite3_prepare_v2(db, "SELECT original, name, sha256 FROM documents WHERE id = ?", -1, &st, NULL))
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) goto out;
	const char *orig = (const char *)sqlite3_column_text(st, 0);
	const char *name = (const char *)sqlite3_column_text(st, 1);
	snprintf(sha, sizeof sha, "%s", sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "");
	if (orig && orig[0] == '/') snprintf(cand[n++], sizeof cand[0], "%s", orig);
	if (orig && orig[0] != '/' && spool) snprintf(cand[n++], sizeof cand[0], "%s/%s", spool, orig);
	if (name && spool && !strchr(name, '/')) snprintf(cand[n++], sizeof cand[0], "%s/done/%s", spool, name);
	if (orig && orig[0] != '/') {
		/* a spool that holds the database too */
		const char *dbfile = sqlite3_db_filename(db, "main");
		char dir[4096];
		if (dbfile && *dbfile) {
			snprintf(dir, sizeof dir, "%s", dbfile);
			snprintf(cand[n++], sizeof cand[0], "%s/%s", dirname(dir), orig);
		}
	}
	for (int i = 0; i < n && !buf; i++) {
		buf = read_file(cand[i], len);
		if (!buf) continue;
		sha256_buf_hex(buf, *len, hex);
		if (strcmp(hex, sha) != 0) {
			free(buf);
			buf = NULL;
		}
	}
out:
	sqlite3_finalize(st);
	return buf;
}

static int load_doc(sqlite3 *db, int64_t id, ov_doc *od)
{
	sqlite3_stmt *st = NULL;
	size_t cap;
	memset(od, 0, sizeof *od);
	const char *fsql =
		"SELECT f.id, f.page, f.x, f.y, f.w, f.h, " QUERY_FIELD_TEXT("f.id") ", f.confidence, "
		QUERY_FIELD_PENDING("f.id") ", " QUERY_FIELD_REVIEWED("f.id") " "
		"FROM fields f WHERE f.document_id = ? ORDER BY f.idx, f.id";
	if (sqlite3_prepare_v2(db, fsql, -1, &st, NULL)) return -1;
	sqlite3_bind_int64(st, 1, id);
	cap = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (od->nf == cap) {
			cap = cap ? cap * 2 : 16;
			ov_field *f = realloc(od->f, cap * sizeof *f);
			if (!f) goto fail;
			od->f = f;
		}
		ov_field *f = &od->f[od->nf++];
		f->id = sqlite3_column_int64(st, 0);
		f->page = sqlite3_column_int(st, 1);
		f->x = sqlite3_column_int(st, 2); f->y = sqlite3_column_int(st, 3);
		f->w = sqlite3_column_int(st, 4); f->h = sqlite3_column_int(st, 5);
		snprintf(f->text, sizeof f->text, "%s", sqlite3_column_text(st, 6) ? (const char *)sqlite3_column_text(st, 6) : "");
		f->conf = sqlite3_column_double(st, 7);
		f->pending = sqlite3_column_int(st, 8);
		f->reviewed = sqlite3_column_int(st, 9);
	}
	sqlite3_finalize(st);
	const char *dsql =
		"SELECT coalesce(field_id, 0), page, x, y, w, h, label, coalesce(reviewed_label, label), flagged, "
		"       reviewed_label IS NOT NULL, confidence, crop_png, crop28 "
		"FROM digits WHERE document_id = ? ORDER BY field_id, pos, x";
	if (sqlite3_prepare_v2(db, dsql, -1, &st, NULL)) return -1;
	sqlite3_bind_int64(st, 1, id);
	cap = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (od->nd == cap) {
			cap = cap ? cap * 2 : 64;
			ov_digit *d = realloc(od->d, cap * sizeof *d);
			if (!d) goto fail;
			od->d = d;
		}
		ov_digit *d = &od->d[od->nd++];
		memset(d, 0, sizeof *d);
		d->field_id = sqlite3_column_int64(st, 0);
		d->page = sqlite3_column_int(st, 1);
		d->x = sqlite3_column_int(st, 2); d->y = sqlite3_column_int(st, 3);
		d->w = sqlite3_column_int(st, 4); d->h = sqlite3_column_int(st, 5);
		d->label = sqlite3_column_int(st, 6);
		d->final = sqlite3_column_int(st, 7);
		d->flagged = sqlite3_column_int(st, 8);
		d->reviewed = sqlite3_column_int(st, 9);
		d->conf = sqlite3_column_double(st, 10);
		/* copy the blobs: the statement moves on */
		int len = sqlite3_column_bytes(st, 11);
		if (len > 0) {
			void *p = malloc((size_t)len);
			if (!p) goto fail;
			memcpy(p, sqlite3_column_blob(st, 11), (size_t)len);
			d->png = p;
			d->pnglen = len;
		}
		if (sqlite3_column_bytes(st, 12) == NN_PIXELS) {
			memcpy(d->crop28, sqlite3_column_blob(st, 12), NN_PIXELS);
			d->has28 = 1;
		}
	}
	sqlite3_finalize(st);
	return 0;
fail:
	sqlite3_finalize(st);
	return -1;
}

static void free_doc(ov_doc *od)
{
	for (size_t i = 0; i < od->nd; i++) free((void *)od->d[i].png);
	free(od->d);
	free(od->f);
}

static img_color digit_color(const ov_digit *d)
{
	return d->reviewed ? C_REVIEW : d->flagged ? C_FLAG : C_OK;
}

static void digit_caption(const ov_digit *d, char *buf, size_t n)
{
	if (d->reviewed && d->final != d->label) snprintf(buf, n, "%d(%d)", d->final, d->label);
	else if (d->flagged && !d->reviewed) snprintf(buf, n, "%d?", d->final);
	else snprintf(buf, n, "%d", d->final);
}

/* Text with a white halo so it reads over ink and paper alike. */
static void text_halo(img_t *im, const char *s, int x, int y, double scale, img_color c, int thick)
{
	img_draw_text(im, s, x, y, scale, C_WHITE, thick + 3, 0);
	img_draw_text(im, s, x, y, scale, c, thick, 0);
}

/* Font scale that makes digits about px pixels tall (Hershey simplex digits
 * are ~22 px tall at scale 1). */
static double font_for(int px)
{
	return px / 22.0;
}

/* The legend strip: the title, then the colour keys, wrapped to width W.
 * With im NULL only measures.  Returns the strip's height. */
static int legend(img_t *im, int W, int y0, int px, const char *title)
{
	const struct { img_color c; const char *what; } keys[] = {
		{ C_OK, "read" }, { C_FLAG, "flagged, to review (?)" }, { C_REVIEW, "reviewed (model's label)" },
		{ C_FIELD, "field: final text, confidence" },
	};
	double fs = font_for(px);
	int th = px >= 18 ? 2 : 1, x = 10, tw, tht, line = px + px / 2;
	int base = y0 + line;
	if (im) img_draw_text(im, title, x, base, fs, C_TEXT, th, 0);
	base += line;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		img_text_size(keys[i].what, fs * 0.85, th, 0, &tw, &tht);
		if (x > 10 && x + px * 2 + tw > W) { x = 10; base += line; }
		if (im) {
			img_draw_rect(im, x, base - px + 2, px - 2, px - 2, keys[i].c, 2);
			img_draw_text(im, keys[i].what, x + px + px / 2, base, fs * 0.85, C_TEXT, th, 0);
		}
		x += px * 3 + tw;
	}
	return base - y0 + px;
}

/* Legend text size for an image W pixels wide. */
static int legend_px(int W)
{
	int px = W / 55;
	return px < 13 ? 13 : px > 28 ? 28 : px;
}

static const char *doc_title(sqlite3 *db, int64_t id, char *buf, size_t n)
{
	sqlite3_stmt *st = NULL;
	snprintf(buf, n, "document %lld", (long long)id);
	if (sqlite3_prepare_v2(db, "SELECT name FROM documents WHERE id = ?", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			char name[200];
			const char *s = (const char *)sqlite3_column_text(st, 0);
			size_t i;
			/* Hershey fonts draw ASCII only */
			for (i = 0; s && s[i] && i + 1 < sizeof name; i++)
				name[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
			name[i] = 0;
			snprintf(buf, n, "document %lld: %s", (long long)id, name);
		}
	}
	sqlite3_finalize(st);
	return buf;
}

/* Scan mode: pages stacked vertically, scaled by s, annotations on top. */
static int draw_scan(const img_doc *doc, const ov_doc *od, const char *title, img_t *out, img_err *e)
{
	int maxw = 0, toth = 0, gap = 20;
	for (int i = 0; i < doc->npages; i++) {
		if (doc->pages[i].w > maxw) maxw = doc->pages[i].w;
		toth += doc->pages[i].h + (i ? gap : 0);
	}
	/* enlarge until the median digit is ~40 px tall (labels need room), but
	 * keep the picture under ~3000 px wide; reduce huge scans to that */
	int med = 20;
	if (od->nd) {
		int *hs = malloc(od->nd * sizeof *hs);
		if (hs) {
			for (size_t i = 0; i < od->nd; i++) hs[i] = od->d[i].h;
			for (size_t i = 1; i < od->nd; i++)   /* insertion sort: a page's digits */
				for (size_t j = i; j > 0 && hs[j - 1] > hs[j]; j--) { int t = hs[j]; hs[j] = hs[j - 1]; hs[j - 1] = t; }
			med = hs[od->nd / 2] > 0 ? hs[od->nd / 2] : 1;
			free(hs);
		}
	}
	double s = ceil(40.0 / med);
	if (s < 1) s = 1;
	if (s > 4) s = 4;
	while (s > 1 && maxw * s > 3000) s -= 1;
	if (maxw * s > 3000) s = 3000.0 / maxw;
	int px = (int)(med * s * 0.5);
	if (px < 14) px = 14;
	if (px > 60) px = 60;
	int W = (int)(maxw * s + 0.5), top = px * 2, lpx = legend_px(W), lh = legend(NULL, W, 0, lpx, title);
	int H = top + (int)(toth * s + 0.5) + lh;
	if (img_alloc(out, W, H, 3, e) < 0) return -1;
	memset(out->data, 255, out->stride * (size_t)H);
	int *page_y = calloc((size_t)doc->npages, sizeof *page_y);
	if (!page_y) { img_free(out); return -1; }
	int y = top;
	for (int i = 0; i < doc->npages; i++) {
		img_t bgr = { 0 }, big = { 0 };
		const img_t *p = &doc->pages[i];
		page_y[i] = y;
		if (p->ch == 1) { if (img_to_bgr(p, &bgr, e) < 0) goto fail; p = &bgr; }
		int pw = (int)(p->w * s + 0.5), ph = (int)(p->h * s + 0.5);
		if (img_resize(p, pw, ph, s >= 1 ? IMG_INTER_CUBIC : IMG_INTER_AREA, &big, e) < 0) { img_free(&bgr); goto fail; }
		/* lighten the scan a little so the annotations stand out */
		for (int r = 0; r < ph; r++) {
			uint8_t *dst = out->data + (size_t)(y + r) * out->stride, *src = big.data + (size_t)r * big.stride;
			for (int c = 0; c < pw * 3; c++) dst[c] = (uint8_t)(96 + src[c] * 159 / 255);
		}
		img_free(&big);
		img_free(&bgr);
		y += ph + (int)(gap * s);
	}
	int th = px >= 24 ? 2 : 1;
	for (size_t i = 0; i < od->nf; i++) {
		const ov_field *f = &od->f[i];
		int pg = f->page;   /* 0-based, as stored (docs/operations.md) */
		if (pg < 0 || pg >= doc->npages) continue;
		int fx = (int)(f->x * s) - 4, fy = page_y[pg] + (int)(f->y * s) - 4;
		int fw = (int)(f->w * s) + 8, fh = (int)(f->h * s) + 8;
		char cap[128];
		img_draw_rect(out, fx, fy, fw, fh, C_FIELD, 1);
		snprintf(cap, sizeof cap, "%s  %.3f%s", f->text, f->conf, f->pending ? "  to review" : "");
		text_halo(out, cap, fx, fy + fh + px * 3 / 4 + 2, font_for(px) * 0.65, C_FIELD, 1);
	}
	for (size_t i = 0; i < od->nd; i++) {
		const ov_digit *d = &od->d[i];
		int pg = d->page;
		if (pg < 0 || pg >= doc->npages) continue;
		int x = (int)(d->x * s), yy = page_y[pg] + (int)(d->y * s), w = (int)(d->w * s), h = (int)(d->h * s);
		char cap[16];
		img_color c = digit_color(d);
		img_draw_rect(out, x - 1, yy - 1, w + 2, h + 2, c, d->flagged && !d->reviewed ? 3 : 2);
		digit_caption(d, cap, sizeof cap);
		text_halo(out, cap, x, yy - 6, font_for(px), c, th + 1);
	}
	img_draw_line(out, 0, H - lh, W, H - lh, C_FIELD, 1);
	legend(out, W, H - lh, lpx, title);
	free(page_y);
	return 0;
fail:
	free(page_y);
	img_free(out);
	return -1;
}

/* One digit's crop as BGR at height cell_h (grey on white). */
static int crop_image(const ov_digit *d, int cell_h, img_t *out, img_err *e)
{
	img_doc doc = { 0 };
	img_load_opts o;
	img_t src = { 0 }, bgr = { 0 };
	int rc = -1;
	img_load_opts_default(&o);
	o.min_dpi = 0;
	if (d->png && img_load(d->png, (size_t)d->pnglen, &o, &doc, e) == 0 && doc.npages >= 1) {
		if (img_clone(&doc.pages[0], &src, e) < 0) goto out;
	} else if (d->has28) {
		if (img_alloc(&src, NN_SIDE, NN_SIDE, 1, e) < 0) goto out;
		for (int i = 0; i < NN_PIXELS; i++) src.data[i] = (uint8_t)(255 - d->crop28[i]);
	} else {
		if (img_alloc(&src, cell_h / 2, cell_h, 1, e) < 0) goto out;
		memset(src.data, 200, src.stride * (size_t)src.h);
	}
	if (src.ch == 1) {
		if (img_to_bgr(&src, &bgr, e) < 0) goto out;
	} else if (img_clone(&src, &bgr, e) < 0) goto out;
	int w = (int)((double)bgr.w * cell_h / bgr.h + 0.5);
	if (w < 1) w = 1;
	if (w > cell_h * 2) w = cell_h * 2;
	rc = img_resize(&bgr, w, cell_h, bgr.h < cell_h ? IMG_INTER_CUBIC : IMG_INTER_AREA, out, e);
out:
	img_doc_free(&doc);
	img_free(&src);
	img_free(&bgr);
	return rc;
}

static void blit(img_t *dst, const img_t *src, int x, int y)
{
	for (int r = 0; r < src->h && y + r < dst->h; r++)
		memcpy(dst->data + (size_t)(y + r) * dst->stride + (size_t)x * 3, src->data + (size_t)r * src->stride,
		       (size_t)(x + src->w <= dst->w ? src->w : dst->w - x) * 3);
}

/* Crops mode: a row per field (and one for digits outside fields), each
 * under a caption with the field's final text and confidence. */
static int draw_crops(const ov_doc *od, const char *title, img_t *out, img_err *e)
{
	const int cell = 72, gap = 18, px = 18, margin = 16;
	const int row_h = px + 12 + cell + px + 22;
	size_t nrows = od->nf + 1;
	int maxn = 1;
	for (size_t r = 0; r < nrows; r++) {
		int n = 0;
		int64_t fid = r < od->nf ? od->f[r].id : 0;
		for (size_t i = 0; i < od->nd; i++) n += od->d[i].field_id == fid;
		if (n > maxn) maxn = n;
	}
	int W = margin * 2 + maxn * (cell + gap), lpx = legend_px(W < 700 ? 700 : W);
	if (W < 700) W = 700;
	int lh = legend(NULL, W, 0, lpx, title);
	int H = margin + (int)nrows * row_h + lh;
	if (img_alloc(out, W, H, 3, e) < 0) return -1;
	memset(out->data, 255, out->stride * (size_t)H);
	int y = margin;
	for (size_t r = 0; r < nrows; r++) {
		int64_t fid = r < od->nf ? od->f[r].id : 0;
		int x = margin, n = 0;
		for (size_t i = 0; i < od->nd; i++) {
			const ov_digit *d = &od->d[i];
			if (d->field_id != fid) continue;
			img_t c = { 0 };
			char cap[16];
			int tw, tht;
			if (crop_image(d, cell, &c, e) < 0) { img_free(out); return -1; }
			int cx = x + (cell - c.w) / 2 > x ? x + (cell - c.w) / 2 : x;
			blit(out, &c, cx, y + px + 12);
			img_color col = digit_color(d);
			img_draw_rect(out, cx - 3, y + px + 9, c.w + 6, cell + 6, col, d->flagged && !d->reviewed ? 3 : 2);
			digit_caption(d, cap, sizeof cap);
			img_text_size(cap, font_for(px + 4), 2, 0, &tw, &tht);
			img_draw_text(out, cap, cx + c.w / 2 - tw / 2, y + px + 12 + cell + px + 10, font_for(px + 4), col, 2, 0);
			x += (c.w > cell ? c.w : cell) + gap;
			img_free(&c);
			n++;
		}
		if (n == 0) continue;
		char head[128];
		if (r < od->nf)
			snprintf(head, sizeof head, "field %zu: %s   confidence %.3f%s", r, od->f[r].text, od->f[r].conf,
				 od->f[r].pending ? "   to review" : "");
		else
			snprintf(head, sizeof head, "digits outside fields");
		img_draw_text(out, head, margin, y + px, font_for(px), C_FIELD, 2, 0);
		y += row_h;
	}
	img_draw_line(out, 0, y, W, y, C_FIELD, 1);
	legend(out, W, y, lpx, title);
	out->h = y + lh;   /* drop the rows nothing was drawn in (stride unchanged) */
	return 0;
}

int overlay_write(sqlite3 *db, int64_t id, const char *spool, const char *out_path, const char **what,
		  char *err, size_t errlen)
{
	ov_doc od;
	img_doc doc = { 0 };
	img_t out = { 0 };
	img_err e = { { 0 } };
	size_t len = 0;
	char title[300], full[400];
	int rc = -1;

	/* a duplicate's results are its first document's */
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT duplicate_of FROM documents WHERE id = ? AND duplicate_of IS NOT NULL",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (load_doc(db, id, &od) < 0) {
		snprintf(err, errlen, "cannot read document %lld: %s", (long long)id, sqlite3_errmsg(db));
		return -1;
	}
	doc_title(db, id, title, sizeof title);
	uint8_t *buf = find_original(db, id, spool, &len);
	if (buf) {
		img_load_opts o;
		img_load_opts_default(&o);
		o.min_dpi = 0;   /* boxes are in full-size pixels */
		if (img_load(buf, len, &o, &doc, &e) < 0) {
			free(buf);
			buf = NULL;
		}
	}
	if (buf) {
		*what = "scan";
		snprintf(full, sizeof full, "%s  (over the original scan)", title);
		if (draw_scan(&doc, &od, full, &out, &e) < 0) goto imgfail;
	} else {
		if (od.nd == 0) {
			snprintf(err, errlen, "the original of document %lld is not in the spool%s and it has no digits to "
				 "draw", (long long)id, spool ? "" : " (no --spool given or configured)");
			goto out;
		}
		*what = "crops";
		snprintf(full, sizeof full, "%s  (stored crops; original not found)", title);
		if (draw_crops(&od, full, &out, &e) < 0) goto imgfail;
	}
	if (img_write(out_path, &out, 1, 92, &e) < 0) goto imgfail;
	rc = 0;
	goto out;
imgfail:
	snprintf(err, errlen, "%s", e.msg[0] ? e.msg : "out of memory");
out:
	free(buf);
	img_doc_free(&doc);
	img_free(&out);
	free_doc(&od);
	return rc;
}
