/* png.c: 8-bit gray and RGB PNGs without libpng (see png.h for why).
 *
 * The file is walked chunk by chunk, every CRC checked, and the IDAT data
 * gathered; they are inflated with libdeflate into one buffer of h rows of
 * 1 + w * bpp bytes, whose filters are then undone row by row.  Whatever
 * this path does not handle, or doubts, returns 0 for OpenCV. */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>

#include "imaging/cpu.h"
#include "imaging/png.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if IMG_SSSE3
#include <tmmintrin.h>
#endif

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

enum { F_NONE, F_SUB, F_UP, F_AVG, F_PAETH };   /* PNG filter types */

static int paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Sub on a gray row: a running byte sum, which serially runs at a byte a
 * cycle.  With SSE2 (every x86-64) it is done 16 bytes at a time: a prefix
 * sum inside the vector in four shift-and-add steps, plus the last sum of
 * the vector before, 3x faster on a page. */
static void sub_gray(const uint8_t *src, uint8_t *dst, size_t n)
{
	uint8_t a = 0;
	size_t i = 0;
#ifdef __SSE2__
	__m128i carry = _mm_setzero_si128();
	for (; i + 16 <= n; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(src + i));
		x = _mm_add_epi8(x, _mm_slli_si128(x, 1));
		x = _mm_add_epi8(x, _mm_slli_si128(x, 2));
		x = _mm_add_epi8(x, _mm_slli_si128(x, 4));
		x = _mm_add_epi8(x, _mm_slli_si128(x, 8));
		x = _mm_add_epi8(x, carry);
		_mm_storeu_si128((__m128i *)(dst + i), x);
		/* the last byte, in every lane */
		__m128i hi = _mm_unpackhi_epi8(x, x);
		hi = _mm_shufflehi_epi16(hi, 0xff);
		carry = _mm_unpackhi_epi64(hi, hi);
	}
	if (i > 0) a = dst[i - 1];
#endif
	for (; i < n; i++) dst[i] = a = (uint8_t)(src[i] + a);
}

/* Undo filter f on one row of n bytes (bpp bytes a pixel, 1 or 3): dst
 * from the filtered src, the previous row's result prev (NULL on the first
 * row) and the bytes already done to the left.  dst may be src.  The
 * left-hand values are carried in variables rather than read back from dst
 * (libpng's store-then-load chain takes five cycles a byte).  Sub, the
 * filter encoders favour, has its own vector paths: sub_gray here, and
 * rgb_row for RGB rows. */
static inline __attribute__((always_inline)) bool unfilter(int f, const uint8_t *src, const uint8_t *prev,
							    uint8_t *dst, size_t n, const int bpp)
{
	uint8_t left[3] = { 0, 0, 0 }, ul[3] = { 0, 0, 0 };
	switch (f) {
	case F_NONE:
		if (dst != src) memcpy(dst, src, n);
		return true;
	case F_SUB:
		/* RGB rows are undone by rgb_row, in the same pass as the swap. */
		if (bpp != 1) return false;
		sub_gray(src, dst, n);
		return true;
	case F_UP:
		if (!prev) {
			if (dst != src) memcpy(dst, src, n);
			return true;
		}
		for (size_t i = 0; i < n; i++) dst[i] = (uint8_t)(src[i] + prev[i]);
		return true;
	case F_AVG:
		for (size_t i = 0; i < n; i += (size_t)bpp)
			for (int k = 0; k < bpp; k++) {
				int up = prev ? prev[i + k] : 0;
				dst[i + k] = left[k] = (uint8_t)(src[i + k] + ((left[k] + up) >> 1));
			}
		return true;
	case F_PAETH:
		for (size_t i = 0; i < n; i += (size_t)bpp)
			for (int k = 0; k < bpp; k++) {
				int up = prev ? prev[i + k] : 0;
				dst[i + k] = left[k] = (uint8_t)(src[i + k] + paeth(left[k], up, ul[k]));
				ul[k] = (uint8_t)up;
			}
		return true;
	default:
		return false;
	}
}

#if IMG_SSSE3
/* RGB rows with SSSE3 (byte shuffles), picked at run time.  Sixteen bytes
 * are loaded and stored but fifteen (five pixels) done at a time.
 *
 * Sub, in place on row (when store_row: the next row needs it as its
 * prev), and BGR into out: a prefix sum over lanes three apart, plus the
 * block before's last pixel repeated across the lanes.
 * The sixteenth byte is stored back as it was (the next block starts
 * there), and the next block is loaded before this one is stored (a load
 * overlapping the store just made would wait for it).  Returns the bytes
 * done; the caller finishes the row. */
