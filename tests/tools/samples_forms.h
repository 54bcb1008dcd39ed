/* samples_forms.h: the A4 layouts of mksamples: forms built from rows
 * (sections, comb boxes, dates, free lines, checkboxes, tables, printed
 * text, signature), a marks sheet, lined and squared sheets, a sticky note.
 * Included once, by tests/tools/mksamples.c. */
#ifndef DIGITD_SAMPLES_FORMS_H
#define DIGITD_SAMPLES_FORMS_H
#include "samples_draw.h"

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

#endif
