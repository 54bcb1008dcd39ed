/* samples_page.h: composing one synthetic scan and recording its ground truth.
 *
 * A page is drawn "flat" (paper, printing, MNIST handwriting), then goes
 * through the scanner model of page_finish(): rotation, uneven light, blur,
 * noise, dust.  Every handwritten digit keeps the extent of its ink row by row,
 * so its truth box is the bounding box of the ink *after* the rotation (tight,
 * not the inflated box of rotated corners).  Fields and printed marks are
 * mapped the same way.  The invariant that matters: a truth box is exactly
 * where the ink is in the written image. */
#ifndef DIGITD_SAMPLES_PAGE_H
#define DIGITD_SAMPLES_PAGE_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/ops.h"
#include "imaging/synth.h"
#include "samples_mnist.h"
#include "samples_rng.h"

#define PAGE_MAXFIELDS 96
#define INK_ALPHA_MIN 0.30  /* ink at least this opaque counts for the truth box */

typedef struct { double x0, y0, x1, y1; } sbox;

typedef struct {
	int label, mnist, field;
	int ox, oy, rows;     /* patch origin on the flat page and its height */
	short *rx0, *rx1;     /* per patch row: first and last inked column, -1 if none */
	sbox b;               /* final box, set by page_finish */
} sdigit;

typedef struct { char text[64]; char kind[24]; sbox b; int n; } sfield;
typedef struct { char text[96]; char kind[24]; int digits; sbox flat, b; } smark;

/* A writer's pen: colour, how the soft MNIST grey becomes ink (lo..hi ramp;
 * a higher ramp gives thinner strokes), opacity, slant and stroke texture. */
typedef struct {
	img_color c;
	double lo, hi, amax, slant, texture;
} spen;

typedef struct {
	img_t im;                 /* BGR, flat */
	sdigit *d; int nd, capd;
	sfield f[PAGE_MAXFIELDS]; int nf;
	smark *m; int nm, capm;
	int cur;                  /* open field or -1 */
	double M[6];              /* flat -> final, set by page_finish */
	double rot;
} spage;

/* Scanner model applied by page_finish. */
typedef struct {
	double rot_deg;           /* positive turns the page clockwise on screen */
	img_color bed;            /* colour uncovered by the rotation */
	int light;                /* 0 even, 1 linear gradient, 2 vignette, 3 shadow along one edge */
	double light_amt;         /* darkest factor is 1 - light_amt */
	double blur;              /* Gaussian sigma, px */
	double noise;             /* Gaussian sigma, grey levels */
	double grain;             /* share of pixels that get noise (0 means all); lossless files
	                           * use a sparse grain, or they grow to megabytes of pure noise */
	int specks;               /* dust dots */
	int gray;                 /* write a 1-channel image */
	int binarize;             /* 0, or a grey level: write pure black and white (fax) */
} spost;

/* MNIST test digits by label, each shuffled once; every digit used once. */
typedef struct {
	const mnist_t *mn;
	int *idx[10], n[10], next[10];
} spicker;

static int picker_init(spicker *pk, const mnist_t *mn, rng_t *r)
{
	memset(pk, 0, sizeof *pk);
	pk->mn = mn;
	for (int l = 0; l < 10; l++) {
		pk->idx[l] = malloc(sizeof(int) * (size_t)mn->n);
		if (!pk->idx[l]) return -1;
	}
	for (int i = 0; i < mn->n; i++) {
		int l = mn->lab[i];
		if (l < 10) pk->idx[l][pk->n[l]++] = i;
	}
	for (int l = 0; l < 10; l++)
		for (int i = pk->n[l] - 1; i > 0; i--) {
			int j = rng_int(r, 0, i), t = pk->idx[l][i];
			pk->idx[l][i] = pk->idx[l][j];
			pk->idx[l][j] = t;
		}
	return 0;
}

static int picker_take(spicker *pk, int label)
{
	if (pk->next[label] >= pk->n[label]) pk->next[label] = 0; /* ~1000 per label: never in practice */
	return pk->idx[label][pk->next[label]++];
}

