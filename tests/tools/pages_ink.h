/* pages_ink.h: handwriting on a mkpages page: MNIST digits written as
 * numbers (free, in cells, touching), hand-drawn separators, script words
 * and signatures, all in the page's pen.
 *
 * A digit is rendered in plain C (bilinear from the 28x28 image, so the
 * truth never depends on an OpenCV code path): its ink box is scaled to the
 * field's writing height, sheared by the slant, thinned by raising the grey
 * level that counts as ink or thickened by a max filter (the pen width), then
 * composited as alpha.  Each digit keeps the mask of its ink pixels for the
 * truth boxes (pages_scan.h). */
#ifndef DIGITD_PAGES_INK_H
#define DIGITD_PAGES_INK_H
#include "pages_page.h"

/* Below this height MNIST strokes blur into blobs at any pen; a field whose
 * drawn ratio asks for less is written at this height and records the ratio
 * it really got. */
#define MIN_DIGIT_PX 9.0
/* MNIST's pen is about 2.5 px on a 20 px high digit. */
#define MNIST_STROKE_PER_HEIGHT 0.12
/* Grey ramp width (of 1) over which alpha goes from 0 to 1: about the
 * softness of a scanned felt pen edge at the scaled-up size. */
#define INK_RAMP 0.30

typedef struct {
	double h;                /* writing height, px */
	double height_ratio, gap, slant, stroke;
	int touching, in_comb;
} fstyle;

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Per-field factors, each drawn independently (or pinned). */
static fstyle style_draw(ppage *p, int in_comb)
{
	prng *r = p->r;
	fstyle s;
	/* Digits written beside 8-12 pt print are mostly 3-7 mm high (1.1 to 3
	 * times its 2-3 mm capitals); a third of fields anywhere from 1/3 to 3:
	 * a date squeezed into a small box, a row in a tight hand. */
	double ratio = prng_chance(r, 0.65) ? prng_logrange(r, 1.1, 3.0) : prng_logrange(r, 1.0 / 3.0, 3.0);
	ratio = fac(p->pins, FAC_HEIGHT_RATIO, ratio);
	s.h = fmax(MIN_DIGIT_PX, ratio * p->body_cap);
	s.height_ratio = s.h / p->body_cap;
	s.slant = fac(p->pins, FAC_SLANT, clampd(prng_normal(r) * 10.0, -25, 25));
	s.stroke = fac(p->pins, FAC_STROKE, prng_chance(r, 0.5) ? prng_range(r, 0.8, 1.3) : prng_logrange(r, 0.5, 2.5));
	s.touching = (int)fac(p->pins, FAC_TOUCHING, prng_chance(r, 0.22));
	s.gap = fac(p->pins, FAC_GAP, prng_range(r, 0.06, 0.45));
	s.in_comb = in_comb;
	if (in_comb && p->pins->pinned[FAC_IN_COMB]) s.in_comb = p->pins->value[FAC_IN_COMB] >= 2 ? 2 : 1;
	else if (in_comb) s.in_comb = prng_chance(r, 0.3) ? 2 : 1;
	return s;
}

static float bilinear28(const uint8_t *g, double x, double y)
{
	int x0 = (int)floor(x), y0 = (int)floor(y);
	double fx = x - x0, fy = y - y0, v = 0;
	for (int j = 0; j < 2; j++)
		for (int i = 0; i < 2; i++) {
			int xx = x0 + i, yy = y0 + j;
			if (xx < 0 || yy < 0 || xx >= MNIST_SIDE || yy >= MNIST_SIDE) continue;
			v += (i ? fx : 1 - fx) * (j ? fy : 1 - fy) * g[yy * MNIST_SIDE + xx];
		}
	return (float)(v / 255.0);
}

