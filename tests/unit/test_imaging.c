/* test_imaging: the OpenCV bridge.  Header probing against hand-built
 * headers (including decompression bombs), decoding of every format through
 * real files written by img_write, multi-page TIFF, reduced JPEG decoding,
 * and the image operations on pictures whose answer is known. */
#include <fcntl.h>
#include <libdeflate.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "imaging/draw.h"
#include "imaging/jpeg.h"
#include "imaging/load.h"
#include "imaging/ops.h"
#include "imaging/pdf.h"
#include "imaging/png.h"
#include "imaging/probe.h"
#include "util/file.h"

static char tmpdir[] = "/tmp/digitd-test-imaging-XXXXXX";

static uint8_t *slurp(const char *path, size_t *len)
{
	uint8_t *b;
	char err[512];
	if (file_read_all(path, SIZE_MAX, &b, len, err, sizeof err) < 0) return NULL;
	return b;
}

static void put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static void test_probe_bombs(void)
{
	img_info in;
	img_err e;
	/* PNG whose IHDR claims 100000 x 100000: refused on the header alone. */
	uint8_t png[64] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R' };
	put32be(png + 16, 100000);
	put32be(png + 20, 100000);
	png[24] = 8;
	CHECK(img_probe(png, sizeof png, 100000000ULL, &in, &e) < 0);
	CHECK(strstr(e.msg, "100000") != NULL);
	/* Within the side limit but over the pixel budget. */
	put32be(png + 16, 20000);
	put32be(png + 20, 20000);
	CHECK(img_probe(png, sizeof png, 100000000ULL, &in, &e) < 0);
	CHECKF(strstr(e.msg, "over the limit") != NULL, "%s", e.msg);
	put32be(png + 16, 2000);
	put32be(png + 20, 3000);
	CHECK(img_probe(png, sizeof png, 100000000ULL, &in, &e) == 0 && in.fmt == IMG_FMT_PNG && in.w == 2000 &&
	      in.h == 3000);
	/* Zero width. */
	put32be(png + 16, 0);
	CHECK(img_probe(png, sizeof png, 100000000ULL, &in, &e) < 0);

	/* JPEG: SOI, an APP0 JFIF at 600 dpi, SOF0 claiming 60000 x 60000. */
	uint8_t jpg[] = { 0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 1, 0x02, 0x58, 0x02, 0x58, 0, 0,
			  0xFF, 0xC0, 0, 11, 8, 0xEA, 0x60, 0xEA, 0x60, 1, 1, 0x11, 0 };
	CHECK(img_probe(jpg, sizeof jpg, 100000000ULL, &in, &e) < 0);
	jpg[25] = 0x0D, jpg[26] = 0xB4, jpg[27] = 0x09, jpg[28] = 0xB0;  /* 3508 x 2480 */
	CHECK(img_probe(jpg, sizeof jpg, 100000000ULL, &in, &e) == 0 && in.w == 2480 && in.h == 3508 &&
	      in.dpi == 600 && in.channels == 1);
	/* 600 dpi: 1/4 would keep 150 dpi but leave the page under 1200 px. */
	CHECK(img_jpeg_scale(&in, 150) == 2);
	CHECK(img_jpeg_scale(&in, 400) == 1);
	CHECK(img_jpeg_scale(&in, 0) == 1);
	/* Truncated before the frame header. */
	CHECK(img_probe(jpg, 22, 100000000ULL, &in, &e) < 0);
	/* FF 00 "segment" hiding a 20000 x 20000 frame header (and a COM over
	 * the small one) from the probe: libjpeg skips FF 00 and reads the big one. */
	uint8_t hid[] = { 0xFF, 0xD8, 0xFF, 0x00, 0, 19, 0xFF, 0xC0, 0, 11, 8, 0x4E, 0x20, 0x4E, 0x20, 1, 1, 0x11, 0,
			  0xFF, 0xFE, 0, 15, 0xFF, 0xC0, 0, 11, 8, 0, 30, 0, 40, 1, 1, 0x11, 0 };
	CHECK(img_probe(hid, sizeof hid, 100000000ULL, &in, &e) < 0);
	/* A progressive frame followed by IMG_MAX_JPEG_SCANS + 1 empty DC scans. */
	static const uint8_t sof2[] = { 0xFF, 0xD8, 0xFF, 0xC2, 0, 11, 8, 0x27, 0x10, 0x27, 0x10, 1, 1, 0x11, 0 };
	static const uint8_t sos[] = { 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0, 0 };
	static uint8_t flood[sizeof sof2 + (IMG_MAX_JPEG_SCANS + 1) * sizeof sos];
	memcpy(flood, sof2, sizeof sof2);
	for (int k = 0; k <= IMG_MAX_JPEG_SCANS; k++) memcpy(flood + sizeof sof2 + k * sizeof sos, sos, sizeof sos);
	CHECK(img_probe(flood, sizeof flood, 100000000ULL, &in, &e) < 0);
	CHECK(img_probe(flood, sizeof flood - sizeof sos, 100000000ULL, &in, &e) == 0);

	/* TIFF, little endian: two IFDs of 8000 x 8000 = 128 MP in total. */
	uint8_t tif[128] = { 'I', 'I', 42, 0, 8, 0, 0, 0 };
	for (int k = 0; k < 2; k++) {
		uint8_t *ifd = tif + 8 + k * 40;
		ifd[0] = 2;
		uint8_t e1[12] = { 0x00, 0x01, 3, 0, 1, 0, 0, 0, 0x40, 0x1f, 0, 0 };  /* width 8000 */
		uint8_t e2[12] = { 0x01, 0x01, 3, 0, 1, 0, 0, 0, 0x40, 0x1f, 0, 0 };  /* height 8000 */
		memcpy(ifd + 2, e1, 12);
		memcpy(ifd + 14, e2, 12);
		uint32_t next = k == 0 ? 48 : 0;
		memcpy(ifd + 26, &next, 4);
	}
	CHECK(img_probe(tif, sizeof tif, 100000000ULL, &in, &e) < 0);
	CHECK(img_probe(tif, sizeof tif, 200000000ULL, &in, &e) == 0 && in.npages == 2);
	/* An IFD chain that loops back on itself. */
	uint32_t loop = 8;
	memcpy(tif + 48 + 26, &loop, 4);
	CHECK(img_probe(tif, sizeof tif, 1000000000ULL, &in, &e) < 0);
	CHECK(strstr(e.msg, "loop") != NULL);

	/* BMP, PNM, WebP headers. */
	uint8_t bmp[64] = { 'B', 'M' };
	bmp[14] = 40;
	bmp[18] = 0xA0, bmp[19] = 0x86, bmp[20] = 0x01;        /* width 100000 */
	bmp[22] = 0xA0, bmp[23] = 0x86, bmp[24] = 0x01;        /* height 100000 */
	CHECK(img_probe(bmp, sizeof bmp, 100000000ULL, &in, &e) < 0);
	const char *pgm = "P5\n# comment\n100000 100000\n255\n";
	CHECK(img_probe((const uint8_t *)pgm, strlen(pgm), 100000000ULL, &in, &e) < 0);
	const char *pgm2 = "P5 640 480 255\n";
	CHECK(img_probe((const uint8_t *)pgm2, strlen(pgm2), 100000000ULL, &in, &e) == 0 && in.w == 640 && in.h == 480);
	uint8_t webp[32] = { 'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'X' };
	webp[24] = 0x9F, webp[25] = 0x86, webp[26] = 0x01;      /* canvas 100000 x 100000 */
	webp[27] = 0x9F, webp[28] = 0x86, webp[29] = 0x01;
	CHECK(img_probe(webp, sizeof webp, 100000000ULL, &in, &e) < 0);

	/* Conflicting sizes in one file: each refused before any decoder runs.
	 * A second IHDR claiming 30000 x 30000 after a small first one. */
	uint8_t png2[80];
	memset(png2, 0, sizeof png2);
	memcpy(png2, png, 33);
	put32be(png2 + 16, 100), put32be(png2 + 20, 100);
	memcpy(png2 + 33, png2 + 8, 25);                        /* IHDR again (CRC left 0) */
	put32be(png2 + 33 + 8, 30000), put32be(png2 + 33 + 12, 30000);
	CHECK(img_probe(png2, sizeof png2, 100000000ULL, &in, &e) < 0);
	CHECKF(strstr(e.msg, "IHDR given twice") != NULL, "%s", e.msg);
	put32be(png2 + 8, 14);                                  /* an IHDR of the wrong length */
	CHECK(img_probe(png2, sizeof png2, 100000000ULL, &in, &e) < 0 && strstr(e.msg, "IHDR of 14 bytes"));
	/* WebP: a 100 x 100 canvas (VP8X) holding a 16000 x 16000 lossless image */
	uint8_t wx[64] = { 'R', 'I', 'F', 'F', 56, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'X', 10, 0, 0, 0 };
	wx[24] = 99, wx[27] = 99;                                /* canvas 100 x 100 */
	memcpy(wx + 30, "VP8L", 4);
	wx[34] = 20;                                             /* chunk length */
	wx[38] = 0x2f;
	uint32_t v = (16000 - 1) | (uint32_t)(16000 - 1) << 14;
	memcpy(wx + 39, &v, 4);                                  /* little-endian host */
	CHECK(img_probe(wx, sizeof wx, 100000000ULL, &in, &e) < 0);
	CHECKF(strstr(e.msg, "100x100 canvas (VP8X) holding a 16000x16000 image") != NULL, "%s", e.msg);
	v = 99 | 99u << 14;
	memcpy(wx + 39, &v, 4);
	CHECKF(img_probe(wx, sizeof wx, 100000000ULL, &in, &e) == 0 && in.w == 100 && in.h == 100, "%s", e.msg);
	wx[20] |= 0x02;                                          /* the animation flag */
	CHECK(img_probe(wx, sizeof wx, 100000000ULL, &in, &e) < 0 && strstr(e.msg, "animated"));

	/* Not an image at all, and nothing. */
	const char *txt = "hello, this is a text file named scan.png\n";
	CHECK(img_probe((const uint8_t *)txt, strlen(txt), 100000000ULL, &in, &e) < 0);
	CHECK(img_probe((const uint8_t *)"", 0, 100000000ULL, &in, &e) < 0);
}

/* A gray test card: white, a black square, a gradient strip. */
static void card(img_t *im, int w, int h)
{
	img_err e;
	CHECK(img_alloc(im, w, h, 1, &e) == 0);
	memset(im->data, 255, (size_t)h * im->stride);
	img_draw_rect(im, w / 4, h / 4, w / 4, h / 4, (img_color){ 0, 0, 0 }, -1);
	for (int x = 0; x < w; x++) im->data[(size_t)(h - 1) * im->stride + x] = (uint8_t)(x * 255 / w);
}

static void test_formats(void)
{
	static const char *ext[] = { "png", "jpg", "tif", "bmp", "pgm", "webp" };
	img_t im;
	card(&im, 320, 200);
	img_load_opts o;
	img_load_opts_default(&o);
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
		char path[256];
		img_err e;
		snprintf(path, sizeof path, "%s/card.%s", tmpdir, ext[i]);
		CHECKF(img_write(path, &im, 1, 95, &e) == 0, "%s: %s", ext[i], e.msg);
		size_t len;
		uint8_t *b = slurp(path, &len);
		CHECK(b != NULL);
		img_doc d;
		int rc = img_load(b, len, &o, &d, &e);
		CHECKF(rc == 0, "%s: %s", ext[i], e.msg);
		if (rc == 0) {
			CHECK(d.npages == 1 && d.pages[0].w == 320 && d.pages[0].h == 200 && d.scale == 1);
			/* The black square is black, the paper white, whatever the codec. */
			const img_t *p = &d.pages[0];
			CHECK(p->data[(size_t)70 * p->stride + (size_t)100 * p->ch] < 40);
			CHECK(p->data[(size_t)10 * p->stride + (size_t)10 * p->ch] > 215);
			img_doc_free(&d);
		}
		/* Every truncation of the file is refused or decoded, never a crash. */
		for (size_t cut = 0; b && cut < len; cut += len / 7 + 1) {
			if (img_load(b, cut, &o, &d, &e) == 0) img_doc_free(&d);
		}
		free(b);
	}
	img_free(&im);
}