static void picker_free(spicker *pk)
{
	for (int l = 0; l < 10; l++) free(pk->idx[l]);
}

static int page_init(spage *p, int w, int h, img_color paper)
{
	img_err e;
	memset(p, 0, sizeof *p);
	p->cur = -1;
	if (img_alloc(&p->im, w, h, 3, &e) < 0) { fprintf(stderr, "mksamples: %s\n", e.msg); return -1; }
	img_draw_rect(&p->im, 0, 0, w, h, paper, -1);
	return 0;
}

static void page_free(spage *p)
{
	for (int i = 0; i < p->nd; i++) { free(p->d[i].rx0); free(p->d[i].rx1); }
	free(p->d); free(p->m);
	img_free(&p->im);
}

static void field_begin(spage *p, const char *kind)
{
	if (p->nf >= PAGE_MAXFIELDS) { fprintf(stderr, "mksamples: too many fields\n"); exit(1); }
	p->cur = p->nf++;
	memset(&p->f[p->cur], 0, sizeof p->f[0]);
	snprintf(p->f[p->cur].kind, sizeof p->f[0].kind, "%s", kind);
}

static void field_end(spage *p) { p->cur = -1; }

static void box_add(sbox *b, double x, double y, int *first)
{
	if (*first) { b->x0 = b->x1 = x; b->y0 = b->y1 = y; *first = 0; return; }
	if (x < b->x0) b->x0 = x;
	if (x > b->x1) b->x1 = x;
	if (y < b->y0) b->y0 = y;
	if (y > b->y1) b->y1 = y;
}

/* Record a non-digit mark (printed text, a signature, a slash) in flat coordinates. */
static void mark_add(spage *p, const char *kind, const char *text, double x0, double y0, double x1, double y1)
{
	if (p->nm == p->capm) {
		p->capm = p->capm ? 2 * p->capm : 64;
		p->m = realloc(p->m, sizeof *p->m * (size_t)p->capm);
		if (!p->m) { fprintf(stderr, "mksamples: out of memory\n"); exit(1); }
	}
	smark *m = &p->m[p->nm++];
	memset(m, 0, sizeof *m);
	snprintf(m->kind, sizeof m->kind, "%s", kind);
	snprintf(m->text, sizeof m->text, "%s", text);
	m->digits = strpbrk(text, "0123456789") != NULL;
	m->flat = (sbox){ x0, y0, x1, y1 };
}

/* Printed text with (x, y) the baseline's left end; returns its width. */
static int put_text(spage *p, const char *s, int x, int y, double scale, img_color c, int thick, int font)
{
	int w, h;
	img_text_size(s, scale, thick, font, &w, &h);
	img_draw_text(&p->im, s, x, y, scale, c, thick, font);
	mark_add(p, font == 4 ? "script" : "printed", s, x - thick, y - h - thick, x + w + thick, y + 0.35 * h + thick);
	return w;
}

/* Blend colour c with opacity a (0..1) into pixel (x, y) of a BGR image. */
static inline void blend(img_t *im, int x, int y, img_color c, double a)
{
	if (x < 0 || y < 0 || x >= im->w || y >= im->h || a <= 0) return;
	uint8_t *px = im->data + (size_t)y * im->stride + (size_t)x * 3;
	px[0] = (uint8_t)(px[0] * (1 - a) + c.b * a + 0.5);
	px[1] = (uint8_t)(px[1] * (1 - a) + c.g * a + 0.5);
	px[2] = (uint8_t)(px[2] * (1 - a) + c.r * a + 0.5);
}

static double smooth01(double lo, double hi, double v)
{
	double t = (v - lo) / (hi - lo);
	if (t <= 0) return 0;
	if (t >= 1) return 1;
	return t * t * (3 - 2 * t);
}

/* Keys' cubic kernel with a = -0.75 (what OpenCV's INTER_CUBIC uses). */
static double cubic_w(double t)
{
	const double A = -0.75;
	t = fabs(t);
	if (t <= 1) return ((A + 2) * t - (A + 3)) * t * t + 1;
	if (t < 2) return ((A * t - 5 * A) * t + 8 * A) * t - 4 * A;
	return 0;
}