/* Alpha of MNIST image g with its ink h px high: *a (aw x ah, malloc'd). */
static int glyph_render(const uint8_t *g, double h, double slant_deg, double stroke, float **a, int *aw, int *ah)
{
	int bx0 = MNIST_SIDE, by0 = MNIST_SIDE, bx1 = -1, by1 = -1;
	for (int y = 0; y < MNIST_SIDE; y++)
		for (int x = 0; x < MNIST_SIDE; x++)
			if (g[y * MNIST_SIDE + x] > 60) {
				if (x < bx0) bx0 = x;
				if (x > bx1) bx1 = x;
				if (y < by0) by0 = y;
				if (y > by1) by1 = y;
			}
	if (bx1 < 0) bx0 = by0 = 0, bx1 = by1 = MNIST_SIDE - 1;
	double k = h / (by1 - by0 + 1), t = tan(slant_deg * M_PI / 180.0);
	int rd = stroke > 1.0 ? (int)lround((stroke - 1.0) * MNIST_STROKE_PER_HEIGHT * h / 2.0) : 0;
	double level = stroke >= 1.0 ? 0.40 : 0.5 + (1.0 - stroke) * 0.5;
	int pad = rd + (int)ceil(k) + 2;
	double xs = fabs(t) * h / 2.0 + pad, hc = pad + h / 2.0;
	int w = (int)ceil((bx1 - bx0 + 1) * k + fabs(t) * h) + 2 * pad, H = (int)ceil(h) + 2 * pad;
	float *out = calloc((size_t)w * H, sizeof *out), *tmp = malloc((size_t)w * H * sizeof *tmp);
	if (!out || !tmp) { free(out); free(tmp); return -1; }
	for (int v = 0; v < H; v++)
		for (int u = 0; u < w; u++) {
			double sy = (v + 0.5 - pad) / k + by0;
			double sx = (u + 0.5 - xs + t * (v + 0.5 - hc)) / k + bx0;
			double gv = bilinear28(g, sx - 0.5, sy - 0.5);
			out[v * w + u] = (float)clampd((gv - level) / INK_RAMP + 0.5, 0, 1);
		}
	/* Thick pen: square max filter of radius rd, rows then columns. */
	for (int pass = 0; pass < 2 && rd > 0; pass++) {
		memcpy(tmp, out, (size_t)w * H * sizeof *tmp);
		for (int v = 0; v < H; v++)
			for (int u = 0; u < w; u++) {
				float m = 0;
				for (int d = -rd; d <= rd; d++) {
					int uu = pass ? u : u + d, vv = pass ? v + d : v;
					if (uu >= 0 && vv >= 0 && uu < w && vv < H && tmp[vv * w + uu] > m) m = tmp[vv * w + uu];
				}
				out[v * w + u] = m;
			}
	}
	free(tmp);
	*a = out, *aw = w, *ah = H;
	return 0;
}

/* Blend colour c into pixel px with opacity a. */
static void blend(uint8_t *px, img_color c, double a)
{
	px[0] = (uint8_t)lround(px[0] * (1 - a) + c.b * a);
	px[1] = (uint8_t)lround(px[1] * (1 - a) + c.g * a);
	px[2] = (uint8_t)lround(px[2] * (1 - a) + c.r * a);
}

/* Write one digit of label `label` with its ink box's left edge at x and
 * bottom at y; the ink box on the page goes to *ink.  -1 when MNIST ran
 * out of that label or memory. */
static int write_digit(ppage *p, int label, double x, double y, double h, const fstyle *s, int field, pbox *ink)
{
	if (p->nd >= PAGE_MAX_ITEMS) return -1;
	int idx = mnist_take(p->pool, label);
	if (idx < 0) return -1;
	float *a;
	int aw, ah;
	if (glyph_render(p->pool->img + (size_t)idx * MNIST_SIDE * MNIST_SIDE, h, s->slant, s->stroke, &a, &aw, &ah) < 0)
		return -1;
	int x0 = aw, y0 = ah, x1 = -1, y1 = -1;
	for (int v = 0; v < ah; v++)
		for (int u = 0; u < aw; u++)
			if (a[v * aw + u] >= INK_ALPHA_MIN) {
				if (u < x0) x0 = u;
				if (u > x1) x1 = u;
				if (v < y0) y0 = v;
				if (v > y1) y1 = v;
			}
	if (x1 < 0) x0 = y0 = 0, x1 = aw - 1, y1 = ah - 1;
	int ox = (int)lround(x) - x0, oy = (int)lround(y) - y1;
	pdigit *d = &p->d[p->nd];
	d->label = label, d->mnist_index = idx, d->field = field;
	d->mx = ox + x0, d->my = oy + y0, d->mw = x1 - x0 + 1, d->mh = y1 - y0 + 1;
	d->mask = calloc((size_t)d->mw * d->mh, 1);
	if (!d->mask) { free(a); return -1; }
	/* A pencil lays graphite unevenly; pens lose a little opacity on fast strokes. */
	int pencil = p->pen == 4;
	double opacity = pencil ? prng_range(p->r, 0.6, 0.8) : prng_range(p->r, 0.88, 1.0);
	for (int v = 0; v < ah; v++)
		for (int u = 0; u < aw; u++) {
			double al = a[v * aw + u];
			int px = ox + u, py = oy + v;
			if (al <= 0 || px < 0 || py < 0 || px >= p->im.w || py >= p->im.h) continue;
			if (al >= INK_ALPHA_MIN && u >= x0 && u <= x1 && v >= y0 && v <= y1)
				d->mask[(v - y0) * d->mw + (u - x0)] = 1;
			double tex = pencil ? 0.7 + 0.3 * prng_unit(p->r) : 1.0;
			blend(p->im.data + (size_t)py * p->im.stride + (size_t)px * 3, p->ink, al * opacity * tex);
		}
	free(a);
	p->nd++;
	*ink = (pbox){ d->mx, d->my, d->mx + d->mw, d->my + d->mh };
	return 0;
}

