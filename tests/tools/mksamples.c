/* mksamples: compose the realistic test scans of samples/ with ground truth.
 *
 *   build/tests/mksamples data/mnist samples
 *
 * Cheques, A4 forms and plain sheets, drawn flat (samples_page.h), then
 * "scanned": rotated a few degrees, unevenly lit, blurred, noised.  The
 * handwriting is MNIST *test* digits only (the model never trains on them),
 * each used at most once.  Everything comes from one fixed seed and our own
 * PRNG, so the output is the same on every run; samples/README.md describes
 * the truth format and the scoring rules. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samples_page.h"

#define SEED 0x5A3D1E5ull

static const char *outdir;
static spicker pk;

static const img_color PRINT_BLACK = { 30, 28, 28 };

/* Pens: blue ballpoint and black ballpoint.  The random draws are separate
 * statements: the order of evaluation inside an initializer list or a call's
 * arguments is unspecified in C, and the samples must not depend on it. */
static spen pen_blue(rng_t *r)
{
	spen p;
	p.c.b = (uint8_t)rng_int(r, 120, 165);
	p.c.g = (uint8_t)rng_int(r, 40, 70);
	p.c.r = (uint8_t)rng_int(r, 15, 40);
	p.lo = rng_uniform(r, 0.22, 0.34);
	p.hi = rng_uniform(r, 0.55, 0.7);
	p.amax = rng_uniform(r, 0.85, 0.95);
	p.slant = rng_uniform(r, -0.08, 0.22);
	p.texture = 0.18;
	return p;
}

static spen pen_black(rng_t *r)
{
	spen p;
	int g = rng_int(r, 20, 45);
	p.c = (img_color){ (uint8_t)(g + 5), (uint8_t)g, (uint8_t)g };
	p.lo = rng_uniform(r, 0.2, 0.3);
	p.hi = rng_uniform(r, 0.5, 0.65);
	p.amax = rng_uniform(r, 0.88, 0.97);
	p.slant = rng_uniform(r, -0.08, 0.22);
	p.texture = 0.12;
	return p;
}

/* A fine ballpoint: only the core of the MNIST stroke becomes ink, so the
 * strokes are thin and the faint joins of some digits break. */
static spen pen_fine(spen p)
{
	p.lo += 0.14;
	p.hi += 0.16;
	return p;
}

static img_color rand_paper(rng_t *r, int lo_b, int lo_g, int lo_r)
{
	img_color c;
	c.b = (uint8_t)rng_int(r, lo_b, lo_b + 10);
	c.g = (uint8_t)rng_int(r, lo_g, lo_g + 7);
	c.r = (uint8_t)rng_int(r, lo_r, lo_r + 6);
	return c;
}

static img_color shade(img_color c, double f)
{
	return (img_color){ (uint8_t)fmin(255, c.b * f), (uint8_t)fmin(255, c.g * f), (uint8_t)fmin(255, c.r * f) };
}

/* Text scale for a cap height of px pixels (Hershey simplex caps are ~22 px at scale 1). */
static double tscale(double px) { return px / 22.0; }

/* A random amount/number string of n digits, first digit not 0 unless zero_ok. */
static void rand_digits(rng_t *r, char *s, int n, int zero_ok)
{
	for (int i = 0; i < n; i++) s[i] = (char)('0' + rng_int(r, (i == 0 && !zero_ok) ? 1 : 0, 9));
	s[n] = 0;
}

/* --- writing a sample: image + truth ---------------------------------------- */

typedef struct {
	spage pg;
	spost post;
	const char *ink;
} spagejob;

static int emit(const char *name, const char *kind, const char *desc, spagejob *jobs, int n, int quality,
		rng_t *r)
{
	img_t out[4] = {{0}};
	img_err e;
	char path[512];
	int rc = -1;
	FILE *f = NULL;
	const char *ext = strrchr(name, '.');
	int lossless = strcmp(ext, ".png") == 0 || strcmp(ext, ".tif") == 0;
	for (int i = 0; i < n; i++) {
		if (lossless) {
			jobs[i].post.grain = 0.06;
			jobs[i].post.noise *= 2.5;
		}
		if (page_finish(&jobs[i].pg, &jobs[i].post, r, &out[i]) < 0) goto done;
	}
	snprintf(path, sizeof path, "%s/%s", outdir, name);
	if (img_write(path, out, n, quality, &e) < 0) { fprintf(stderr, "mksamples: %s\n", e.msg); goto done; }
	char *dot = strrchr(name, '.');
	snprintf(path, sizeof path, "%s/%.*s.truth.json", outdir, (int)(dot - name), name);
	f = fopen(path, "w");
	if (!f) { fprintf(stderr, "mksamples: %s: %s\n", path, strerror(errno)); goto done; }
	fprintf(f, "{\"file\": ");
	json_str(f, name);
	fprintf(f, ", \"kind\": ");
	json_str(f, kind);
	fprintf(f, ", \"description\": ");
	json_str(f, desc);
	fprintf(f, ", \"generator\": \"tests/tools/mksamples.c\",\n \"pages\": [\n");
	int nd = 0;
	for (int i = 0; i < n; i++) {
		truth_page(f, &jobs[i].pg, i, &out[i], jobs[i].ink, &jobs[i].post);
		fprintf(f, "%s\n", i + 1 < n ? "," : "");
		nd += jobs[i].pg.nd;
	}
	fprintf(f, " ]}\n");
	/* MKSAMPLES_OVERLAY=1: also draw the truth boxes on page 0, to check them by eye. */
	if (getenv("MKSAMPLES_OVERLAY")) {
		img_t ov;
		const spage *pg = &jobs[0].pg;
		if (img_to_bgr(&out[0], &ov, &e) == 0) {
			for (int i = 0; i < pg->nm; i++) {
				sbox b = pg->m[i].b;
				img_draw_rect(&ov, (int)b.x0, (int)b.y0, (int)(b.x1 - b.x0), (int)(b.y1 - b.y0), (img_color){ 0, 140, 255 }, 1);
			}
			for (int i = 0; i < pg->nf; i++) {
				sbox b = pg->f[i].b;
				img_draw_rect(&ov, (int)b.x0 - 4, (int)b.y0 - 4, (int)(b.x1 - b.x0) + 8, (int)(b.y1 - b.y0) + 8, (img_color){ 0, 180, 0 }, 2);
			}
			for (int i = 0; i < pg->nd; i++) {
				sbox b = pg->d[i].b;
				img_draw_rect(&ov, (int)b.x0, (int)b.y0, (int)(b.x1 - b.x0), (int)(b.y1 - b.y0), (img_color){ 0, 0, 255 }, 1);
			}
			snprintf(path, sizeof path, "%s/%.*s.overlay.png", outdir, (int)(dot - name), name);
			if (img_write(path, &ov, 1, 0, &e) < 0) fprintf(stderr, "mksamples: %s\n", e.msg);
			img_free(&ov);
		}
	}
	if (fclose(f) != 0) { f = NULL; fprintf(stderr, "mksamples: %s: %s\n", path, strerror(errno)); goto done; }
	f = NULL;
	printf("%-16s %d page(s) %dx%d, %d handwritten digits\n", name, n, out[0].w, out[0].h, nd);
	rc = 0;
done:
	if (f) fclose(f);
	for (int i = 0; i < n; i++) { img_free(&out[i]); page_free(&jobs[i].pg); }
	return rc;
}

