/* pages_page.h: one flat page being drawn by mkpages, and what is on it.
 *
 * A page is a BGR image at the page's dpi plus the truth gathered while
 * drawing: every handwritten digit keeps its own ink mask (alpha >= 0.30
 * marks ink, as samples/README.md defines it) so the scan model can map
 * each ink pixel through the rotation and give tight boxes; fields keep
 * their text, kind and factors; every other mark (printed text, script,
 * signatures, stamps, hand-drawn separators) is listed as a non-digit.
 * Sizes are in pixels at the page's dpi; mm() converts. */
#ifndef DIGITD_PAGES_PAGE_H
#define DIGITD_PAGES_PAGE_H
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/draw.h"
#include "pages_factors.h"
#include "pages_mnist.h"
#include "pages_rng.h"

#define INK_ALPHA_MIN 0.30   /* truth's definition of an ink pixel (samples/README.md) */
#define PAGE_MAX_ITEMS 1024

typedef struct { double x0, y0, x1, y1; } pbox;

typedef struct {
	int label, mnist_index, field;
	int mx, my, mw, mh;      /* alpha mask placement on the flat page */
	uint8_t *mask;           /* mw x mh, 1 where alpha >= INK_ALPHA_MIN */
} pdigit;

typedef struct {
	char text[40];
	const char *kind;
	double height_ratio, gap, slant, stroke;
	int touching, in_comb;
} pfield;

typedef struct {
	pbox b;
	const char *kind;        /* printed script signature stamp slash dash point plus equals tick */
	char text[64];
	int has_digits;
} pmark;

typedef struct {
	img_t im;                /* the flat page, BGR */
	double dpi;
	double body_cap;         /* cap height of the page's body print, px: the unit of height_ratio */
	int pen;                 /* the writer's pen (factor "pen") */
	img_color ink;           /* its colour */
	prng *r;
	mnist_pool *pool;
	const factor_pins *pins;
	const char *paper;       /* plain ruled grid coloured watermark cheque thermal */
	double rule0, rule_step; /* ruled paper: first rule's y and the spacing (0 when unruled) */
	pdigit d[PAGE_MAX_ITEMS];
	pfield f[PAGE_MAX_ITEMS / 2];
	pmark m[PAGE_MAX_ITEMS];
	int nd, nf, nm;
} ppage;

static double mm(const ppage *p, double v) { return v * p->dpi / 25.4; }

static void page_free(ppage *p)
{
	for (int i = 0; i < p->nd; i++) free(p->d[i].mask);
	img_free(&p->im);
	p->nd = p->nf = p->nm = 0;
}

static pmark *page_mark(ppage *p, const char *kind, double x0, double y0, double x1, double y1, const char *text)
{
	if (p->nm >= PAGE_MAX_ITEMS) return NULL;
	pmark *m = &p->m[p->nm++];
	memset(m, 0, sizeof *m);
	m->b = (pbox){ x0, y0, x1, y1 };
	m->kind = kind;
	snprintf(m->text, sizeof m->text, "%s", text ? text : "");
	for (const char *s = m->text; *s; s++) m->has_digits |= isdigit((unsigned char)*s) != 0;
	return m;
}

/* Hershey scale that gives capitals `cap` pixels high in `font`. */
static double print_scale(int font, double cap)
{
	int w, h;
	img_text_size("H", 1.0, 1, font, &w, &h);
	return cap / (h > 0 ? h : 22);
}

/* Printed text with its baseline's left end at (x, y), capitals `cap` px
 * high; listed as a non-digit of `kind` (printed, or script for the
 * handwriting-like Hershey fonts 4 and 7).  Returns its width. */
static double page_text(ppage *p, const char *text, double x, double y, double cap, int font, img_color c,
			const char *kind)
{
	double s = print_scale(font, cap);
	int th = (int)fmax(1, lround(cap / (font == 4 || font == 7 ? 9.0 : 13.0)));
	int w, h;
	img_text_size(text, s, th, font, &w, &h);
	img_draw_text(&p->im, text, (int)lround(x), (int)lround(y), s, c, th, font);
	/* Descenders reach about 0.35 cap below the baseline. */
	page_mark(p, kind, x, y - h - th, x + w, y + 0.35 * cap + th, text);
	return w;
}

static img_color dark_print(prng *r)
{
	int v = prng_int(r, 10, 60);
	return (img_color){ (uint8_t)v, (uint8_t)v, (uint8_t)v };
}

/* --- paper ------------------------------------------------------------------ */

static void fill(ppage *p, img_color c)
{
	img_draw_rect(&p->im, 0, 0, p->im.w, p->im.h, c, -1);
}

/* Faint ruling, a grid, a tint or a watermark, as stationery has. */
static void paper_pattern(ppage *p, const char *kind)
{
	prng *r = p->r;
	int W = p->im.w, H = p->im.h;
	p->paper = kind;
	if (strcmp(kind, "coloured") == 0) {
		static const img_color tint[] = { { 200, 245, 255 }, { 230, 220, 255 }, { 215, 245, 215 }, { 250, 235, 215 } };
		fill(p, tint[prng_int(r, 0, 3)]);
	} else {
		int v = prng_int(r, 238, 252);
		fill(p, (img_color){ (uint8_t)(v - prng_int(r, 0, 8)), (uint8_t)v, (uint8_t)v });
	}
	if (strcmp(kind, "ruled") == 0) {
		double step = mm(p, prng_range(r, 6.0, 9.0));
		p->rule0 = mm(p, 25), p->rule_step = step;
		for (double y = p->rule0; y < H - mm(p, 8); y += step)
			img_draw_line(&p->im, 0, (int)y, W, (int)y, (img_color){ 230, 190, 160 }, 1);
		int x = (int)mm(p, 25);
		img_draw_line(&p->im, x, 0, x, H, (img_color){ 150, 150, 235 }, 1);
	} else if (strcmp(kind, "grid") == 0) {
		double step = mm(p, 5.0);
		img_color c = prng_chance(r, 0.5) ? (img_color){ 225, 205, 180 } : (img_color){ 200, 200, 200 };
		for (double y = step; y < H; y += step) img_draw_line(&p->im, 0, (int)y, W, (int)y, c, 1);
		for (double x = step; x < W; x += step) img_draw_line(&p->im, (int)x, 0, (int)x, H, c, 1);
	} else if (strcmp(kind, "watermark") == 0) {
		/* Large pale print behind everything: not listed (it is paper). */
		static const char *const wm[] = { "COPY", "ORIGINAL", "CONFIDENTIAL", "DRAFT" };
		const char *t = wm[prng_int(r, 0, 3)];
		double cap = W / (double)strlen(t) * 0.9;
		int tw, th;
		double s = print_scale(3, cap);
		img_text_size(t, s, (int)(cap / 12), 3, &tw, &th);
		img_draw_text(&p->im, t, (W - tw) / 2, H / 2 + th / 2, s, (img_color){ 228, 228, 232 }, (int)(cap / 12), 3);
	}
}

#endif