static pfield *new_field(ppage *p, const char *kind, const fstyle *s)
{
	if (p->nf >= PAGE_MAX_ITEMS / 2) return NULL;
	pfield *f = &p->f[p->nf++];
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->height_ratio = s->height_ratio, f->slant = s->slant, f->stroke = s->stroke;
	f->in_comb = s->in_comb, f->gap = s->gap;
	return f;
}

static void field_add(pfield *f, int label)
{
	size_t n = strlen(f->text);
	if (n + 1 < sizeof f->text) f->text[n] = (char)('0' + label), f->text[n + 1] = 0;
}

/* Free writing: the digits of text (digits only) left to right from x, ink
 * bottoms near y.  With s->touching one pair or triple overlaps.  Returns
 * the x after the last digit, or -1. */
static double write_number(ppage *p, const char *text, double x, double y, fstyle *s, const char *kind)
{
	pfield *f = new_field(p, kind, s);
	if (!f) return -1;
	int n = (int)strlen(text), fi = p->nf - 1;
	int t0 = -1, tn = 0;
	if (s->touching && n >= 2) {
		tn = n >= 3 && prng_chance(p->r, 0.4) ? 3 : 2;
		t0 = prng_int(p->r, 0, n - tn);
	}
	double mingap = 1e9;
	for (int i = 0; i < n; i++) {
		double h = s->h * prng_range(p->r, 0.88, 1.08);
		pbox b;
		if (write_digit(p, text[i] - '0', x, y + s->h * prng_range(p->r, -0.05, 0.05), h, s, fi, &b) < 0) return -1;
		field_add(f, text[i] - '0');
		double gap = s->h * (i >= t0 && i < t0 + tn - 1 ? -prng_range(p->r, 0.02, 0.14) : s->gap * prng_range(p->r, 0.7, 1.3));
		if (i < n - 1 && gap / s->h < mingap) mingap = gap / s->h;
		x = b.x1 + gap;
	}
	f->touching = tn > 0;
	if (n > 1) f->gap = mingap;  /* the tightest gap of the field */
	return x;
}

/* One digit per cell, centred with the hand's wobble; in_comb 2 pushes some
 * digits' ink over a cell side (the bottom, or left/right).  Cells are
 * (x0, y0, x1, y1) boxes; text has one digit per cell (' ' leaves it empty). */
static int write_cells(ppage *p, const char *text, const pbox *cell, fstyle *s, const char *kind)
{
	pfield *f = new_field(p, kind, s);
	if (!f) return -1;
	int fi = p->nf - 1, touched = 0;
	for (int i = 0; text[i]; i++) {
		if (text[i] == ' ') continue;
		const pbox *c = &cell[i];
		double h = fmin(s->h * prng_range(p->r, 0.9, 1.05), (c->y1 - c->y0) * 0.95);
		double w = h * 0.6, cx = (c->x0 + c->x1) / 2, cy = (c->y0 + c->y1) / 2;
		double x = cx - w / 2 + prng_range(p->r, -0.1, 0.1) * w, y = cy + h / 2 + prng_range(p->r, -0.08, 0.08) * h;
		if (s->in_comb == 2 && (prng_chance(p->r, 0.5) || (!touched && !text[i + 1]))) {
			int side = prng_int(p->r, 0, 2);
			double over = fmax(2, h * prng_range(p->r, 0.03, 0.12));
			if (side == 0) y = c->y1 + over;                       /* sits through the bottom */
			else if (side == 1) x = c->x0 - over;                  /* crosses the left side */
			else x = c->x1 + over - w;                             /* reaches over the right side */
			touched = 1;
		}
		pbox b;
		if (write_digit(p, text[i] - '0', x, y, h, s, fi, &b) < 0) return -1;
		field_add(f, text[i] - '0');
	}
	if (s->in_comb == 2 && !touched) f->in_comb = 1;
	return 0;
}

/* --- the other things a pen leaves -------------------------------------- */

static int pen_width(double h, double stroke)
{
	return (int)fmax(1, lround(h * MNIST_STROKE_PER_HEIGHT * stroke));
}

/* A hand-drawn stroke through n points, listed as a non-digit `kind`. */
static void hand_stroke(ppage *p, const double *xy, int n, int th, const char *kind)
{
	double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
	for (int i = 0; i < n; i++) {
		if (i) img_draw_line(&p->im, (int)lround(xy[2 * i - 2]), (int)lround(xy[2 * i - 1]), (int)lround(xy[2 * i]),
				     (int)lround(xy[2 * i + 1]), p->ink, th);
		x0 = fmin(x0, xy[2 * i]), x1 = fmax(x1, xy[2 * i]);
		y0 = fmin(y0, xy[2 * i + 1]), y1 = fmax(y1, xy[2 * i + 1]);
	}
	if (kind) page_mark(p, kind, x0 - th, y0 - th, x1 + th, y1 + th, NULL);
}