/* --- small drawing helpers ------------------------------------------------- */

static void dot(spage *p, double x, double y, int thick, img_color c)
{
	img_draw_line(&p->im, (int)x, (int)y, (int)x, (int)y, c, thick);
}

/* Wavy security lines ("guilloche") over the rectangle (x, y, w, h). */
static void guilloche(spage *p, int x, int y, int w, int h, img_color c, int n, double lambda, rng_t *r)
{
	double ph2 = rng_uniform(r, 0, 6.28);
	for (int k = 0; k < n; k++) {
		double y0 = y + (double)h * (k + 0.5) / n, A = h / (double)n * rng_uniform(r, 1.5, 3.0);
		double ph = k * 0.45 + ph2;
		int px = x, py = (int)y0;
		for (int xx = x; xx <= x + w; xx += 4) {
			double t = (xx - x) / lambda * 6.283;
			int ny = (int)(y0 + A * sin(t + ph) * cos(t * 0.23 + ph2));
			if (ny < y) ny = y;
			if (ny > y + h) ny = y + h;
			if (xx > x) img_draw_line(&p->im, px, py, xx, ny, c, 1);
			px = xx; py = ny;
		}
	}
}

/* Diagonal hatching clipped (approximately) to the rectangle. */
static void hatch(spage *p, int x, int y, int w, int h, img_color c, int step)
{
	for (int k = -h; k < w; k += step) {
		int x0 = x + k, y0 = y, x1 = x + k + h, y1 = y + h;
		if (x0 < x) { y0 += x - x0; x0 = x; }
		if (x1 > x + w) { y1 -= x1 - (x + w); x1 = x + w; }
		if (y1 > y0) img_draw_line(&p->im, x0, y0, x1, y1, c, 1);
	}
}

/* A row of n cells (x, y is the top-left corner).  style 0: closed boxes,
 * 1: open comb (ticks rising from a base line), 2: shaded cells with white gaps. */
static void comb(spage *p, double x, double y, int n, double cw, double ch, int style, img_color c, int thick)
{
	if (style == 2) {
		for (int i = 0; i < n; i++)
			img_draw_rect(&p->im, (int)(x + i * cw + 3), (int)y, (int)cw - 6, (int)ch, shade((img_color){ 235, 232, 228 }, 1), -1);
		return;
	}
	if (style == 0) img_draw_rect(&p->im, (int)x, (int)y, (int)(n * cw), (int)ch, c, thick);
	else img_draw_line(&p->im, (int)x, (int)(y + ch), (int)(x + n * cw), (int)(y + ch), c, thick);
	for (int i = 0; i <= n; i++) {
		int top = style == 0 ? (int)y : (int)(y + ch * 0.6);
		img_draw_line(&p->im, (int)(x + i * cw), top, (int)(x + i * cw), (int)(y + ch), c, thick);
	}
}

/* Handwrite s, one digit per cell of a comb at (x, y), as one field. */
static void fill_comb(spage *p, const char *kind, const char *s, double x, double y, double cw, double ch,
		      const spen *pen, rng_t *r)
{
	field_begin(p, kind);
	for (int i = 0; s[i]; i++) {
		double h = ch * rng_uniform(r, 0.58, 0.74);
		double cx = x + (i + 0.5) * cw + rng_normal(r) * cw * 0.05;
		double yb = y + ch - (ch - h) / 2 + rng_normal(r) * ch * 0.04;
		put_digit_at(p, &pk, s[i] - '0', cx, yb, h, 1, pen, r);
	}
	field_end(p);
}

static const char *ones[] = { "", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
			      "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
			      "eighteen", "nineteen" };
static const char *tens[] = { "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety" };

/* English words for 1..9999 (a cheque's legal amount, written in words). */
static void words(int v, char *out, size_t n)
{
	char b[160] = "";
	size_t l = 0;
	if (v >= 1000) l += (size_t)snprintf(b + l, sizeof b - l, "%s thousand ", ones[v / 1000]);
	v %= 1000;
	if (v >= 100) l += (size_t)snprintf(b + l, sizeof b - l, "%s hundred ", ones[v / 100]);
	v %= 100;
	if (v >= 20) l += (size_t)snprintf(b + l, sizeof b - l, "%s%s%s ", tens[v / 10], v % 10 ? "-" : "", ones[v % 10]);
	else if (v) l += (size_t)snprintf(b + l, sizeof b - l, "%s ", ones[v]);
	snprintf(out, n, "%s", b);
	out[0] = (char)(out[0] >= 'a' && out[0] <= 'z' ? out[0] - 32 : out[0]);
}

/* --- cheques ----------------------------------------------------------------- */

typedef struct {
	int dpi;
	img_color tint, pattern, accent, bed;
	int pattern_kind;    /* 0 guilloche, 1 hatch + guilloche, 2 dense guilloche */
	int date_style;      /* 0 groups with spaces, 1 slashes, 2 printed cells */
	int amount_style;    /* 0 dollars . cents, 1 dollars and a dash, 2 dollars with a touching pair */
	int blue;
	const char *bank, *addr, *payee, *memo;
} cheque_style;

