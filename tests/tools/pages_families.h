/* pages_families.h: mkpages' page families.  A family is a kind of
 * document whose layout is drawn at random each time (where the date goes,
 * whether the amount has a box, which field kinds a form has, how many rows
 * a sheet has), not a fixed layout: `cheque`, `form`, `sheet`, `receipt`.
 * Every field draws its own style (pages_ink.h), so one page carries
 * writing of very different sizes, as real documents do. */
#ifndef DIGITD_PAGES_FAMILIES_H
#define DIGITD_PAGES_FAMILIES_H
#include "pages_parts.h"

/* Body print: 8 to 12 pt, cap height about 0.7 of the point size. */
#define BODY_PT_MIN 8.0
#define BODY_PT_MAX 12.0
#define CAP_PER_PT 0.7

static int page_new(ppage *p, double w_in, double h_in)
{
	img_err e;
	if (img_alloc(&p->im, (int)lround(w_in * p->dpi), (int)lround(h_in * p->dpi), 3, &e) < 0) {
		fprintf(stderr, "mkpages: %s\n", e.msg);
		return -1;
	}
	p->body_cap = prng_range(p->r, BODY_PT_MIN, BODY_PT_MAX) / 72.0 * CAP_PER_PT * p->dpi;
	p->rule0 = p->rule_step = 0;
	return 0;
}

static img_color form_line_colour(prng *r)
{
	static const img_color c[] = { { 40, 40, 40 }, { 150, 110, 60 }, { 90, 90, 200 }, { 120, 120, 120 } };
	return c[prng_int(r, 0, 3)];
}

/* --- cheque ----------------------------------------------------------------- */

/* The date: in cells (one field per group), on a line with handwritten
 * slashes, or in the gaps of printed slashes.  Returns -1 on failure. */
static int cheque_date(ppage *p, double x, double y, img_color lc)
{
	prng *r = p->r;
	char g[3][8];
	snprintf(g[0], 8, "%02d", prng_int(r, 1, 28));
	snprintf(g[1], 8, "%02d", prng_int(r, 1, 12));
	if (prng_chance(r, 0.5)) snprintf(g[2], 8, "%d", prng_int(r, 2000, 2030));
	else snprintf(g[2], 8, "%02d", prng_int(r, 0, 30));
	double cap = p->body_cap;
	x += page_text(p, "Date", x, y, cap, print_font(r), dark_print(r), "printed") + cap;
	int style = prng_int(r, 0, 2);
	fstyle s = style_draw(p, style == 0);
	if (style == 0) {
		double ch = s.h * prng_range(r, 1.15, 1.5), cw = ch * prng_range(r, 0.75, 1.0);
		for (int k = 0; k < 3; k++) {
			pbox cell[8];
			int n = (int)strlen(g[k]);
			comb(p, x, y - ch, cw, ch, n, prng_chance(r, 0.7) ? 0 : 1, lc, cell);
			fstyle sk = s;
			if (write_cells(p, g[k], cell, &sk, "date") < 0) return -1;
			x += n * cw + cw * 0.5;
		}
		return 0;
	}
	rule(p, x, y, x + number_width(&s, 8) + 6 * s.h, lc);
	for (int k = 0; k < 3; k++) {
		fstyle sk = s;
		x = number_on_line(p, g[k], x + s.h * 0.2, y, &sk, "date", 1);
		if (x < 0) return -1;
		if (k == 2) break;
		x += s.h * 0.15;
		if (style == 1) x += hand_mark(p, prng_chance(r, 0.8) ? "slash" : "dash", x, y - s.h * 0.2, s.h, pen_width(s.h, s.stroke));
		else x += page_text(p, "/", x, y - 2, cap * 1.3, 0, dark_print(r), "printed");
		x += s.h * 0.2;
	}
	return 0;
}