/* The 28x28 MNIST image s, bicubically interpolated at (u, v) (pixel
 * centres at integers; 0 outside), as 0..1.  Done here in plain C rather
 * than with OpenCV so the truth boxes, which depend on it, come out the
 * same whatever SIMD path a library would take on another machine. */
static double mnist_at(const uint8_t *s, double u, double v)
{
	int iu = (int)floor(u), iv = (int)floor(v);
	double sum = 0;
	for (int j = -1; j <= 2; j++) {
		int yy = iv + j;
		if (yy < 0 || yy > 27) continue;
		double wy = cubic_w(v - yy);
		for (int i = -1; i <= 2; i++) {
			int xx = iu + i;
			if (xx < 0 || xx > 27) continue;
			sum += wy * cubic_w(u - xx) * s[yy * 28 + xx];
		}
	}
	sum /= 255.0;
	return sum < 0 ? 0 : sum > 1 ? 1 : sum;
}

/* Write an unused MNIST test digit of this label with its ink's left edge (or
 * its ink's centre when centre) at x and its ink's bottom at y, ink height
 * ink_h pixels.  Returns the ink width in pixels. */
static int put_digit_at(spage *p, spicker *pk, int label, double x, double y, double ink_h, int centre,
			const spen *pen, rng_t *r)
{
	const mnist_t *mn = pk->mn;
	int idx = picker_take(pk, label);
	const uint8_t *src = mn->img + (size_t)idx * 784;
	int top = 28, bot = -1;
	for (int i = 0; i < 784; i++)
		if (src[i] >= 64) { if (i / 28 < top) top = i / 28; if (i / 28 > bot) bot = i / 28; }
	double k = ink_h / (double)(bot - top + 1);
	int P = (int)lround(28 * k);
	/* The writer's slant: a shear, leaning the top right for slant > 0. */
	int W = P + (int)ceil(fabs(pen->slant) * P);
	double off = pen->slant > 0 ? pen->slant * P : 0;
	img_err e;
	float *g = malloc(sizeof(float) * (size_t)W * (size_t)P);
	if (!g) { snprintf(e.msg, sizeof e.msg, "out of memory"); goto fail; }
	for (int yy = 0; yy < P; yy++)
		for (int xx = 0; xx < W; xx++) {
			double xb = xx + 0.5 + pen->slant * (yy + 0.5) - off;
			g[(size_t)yy * W + xx] = (float)mnist_at(src, xb / k - 0.5, (yy + 0.5) / k - 0.5);
		}

	sdigit d = {0};
	d.label = label; d.mnist = idx; d.field = p->cur; d.rows = P;
	d.rx0 = malloc(sizeof(short) * (size_t)P);
	d.rx1 = malloc(sizeof(short) * (size_t)P);
	if (!d.rx0 || !d.rx1) { snprintf(e.msg, sizeof e.msg, "out of memory"); goto fail; }
	int bx0 = W, bx1 = -1, by0 = P, by1 = -1;
	for (int yy = 0; yy < P; yy++) {
		d.rx0[yy] = d.rx1[yy] = -1;
		for (int xx = 0; xx < W; xx++) {
			double a = smooth01(pen->lo, pen->hi, g[(size_t)yy * W + xx]);
			if (a >= INK_ALPHA_MIN) {
				if (d.rx0[yy] < 0) d.rx0[yy] = (short)xx;
				d.rx1[yy] = (short)xx;
				if (xx < bx0) bx0 = xx;
				if (xx > bx1) bx1 = xx;
				if (yy < by0) by0 = yy;
				if (yy > by1) by1 = yy;
			}
		}
	}
	if (bx1 < 0) { snprintf(e.msg, sizeof e.msg, "MNIST %d has no ink", idx); goto fail; }
	d.ox = centre ? (int)lround(x - (bx0 + bx1 + 1) / 2.0) : (int)lround(x) - bx0;
	d.oy = (int)lround(y) - by1;
	for (int yy = 0; yy < P; yy++)
		for (int xx = 0; xx < W; xx++) {
			double a = smooth01(pen->lo, pen->hi, g[(size_t)yy * W + xx]);
			if (a <= 0) continue;
			a *= pen->amax * (1 - pen->texture * rng_unit(r));
			blend(&p->im, d.ox + xx, d.oy + yy, pen->c, a);
		}
	free(g);
	if (p->nd == p->capd) {
		p->capd = p->capd ? 2 * p->capd : 64;
		p->d = realloc(p->d, sizeof *p->d * (size_t)p->capd);
		if (!p->d) { fprintf(stderr, "mksamples: out of memory\n"); exit(1); }
	}
	p->d[p->nd++] = d;
	if (p->cur >= 0) {
		sfield *f = &p->f[p->cur];
		if (f->n < (int)sizeof f->text - 1) f->text[f->n] = (char)('0' + label);
		f->n++;
	}
	return bx1 - bx0 + 1;
fail:
	fprintf(stderr, "mksamples: digit %d: %s\n", idx, e.msg);
	exit(1);
}