static void cheque(spage *p, const cheque_style *st, rng_t *r)
{
	double D = st->dpi;
	int W = (int)(6.3 * D), H = (int)(3.05 * D);
	double ox = 0.15 * D, oy = 0.15 * D;
	int th = st->dpi >= 250 ? 2 : 1;
	spen pen = st->blue ? pen_blue(r) : pen_black(r);
	char buf[128], amt[8], cents[4], date[3][8];

	if (page_init(p, W, H, st->bed) < 0) exit(1);
	img_draw_rect(&p->im, (int)ox, (int)oy, (int)(6.0 * D), (int)(2.75 * D), st->tint, -1);
	if (st->pattern_kind == 1) hatch(p, (int)ox, (int)oy, (int)(6.0 * D), (int)(2.75 * D), shade(st->tint, 0.96), (int)(D / 25));
	guilloche(p, (int)ox, (int)oy, (int)(6.0 * D), (int)(2.75 * D), st->pattern, st->pattern_kind == 2 ? 44 : 26,
		  D * rng_uniform(r, 0.8, 1.5), r);
	img_draw_rect(&p->im, (int)(ox + 0.06 * D), (int)(oy + 0.06 * D), (int)(5.88 * D), (int)(2.63 * D), st->accent, th);

	put_text(p, st->bank, (int)(ox + 0.25 * D), (int)(oy + 0.42 * D), tscale(0.17 * D), st->accent, th + 1, 3);
	put_text(p, st->addr, (int)(ox + 0.25 * D), (int)(oy + 0.62 * D), tscale(0.065 * D), PRINT_BLACK, 1, 0);
	snprintf(buf, sizeof buf, "No. %04d", rng_int(r, 100, 9999));
	put_text(p, buf, (int)(ox + 4.95 * D), (int)(oy + 0.33 * D), tscale(0.09 * D), PRINT_BLACK, th, 1);

	/* Date. */
	int dd = rng_int(r, 1, 28), mm = rng_int(r, 1, 12), yy = rng_int(r, 2019, 2026);
	snprintf(date[0], sizeof date[0], "%02d", dd);
	snprintf(date[1], sizeof date[1], "%02d", mm);
	if (rng_chance(r, 0.5)) snprintf(date[2], sizeof date[2], "%d", yy);
	else snprintf(date[2], sizeof date[2], "%02d", yy % 100);
	put_text(p, "DATE", (int)(ox + (st->date_style == 2 ? 3.6 : 3.75) * D), (int)(oy + 0.8 * D), tscale(0.075 * D), PRINT_BLACK, th, 0);
	double dh = D * rng_uniform(r, 0.15, 0.19), x = ox + 4.3 * D, base = oy + 0.78 * D;
	if (st->date_style == 1) { /* slashes take room: keep the date on the cheque */
		dh = D * (strlen(date[2]) == 4 ? 0.125 : 0.15);
		x = ox + 4.22 * D;
	}
	if (st->date_style == 2) {
		double cw = 0.17 * D, ch = 0.25 * D, cx = ox + 4.12 * D;
		const char *hdr[3] = { "D D", "M M", strlen(date[2]) == 4 ? "Y  Y  Y  Y" : "Y Y" };
		for (int g = 0; g < 3; g++) {
			int nc = (int)strlen(date[g]);
			comb(p, cx, oy + 0.58 * D, nc, cw, ch, 0, st->accent, th);
			put_text(p, hdr[g], (int)(cx + 0.02 * D), (int)(oy + 0.55 * D), tscale(0.045 * D), st->accent, 1, 0);
			fill_comb(p, "date", date[g], cx, oy + 0.58 * D, cw, ch, &pen, r);
			cx += nc * cw + 0.12 * D;
		}
	} else {
		img_draw_line(&p->im, (int)(ox + 4.2 * D), (int)(oy + 0.82 * D), (int)(ox + 5.8 * D), (int)(oy + 0.82 * D), st->accent, th);
		for (int g = 0; g < 3; g++) {
			x = put_number(p, &pk, "date", date[g], x, base + rng_normal(r) * 2, dh, 0.08, 0.3, &pen, r);
			if (g == 2) break;
			if (st->date_style == 1) {
				x += dh * 0.25;
				put_stroke(p, "slash", x, base + 2, x + dh * 0.7, base - dh * 1.0, (int)(dh / 10) + 1, &pen);
				x += dh * 0.95;
			} else {
				x += dh * rng_uniform(r, 0.9, 1.3);
			}
		}
	}

	/* Payee. */
	put_text(p, "PAY TO THE", (int)(ox + 0.25 * D), (int)(oy + 1.12 * D), tscale(0.06 * D), PRINT_BLACK, 1, 0);
	put_text(p, "ORDER OF", (int)(ox + 0.25 * D), (int)(oy + 1.25 * D), tscale(0.06 * D), PRINT_BLACK, 1, 0);
	img_draw_line(&p->im, (int)(ox + 0.95 * D), (int)(oy + 1.3 * D), (int)(ox + 4.4 * D), (int)(oy + 1.3 * D), st->accent, th);
	put_text(p, st->payee, (int)(ox + 1.2 * D), (int)(oy + 1.25 * D), tscale(0.16 * D), pen.c, th + 1, 4);

	/* Courtesy amount. */
	int dollars = rng_int(r, 0, 2) == 0 ? rng_int(r, 10, 99) : rng_chance(r, 0.5) ? rng_int(r, 100, 999) : rng_int(r, 1000, 9999);
	snprintf(amt, sizeof amt, "%d", dollars);
	snprintf(cents, sizeof cents, "%02d", rng_int(r, 0, 99));
	put_text(p, "$", (int)(ox + 4.52 * D), (int)(oy + 1.3 * D), tscale(0.14 * D), PRINT_BLACK, th + 1, 1);
	img_draw_rect(&p->im, (int)(ox + 4.72 * D), (int)(oy + 1.0 * D), (int)(1.12 * D), (int)(0.38 * D), st->accent, th);
	double ah = D * rng_uniform(r, 0.19, 0.23);
	/* Keep the amount inside its box: about 0.93 h per digit, plus the
	 * point and the smaller cents, or the dash. */
	double room = 0.96 * D / (0.93 * (double)strlen(amt) + (st->amount_style == 0 ? 1.9 : st->amount_style == 1 ? 1.3 : 0.2));
	if (ah > room) ah = room;
	base = oy + 1.0 * D + 0.38 * D - (0.38 * D - ah) / 2;
	x = ox + 4.8 * D;
	if (st->amount_style == 2) {
		x = put_number(p, &pk, "amount", amt, x, base, ah, -0.06, 0.02, &pen, r);
	} else {
		x = put_number(p, &pk, "amount", amt, x, base, ah, 0.08, 0.28, &pen, r);
	}
	if (st->amount_style == 0) {
		x += ah * 0.2;
		dot(p, x, base - 2, (int)(ah / 7) + 1, pen.c);
		mark_add(p, "point", ".", x - ah / 10, base - ah / 8, x + ah / 10, base + ah / 10);
		x += ah * 0.35;
		put_number(p, &pk, "cents", cents, x, base - ah * 0.25, ah * 0.7, 0.06, 0.2, &pen, r);
	} else if (st->amount_style == 1) {
		x += ah * 0.3;
		put_stroke(p, "dash", x, base - ah * 0.45, x + ah * 0.9, base - ah * 0.5, (int)(ah / 10) + 1, &pen);
	}

	/* Legal amount in words. */
	words(dollars, buf, sizeof buf);
	put_text(p, buf, (int)(ox + 0.3 * D), (int)(oy + 1.72 * D), tscale(0.14 * D), pen.c, th + 1, 4);
	img_draw_line(&p->im, (int)(ox + 0.25 * D), (int)(oy + 1.76 * D), (int)(ox + 5.0 * D), (int)(oy + 1.76 * D), st->accent, th);
	put_text(p, "DOLLARS", (int)(ox + 5.1 * D), (int)(oy + 1.76 * D), tscale(0.07 * D), PRINT_BLACK, th, 0);

	/* Memo, signature, MICR line. */
	put_text(p, "MEMO", (int)(ox + 0.25 * D), (int)(oy + 2.22 * D), tscale(0.06 * D), PRINT_BLACK, 1, 0);
	img_draw_line(&p->im, (int)(ox + 0.7 * D), (int)(oy + 2.24 * D), (int)(ox + 2.8 * D), (int)(oy + 2.24 * D), st->accent, th);
	if (st->memo) put_text(p, st->memo, (int)(ox + 0.8 * D), (int)(oy + 2.2 * D), tscale(0.12 * D), pen.c, th, 4);
	img_draw_line(&p->im, (int)(ox + 3.5 * D), (int)(oy + 2.24 * D), (int)(ox + 5.8 * D), (int)(oy + 2.24 * D), st->accent, th);
	put_signature(p, ox + 3.7 * D, oy + 1.88 * D, 1.8 * D, 0.34 * D, &pen, th + 1, r);
	char a[12], b[12], c[8];
	rand_digits(r, a, 9, 1);
	rand_digits(r, b, 10, 1);
	rand_digits(r, c, 4, 1);
	snprintf(buf, sizeof buf, "|:%s|:  %s||'  %s", a, b, c);
	put_text(p, buf, (int)(ox + 0.6 * D), (int)(oy + 2.6 * D), tscale(0.1 * D), PRINT_BLACK, th + 1, 0);
}

static spost post_default(rng_t *r, double rot, img_color bed)
{
	spost s = { rot, bed, 0, 0, 0, 0, 0, 0, 0, 0 };
	s.light = rng_int(r, 1, 3);
	s.light_amt = rng_uniform(r, 0.08, 0.2);
	s.blur = rng_uniform(r, 0.5, 0.9);
	s.noise = rng_uniform(r, 2, 4);
	s.specks = rng_int(r, 20, 80);
	return s;
}