static void test_multipage_tiff(void)
{
	img_t pages[3];
	img_err e;
	for (int i = 0; i < 3; i++) card(&pages[i], 100 + 10 * i, 80);
	char path[256];
	snprintf(path, sizeof path, "%s/multi.tif", tmpdir);
	CHECK(img_write(path, pages, 3, 0, &e) == 0);
	size_t len;
	uint8_t *b = slurp(path, &len);
	img_load_opts o;
	img_load_opts_default(&o);
	img_doc d;
	CHECK(b && img_load(b, len, &o, &d, &e) == 0);
	CHECK(d.npages == 3 && d.info.npages == 3);
	for (int i = 0; i < d.npages; i++) CHECK(d.pages[i].w == 100 + 10 * i && d.pages[i].h == 80);
	img_doc_free(&d);
	/* Over a budget that one page fits in but three do not. */
	o.max_pixels = 20000;
	CHECK(img_load(b, len, &o, &d, &e) < 0);
	free(b);
	for (int i = 0; i < 3; i++) img_free(&pages[i]);
}

static void test_reduced_jpeg(void)
{
	img_t im;
	img_err e;
	card(&im, 2480, 3508);
	char path[256];
	snprintf(path, sizeof path, "%s/a4.jpg", tmpdir);
	CHECK(img_write(path, &im, 1, 90, &e) == 0);
	img_free(&im);
	size_t len;
	uint8_t *b = slurp(path, &len);
	img_load_opts o;
	img_load_opts_default(&o);
	img_doc d;
	CHECK(b && img_load(b, len, &o, &d, &e) == 0);
	/* No dpi in the header: 3508 px over A4's 11.7 in is 300 dpi, so 1/2 keeps 150. */
	CHECK(d.scale == 2 && d.pages[0].w == 1240 && d.pages[0].h == 1754);
	CHECK(d.info.w == 2480 && d.info.h == 3508);
	img_doc_free(&d);
	o.min_dpi = 0;
	CHECK(img_load(b, len, &o, &d, &e) == 0 && d.scale == 1 && d.pages[0].w == 2480);
	img_doc_free(&d);
	free(b);
}