static int put_digit(spage *p, spicker *pk, int label, double x, double y, double ink_h, const spen *pen,
		     rng_t *r)
{
	return put_digit_at(p, pk, label, x, y, ink_h, 0, pen, r);
}

/* Write the digit string s (digits only) as one field starting at x with its
 * baseline at y; gaps between digits are gap_lo..gap_hi times the height,
 * and a negative gap makes a touching pair.  Returns the x after the last ink. */
static double put_number(spage *p, spicker *pk, const char *kind, const char *s, double x, double y, double h,
			 double gap_lo, double gap_hi, const spen *pen, rng_t *r)
{
	field_begin(p, kind);
	for (const char *c = s; *c; c++) {
		double hh = h * rng_uniform(r, 0.92, 1.08);
		double yb = y + rng_normal(r) * 0.04 * h;
		x += put_digit(p, pk, *c - '0', x, yb, hh, pen, r);
		/* Now and then two neighbours touch, as in real writing; rarely. */
		if (c[1]) x += rng_chance(r, 0.015) ? -0.04 * h : h * rng_uniform(r, gap_lo, gap_hi);
	}
	field_end(p);
	return x;
}

/* A handwritten stroke (slash, dash, decimal point) in the pen's colour. */
static void put_stroke(spage *p, const char *kind, double x0, double y0, double x1, double y1, int thick,
		       const spen *pen)
{
	img_draw_line(&p->im, (int)x0, (int)y0, (int)x1, (int)y1, pen->c, thick);
	mark_add(p, kind, kind, fmin(x0, x1) - thick, fmin(y0, y1) - thick, fmax(x0, x1) + thick,
		 fmax(y0, y1) + thick);
}

/* A signature-like scribble in the box (x, y, w, h): a capital loop, then a
 * Catmull-Rom curve through zig-zag points of random height (cursive ups and
 * downs), then an underline.  Not digits: recorded as a mark. */
