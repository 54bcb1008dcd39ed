/* pages_scan.h: "scan" a flat mkpages page, and write its truth.
 *
 * The page is laid on a scanner bed a little larger than itself (the lid
 * shows around it), rotated by the skew, lit unevenly, blurred and noised;
 * some pages become grey.  Every digit's truth box is the bounding box of
 * its ink pixels mapped one by one through the same affine map the pixels
 * went through, so it is tight after rotation (samples/README.md's
 * definition); fields are the union of their digits; other marks map their
 * corners (their boxes only say what a false positive hit). */
#ifndef DIGITD_PAGES_SCAN_H
#define DIGITD_PAGES_SCAN_H
#include "imaging/ops.h"
#include "imaging/synth.h"
#include "pages_page.h"

typedef struct {
	double skew, blur, noise, light;
	int channels, jpeg;      /* jpeg: quality, 0 for a lossless file */
	double m[6];             /* flat page -> scan, forward */
	int w, h;
} pscan;

/* Per-page scan factors (pins honoured). */
static void scan_draw(ppage *p, pscan *s, int lossless)
{
	prng *r = p->r;
	s->skew = fac(p->pins, FAC_SKEW, clampd(prng_normal(r) * 3.5, -8, 8));
	/* Blur grows with dpi: the optics blur about the same fraction of a mm. */
	s->blur = fac(p->pins, FAC_BLUR, prng_chance(r, 0.3) ? 0 : prng_range(r, 0.3, 1.0) * p->dpi / 200.0);
	s->noise = fac(p->pins, FAC_NOISE, prng_range(r, 0, 9));
	s->light = prng_range(r, 0, 0.18);
	s->channels = prng_chance(r, 0.25) ? 1 : 3;
	s->jpeg = lossless ? 0 : (int)fac(p->pins, FAC_JPEG, prng_int(r, 40, 95));
}

static int scan_page(ppage *p, pscan *s, img_t *out)
{
	prng *r = p->r;
	img_err e;
	int W = p->im.w, H = p->im.h;
	double c = cos(s->skew * M_PI / 180), sn = sin(s->skew * M_PI / 180), margin = mm(p, prng_range(r, 2, 6));
	s->w = (int)ceil(fabs(c) * W + fabs(sn) * H + 2 * margin);
	s->h = (int)ceil(fabs(sn) * W + fabs(c) * H + 2 * margin);
	double cx = W / 2.0, cy = H / 2.0, ox = s->w / 2.0, oy = s->h / 2.0;
	/* Counter-clockwise on screen (y down) for a positive skew. */
	double m[6] = { c, sn, ox - c * cx - sn * cy, -sn, c, oy + sn * cx - c * cy };
	memcpy(s->m, m, sizeof m);
	int lid = prng_chance(r, 0.7) ? prng_int(r, 225, 250) : prng_int(r, 40, 90);
	img_t rot, blurred;
	if (img_warp_affine(&p->im, &rot, m, s->w, s->h, (img_color){ (uint8_t)lid, (uint8_t)lid, (uint8_t)lid }, &e) < 0)
		goto fail;
	/* Uneven light: a linear falloff across the bed. */
	double ax = prng_range(r, -1, 1), ay = prng_range(r, -1, 1);
	for (int y = 0; y < rot.h; y++) {
		uint8_t *row = rot.data + (size_t)y * rot.stride;
		for (int x = 0; x < rot.w; x++) {
			double f = 1 - s->light * (0.5 + 0.5 * (ax * (2.0 * x / rot.w - 1) + ay * (2.0 * y / rot.h - 1)) / 2);
			for (int k = 0; k < 3; k++) row[3 * x + k] = (uint8_t)(row[3 * x + k] * f);
		}
	}
	if (s->blur >= 0.3) {
		if (img_gaussian(&rot, s->blur, &blurred, &e) < 0) { img_free(&rot); goto fail; }
		img_free(&rot);
		rot = blurred;
	}
	/* Sensor noise: the sum of four uniforms (close enough to Gaussian, and
	 * one 64-bit draw per pixel); the same on every channel, as a CCD's is. */
	double k = s->noise * 0.0000264; /* sd of a sum of four 16-bit uniforms is 37837; 1/37837 */
	for (int y = 0; y < rot.h && s->noise > 0; y++) {
		uint8_t *row = rot.data + (size_t)y * rot.stride;
		for (int x = 0; x < rot.w; x++) {
			uint64_t u = prng_next(r);
			double n = ((double)(u & 0xFFFF) + (double)(u >> 16 & 0xFFFF) + (double)(u >> 32 & 0xFFFF) + (double)(u >> 48) - 131070.0) * k;
			for (int ch = 0; ch < 3; ch++) row[3 * x + ch] = (uint8_t)clampd(row[3 * x + ch] + n, 0, 255);
		}
	}
	if (s->channels == 1) {
		if (img_alloc(out, rot.w, rot.h, 1, &e) < 0) { img_free(&rot); goto fail; }
		for (int y = 0; y < rot.h; y++)
			for (int x = 0; x < rot.w; x++) {
				const uint8_t *q = rot.data + (size_t)y * rot.stride + 3 * (size_t)x;
				out->data[(size_t)y * out->stride + x] = (uint8_t)((q[0] * 29 + q[1] * 150 + q[2] * 77 + 128) >> 8);
			}
		img_free(&rot);
	} else
		*out = rot;
	return 0;
fail:
	fprintf(stderr, "mkpages: scan: %s\n", e.msg);
	return -1;
}