static int make_cheques(rng_t *r)
{
	static const cheque_style st[] = {
		{ 200, { 222, 240, 226 }, { 190, 215, 195 }, { 90, 110, 40 }, { 238, 238, 238 }, 0, 0, 0, 1,
		  "Northfield Savings Bank", "1200 Harbour Road, Springfield 40213", "Jane Morrison", "rent" },
		{ 240, { 246, 232, 218 }, { 226, 205, 185 }, { 120, 70, 20 }, { 60, 60, 60 }, 1, 1, 1, 0,
		  "First Meridian Trust", "Branch 0417  -  88 King Street", "Acme Plumbing Ltd", NULL },
		{ 300, { 210, 236, 250 }, { 180, 214, 236 }, { 30, 90, 150 }, { 230, 230, 225 }, 2, 2, 0, 1,
		  "CASCADE CREDIT UNION", "PO Box 7731, Riverton", "Robert Fischer", "invoice" },
		{ 200, { 238, 226, 244 }, { 216, 198, 228 }, { 110, 40, 100 }, { 245, 245, 245 }, 1, 0, 2, 0,
		  "Royal Oak Bank", "45 Mill Lane, Ashford TN24 8QE", "City Water Board", NULL },
		{ 240, { 214, 238, 242 }, { 176, 214, 222 }, { 70, 100, 20 }, { 40, 40, 40 }, 0, 1, 0, 1,
		  "Pacific Federal", "Member FDIC  -  Route 66 Office", "Dr. Helen Park", "consult" },
		{ 300, { 228, 243, 247 }, { 200, 226, 236 }, { 20, 60, 120 }, { 235, 235, 235 }, 2, 0, 1, 1,
		  "Union Mercantile", "12 Queen Street, Auckland 1010", "Garden Supplies Co", "order" },
		{ 200, { 196, 214, 230 }, { 170, 190, 210 }, { 40, 70, 110 }, { 250, 250, 250 }, 1, 2, 0, 1,
		  "Heritage Bank of Commerce", "Main Office  -  1 Bridge Plaza, Suite 300", "M. Okafor", "deposit" },
	};
	const double rot[] = { 3.4, -4.6, 6.2, -7.1, 2.1, -3.3, 4.8 };
	const char *names[] = { "cheque-01.png", "cheque-02.png", "cheque-03.jpg", "cheque-04.png", "cheque-05.tif",
				"cheque-06.jpg", "cheque-07.png" };
	const char *desc[] = {
		"cheque, 200 dpi, green guilloche, blue ink, amount with cents after a point, date in spaced groups",
		"cheque, 240 dpi, beige hatch, black ink, amount with a dash, date with slashes, dark scanner lid",
		"cheque, 300 dpi, dense blue guilloche, blue ink, date in printed cells, JPEG",
		"cheque, 200 dpi, violet hatch, black ink, amount with touching digits, strong rotation",
		"cheque, 240 dpi, grey-scale TIFF of a blue-ink cheque, slashed date, dark lid",
		"cheque, 300 dpi, light blue guilloche, blue ink, amount with a dash, JPEG",
		"cheque, 200 dpi, darker tan tint with hatch, blue ink (low contrast), date in printed cells, cents",
	};
	for (int i = 0; i < 7; i++) {
		spagejob j = {0};
		cheque(&j.pg, &st[i], r);
		j.post = post_default(r, rot[i], st[i].bed);
		j.post.gray = i == 4;
		if (i == 3) j.post.blur = 1.1;
		j.ink = st[i].blue ? "blue" : "black";
		if (emit(names[i], "cheque", desc[i], &j, 1, 88, r) < 0) return -1;
	}
	return 0;
}

/* --- A4 forms ------------------------------------------------------------------ */

enum { R_SECTION, R_COMB, R_DATE, R_LINE, R_CHECK, R_TEXT, R_TABLE, R_SIGN };

typedef struct {
	int type;
	const char *label;
	int n;              /* cells, digits or table rows */
	const char *unit;   /* printed after a free line; the text lines for R_TEXT */
} frow;

typedef struct {
	const char *title, *formno, *note;
	img_color accent;
	int comb_style;
	const frow *rows;
} form_style;

/* A handwritten cross in a checkbox: two strokes, a mark, not a digit. */
static void tick_box(spage *p, double x, double y, double s, int ticked, const spen *pen, img_color c, int th, rng_t *r)
{
	img_draw_rect(&p->im, (int)x, (int)y, (int)s, (int)s, c, th);
	if (!ticked) return;
	double j = s * 0.1;
	double j1 = rng_normal(r) * j, j2 = rng_normal(r) * j;
	img_draw_line(&p->im, (int)(x + j + j1), (int)(y + j), (int)(x + s - j), (int)(y + s - j + j2), pen->c, (int)(s / 10) + 1);
	img_draw_line(&p->im, (int)(x + s - j), (int)(y + j + rng_normal(r) * j), (int)(x + j), (int)(y + s - j), pen->c, (int)(s / 10) + 1);
	mark_add(p, "tick", "x", x - j, y - j, x + s + j, y + s + j);
}