static int fam_cheque(ppage *p)
{
	prng *r = p->r;
	if (page_new(p, prng_range(r, 6.0, 7.5), prng_range(r, 2.6, 3.2)) < 0) return -1;
	int W = p->im.w, H = p->im.h;
	/* Pastel ground with a guilloche of thin waves: the security print. */
	img_color bg = { (uint8_t)prng_int(r, 215, 250), (uint8_t)prng_int(r, 225, 250), (uint8_t)prng_int(r, 215, 250) };
	fill(p, bg);
	p->paper = "cheque";
	img_color gc = { (uint8_t)(bg.b - prng_int(r, 15, 40)), (uint8_t)(bg.g - prng_int(r, 10, 35)), (uint8_t)(bg.r - prng_int(r, 10, 40)) };
	double f = prng_range(r, 2, 6), amp = H * prng_range(r, 0.03, 0.08);
	for (double y0 = 0; y0 < H; y0 += mm(p, prng_range(r, 1.5, 4))) {
		int px = 0, py = (int)y0;
		for (int x = 8; x < W; x += 8) {
			int yy = (int)(y0 + amp * sin(2 * M_PI * f * x / W + y0 * 0.01));
			img_draw_line(&p->im, px, py, x, yy, gc, 1);
			px = x, py = yy;
		}
	}
	img_color lc = dark_print(r);
	double cap = p->body_cap, mx = mm(p, 8);
	/* Bank name, large print (2-4x the body print: often bigger than the writing). */
	static const char *const bank[] = { "NORTHERN TRUST BANK", "Banque du Lac", "CITY SAVINGS", "First Federal", "Rhine Credit Union" };
	page_text(p, bank[prng_int(r, 0, 4)], mx, mm(p, 6) + cap * 3, cap * prng_range(r, 2.0, 4.0), print_font(r), lc, "printed");
	char no[16];
	snprintf(no, sizeof no, "No. %06d", prng_int(r, 1, 999999));
	page_text(p, no, W - mm(p, 40), mm(p, 9), cap, print_font(r), lc, "printed");
	/* Date top right or middle right. */
	double dy = prng_chance(r, 0.5) ? H * 0.27 : H * 0.40;
	if (cheque_date(p, W * prng_range(r, 0.50, 0.58), dy, lc) < 0) return -1;
	/* Payee line with the payee in script. */
	double py = H * 0.55;
	double px = mx + page_text(p, "Pay to the order of", mx, py, cap, print_font(r), lc, "printed") + cap;
	rule(p, px, py, W * 0.62, lc);
	script_word(p, px + cap * 2, py - cap * 0.3, cap * prng_range(r, 1.3, 2.2));
	/* Amount: in a box after a currency sign, or on a line; cents after a
	 * point, in a cents box, over a printed "/100", or a dash ends it. */
	fstyle s = style_draw(p, 0);
	char amt[8], cents[4];
	digits_text(r, amt, prng_int(r, 2, 5), 1);
	digits_text(r, cents, 2, 0);
	double ax = W * prng_range(r, 0.66, 0.72), ay = H * prng_range(r, 0.55, 0.62);
	ax += page_text(p, prng_chance(r, 0.5) ? "$" : "EUR", ax, ay, cap * 1.4, print_font(r), lc, "printed") + cap * 0.5;
	int boxed = prng_chance(r, 0.5);
	double room = W - mx - ax;
	if (number_width(&s, 8) > room) s.h = fmax(MIN_DIGIT_PX, room / 8 / 0.9), s.height_ratio = s.h / p->body_cap;
	if (boxed) {
		s.in_comb = 1;
		img_draw_rect(&p->im, (int)ax, (int)(ay - s.h * 1.45), (int)(W - mx - ax), (int)(s.h * 1.7), lc, 2);
	} else
		rule(p, ax, ay, W - mx, lc);
	double x = boxed ? write_number(p, amt, ax + s.h * 0.3, ay - s.h * 0.1, &s, "amount")
			 : number_on_line(p, amt, ax + s.h * 0.3, ay, &s, "amount", 1);
	if (x < 0) return -1;
	int ending = prng_int(r, 0, 3);
	fstyle sc = s;
	if (ending == 0) {
		x += hand_mark(p, "point", x + s.h * 0.1, ay - s.h * 0.12, s.h, pen_width(s.h, s.stroke)) + s.h * 0.3;
		if (write_number(p, cents, x, ay - s.h * 0.1, &sc, "cents") < 0) return -1;
	} else if (ending == 1) {
		sc = style_draw(p, 0);
		sc.h = fmin(sc.h, s.h * 0.8);
		sc.height_ratio = sc.h / p->body_cap;
		if (write_number(p, cents, x + s.h * 0.2, ay - s.h * 0.55, &sc, "cents") < 0) return -1;
		page_text(p, "/100", x + s.h * 0.2 + number_width(&sc, 2), ay - s.h * 0.1, cap, print_font(r), lc, "printed");
	} else if (ending == 2)
		hand_mark(p, "dash", x + s.h * 0.15, ay - s.h * 0.1, s.h, pen_width(s.h, s.stroke));
	/* Amount in words, signature, the MICR line. */
	script_word(p, mx + cap, H * 0.72, cap * prng_range(r, 1.2, 2.0));
	rule(p, mx, H * 0.74, W * 0.6, lc);
	rule(p, W * 0.62, H * 0.84, W - mx, lc);
	signature(p, W * 0.64, H * 0.78, W * 0.28, H * 0.09);
	char micr[64], a1[12], a2[12], a3[8];
	digits_text(r, a1, 9, 0), digits_text(r, a2, prng_int(r, 8, 11), 0), digits_text(r, a3, 4, 0);
	snprintf(micr, sizeof micr, "|:%s|: %s|| %s", a1, a2, a3);
	page_text(p, micr, mx * 2, H - mm(p, 6), cap * 1.1, prng_chance(r, 0.5) ? 0 : 6, (img_color){ 20, 20, 20 }, "printed");
	if (prng_chance(r, 0.4)) clutter(p, mx, H * 0.22, W * 0.45, H * 0.45);
	return 0;
}