typedef struct { int x, y, w, h; } ibox;

static ibox clip_box(const pscan *s, double x0, double y0, double x1, double y1)
{
	x0 = clampd(x0, 0, s->w - 1), y0 = clampd(y0, 0, s->h - 1);
	x1 = clampd(x1, x0, s->w - 1), y1 = clampd(y1, y0, s->h - 1);
	return (ibox){ (int)x0, (int)y0, (int)(x1 - x0) + 1, (int)(y1 - y0) + 1 };
}

/* The tight box of digit d on the scan: each ink pixel's centre mapped. */
static ibox digit_box(const pscan *s, const pdigit *d)
{
	double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
	const double *m = s->m;
	for (int v = 0; v < d->mh; v++)
		for (int u = 0; u < d->mw; u++) {
			if (!d->mask[v * d->mw + u]) continue;
			double px = d->mx + u + 0.5, py = d->my + v + 0.5;
			double X = floor(m[0] * px + m[1] * py + m[2]), Y = floor(m[3] * px + m[4] * py + m[5]);
			x0 = fmin(x0, X), x1 = fmax(x1, X), y0 = fmin(y0, Y), y1 = fmax(y1, Y);
		}
	return clip_box(s, x0, y0, x1, y1);
}

static ibox mark_box(const pscan *s, const pbox *b)
{
	double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
	const double *m = s->m;
	for (int i = 0; i < 4; i++) {
		double px = i & 1 ? b->x1 : b->x0, py = i & 2 ? b->y1 : b->y0;
		double X = m[0] * px + m[1] * py + m[2], Y = m[3] * px + m[4] * py + m[5];
		x0 = fmin(x0, X), x1 = fmax(x1, X), y0 = fmin(y0, Y), y1 = fmax(y1, Y);
	}
	return clip_box(s, floor(x0), floor(y0), ceil(x1), ceil(y1));
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\') fputc('\\', f);
		if ((unsigned char)*s >= 0x20) fputc(*s, f);
	}
	fputc('"', f);
}