static void form_page(spage *p, int dpi, const form_style *st, const spen *pen, rng_t *r)
{
	double D = dpi;
	int W = (int)lround(D * 210 / 25.4), H = (int)lround(D * 297 / 25.4), th = dpi >= 250 ? 3 : 2;
	double L = 0.7 * D, X = 3.3 * D, y = 1.55 * D;
	double cw = 0.29 * D, ch = 0.36 * D;
	char buf[128], s[32];
	img_color paper = rand_paper(r, 240, 245, 246);

	if (page_init(p, W, H, paper) < 0) exit(1);
	img_draw_rect(&p->im, (int)(0.6 * D), (int)(0.5 * D), (int)(7.07 * D), (int)(0.55 * D), st->accent, -1);
	put_text(p, st->title, (int)(0.8 * D), (int)(0.88 * D), tscale(0.19 * D), (img_color){ 255, 255, 255 }, th, 1);
	put_text(p, st->formno, (int)(5.9 * D), (int)(1.3 * D), tscale(0.08 * D), PRINT_BLACK, th - 1, 1);
	put_text(p, st->note, (int)(0.7 * D), (int)(1.3 * D), tscale(0.065 * D), PRINT_BLACK, 1, 0);

	for (const frow *row = st->rows; row->type >= 0; row++) {
		switch (row->type) {
		case R_SECTION:
			y += 0.2 * D;
			put_text(p, row->label, (int)L, (int)(y + 0.2 * D), tscale(0.11 * D), st->accent, th, 1);
			img_draw_line(&p->im, (int)L, (int)(y + 0.3 * D), (int)(7.5 * D), (int)(y + 0.3 * D), st->accent, th - 1);
			y += 0.5 * D;
			break;
		case R_COMB: {
			int k = row->n, fill = rng_chance(r, 0.25) ? rng_int(r, (k + 1) / 2, k) : k;
			put_text(p, row->label, (int)L, (int)(y + ch * 0.7), tscale(0.075 * D), PRINT_BLACK, th - 1, 0);
			comb(p, X, y, k, cw, ch, st->comb_style, st->accent, th - 1);
			rand_digits(r, s, fill, 1);
			/* Amount-like combs are filled from the right, codes from the left. */
			double x0 = X + (row->unit ? (k - fill) * cw : 0);
			if (row->unit) put_text(p, row->unit, (int)(X + k * cw + 0.12 * D), (int)(y + ch * 0.7), tscale(0.075 * D), PRINT_BLACK, th - 1, 0);
			fill_comb(p, row->label, s, x0, y, cw, ch, pen, r);
			y += ch + 0.3 * D;
			break;
		}
		case R_DATE: {
			const int n[3] = { 2, 2, 4 };
			put_text(p, row->label, (int)L, (int)(y + ch * 0.7), tscale(0.075 * D), PRINT_BLACK, th - 1, 0);
			double x = X;
			for (int g = 0; g < 3; g++) {
				if (g == 0) snprintf(s, sizeof s, "%02d", rng_int(r, 1, 28));
				else if (g == 1) snprintf(s, sizeof s, "%02d", rng_int(r, 1, 12));
				else snprintf(s, sizeof s, "%d", rng_int(r, 1940, 2025));
				comb(p, x, y, n[g], cw, ch, st->comb_style, st->accent, th - 1);
				fill_comb(p, "date", s, x, y, cw, ch, pen, r);
				x += n[g] * cw;
				if (g < 2) put_text(p, "/", (int)(x + 0.05 * D), (int)(y + ch * 0.8), tscale(0.16 * D), st->accent, th - 1, 0);
				x += 0.3 * D;
			}
			y += ch + 0.3 * D;
			break;
		}
		case R_LINE: {
			double h = D * rng_uniform(r, 0.2, 0.26);
			put_text(p, row->label, (int)L, (int)(y + 0.3 * D), tscale(0.075 * D), PRINT_BLACK, th - 1, 0);
			img_draw_line(&p->im, (int)X, (int)(y + 0.32 * D), (int)(6.6 * D), (int)(y + 0.32 * D), PRINT_BLACK, th - 2 > 0 ? th - 2 : 1);
			if (row->unit) put_text(p, row->unit, (int)(6.7 * D), (int)(y + 0.3 * D), tscale(0.075 * D), PRINT_BLACK, th - 1, 0);
			rand_digits(r, s, row->n, 0);
			/* Sometimes the writing sits on the rule, touching it. */
			double base = y + 0.32 * D - (rng_chance(r, 0.3) ? -2 : D * 0.03);
			put_number(p, &pk, row->label, s, X + rng_uniform(r, 0.2, 1.2) * D, base, h, 0.08, 0.32, pen, r);
			y += 0.6 * D;
			break;
		}
		case R_CHECK: {
			put_text(p, row->label, (int)L, (int)(y + 0.22 * D), tscale(0.075 * D), PRINT_BLACK, th - 1, 0);
			int which = rng_int(r, 0, 2);
			const char *opt[3] = { "Yes", "No", "Not sure" };
			for (int k = 0; k < 3; k++) {
				tick_box(p, X + k * 1.3 * D, y, 0.22 * D, k == which, pen, st->accent, th - 1, r);
				put_text(p, opt[k], (int)(X + k * 1.3 * D + 0.32 * D), (int)(y + 0.19 * D), tscale(0.075 * D), PRINT_BLACK, th - 1, 0);
			}
			y += 0.5 * D;
			break;
		}
		case R_TEXT:
			for (const char *t = row->unit; *t; t += strlen(t) + 1) {
				put_text(p, t, (int)L, (int)(y + 0.12 * D), tscale(0.07 * D), PRINT_BLACK, th - 1, 0);
				y += 0.2 * D;
			}
			y += 0.15 * D;
			break;
		case R_TABLE: {
			static const char *items[] = { "Paper A4 80g", "Toner cartridge", "Stapler", "Ring binder", "Pens (box)",
						       "Envelopes C5", "Desk lamp", "USB stick" };
			double cx[6] = { L, 2.9 * D, 4.0 * D, 4.9 * D, 6.1 * D, 7.5 * D }, rh = 0.42 * D;
			const char *hd[5] = { "Item", "Code", "Qty", "Unit price", "Total" };
			for (int c = 0; c < 5; c++)
				put_text(p, hd[c], (int)(cx[c] + 0.08 * D), (int)(y + 0.22 * D), tscale(0.07 * D), st->accent, th - 1, 1);
			for (int k = 0; k <= row->n + 1; k++)
				img_draw_line(&p->im, (int)L, (int)(y + k * rh - (k ? 0.1 * D : 0)), (int)(7.5 * D), (int)(y + k * rh - (k ? 0.1 * D : 0)), st->accent, th - 1);
			for (int c = 0; c < 6; c++)
				img_draw_line(&p->im, (int)cx[c], (int)y, (int)cx[c], (int)(y + (row->n + 1) * rh - 0.1 * D), st->accent, th - 1);
			for (int k = 0; k < row->n; k++) {
				double ry = y + (k + 1) * rh - 0.1 * D, bl = ry + rh * 0.78;
				int qty = rng_int(r, 1, rng_chance(r, 0.5) ? 9 : 99), cents = rng_int(r, 1, 20) * 25;
				put_text(p, items[(k + rng_int(r, 0, 7)) % 8], (int)(cx[0] + 0.08 * D), (int)(bl - 0.06 * D), tscale(0.07 * D), PRINT_BLACK, th - 1, 0);
				int letter = 'A' + rng_int(r, 0, 5), code = rng_int(r, 1, 9999);
				snprintf(buf, sizeof buf, "%c-%04d", letter, code);
				put_text(p, buf, (int)(cx[1] + 0.08 * D), (int)(bl - 0.06 * D), tscale(0.07 * D), PRINT_BLACK, th - 1, 0);
				snprintf(buf, sizeof buf, "%d.%02d", cents / 100, cents % 100);
				put_text(p, buf, (int)(cx[3] + 0.1 * D), (int)(bl - 0.06 * D), tscale(0.07 * D), PRINT_BLACK, th - 1, 0);
				double h = rh * rng_uniform(r, 0.5, 0.62);
				snprintf(s, sizeof s, "%d", qty);
				put_number(p, &pk, "qty", s, cx[2] + 0.15 * D, bl - 0.02 * D, h, 0.08, 0.3, pen, r);
				snprintf(s, sizeof s, "%d", qty * cents / 100);
				put_number(p, &pk, "total", s, cx[4] + rng_uniform(r, 0.1, 0.3) * D, bl - 0.02 * D, h, 0.08, 0.3, pen, r);
			}
			y += (row->n + 1) * rh + 0.2 * D;
			break;
		}
		case R_SIGN:
			put_text(p, row->label, (int)L, (int)(y + 0.5 * D), tscale(0.075 * D), PRINT_BLACK, th - 1, 0);
			img_draw_rect(&p->im, (int)X, (int)y, (int)(3.0 * D), (int)(0.8 * D), st->accent, th - 1);
			put_signature(p, X + 0.3 * D, y + 0.2 * D, 2.3 * D, 0.4 * D, pen, th, r);
			y += 1.0 * D;
			break;
		}
	}
	snprintf(buf, sizeof buf, "%s   -   page 1 of 1", st->formno);
	put_text(p, buf, (int)(0.7 * D), (int)(11.2 * D), tscale(0.06 * D), PRINT_BLACK, 1, 0);
}

