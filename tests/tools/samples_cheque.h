/* samples_cheque.h: the cheque layout of mksamples (bank, payee, courtesy
 * amount box, date, legal amount in words, memo, signature, MICR line).
 * Included once, by tests/tools/mksamples.c. */
#ifndef DIGITD_SAMPLES_CHEQUE_H
#define DIGITD_SAMPLES_CHEQUE_H
#include "samples_draw.h"

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

#endif