/* One element of "pages" (samples/README.md's shape, plus dpi and factors). */
static void truth_page(FILE *f, const ppage *p, const pscan *s, int page)
{
	ibox *db = malloc(((size_t)p->nd + 1) * sizeof *db);
	if (!db) { fprintf(stderr, "mkpages: out of memory\n"); exit(1); }
	fprintf(f, "  {\"page\": %d, \"width\": %d, \"height\": %d, \"rotation_deg\": %.2f, \"ink\": \"%s\", "
		"\"blur\": %.2f, \"noise\": %.1f, \"light\": %.2f, \"channels\": %d, \"dpi\": %d, \"paper\": \"%s\",\n",
		page, s->w, s->h, s->skew, pen_name[p->pen], s->blur, s->noise, s->light, s->channels, (int)p->dpi, p->paper);
	fprintf(f, "   \"factors\": {\"dpi\": %d, \"skew\": %.2f, \"blur\": %.2f, \"noise\": %.1f, \"jpeg\": %d, \"pen\": \"%s\", "
		"\"body_cap_px\": %.1f},\n", (int)p->dpi, s->skew, s->blur, s->noise, s->jpeg, pen_name[p->pen], p->body_cap);
	fprintf(f, "   \"digits\": [");
	for (int i = 0; i < p->nd; i++) {
		const pdigit *d = &p->d[i];
		db[i] = digit_box(s, d);
		fprintf(f, "%s\n    {\"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d, \"label\": %d, ", i ? "," : "",
			db[i].x, db[i].y, db[i].w, db[i].h, d->label);
		if (strcmp(p->pool->split, "test") == 0) fprintf(f, "\"mnist_test_index\": %d, ", d->mnist_index);
		fprintf(f, "\"mnist_index\": %d, \"mnist_split\": \"%s\", \"field\": %d}", d->mnist_index, p->pool->split, d->field);
	}
	fprintf(f, "],\n   \"fields\": [");
	for (int i = 0; i < p->nf; i++) {
		const pfield *fl = &p->f[i];
		int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
		for (int j = 0; j < p->nd; j++) {
			if (p->d[j].field != i) continue;
			ibox b = db[j];
			if (b.x < x0) x0 = b.x;
			if (b.y < y0) y0 = b.y;
			if (b.x + b.w > x1) x1 = b.x + b.w;
			if (b.y + b.h > y1) y1 = b.y + b.h;
		}
		fprintf(f, "%s\n    {\"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d, \"text\": \"%s\", \"kind\": \"%s\", "
			"\"factors\": {\"height_ratio\": %.3f, \"touching\": %d, \"gap\": %.3f, \"slant\": %.1f, \"stroke\": %.2f, "
			"\"in_comb\": %d, \"pen\": \"%s\"}}",
			i ? "," : "", x0, y0, x1 - x0, y1 - y0, fl->text, fl->kind, fl->height_ratio, fl->touching, fl->gap,
			fl->slant, fl->stroke, fl->in_comb, pen_name[p->pen]);
	}
	fprintf(f, "],\n   \"nondigits\": [");
	for (int i = 0; i < p->nm; i++) {
		ibox b = mark_box(s, &p->m[i].b);
		fprintf(f, "%s\n    {\"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d, \"kind\": \"%s\", \"text\": ", i ? "," : "",
			b.x, b.y, b.w, b.h, p->m[i].kind);
		json_str(f, p->m[i].text);
		fprintf(f, ", \"has_digits\": %s}", p->m[i].has_digits ? "true" : "false");
	}
	fprintf(f, "]}");
	free(db);
}

/* MKPAGES_OVERLAY=1: the truth drawn on a colour copy of a scan (digits
 * red, fields green, non-digits orange), to check the boxes by eye. */
static void overlay_write(const char *path, const img_t *scan, const ppage *p, const pscan *s)
{
	img_t ov;
	img_err e;
	if (scan->ch == 3 ? img_clone(scan, &ov, &e) < 0 : img_to_bgr(scan, &ov, &e) < 0) return;
	for (int i = 0; i < p->nm; i++) {
		ibox b = mark_box(s, &p->m[i].b);
		img_draw_rect(&ov, b.x, b.y, b.w, b.h, (img_color){ 0, 140, 255 }, 1);
	}
	for (int i = 0; i < p->nd; i++) {
		ibox b = digit_box(s, &p->d[i]);
		img_draw_rect(&ov, b.x, b.y, b.w, b.h, (img_color){ 0, 0, 255 }, 1);
	}
	if (img_write(path, &ov, 1, 0, &e) < 0) fprintf(stderr, "mkpages: %s\n", e.msg);
	img_free(&ov);
}

#endif