/* --- form --------------------------------------------------------------------- */

static const char *const form_labels[] = { "Postcode", "Quantity", "Year of birth", "Phone", "Account no.", "Days",
					   "Amount", "Room", "Hours", "Member no.", "Floor", "Parcel ID" };

/* One labelled field of a random kind in a row whose top is at `top` (the
 * baseline goes low enough for this field's own writing height); returns
 * the height used, or -1. */
static double form_field(ppage *p, double x, double top, double maxw, img_color lc)
{
	prng *r = p->r;
	double cap = p->body_cap;
	char lab[32], t[16];
	double kw[] = { 3, 3, 2, 3, 1 };
	int kind = prng_pick(r, kw, 5);
	fstyle s = style_draw(p, kind <= 2);
	double y = top + fmax(cap * 2.5, s.h * 1.7);
	const char *name = form_labels[prng_int(r, 0, 11)];
	if (prng_chance(r, 0.35)) snprintf(lab, sizeof lab, "%d. %s", prng_int(r, 1, 19), name); /* a printed number */
	else snprintf(lab, sizeof lab, "%s", name);
	double lw = page_text(p, lab, x, y, cap, print_font(r), dark_print(r), "printed") + cap;
	double fx = x + fmax(lw, mm(p, 38));
	int n = prng_int(r, 2, 7);
	digits_text(r, t, n, 0);
	double avail = x + maxw - fx;
	if (kind <= 2) { /* 0 closed comb, 1 open comb, 2 separate boxes */
		double ch = s.h * prng_range(r, 1.15, 1.6), cw = ch * prng_range(r, 0.7, 1.0);
		double per = cw * (kind == 2 ? 1.25 : 1.0);
		if (per * n > avail) { cw *= avail / (per * n); ch = fmin(ch, cw * 1.4); s.h = fmin(s.h, ch / 1.15); }
		pbox cell[16];
		comb(p, fx, y - ch, cw, ch, n, kind, lc, cell);
		if (prng_chance(r, 0.2)) t[prng_int(r, 0, n - 1)] = ' ';  /* a cell left empty splits nothing: cells are one field */
		if (t[0] == ' ' && !t[1]) t[0] = '5';
		s.height_ratio = s.h / p->body_cap;
		if (write_cells(p, t, cell, &s, kind == 1 ? "open_comb" : kind == 0 ? "comb" : "boxes") < 0) return -1;
		return y - top + cap * 1.8;
	}
	if (number_width(&s, n) > avail * 0.9) { s.h = fmax(MIN_DIGIT_PX, avail * 0.9 / n / 0.9); s.height_ratio = s.h / p->body_cap; }
	if (kind == 3) { /* underlined free field */
		rule(p, fx, y, fx + fmin(avail, number_width(&s, n) + s.h * 2), lc);
		if (number_on_line(p, t, fx + s.h * 0.4, y, &s, "line", 1) < 0) return -1;
		return y - top + cap * 1.8;
	}
	/* 4: one box around free writing; the digits may touch its sides. */
	double bw = fmin(avail, number_width(&s, n) + s.h), bh = s.h * prng_range(r, 1.2, 1.5);
	img_draw_rect(&p->im, (int)fx, (int)(y - bh), (int)bw, (int)bh, lc, 2);
	s.in_comb = 1;
	if (write_number(p, t, fx + s.h * 0.25, y - (bh - s.h) / 2, &s, "box") < 0) return -1;
	return y - top + cap * 1.8;
}

