/* samples_draw.h: drawing helpers for mksamples: pens, paper, security
 * patterns, comb boxes and handwriting in their cells, amounts in words.
 * Included once, by tests/tools/mksamples.c. */
#ifndef DIGITD_SAMPLES_DRAW_H
#define DIGITD_SAMPLES_DRAW_H
#include "samples_page.h"

/* The generator's one source of MNIST test digits: each is used once. */
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
	/* b holds at most ~60 characters for v <= 9999; copy what fits */
	size_t bl = strlen(b);
	if (bl >= n) bl = n - 1;
	memcpy(out, b, bl);
	out[bl] = 0;
	out[0] = (char)(out[0] >= 'a' && out[0] <= 'z' ? out[0] - 32 : out[0]);
}

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

#endif