/* A separator mark of height h written at x with its base at y; returns its width. */
static double hand_mark(ppage *p, const char *kind, double x, double y, double h, int th)
{
	prng *r = p->r;
	double j = h * 0.06, w;
	if (strcmp(kind, "slash") == 0) {
		double pts[] = { x, y, x + h * 0.45, y - h * 1.05 };
		w = h * 0.45;
		hand_stroke(p, pts, 2, th, kind);
	} else if (strcmp(kind, "dash") == 0) {
		double pts[] = { x, y - h * 0.5, x + h * 0.6, y - h * 0.5 + prng_range(r, -j, j) };
		w = h * 0.6;
		hand_stroke(p, pts, 2, th, kind);
	} else if (strcmp(kind, "point") == 0) {
		double pts[] = { x, y - th, x + th, y - th * 0.5 };
		w = th * 2.0;
		hand_stroke(p, pts, 2, th + 1, kind);
	} else if (strcmp(kind, "plus") == 0) {
		double a[] = { x, y - h * 0.45, x + h * 0.6, y - h * 0.45 + prng_range(r, -j, j) };
		double b[] = { x + h * 0.3, y - h * 0.8, x + h * 0.3 + prng_range(r, -j, j), y - h * 0.1 };
		hand_stroke(p, a, 2, th, NULL);
		hand_stroke(p, b, 2, th, NULL);
		page_mark(p, kind, x - th, y - h * 0.8 - th, x + h * 0.6 + th, y - h * 0.1 + th, NULL);
		w = h * 0.6;
	} else if (strcmp(kind, "equals") == 0) {
		double a[] = { x, y - h * 0.6, x + h * 0.6, y - h * 0.6 + prng_range(r, -j, j) };
		double b[] = { x, y - h * 0.3, x + h * 0.6, y - h * 0.3 + prng_range(r, -j, j) };
		hand_stroke(p, a, 2, th, NULL);
		hand_stroke(p, b, 2, th, NULL);
		page_mark(p, kind, x - th, y - h * 0.6 - 2 * j - th, x + h * 0.6 + th, y - h * 0.3 + 2 * j + th, NULL);
		w = h * 0.6;
	} else { /* tick */
		double pts[] = { x, y - h * 0.4, x + h * 0.25, y, x + h * 0.7, y - h * 0.9 };
		hand_stroke(p, pts, 3, th, kind);
		w = h * 0.7;
	}
	return w;
}

/* A signature: a smooth scribble (a few loops over a drifting baseline),
 * w x h px with its left end at (x, y mid-height). */
static void signature(ppage *p, double x, double y, double w, double h)
{
	prng *r = p->r;
	enum { N = 160 };
	double pts[2 * N];
	double f1 = prng_range(r, 3, 9), f2 = prng_range(r, 1, 3), ph = prng_range(r, 0, 6.28), loop = prng_range(r, 0.05, 0.25);
	for (int i = 0; i < N; i++) {
		double t = i / (double)(N - 1);
		pts[2 * i] = x + t * w + loop * w * cos(2 * M_PI * f1 * t + ph) * 0.3;
		pts[2 * i + 1] = y + h * 0.45 * sin(2 * M_PI * f1 * t) * (0.6 + 0.4 * sin(2 * M_PI * f2 * t + ph)) - t * h * 0.2;
	}
	int th = (int)fmax(1, lround(mm(p, prng_range(r, 0.25, 0.6))));
	hand_stroke(p, pts, N, th, "signature");
	if (prng_chance(r, 0.6)) { /* the underline flourish */
		double u[] = { x - w * 0.05, y + h * 0.55, x + w * 0.6, y + h * 0.5, x + w * 1.05, y + h * 0.3 };
		hand_stroke(p, u, 3, th, "signature");
	}
}

static const char *const script_words[] = {
	"Paid", "total", "John Smith", "rent", "eggs", "milk", "thank you", "Maria Lopez", "seen", "ok",
	"twelve", "hundred", "only", "urgent", "late", "approved", "bread", "fuel", "see note", "Anna",
};
#define N_SCRIPT_WORDS (int)(sizeof script_words / sizeof *script_words)

/* Handwritten-looking words (Hershey script 4 or 7) in the pen, letters
 * about h px; returns the width. */
static double script_word(ppage *p, double x, double y, double h)
{
	const char *w = script_words[prng_int(p->r, 0, N_SCRIPT_WORDS - 1)];
	return page_text(p, w, x, y, h, prng_chance(p->r, 0.5) ? 4 : 7, p->ink, "script");
}

#endif