/* A table: printed item codes and prices beside handwritten quantities. */
static double form_table(ppage *p, double x, double y, double w, img_color lc)
{
	prng *r = p->r;
	double cap = p->body_cap;
	int rows = prng_int(r, 3, 6);
	fstyle s = style_draw(p, 0);
	double rh = fmax(cap * 2.2, s.h * 1.5);
	if (rh > cap * 5) { rh = cap * 5; s.h = rh / 1.5; s.height_ratio = s.h / p->body_cap; }
	double c1 = x + w * 0.3, c2 = x + w * 0.6;
	int f = print_font(r);
	page_text(p, "Item", x + cap * 0.5, y + cap * 1.5, cap, f, lc, "printed");
	page_text(p, "Price", c1 + cap * 0.5, y + cap * 1.5, cap, f, lc, "printed");
	page_text(p, "Qty", c2 + cap * 0.5, y + cap * 1.5, cap, f, lc, "printed");
	double top = y, yy = y + cap * 2.2;
	for (int i = 0; i < rows; i++) {
		rule(p, x, yy, x + w, lc);
		char code[16], price[16], q[8];
		snprintf(code, sizeof code, "A-%04d", prng_int(r, 0, 9999));
		snprintf(price, sizeof price, "%d.%02d", prng_int(r, 1, 999), prng_int(r, 0, 99));
		page_text(p, code, x + cap * 0.5, yy + rh * 0.7, cap, f, dark_print(r), "printed");
		page_text(p, price, c1 + cap * 0.5, yy + rh * 0.7, cap, f, dark_print(r), "printed");
		digits_text(r, q, prng_int(r, 1, 3), 1);
		fstyle si = s;
		if (prng_chance(r, 0.5)) si = style_draw(p, 0), si.h = fmin(si.h, rh * 0.8), si.height_ratio = si.h / p->body_cap;
		if (write_number(p, q, c2 + cap * 0.8, yy + rh - (rh - si.h) / 2, &si, "table") < 0) return -1;
		yy += rh;
	}
	rule(p, x, yy, x + w, lc);
	img_draw_line(&p->im, (int)c1, (int)top + (int)(cap * 2.2), (int)c1, (int)yy, lc, 1);
	img_draw_line(&p->im, (int)c2, (int)top + (int)(cap * 2.2), (int)c2, (int)yy, lc, 1);
	return yy - y + cap * 2;
}

