/* mknegatives: synthetic "not a digit" images for the model's eleventh class.
 *
 *   build/tests/mknegatives data/negatives-idx3-ubyte [COUNT]
 *
 * Writes COUNT (default 30000) 28x28 images as an IDX3 file (magic 0x803,
 * ink 255 on 0, like MNIST), deterministically (fixed seed, own PRNG).  Each
 * one is drawn large, binarised, and normalised by the page pipeline's own
 * seg_normalize(), so negatives reach the model exactly as page candidates do.
 *
 * What is in it: printed letters in all eight Hershey fonts (and italics)
 * at varied size, weight, slant and rotation; script-font letters (payee
 * names, amounts in words); symbols; printed word fragments; pieces of ruling lines and box
 * corners; blobs and specks; stroke fragments; bits of signatures.
 *
 * What is deliberately NOT in it, because it is a digit's double and would
 * teach the model to reject real digits: O o Q D (0), I l i j J | and pure
 * vertical line pieces (1), Z z (2), A h y t (4), S s (5), b G (6), B & (8),
 * g q a (9), f and every short tall symbol ( ) [ ] { } ! ' " , ; (the
 * normaliser stretches any short upright stroke to a full-height 1), ? (a 2
 * or a 7), arcs standing upright (a curved 1), printed digits themselves (a printed "2" is a 2: rejecting
 * printed text is the job of the text-line analysis, not of the model), and
 * slashes steeper than 38 degrees from vertical (a slanted 1).  Word fragments
 * always contain at least one non-confusable letter. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imaging/ops.h"
#include "imaging/synth.h"
#include "samples_rng.h"
#include "segment/seg_internal.h"

#define SEED 0x4E36A7105ull
#define CW 320
#define CH 200

static const char LETTERS[] = "CEFHKLMNPRTUVWXYcdekmnpruvwx";
static const char SYMBOLS[] = "$-.:#*+=%@<>_~^";
/* In the script fonts some more capitals are a digit's double: a cursive
 * L reads as 2, E as 3, T and F as 7, Y as 4, e as 6. */
static const char SCRIPT_LETTERS[] = "CHKMNPRUVWXcdkmnpruvwx";

static const img_color WHITE = { 255, 255, 255 };

/* Text of 1..n glyphs from set, centred on the canvas; font, scale and weight random. */
static void draw_glyphs(img_t *c, const char *set, int n, int font, rng_t *r)
{
	char s[8];
	int len = (int)strlen(set);
	for (int i = 0; i < n; i++) s[i] = set[rng_int(r, 0, len - 1)];
	s[n] = 0;
	double scale = n == 1 ? rng_uniform(r, 1.2, 3.2) : rng_uniform(r, 1.0, 2.2);
	int thick = rng_int(r, 1, (int)(scale * 2.5) + 1), w, h;
	img_text_size(s, scale, thick, font, &w, &h);
	img_draw_text(c, s, (CW - w) / 2, (CH + h) / 2, scale, WHITE, thick, font);
}

/* A word fragment: 2-4 glyphs from the whole alphabet, at least one of them
 * non-confusable, so the fragment as a whole never reads as a digit. */