static const frow rows_permit[] = {
	{ R_SECTION, "1  Applicant", 0, NULL },
	{ R_COMB, "Customer number", 8, NULL },
	{ R_DATE, "Date of birth", 0, NULL },
	{ R_COMB, "Postcode", 5, NULL },
	{ R_COMB, "Telephone", 10, NULL },
	{ R_SECTION, "2  Vehicle", 0, NULL },
	{ R_COMB, "Year of registration", 4, NULL },
	{ R_LINE, "Mileage", 5, "km" },
	{ R_CHECK, "Electric vehicle?", 0, NULL },
	{ R_SECTION, "3  Payment", 0, NULL },
	{ R_COMB, "Amount", 6, "EUR" },
	{ R_COMB, "Card, last 4 digits", 4, NULL },
	{ R_TEXT, NULL, 0, "Permits cost 120 EUR per year (60 EUR for residents over 65).\0"
			  "Return this form by 31 March 2025 to 14 Station Road, 40213 Springfield.\0" },
	{ R_SIGN, "Signature", 0, NULL },
	{ -1, NULL, 0, NULL },
};

static const frow rows_order[] = {
	{ R_SECTION, "1  Customer", 0, NULL },
	{ R_COMB, "Account number", 7, NULL },
	{ R_DATE, "Order date", 0, NULL },
	{ R_LINE, "Cost centre", 4, NULL },
	{ R_SECTION, "2  Items ordered", 0, NULL },
	{ R_TABLE, NULL, 7, NULL },
	{ R_LINE, "Grand total", 4, "EUR" },
	{ R_TEXT, NULL, 0, "Orders placed before 12:00 ship the same day; call 0800 555 0199 for help.\0" },
	{ R_SIGN, "Approved by", 0, NULL },
	{ -1, NULL, 0, NULL },
};

static const frow rows_survey[] = {
	{ R_TEXT, NULL, 0, "Please answer every question.  Write one digit per box.\0" },
	{ R_SECTION, "Q1  Household", 0, NULL },
	{ R_COMB, "Number of people", 2, NULL },
	{ R_COMB, "Year the home was built", 4, NULL },
	{ R_CHECK, "Do you rent?", 0, NULL },
	{ R_SECTION, "Q2  Energy", 0, NULL },
	{ R_LINE, "Meter reading (kWh)", 6, "kWh" },
	{ R_COMB, "Rooms heated", 2, NULL },
	{ R_LINE, "Monthly bill", 3, "EUR" },
	{ R_SECTION, "Q3  Contact", 0, NULL },
	{ R_COMB, "Survey ID", 9, NULL },
	{ R_DATE, "Today's date", 0, NULL },
	{ R_CHECK, "May we call you?", 0, NULL },
	{ -1, NULL, 0, NULL },
};

static const frow rows_tax[] = {
	{ R_SECTION, "Part A  Income", 0, NULL },
	{ R_TEXT, NULL, 0, "Line 1 to line 4: enter whole euros, no cents.  See note 12 on page 3.\0" },
	{ R_COMB, "Line 1  Wages", 7, "EUR" },
	{ R_COMB, "Line 2  Interest", 5, "EUR" },
	{ R_COMB, "Line 3  Rents", 6, "EUR" },
	{ R_COMB, "Line 4  Total", 7, "EUR" },
	{ R_SECTION, "Part B  Identity", 0, NULL },
	{ R_COMB, "Tax number", 10, NULL },
	{ R_DATE, "Date", 0, NULL },
	{ R_LINE, "Dependants", 1, NULL },
	{ R_SIGN, "Signature", 0, NULL },
	{ -1, NULL, 0, NULL },
};

static int make_forms(rng_t *r)
{
	const form_style st[] = {
		{ "PARKING PERMIT APPLICATION", "Form PK-27 (2024)", "Use black or blue ink.  One digit per box.",
		  { 110, 60, 20 }, 0, rows_permit },
		{ "PURCHASE ORDER", "PO-4 / rev 11", "Office supplies  -  internal use", { 40, 90, 30 }, 1, rows_order },
		{ "HOUSEHOLD ENERGY SURVEY 2025", "Survey E-19", "Thank you for taking part.", { 120, 50, 110 }, 2, rows_survey },
		{ "INCOME DECLARATION", "Form T-1040 (2024)", "Part A and Part B are compulsory.", { 60, 60, 60 }, 2, rows_tax },
	};
	const char *names[] = { "form-01.jpg", "form-02.jpg", "form-03.jpg", "form-04.jpg" };
	const char *desc[] = {
		"A4 form, 300 dpi, closed comb boxes, blue ink, small rotation, JPEG",
		"A4 purchase order, 300 dpi, open combs, table with printed codes and prices, black ink, uneven light, JPEG",
		"A4 survey, 300 dpi, shaded cells, free lines, checkboxes, blue ink, rotated 5 degrees, blurred, JPEG",
		"A4 tax form, 300 dpi, grey-scale, shaded cells, right-aligned amounts, black ink, JPEG",
	};
	const double rot[] = { 1.2, -3.1, 5.0, -4.0 };
	for (int i = 0; i < 4; i++) {
		spagejob j = {0};
		spen pen = (i % 2 == 0) ? pen_blue(r) : pen_black(r);
		if (i == 3) pen = pen_fine(pen);
		form_page(&j.pg, 300, &st[i], &pen, r);
		j.post = post_default(r, rot[i], (img_color){ 235, 235, 235 });
		j.post.noise = 2.5;
		if (i == 1) { j.post.light = 1; j.post.light_amt = 0.3; }
		if (i == 2) j.post.blur = 1.4;
		j.post.gray = i == 3;
		j.ink = (i % 2 == 0) ? "blue" : "black";
		if (emit(names[i], "form", desc[i], &j, 1, 80, r) < 0) return -1;
	}
	return 0;
}

/* A teacher's marks sheet: a printed class list (row numbers, student IDs,
 * names: printed digits right next to the handwriting) with scores written
 * in red in the question columns. */