__attribute__((target("ssse3"))) static size_t sub_bgr_ssse3(uint8_t *row, uint8_t *out, size_t n, bool store_row)
{
	const __m128i keep = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0);
	const __m128i last = _mm_setr_epi8(12, 13, 14, 12, 13, 14, 12, 13, 14, 12, 13, 14, 12, 13, 14, 12);
	const __m128i bgr = _mm_setr_epi8(2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9, 14, 13, 12, 15);
	__m128i carry = _mm_setzero_si128(), next = _mm_setzero_si128();
	size_t i = 0;
	if (n >= 16) next = _mm_loadu_si128((const __m128i *)row);
	for (; i + 16 <= n; i += 15) {
		__m128i v = next, x = v;
		if (i + 31 <= n) next = _mm_loadu_si128((const __m128i *)(row + i + 15));
		x = _mm_add_epi8(x, _mm_slli_si128(x, 3));
		x = _mm_add_epi8(x, _mm_slli_si128(x, 6));
		x = _mm_add_epi8(x, _mm_slli_si128(x, 12));
		x = _mm_add_epi8(x, carry);
		carry = _mm_shuffle_epi8(x, last);
		if (store_row)
			_mm_storeu_si128((__m128i *)(row + i), _mm_or_si128(_mm_and_si128(x, keep), _mm_andnot_si128(keep, v)));
		_mm_storeu_si128((__m128i *)(out + i), _mm_shuffle_epi8(x, bgr));
	}
	return i;
}

/* An unfiltered RGB row into BGR; returns the bytes done. */
__attribute__((target("ssse3"))) static size_t bgr_ssse3(const uint8_t *row, uint8_t *out, size_t n)
{
	const __m128i bgr = _mm_setr_epi8(2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9, 14, 13, 12, 15);
	size_t i = 0;
	for (; i + 16 <= n; i += 15)
		_mm_storeu_si128((__m128i *)(out + i), _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(row + i)), bgr));
	return i;
}

#endif

/* An RGB row into out as BGR: row is Sub-filtered when f is F_SUB (undone
 * here, in the same pass: encoders pick Sub most; written back into row
 * only when store_row), otherwise already unfiltered.  fast: the CPU has
 * SSSE3. */
static void rgb_row(uint8_t *row, int f, uint8_t *out, size_t n, bool fast, bool store_row)
{
	size_t i = 0;
	uint8_t c0 = 0, c1 = 0, c2 = 0;
#if IMG_SSSE3
	if (fast) {
		if (f == F_SUB) {
			i = sub_bgr_ssse3(row, out, n, store_row);
			if (i > 0) c0 = out[i - 1], c1 = out[i - 2], c2 = out[i - 3];      /* out is BGR */
		} else {
			i = bgr_ssse3(row, out, n);
		}
	}
#else
	(void)fast;
#endif
	for (; i + 2 < n; i += 3) {
		uint8_t r = row[i], g = row[i + 1], b = row[i + 2];
		if (f == F_SUB) {
			r = c0 = (uint8_t)(r + c0), g = c1 = (uint8_t)(g + c1), b = c2 = (uint8_t)(b + c2);
			if (store_row) row[i] = r, row[i + 1] = g, row[i + 2] = b;
		}
		out[i] = b, out[i + 1] = g, out[i + 2] = r;
	}
}

/* The rows of raw (h rows of 1 + w * bpp bytes) unfiltered into page;
 * RGB is stored as BGR, as OpenCV does. */
static bool unfilter_all(uint8_t *raw, int bpp, img_t *page)
{
	size_t n = (size_t)page->w * (size_t)bpp, rb = n + 1;
	const uint8_t *prev = NULL;
	bool fast = false;
#if IMG_SSSE3
	fast = img_have_ssse3();
#endif
	for (int y = 0; y < page->h; y++) {
		uint8_t *r = raw + (size_t)y * rb, *out = page->data + (size_t)y * page->stride;
		if (bpp == 1) {
			/* gray: straight into the page, whose last row is prev */
			if (!unfilter(r[0], r + 1, prev, out, n, 1)) return false;
			prev = out;
			continue;
		}
		/* RGB: unfiltered in place (the next row's prev), then swapped;
		 * a Sub row is written back only if the next row reads it. */
		if (r[0] != F_SUB && !unfilter(r[0], r + 1, prev, r + 1, n, 3)) return false;
		int next = y + 1 < page->h ? r[rb] : F_NONE;
		rgb_row(r + 1, r[0], out, n, fast, next != F_NONE && next != F_SUB);
		prev = r + 1;
	}
	return true;
}

/* The zlib header of the image data: deflate, a window of at most 32 KiB,
 * no preset dictionary, check bits right. */
static bool zlib_header_ok(const uint8_t *p, size_t n)
{
	return n >= 2 && (p[0] & 0x0f) == 8 && (p[0] >> 4) <= 7 && !(p[1] & 0x20) && ((p[0] << 8) | p[1]) % 31 == 0;
}

