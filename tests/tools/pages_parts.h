/* pages_parts.h: the pieces mkpages' layouts are built from: numbers to
 * write, printed labels, combs and boxes, stamps, and the clutter any page
 * may carry (stamps, signatures, script words, print larger than the
 * writing, printed numbers).  Each draws at a given place and reports how
 * much room it took, so a layout is a walk down the page. */
#ifndef DIGITD_PAGES_PARTS_H
#define DIGITD_PAGES_PARTS_H
#include "pages_ink.h"

static const int print_fonts[] = { 0, 1, 2, 3, 5, 6, 8 };   /* never the script fonts 4 and 7 */

static int print_font(prng *r) { return print_fonts[prng_int(r, 0, 6)]; }

/* n random digits; an amount does not start with 0. */
static void digits_text(prng *r, char *buf, int n, int lead_nonzero)
{
	for (int i = 0; i < n; i++) buf[i] = (char)('0' + prng_int(r, i == 0 && lead_nonzero ? 1 : 0, 9));
	buf[n] = 0;
}

/* How wide free writing of n digits in style s comes out, roughly. */
static double number_width(const fstyle *s, int n)
{
	return n * s->h * (0.72 + fmax(s->gap, 0)) + fabs(tan(s->slant * M_PI / 180)) * s->h;
}

/* A free number on a line (under == 1: a rule is drawn, or lies, at base):
 * usually written a little above it, sometimes sitting on it (in_comb 2). */
static double number_on_line(ppage *p, const char *text, double x, double base, fstyle *s, const char *kind, int under)
{
	double y = base - s->h * prng_range(p->r, 0.1, 0.35);
	if (under && prng_chance(p->r, 0.3)) {
		y = base + fmax(2, s->h * prng_range(p->r, 0.02, 0.08));
		s->in_comb = 2;
	}
	if (p->pins->pinned[FAC_IN_COMB] && under) {
		s->in_comb = p->pins->value[FAC_IN_COMB] >= 2 ? 2 : 0;
		y = s->in_comb == 2 ? base + fmax(2, s->h * 0.05) : base - s->h * 0.2;
	}
	return write_number(p, text, x, y, s, kind);
}

static void rule(ppage *p, double x0, double y, double x1, img_color c)
{
	img_draw_line(&p->im, (int)lround(x0), (int)lround(y), (int)lround(x1), (int)lround(y), c,
		      (int)fmax(1, lround(mm(p, 0.2))));
}

/* n cells of w x h from (x, y) top-left; style 0 closed comb (boxes side by
 * side), 1 open comb (a base line with ticks), 2 separate boxes.  Cell
 * rectangles to cell[]. */
static void comb(ppage *p, double x, double y, double w, double h, int n, int style, img_color c, pbox *cell)
{
	int th = (int)fmax(1, lround(mm(p, prng_range(p->r, 0.15, 0.35))));
	double sep = style == 2 ? w * 0.25 : 0;
	for (int i = 0; i < n; i++) {
		double cx = x + i * (w + sep);
		cell[i] = (pbox){ cx, y, cx + w, y + h };
		if (style == 1) continue;
		img_draw_rect(&p->im, (int)lround(cx), (int)lround(y), (int)lround(w), (int)lround(h), c, th);
	}
	if (style == 1) {
		img_draw_line(&p->im, (int)x, (int)(y + h), (int)(x + n * w), (int)(y + h), c, th);
		for (int i = 0; i <= n; i++)
			img_draw_line(&p->im, (int)(x + i * w), (int)(y + h * 0.6), (int)(x + i * w), (int)(y + h), c, th);
	}
}

/* A rubber stamp: a ring or a frame with printed words (and a date), in a
 * stamp colour, over whatever is there.  size is its height in px. */