static void marks_page(spage *p, int dpi, const spen *pen, rng_t *r)
{
	static const char *names[] = { "Abbott, Lena", "Baptiste, Noel", "Chen, Wei", "Dubois, Marc", "Eriksen, Tove",
				       "Fofana, Awa", "Garcia, Lucia", "Horvat, Ivan", "Ito, Haruka", "Jansen, Pieter",
				       "Kowalski, Ewa", "Lindqvist, Nils", "Moreau, Claire", "Nakamura, Ren" };
	double D = dpi;
	int W = (int)lround(D * 210 / 25.4), H = (int)lround(D * 297 / 25.4);
	img_color ink = PRINT_BLACK, grid = { 90, 90, 90 };
	char buf[64], s[16];
	if (page_init(p, W, H, rand_paper(r, 238, 242, 244)) < 0) exit(1);
	put_text(p, "Mathematics  -  Term 2 test", (int)(0.7 * D), (int)(0.9 * D), tscale(0.16 * D), ink, 3, 2);
	put_text(p, "Class 7B     Room 204     Max. 25 points per question", (int)(0.7 * D), (int)(1.25 * D), tscale(0.075 * D), ink, 2, 0);
	double cx[9] = { 0.7 * D, 1.15 * D, 2.3 * D, 4.4 * D, 5.05 * D, 5.7 * D, 6.35 * D, 7.0 * D, 7.6 * D };
	const char *hd[8] = { "No.", "Student ID", "Name", "Q1", "Q2", "Q3", "Q4", "Total" };
	double y0 = 1.6 * D, rh = 0.52 * D;
	int rows = 14;
	for (int c = 0; c < 8; c++) put_text(p, hd[c], (int)(cx[c] + 0.06 * D), (int)(y0 + 0.3 * D), tscale(0.07 * D), ink, 2, 1);
	for (int k = 0; k <= rows + 1; k++)
		img_draw_line(&p->im, (int)cx[0], (int)(y0 + k * rh), (int)cx[8], (int)(y0 + k * rh), grid, k <= 1 ? 3 : 2);
	for (int c = 0; c < 9; c++) img_draw_line(&p->im, (int)cx[c], (int)y0, (int)cx[c], (int)(y0 + (rows + 1) * rh), grid, 2);
	for (int k = 0; k < rows; k++) {
		double bl = y0 + (k + 2) * rh - 0.14 * D;
		snprintf(buf, sizeof buf, "%d", k + 1);
		put_text(p, buf, (int)(cx[0] + 0.1 * D), (int)bl, tscale(0.075 * D), ink, 2, 0);
		int id = rng_int(r, 100000, 999999);
		snprintf(buf, sizeof buf, "%d", id);
		put_text(p, buf, (int)(cx[1] + 0.1 * D), (int)bl, tscale(0.075 * D), ink, 2, 0);
		put_text(p, names[k], (int)(cx[2] + 0.1 * D), (int)bl, tscale(0.075 * D), ink, 2, 0);
		if (rng_chance(r, 0.07)) {
			put_text(p, "absent", (int)(cx[3] + 0.15 * D), (int)bl, tscale(0.12 * D), pen->c, 3, 4);
			continue;
		}
		int tot = 0;
		for (int q = 0; q < 4; q++) {
			int v = rng_int(r, 0, 25);
			tot += v;
			snprintf(s, sizeof s, "%d", v);
			double h = rh * rng_uniform(r, 0.45, 0.56);
			put_number(p, &pk, "score", s, cx[3 + q] + rng_uniform(r, 0.08, 0.2) * D, y0 + (k + 2) * rh - rh * 0.2, h, 0.06, 0.22, pen, r);
		}
		snprintf(s, sizeof s, "%d", tot);
		put_number(p, &pk, "total", s, cx[7] + 0.06 * D, y0 + (k + 2) * rh - rh * 0.2, rh * 0.5, 0.05, 0.15, pen, r);
	}
	put_text(p, "Checked by", (int)(0.7 * D), (int)(y0 + (rows + 1) * rh + 0.7 * D), tscale(0.075 * D), ink, 2, 0);
	put_signature(p, 2.2 * D, y0 + (rows + 1) * rh + 0.4 * D, 2.0 * D, 0.4 * D, pen, 3, r);
}

static int make_marks(rng_t *r)
{
	spagejob j = {0};
	spen pen = pen_blue(r);
	pen.c = (img_color){ 45, 40, 200 };  /* a red marking pen */
	marks_page(&j.pg, 300, &pen, r);
	j.post = post_default(r, -6.5, (img_color){ 230, 230, 230 });
	j.post.noise = 2.5;
	j.ink = "red";
	return emit("form-05.jpg", "form",
		    "A4 marks sheet, 300 dpi: printed class list with student IDs, scores in red pen in a ruled table, rotated 6.5 degrees, JPEG",
		    &j, 1, 80, r);
}

/* --- plain sheets ---------------------------------------------------------------- */

/* Script words that people write beside numbers (no digits in them). */
static const char *notes[] = { "Tel", "Room", "total", "ref", "Bus", "km", "Gate", "PIN?", "call", "Box", "kg", "order" };

/* Lined or squared paper with rows of handwritten numbers: some rows are
 * sums with + and = written by hand, some have a script word before them. */
static void sheet_page(spage *p, int dpi, int squared, const spen *pen, rng_t *r)
{
	double D = dpi;
	int W = (int)lround(D * 210 / 25.4), H = (int)lround(D * 297 / 25.4);
	double pitch = squared ? D * 5 / 25.4 : D * 8 / 25.4;
	img_color paper = rand_paper(r, 236, 244, 247);
	img_color rule = squared ? (img_color){ 225, 200, 170 } : (img_color){ 215, 190, 160 };
	char s[16];

	if (page_init(p, W, H, paper) < 0) exit(1);
	for (double y = squared ? 0.5 * D : 1.2 * D; y < H - 0.4 * D; y += pitch)
		img_draw_line(&p->im, 0, (int)y, W, (int)y, rule, 1 + (dpi >= 250));
	if (squared)
		for (double x = 0.3 * D; x < W; x += pitch) img_draw_line(&p->im, (int)x, 0, (int)x, H, rule, 1 + (dpi >= 250));
	else {
		img_draw_line(&p->im, (int)(1.25 * D), 0, (int)(1.25 * D), H, (img_color){ 140, 130, 230 }, 2);
		for (int k = 0; k < 4; k++) dot(p, 0.35 * D, H * (0.15 + 0.23 * k), (int)(0.25 * D), (img_color){ 60, 60, 60 });
	}
	double lh = squared ? pitch * 0.85 : pitch * 0.72;
	int first = squared ? 2 : 1;
	for (int li = first;; li++) {
		double base = (squared ? 0.5 * D : 1.2 * D) + li * pitch * (squared ? 2 : 1);
		if (base > H - 1.0 * D) break;
		if (!rng_chance(r, squared ? 0.75 : 0.6)) continue;
		double x = (squared ? 0.3 * D + pitch * rng_int(r, 2, 6) : 1.45 * D + rng_uniform(r, 0, 0.5) * D);
		double h = lh * rng_uniform(r, 0.85, 1.05);
		double b = base - (squared ? pitch * 0.08 : rng_chance(r, 0.25) ? -1 : pitch * 0.08);
		int kind = rng_int(r, 0, 3);
		if (kind == 0) { /* a sum */
			rand_digits(r, s, rng_int(r, 2, 4), 0);
			x = put_number(p, &pk, "number", s, x, b, h, 0.1, 0.3, pen, r) + h * 0.6;
			put_stroke(p, "plus", x, b - h * 0.45, x + h * 0.55, b - h * 0.45, (int)(h / 10) + 1, pen);
			put_stroke(p, "plus", x + h * 0.27, b - h * 0.72, x + h * 0.27, b - h * 0.18, (int)(h / 10) + 1, pen);
			x += h * 1.2;
			rand_digits(r, s, rng_int(r, 1, 3), 0);
			x = put_number(p, &pk, "number", s, x, b, h, 0.1, 0.3, pen, r) + h * 0.6;
			put_stroke(p, "equals", x, b - h * 0.6, x + h * 0.55, b - h * 0.6, (int)(h / 10) + 1, pen);
			put_stroke(p, "equals", x, b - h * 0.3, x + h * 0.55, b - h * 0.3, (int)(h / 10) + 1, pen);
			x += h * 1.2;
			rand_digits(r, s, rng_int(r, 2, 4), 0);
			put_number(p, &pk, "number", s, x, b, h, 0.1, 0.3, pen, r);
		} else if (kind == 1) { /* a word, then a number */
			const char *w = notes[rng_int(r, 0, 11)];
			x += put_text(p, w, (int)x, (int)b, tscale(h * 0.75), pen->c, (int)(h / 12) + 1, 4) + h * 0.8;
			rand_digits(r, s, rng_int(r, 3, 7), 0);
			put_number(p, &pk, "number", s, x, b, h, 0.08, 0.3, pen, r);
		} else { /* one to three numbers far apart */
			int n = rng_int(r, 1, 3);
			for (int k = 0; k < n && x < W - 2.0 * D; k++) {
				rand_digits(r, s, rng_int(r, 1, 6), 0);
				x = put_number(p, &pk, "number", s, x, b, h, 0.08, 0.32, pen, r);
				x += h * rng_uniform(r, 2.5, 4.0);
			}
		}
	}
}

