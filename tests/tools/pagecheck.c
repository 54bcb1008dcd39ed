/* pagecheck: check truth boxes against the pixels of the written image.
 *
 *   build/tests/pagecheck < BOXES       (lines: PATH PAGE X Y W H)
 *
 * For each box (a handwritten digit's truth box from mkpages) the decoded
 * page must hold ink inside it, and the ink must reach each of its four
 * sides (a tight box, checked from TIGHT_MIN_PX up): every outer quarter band of the box holds a pixel
 * INK_DROP grey levels darker than the paper around it.  Prints each failure
 * and "N boxes, N bad"; exits 1 when any is bad.  Used by
 * tests/scenario/pages_gate.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/load.h"

/* Pencil at its lightest on tinted paper is about 80 levels under the paper
 * (mkpages' pages_ink.h); blur and JPEG take some of that from thin strokes. */
#define INK_DROP 35
#define PAPER_RING 4   /* px around the box sampled for the paper level */
/* Under this size a blurred thin stroke may fade below INK_DROP at one end
 * (13 of 5717 boxes of the held-out set, all 9 px or less): only "inked". */
#define TIGHT_MIN_PX 10

static int lum(const img_t *im, int x, int y)
{
	const uint8_t *p = im->data + (size_t)y * im->stride + (size_t)x * im->ch;
	return im->ch == 1 ? p[0] : (p[0] * 29 + p[1] * 150 + p[2] * 77) >> 8;
}

/* 0 when the box is inked and tight, else a reason. */
static const char *check(const img_t *im, int x, int y, int w, int h)
{
	if (w < 1 || h < 1 || x < 0 || y < 0 || x + w > im->w || y + h > im->h) return "outside the page";
	int hist[256] = { 0 }, n = 0;
	for (int yy = y - PAPER_RING; yy < y + h + PAPER_RING; yy++)
		for (int xx = x - PAPER_RING; xx < x + w + PAPER_RING; xx++)
			if (xx >= 0 && yy >= 0 && xx < im->w && yy < im->h) hist[lum(im, xx, yy)]++, n++;
	int paper = 255, acc = 0;
	for (int v = 255; v >= 0; v--)   /* the 80th percentile of brightness: paper */
		if ((acc += hist[v]) >= n / 5) { paper = v; break; }
	int thr = paper - INK_DROP;
	int band[4] = { 0 }, qw = w / 4 > 0 ? w / 4 : 1, qh = h / 4 > 0 ? h / 4 : 1;
	for (int yy = y; yy < y + h; yy++)
		for (int xx = x; xx < x + w; xx++) {
			if (lum(im, xx, yy) > thr) continue;
			band[0] |= xx < x + qw, band[1] |= xx >= x + w - qw;
			band[2] |= yy < y + qh, band[3] |= yy >= y + h - qh;
		}
	if (!(band[0] | band[1] | band[2] | band[3])) return "no ink inside";
	if (w >= TIGHT_MIN_PX && h >= TIGHT_MIN_PX && !(band[0] && band[1] && band[2] && band[3])) return "ink does not reach every side (box not tight)";
	return NULL;
}

int main(void)
{
	char path[1024], cur[1024] = "";
	int page, x, y, w, h, nbox = 0, bad = 0;
	img_doc doc = { 0 };
	int loaded = 0;
	while (scanf("%1023s %d %d %d %d %d", path, &page, &x, &y, &w, &h) == 6) {
		if (!loaded || strcmp(path, cur) != 0) {
			if (loaded) img_doc_free(&doc);
			loaded = 0;
			FILE *f = fopen(path, "rb");
			if (!f) { perror(path); return 2; }
			fseek(f, 0, SEEK_END);
			long len = ftell(f);
			rewind(f);
			uint8_t *buf = malloc((size_t)len);
			if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) { fprintf(stderr, "%s: read failed\n", path); return 2; }
			fclose(f);
			img_load_opts o;
			img_err e;
			img_load_opts_default(&o);
			o.min_dpi = 0;  /* full size: the truth is in the file's pixels */
			if (img_load(buf, (size_t)len, &o, &doc, &e) < 0) { fprintf(stderr, "%s: %s\n", path, e.msg); return 2; }
			free(buf);
			loaded = 1;
			snprintf(cur, sizeof cur, "%s", path);
		}
		nbox++;
		const char *why = page < doc.npages ? check(&doc.pages[page], x, y, w, h) : "no such page";
		if (why) {
			bad++;
			printf("%s p%d (%d,%d %dx%d): %s\n", path, page, x, y, w, h, why);
		}
	}
	if (loaded) img_doc_free(&doc);
	printf("%d boxes, %d bad\n", nbox, bad);
	return bad || nbox == 0 ? 1 : 0;
}