static void stamp(ppage *p, double x, double y, double size)
{
	prng *r = p->r;
	static const img_color col[] = { { 40, 40, 200 }, { 170, 60, 30 }, { 150, 40, 120 }, { 60, 130, 40 } };
	static const char *const word[] = { "PAID", "RECEIVED", "APPROVED", "COPY", "ENTERED", "FILED" };
	img_color c = col[prng_int(r, 0, 3)];
	const char *w = word[prng_int(r, 0, 5)];
	char date[32];
	static const char *const mon[] = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC" };
	snprintf(date, sizeof date, "%02d %s %d", prng_int(r, 1, 28), mon[prng_int(r, 0, 11)], prng_int(r, 2019, 2025));
	int th = (int)fmax(1, lround(size / 40));
	double cap = size * 0.18;
	int tw, thh;
	if (prng_chance(r, 0.5)) {
		/* A ring: two circles drawn as polygons, the text across. */
		double R = size / 2, cx = x + R, cy = y + R;
		for (int ring = 0; ring < 2; ring++) {
			double rr = ring ? R * 0.82 : R;
			for (int i = 0; i < 72; i++) {
				double a0 = i * M_PI / 36, a1 = (i + 1) * M_PI / 36;
				img_draw_line(&p->im, (int)(cx + rr * cos(a0)), (int)(cy + rr * sin(a0)), (int)(cx + rr * cos(a1)),
					      (int)(cy + rr * sin(a1)), c, th);
			}
		}
		page_mark(p, "stamp", x, y, x + size, y + size, NULL);
		img_text_size(w, print_scale(0, cap), th, 0, &tw, &thh);
		double s = fmin(1.0, size * 0.7 / fmax(1, tw));
		img_text_size(w, print_scale(0, cap * s), th, 0, &tw, &thh);
		page_text(p, w, cx - tw / 2.0, cy - cap * 0.2, cap * s, 0, c, "printed");
		img_text_size(date, print_scale(0, cap * 0.6), th, 0, &tw, &thh);
		if (tw < size * 0.8) page_text(p, date, cx - tw / 2.0, cy + cap * 0.9, cap * 0.6, 0, c, "printed");
	} else {
		img_text_size(w, print_scale(1, cap * 1.2), th, 1, &tw, &thh);
		double fw = tw + cap * 1.5;
		img_draw_rect(&p->im, (int)x, (int)y, (int)fw, (int)(cap * 3.6), c, th + 1);
		page_mark(p, "stamp", x, y, x + fw, y + cap * 3.6, NULL);
		page_text(p, w, x + cap * 0.75, y + cap * 1.7, cap * 1.2, 1, c, "printed");
		page_text(p, date, x + cap * 0.75, y + cap * 3.0, cap * 0.7, 0, c, "printed");
	}
}

/* Printed words or numbers that are not handwriting, any size (up to 4x
 * the body print: bigger than most writing). */
static double printed_thing(ppage *p, double x, double y, double cap)
{
	prng *r = p->r;
	static const char *const words[] = { "TOTAL", "Invoice", "Account", "Reference", "Customer copy", "Branch",
					     "Quantity", "Amount due", "Thank you", "Office use only" };
	char buf[64];
	if (prng_chance(r, 0.5)) {
		char d[16];
		digits_text(r, d, prng_int(r, 3, 8), 0);
		static const char *const pre[] = { "No. ", "Ref ", "", "Tel. ", "ID " };
		snprintf(buf, sizeof buf, "%s%s", pre[prng_int(r, 0, 4)], d);
	} else
		snprintf(buf, sizeof buf, "%s", words[prng_int(r, 0, 9)]);
	return page_text(p, buf, x, y, cap, print_font(r), dark_print(r), "printed");
}

/* Clutter in the box (x0, y0)-(x1, y1): one of a stamp, a signature, script
 * words, large print or printed numbers. */
static void clutter(ppage *p, double x0, double y0, double x1, double y1)
{
	prng *r = p->r;
	double w = x1 - x0, h = y1 - y0;
	if (w < mm(p, 15) || h < mm(p, 6)) return;
	double kw[] = { 2, 2, 2, 2 };
	switch (prng_pick(r, kw, 4)) {
	case 0: stamp(p, x0 + prng_range(r, 0, w * 0.3), y0, fmin(h, fmin(w * 0.6, mm(p, prng_range(r, 18, 35))))); break;
	case 1: signature(p, x0 + w * 0.05, y0 + h / 2, fmin(w * 0.8, mm(p, prng_range(r, 25, 60))), fmin(h * 0.7, mm(p, 10))); break;
	case 2: script_word(p, x0, y0 + h * 0.7, fmin(h * 0.5, p->body_cap * prng_range(r, 1.2, 2.5))); break;
	default: printed_thing(p, x0, y0 + h * 0.8, fmin(h * 0.7, p->body_cap * prng_logrange(r, 0.8, 4.0))); break;
	}
}

#endif