/* A sticky note or a scrap of paper with a few large numbers on it. */
static void note_page(spage *p, int dpi, const spen *pen, rng_t *r)
{
	double D = dpi;
	int W = (int)(3.6 * D), H = (int)(3.6 * D);
	char s[16];
	if (page_init(p, W, H, (img_color){ 70, 75, 80 }) < 0) exit(1);
	img_draw_rect(&p->im, (int)(0.3 * D), (int)(0.3 * D), (int)(3.0 * D), (int)(3.0 * D), (img_color){ 120, 235, 250 }, -1);
	double y = 0.95 * D;
	put_text(p, "Call back", (int)(0.5 * D), (int)(0.75 * D), tscale(0.22 * D), pen->c, (int)(D / 60), 4);
	for (int k = 0; k < 3; k++) {
		double h = D * rng_uniform(r, 0.26, 0.32), x = 0.5 * D + rng_uniform(r, 0, 0.3) * D;
		y += h + 0.25 * D;
		int groups = k == 0 ? 2 : 1;  /* a phone number in two groups, then two numbers */
		for (int g = 0; g < groups; g++) {
			rand_digits(r, s, k == 0 ? 3 + g : rng_int(r, 2, 5), 1);
			x = put_number(p, &pk, "number", s, x, y, k == 0 ? h * 0.75 : h, 0.06, 0.25, pen, r) + h * 0.7;
		}
	}
}

static int make_sheets(rng_t *r)
{
	spagejob j = {0};
	spen pen;

	pen = pen_blue(r);
	sheet_page(&j.pg, 300, 0, &pen, r);
	j.post = post_default(r, -5.5, (img_color){ 225, 225, 225 });
	j.post.noise = 2.5;
	j.ink = "blue";
	if (emit("sheet-01.jpg", "sheet", "lined A4 paper, 300 dpi, rows of numbers, sums with + and =, script words, blue ink, JPEG", &j, 1, 80, r) < 0) return -1;

	memset(&j, 0, sizeof j);
	pen = pen_black(r);
	sheet_page(&j.pg, 200, 1, &pen, r);
	j.post = post_default(r, 3.8, (img_color){ 250, 250, 250 });
	j.post.noise = 1.5;
	j.post.gray = 1;
	j.ink = "black";
	if (emit("sheet-02.png", "sheet", "squared A4 paper, 200 dpi, small digits, black ink, grey PNG", &j, 1, 0, r) < 0) return -1;

	memset(&j, 0, sizeof j);
	pen = pen_black(r);
	pen.lo = 0.12; pen.hi = 0.45;  /* a felt tip: fat strokes */
	note_page(&j.pg, 300, &pen, r);
	j.post = post_default(r, -8.0, (img_color){ 70, 75, 80 });
	j.post.light = 2; j.post.light_amt = 0.3;
	j.ink = "black";
	if (emit("note-01.png", "note", "yellow sticky note on a dark table, 300 dpi, felt tip, rotated 8 degrees, vignette", &j, 1, 0, r) < 0) return -1;

	/* A three-page TIFF: a form, a lined sheet, a squared sheet; 200 dpi grey. */
	spagejob jj[3];
	memset(jj, 0, sizeof jj);
	pen = pen_blue(r);
	const form_style fs = { "HOUSEHOLD ENERGY SURVEY 2025", "Survey E-19", "Second copy: keep for your records.",
				{ 120, 50, 110 }, 0, rows_survey };
	form_page(&jj[0].pg, 200, &fs, &pen, r);
	sheet_page(&jj[1].pg, 200, 0, &pen, r);
	sheet_page(&jj[2].pg, 200, 1, &pen, r);
	const double rot[3] = { 2.6, -1.4, 4.4 };
	for (int k = 0; k < 3; k++) {
		jj[k].post = post_default(r, rot[k], (img_color){ 240, 240, 240 });
		jj[k].post.noise = 1.5;
		jj[k].post.gray = 1;
		jj[k].ink = "blue";
	}
	if (emit("multi-01.tif", "multipage", "three-page grey TIFF, 200 dpi: survey form, lined sheet, squared sheet; blue ink", jj, 3, 0, r) < 0) return -1;
	return 0;
}

/* Two scans made differently: a fax (200 dpi, pure black and white, fine
 * pen) and a low-resolution photo-like capture (150 dpi, shadow, blur). */
static int make_odd(rng_t *r)
{
	spagejob j = {0};
	spen pen = pen_fine(pen_black(r));
	const form_style fax = { "PARKING PERMIT APPLICATION", "Form PK-27 (2024)", "Faxed copy  -  keep the original.",
				 { 60, 60, 60 }, 0, rows_permit };
	form_page(&j.pg, 200, &fax, &pen, r);
	j.post = post_default(r, -2.4, (img_color){ 255, 255, 255 });
	j.post.noise = 6;
	j.post.blur = 0.6;
	j.post.gray = 1;
	j.post.binarize = 150;
	j.ink = "black";
	if (emit("fax-01.tif", "form", "A4 form received by fax: 200 dpi, pure black and white, fine pen, broken strokes", &j, 1, 0, r) < 0)
		return -1;

	memset(&j, 0, sizeof j);
	pen = pen_blue(r);
	const form_style ph = { "PURCHASE ORDER", "PO-4 / rev 11", "Office supplies  -  internal use", { 40, 90, 30 }, 0,
				rows_order };
	form_page(&j.pg, 150, &ph, &pen, r);
	j.post = post_default(r, 3.6, (img_color){ 90, 95, 100 });
	j.post.light = 3;
	j.post.light_amt = 0.35;
	j.post.blur = 1.2;
	j.post.noise = 4;
	j.ink = "blue";
	return emit("photo-01.jpg", "form",
		    "A4 purchase order captured at 150 dpi like a phone photo: shadow along one edge, blur, noise, small digits, JPEG q75",
		    &j, 1, 75, r);
}

int main(int argc, char **argv)
{
	mnist_t mn;
	char a[512], b[512];
	rng_t r = { SEED };
	if (argc != 3) {
		fprintf(stderr, "usage: mksamples MNIST_DIR OUT_DIR\n");
		return 2;
	}
	outdir = argv[2];
	snprintf(a, sizeof a, "%s/t10k-images-idx3-ubyte", argv[1]);
	snprintf(b, sizeof b, "%s/t10k-labels-idx1-ubyte", argv[1]);
	if (mnist_load(&mn, a, b) < 0) return 1;
	if (picker_init(&pk, &mn, &r) < 0) { fprintf(stderr, "mksamples: out of memory\n"); return 1; }
	int rc = make_cheques(&r) < 0 || make_forms(&r) < 0 || make_marks(&r) < 0 || make_sheets(&r) < 0 ||
		 make_odd(&r) < 0 ? -1 : 0;
	picker_free(&pk);
	mnist_free(&mn);
	return rc < 0 ? 1 : 0;
}
