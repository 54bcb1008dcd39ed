/* page_fixture.h: real test pages composed from MNIST test digits, for the
 * segmentation and recognition tests and the page benchmark.
 *
 * A page is white paper with printed furniture (ruling lines, comb boxes,
 * printed labels drawn with Hershey fonts) and fields of MNIST test-set
 * digits scaled up and inked dark, with their true boxes recorded.  Header
 * only (static functions): each test binary is one translation unit. */
#ifndef DIGITD_PAGE_FIXTURE_H
#define DIGITD_PAGE_FIXTURE_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/draw.h"
#include "imaging/ops.h"

typedef struct {
	int n;
	uint8_t *img;           /* n * 784 */
	uint8_t *lab;
} fx_mnist;

static uint32_t fx_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Load MNIST's test set from dir; 0 or -1 (missing or malformed). */
static int fx_mnist_load(const char *dir, fx_mnist *m)
{
	char p1[1200], p2[1200];
	snprintf(p1, sizeof p1, "%s/t10k-images-idx3-ubyte", dir);
	snprintf(p2, sizeof p2, "%s/t10k-labels-idx1-ubyte", dir);
	FILE *fi = fopen(p1, "rb"), *fl = fopen(p2, "rb");
	uint8_t h[16];
	memset(m, 0, sizeof *m);
	if (!fi || !fl) goto fail;
	if (fread(h, 1, 16, fi) != 16 || fx_be32(h) != 0x803 || fx_be32(h + 8) != 28 || fx_be32(h + 12) != 28) goto fail;
	m->n = (int)fx_be32(h + 4);
	if (m->n <= 0 || m->n > 10000) goto fail;
	if (fread(h, 1, 8, fl) != 8 || fx_be32(h) != 0x801 || (int)fx_be32(h + 4) != m->n) goto fail;
	m->img = malloc((size_t)m->n * 784);
	m->lab = malloc((size_t)m->n);
	if (!m->img || !m->lab) goto fail;
	if (fread(m->img, 784, (size_t)m->n, fi) != (size_t)m->n || fread(m->lab, 1, (size_t)m->n, fl) != (size_t)m->n)
		goto fail;
	fclose(fi);
	fclose(fl);
	return 0;
fail:
	if (fi) fclose(fi);
	if (fl) fclose(fl);
	free(m->img);
	free(m->lab);
	memset(m, 0, sizeof *m);
	return -1;
}

__attribute__((unused)) static void fx_mnist_free(fx_mnist *m)
{
	free(m->img);
	free(m->lab);
	memset(m, 0, sizeof *m);
}

typedef struct {
	int x, y, w, h, label, field;
} fx_box;

typedef struct {
	fx_box box[512];
	int n;
	char text[64][32];      /* truth per field */
	int nfields;
} fx_truth;

/* Paste MNIST digit idx scaled to height px (box of the 28x28 frame) with its
 * top-left at (x, y), as dark ink; records the tight ink box. */
static int fx_paste(img_t *page, const fx_mnist *m, int idx, int x, int y, int px, int ink, fx_box *b)
{
	img_t src = { 0 }, big = { 0 };
	img_err e;
	if (img_alloc(&src, 28, 28, 1, &e) < 0) return -1;
	memcpy(src.data, m->img + (size_t)idx * 784, 784);
	if (img_resize(&src, px, px, IMG_INTER_CUBIC, &big, &e) < 0) {
		img_free(&src);
		return -1;
	}
	int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
	for (int j = 0; j < px; j++)
		for (int i = 0; i < px; i++) {
			int v = big.data[(size_t)j * big.stride + i];
			int X = x + i, Y = y + j;
			if (X < 0 || Y < 0 || X >= page->w || Y >= page->h || v < 8) continue;
			for (int c = 0; c < page->ch; c++) {
				uint8_t *p = page->data + (size_t)Y * page->stride + (size_t)X * page->ch + c;
				int col = c == 0 && page->ch == 3 ? 255 - (255 - ink) / 3 : ink;   /* bluish ink in colour */
				int nv = 255 - (255 - col) * v / 255;
				if (nv < *p) *p = (uint8_t)nv;
			}
			if (v >= 100) {
				if (X < x0) x0 = X;
				if (X > x1) x1 = X;
				if (Y < y0) y0 = Y;
				if (Y > y1) y1 = Y;
			}
		}
	*b = (fx_box){ x0, y0, x1 - x0 + 1, y1 - y0 + 1, m->lab[idx], -1 };
	img_free(&big);
	img_free(&src);
	return 0;
}

/* A form: a title, printed labels, comb-boxed fields and ruled free lines with
 * handwritten digits.  Deterministic in seed. */