static void put_signature(spage *p, double x, double y, double w, double h, const spen *pen, int thick, rng_t *r)
{
	double px[40], py[40];
	if (rng_chance(r, 0.5)) {
		/* The looping kind: a prolate trochoid (loops where the pen runs
		 * backwards), each turn with its own height. */
		int turns = rng_int(r, 6, 11), steps = turns * 16;
		double R = w / turns * rng_uniform(r, 0.25, 0.45), A = h * 0.45, amp = A;
		double lx = x, ly = y + h / 2;
		for (int i = 1; i <= steps; i++) {
			double t = (double)i / steps, ang = t * turns * 6.2832;
			if (i % 16 == 0) amp = A * rng_uniform(r, 0.35, 1.1);
			double nx = x + t * w + R * cos(ang) - R, ny = y + h / 2 - amp * sin(ang) + t * h * 0.15;
			img_draw_line(&p->im, (int)lx, (int)ly, (int)nx, (int)ny, pen->c, thick);
			lx = nx; ly = ny;
		}
		if (rng_chance(r, 0.6))
			img_draw_line(&p->im, (int)(x + w * 0.05), (int)(y + h * 1.05), (int)(x + w * 1.0), (int)(y + h * 0.95), pen->c, thick);
		mark_add(p, "signature", "signature", x - h * 0.3, y - h * 0.4, x + w + h * 0.3, y + h * 1.3);
		return;
	}
	int n = rng_int(r, 14, 24);
	/* The capital: one loop at the start. */
	double cx = x + h * 0.3, cy = y + h * 0.45, rr = h * rng_uniform(r, 0.3, 0.45);
	double lx = cx + rr, ly = cy;
	for (int i = 1; i <= 40; i++) {
		double a = i * 6.283 / 36, rad = rr * (1 - 0.3 * i / 40.0);
		double nx = cx + rad * cos(a) * 0.7, ny = cy - rad * sin(a);
		img_draw_line(&p->im, (int)lx, (int)ly, (int)nx, (int)ny, pen->c, thick);
		lx = nx; ly = ny;
	}
	for (int i = 0; i < n; i++) {
		px[i] = x + h * 0.4 + (w - h * 0.4) * i / (n - 1) + rng_uniform(r, -0.2, 0.2) * w / n;
		double up = (i % 2) ? rng_uniform(r, 0.05, 0.45) : rng_uniform(r, 0.55, 0.8);
		if (rng_chance(r, 0.15)) up = (i % 2) ? -0.1 : 1.0;  /* an ascender or descender */
		py[i] = y + h * up;
	}
	px[0] = lx; py[0] = ly;
	for (int i = 0; i + 1 < n; i++) {
		double x0 = px[i > 0 ? i - 1 : 0], y0 = py[i > 0 ? i - 1 : 0], x3 = px[i + 2 < n ? i + 2 : n - 1],
		       y3 = py[i + 2 < n ? i + 2 : n - 1];
		double ax = lx, ay = ly;
		for (int k = 1; k <= 12; k++) {
			double t = k / 12.0, t2 = t * t, t3 = t2 * t;
			double nx = 0.5 * (2 * px[i] + (-x0 + px[i + 1]) * t + (2 * x0 - 5 * px[i] + 4 * px[i + 1] - x3) * t2 +
					   (-x0 + 3 * px[i] - 3 * px[i + 1] + x3) * t3);
			double ny = 0.5 * (2 * py[i] + (-y0 + py[i + 1]) * t + (2 * y0 - 5 * py[i] + 4 * py[i + 1] - y3) * t2 +
					   (-y0 + 3 * py[i] - 3 * py[i + 1] + y3) * t3);
			img_draw_line(&p->im, (int)ax, (int)ay, (int)nx, (int)ny, pen->c, thick);
			ax = nx; ay = ny;
		}
		lx = ax; ly = ay;
	}
	img_draw_line(&p->im, (int)(x + w * 0.1), (int)(y + h * 1.05), (int)(x + w * 0.9), (int)(y + h * 0.9), pen->c, thick);
	mark_add(p, "signature", "signature", x - h * 0.2, y - h * 0.25, x + w + h * 0.2, y + h * 1.2);
}

static void map_pt(const double M[6], double x, double y, double *ox, double *oy)
{
	*ox = M[0] * x + M[1] * y + M[2];
	*oy = M[3] * x + M[4] * y + M[5];
}

static sbox map_box(const double M[6], sbox b, int w, int h)
{
	sbox o = {0};
	int first = 1;
	double xs[2] = { b.x0, b.x1 }, ys[2] = { b.y0, b.y1 };
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++) {
			double X, Y;
			map_pt(M, xs[i], ys[j], &X, &Y);
			box_add(&o, X, Y, &first);
		}
	o.x0 = fmax(o.x0, 0); o.y0 = fmax(o.y0, 0);
	o.x1 = fmin(o.x1, w); o.y1 = fmin(o.y1, h);
	return o;
}

/* Scan the flat page: rotation about the centre (same size), light, blur,
 * noise, dust; compute every truth box in the written image's pixels.
 * out is allocated (1 or 3 channels per post->gray). */