/* Checkboxes with printed options, some ticked or crossed. */
static double form_checks(ppage *p, double x, double y, double w, img_color lc)
{
	prng *r = p->r;
	double cap = p->body_cap, b = cap * 1.4;
	static const char *const opt[] = { "Yes", "No", "Option 2", "Over 18", "Type 3A", "None" };
	for (int i = 0; i < 4 && x + i * w / 4 + b < x + w; i++) {
		double bx = x + i * w / 4;
		img_draw_rect(&p->im, (int)bx, (int)(y - b), (int)b, (int)b, lc, 1);
		page_text(p, opt[prng_int(r, 0, 5)], bx + b * 1.5, y, cap, print_font(r), dark_print(r), "printed");
		if (prng_chance(r, 0.4)) hand_mark(p, "tick", bx + b * 0.1, y - b * 0.1, b * 1.1, pen_width(b, 1.0));
	}
	return b + cap * 2;
}

static int fam_form(ppage *p)
{
	prng *r = p->r;
	if (page_new(p, 8.27, 11.69) < 0) return -1;
	paper_pattern(p, prng_chance(r, 0.8) ? "plain" : "coloured");
	int W = p->im.w, H = p->im.h;
	double mx = mm(p, prng_range(r, 15, 25)), cap = p->body_cap, y = mm(p, 15);
	img_color lc = form_line_colour(r);
	static const char *const title[] = { "APPLICATION FORM", "Purchase Order", "Survey", "TAX RETURN", "Delivery note" };
	double tc = cap * prng_range(r, 2.0, 4.0);
	page_text(p, title[prng_int(r, 0, 4)], mx, y + tc, tc, print_font(r), dark_print(r), "printed");
	char fn[24];
	snprintf(fn, sizeof fn, "Form %d-%c", prng_int(r, 10, 9999), 'A' + prng_int(r, 0, 5));
	page_text(p, fn, W - mx - mm(p, 35), y + cap, cap, print_font(r), dark_print(r), "printed");
	y += tc + cap * 3;
	while (y < H - mm(p, 45)) {
		double kw[] = { 8, 1.2, 0.8, 0.8, 0.8 };
		int what = prng_pick(r, kw, 5);
		double used;
		if (what == 0 && prng_chance(r, 0.4)) { /* two fields side by side */
			double half = (W - 2 * mx) / 2;
			used = form_field(p, mx, y, half - mm(p, 5), lc);
			double u2 = used < 0 ? -1 : form_field(p, mx + half, y, half, lc);
			used = u2 < 0 ? -1 : fmax(used, u2);
		} else if (what == 0)
			used = form_field(p, mx, y, W - 2 * mx, lc);
		else if (what == 1) {
			if (y > H - mm(p, 90)) continue;
			used = form_table(p, mx, y, W - 2 * mx, lc);
		} else if (what == 2) used = form_checks(p, mx, y + cap * 2, W - 2 * mx, lc);
		else if (what == 3) { /* printed paragraph with printed numbers */
			char line[96];
			snprintf(line, sizeof line, "See section %d.%d; fee %d.%02d; return by %02d/%02d/%d.", prng_int(r, 1, 9),
				 prng_int(r, 1, 9), prng_int(r, 5, 500), prng_int(r, 0, 99), prng_int(r, 1, 28), prng_int(r, 1, 12),
				 prng_int(r, 2020, 2026));
			page_text(p, line, mx, y + cap * 2, cap * prng_range(r, 0.8, 1.1), print_font(r), dark_print(r), "printed");
			used = cap * 3.5;
		} else {
			clutter(p, mx + (W - 2 * mx) * prng_range(r, 0, 0.5), y, W - mx, y + mm(p, 25));
			used = mm(p, 27);
		}
		if (used < 0) return -1;
		y += used + cap * prng_range(r, 0.5, 2.0);
	}
	rule(p, W * 0.55, H - mm(p, 20), W - mx, lc);
	page_text(p, "Signature", W * 0.55, H - mm(p, 15), cap, print_font(r), dark_print(r), "printed");
	signature(p, W * 0.57, H - mm(p, 27), W * 0.3, mm(p, 12));
	if (prng_chance(r, 0.5)) stamp(p, mx, H - mm(p, 40), mm(p, prng_range(r, 20, 30)));
	return 0;
}