/* Walk the chunks after IHDR, gathering the IDAT data into z (room for len
 * bytes).  Returns the number of bytes gathered, or 0 when the file is not
 * one this path may decode: a bad CRC or length, no IEND, IDATs not in one
 * run, or a chunk OpenCV would act on (tRNS, eXIf), a palette in a gray
 * file or an unknown critical chunk, which OpenCV's libpng refuses. */
static size_t gather_idat(const uint8_t *buf, size_t len, int ctype, uint8_t *z)
{
	size_t nz = 0;
	int idat = 0;   /* 0 none yet, 1 in the IDAT run, 2 after it */
	for (size_t off = 33; off + 12 <= len;) {       /* after IHDR */
		uint32_t n = be32(buf + off);
		const uint8_t *type = buf + off + 4, *data = buf + off + 8;
		if (n > 0x7fffffff || n > len - off - 12 ||
		    libdeflate_crc32(0, type, (size_t)n + 4) != be32(data + n))
			return 0;
		/* libpng refuses a chunk name that is not four letters. */
		for (int k = 0; k < 4; k++)
			if (!((type[k] | 0x20) >= 'a' && (type[k] | 0x20) <= 'z')) return 0;
		off += 12 + (size_t)n;
		if (memcmp(type, "IDAT", 4) == 0) {
			if (idat == 2) return 0;
			idat = 1;
			memcpy(z + nz, data, n);
			nz += n;
			continue;
		}
		if (idat == 1) idat = 2;
		if (memcmp(type, "IEND", 4) == 0) return n == 0 ? nz : 0;
		if (memcmp(type, "tRNS", 4) == 0 || memcmp(type, "eXIf", 4) == 0 || memcmp(type, "IHDR", 4) == 0 ||
		    (memcmp(type, "PLTE", 4) == 0 && ctype == 0) || (!(type[0] & 0x20) && memcmp(type, "PLTE", 4) != 0))
			return 0;
	}
	return 0;       /* no IEND: truncated */
}

/* Inflate the image data (a zlib stream) into exactly size bytes of raw.
 * libdeflate inflates 2-3x faster than zlib.  The stream's Adler-32 is
 * checked as libpng checks it (a vectorised pass, well under a
 * millisecond on a page), so a stream OpenCV refuses is refused here too. */
static bool inflate_idat(const uint8_t *z, size_t nz, uint8_t *raw, size_t size)
{
	if (!zlib_header_ok(z, nz)) return false;
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	if (!d) return false;
	size_t got = 0;
	enum libdeflate_result r = libdeflate_zlib_decompress(d, z, nz, raw, size, &got);
	libdeflate_free_decompressor(d);
	return r == LIBDEFLATE_SUCCESS && got == size;
}

int img_png_decode(const uint8_t *buf, size_t len, img_t *page, img_err *err)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	memset(page, 0, sizeof *page);
	if (len < 45 || memcmp(buf, sig, 8) != 0 || be32(buf + 8) != 13 || memcmp(buf + 12, "IHDR", 4) != 0) return 0;
	const uint8_t *h = buf + 16;
	uint32_t w = be32(h), ht = be32(h + 4);
	int depth = h[8], ctype = h[9], bpp = ctype == 0 ? 1 : 3;
	/* 8-bit gray or RGB; deflate, standard filters, not interlaced. */
	if (depth != 8 || (ctype != 0 && ctype != 2) || h[10] || h[11] || h[12]) return 0;
	if (w == 0 || ht == 0 || w > INT_MAX / 3 || ht > INT_MAX || libdeflate_crc32(0, buf + 12, 17) != be32(buf + 29)) return 0;
	if ((uint64_t)w * ht > ((uint64_t)1 << 31)) return 0;      /* img_alloc's own bound */
	size_t size = (size_t)ht * ((size_t)w * (size_t)bpp + 1);
	uint8_t *raw = malloc(size), *z = malloc(len);
	if (!raw || !z) {
		free(raw);
		free(z);
		snprintf(err->msg, sizeof err->msg, "out of memory for a %ux%u PNG", w, ht);
		return -1;
	}
	int rc = 0;
	size_t nz = gather_idat(buf, len, ctype, z);
	if (nz > 0 && inflate_idat(z, nz, raw, size)) {
		if (img_alloc_uninit(page, (int)w, (int)ht, bpp, err) < 0) {      /* rows all written below */
			rc = -1;
		} else if (unfilter_all(raw, bpp, page)) {
			rc = 1;
		} else {
			img_free(page);         /* an unknown filter type: OpenCV's to refuse */
		}
	}
	free(z);
	free(raw);
	return rc;
}