static void draw_fragment(img_t *c, int font, rng_t *r)
{
	static const char any[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	const char *set = font == 4 || font == 7 ? SCRIPT_LETTERS : LETTERS;
	char s[8];
	int n = rng_int(r, 2, 4), safe = rng_int(r, 0, n - 1), nset = (int)strlen(set);
	for (int i = 0; i < n; i++)
		s[i] = i == safe ? set[rng_int(r, 0, nset - 1)] : any[rng_int(r, 0, (int)sizeof any - 2)];
	s[n] = 0;
	double scale = rng_uniform(r, 0.9, 1.8);
	int thick = rng_int(r, 1, 3), w, h;
	img_text_size(s, scale, thick, font, &w, &h);
	img_draw_text(c, s, (CW - w) / 2, (CH + h) / 2, scale, WHITE, thick, font);
}

/* Pieces of ruling lines and boxes: horizontal runs, corners, T and + joins,
 * double rules, comb ticks on a base line.  Never a lone vertical line. */
static void draw_lines(img_t *c, rng_t *r)
{
	int t = rng_int(r, 2, 8), kind = rng_int(r, 0, 5);
	int x0 = rng_int(r, 40, 120), x1 = rng_int(r, 200, 280), y = rng_int(r, 70, 130);
	int len = rng_int(r, 40, 90);
	switch (kind) {
	case 0: /* a rule, within 20 degrees of horizontal */
		img_draw_line(c, x0, y, x1, y + (int)((x1 - x0) * tan(rng_uniform(r, -0.35, 0.35))), WHITE, t);
		break;
	case 1: /* a box corner */
		img_draw_line(c, x0, y, x1, y, WHITE, t);
		if (rng_chance(r, 0.5)) img_draw_line(c, x0, y, x0, y + (rng_chance(r, 0.5) ? len : -len), WHITE, t);
		else img_draw_line(c, x1, y, x1, y + (rng_chance(r, 0.5) ? len : -len), WHITE, t);
		break;
	case 2: { /* a T or a + join */
		int xm = (x0 + x1) / 2;
		img_draw_line(c, x0, y, x1, y, WHITE, t);
		img_draw_line(c, xm, rng_chance(r, 0.5) ? y - len : y, xm, y + len, WHITE, t);
		break;
	}
	case 3: /* a double rule */
		img_draw_line(c, x0, y - len / 4, x1, y - len / 4, WHITE, t);
		img_draw_line(c, x0 + rng_int(r, -20, 20), y + len / 4, x1 + rng_int(r, -20, 20), y + len / 4, WHITE, t);
		break;
	case 4: { /* comb ticks rising from a base line */
		int n = rng_int(r, 2, 4), step = (x1 - x0) / n, tick = rng_int(r, 15, 45);
		img_draw_line(c, x0, y, x1, y, WHITE, t);
		for (int i = 0; i <= n; i++) img_draw_line(c, x0 + i * step, y, x0 + i * step, y - tick, WHITE, t);
		break;
	}
	default: /* a dashed rule */
		for (int x = x0; x < x1; x += 2 * t + 12) img_draw_line(c, x, y, x + t + 10, y, WHITE, t);
		break;
	}
}

/* Blobs and specks: a filled ellipse, or a cluster of 2-6 dots. */
static void draw_blobs(img_t *c, rng_t *r)
{
	if (rng_chance(r, 0.4)) {
		/* Roundish: an elongated blob is a fat 1. */
		int rx = rng_int(r, 8, 40), ry = (int)(rx * rng_uniform(r, 0.65, 1.0)), cx = CW / 2, cy = CH / 2;
		double a = rng_uniform(r, 0, 3.1416);
		/* A filled, slightly irregular ellipse from thick radial strokes. */
		for (int k = 0; k < 48; k++) {
			double th = k * 6.2832 / 48, wob = rng_uniform(r, 0.8, 1.15);
			int ex = cx + (int)(wob * (rx * cos(th) * cos(a) - ry * sin(th) * sin(a)));
			int ey = cy + (int)(wob * (rx * cos(th) * sin(a) + ry * sin(th) * cos(a)));
			img_draw_line(c, cx, cy, ex, ey, WHITE, 4);
		}
	} else {
		int n = rng_int(r, 2, 6);
		for (int i = 0; i < n; i++) {
			int x = CW / 2 + rng_int(r, -60, 60), y = CH / 2 + rng_int(r, -40, 40);
			img_draw_line(c, x, y, x + rng_int(r, -3, 3), y + rng_int(r, -3, 3), WHITE, rng_int(r, 3, 14));
		}
	}
}

/* A Catmull-Rom curve through n points (px, py). */
static void spline(img_t *c, const double *px, const double *py, int n, int t)
{
	double lx = px[0], ly = py[0];
	for (int i = 0; i + 1 < n; i++) {
		double x0 = px[i ? i - 1 : 0], y0 = py[i ? i - 1 : 0], x3 = px[i + 2 < n ? i + 2 : n - 1], y3 = py[i + 2 < n ? i + 2 : n - 1];
		for (int k = 1; k <= 10; k++) {
			double u = k / 10.0, u2 = u * u, u3 = u2 * u;
			double nx = 0.5 * (2 * px[i] + (-x0 + px[i + 1]) * u + (2 * x0 - 5 * px[i] + 4 * px[i + 1] - x3) * u2 +
					   (-x0 + 3 * px[i] - 3 * px[i + 1] + x3) * u3);
			double ny = 0.5 * (2 * py[i] + (-y0 + py[i + 1]) * u + (2 * y0 - 5 * py[i] + 4 * py[i + 1] - y3) * u2 +
					   (-y0 + 3 * py[i] - 3 * py[i + 1] + y3) * u3);
			img_draw_line(c, (int)lx, (int)ly, (int)nx, (int)ny, WHITE, t);
			lx = nx; ly = ny;
		}
	}
}

/* A bit of a signature: a zig-zag of 5-9 turns, wider than tall. */
static void draw_scribble(img_t *c, rng_t *r)
{
	double px[12], py[12];
	int n = rng_int(r, 5, 9);
	double w = rng_uniform(r, 140, 260), h = rng_uniform(r, 30, 70), x0 = (CW - w) / 2, y0 = (CH - h) / 2;
	for (int i = 0; i < n; i++) {
		px[i] = x0 + w * i / (n - 1) + rng_uniform(r, -8, 8);
		py[i] = y0 + h * ((i % 2) ? rng_uniform(r, 0, 0.4) : rng_uniform(r, 0.6, 1.0));
	}
	spline(c, px, py, n, rng_int(r, 2, 6));
}

/* A stroke fragment: a short arc (at most a third of a turn) or a wave. */
static void draw_fragment_stroke(img_t *c, rng_t *r)
{
	int t = rng_int(r, 3, 9);
	if (rng_chance(r, 0.5)) {
		/* Lying arcs only (the middle of the arc at its top or bottom). */
		double rad = rng_uniform(r, 30, 80), span = rng_uniform(r, 0.6, 2.0);
		double mid = (rng_chance(r, 0.5) ? M_PI / 2 : 3 * M_PI / 2) + rng_uniform(r, -0.4, 0.4), a0 = mid - span / 2;
		double lx = CW / 2 + rad * cos(a0), ly = CH / 2 + rad * sin(a0);
		for (int k = 1; k <= 20; k++) {
			double a = a0 + span * k / 20;
			double nx = CW / 2 + rad * cos(a), ny = CH / 2 + rad * sin(a);
			img_draw_line(c, (int)lx, (int)ly, (int)nx, (int)ny, WHITE, t);
			lx = nx; ly = ny;
		}
	} else {
		double px[4], py[4];
		for (int i = 0; i < 4; i++) {
			px[i] = CW / 2 - 90 + 60 * i + rng_uniform(r, -10, 10);
			py[i] = CH / 2 + ((i % 2) ? -1 : 1) * rng_uniform(r, 5, 25);
		}
		spline(c, px, py, 4, t);
	}
}

/* A slash within 38 degrees of vertical is too close to a slanted 1: draw
 * only flatter ones (and make_one does not slant them further). */
static void draw_slash(img_t *c, rng_t *r)
{
	double a = rng_uniform(r, 38, 60) * M_PI / 180, len = rng_uniform(r, 50, 120);
	int t = rng_int(r, 2, 8);
	double dx = len * sin(a) / 2, dy = len * cos(a) / 2;
	img_draw_line(c, (int)(CW / 2 - dx), (int)(CH / 2 + dy), (int)(CW / 2 + dx), (int)(CH / 2 - dy), WHITE, t);
}

/* Draw one negative of the given kind into the black canvas c.  Returns 1
 * when the drawing must not be slanted or rotated further (a slash). */
static int draw_kind(img_t *c, int kind, rng_t *r)
{
	static const int printed[] = { 0, 1, 2, 3, 5, 6, 8 };
	switch (kind) {
	case 0: draw_glyphs(c, LETTERS, 1, printed[rng_int(r, 0, 6)], r); break;
	case 1: draw_glyphs(c, SCRIPT_LETTERS, 1, rng_chance(r, 0.5) ? 4 : 7, r); break;
	case 2:
		if (rng_chance(r, 0.08)) {
			draw_slash(c, r);
			return 1;
		}
		draw_glyphs(c, SYMBOLS, 1, printed[rng_int(r, 0, 6)], r);
		break;
	case 3: draw_fragment(c, rng_chance(r, 0.3) ? 4 + 3 * rng_int(r, 0, 1) : printed[rng_int(r, 0, 6)], r); break;
	case 4: draw_lines(c, r); break;
	case 5: draw_blobs(c, r); break;
	case 6: draw_fragment_stroke(c, r); break;
	default: draw_scribble(c, r); break;
	}
	return 0;
}

/* Cumulative shares of the kinds above, in per mille. */
static const int SHARE[] = { 300, 380, 520, 660, 760, 840, 900, 1000 };

/* One negative: draw, slant/rotate, blur and binarise at a random level
 * (stroke weight), crop, normalise.  Returns 0, 1 to retry (empty or
 * clipped), -1 on error. */
static int make_one(rng_t *r, uint8_t out[SEG_PIXELS])
{
	img_t c = { 0 }, w = { 0 }, b = { 0 };
	img_err e;
	uint8_t *mask = NULL;
	int rc = -1, pick = rng_int(r, 0, 999), kind = 0;
	while (SHARE[kind] <= pick) kind++;
	if (img_alloc(&c, CW, CH, 1, &e) < 0) goto done;
	int upright = draw_kind(&c, kind, r);
	double sh = rng_uniform(r, -0.3, 0.3), rot = rng_uniform(r, -12, 12) * M_PI / 180;
	double sx = rng_uniform(r, 0.8, 1.2);
	if (upright) sh = rot = 0;
	double cs = cos(rot), sn = sin(rot);
	/* Forward map about the centre: rotate(scale_x(shear(p))). */
	double a = sx, bb = sx * sh;
	double m[6] = { cs * a, cs * bb - sn, 0, sn * a, sn * bb + cs, 0 };
	m[2] = CW / 2.0 - m[0] * CW / 2.0 - m[1] * CH / 2.0;
	m[5] = CH / 2.0 - m[3] * CW / 2.0 - m[4] * CH / 2.0;
	if (img_warp_affine(&c, &w, m, CW, CH, (img_color){ 0, 0, 0 }, &e) < 0) goto done;
	if (img_gaussian(&w, rng_uniform(r, 0.5, 2.0), &b, &e) < 0) goto done;
	int thr = rng_int(r, 70, 180), x0 = CW, y0 = CH, x1 = -1, y1 = -1;
	for (int y = 0; y < CH; y++)
		for (int x = 0; x < CW; x++)
			if (b.data[(size_t)y * b.stride + x] >= thr) {
				if (x < x0) x0 = x;
				if (x > x1) x1 = x;
				if (y < y0) y0 = y;
				if (y > y1) y1 = y;
			}
	rc = 1;
	if (x1 < 0 || x0 == 0 || y0 == 0 || x1 == CW - 1 || y1 == CH - 1) goto done;
	int mw = x1 - x0 + 1, mh = y1 - y0 + 1;
	if (mw * mh < 6) goto done;
	mask = malloc((size_t)mw * (size_t)mh);
	if (!mask) { snprintf(e.msg, sizeof e.msg, "out of memory"); rc = -1; goto done; }
	for (int y = 0; y < mh; y++)
		for (int x = 0; x < mw; x++)
			mask[(size_t)y * mw + x] = b.data[(size_t)(y + y0) * b.stride + x + x0] >= thr ? 255 : 0;
	rc = seg_normalize(mask, mw, mh, out, &e) < 0 ? -1 : 0;
done:
	if (rc < 0) fprintf(stderr, "mknegatives: %s\n", e.msg);
	free(mask);
	img_free(&b);
	img_free(&w);
	img_free(&c);
	return rc;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

int main(int argc, char **argv)
{
	rng_t r = { SEED };
	char tmp[4096];
	uint8_t hdr[16], img[SEG_PIXELS];
	long n = 30000;
	if (argc < 2 || argc > 3 || (argc == 3 && ((n = strtol(argv[2], NULL, 10)) < 1 || n > 1000000))) {
		fprintf(stderr, "usage: mknegatives OUT.idx3-ubyte [COUNT (1..1000000, default 30000)]\n");
		return 2;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
	FILE *f = fopen(tmp, "wb");
	if (!f) { fprintf(stderr, "mknegatives: %s: %s\n", tmp, strerror(errno)); return 1; }
	be32(hdr, 0x803); be32(hdr + 4, (uint32_t)n); be32(hdr + 8, 28); be32(hdr + 12, 28);
	if (fwrite(hdr, 1, 16, f) != 16) goto io;
	for (long i = 0; i < n;) {
		int rc = make_one(&r, img);
		if (rc < 0) { fclose(f); unlink(tmp); return 1; }
		if (rc > 0) continue;
		if (fwrite(img, 1, SEG_PIXELS, f) != SEG_PIXELS) goto io;
		i++;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) goto io;
	if (fclose(f) != 0) { f = NULL; goto io; }
	if (rename(tmp, argv[1]) != 0) { fprintf(stderr, "mknegatives: rename to %s: %s\n", argv[1], strerror(errno)); unlink(tmp); return 1; }
	printf("mknegatives: %ld images in %s\n", n, argv[1]);
	return 0;
io:
	fprintf(stderr, "mknegatives: %s: %s\n", tmp, strerror(errno));
	if (f) fclose(f);
	unlink(tmp);
	return 1;
}