/* --- sheet -------------------------------------------------------------------- */

/* Paper of any kind and rows of handwritten numbers: lists, sums with + and
 * =, words beside numbers.  Each row draws its own size, so a row may be
 * much smaller than the one above it. */
static int fam_sheet(ppage *p)
{
	prng *r = p->r;
	int a4 = prng_chance(r, 0.6);
	if (page_new(p, a4 ? 8.27 : 5.83, a4 ? 11.69 : 8.27) < 0) return -1;
	static const char *const kinds[] = { "plain", "ruled", "grid", "coloured", "watermark" };
	paper_pattern(p, kinds[prng_int(r, 0, 4)]);
	int W = p->im.w, H = p->im.h;
	double mx = mm(p, prng_range(r, 28, 35)), cap = p->body_cap, y = mm(p, 20);
	if (prng_chance(r, 0.6)) {
		char hd[48];
		snprintf(hd, sizeof hd, "%s %d", prng_chance(r, 0.5) ? "Week" : "Expenses", prng_int(r, 1, 52));
		double hc = cap * prng_range(r, 1.0, 3.5);
		page_text(p, hd, mx, y + hc, hc, print_font(r), dark_print(r), "printed");
		y += hc + cap;
	}
	while (y < H - mm(p, 25)) {
		fstyle s = style_draw(p, 0);
		if (s.h > mm(p, 16)) s.h = mm(p, 16), s.height_ratio = s.h / p->body_cap;
		double base = y + s.h * 1.6;  /* room for the lift above the line and tall digits */
		int on_rule = 0;
		if (p->rule_step > 0) { /* write on the next rule */
			double k = ceil((base - p->rule0) / p->rule_step);
			base = p->rule0 + k * p->rule_step;
			on_rule = 1;
		}
		if (base > H - mm(p, 12)) break;
		double x = mx, wd[] = { 3, 2, 2, 1.5 };
		int row = prng_pick(r, wd, 4);
		int th = pen_width(s.h, s.stroke);
		char t[12];
		if (row == 0) { /* a list of numbers */
			int k = prng_int(r, 1, 4);
			for (int i = 0; i < k && x < W - mx - number_width(&s, 5); i++) {
				digits_text(r, t, prng_int(r, 1, 5), 1);
				fstyle si = s;
				x = number_on_line(p, t, x, base, &si, "number", on_rule);
				if (x < 0) return -1;
				x += s.h * prng_range(r, 1.0, 3.0);
			}
		} else if (row == 1) { /* a + b = c */
			int terms = prng_int(r, 2, 3);
			for (int i = 0; i <= terms && x < W - mx - number_width(&s, 5); i++) {
				digits_text(r, t, prng_int(r, 1, 4), 1);
				fstyle si = s;
				x = number_on_line(p, t, x, base, &si, "sum", on_rule);
				if (x < 0) return -1;
				x += s.h * 0.4;
				if (i < terms) x += hand_mark(p, i == terms - 1 ? "equals" : "plus", x, base - s.h * 0.15, s.h, th) + s.h * 0.4;
			}
		} else if (row == 2) { /* a word, then a number */
			x += script_word(p, x, base - s.h * 0.15, s.h * prng_range(r, 0.6, 1.0)) + s.h * 0.8;
			digits_text(r, t, prng_int(r, 1, 4), 1);
			if (x < W - mx - number_width(&s, 4) && number_on_line(p, t, x, base, &s, "number", on_rule) < 0) return -1;
		} else { /* clutter between the rows: a stamp, print bigger than the writing */
			clutter(p, mx, y, W - mx, fmin(H - mm(p, 12), y + mm(p, 22)));
			base = y + mm(p, 22);
		}
		y = base + s.h * prng_range(r, 0.4, 1.0);
	}
	return 0;
}

/* --- receipt ------------------------------------------------------------------ */