__attribute__((unused)) static int fx_form(img_t *page, int w, int h, int ch, const fx_mnist *m, unsigned seed, fx_truth *t)
{
	img_err e;
	memset(t, 0, sizeof *t);
	if (img_alloc(page, w, h, ch, &e) < 0) return -1;
	memset(page->data, 245, (size_t)page->h * page->stride);
	const img_color black = { 30, 30, 30 };
	double u = w / 2480.0;      /* 1.0 at 300 dpi A4 */
	int dig = (int)(110 * u);   /* MNIST frame size: ink about 80 px tall */
	img_draw_text(page, "APPLICATION FORM 2024", (int)(200 * u), (int)(220 * u), 3.0 * u, black, (int)(4 * u) + 1, 1);
	unsigned s = seed;
	int row = 0;
	for (int yy = (int)(450 * u); yy + dig * 2 < h && t->nfields < 12; yy += (int)(300 * u), row++) {
		char lbl[32];
		snprintf(lbl, sizeof lbl, "Field %d:", row + 1);
		img_draw_text(page, lbl, (int)(150 * u), yy + dig / 2, 1.6 * u, black, (int)(3 * u) + 1, 0);
		int nd = 4 + (int)((s >> 8) % 5), x = (int)(700 * u);
		bool comb = row % 2 == 0;
		int cell = (int)(dig * 0.95);
		int f = t->nfields++;
		for (int k = 0; k < nd; k++) {
			s = s * 1103515245u + 12345u;
			int idx = (int)((s >> 4) % (unsigned)m->n);
			fx_box *b = &t->box[t->n];
			if (fx_paste(page, m, idx, x + k * cell - (int)(dig * 0.05), yy - (int)(dig * 0.1), dig, 40, b) < 0)
				return -1;
			b->field = f;
			t->text[f][k] = (char)('0' + b->label);
			t->n++;
		}
		if (comb) {
			img_draw_line(page, x - 10, yy + (int)(dig * 0.9), x + nd * cell + 10, yy + (int)(dig * 0.9), black, (int)(3 * u) + 1);
			for (int k = 0; k <= nd; k++)
				img_draw_line(page, x + k * cell - (int)(dig * 0.12), yy + (int)(dig * 0.9), x + k * cell - (int)(dig * 0.12),
					      yy + (int)(dig * 0.55), black, (int)(3 * u) + 1);
		} else {
			img_draw_line(page, x - 40, yy + (int)(dig * 0.88), w - (int)(150 * u), yy + (int)(dig * 0.88), black, (int)(2 * u) + 1);
		}
	}
	return 0;
}

/* A cheque: tinted, wavy background, printed bank name and labels, a
 * courtesy-amount box and a date, blue-black ink.  w x h about 2000 x 900. */
__attribute__((unused)) static int fx_cheque(img_t *page, int w, int h, const fx_mnist *m, unsigned seed, fx_truth *t)
{
	img_err e;
	memset(t, 0, sizeof *t);
	if (img_alloc(page, w, h, 3, &e) < 0) return -1;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			uint8_t *p = page->data + (size_t)y * page->stride + (size_t)x * 3;
			int wave = (int)(12 * sin((x + 3 * y) * 0.02));
			p[0] = (uint8_t)(205 + wave), p[1] = (uint8_t)(232 + wave / 2), p[2] = 226;   /* pale green */
		}
	const img_color print = { 60, 70, 40 };
	img_draw_text(page, "First Digit Bank", w / 20, h / 7, h / 300.0, print, h / 250 + 1, 2);
	img_draw_text(page, "PAY TO THE ORDER OF", w / 20, h * 4 / 10, h / 700.0, print, 2, 0);
	img_draw_text(page, "DATE", w * 45 / 100, h / 5, h / 700.0, print, 2, 0);
	img_draw_line(page, w / 20, h * 7 / 10, w * 6 / 10, h * 7 / 10, print, 2);
	int dig = h / 7, bx = w * 7 / 10, by = h * 4 / 10;
	img_draw_rect(page, bx - dig / 3, by - dig / 4, dig * 5, dig + dig / 2, print, 3);
	unsigned s = seed;
	int pos[2][2] = { { bx, by }, { w * 55 / 100, h / 5 - dig * 2 / 3 } };
	int len[2] = { 4, 6 };
	for (int f = 0; f < 2; f++) {
		t->nfields++;
		for (int k = 0; k < len[f]; k++) {
			s = s * 1103515245u + 12345u;
			int idx = (int)((s >> 4) % (unsigned)m->n);
			fx_box *b = &t->box[t->n];
			if (fx_paste(page, m, idx, pos[f][0] + k * dig * 9 / 10, pos[f][1], dig, 40, b) < 0) return -1;
			b->field = f;
			t->text[f][k] = (char)('0' + b->label);
			t->n++;
		}
	}
	return 0;
}

#endif