static int page_finish(spage *p, const spost *post, rng_t *r, img_t *out)
{
	img_err e;
	img_t rot = {0};
	int w = p->im.w, h = p->im.h;
	double th = post->rot_deg * M_PI / 180, c = cos(th), s = sin(th), cx = w / 2.0, cy = h / 2.0;
	double M[6] = { c, -s, cx - c * cx + s * cy, s, c, cy - s * cx - c * cy };
	memcpy(p->M, M, sizeof M);
	p->rot = post->rot_deg;
	if (img_warp_affine(&p->im, &rot, M, w, h, post->bed, &e) < 0) goto fail;

	/* Uneven light: multiply by a smooth factor in [1 - amt, 1]. */
	double gx = cos(rng_uniform(r, 0, 6.283)), gy = sqrt(1 - gx * gx) * (rng_chance(r, 0.5) ? 1 : -1);
	double vx = rng_uniform(r, 0.2, 0.8) * w, vy = rng_uniform(r, 0.2, 0.8) * h;
	int edge = rng_int(r, 0, 3);
	for (int y = 0; y < h; y++) {
		uint8_t *row = rot.data + (size_t)y * rot.stride;
		for (int x = 0; x < w; x++) {
			double f = 1;
			double u = (double)x / w, v = (double)y / h;
			if (post->light == 1) f = 1 - post->light_amt * (0.5 + 0.5 * (gx * (2 * u - 1) + gy * (2 * v - 1)) / 1.42);
			else if (post->light == 2) {
				double dx = (x - vx) / w, dy = (y - vy) / h;
				f = 1 - post->light_amt * fmin(1, (dx * dx + dy * dy) * 2.2);
			} else if (post->light == 3) {
				double d = edge == 0 ? u : edge == 1 ? 1 - u : edge == 2 ? v : 1 - v;
				f = 1 - post->light_amt * exp(-d * 9) - post->light_amt * 0.25 * d;
			}
			for (int k = 0; k < 3; k++) row[3 * x + k] = (uint8_t)(row[3 * x + k] * f + 0.5);
		}
	}
	/* Dust: small dark dots, some elongated (hairs). */
	for (int i = 0; i < post->specks; i++) {
		int x = rng_int(r, 0, w - 1), y = rng_int(r, 0, h - 1), g = rng_int(r, 40, 140);
		int len = rng_chance(r, 0.2) ? rng_int(r, 4, 18) : 0;
		double a = rng_uniform(r, 0, 6.283);
		img_draw_line(&rot, x, y, x + (int)(len * cos(a)), y + (int)(len * sin(a)), (img_color){ (uint8_t)g, (uint8_t)g, (uint8_t)g },
			      rng_int(r, 1, 3));
	}
	if (post->blur > 0) {
		img_t bl;
		if (img_gaussian(&rot, post->blur, &bl, &e) < 0) goto fail;
		img_free(&rot);
		rot = bl;
	}
	if (post->noise > 0)
		for (int y = 0; y < h; y++) {
			uint8_t *row = rot.data + (size_t)y * rot.stride;
			for (int x = 0; x < w; x++) {
				if (post->grain > 0 && rng_unit(r) >= post->grain) continue;
				double n = rng_normal(r) * post->noise;
				for (int k = 0; k < 3; k++) {
					double v = row[3 * x + k] + n;
					row[3 * x + k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5);
				}
			}
		}
	if (post->gray) {
		if (img_alloc(out, w, h, 1, &e) < 0) goto fail;
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				const uint8_t *px = rot.data + (size_t)y * rot.stride + 3 * x;
				out->data[(size_t)y * out->stride + x] = (uint8_t)((29 * px[0] + 150 * px[1] + 77 * px[2] + 128) >> 8);
			}
		img_free(&rot);
		rot = (img_t){ 0 };
		if (post->binarize > 0)
			for (int y = 0; y < h; y++)
				for (int x = 0; x < w; x++) {
					uint8_t *v = out->data + (size_t)y * out->stride + x;
					*v = *v < post->binarize ? 0 : 255;
				}
	} else {
		*out = rot;
		rot = (img_t){ 0 };  /* owned by out now: the fail path frees out, not rot */
	}

	/* Truth boxes: the corners of every inked pixel at each row's ends. */
	for (int i = 0; i < p->nd; i++) {
		sdigit *d = &p->d[i];
		int first = 1;
		for (int yy = 0; yy < d->rows; yy++) {
			if (d->rx0[yy] < 0) continue;
			double xs[2] = { d->ox + d->rx0[yy], d->ox + d->rx1[yy] + 1.0 };
			for (int a = 0; a < 2; a++)
				for (int b = 0; b < 2; b++) {
					double X, Y;
					map_pt(M, xs[a], d->oy + yy + b, &X, &Y);
					box_add(&d->b, X, Y, &first);
				}
		}
	}
	for (int i = 0; i < p->nd; i++) {
		sbox b = p->d[i].b;
		if (b.x0 < 0 || b.y0 < 0 || b.x1 > w || b.y1 > h) {
			/* A layout bug: a digit the scan cuts off cannot be in the truth. */
			snprintf(e.msg, sizeof e.msg, "digit %d (MNIST %d) falls off the %dx%d page", i, p->d[i].mnist, w, h);
			img_free(out);
			goto fail;
		}
	}
	for (int i = 0; i < p->nf; i++) {
		int first = 1;
		for (int j = 0; j < p->nd; j++)
			if (p->d[j].field == i) {
				box_add(&p->f[i].b, p->d[j].b.x0, p->d[j].b.y0, &first);
				box_add(&p->f[i].b, p->d[j].b.x1, p->d[j].b.y1, &first);
			}
	}
	for (int i = 0; i < p->nm; i++) p->m[i].b = map_box(M, p->m[i].flat, w, h);
	return 0;