/* A till receipt: thermal paper, printed shop name (large), items and
 * prices, a printed total, and by hand the tip and the total, a signature,
 * often a stamp. */
static int fam_receipt(ppage *p)
{
	prng *r = p->r;
	if (page_new(p, prng_range(r, 2.8, 3.5), prng_range(r, 4.5, 6.5)) < 0) return -1;
	int g = prng_int(r, 235, 248);
	fill(p, (img_color){ (uint8_t)g, (uint8_t)g, (uint8_t)(g - 2) });
	p->paper = "thermal";
	int W = p->im.w, H = p->im.h;
	double mx = mm(p, 5), cap = p->body_cap * 0.85, y = mm(p, 8);
	img_color pc = { 60, 60, 60 };
	static const char *const shop[] = { "CAFE ROMA", "Quick Mart", "HOTEL ALPINA", "Fuel Stop 24", "BOOKS & CO" };
	double sc = cap * prng_range(r, 1.8, 3.0);
	page_text(p, shop[prng_int(r, 0, 4)], mx, y + sc, sc, print_font(r), pc, "printed");
	y += sc + cap * 2;
	int items = prng_int(r, 2, 7);
	for (int i = 0; i < items; i++) {
		char price[16];
		static const char *const it[] = { "Coffee", "Sandwich", "Water 0.5l", "Diesel", "Room 12", "Notebook" };
		snprintf(price, sizeof price, "%d.%02d", prng_int(r, 1, 99), prng_int(r, 0, 99));
		page_text(p, it[prng_int(r, 0, 5)], mx, y, cap, 0, pc, "printed");
		page_text(p, price, W - mx - cap * 4.5, y, cap, 0, pc, "printed");
		y += cap * 1.8;
	}
	char tot[24];
	snprintf(tot, sizeof tot, "TOTAL %d.%02d", prng_int(r, 5, 300), prng_int(r, 0, 99));
	page_text(p, tot, mx, y + cap, cap * 1.3, 1, pc, "printed");
	y += cap * 4;
	static const char *const lab[] = { "Tip", "Total", "Table", "Guests" };
	for (int i = 0; i < 4 && y < H - mm(p, 30); i++) {
		if (i >= 2 && prng_chance(r, 0.5)) continue;
		fstyle s = style_draw(p, 0);
		y += fmax(0, s.h * 1.4 - cap * 2);  /* tall writing needs room above its line */
		double lw = page_text(p, lab[i], mx, y, cap, 0, pc, "printed") + cap;
		double room = W - 2 * mx - lw - cap * 2;
		char t[8];
		int n = i == 3 ? 1 : prng_int(r, 1, 4);
		digits_text(r, t, n, 1);
		if (number_width(&s, n + 1) > room) s.h = fmax(MIN_DIGIT_PX, room / (n + 1) / 0.9), s.height_ratio = s.h / p->body_cap;
		rule(p, mx + lw, y, W - mx, pc);
		if (number_on_line(p, t, mx + lw + cap, y, &s, i == 1 ? "amount" : "number", 1) < 0) return -1;
		y += fmax(s.h * 1.6, cap * 3);
	}
	if (y < H - mm(p, 20)) signature(p, mx + mm(p, 5), y + mm(p, 8), W * 0.6, mm(p, 9));
	if (prng_chance(r, 0.6) && y < H - mm(p, 35)) stamp(p, W * 0.3, y + mm(p, 14), mm(p, prng_range(r, 16, 24)));
	return 0;
}

typedef struct {
	const char *name;
	int (*draw)(ppage *);
	int dpi_lo, dpi_hi;      /* what such a document is scanned at */
	int multipage;           /* sometimes several pages in one TIFF */
} family;

static const family families[] = {
	{ "cheque", fam_cheque, 150, 400, 0 },
	{ "form", fam_form, 150, 300, 1 },
	{ "sheet", fam_sheet, 150, 300, 1 },
	{ "receipt", fam_receipt, 150, 400, 0 },
};
#define N_FAMILIES (int)(sizeof families / sizeof *families)

#endif