/* The JPEG fast path: BGR or gray straight from libjpeg, reduced sizes
 * rounded up as libjpeg does; truncated data and EXIF blocks (which OpenCV
 * may act on) are left to OpenCV, which still decodes them. */
static void test_jpeg_fast(void)
{
	img_t im;
	img_err e;
	card(&im, 301, 199);
	img_t col;
	CHECK(img_alloc(&col, im.w, im.h, 3, &e) == 0);
	for (int y = 0; y < im.h; y++)
		for (int x = 0; x < im.w; x++) {
			uint8_t v = im.data[(size_t)y * im.stride + x];
			uint8_t *p = col.data + (size_t)y * col.stride + 3 * (size_t)x;
			p[0] = v, p[1] = v, p[2] = 255;         /* the card in red on white */
		}
	char path[256];
	snprintf(path, sizeof path, "%s/col.jpg", tmpdir);
	CHECK(img_write(path, &col, 1, 92, &e) == 0);
	size_t len;
	uint8_t *b = slurp(path, &len);
	img_t p;
	CHECK(b && img_jpeg_decode(b, len, 1, &p, &e) == 1 && p.w == 301 && p.h == 199 && p.ch == 3);
	if (p.data) {   /* inside the card's rectangle: red, stored B, G, R */
		const uint8_t *px = p.data + (size_t)70 * p.stride + 3 * 100;
		CHECK(px[0] < 60 && px[1] < 60 && px[2] > 200);
	}
	img_free(&p);
	CHECK(img_jpeg_decode(b, len, 2, &p, &e) == 1 && p.w == 151 && p.h == 100);
	img_free(&p);
	/* truncated: refused with libjpeg's reason, never left to OpenCV (which
	 * would fill the rest with grey) */
	CHECK(img_jpeg_decode(b, len * 2 / 3, 1, &p, &e) == -1 && p.data == NULL &&
	      strstr(e.msg, "corrupt or truncated JPEG") != NULL);
	CHECK(img_jpeg_check(b, len * 2 / 3, &e) == -1 && strstr(e.msg, "Premature end") != NULL);
	CHECK(img_jpeg_check(b, len, &e) == 0);
	/* An EXIF block with an orientation tag, right after SOI. */
	static const uint8_t exif[] = { 0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 0x2A, 0, 8, 0, 0, 0,
					1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t *x = malloc(len + sizeof exif);
	memcpy(x, b, 2);
	memcpy(x + 2, exif, sizeof exif);
	memcpy(x + 2 + sizeof exif, b + 2, len - 2);
	CHECK(img_jpeg_decode(x, len + sizeof exif, 1, &p, &e) == 0);
	img_load_opts o;
	img_load_opts_default(&o);
	img_doc d;
	CHECK(img_load(x, len + sizeof exif, &o, &d, &e) == 0 && d.npages == 1);
	img_doc_free(&d);
	free(x);
	free(b);
	img_free(&col);
	img_free(&im);
}

/* Otsu's level is the one that maximises the between-class variance of
 * the histogram (checked by brute force here, in exact integers), on
 * pages of different shapes: mostly white (whole runs of 255, counted
 * eight at a time), mid-grey noise, and odd widths that leave tails. */
/* img_components against a flood fill: the same components, boxes and
 * areas, and the labels numbered as OpenCV's BBDT numbers them (by the
 * first 2x2 block, in scan order, holding a pixel of the component), on
 * random ink of several densities, odd sizes included. */
static void test_components(void)
{
	static const int sizes[][2] = { { 1, 1 }, { 37, 29 }, { 64, 64 }, { 101, 7 }, { 3, 120 } };
	uint32_t rng = 99;
	for (int s = 0; s < 5; s++)
		for (int dens = 5; dens <= 65; dens += 30) {
			img_t b;
			img_err e;
			int w = sizes[s][0], h = sizes[s][1];
			CHECK(img_alloc(&b, w, h, 1, &e) == 0);
			for (int y = 0; y < h; y++)
				for (int x = 0; x < w; x++) {
					rng = rng * 1664525u + 1013904223u;
					b.data[(size_t)y * b.stride + x] = (int)(rng >> 25) < dens * 128 / 100 ? (uint8_t)(1 + rng % 255) : 0;
				}
			int32_t *lab;
			img_comp *cc;
			int n;
			CHECK(img_components(&b, &lab, &cc, &n, &e) == 0);
			/* flood fill from each unvisited ink pixel, blocks in scan order */
			int *mine = calloc((size_t)w * h, sizeof *mine), *stack = malloc(sizeof(int) * (size_t)w * h), k = 0;
			bool same = true;
			for (int by = 0; by < h; by += 2)
				for (int bx = 0; bx < w; bx += 2)
					for (int q = 0; q < 4; q++) {
						int x0 = bx + q % 2, y0 = by + q / 2;
						if (x0 >= w || y0 >= h || !b.data[(size_t)y0 * b.stride + x0] || mine[y0 * w + x0]) continue;
						k++;
						int sp = 0, area = 0, xa = x0, xb = x0, ya = y0, yb = y0;
						mine[y0 * w + x0] = k;
						stack[sp++] = y0 * w + x0;
						while (sp > 0) {
							int at = stack[--sp], x = at % w, y = at / w;
							area++;
							xa = x < xa ? x : xa, xb = x > xb ? x : xb, ya = y < ya ? y : ya, yb = y > yb ? y : yb;
							for (int dy = -1; dy <= 1; dy++)
								for (int dx = -1; dx <= 1; dx++) {
									int xx = x + dx, yy = y + dy;
									if (xx < 0 || yy < 0 || xx >= w || yy >= h || mine[yy * w + xx] ||
									    !b.data[(size_t)yy * b.stride + xx])
										continue;
									mine[yy * w + xx] = k;
									stack[sp++] = yy * w + xx;
								}
						}
						same &= k <= n && cc[k - 1].x == xa && cc[k - 1].y == ya && cc[k - 1].w == xb - xa + 1 &&
							cc[k - 1].h == yb - ya + 1 && cc[k - 1].area == area;
					}
			same &= k == n;
			for (int i = 0; i < w * h; i++) same &= lab[i] == mine[i];
			CHECK(same);
			free(mine);
			free(stack);
			free(lab);
			free(cc);
			img_free(&b);
		}
}

/* img_ink_gray's luminance is OpenCV's cvtColor (its scores are taken
 * from a formula at sample points, which must agree with the page it then
 * makes); a chosen channel is that channel. */
static void test_ink_gray_exact(void)
{
	img_t c, g;
	img_err e;
	CHECK(img_alloc(&c, 97, 61, 3, &e) == 0);
	uint32_t rng = 7;
	for (int y = 0; y < c.h; y++)
		for (int x = 0; x < 3 * c.w; x++) {
			rng = rng * 1664525u + 1013904223u;
			c.data[(size_t)y * c.stride + x] = (uint8_t)(rng >> 24);
		}
	int which = 9;
	CHECK(img_ink_gray(&c, &g, &which, &e) == 0);
	CHECK(which == -1);     /* no channel stands out in noise */
	bool same = true;
	for (int y = 0; y < c.h; y++)
		for (int x = 0; x < c.w; x++) {
			const uint8_t *p = c.data + (size_t)y * c.stride + 3 * x;
			int v = (p[0] * 3735 + p[1] * 19235 + p[2] * 9798 + (1 << 14)) >> 15;
			same &= g.data[(size_t)y * g.stride + x] == v;
		}
	CHECK(same);
	img_free(&g);
	/* Each plane, 16-pixel blocks and the tail after them alike. */
	for (int k = 0; k < 3; k++) {
		CHECK(img_plane(&c, k, &g, &e) == 0);
		same = true;
		for (int y = 0; y < c.h; y++)
			for (int x = 0; x < c.w; x++) same &= g.data[(size_t)y * g.stride + x] == c.data[(size_t)y * c.stride + 3 * x + k];
		CHECK(same);
		img_free(&g);
	}
	img_free(&c);
}

static void test_otsu(void)
{
	static const int sizes[][2] = { { 200, 200 }, { 13, 7 }, { 1001, 37 }, { 64, 1 } };
	uint32_t rng = 12345;
	for (int s = 0; s < 4; s++)
		for (int kind = 0; kind < 3; kind++) {
			img_t g, bin;
			img_err e;
			CHECK(img_alloc(&g, sizes[s][0], sizes[s][1], 1, &e) == 0);
			long hist[256] = { 0 }, n = (long)g.w * g.h;
			for (int y = 0; y < g.h; y++)
				for (int x = 0; x < g.w; x++) {
					rng = rng * 1664525u + 1013904223u;
					int r = (int)(rng >> 24), v = kind == 0 ? (r < 20 ? 40 + r : 255) : kind == 1 ? r : (x + y) % 7 * 30;
					g.data[(size_t)y * g.stride + x] = (uint8_t)v;
					hist[v]++;
				}
			int thr = -1;
			CHECK(img_threshold_otsu(&g, &bin, &thr, &e) == 0);
			/* between-class variance * n^2 at level t: (n1*m - n*s1)^2 / (n1*(n-n1)) */
			double best = -1, at_thr = -1;
			long m = 0;
			for (int v = 0; v < 256; v++) m += v * hist[v];
			long n1 = 0, s1 = 0;
			for (int t = 0; t < 256; t++) {
				n1 += hist[t], s1 += (long)t * hist[t];
				if (n1 == 0 || n1 == n) continue;
				double d = (double)n1 * m - (double)n * s1, var = d * d / ((double)n1 * (n - n1));
				if (var > best) best = var;
				if (t == thr) at_thr = var;
			}
			CHECK(best < 0 || at_thr >= best * (1 - 1e-9));
			bool cut_ok = true;
			for (int y = 0; y < g.h; y++)
				for (int x = 0; x < g.w; x++)
					cut_ok &= bin.data[(size_t)y * bin.stride + x] == (g.data[(size_t)y * g.stride + x] <= thr ? 255 : 0);
			CHECK(cut_ok);
			img_free(&bin);
			CHECK(img_threshold_below(&g, 41, &bin, &e) == 0);
			CHECK(bin.data[0] == (g.data[0] < 41 ? 255 : 0));
			img_free(&bin);
			img_free(&g);
		}
}

static void test_ops(void)
{
	img_t im, bin, rot, flat;
	img_err e;
	card(&im, 200, 200);
	int thr = 0;
	CHECK(img_threshold_otsu(&im, &bin, &thr, &e) == 0);
	CHECK(thr > 0 && thr < 255);
	CHECK(bin.data[75 * bin.stride + 60] == 255 && bin.data[10 * bin.stride + 10] == 0);
	int32_t *labels;
	img_comp *cc;
	int n;
	CHECK(img_components(&bin, &labels, &cc, &n, &e) == 0);
	bool square = false;
	for (int i = 0; i < n; i++)
		if (cc[i].x == 50 && cc[i].y == 50 && cc[i].w == 50 && cc[i].h == 50 && cc[i].area == 2500) square = true;
	CHECK(square);
	free(labels);
	free(cc);
	/* Flattening a page lit from one side makes its paper uniform. */
	for (int y = 0; y < im.h; y++)
		for (int x = 0; x < im.w; x++) {
			uint8_t *p = &im.data[(size_t)y * im.stride + x];
			*p = (uint8_t)(*p * (0.5 + 0.5 * x / im.w));
		}
	CHECK(img_flatten(&im, 8, 4, &flat, &e) == 0);
	CHECK(abs(flat.data[10 * flat.stride + 10] - flat.data[10 * flat.stride + 190]) < 25);
	CHECK(flat.data[75 * flat.stride + 75] < 80);
	img_free(&flat);
	/* Rotation keeps the size and moves the square. */
	CHECK(img_rotate(&bin, 45, 0, IMG_INTER_NEAREST, &rot, &e) == 0 && rot.w == 200 && rot.h == 200);
	img_free(&rot);
	/* A horizontal line survives a long horizontal opening; the square does not. */
	img_t lined, open;
	CHECK(img_clone(&bin, &lined, &e) == 0);
	memset(lined.data + 150 * lined.stride + 10, 255, 180);
	CHECK(img_morph(&lined, IMG_MORPH_OPEN, 120, 1, false, &open, &e) == 0);
	CHECK(open.data[150 * open.stride + 100] == 255 && open.data[75 * open.stride + 75] == 0);
	CHECK(img_morph(&lined, IMG_MORPH_OPEN, 0, 1, false, &rot, &e) < 0);
	img_free(&open);
	img_free(&lined);
	/* The ink channel: blue ink on yellow paper reads best in red. */
	img_t col, gray;
	CHECK(img_alloc(&col, 100, 100, 3, &e) == 0);
	for (int y = 0; y < 100; y++)
		for (int x = 0; x < 100; x++) {
			uint8_t *p = &col.data[(size_t)y * col.stride + (size_t)x * 3];
			bool ink = x > 40 && x < 50 && y > 20 && y < 80;
			p[0] = ink ? 200 : 120, p[1] = ink ? 60 : 230, p[2] = ink ? 30 : 240;   /* BGR */
		}
	int which = -2;
	CHECK(img_ink_gray(&col, &gray, &which, &e) == 0);
	CHECKF(which == 2, "channel %d", which);
	img_free(&gray);
	/* A cream cheque's guilloche, fainter in blue than in red and green,
	 * black print, blue writing (the colours of a generated cheque): the
	 * blue channel has the highest contrast (print on its flat paper)
	 * and erases the writing; it must never be the one read. */
	for (int y = 0; y < 100; y++)
		for (int x = 0; x < 100; x++) {
			uint8_t *p = &col.data[(size_t)y * col.stride + (size_t)x * 3];
			bool print = y > 5 && y < 12, pen = x > 40 && x < 50 && y > 20 && y < 80;
			int t = (x * 7 + y * 13) % 10;
			p[0] = (uint8_t)(print ? 18 : pen ? 155 : 194 + t * 10 / 9);
			p[1] = (uint8_t)(print ? 18 : pen ? 80 : 201 + t * 28 / 9);
			p[2] = (uint8_t)(print ? 18 : pen ? 35 : 205 + t * 28 / 9);
		}
	CHECK(img_ink_gray(&col, &gray, &which, &e) == 0);
	CHECKF(which != 0, "channel %d", which);
	CHECKF(gray.data[50 * gray.stride + 45] < 128, "writing at %d", gray.data[50 * gray.stride + 45]);
	img_free(&gray);
	/* A red pen on a cream cheque whose guilloche is green-blue: the red
	 * plane has the flattest paper and the best contrast for the black
	 * print, and shows the writing as paper (held-out cheque-056 lost
	 * all its digits so).  Whatever plane is read, the writing is ink. */
	for (int y = 0; y < 100; y++)
		for (int x = 0; x < 100; x++) {
			uint8_t *p = &col.data[(size_t)y * col.stride + (size_t)x * 3];
			bool print = y > 5 && y < 12, pen = x > 40 && x < 50 && y > 20 && y < 80;
			int t = (x * 7 + y * 13) % 10;
			p[0] = (uint8_t)(print ? 20 : pen ? 40 : 190 + t * 3);
			p[1] = (uint8_t)(print ? 20 : pen ? 35 : 205 + t * 3);
			p[2] = (uint8_t)(print ? 20 : pen ? 215 : 238);
		}
	CHECK(img_ink_gray(&col, &gray, &which, &e) == 0);
	CHECKF(which != 2, "channel %d", which);
	CHECKF(gray.data[50 * gray.stride + 45] < 128, "red writing at %d", gray.data[50 * gray.stride + 45]);
	img_free(&gray);
	/* Brown print on the same cheque is hidden by the red plane on
	 * purpose: it is not a pen's saturated colour, so red stays usable. */
	for (int y = 0; y < 100; y++)
		for (int x = 0; x < 100; x++) {
			uint8_t *p = &col.data[(size_t)y * col.stride + (size_t)x * 3];
			bool print = y > 5 && y < 12, pen = x > 40 && x < 50 && y > 20 && y < 80;
			int t = (x * 7 + y * 13) % 10;
			p[0] = (uint8_t)(print ? 40 : pen ? 150 : 190 + t * 3);
			p[1] = (uint8_t)(print ? 70 : pen ? 60 : 205 + t * 3);
			p[2] = (uint8_t)(print ? 130 : pen ? 30 : 238);
		}
	CHECK(img_ink_gray(&col, &gray, &which, &e) == 0);
	CHECKF(which == 2, "channel %d (brown print, blue pen)", which);
	img_free(&gray);
	img_free(&col);
	img_free(&bin);
	img_free(&im);
}

/* PNG filter predictors, to build files that use every filter type. */
static int pred(int f, int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
	switch (f) {
	case 1: return a;
	case 2: return b;
	case 3: return (a + b) / 2;
	case 4: return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
	default: return 0;
	}
}

static size_t put_chunk(uint8_t *p, const char *type, const uint8_t *data, uint32_t n)
{
	put32be(p, n);
	memcpy(p + 4, type, 4);
	if (n) memcpy(p + 8, data, n);
	put32be(p + 8 + n, libdeflate_crc32(0, p + 4, (size_t)n + 4));
	return 12 + (size_t)n;
}

/* A w x h PNG of pix (bpp 1 gray or 3 RGB), row y filtered with type y % 5. */
static size_t make_png(const uint8_t *pix, int w, int h, int bpp, uint8_t *out, size_t cap)
{
	size_t rb = (size_t)w * bpp + 1, n = 0;
	uint8_t *raw = malloc(rb * h), ihdr[13];
	for (int y = 0; y < h; y++) {
		const uint8_t *row = pix + (size_t)y * w * bpp, *up = y ? row - (size_t)w * bpp : NULL;
		raw[y * rb] = (uint8_t)(y % 5);
		for (int i = 0; i < w * bpp; i++) {
			int a = i >= bpp ? row[i - bpp] : 0, b = up ? up[i] : 0, c = up && i >= bpp ? up[i - bpp] : 0;
			raw[y * rb + 1 + i] = (uint8_t)(row[i] - pred(y % 5, a, b, c));
		}
	}
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	uint8_t *z = malloc(rb * h + 1024);
	size_t nz = libdeflate_zlib_compress(c, raw, rb * h, z, rb * h + 1024);
	libdeflate_free_compressor(c);
	memcpy(out, "\x89PNG\r\n\x1a\n", 8);
	n = 8;
	put32be(ihdr, (uint32_t)w), put32be(ihdr + 4, (uint32_t)h);
	ihdr[8] = 8, ihdr[9] = bpp == 1 ? 0 : 2, ihdr[10] = ihdr[11] = ihdr[12] = 0;
	n += put_chunk(out + n, "IHDR", ihdr, 13);
	n += put_chunk(out + n, "IDAT", z, (uint32_t)nz);
	n += put_chunk(out + n, "IEND", NULL, 0);
	CHECK(n <= cap);
	free(z);
	free(raw);
	return n;
}

/* The PNG fast path undoes all five filters exactly, gives BGR for RGB,
 * and leaves what it doubts (bad CRC, truncation) to OpenCV. */
static void test_png_fast(void)
{
	enum { H = 17 };
	static uint8_t pix[71 * H * 3], file[16384];
	uint32_t r = 12345;
	for (size_t i = 0; i < sizeof pix; i++) pix[i] = (uint8_t)((r = r * 1103515245 + 12345) >> 16);
	img_err e;
	/* 23 and 71 bytes a gray row: vectorised Sub carries into the scalar
	 * tail, and from one 16-byte block into the next */
	for (int W = 23; W <= 71; W += 48)
	for (int bpp = 1; bpp <= 3; bpp += 2) {
		size_t n = make_png(pix, W, H, bpp, file, sizeof file);
		img_t p;
		CHECK(img_png_decode(file, n, &p, &e) == 1 && p.w == W && p.h == H && p.ch == bpp);
		bool same = p.data != NULL;
		for (int y = 0; same && y < H; y++)
			for (int x = 0; x < W * bpp; x++) {
				int src = bpp == 1 ? x : x - x % 3 + 2 - x % 3;    /* RGB -> BGR */
				same = same && p.data[(size_t)y * p.stride + x] == pix[(size_t)y * W * bpp + src];
			}
		CHECK(same);
		img_free(&p);
		file[40] ^= 1;          /* inside the IDAT data: its CRC fails */
		CHECK(img_png_decode(file, n, &p, &e) == 0 && p.data == NULL);
		file[40] ^= 1;
		CHECK(img_png_decode(file, n - 12, &p, &e) == 0);       /* no IEND */
	}
}

/* A PDF of npages pages of w x h points, each with a black square
 * (50 x 50 points at 10,10) drawn as a vector path, built in memory with a
 * correct cross-reference table; encrypt adds a Standard security handler
 * no empty password opens. */
static char *make_pdf(int npages, double w, double h, int encrypt, size_t *len)
{
	size_t cap = 4096 + (size_t)npages * 400, n = 0;
	char *b = malloc(cap);
	long *off = calloc((size_t)(2 * npages + 4), sizeof *off);
	if (!b || !off) exit(1);
	int obj = 0;
#define PUT(...) (n += (size_t)snprintf(b + n, cap - n, __VA_ARGS__))
	PUT("%%PDF-1.4\n");
	off[++obj] = (long)n;
	PUT("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	off[++obj] = (long)n;
	PUT("2 0 obj\n<< /Type /Pages /Count %d /Kids [", npages);
	for (int p = 0; p < npages; p++) PUT(" %d 0 R", 3 + 2 * p);
	PUT(" ] >>\nendobj\n");
	const char *content = "0 g 10 10 50 50 re f\n";
	for (int p = 0; p < npages; p++) {
		off[++obj] = (long)n;
		PUT("%d 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %g %g] /Contents %d 0 R >>\nendobj\n", obj, w, h,
		    obj + 1);
		off[++obj] = (long)n;
		PUT("%d 0 obj\n<< /Length %zu >>\nstream\n%sendstream\nendobj\n", obj, strlen(content), content);
	}
	if (encrypt) {
		off[++obj] = (long)n;
		PUT("%d 0 obj\n<< /Filter /Standard /V 1 /R 2 /P -4 /O <%064x> /U <%064x> >>\nendobj\n", obj, 7, 9);
	}
	long xref = (long)n;
	PUT("xref\n0 %d\n0000000000 65535 f \n", obj + 1);
	for (int i = 1; i <= obj; i++) PUT("%010ld 00000 n \n", off[i]);
	PUT("trailer\n<< /Size %d /Root 1 0 R", obj + 1);
	if (encrypt) PUT(" /Encrypt %d 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]", obj);
	PUT(" >>\nstartxref\n%ld\n%%%%EOF\n", xref);
#undef PUT
	free(off);
	*len = n;
	return b;
}

/* PDF through Poppler: pages rendered at IMG_PDF_DPI, ink where it was
 * drawn, and each refusal with its reason (a size refusal says "over the
 * limit", which the daemon records as failure kind 'limit'). */
static void test_pdf(void)
{
	img_load_opts o;
	img_load_opts_default(&o);
	img_doc doc;
	img_err e;
	size_t len;
	char *pdf = make_pdf(2, 144, 72, 0, &len);   /* 2 x 1 inch */
	CHECK(img_is_pdf((const uint8_t *)pdf, len));
	CHECKF(img_load((const uint8_t *)pdf, len, &o, &doc, &e) == 0, "%s", e.msg);
	CHECK(doc.info.fmt == IMG_FMT_PDF && doc.npages == 2 && doc.info.npages == 2 && doc.scale == 1);
	for (int p = 0; p < doc.npages; p++) {
		const img_t *pg = &doc.pages[p];
		CHECKF(pg->w == 2 * IMG_PDF_DPI && pg->h == IMG_PDF_DPI && pg->ch == 1, "page %d is %dx%dx%d", p, pg->w,
		       pg->h, pg->ch);
		/* the square: 10..60 points from the bottom left, so near the bottom left of the page */
		int in_x = 35 * IMG_PDF_DPI / 72, in_y = pg->h - 1 - 35 * IMG_PDF_DPI / 72;
		CHECK(pg->data[(size_t)in_y * pg->stride + (size_t)in_x] < 30);
		CHECK(pg->data[(size_t)10 * pg->stride + (size_t)(pg->w - 10)] > 225);
	}
	img_doc_free(&doc);
	free(pdf);

	pdf = make_pdf(1, 144, 72, 1, &len);
	CHECK(img_load((const uint8_t *)pdf, len, &o, &doc, &e) < 0 && strstr(e.msg, "encrypted"));
	free(pdf);
	pdf = make_pdf(1, 14400, 14400, 0, &len);    /* 200 x 200 inches: 3.6e9 pixels */
	CHECKF(img_load((const uint8_t *)pdf, len, &o, &doc, &e) < 0 && strstr(e.msg, "over the limit"), "%s", e.msg);
	free(pdf);
	pdf = make_pdf(IMG_MAX_PAGES + 1, 72, 72, 0, &len);
	CHECKF(img_load((const uint8_t *)pdf, len, &o, &doc, &e) < 0 && strstr(e.msg, "over the limit of 256"), "%s",
	       e.msg);
	free(pdf);
	pdf = make_pdf(0, 72, 72, 0, &len);
	CHECKF(img_load((const uint8_t *)pdf, len, &o, &doc, &e) < 0 && strstr(e.msg, "no pages"), "%s", e.msg);
	free(pdf);
	static const char junk[] = "%PDF-1.7\n this is not a PDF at all, no objects, no xref, nothing \n";
	CHECKF(img_load((const uint8_t *)junk, sizeof junk - 1, &o, &doc, &e) < 0 && strstr(e.msg, "not a readable PDF"),
	       "%s", e.msg);
	CHECK(!img_is_pdf((const uint8_t *)"%PD", 3));
}

/* The crops' encoder (png_encode.c): gray and BGR images of noise,
 * gradients and flat areas (so every filter type wins somewhere) come back
 * exactly, through the strict decoder (which checks every CRC and refuses
 * anything odd) and through img_load. */
static void test_png_encode(void)
{
	int sizes[][2] = { { 1, 1 }, { 23, 17 }, { 71, 40 }, { 300, 5 } };
	uint32_t r = 777;
	img_err e;
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
	for (int ch = 1; ch <= 3; ch += 2) {
		int W = sizes[k][0], H = sizes[k][1];
		img_t im;
		CHECK(img_alloc(&im, W, H, ch, &e) == 0);
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W * ch; x++) {
				uint8_t v = y % 3 == 0 ? (uint8_t)((r = r * 1103515245 + 12345) >> 16)   /* noise */
					  : y % 3 == 1 ? (uint8_t)(x * 3 + y * 5)                           /* gradient */
					  : (uint8_t)(x < W * ch / 2 ? 255 : 0);                           /* flat */
				im.data[(size_t)y * im.stride + x] = v;
			}
		uint8_t *png = NULL;
		size_t n = 0;
		CHECKF(img_encode_png(&im, &png, &n, &e) == 0, "%s", e.msg);
		img_t back;
		CHECK(png && img_png_decode(png, n, &back, &e) == 1);
		bool same = png && back.data && back.w == W && back.h == H && back.ch == ch;
		for (int y = 0; same && y < H; y++)
			same = memcmp(back.data + (size_t)y * back.stride, im.data + (size_t)y * im.stride, (size_t)W * ch) == 0;
		CHECKF(same, "%dx%d, %d channel(s): pixels differ after the round trip", W, H, ch);
		img_free(&back);
		img_load_opts lo;
		img_load_opts_default(&lo);
		img_doc doc;
		CHECK(png && img_load(png, n, &lo, &doc, &e) == 0 && doc.npages == 1 && doc.pages[0].w == W &&
		      doc.pages[0].ch == ch &&
		      memcmp(doc.pages[0].data + (size_t)(H - 1) * doc.pages[0].stride,
			     im.data + (size_t)(H - 1) * im.stride, (size_t)W * ch) == 0);
		img_doc_free(&doc);
		free(png);
		img_free(&im);
	}
	img_t bad = { 0 };
	uint8_t *png = NULL;
	size_t n = 0;
	CHECK(img_encode_png(&bad, &png, &n, &e) < 0 && png == NULL);
}

/* A chunk is inserted after the signature and IHDR (33 bytes) of a PNG. */
static size_t insert_chunk(uint8_t *file, size_t n, const char *type, const uint8_t *data, uint32_t len, bool bad_crc)
{
	uint8_t chunk[256];
	size_t k = put_chunk(chunk, type, data, len);
	if (bad_crc) chunk[k - 1] ^= 0x55;
	memmove(file + 33 + k, file + 33, n - 33);
	memcpy(file + 33, chunk, k);
	return n + k;
}

/* Load buf with stderr sent to a file: returns img_load's result, and
 * whether anything was written to stderr (a decoder library's raw line). */
static int load_quiet(const uint8_t *buf, size_t len, img_err *e, bool *said)
{
	char path[256];
	snprintf(path, sizeof path, "%s/stderr", tmpdir);
	fflush(stderr);
	int saved = dup(2), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	img_load_opts o;
	img_load_opts_default(&o);
	img_doc d;
	int rc = img_load(buf, len, &o, &d, e);
	if (rc == 0) img_doc_free(&d);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	struct stat sb;
	*said = stat(path, &sb) == 0 && sb.st_size > 0;
	return rc;
}

/* Corrupt means failed, for PNG and TIFF as for JPEG: a PNG whose
 * ancillary chunk fails its CRC, or with more image data than its size,
 * was read through OpenCV as if whole (libpng only warned, raw on stderr);
 * a TIFF whose LZW data libtiff could not follow was read with the damage
 * in it and nothing said.  Now each is refused with the library's message,
 * and nothing reaches stderr; whole files of the same kinds still load. */
static void test_damaged(void)
{
	enum { W = 40, H = 9 };
	static uint8_t pix[W * (H + 1)], file[16384];
	for (size_t i = 0; i < sizeof pix; i++) pix[i] = (uint8_t)(i * 7);
	img_err e;
	bool said;
	static const uint8_t text[] = "Comment\0scanned";
	size_t n = make_png(pix, W, H, 1, file, sizeof file);
	n = insert_chunk(file, n, "tEXt", text, sizeof text - 1, false);
	CHECKF(load_quiet(file, n, &e, &said) == 0 && !said, "%s", e.msg);
	n = make_png(pix, W, H, 1, file, sizeof file);
	n = insert_chunk(file, n, "tEXt", text, sizeof text - 1, true);
	CHECK(load_quiet(file, n, &e, &said) == -1);
	CHECKF(strstr(e.msg, "libpng") && strstr(e.msg, "CRC"), "%s", e.msg);
	CHECK(!said);
	/* H + 1 rows of data for an image of H rows: fix IHDR's height */
	n = make_png(pix, W, H + 1, 1, file, sizeof file);
	put32be(file + 16 + 4, H);
	put32be(file + 29, libdeflate_crc32(0, file + 12, 17));
	CHECK(load_quiet(file, n, &e, &said) == -1);
	CHECKF(strstr(e.msg, "damaged PNG (libpng:") != NULL, "%s", e.msg);
	CHECK(!said);
	/* truncated inside IDAT: libpng's error, not its raw line */
	n = make_png(pix, W, H, 1, file, sizeof file);
	CHECK(load_quiet(file, n - 20, &e, &said) == -1 && !said);

	/* TIFF: OpenCV writes LZW; a run of flipped bytes in the strip data */
	img_t im;
	card(&im, 320, 200);
	char path[256];
	snprintf(path, sizeof path, "%s/damaged.tif", tmpdir);
	CHECK(img_write(path, &im, 1, 0, &e) == 0);
	img_free(&im);
	size_t len;
	uint8_t *b = slurp(path, &len);
	CHECK(b != NULL);
	if (!b) return;
	CHECKF(load_quiet(b, len, &e, &said) == 0 && !said, "%s", e.msg);
	for (size_t i = 8 + (len - 8) / 4; i < len / 2; i += 7) b[i] ^= 0x5a;
	CHECK(load_quiet(b, len, &e, &said) == -1 && !said);
	CHECKF(strstr(e.msg, "damaged TIFF (libtiff:") != NULL, "%s", e.msg);
	free(b);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) SKIP("mkdtemp failed");
	test_png_encode();
	test_probe_bombs();
	test_formats();
	test_multipage_tiff();
	test_reduced_jpeg();
	test_png_fast();
	test_damaged();
	test_jpeg_fast();
	test_components();
	test_ink_gray_exact();
	test_otsu();
	test_ops();
	test_pdf();
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
	CHECK_DONE();
}