fail:
	fprintf(stderr, "mksamples: %s\n", e.msg);
	img_free(&rot);
	return -1;
}

/* Integer box: x, y floor; w, h to the ceiling of the far edge. */
static void json_box(FILE *f, sbox b)
{
	int x = (int)floor(b.x0), y = (int)floor(b.y0);
	fprintf(f, "\"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d", x, y, (int)ceil(b.x1) - x, (int)ceil(b.y1) - y);
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

/* One page object of the truth file. */
static void truth_page(FILE *f, const spage *p, int page, const img_t *out, const char *ink, const spost *post)
{
	fprintf(f, "    {\"page\": %d, \"width\": %d, \"height\": %d, \"rotation_deg\": %.2f, \"ink\": ", page, out->w,
		out->h, post->rot_deg);
	json_str(f, ink);
	fprintf(f, ", \"blur\": %.2f, \"noise\": %.1f, \"light\": %d, \"channels\": %d,\n", post->blur, post->noise,
		post->light, out->ch);
	fprintf(f, "     \"digits\": [");
	for (int i = 0; i < p->nd; i++) {
		const sdigit *d = &p->d[i];
		fprintf(f, "%s\n      {", i ? "," : "");
		json_box(f, d->b);
		fprintf(f, ", \"label\": %d, \"mnist_test_index\": %d, \"field\": %d}", d->label, d->mnist, d->field);
	}
	fprintf(f, "],\n     \"fields\": [");
	for (int i = 0; i < p->nf; i++) {
		fprintf(f, "%s\n      {", i ? "," : "");
		json_box(f, p->f[i].b);
		fprintf(f, ", \"text\": ");
		json_str(f, p->f[i].text);
		fprintf(f, ", \"kind\": ");
		json_str(f, p->f[i].kind);
		fputc('}', f);
	}
	fprintf(f, "],\n     \"nondigits\": [");
	for (int i = 0; i < p->nm; i++) {
		fprintf(f, "%s\n      {", i ? "," : "");
		json_box(f, p->m[i].b);
		fprintf(f, ", \"kind\": ");
		json_str(f, p->m[i].kind);
		fprintf(f, ", \"text\": ");
		json_str(f, p->m[i].text);
		fprintf(f, ", \"has_digits\": %s}", p->m[i].digits ? "true" : "false");
	}
	fprintf(f, "]}");
}

#endif
